"""Vector algebras that give Semantic Pointers their binding operation.

An algebra defines how two vectors are bound, how a vector is (approximately) inverted,
and its special elements (identity, zero, absorbing element).  nefsim ships the
holographic reduced representation (HRR) algebra, whose binding is circular
convolution.  All operations act on the last axis, so they accept a single vector or
any batch of vectors, and they return new arrays.
"""

from enum import Enum

import numpy as np

from .._validation import is_integer


class ElementSidedness(Enum):
    """Which side of a binding a special element (or an inverse) applies to."""

    LEFT = "left"
    RIGHT = "right"
    TWO_SIDED = "two-sided"


class AbstractAlgebra:
    """Interface of a vector algebra usable by :class:`~nefsim.spa.pointer.SemanticPointer`.

    Subclasses implement :meth:`bind`, :meth:`invert`, :meth:`make_unitary`,
    :meth:`get_binding_matrix` and the special elements.  Two algebras are equal when
    they have the same type, so vocabularies can check compatibility cheaply.
    """

    def is_valid_dimensionality(self, d):
        """Whether vectors of ``d`` dimensions can be used with this algebra."""
        return is_integer(d) and d >= 1

    def superpose(self, a, b):
        """Superposition (element-wise sum) of ``a`` and ``b``."""
        return np.asarray(a) + np.asarray(b)

    def bind(self, a, b):
        raise NotImplementedError

    def invert(self, v, sidedness=ElementSidedness.TWO_SIDED):
        raise NotImplementedError

    def make_unitary(self, v):
        raise NotImplementedError

    def get_binding_matrix(self, v, swap_inputs=False):
        raise NotImplementedError

    def get_swapping_matrix(self, d):
        raise NotImplementedError

    def get_inversion_matrix(self, d, sidedness=ElementSidedness.TWO_SIDED):
        """Matrix ``M`` with ``M @ v == invert(v)`` for ``d``-dimensional ``v``."""
        return self.invert(np.eye(d), sidedness).T

    def identity_element(self, d, sidedness=ElementSidedness.TWO_SIDED):
        raise NotImplementedError

    def zero_element(self, d, sidedness=ElementSidedness.TWO_SIDED):
        """The vector that binds anything to zero: all zeros."""
        return np.zeros(d)

    def absorbing_element(self, d, sidedness=ElementSidedness.TWO_SIDED):
        raise NotImplementedError

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))

    def __repr__(self):
        return f"{type(self).__name__}()"


class HrrAlgebra(AbstractAlgebra):
    """Holographic reduced representations: binding is circular convolution.

    For ``d``-dimensional ``a`` and ``b``, ``bind(a, b)[i] = sum_j a[j] b[(i - j) % d]``,
    computed in the Fourier domain.  Binding is commutative and associative; the
    approximate inverse is the involution ``v[-i % d]``, which is exact for unitary
    vectors (all Fourier coefficients of magnitude 1).
    """

    def bind(self, a, b):
        """Circular convolution of ``a`` and ``b`` along the last axis."""
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if a.shape[-1] != b.shape[-1]:
            raise ValueError(f"cannot bind vectors of {a.shape[-1]} and {b.shape[-1]} "
                             "dimensions; both must have the same size")
        d = a.shape[-1]
        return np.fft.irfft(np.fft.rfft(a) * np.fft.rfft(b), n=d)

    def invert(self, v, sidedness=ElementSidedness.TWO_SIDED):
        """Involution ``v[-i % d]``: the exact inverse for unitary ``v`` (both sides)."""
        v = np.asarray(v, dtype=float)
        return np.roll(v[..., ::-1], 1, axis=-1)

    def make_unitary(self, v):
        """Scale every Fourier coefficient of ``v`` to magnitude 1 (zero ones become 1)."""
        v = np.asarray(v, dtype=float)
        spectrum = np.fft.rfft(v)
        magnitude = np.abs(spectrum)
        # a vanishing coefficient has no phase to keep; 1 keeps the result real
        unit = np.where(magnitude > 1e-12, spectrum / np.where(magnitude > 1e-12, magnitude, 1),
                        1.0)
        return np.fft.irfft(unit, n=v.shape[-1])

    def get_binding_matrix(self, v, swap_inputs=False):
        """Circulant matrix ``M`` with ``M @ b == bind(v, b)`` (the same when swapped)."""
        v = np.asarray(v, dtype=float)
        d = v.shape[-1]
        index = (np.arange(d)[:, None] - np.arange(d)[None, :]) % d
        return v[index]

    def get_swapping_matrix(self, d):
        """Binding commutes, so swapping the operands is the identity."""
        return np.eye(d)

    def identity_element(self, d, sidedness=ElementSidedness.TWO_SIDED):
        """The unit impulse ``[1, 0, ..., 0]``: binding with it changes nothing."""
        v = np.zeros(d)
        v[0] = 1.0
        return v

    def absorbing_element(self, d, sidedness=ElementSidedness.TWO_SIDED):
        """The constant unit vector ``1/sqrt(d)``.

        Binding any ``x`` with it gives ``sum(x) / sqrt(d) * ones(d)``: a multiple of the
        absorbing element itself (absorbing up to scale and sign).
        """
        return np.full(d, 1.0 / np.sqrt(d))
