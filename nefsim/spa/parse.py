"""Safe parsing of Semantic Pointer expressions, and lazy symbolic pointers (``sym``).

Expressions such as ``"A * B + ~C"`` or ``"0.5 * (A + B).normalized()"`` are parsed with
Python's :mod:`ast` and evaluated by walking the tree; nothing is passed to ``eval``.
Only names, numbers, parentheses, the operators ``+ - * / @ ~`` and the methods
``normalized()``, ``unitary()``, ``linv()`` and ``rinv()`` are accepted; anything else
(calls, attributes, subscripts, lambdas, ...) raises :class:`SpaParseError`.

:data:`sym` builds :class:`PointerSymbol` expressions (``sym.A * sym.B``) without a
vocabulary; ``PointerSymbol.evaluate(vocab)`` resolves them later.
"""

import ast

from .._validation import is_number
from .exceptions import SpaParseError

#: methods without arguments that an expression may call on a pointer
METHODS = ("normalized", "unitary", "linv", "rinv")
#: methods allowed on a name in ``Vocabulary.populate`` (applied to the new random vector)
POPULATE_METHODS = ("normalized", "unitary")

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.MatMult: lambda a, b: a @ b,
}
_UNARY = {
    ast.USub: lambda a: -a,
    ast.UAdd: lambda a: +a,
    ast.Invert: lambda a: ~a,
}
_HELP = ("use pointer names, numbers, parentheses, + - * / @ ~ and the methods "
         + ", ".join(f".{m}()" for m in METHODS))


def _tree(text, what="expression"):
    """The ``ast.Expression`` of ``text``, or a :class:`SpaParseError` saying why not."""
    if not isinstance(text, str):
        raise SpaParseError(f"a Semantic Pointer {what} must be a string "
                            f"(got {type(text).__name__} {text!r})")
    try:
        return ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise SpaParseError(f"invalid Semantic Pointer {what} {text!r}: {err.msg}") from None
    except (ValueError, RecursionError, MemoryError) as err:
        raise SpaParseError(f"cannot parse Semantic Pointer {what} {text!r}: {err}") from None


def _segment(text, node):
    return ast.get_source_segment(text.strip(), node) or type(node).__name__


def _reject(text, node, reason):
    raise SpaParseError(f"{reason} in Semantic Pointer expression {text!r} "
                        f"(at {_segment(text, node)!r}); {_HELP}")


def _method_call(text, node):
    """The (receiver node, method name) of an allowed ``x.method()`` call."""
    func = node.func
    if not isinstance(func, ast.Attribute):
        _reject(text, node, "function calls are not allowed")
    if func.attr not in METHODS:
        _reject(text, node, f"the method {func.attr!r} is not allowed")
    if node.args or node.keywords:
        _reject(text, node, f".{func.attr}() takes no arguments")
    return func.value, func.attr


def check_expression(text):
    """Raise :class:`SpaParseError` unless ``text`` uses only the allowed syntax."""
    tree = _tree(text)
    _walk(text, tree.body, lookup=None)
    return tree


def _walk(text, node, lookup):
    """Evaluate ``node`` (or only check it when ``lookup`` is None)."""
    if isinstance(node, ast.Name):
        return None if lookup is None else lookup(node.id)
    if isinstance(node, ast.Constant):
        if not is_number(node.value) or isinstance(node.value, complex):
            _reject(text, node, f"the constant {node.value!r} is not allowed")
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left = _walk(text, node.left, lookup)
        right = _walk(text, node.right, lookup)
        return None if lookup is None else _apply(text, node, _BINARY[type(node.op)],
                                                  left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        operand = _walk(text, node.operand, lookup)
        if isinstance(node.op, ast.Invert) and is_number(operand):
            _reject(text, node, "~ (inverse) needs a Semantic Pointer, not a number")
        return None if lookup is None else _apply(text, node, _UNARY[type(node.op)], operand)
    if isinstance(node, ast.Call):
        receiver, method = _method_call(text, node)
        value = _walk(text, receiver, lookup)
        if lookup is None:
            return None
        if not hasattr(value, method) or is_number(value):
            _reject(text, node, f".{method}() needs a Semantic Pointer, not a number")
        return getattr(value, method)()
    _reject(text, node, f"{type(node).__name__} syntax is not allowed")


def _apply(text, node, operation, *operands):
    try:
        return operation(*operands)
    except TypeError:
        kinds = " and ".join("a number" if is_number(x) else "a Semantic Pointer"
                             for x in operands)
        _reject(text, node, f"this operation is not defined for {kinds}")
    except ZeroDivisionError:
        _reject(text, node, "division by zero")


def evaluate(text, lookup):
    """Evaluate expression ``text``; ``lookup(name)`` returns the value of a name."""
    tree = _tree(text)
    try:
        return _walk(text, tree.body, lookup)
    except RecursionError:
        raise SpaParseError(f"Semantic Pointer expression {text!r} is nested too deeply") from None


def parse_declaration(text):
    """Split a ``populate`` entry without ``=`` into ``(name, [methods])``.

    ``"A"`` gives ``("A", [])`` and ``"B.unitary()"`` gives ``("B", ["unitary"])``.
    """
    tree = _tree(text, what="declaration")
    node, methods = tree.body, []
    while isinstance(node, ast.Call):
        node, method = _method_call(text, node)
        if method not in POPULATE_METHODS:
            raise SpaParseError(f"populate entry {text!r}: only "
                                + ", ".join(f".{m}()" for m in POPULATE_METHODS)
                                + " may follow a new name")
        methods.append(method)
    if not isinstance(node, ast.Name):
        raise SpaParseError(f"populate entry {text!r} must be a NAME, NAME.unitary(), "
                            "NAME.normalized() or NAME = expression")
    return node.id, methods[::-1]


# -- readable names for combined expressions --------------------------------------

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "@": 2}
_AST_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.MatMult: 2}
_ATOM = 4


