"""The SPA expression language: routing with ``>>``, ``dot``, and action selection.

An expression such as ``spa.sym.A * ~state_a + 0.5 * state_b`` is a small lazy tree.
Nothing is built until it is routed into a module input with ``>>`` (or used as the
utility of an action): then it is *type checked* (every module output carries a
vocabulary, or the scalar type; symbols take the vocabulary of whatever they meet) and
*evaluated* into a :class:`Linear` form

    y = sum_i M_i x_i + c

of module outputs ``x_i``, with constant matrices ``M_i`` and a constant vector ``c``.
Linear steps (sums, scaling, binding with a fixed pointer, ``~``, ``dot`` with a fixed
pointer, ``translate``) only change the matrices; each product of two dynamic values
builds a network (:class:`~nefsim.spa.modules.Bind`, :class:`~nefsim.spa.modules.Compare`
or a :class:`nefsim.networks.Product`) whose output becomes a new ``x_i``.  A form is
then realised as one :class:`nefsim.Connection` per source plus one constant ``Node``.

Outside action selection ``source >> target`` connects at once.  Inside
``with spa.ActionSelection():`` it returns a pending :class:`Effect` that
:func:`ifmax` attaches to an action; when the block ends, the basal ganglia and
thalamus (from :mod:`nefsim.networks`) are built, each action's utility drives a basal
ganglia input, constant effects are driven by the thalamus output of their action, and
effects of module outputs pass through *channels* (ensembles) whose neurons are
inhibited by a gate unless their action wins.

This module owns the expression classes, the registry of declared module inputs and
outputs, :func:`route`, :func:`dot`, :func:`translate`, :func:`reinterpret`,
:class:`ActionSelection` and :func:`ifmax`.
"""

import threading
import weakref

import numpy as np

from .._validation import Default, is_number
from ..connection import Connection
from ..dists import Choice, Uniform
from ..ensemble import Ensemble
from ..exceptions import NetworkContextError
from ..network import Network as _Network
from ..node import Node
from .algebras import HrrAlgebra
from .exceptions import SpaConstructionError, SpaKeyError, SpaParseError, SpaTypeError
from .parse import PointerSymbol
from .pointer import SemanticPointer
from .vocabulary import Vocabulary

# Synapses of the action-selection wiring (seconds).
BG_TO_THALAMUS_SYNAPSE = 0.008
ROUTE_SYNAPSE = 0.008  # thalamus or channel -> effect target
# Gates: a gate ensemble is driven by a constant 1 and silenced by its action's
# thalamus output; while active it inhibits the neurons of its action's channels.
GATE_NEURONS = 50
GATE_INHIBITION = 1.5  # weight of the thalamus output on the gate
CHANNEL_INHIBITION = 3.0  # weight of the gate on each channel neuron
CHANNEL_NEURONS_PER_DIMENSION = 50
# Networks built for products of two dynamic values.
PRODUCT_NEURONS = 200


# --------------------------------------------------------------------------------------
# Types


class _ScalarType:
    """The type of one-dimensional, non-pointer values (utilities, ``dot`` results)."""

    dimensions = 1

    def __repr__(self):
        return "scalar"


SCALAR = _ScalarType()


def describe_type(vtype):
    if vtype is None:
        return "a free symbol (no vocabulary yet)"
    if vtype is SCALAR:
        return "a scalar"
    return f"vocabulary {vtype!r}"


def unify(a, b, where):
    """The common type of ``a`` and ``b`` (``None`` = free), or raise SpaTypeError."""
    if a is None:
        return b
    if b is None or a is b:
        return a
    hint = ""
    if a is not SCALAR and b is not SCALAR:
        hint = ("; move the values into one vocabulary with spa.translate(expr, vocab) "
                "or, for equal dimensions, spa.reinterpret(expr, vocab)")
    raise SpaTypeError(f"{where}: cannot combine {describe_type(a)} with "
                       f"{describe_type(b)}{hint}")


# --------------------------------------------------------------------------------------
# Declared module inputs and outputs


