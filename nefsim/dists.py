"""Probability distributions used to sample model parameters.

A :class:`Distribution` draws samples with ``sample(n, d=None, rng=np.random)``: shape
``(n,)`` when ``d`` is None, else ``(n, d)``.  :func:`get_samples` accepts either a
distribution or an explicit array, as Nengo's ``get_samples`` does.

Scalar distributions (Uniform, Gaussian, Exponential, PDF, Choice, SqrtBeta and its
subclasses) draw from ``rng`` with the same calls as Nengo, so a seed gives Nengo's
numbers.  The hypersphere distributions give unit-ball/sphere points for encoders and
evaluation points; :class:`ScatteredHypersphere` (the default for both) is quasi-random.
"""

import numpy as np

from ._base import FrozenObject
from ._validation import (check_array, check_bool, check_choice, check_instance, check_int,
                          check_number)
from .exceptions import ValidationError


class Distribution(FrozenObject):
    """Base class of distributions: subclasses implement :meth:`sample`."""

    def sample(self, n, d=None, rng=np.random):
        """Draw ``n`` samples (of dimension ``d`` when given) using ``rng``."""
        raise NotImplementedError

    @staticmethod
    def _sample_shape(n, d=None):
        return (n,) if d is None else (n, d)


class Uniform(Distribution):
    """Uniform on ``[low, high)``; with ``integer=True`` integers in ``[low, high)``."""

    def __init__(self, low, high, integer=False):
        self.low = check_number(low, "low", self) if not integer else check_int(
            low, "low", self)
        self.high = check_number(high, "high", self) if not integer else check_int(
            high, "high", self)
        self.integer = bool(integer)

    def sample(self, n, d=None, rng=np.random):
        shape = self._sample_shape(n, d)
        if self.integer:
            return rng.randint(low=self.low, high=self.high, size=shape)
        return rng.uniform(low=self.low, high=self.high, size=shape)


class Gaussian(Distribution):
    """Normal distribution with ``mean`` and standard deviation ``std`` (> 0)."""

    def __init__(self, mean, std):
        self.mean = check_number(mean, "mean", self)
        self.std = check_number(std, "std", self, low=0, low_open=True)

    def sample(self, n, d=None, rng=np.random):
        return rng.normal(loc=self.mean, scale=self.std, size=self._sample_shape(n, d))


class Choice(Distribution):
    """Pick among ``options`` (scalars or vectors), optionally with ``weights``."""

    def __init__(self, options, weights=None):
        options = check_array(options, "options", self)
        if options.ndim not in (1, 2) or options.shape[0] == 0:
            raise ValidationError(
                f"must be a non-empty 1-D or 2-D array (got shape {options.shape})",
                "options", self)
        self.options = options
        if weights is not None:
            weights = check_array(weights, "weights", self, shape=(options.shape[0],))
            if np.any(weights < 0) or weights.sum() <= 0:
                raise ValidationError("must be non-negative and sum to more than 0",
                                      "weights", self)
        self.weights = weights

    @property
    def dimensions(self):
        return 0 if self.options.ndim == 1 else self.options.shape[1]

    def sample(self, n, d=None, rng=np.random):
        if d is not None and self.dimensions != d:
            raise ValidationError(
                f"options must be {d}-dimensional (got {self.dimensions})", "d", self)
        k = self.options.shape[0]
        p = np.ones(k) / k if self.weights is None else self.weights / self.weights.sum()
        # Inverse-CDF lookup of one uniform draw per sample (the same rng stream as Nengo).
        i = np.searchsorted(np.cumsum(p), rng.rand(n))
        return self.options[np.minimum(i, k - 1)]


class Samples(Distribution):
    """A fixed array of samples, returned unchanged (``n`` must match)."""

    def __init__(self, samples):
        self.samples = check_array(samples, "samples", self)

    def sample(self, n, d=None, rng=np.random):
        samples = self.samples
        if d is not None and samples.ndim == 1:
            samples = samples[..., np.newaxis]
        if samples.shape[0] != n:
            raise ValidationError(
                f"has {samples.shape[0]} samples but {n} were requested", "samples", self)
        if d is not None and samples.shape[1] != d:
            raise ValidationError(
                f"samples are {samples.shape[1]}-D but {d}-D were requested", "samples", self)
        return np.array(samples)



