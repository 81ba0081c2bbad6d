"""``spa.Transcode``: a Node that turns Python values into Semantic Pointers and back.

The output of ``function`` may be a pointer expression (``"A + B"``, ``spa.sym.A``), a
:class:`~nefsim.spa.pointer.SemanticPointer`, a number (``x`` means ``x * Identity``, as in
``vocab.parse``) or an array; it is converted to a vector of ``output_vocab``.  With ``input_vocab`` the function receives its input as a
SemanticPointer of that vocabulary; with ``size_in`` as a plain array.
"""

import inspect

import numpy as np

from ..._validation import check_int, is_number
from ...exceptions import ValidationError
from ...node import Node
from ..exceptions import SpaTypeError
from ..network import Network
from ..parse import PointerSymbol
from ..pointer import SemanticPointer


def _takes_input(function):
    """Whether ``function`` accepts ``(t, x)`` (else ``(t)``)."""
    try:
        inspect.signature(function).bind(0.0, None)
    except TypeError:
        return False
    except ValueError:  # no signature (builtins): assume (t, x)
        return True
    return True


class Transcode(Network):
    """Computes ``function`` in Python, converting between pointers and vectors.

    Parameters
    ----------
    function : callable, str, PointerSymbol, SemanticPointer or array, optional
        A constant output, or ``f(t)`` (no input) / ``f(t, x)`` (with input).  Without a
        function the input is passed through unchanged.
    input_vocab : Vocabulary or int, optional
        Vocabulary of the input; ``x`` is then a SemanticPointer.
    output_vocab : Vocabulary or int, optional
        Vocabulary of the output.  Without it the output is a scalar (the function must
        return one number), or the input vocabulary when there is no function.
    size_in : int, optional
        Size of an untyped input (``x`` is then an array); not with ``input_vocab``.
    **kwargs
        ``label``, ``seed``, ``add_to_container``, ``vocabs`` of :class:`spa.Network`.

    Attributes
    ----------
    input : Node or None
        Declared input (absent without ``input_vocab``/``size_in``).
    output : Node
        Declared output.
    """

    def __init__(self, function=None, input_vocab=None, output_vocab=None, size_in=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.input_vocab = self.get_vocab(input_vocab, "input_vocab", optional=True)
        self.output_vocab = self.get_vocab(output_vocab, "output_vocab", optional=True)
        self.size_in = check_int(size_in, "size_in", self, low=1, optional=True)
        if self.input_vocab is not None and self.size_in is not None:
            raise ValidationError("give either input_vocab or size_in, not both", "size_in",
                                  self)
        if self.input_vocab is not None:
            self.size_in = self.input_vocab.dimensions
        if function is None:
            if self.size_in is None:
                raise ValidationError("without an input (input_vocab or size_in) a "
                                      "function or constant must be given", "function", self)
            if self.output_vocab is None:
                self.output_vocab = self.input_vocab
        out_dims = None if self.output_vocab is None else self.output_vocab.dimensions
        if function is None and out_dims != self.size_in:
            raise ValidationError(f"without a function the output ({out_dims}-D) must have "
                                  f"the input's size ({self.size_in})", "output_vocab", self)
        self._cache = {}
        with self:
            # without output_vocab the Node calls the function once to find its size
            self.node = Node(self._node_output(function), size_in=self.size_in or 0,
                             size_out=out_dims, label="transcode")
        if out_dims is None and self.node.size_out != 1:
            raise ValidationError(f"must be given for an output of {self.node.size_out} "
                                  "dimensions (without it the output is a scalar)",
                                  "output_vocab", self)
        self.input = None
        if self.size_in is not None:
            self.input = self.declare_input(self.node, self.input_vocab)
        self.output = self.declare_output(self.node, self.output_vocab)

    # -- the node's output -------------------------------------------------------------

    def _node_output(self, function):
        if function is None:
            return None  # passthrough
        if not callable(function) or isinstance(function, (PointerSymbol, SemanticPointer)):
            return self._vector(function)  # constant
        with_input = self.size_in is not None
        if with_input and not _takes_input(function):
            raise ValidationError("must accept (t, x) when the Transcode has an input",
                                  "function", self)

        def step(t, x=None):
            if with_input:
                x = (SemanticPointer(x, vocab=self.input_vocab)
                     if self.input_vocab is not None else x)
                return self._vector(function(t, x))
            return self._vector(function(t))

        return step

    def _vector(self, value):
        """``value`` (expression, pointer, number, array) as an output vector."""
        vocab = self.output_vocab
        if isinstance(value, PointerSymbol):
            value = value.expr
        if isinstance(value, str):
            if vocab is None:
                raise ValidationError(f"returned the expression {value!r} but no "
                                      "output_vocab is set to parse it in", "function", self)
            if value not in self._cache:
                self._cache[value] = np.array(vocab.parse(value).v)
            return self._cache[value]
        if isinstance(value, SemanticPointer):
            if vocab is not None and value.vocab is not None and value.vocab is not vocab:
                raise SpaTypeError(f"{self}: the function returned a pointer of "
                                   f"{value.vocab!r}, but output_vocab is {vocab!r}")
            return value.v
        if value is None:
            return np.zeros(1 if vocab is None else vocab.dimensions)
        if is_number(value) and vocab is not None:  # a number x means x * Identity
            return float(value) * vocab.parse("Identity").v
        return np.asarray(value, dtype=float).reshape(-1)