_INPUTS = weakref.WeakKeyDictionary()  # nefsim object -> Vocabulary or SCALAR
_OUTPUTS = weakref.WeakKeyDictionary()


def as_type(vocab):
    """Registry type of a declared vocabulary: the Vocabulary, or SCALAR for None."""
    return SCALAR if vocab is None else vocab


def _check_declarable(obj, vtype, what):
    size = obj.size_in if what == "input" else obj.size_out
    if size != vtype.dimensions:
        raise SpaConstructionError(
            f"cannot declare {obj} as an SPA {what} of {describe_type(vtype)}: it has "
            f"{size} dimensions, the vocabulary {vtype.dimensions}")


def declare_input(obj, vocab):
    """Register ``obj`` (a Node or Ensemble) as a module input of ``vocab`` (None: scalar)."""
    vtype = as_type(vocab)
    _check_declarable(obj, vtype, "input")
    _INPUTS[obj] = vtype
    return obj


def declare_output(obj, vocab):
    """Register ``obj`` as a module output of ``vocab`` (None: scalar)."""
    vtype = as_type(vocab)
    _check_declarable(obj, vtype, "output")
    _OUTPUTS[obj] = vtype
    return obj


def _lookup(registry, obj):
    try:
        return registry.get(obj)
    except TypeError:  # unhashable or not weak-referenceable
        return None


def _name(obj):
    label = getattr(obj, "label", None)
    return label if label else type(obj).__name__


# --------------------------------------------------------------------------------------
# Linear forms and how they become connections


class Linear:
    """``sum_i M_i x_i + c``: module outputs ``x_i`` through matrices, plus a constant.

    Parameters
    ----------
    dimensions : int
        Size of the value.
    terms : list of (object, (dimensions, object.size_out) array)
    const : (dimensions,) array, optional
    """

    def __init__(self, dimensions, terms=(), const=None):
        self.dimensions = dimensions
        self.terms = list(terms)
        self.const = np.zeros(dimensions) if const is None else np.asarray(const, float)

    @classmethod
    def source(cls, obj, dimensions):
        return cls(dimensions, [(obj, np.eye(dimensions))])

    @property
    def is_constant(self):
        return not self.terms

    def __add__(self, other):
        terms = list(self.terms)
        for obj, matrix in other.terms:
            for k, (known, mine) in enumerate(terms):
                if known is obj:
                    terms[k] = (obj, mine + matrix)
                    break
            else:
                terms.append((obj, matrix))
        return Linear(self.dimensions, terms, self.const + other.const)

    def scaled(self, factor):
        return Linear(self.dimensions, [(o, factor * m) for o, m in self.terms],
                      factor * self.const)

    def mapped(self, matrix):
        """The form of ``matrix @ y`` (``matrix`` has ``self.dimensions`` columns)."""
        return Linear(matrix.shape[0], [(o, matrix @ m) for o, m in self.terms],
                      matrix @ self.const)

    def dynamic_part(self):
        return Linear(self.dimensions, self.terms)


def _is_identity(matrix):
    return matrix.shape[0] == matrix.shape[1] and np.array_equal(matrix, np.eye(len(matrix)))


def connect(linear, post, synapse=Default):
    """Realise ``linear`` as connections into ``post``; returns the connections."""
    connections = []
    for obj, matrix in linear.terms:
        transform = None if _is_identity(matrix) else matrix
        connections.append(Connection(obj, post, transform=transform, synapse=synapse))
    if np.any(linear.const != 0):
        node = Node(linear.const, label="constant")
        connections.append(Connection(node, post, synapse=synapse))
    return connections


def _linear_map(function, dimensions):
    """Matrix of the linear map ``function`` on ``dimensions``-D vectors (via the basis)."""
    return np.column_stack([function(e) for e in np.eye(dimensions)])


# --------------------------------------------------------------------------------------
# Operators shared by expressions and SPA modules


