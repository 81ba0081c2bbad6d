"""Semantic Pointers: vectors with a name, a vocabulary and an algebra.

:class:`SemanticPointer` implements the symbolic algebra of the Semantic Pointer
Architecture: superposition (``+``, ``-``), binding (``*``, circular convolution for
HRR), approximate inversion (``~``), similarity (``dot``, ``@``, ``compare``) and the
``normalized``/``unitary`` transforms.  Results keep a readable ``name`` built from the
operands' names (``"A * B + ~C"``).  :class:`Identity`, :class:`Zero` and
:class:`AbsorbingElement` are the algebra's special elements.
"""

import numpy as np

from .._validation import check_array, check_instance, check_int, check_str, is_number
from ..exceptions import ValidationError
from .algebras import AbstractAlgebra, ElementSidedness, HrrAlgebra
from .exceptions import SpaTypeError
from .parse import binary_expr, method_expr, scalar_expr, unary_expr


def _vocabulary_type():
    from .vocabulary import Vocabulary  # late import: vocabulary.py imports this module

    return Vocabulary


class SemanticPointer:
    """A vector that stands for a symbol, with the algebra to combine it with others.

    Parameters
    ----------
    data : array_like
        The 1-D vector.  It is copied and made read-only (available as ``v``).
    vocab : Vocabulary, optional
        The vocabulary the pointer belongs to.  Pointers of different vocabularies cannot
        be combined; use :meth:`translate` or :meth:`reinterpret` first.
    algebra : AbstractAlgebra, optional
        Defines binding and inversion.  Defaults to the vocabulary's algebra, or to
        :class:`~nefsim.spa.algebras.HrrAlgebra`.
    name : str, optional
        A readable expression for the pointer; operations combine the names.
    """

    # let our reflected operators win over NumPy's (``np.float64(2) * p`` scales ``p``)
    __array_ufunc__ = None

    def __init__(self, data, vocab=None, algebra=None, name=None):
        self.v = check_array(data, "data", self, ndim=1)
        if self.v.size == 0:
            raise ValidationError("must have at least one dimension (got an empty vector)",
                                  "data", self)
        self.vocab = check_instance(vocab, "vocab", self, _vocabulary_type(), optional=True)
        if vocab is not None and vocab.dimensions != len(self.v):
            raise ValidationError(
                f"has {len(self.v)} dimensions but the vocabulary has {vocab.dimensions}; "
                "give a vector of the vocabulary's size", "data", self)
        self.algebra = self._pick_algebra(algebra, vocab)
        if not self.algebra.is_valid_dimensionality(len(self.v)):
            raise ValidationError(f"{len(self.v)} dimensions are not valid for {self.algebra!r}",
                                  "data", self)
        self.name = check_str(name, "name", self)

    def _pick_algebra(self, algebra, vocab):
        if algebra is None:
            return HrrAlgebra() if vocab is None else vocab.algebra
        check_instance(algebra, "algebra", self, AbstractAlgebra)
        if vocab is not None and algebra != vocab.algebra:
            raise ValidationError(
                f"{algebra!r} differs from the vocabulary's algebra {vocab.algebra!r}; "
                "leave algebra=None to use the vocabulary's", "algebra", self)
        return algebra

    @property
    def dimensions(self):
        """Number of dimensions of the vector."""
        return len(self.v)

    def __len__(self):
        return len(self.v)

    def __repr__(self):
        return (f"SemanticPointer({self.v!r}, vocab={self.vocab!r}, "
                f"algebra={self.algebra!r}, name={self.name!r})")

    def __str__(self):
        return self.name if self.name is not None else repr(self)

    # -- helpers ---------------------------------------------------------------------

    def _derive(self, data, name, vocab=None):
        return SemanticPointer(data, vocab=self.vocab if vocab is None else vocab,
                               algebra=self.algebra, name=name)

    def _check_compatible(self, other, operation):
        """Vocabulary shared by ``self`` and ``other``; raise if they cannot be combined."""
        if len(other.v) != len(self.v):
            raise SpaTypeError(
                f"cannot {operation} Semantic Pointers of {len(self.v)} and {len(other.v)} "
                "dimensions; translate one into the other's vocabulary first")
        if self.vocab is not None and other.vocab is not None and self.vocab is not other.vocab:
            raise SpaTypeError(
                f"cannot {operation} Semantic Pointers from different vocabularies "
                f"({self.vocab!r} and {other.vocab!r}); use p.translate(vocab) or "
                "p.reinterpret(vocab) to move one into the other's vocabulary")
        if self.algebra != other.algebra:
            raise SpaTypeError(
                f"cannot {operation} Semantic Pointers with different algebras "
                f"({self.algebra!r} and {other.algebra!r})")
        return self.vocab if self.vocab is not None else other.vocab

    def _binary_name(self, other_name, symbol, swap=False):
        if self.name is None or other_name is None:
            return None
        left, right = (other_name, self.name) if swap else (self.name, other_name)
        return binary_expr(left, symbol, right)

    def _unary_name(self, symbol):
        return None if self.name is None else unary_expr(symbol, self.name)

    def _method_name(self, method):
        return None if self.name is None else method_expr(self.name, method)

    # -- superposition ---------------------------------------------------------------

    def __add__(self, other):
        if not isinstance(other, SemanticPointer):
            return NotImplemented
        vocab = self._check_compatible(other, "add")
        return self._derive(self.algebra.superpose(self.v, other.v),
                            self._binary_name(other.name, "+"), vocab)

    def __sub__(self, other):
        if not isinstance(other, SemanticPointer):
            return NotImplemented
        vocab = self._check_compatible(other, "subtract")
        return self._derive(self.algebra.superpose(self.v, -other.v),
                            self._binary_name(other.name, "-"), vocab)

    def __neg__(self):
        return self._derive(-self.v, self._unary_name("-"))

    def __pos__(self):
        return self._derive(self.v, self.name)

    def __rshift__(self, target):
        """``pointer >> target``: route this constant into a module or input (see
        :func:`nefsim.spa.actions.route`)."""
        from .actions import route  # actions builds on pointers: import when used

        return route(self, target)

    # -- binding and scaling ---------------------------------------------------------

    def __mul__(self, other):
        if isinstance(other, SemanticPointer):
            vocab = self._check_compatible(other, "bind")
            return self._derive(self.algebra.bind(self.v, other.v),
                                self._binary_name(other.name, "*"), vocab)
        if is_number(other) and not isinstance(other, complex):
            return self._derive(self.v * other, self._binary_name(scalar_expr(other), "*",
                                                                  swap=True))
        return NotImplemented

    def __rmul__(self, other):
        if is_number(other) and not isinstance(other, complex):
            return self.__mul__(other)
        return NotImplemented

    def __truediv__(self, other):
        if is_number(other) and not isinstance(other, complex):
            if other == 0:
                raise ZeroDivisionError("cannot divide a Semantic Pointer by zero")
            return self._derive(self.v / other, self._binary_name(scalar_expr(other), "/"))
        return NotImplemented

    def bind(self, other):
        """Bind with ``other`` (the same as ``self * other``)."""
        return self * other

    def __invert__(self):
        """Approximate inverse (HRR: the involution), exact for unitary pointers."""
        return self._derive(self.algebra.invert(self.v, ElementSidedness.TWO_SIDED),
                            self._unary_name("~"))

    def linv(self):
        """Left inverse: ``p.linv() * p`` is (approximately) the identity."""
        return self._derive(self.algebra.invert(self.v, ElementSidedness.LEFT),
                            self._method_name("linv"))

    def rinv(self):
        """Right inverse: ``p * p.rinv()`` is (approximately) the identity."""
        return self._derive(self.algebra.invert(self.v, ElementSidedness.RIGHT),
                            self._method_name("rinv"))

    # -- similarity ------------------------------------------------------------------

    def _other_vector(self, other, operation):
        if isinstance(other, SemanticPointer):
            self._check_compatible(other, operation)
            return other.v
        return np.asarray(other, dtype=float)

    def dot(self, other):
        """Dot product with another pointer (a float) or with an array (``v @ other``)."""
        other_v = self._other_vector(other, "take the dot product of")
        result = np.dot(self.v, other_v)
        return float(result) if np.ndim(result) == 0 else result

    def __matmul__(self, other):
        if not isinstance(other, SemanticPointer) and np.ndim(other) == 0:
            return NotImplemented
        return self.dot(other)

    def __rmatmul__(self, other):
        if np.ndim(other) == 0:
            return NotImplemented
        result = np.dot(np.asarray(other, dtype=float), self.v)
        return float(result) if np.ndim(result) == 0 else result

    def length(self):
        """Euclidean length of the vector."""
        return float(np.linalg.norm(self.v))

    def compare(self, other):
        """Cosine similarity with ``other`` (0 when either vector is zero)."""
        other_v = self._other_vector(other, "compare")
        scale = np.linalg.norm(self.v) * np.linalg.norm(other_v)
        return float(np.dot(self.v, other_v) / scale) if scale > 0 else 0.0

    def distance(self, other):
        """``1 - compare(other)``: 0 for the same direction, 2 for opposite ones."""
        return 1.0 - self.compare(other)

    def mse(self, other):
        """Mean squared difference to ``other``."""
        other_v = self._other_vector(other, "compare")
        return float(np.mean((self.v - other_v) ** 2))

    # -- transforms ------------------------------------------------------------------

    def normalized(self):
        """The pointer scaled to unit length (a zero pointer stays zero)."""
        norm = np.linalg.norm(self.v)
        return self._derive(self.v / norm if norm > 0 else self.v,
                            self._method_name("normalized"))

    def unitary(self):
        """The closest unitary pointer: binding with it preserves lengths."""
        return self._derive(self.algebra.make_unitary(self.v), self._method_name("unitary"))

    def copy(self):
        """A new pointer with the same vector, vocabulary, algebra and name."""
        return self._derive(self.v, self.name)

    def reinterpret(self, vocab=None):
        """The same vector, taken as a member of ``vocab`` (of the same dimensions)."""
        vocab = check_instance(vocab, "vocab", self, _vocabulary_type(), optional=True)
        if vocab is not None and vocab.dimensions != len(self.v):
            raise ValidationError(
                f"has {vocab.dimensions} dimensions but the pointer has {len(self.v)}; "
                "use translate() to move between vocabularies of different sizes",
                "vocab", self)
        algebra = self.algebra if vocab is None else vocab.algebra
        return SemanticPointer(self.v, vocab=vocab, algebra=algebra, name=self.name)

    def translate(self, vocab, populate=None, keys=None, solver=None):
        """Map the pointer into ``vocab`` with ``self.vocab.transform_to(vocab, ...)``."""
        if self.vocab is None:
            raise SpaTypeError("translate() needs a pointer that belongs to a vocabulary; "
                               "create it with vocab[key] or vocab.parse(...)")
        vocab = check_instance(vocab, "vocab", self, _vocabulary_type())
        matrix = self.vocab.transform_to(vocab, populate=populate, keys=keys, solver=solver)
        return SemanticPointer(matrix @ self.v, vocab=vocab, name=self.name)


class _SpecialPointer(SemanticPointer):
    """A special element of the algebra, built from its dimensionality."""

    _element = None  # name of the algebra method that returns the vector

    def __init__(self, dimensions, vocab=None, algebra=None,
                 sidedness=ElementSidedness.TWO_SIDED):
        dimensions = check_int(dimensions, "dimensions", self, low=1)
        if algebra is None:
            algebra = HrrAlgebra() if vocab is None else vocab.algebra
        check_instance(algebra, "algebra", self, AbstractAlgebra)
        self.sidedness = check_instance(sidedness, "sidedness", self, ElementSidedness)
        data = getattr(algebra, self._element)(dimensions, sidedness)
        super().__init__(data, vocab=vocab, algebra=algebra, name=type(self).__name__)


class Identity(_SpecialPointer):
    """The identity of binding: ``p * Identity(d)`` equals ``p``."""

    _element = "identity_element"


class Zero(_SpecialPointer):
    """The zero vector: neutral for ``+`` and binding anything with it gives zero."""

    _element = "zero_element"


class AbsorbingElement(_SpecialPointer):
    """Binding anything with it gives (a multiple of) the absorbing element itself."""

    _element = "absorbing_element"