class Exponential(Distribution):
    """Exponential distribution with ``scale``, shifted by ``shift`` and clipped below ``high``.

    Samples are ``shift + E`` with ``E ~ Exp(scale)``; values at or above ``high`` are set
    to the largest float below ``high``, so every sample lies in ``[shift, high)``.
    """

    def __init__(self, scale, shift=0.0, high=np.inf):
        self.scale = check_number(scale, "scale", self, low=0, low_open=True)
        self.shift = check_number(shift, "shift", self)
        self.high = check_number(high, "high", self)

    def sample(self, n, d=None, rng=np.random):
        x = rng.exponential(self.scale, self._sample_shape(n, d)) + self.shift
        if np.isfinite(self.high):
            x = np.minimum(x, np.nextafter(self.high, -np.inf))
        return x


class PDF(Distribution):
    """An arbitrary distribution given by probabilities ``p`` at the points ``x``.

    Each ``p[i]`` is treated as the mass of a bin centred on ``x[i]``; a sample is drawn by
    linearly interpolating the inverse of the cumulative distribution through the bin
    centres. ``p`` must sum to one.
    """

    def __init__(self, x, p):
        self.x = check_array(x, "x", self, ndim=1)
        self.p = check_array(p, "p", self, ndim=1)
        if self.x.shape != self.p.shape:
            raise ValidationError(
                f"must have the same length as x ({self.x.size}; got {self.p.size})", "p", self)
        if not np.allclose(self.p.sum(), 1.0):
            raise ValidationError(f"must sum to 1 (sums to {self.p.sum():g})", "p", self)
        cdf = np.cumsum(self.p) - 0.5 * self.p
        cdf.setflags(write=False)
        self._cdf = cdf

    def sample(self, n, d=None, rng=np.random):
        return np.interp(rng.uniform(size=self._sample_shape(n, d)), self._cdf, self.x)


def _check_dims(d, obj):
    """Hypersphere distributions need a positive integer ``d``."""
    if d is None or not isinstance(d, (int, np.integer)) or d < 1:
        raise ValidationError(f"must be a positive integer for {type(obj).__name__} "
                              f"(got {d!r})", "d", obj)
    return int(d)


class UniformHypersphere(Distribution):
    """Points uniform in the unit ball, or on the unit sphere when ``surface=True``.

    Directions are normalised Gaussian vectors; in the ball the radius is
    ``U(min_magnitude**d, 1) ** (1/d)``, so points lie in the shell
    ``min_magnitude <= |x| <= 1``. See :class:`ScatteredHypersphere` for a quasi-random
    version with a more even spread.
    """

    def __init__(self, surface=False, min_magnitude=0):
        self.surface = check_bool(surface, "surface", self)
        self.min_magnitude = check_number(min_magnitude, "min_magnitude", self, low=0, high=1)

    def sample(self, n, d=None, rng=np.random):
        d = _check_dims(d, self)
        x = rng.randn(n, d)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        if self.surface:
            return x
        radius = rng.uniform(low=self.min_magnitude**d, high=1, size=(n, 1)) ** (1.0 / d)
        return x * radius


def _rd_phi(d):
    """The generalised golden ratio: the positive root of ``x**(d+1) = x + 1``."""
    x = 2.0
    for _ in range(60):  # fixed-point iteration x <- (1 + x)^(1/(d+1)); contracts quickly
        x = (1.0 + x) ** (1.0 / (d + 1))
    return x


class QuasirandomSequence(Distribution):
    """The R_d low-discrepancy sequence in the unit cube ``[0, 1)^d``.

    Point ``i`` (``i = 1..n``) is ``(s + i * alpha) mod 1`` with ``alpha_j = phi_d**-j``,
    where ``phi_d`` is the generalised golden ratio (root of ``x**(d+1) = x + 1``) and ``s``
    a random offset; for ``d = 1`` the points are the grid ``(s + i/n) mod 1``,
    ``i = 0..n-1``. The rows
    are then shuffled, so any prefix of the samples is still well spread out.
    Reference: M. Roberts (2018), "The unreasonable effectiveness of quasirandom sequences".
    """

    def sample(self, n, d=None, rng=np.random):
        d = _check_dims(d, self)
        offset = rng.uniform(0, 1, size=d)
        if d == 1:
            # an evenly spaced grid, starting at the offset
            x = np.mod(offset + np.arange(n)[:, np.newaxis] / n, 1.0)
        else:
            alpha = _rd_phi(d) ** -np.arange(1, d + 1, dtype=float)
            x = np.mod(offset + np.arange(1, n + 1)[:, np.newaxis] * alpha, 1.0)
        rng.shuffle(x)
        return x