class ExprOperators:
    """Arithmetic and routing operators; ``as_expr(self)`` gives the operand."""

    __array_ufunc__ = None  # let NumPy scalars defer to our reflected operators

    def __add__(self, other):
        return Sum(as_expr(self), as_expr(other))

    def __radd__(self, other):
        return Sum(as_expr(other), as_expr(self))

    def __sub__(self, other):
        return Sum(as_expr(self), Scale(-1.0, as_expr(other)))

    def __rsub__(self, other):
        return Sum(as_expr(other), Scale(-1.0, as_expr(self)))

    def __neg__(self):
        return Scale(-1.0, as_expr(self))

    def __pos__(self):
        return as_expr(self)

    def __mul__(self, other):
        return multiply(self, other)

    def __rmul__(self, other):
        return multiply(other, self)

    def __truediv__(self, other):
        if not is_number(other) or isinstance(other, complex):
            raise SpaTypeError(f"can only divide {as_expr(self)} by a number (got {other!r})")
        return Scale(1.0 / float(other), as_expr(self))

    def __invert__(self):
        return Invert(as_expr(self))

    def __rshift__(self, other):
        return route(self, other)

    def __rrshift__(self, other):
        return route(other, self)


def multiply(a, b):
    a, b = as_expr(a), as_expr(b)
    if isinstance(a, Number):
        return Scale(a.value, b)
    if isinstance(b, Number):
        return Scale(b.value, a)
    return Product(a, b)


# --------------------------------------------------------------------------------------
# Expression tree


class Expr(ExprOperators):
    """A node of an SPA expression.

    ``infer()`` returns the value's type (a Vocabulary, ``SCALAR``, or ``None`` while
    it only contains symbols); ``evaluate(vtype)`` returns its :class:`Linear` form in
    that type, building networks for dynamic products.
    """

    def infer(self):
        raise NotImplementedError

    def evaluate(self, vtype):
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__} {self}>"


class Number(Expr):
    """A scalar constant."""

    def __init__(self, value):
        self.value = float(value)

    def infer(self):
        return SCALAR

    def evaluate(self, vtype):
        unify(SCALAR, vtype, f"the number {self.value}")
        return Linear(1, const=[self.value])

    def __str__(self):
        return repr(self.value)


def _check_pointer_context(expr, vtype):
    if vtype is SCALAR:
        raise SpaTypeError(f"{expr} is a Semantic Pointer but a scalar is expected here; "
                           "compare it with dot(...) to get a scalar")
    if vtype is None:
        raise SpaTypeError(f"cannot tell which vocabulary {expr} belongs to; combine it "
                           "with a module output or route it into a module")


class Symbol(Expr):
    """A named pointer expression (``spa.sym.A * spa.sym.B``), parsed in its vocabulary."""

    def __init__(self, expr):
        self.expr = expr

    def infer(self):
        return None

    def evaluate(self, vtype):
        _check_pointer_context(self, vtype)
        try:
            pointer = vtype.parse(self.expr)
        except (SpaParseError, SpaKeyError) as err:
            raise SpaParseError(f"cannot evaluate spa.sym expression {self.expr!r} in "
                                f"{vtype!r}: {err}") from None
        return Linear(vtype.dimensions, const=pointer.v)

    def __str__(self):
        return self.expr


class Fixed(Expr):
    """A fixed vector: a SemanticPointer (with its vocabulary) or a plain array."""

    def __init__(self, vector, vocab=None, name=None):
        self.vector = np.asarray(vector, dtype=float)
        self.vocab = vocab
        self.name = name

    def infer(self):
        return self.vocab

    def evaluate(self, vtype):
        _check_pointer_context(self, vtype)
        unify(self.vocab, vtype, f"the pointer {self}")
        if len(self.vector) != vtype.dimensions:
            raise SpaTypeError(f"the pointer {self} has {len(self.vector)} dimensions but "
                               f"{describe_type(vtype)} has {vtype.dimensions}")
        return Linear(vtype.dimensions, const=self.vector)

    def __str__(self):
        return self.name if self.name else f"SemanticPointer<{len(self.vector)}-D>"