def _precedence(expr):
    """Binding strength of ``expr``'s outermost operation (4 for atoms)."""
    try:
        body = ast.parse(expr, mode="eval").body
    except (SyntaxError, ValueError):
        return _ATOM if " " not in expr else 0
    if isinstance(body, ast.BinOp):
        return _AST_PRECEDENCE.get(type(body.op), 0)
    if isinstance(body, ast.UnaryOp):
        return 3
    if isinstance(body, ast.Constant) and isinstance(body.value, (int, float)) \
            and body.value < 0:
        return 3
    return _ATOM


def binary_expr(left, symbol, right):
    """``left symbol right`` with the parentheses the operator precedence needs."""
    level = _PRECEDENCE[symbol]
    if _precedence(left) < level:
        left = f"({left})"
    right_level = _precedence(right)
    if right_level < level or (right_level == level and symbol in "-/@"):
        right = f"({right})"
    return f"{left} {symbol} {right}"


def unary_expr(symbol, operand):
    """``symbol operand`` (``-A``, ``~(A + B)``)."""
    return f"{symbol}{operand}" if _precedence(operand) >= 3 else f"{symbol}({operand})"


def method_expr(receiver, method):
    """``receiver.method()``, parenthesising anything but a name or call chain."""
    return (f"{receiver}.{method}()" if _precedence(receiver) == _ATOM
            and not receiver[:1].isdigit() else f"({receiver}).{method}()")


def scalar_expr(value):
    """A number written as Python would read it back."""
    return repr(value.item() if hasattr(value, "item") else value)


# -- lazy symbolic pointers ----------------------------------------------------------

class PointerSymbol:
    """A Semantic Pointer expression not yet tied to a vocabulary.

    Build one with :data:`sym` (``sym.A * ~sym.B``) and combine it like a pointer; call
    :meth:`evaluate` with a vocabulary to obtain the
    :class:`~nefsim.spa.pointer.SemanticPointer`.

    Parameters
    ----------
    expr : str
        The expression, checked for allowed syntax immediately.
    """

    def __init__(self, expr):
        check_expression(expr)
        self.expr = expr.strip()

    def __repr__(self):
        return f"PointerSymbol({self.expr!r})"

    def __str__(self):
        return self.expr

    def evaluate(self, vocab):
        """The pointer this expression names in ``vocab`` (``vocab.parse(self.expr)``)."""
        return vocab.parse(self.expr)

    @staticmethod
    def _other_expr(other):
        if isinstance(other, PointerSymbol):
            return other.expr
        if is_number(other) and not isinstance(other, complex):
            return scalar_expr(other)
        return None

    def _binary(self, other, symbol, swap=False):
        other_expr = self._other_expr(other)
        if other_expr is None:
            return NotImplemented
        left, right = (other_expr, self.expr) if swap else (self.expr, other_expr)
        return PointerSymbol(binary_expr(left, symbol, right))

    def __add__(self, other):
        return self._binary(other, "+") if isinstance(other, PointerSymbol) else NotImplemented

    def __sub__(self, other):
        return self._binary(other, "-") if isinstance(other, PointerSymbol) else NotImplemented

    def __mul__(self, other):
        return self._binary(other, "*")

    def __rshift__(self, target):
        """``pointer >> target``: route this constant into a module or input (see
        :func:`nefsim.spa.actions.route`)."""
        from .actions import route  # actions builds on pointers: import when used

        return route(self, target)

    def __rmul__(self, other):
        return self._binary(other, "*", swap=True)

    def __truediv__(self, other):
        if isinstance(other, PointerSymbol):
            return NotImplemented
        return self._binary(other, "/")

    def __neg__(self):
        return PointerSymbol(unary_expr("-", self.expr))

    def __pos__(self):
        return self

    def __invert__(self):
        return PointerSymbol(unary_expr("~", self.expr))

    def _method(self, name):
        return PointerSymbol(method_expr(self.expr, name))

    def normalized(self):
        """The expression followed by ``.normalized()``."""
        return self._method("normalized")

    def unitary(self):
        """The expression followed by ``.unitary()``."""
        return self._method("unitary")

    def linv(self):
        """The expression followed by ``.linv()``."""
        return self._method("linv")

    def rinv(self):
        """The expression followed by ``.rinv()``."""
        return self._method("rinv")


class PointerSymbolFactory:
    """Makes :class:`PointerSymbol` objects: ``sym.A`` or ``sym("A * B")``."""

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        return PointerSymbol(key)

    def __call__(self, expr):
        return PointerSymbol(expr)

    def __repr__(self):
        return "sym"


#: factory of lazy symbolic pointers: ``sym.A * sym.B``
sym = PointerSymbolFactory()