def _sphere_from_cube(u):
    """Map points of ``[0, 1]^(d-1)`` to the unit sphere in ``R^d`` preserving uniformity.

    Hyperspherical coordinates ``x_1 = cos t_1``, ``x_2 = sin t_1 cos t_2``, ...; angle
    ``t_j`` (``j < d-1``) has density proportional to ``sin(t)^(d-1-j)`` on ``[0, pi]``, and
    ``(1 - cos t_j) / 2`` then follows ``Beta(k/2, k/2)`` with ``k = d - j``, so it is the
    inverse regularised incomplete beta of the uniform coordinate. The last angle is
    uniform on ``[0, 2 pi)``.
    """
    n, m = u.shape
    d = m + 1
    if d > 2:  # only then needed; scipy.special takes ~0.15 s to import
        from scipy.special import betaincinv
    x = np.empty((n, d))
    sin_prod = np.ones(n)
    for j in range(d - 2):
        k = d - 1 - j
        cos_t = 1.0 - 2.0 * betaincinv(k / 2.0, k / 2.0, u[:, j])
        x[:, j] = sin_prod * cos_t
        sin_prod = sin_prod * np.sqrt(np.maximum(1.0 - cos_t**2, 0.0))
    phi = 2.0 * np.pi * u[:, d - 2]
    x[:, d - 2] = sin_prod * np.cos(phi)
    x[:, d - 1] = sin_prod * np.sin(phi)
    return x


def _random_orthogonal(d, rng):
    """A Haar-random orthogonal matrix: the polar factor ``U V^T`` of a Gaussian matrix."""
    u, _, vt = np.linalg.svd(rng.standard_normal((d, d)))
    return u @ vt