class Source(Expr):
    """The output of a module (a declared output object) of a known type."""

    def __init__(self, obj, vtype, name=None):
        self.obj = obj
        self.vtype = vtype
        self.name = name if name is not None else _name(obj)

    def infer(self):
        return self.vtype

    def evaluate(self, vtype):
        unify(self.vtype, vtype, f"the output of {self}")
        return Linear.source(self.obj, self.vtype.dimensions)

    def __str__(self):
        return self.name


class Sum(Expr):
    def __init__(self, a, b):
        self.a, self.b = a, b

    def infer(self):
        return unify(self.a.infer(), self.b.infer(), f"in {self}")

    def evaluate(self, vtype):
        return self.a.evaluate(vtype) + self.b.evaluate(vtype)

    def __str__(self):
        return f"{self.a} + {self.b}"


class Scale(Expr):
    def __init__(self, factor, expr):
        self.factor, self.expr = float(factor), expr

    def infer(self):
        return self.expr.infer()

    def evaluate(self, vtype):
        return self.expr.evaluate(vtype).scaled(self.factor)

    def __str__(self):
        return f"{self.factor} * ({self.expr})"


class Product(Expr):
    """``a * b``: binding of pointers, scaling by a scalar, or a product of scalars."""

    def __init__(self, a, b):
        self.a, self.b = a, b

    def infer(self):
        ta, tb = self.a.infer(), self.b.infer()
        if ta is SCALAR and tb is not SCALAR:
            return tb
        if tb is SCALAR and ta is not SCALAR:
            return ta
        return unify(ta, tb, f"in {self}")

    def evaluate(self, vtype):
        a_type = SCALAR if self.a.infer() is SCALAR else vtype
        b_type = SCALAR if self.b.infer() is SCALAR else vtype
        la, lb = self.a.evaluate(a_type), self.b.evaluate(b_type)
        if a_type is SCALAR and b_type is SCALAR:
            return self._scalar_product(la, lb)
        if a_type is SCALAR:
            return self._scale(la, lb)
        if b_type is SCALAR:
            return self._scale(lb, la)
        return self._bind(la, lb, vtype)

    def _scalar_product(self, la, lb):
        if la.is_constant:
            return lb.scaled(la.const[0])
        if lb.is_constant:
            return la.scaled(lb.const[0])
        return _product_network(la, lb, 1, f"{self}")

    def _scale(self, scalar, vector):
        """A scalar form times a pointer form."""
        if scalar.is_constant:
            return vector.scaled(scalar.const[0])
        if vector.is_constant:
            return scalar.mapped(vector.const[:, None])
        broadcast = scalar.mapped(np.ones((vector.dimensions, 1)))
        return _product_network(broadcast, vector, vector.dimensions, f"{self}")

    def _bind(self, la, lb, vocab):
        algebra = vocab.algebra
        if la.is_constant and lb.is_constant:
            return Linear(vocab.dimensions, const=algebra.bind(la.const, lb.const))
        if la.is_constant:
            return lb.mapped(_linear_map(lambda x: algebra.bind(la.const, x),
                                         vocab.dimensions))
        if lb.is_constant:
            return la.mapped(_linear_map(lambda x: algebra.bind(x, lb.const),
                                         vocab.dimensions))
        return _bind_network(la, lb, vocab, f"{self}")

    def __str__(self):
        return f"({self.a}) * ({self.b})"


class Invert(Expr):
    """``~a``: the algebra's (approximate) inverse, a fixed linear map."""

    def __init__(self, expr):
        self.expr = expr

    def infer(self):
        vtype = self.expr.infer()
        if vtype is SCALAR:
            raise SpaTypeError(f"~ applies to Semantic Pointers, but {self.expr} is a scalar")
        return vtype

    def evaluate(self, vtype):
        _check_pointer_context(self, vtype)
        matrix = _linear_map(vtype.algebra.invert, vtype.dimensions)
        return self.expr.evaluate(vtype).mapped(matrix)

    def __str__(self):
        return f"~({self.expr})"


