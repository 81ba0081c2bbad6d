"""Iterators that produce the random vectors new Semantic Pointers start from.

A :class:`~nefsim.spa.vocabulary.Vocabulary` draws candidate vectors from one of these
(its ``pointer_gen``).  Each takes an optional ``rng`` (``np.random.RandomState`` or
``np.random.Generator``); without one it uses NumPy's global random state, so
``np.random.seed`` makes vocabularies reproducible as in nengo_spa.
"""

import numpy as np

from .._validation import check_int, check_instance
from .algebras import AbstractAlgebra, HrrAlgebra

RNG_TYPES = (np.random.RandomState, np.random.Generator)


def _normal(rng, d):
    source = np.random if rng is None else rng
    return source.standard_normal(d)


class _VectorIterator:
    """Shared validation and iterator protocol of the generators below."""

    def __init__(self, dimensions, rng=None):
        self.dimensions = check_int(dimensions, "dimensions", self, low=1)
        self.rng = check_instance(rng, "rng", self, RNG_TYPES, optional=True,
                                  what="a np.random.RandomState or np.random.Generator")

    def __iter__(self):
        return self

    def __next__(self):
        raise NotImplementedError


class UnitLengthVectors(_VectorIterator):
    """Endless random directions: Gaussian vectors scaled to unit length.

    Parameters
    ----------
    dimensions : int
        Size of each vector.
    rng : np.random.RandomState or np.random.Generator, optional
        Source of randomness (NumPy's global state when omitted).
    """

    def __next__(self):
        v = _normal(self.rng, self.dimensions)
        return v / np.linalg.norm(v)


class ExpectedUnitLengthVectors(_VectorIterator):
    """Endless Gaussian vectors with variance ``1/d``, so their expected length is 1."""

    def __next__(self):
        return _normal(self.rng, self.dimensions) / np.sqrt(self.dimensions)


class UnitaryVectors(_VectorIterator):
    """Endless random unitary vectors of an algebra (HRR by default).

    Binding with a unitary vector preserves length and is exactly undone by its inverse.
    """

    def __init__(self, dimensions, algebra=None, rng=None):
        super().__init__(dimensions, rng)
        self.algebra = check_instance(HrrAlgebra() if algebra is None else algebra,
                                      "algebra", self, AbstractAlgebra)

    def __next__(self):
        v = _normal(self.rng, self.dimensions)
        return self.algebra.make_unitary(v / np.linalg.norm(v))


class AxisAlignedVectors(_VectorIterator):
    """The ``d`` standard basis vectors in order, then ``StopIteration``."""

    def __init__(self, dimensions):
        super().__init__(dimensions)
        self._next = 0

    def __next__(self):
        if self._next >= self.dimensions:
            raise StopIteration
        v = np.zeros(self.dimensions)
        v[self._next] = 1.0
        self._next += 1
        return v


class OrthonormalVectors(_VectorIterator):
    """A random orthonormal basis, one vector at a time (``d`` vectors in all)."""

    def __init__(self, dimensions, rng=None):
        super().__init__(dimensions, rng)
        gaussian = np.stack([_normal(self.rng, self.dimensions)
                             for _ in range(self.dimensions)])
        self._basis, _ = np.linalg.qr(gaussian)
        self._next = 0

    def __next__(self):
        if self._next >= self.dimensions:
            raise StopIteration
        v = self._basis[:, self._next].copy()
        self._next += 1
        return v