class ScatteredHypersphere(Distribution):
    """Quasi-random points evenly scattered in the unit ball, or on the sphere.

    Nengo's default for encoders (``surface=True``) and evaluation points (the ball).
    ``base`` (a :class:`QuasirandomSequence`) gives points in the unit cube; the first
    ``d - 1`` coordinates become a direction through an area-preserving
    spherical-coordinate transform, the last one (ball only) the radius
    ``(min_magnitude**d + (1 - min_magnitude**d) u) ** (1/d)``. A random orthogonal
    rotation then removes the grid's alignment with the axes.

    For ``d = 1`` the surface is ``{-1, +1}`` (balanced halves) and the ball is two
    evenly spaced quasi-random halves on ``[-1, -min_magnitude]`` and
    ``[min_magnitude, 1]``.

    ``method`` may be ``"sct-approx"`` or ``"sct"``; nefsim computes the exact transform
    for both (Nengo's ``"sct-approx"`` uses a lookup table, so its points differ from these
    by ~1e-3). ``"tfww"`` is not implemented.

    Reference: K.-T. Fang and Y. Wang (1994), *Number-theoretic Methods in Statistics*.
    """

    methods = ("sct-approx", "sct", "tfww")

    def __init__(self, surface=False, min_magnitude=0, base=QuasirandomSequence(),
                 method="sct-approx"):
        self.surface = check_bool(surface, "surface", self)
        self.min_magnitude = check_number(min_magnitude, "min_magnitude", self, low=0, high=1,
                                          high_open=True)
        self.base = check_instance(base, "base", self, Distribution)
        self.method = check_choice(method, "method", self, self.methods)
        if method == "tfww":
            raise ValidationError("'tfww' is not implemented in nefsim; use 'sct' or "
                                  "'sct-approx' (the default)", "method", self)

    def sample(self, n, d=None, rng=np.random):
        d = _check_dims(d, self)
        if d == 1:
            return self._sample_1d(n, rng)
        if self.surface:
            x = _sphere_from_cube(self.base.sample(n, d - 1, rng=rng))
        else:
            u = self.base.sample(n, d, rng=rng)
            m_d = self.min_magnitude**d
            radius = (m_d + (1.0 - m_d) * u[:, -1:]) ** (1.0 / d)
            x = _sphere_from_cube(u[:, :-1]) * radius
        return x @ _random_orthogonal(d, rng)

    def _sample_1d(self, n, rng):
        if self.surface:
            u = self.base.sample(n, 1, rng=rng)
            return np.where(u < 0.5, -1.0, 1.0)
        low = self.min_magnitude
        pos = low + (1.0 - low) * self.base.sample(n // 2, 1, rng=rng)
        neg = low + (1.0 - low) * self.base.sample(n - n // 2, 1, rng=rng)
        x = np.concatenate([pos, -neg])
        rng.shuffle(x)
        return x


class SqrtBeta(Distribution):
    """The square root of a ``Beta(m/2, n/2)`` variable.

    This is the distribution of the length of an ``m``-dimensional subvector of a random
    unit vector in ``n + m`` dimensions. Provides :meth:`cdf`, :meth:`pdf` and :meth:`ppf`.
    """

    def __init__(self, n, m=1):
        self.n = check_int(n, "n", self, low=0)
        self.m = check_int(m, "m", self, low=0)

    def _ab(self):
        return self.m / 2.0, self.n / 2.0

    def sample(self, n, d=None, rng=np.random):
        return np.sqrt(rng.beta(*self._ab(), size=self._sample_shape(n, d)))

    def cdf(self, x):
        """Cumulative distribution function at ``x``."""
        from scipy.special import betainc

        x = np.asarray(x, dtype=float)
        return betainc(*self._ab(), np.clip(x, 0, 1) ** 2)

    def pdf(self, x):
        """Probability density at ``x`` (zero outside ``[0, 1]``)."""
        from scipy.special import beta as beta_fn

        x = np.asarray(x, dtype=float)
        a, b = self._ab()
        xc = np.clip(x, 0, 1)
        # d/dx I_{x^2}(a, b) = 2 x^(2a-1) (1 - x^2)^(b-1) / B(a, b)
        with np.errstate(divide="ignore"):
            density = 2.0 * xc ** (2 * a - 1) * (1.0 - xc**2) ** (b - 1) / beta_fn(a, b)
        return np.where((x >= 0) & (x <= 1), density, 0.0)

    def ppf(self, y):
        """Inverse of :meth:`cdf`: the value below which a fraction ``y`` of samples fall."""
        from scipy.special import betaincinv

        return np.sqrt(betaincinv(*self._ab(), np.asarray(y, dtype=float)))


class SubvectorLength(SqrtBeta):
    """Length of a ``subdimensions``-long piece of a random unit vector in ``dimensions``-D."""

    def __init__(self, dimensions, subdimensions=1):
        self.dimensions = check_int(dimensions, "dimensions", self, low=1)
        self.subdimensions = check_int(subdimensions, "subdimensions", self, low=1,
                                       high=self.dimensions)
        super().__init__(self.dimensions - self.subdimensions, self.subdimensions)

    def _public_params(self):
        return {"dimensions": self.dimensions, "subdimensions": self.subdimensions}


class CosineSimilarity(SubvectorLength):
    """Cosine similarity (dot product) of two random unit vectors in ``dimensions``-D.

    Symmetric on ``[-1, 1]``: a random sign times a :class:`SubvectorLength` sample.
    """

    def __init__(self, dimensions):
        super().__init__(dimensions)

    def _public_params(self):
        return {"dimensions": self.dimensions}

    def sample(self, n, d=None, rng=np.random):
        shape = self._sample_shape(n, d)
        sign = np.where(rng.rand(int(np.prod(shape))) < 0.5, 1.0, -1.0).reshape(shape)
        return sign * super().sample(n, d=d, rng=rng)

    def cdf(self, x):
        x = np.asarray(x, dtype=float)
        return 0.5 + 0.5 * np.sign(x) * super().cdf(np.abs(x))

    def pdf(self, x):
        x = np.asarray(x, dtype=float)
        return 0.5 * super().pdf(np.abs(x))

    def ppf(self, y):
        y = np.asarray(y, dtype=float)
        return np.sign(y - 0.5) * super().ppf(np.abs(2.0 * y - 1.0))


def get_samples(dist_or_samples, n, d=None, rng=np.random):
    """Sample ``dist_or_samples`` if it is a :class:`Distribution`, else return it as an array."""
    if isinstance(dist_or_samples, Distribution):
        return dist_or_samples.sample(n, d=d, rng=rng)
    return np.array(dist_or_samples)