class Dot(Expr):
    """``dot(a, b)``: the scalar similarity of two pointers of one vocabulary."""

    def __init__(self, a, b):
        self.a, self.b = a, b

    def operand_type(self):
        vtype = unify(self.a.infer(), self.b.infer(), f"in {self}")
        if vtype is SCALAR:
            raise SpaTypeError(f"{self}: dot() takes Semantic Pointers, not scalars; "
                               "multiply scalars with *")
        return vtype

    def infer(self):
        self.operand_type()
        return SCALAR

    def evaluate(self, vtype):
        unify(SCALAR, vtype, f"{self} (a scalar)")
        operands = self.operand_type()
        if operands is None:
            raise SpaTypeError(f"cannot tell which vocabulary to use for {self}; at least "
                               "one argument must be a module output or a SemanticPointer")
        la, lb = self.a.evaluate(operands), self.b.evaluate(operands)
        if la.is_constant and lb.is_constant:
            return Linear(1, const=[la.const @ lb.const])
        if la.is_constant:
            return lb.mapped(la.const[None, :])
        if lb.is_constant:
            return la.mapped(lb.const[None, :])
        return _compare_network(la, lb, operands, f"{self}")

    def __str__(self):
        return f"dot({self.a}, {self.b})"


class Translate(Expr):
    """``translate(a, vocab)``: map ``a`` into ``vocab`` by matching pointer names."""

    def __init__(self, expr, vocab, populate=None, keys=None, solver=None):
        self.expr, self.vocab = expr, vocab
        self.populate, self.keys, self.solver = populate, keys, solver

    def infer(self):
        return self.vocab

    def evaluate(self, vtype):
        unify(self.vocab, vtype, f"{self}")
        source = self.expr.infer()
        if source is None or source is SCALAR:
            raise SpaTypeError(f"{self}: translate needs a value with a known vocabulary "
                               f"(got {describe_type(source)})")
        matrix = source.transform_to(self.vocab, populate=self.populate, keys=self.keys,
                                     solver=self.solver)
        return self.expr.evaluate(source).mapped(matrix)

    def __str__(self):
        return f"translate({self.expr}, {self.vocab!r})"


class Reinterpret(Expr):
    """``reinterpret(a, vocab)``: read ``a``'s vector as a vector of another vocabulary."""

    def __init__(self, expr, vocab=None):
        self.expr, self.vocab = expr, vocab

    def infer(self):
        return self.vocab

    def evaluate(self, vtype):
        target = unify(self.vocab, vtype, f"{self}")
        _check_pointer_context(self, target)
        source = self.expr.infer()
        if source is SCALAR:
            raise SpaTypeError(f"{self}: cannot reinterpret a scalar as a Semantic Pointer")
        source = target if source is None else source
        if source.dimensions != target.dimensions:
            raise SpaTypeError(f"{self}: reinterpret needs equal dimensions (got "
                               f"{source.dimensions} and {target.dimensions}); use "
                               "spa.translate to change the dimensionality")
        return self.expr.evaluate(source)

    def __str__(self):
        return f"reinterpret({self.expr})"


# --------------------------------------------------------------------------------------
# Networks for dynamic products


def _bind_network(la, lb, vocab, name):
    from .modules.bind import Bind

    if not isinstance(vocab.algebra, HrrAlgebra):
        raise SpaTypeError(f"{name}: binding two module outputs needs the HRR algebra "
                           f"(circular convolution); {vocab!r} uses {vocab.algebra!r}")
    bind = Bind(vocab, neurons_per_dimension=PRODUCT_NEURONS, label=f"bind {name}")
    connect(la, bind.input_left)
    connect(lb, bind.input_right)
    return Linear.source(bind.output, vocab.dimensions)


def _compare_network(la, lb, vocab, name):
    from .modules.compare import Compare

    compare = Compare(vocab, neurons_per_multiply=PRODUCT_NEURONS, label=name)
    connect(la, compare.input_a)
    connect(lb, compare.input_b)
    return Linear.source(compare.output, 1)


def _product_network(la, lb, dimensions, name):
    from ..networks import Product as ProductNetwork

    product = ProductNetwork(PRODUCT_NEURONS, dimensions, label=f"product {name}")
    connect(la, product.input_a)
    connect(lb, product.input_b)
    return Linear.source(product.output, dimensions)


# --------------------------------------------------------------------------------------
# Conversions


def _module_endpoint(module, kind):
    obj = getattr(module, kind, None)
    registry = _INPUTS if kind == "input" else _OUTPUTS
    vtype = None if obj is None else _lookup(registry, obj)
    if vtype is None:
        declared = [k for k, v in vars(module).items()
                    if not k.startswith("_") and _lookup(registry, v) is not None]
        use = f"; use one of its declared {kind}s: {', '.join(declared)}" if declared else ""
        raise SpaTypeError(f"{module} has no default SPA {kind} (no declared "
                           f"`{kind}` attribute){use}")
    return obj, vtype


def as_expr(value):
    """``value`` as an expression node (modules, declared outputs, symbols, numbers)."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, PointerSymbol):
        return Symbol(value.expr)
    if isinstance(value, SemanticPointer):
        return Fixed(value.v, value.vocab, value.name)
    if is_number(value) and not isinstance(value, complex):
        return Number(value)
    if isinstance(value, _Network):
        obj, vtype = _module_endpoint(value, "output")
        return Source(obj, vtype, _name(value))
    vtype = _lookup(_OUTPUTS, value)
    if vtype is not None:
        return Source(value, vtype)
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return Fixed(value)
    hint = (" (strings are not parsed in expressions: write spa.sym.NAME or "
            "spa.sym('expression'))" if isinstance(value, str) else "")
    raise SpaTypeError(f"cannot use {value!r} in an SPA expression{hint}; use a module, "
                       "a declared module output, spa.sym.NAME, a SemanticPointer or a "
                       "number")


def as_sink(target):
    """``(object, type, name)`` of a routing target: a module or a declared input."""
    if isinstance(target, _Network):
        obj, vtype = _module_endpoint(target, "input")
        return obj, vtype, _name(target)
    vtype = _lookup(_INPUTS, target)
    if vtype is None:
        raise SpaTypeError(
            f"cannot route into {target!r}: it is not an SPA module or a declared module "
            "input; route into a module (e.g. a spa.State), one of its inputs (e.g. "
            "bind.input_left), or declare it with net.declare_input(obj, vocab)")
    return target, vtype, _name(target)


# --------------------------------------------------------------------------------------
# Routing


class Effect:
    """``source >> target``: an expression routed into a module input.

    Attributes
    ----------
    source : Expr
    sink : object
        The nefsim object (declared input) that receives the value.
    vtype : Vocabulary or SCALAR
        The type the source is evaluated in.
    connections : list of Connection
        Made when the effect is connected (at once outside action selection).
    """

    def __init__(self, source, sink, vtype, sink_name):
        self.source = source
        self.sink = sink
        self.vtype = vtype
        self.sink_name = sink_name
        self.connections = []

    def connect(self):
        """Evaluate the source and connect it to the sink (ungated)."""
        self.connections = connect(self.source.evaluate(self.vtype), self.sink)
        return self.connections

    def __str__(self):
        return f"{self.source} >> {self.sink_name}"

    def __repr__(self):
        return f"<Effect {self}>"


def route(source, target):
    """Route ``source`` into ``target`` (``source >> target``); returns the Effect."""
    expr = as_expr(source)
    sink, sink_type, sink_name = as_sink(target)
    vtype = unify(expr.infer(), sink_type, f"routing {expr} >> {sink_name}")
    effect = Effect(expr, sink, vtype, sink_name)
    selection = ActionSelection.active()
    if selection is not None:
        selection._pending.append(effect)
    else:
        effect.connect()
    return effect


def dot(a, b):
    """Similarity of ``a`` and ``b``: a number for two fixed pointers, else an expression."""
    if isinstance(a, SemanticPointer) and isinstance(b, SemanticPointer):
        return a.dot(b)
    return Dot(as_expr(a), as_expr(b))


def translate(source, vocab, populate=None, keys=None, solver=None):
    """Map ``source`` into ``vocab`` by pointer names (a linear transform)."""
    if not isinstance(vocab, Vocabulary):
        raise SpaTypeError(f"translate: vocab must be a Vocabulary (got {vocab!r})")
    if isinstance(source, SemanticPointer):
        return source.translate(vocab, populate=populate, keys=keys, solver=solver)
    return Translate(as_expr(source), vocab, populate, keys, solver)


def reinterpret(source, vocab=None):
    """Treat ``source``'s vector as one of ``vocab`` (or of the target's vocabulary)."""
    if vocab is not None and not isinstance(vocab, Vocabulary):
        raise SpaTypeError(f"reinterpret: vocab must be a Vocabulary or None (got {vocab!r})")
    if isinstance(source, SemanticPointer):
        return source.reinterpret(vocab)
    return Reinterpret(as_expr(source), vocab)


# --------------------------------------------------------------------------------------
# Action selection


class _ActiveStack(threading.local):
    def __init__(self):
        self.items = []


class Action:
    """One action: its name, utility expression and effects."""

    def __init__(self, name, condition, effects):
        self.name = name
        self.condition = condition
        self.effects = tuple(effects)

    def __repr__(self):
        effects = ", ".join(str(e) for e in self.effects)
        return f"<Action {self.name!r}: ifmax({self.condition}, {effects})>"


class ActionSelection:
    """Context in which :func:`ifmax` declares actions selected by the basal ganglia.

    Use inside a network::

        with spa.ActionSelection() as actions:
            spa.ifmax("a", spa.dot(state, spa.sym.A), spa.sym.B >> state)
            spa.ifmax("b", spa.dot(state, spa.sym.B), spa.sym.C >> state)

    When the block ends, a :class:`nefsim.networks.BasalGanglia` (``bg``) and a
    :class:`nefsim.networks.Thalamus` (``thalamus``) with one dimension per action are
    added to the enclosing network.  Each utility drives ``bg.input[i]``.  Constant
    effects are driven by ``thalamus.output[i]`` (about 1 while action ``i`` wins, 0
    otherwise).  Effects of module outputs go through a channel (ensembles inside the
    thalamus network) whose neurons a gate inhibits unless action ``i`` wins.

    Routing with ``>>`` inside the block only records an effect, so every effect made
    there must be passed to :func:`ifmax`.

    Attributes
    ----------
    bg, thalamus : Network or None
        Built when the block ends (None while no action was declared).
    """

    _stack = _ActiveStack()

    def __init__(self):
        self._actions = []
        self._pending = []
        self.bg = None
        self.thalamus = None
        self.built = False

    @classmethod
    def active(cls):
        """The ActionSelection whose ``with`` block is open, or None."""
        return cls._stack.items[-1] if cls._stack.items else None

    def __enter__(self):
        if self.built:
            raise SpaConstructionError("this ActionSelection was already built; create a "
                                       "new spa.ActionSelection() for more actions")
        if self._stack.items:
            raise SpaConstructionError("spa.ActionSelection blocks cannot be nested")
        self._stack.items.append(self)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self._stack.items.pop()
        if exc_type is not None:
            return False
        if self._pending:
            lost = ", ".join(str(e) for e in self._pending)
            raise SpaConstructionError(
                f"effects routed inside spa.ActionSelection() but not given to ifmax: "
                f"{lost}; pass them to spa.ifmax(...), or route outside the block")
        self._build()
        return False

    # -- declared actions --------------------------------------------------------------

    def add_action(self, name, condition, *effects):
        """Add an action; returns its index.  ``effects`` are pending Effects."""
        condition = as_expr(condition)
        unify(SCALAR, condition.infer(), f"the condition {condition} of ifmax")
        for effect in effects:
            if not isinstance(effect, Effect):
                raise SpaConstructionError(
                    f"ifmax effects must be routings such as `spa.sym.B >> state` (got "
                    f"{effect!r})")
            if not any(effect is p for p in self._pending):
                raise SpaConstructionError(
                    f"the effect {effect} was not made inside this ActionSelection block "
                    "(it is connected already); write the `>>` inside the ifmax call")
            self._pending = [p for p in self._pending if p is not effect]
        if name is not None and name in self.keys():
            raise SpaConstructionError(f"an action named {name!r} exists already")
        self._actions.append(Action(name, condition, effects))
        return len(self._actions) - 1

    def __len__(self):
        return len(self._actions)

    def keys(self):
        """Names of the named actions, in order."""
        return [a.name for a in self._actions if a.name is not None]

    def __getitem__(self, key):
        """An :class:`Action` by index or name."""
        if isinstance(key, str):
            for action in self._actions:
                if action.name == key:
                    return action
            raise KeyError(f"no action named {key!r} (named actions: {self.keys()})")
        return self._actions[key]

    # -- building ----------------------------------------------------------------------

    def _build(self):
        from ..networks import BasalGanglia, Thalamus

        if not self._actions:
            return
        if not _Network.context:
            raise NetworkContextError("spa.ActionSelection must be used inside a "
                                      "`with spa.Network():` block")
        n_actions = len(self._actions)
        self.bg = BasalGanglia(n_actions, label="bg")
        self.thalamus = Thalamus(n_actions, label="thalamus")
        Connection(self.bg.output, self.thalamus.input, synapse=BG_TO_THALAMUS_SYNAPSE)
        self._bias = None
        for index, action in enumerate(self._actions):
            connect(action.condition.evaluate(SCALAR), self.bg.input[index])
            gate = None
            for effect in action.effects:
                linear = effect.source.evaluate(effect.vtype)
                if np.any(linear.const != 0):
                    Connection(self.thalamus.output[index], effect.sink,
                               transform=linear.const[:, None], synapse=ROUTE_SYNAPSE)
                if not linear.is_constant:
                    gate = gate if gate is not None else self._gate(index)
                    self._channel(gate, effect, linear.dynamic_part(), index)
        self.built = True

    def _gate(self, index):
        """Ensemble active unless action ``index`` wins."""
        with self.thalamus:
            if self._bias is None:
                self._bias = Node([1.0], label="gate bias")
            gate = Ensemble(GATE_NEURONS, 1, intercepts=Uniform(0.3, 1.0),
                            encoders=Choice([[1.0]]), label=f"gate[{index}]")
            Connection(self._bias, gate, synapse=None)
            Connection(self.thalamus.output[index], gate, transform=-GATE_INHIBITION)
        return gate

    def _channel(self, gate, effect, linear, index):
        """Route ``linear`` to the effect's sink through ensembles inhibited by ``gate``."""
        from .modules.state import State, default_subdimensions

        with self.thalamus:
            label = f"channel[{index}] -> {effect.sink_name}"
            if effect.vtype is SCALAR:
                channel = Ensemble(CHANNEL_NEURONS_PER_DIMENSION, 1, label=label)
                channel_in = channel_out = channel
                ensembles = [channel]
            else:
                channel = State(effect.vtype, label=label,
                                subdimensions=default_subdimensions(effect.vtype.dimensions),
                                neurons_per_dimension=CHANNEL_NEURONS_PER_DIMENSION,
                                represent_cc_identity=False)
                channel_in, channel_out = channel.input, channel.output
                ensembles = channel.all_ensembles
            for ens in ensembles:
                Connection(gate, ens.neurons, synapse=None,
                           transform=-CHANNEL_INHIBITION * np.ones((ens.n_neurons, 1)))
        connect(linear, channel_in)
        Connection(channel_out, effect.sink, synapse=ROUTE_SYNAPSE)


def ifmax(name, condition=None, *effects):
    """Declare an action: do ``effects`` while ``condition`` has the largest utility.

    Call as ``ifmax(condition, *effects)`` or ``ifmax("name", condition, *effects)``,
    inside a ``with spa.ActionSelection():`` block.  Returns the action's index.
    """
    if not isinstance(name, str):
        if condition is not None:
            effects = (condition, *effects)
        name, condition = None, name
    elif condition is None:
        raise SpaConstructionError(f"ifmax({name!r}) needs a condition after the name")
    selection = ActionSelection.active()
    if selection is None:
        raise SpaConstructionError(
            "ifmax() must be called inside a `with spa.ActionSelection():` block")
    return selection.add_action(name, condition, *effects)
