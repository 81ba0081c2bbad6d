"""Regularised least-squares back-ends used by the L2 decoder solvers.

Each back-end solves, for every column ``y`` of ``Y``, the ridge problem

    minimise ||A x - y||^2 + m * sigma^2 * ||x||^2        (m = rows of A)

that is ``(A^T A + m sigma^2 I) x = A^T y``, and returns ``(X, info)`` with
``info["rmses"]`` the root-mean-square residual ``||A x - y|| / sqrt(m)`` of each
column.  ``sigma`` is a scalar or, where the back-end allows it, one value per column of
``A`` (per-neuron regularisation).  The call signature ``backend(A, Y, sigma, rng=None)``
is the one Nengo uses for its ``solver=`` argument, so a back-end object written for
Nengo can be passed to nefsim's solvers and the other way round.

The back-ends differ only in how they solve: direct factorisations (:class:`Cholesky`,
:class:`SVD`, :class:`RandomizedSVD`) and iterative methods (:class:`Conjgrad`,
:class:`BlockConjgrad`, :class:`ConjgradScipy`, :class:`LSMRScipy`), whose stopping rules
and operation order follow Nengo's so that the same inputs give the same decoders.
"""

import importlib

import numpy as np

# SciPy's submodules are slow to import, so each is imported inside the functions that
# use it: ``import nefsim`` stays fast.

from ._base import FrozenObject
from ._validation import check_array, check_bool, check_int, check_number
from .exceptions import BuildError, NefsimError, ValidationError


class MissingDependencyError(NefsimError, ImportError):
    """An optional package needed by the requested solver is not installed."""


def require_sklearn(obj, module):
    """Import ``sklearn.<module>`` or raise :class:`MissingDependencyError` naming ``obj``."""
    try:
        return importlib.import_module(f"sklearn.{module}")
    except ImportError:
        raise MissingDependencyError(
            f"{type(obj).__name__} needs scikit-learn, which is not installed; "
            "install it with `pip install scikit-learn`, or choose another solver "
            "(the default LstsqL2() needs only SciPy)"
        ) from None


def rmses(A, X, Y):
    """Root-mean-square error of ``A @ X`` against ``Y``, one value per column of ``Y``."""
    return np.sqrt(np.mean((Y - A @ X) ** 2, axis=0))


def _as_matrix(Y):
    """View a 1-D target vector as one column; return ``(Y2d, was_1d)``."""
    Y = np.asarray(Y)
    return (Y[:, None], True) if Y.ndim == 1 else (Y, False)


def _scalar_sigma(sigma, obj):
    """Return ``sigma`` as a float, refusing per-neuron arrays the method cannot use."""
    if np.ndim(sigma) != 0:
        raise ValidationError(
            "must be a scalar for this back-end (got an array of per-neuron values); use "
            "Cholesky, Conjgrad, BlockConjgrad or ConjgradScipy with LstsqL2nz's "
            "per-neuron regularisation", "sigma", obj)
    return float(sigma)


def ridge_gram(A, sigma):
    """``A^T A + m * diag(sigma^2)``; ``sigma`` scalar or one value per column of ``A``."""
    m = A.shape[0]
    G = A.T @ A
    G[np.diag_indices_from(G)] += m * np.square(sigma)
    return G


class LeastSquaresSolver(FrozenObject):
    """Base class of least-squares back-ends.

    A back-end is called as ``backend(A, Y, sigma, rng=None)`` and returns ``(X, info)``.
    ``column_separable`` is True when each column of ``Y`` is solved independently of the
    others and without random numbers, so that several target matrices can be stacked
    into one call (see :func:`nefsim.solvers.solve_many`).
    """

    column_separable = False
    uses_rng = False

    def __init__(self):
        pass  # parameter-less back-ends (SVD) take no arguments

    def __call__(self, A, Y, sigma, rng=None):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__")


class Cholesky(LeastSquaresSolver):
    """Solve the regularised normal equations with a Cholesky factorisation.

    Parameters
    ----------
    transpose : bool or None, optional
        Factor the ``m x m`` system ``A A^T + m sigma^2 I`` instead of the ``n x n`` one
        ``A^T A + m sigma^2 I`` (both give the same ``X``).  None (default) picks the
        smaller one; the transposed form needs a scalar ``sigma``.
    """

    column_separable = True

    def __init__(self, transpose=None):
        self.transpose = check_bool(transpose, "transpose", self, optional=True)

    def __call__(self, A, Y, sigma, rng=None):
        m, n = A.shape
        scalar = np.ndim(sigma) == 0
        transpose = self.transpose if self.transpose is not None else (m < n and scalar)
        if transpose and not scalar:
            raise ValidationError(
                "the transposed form (m x m system) needs a scalar sigma; use "
                "Cholesky(transpose=False) or transpose=None with per-neuron "
                "regularisation", "transpose", self)
        if transpose:
            G = A @ A.T
            G[np.diag_indices_from(G)] += m * float(sigma) ** 2
            X = A.T @ _cho_solve(G, Y, self)
        else:
            X = _cho_solve(ridge_gram(A, sigma), A.T @ Y, self)
        return X, {"rmses": rmses(A, X, Y)}


def _cho_solve(G, B, obj):
    import scipy.linalg

    try:
        factor = scipy.linalg.cho_factor(G, overwrite_a=True)
    except np.linalg.LinAlgError:
        raise BuildError(
            f"{type(obj).__name__}: the least-squares system is singular (not positive "
            "definite); some neurons are never active or duplicate others.  Use a "
            "regularised solver, e.g. LstsqL2(reg=0.1), or a larger reg") from None
    return scipy.linalg.cho_solve(factor, B, check_finite=False)


class ConjgradScipy(LeastSquaresSolver):
    """Conjugate gradient on the normal equations, column by column, with SciPy's ``cg``.

    Parameters
    ----------
    tol : float, optional
        Relative tolerance on the residual (SciPy's ``rtol``).
    atol : float, optional
        Absolute tolerance on the residual.
    """

    column_separable = False  # the stacked A^T Y product changes rounding, which CG amplifies

    def __init__(self, tol=1e-4, atol=1e-8):
        self.tol = check_number(tol, "tol", self, low=0)
        self.atol = check_number(atol, "atol", self, low=0)

    def __call__(self, A, Y, sigma, rng=None):
        from scipy.sparse.linalg import LinearOperator, cg

        Y2, was_1d = _as_matrix(Y)
        m, n = A.shape
        damping = m * np.square(sigma)
        gram = LinearOperator(
            (n, n), matvec=lambda x: A.T @ (A @ x) + damping * x, dtype=A.dtype)
        B = A.T @ Y2
        X = np.zeros((n, Y2.shape[1]))
        iterations = np.zeros(Y2.shape[1], dtype=int)
        flags = np.zeros(Y2.shape[1], dtype=int)
        for j in range(Y2.shape[1]):
            counter = _Counter()
            X[:, j], flags[j] = cg(gram, B[:, j], rtol=self.tol, atol=self.atol, callback=counter)
            iterations[j] = counter.count
        X = X[:, 0] if was_1d else X
        return X, {"rmses": rmses(A, X, Y), "iterations": iterations, "info": flags}


class _Counter:
    """Callback that counts the iterations of a SciPy iterative solver."""

    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


class LSMRScipy(LeastSquaresSolver):
    """Damped least squares with SciPy's LSMR, column by column.

    LSMR works on ``A`` itself (never forming ``A^T A``) with damping ``sqrt(m) sigma``,
    which minimises the same regularised objective.

    Parameters
    ----------
    tol : float, optional
        Stopping tolerance (LSMR's ``atol`` and ``btol``).
    """

    column_separable = True

    def __init__(self, tol=1e-4):
        self.tol = check_number(tol, "tol", self, low=0)

    def __call__(self, A, Y, sigma, rng=None):
        from scipy.sparse.linalg import lsmr

        damp = np.sqrt(A.shape[0]) * _scalar_sigma(sigma, self)
        Y2, was_1d = _as_matrix(Y)
        X = np.zeros((A.shape[1], Y2.shape[1]))
        iterations = np.zeros(Y2.shape[1], dtype=int)
        for j in range(Y2.shape[1]):
            result = lsmr(A, Y2[:, j], damp=damp, atol=self.tol, btol=self.tol)
            X[:, j], iterations[j] = result[0], result[2]
        X = X[:, 0] if was_1d else X
        return X, {"rmses": rmses(A, X, Y), "iterations": iterations}


def _check_x0(X0, obj):
    return check_array(X0, "X0", obj, ndim=2, optional=True)


def _initial_guess(obj, n, d):
    """The starting point ``X0`` (n x d), zeros by default; checks its shape."""
    if obj.X0 is None:
        return np.zeros((n, d))
    if obj.X0.shape != (n, d):
        raise ValidationError(f"must have shape ({n}, {d}) to match A and Y "
                              f"(got {obj.X0.shape})", "X0", obj)
    return np.array(obj.X0, dtype=np.float64)


class Conjgrad(LeastSquaresSolver):
    """Textbook conjugate gradient on the normal equations, one column at a time.

    (Not ``column_separable``: CG amplifies the last-bit differences that stacking more
    target columns into the ``A^T Y`` product can cause, so stacked and separate solves
    agree only to about the tolerance.)

    Stops a column once the residual of the normal equations has norm below
    ``tol * sqrt(m)``, or after ``maxiters`` iterations.

    Parameters
    ----------
    tol : float, optional
        Tolerance, relative to ``sqrt(m)`` (m = number of eval points).
    maxiters : int or None, optional
        Iteration limit per column; None means ``n`` (the number of neurons).
    X0 : (n, d) array or None, optional
        Starting guess; zeros when None.
    """

    def __init__(self, tol=1e-2, maxiters=None, X0=None):
        self.tol = check_number(tol, "tol", self, low=0)
        self.maxiters = check_int(maxiters, "maxiters", self, low=1, optional=True)
        self.X0 = _check_x0(X0, self)

    def __call__(self, A, Y, sigma, rng=None):
        Y2, was_1d = _as_matrix(Y)
        m, n = A.shape
        X0 = _initial_guess(self, n, Y2.shape[1])
        damping = m * np.square(sigma)
        gram = lambda p: A.T @ (A @ p) + damping * p  # noqa: E731
        maxiters = n if self.maxiters is None else self.maxiters
        B = A.T @ Y2
        X = np.zeros((n, Y2.shape[1]))
        iterations = np.zeros(Y2.shape[1], dtype=int)
        for j in range(Y2.shape[1]):
            X[:, j], iterations[j] = _conjgrad_column(
                gram, B[:, j], X0[:, j], self.tol * np.sqrt(m), maxiters)
        X = X[:, 0] if was_1d else X
        return X, {"rmses": rmses(A, X, Y), "iterations": iterations}


def _conjgrad_column(gram, b, x, threshold, maxiters):
    """CG for ``gram(x) = b`` from ``x``; returns ``(x, iterations)``."""
    r = b - gram(x)
    p = r
    rr = r @ r
    for i in range(maxiters):
        gp = gram(p)
        alpha = rr / (p @ gp)
        x = x + alpha * p
        r = r - alpha * gp
        rr_new = r @ r
        if np.sqrt(rr_new) < threshold:
            return x, i + 1
        p = r + (rr_new / rr) * p
        rr = rr_new
    return x, maxiters


class BlockConjgrad(LeastSquaresSolver):
    """Block conjugate gradient: all target columns share one Krylov space.

    Stops once every column's normal-equation residual has norm below ``tol * sqrt(m)``,
    or after ``n // d + 1`` block iterations (``d`` target columns).

    Parameters
    ----------
    tol : float, optional
        Tolerance, relative to ``sqrt(m)``.
    X0 : (n, d) array or None, optional
        Starting guess; zeros when None.
    """

    def __init__(self, tol=1e-2, X0=None):
        self.tol = check_number(tol, "tol", self, low=0)
        self.X0 = _check_x0(X0, self)

    def __call__(self, A, Y, sigma, rng=None):
        Y2, was_1d = _as_matrix(Y)
        m, n = A.shape
        X = _initial_guess(self, n, Y2.shape[1])
        damping = m * np.square(sigma)
        damping = damping[:, None] if np.ndim(damping) else damping
        gram = lambda P: A.T @ (A @ P) + damping * P  # noqa: E731
        X, iterations = _block_conjgrad(gram, A.T @ Y2, X, self.tol * np.sqrt(m),
                                        maxiters=n // Y2.shape[1] + 1)
        X = X[:, 0] if was_1d else X
        return X, {"rmses": rmses(A, X, Y), "iterations": iterations}


def _block_conjgrad(gram, B, X, threshold, maxiters):
    """Block CG for ``gram(X) = B``; returns ``(X, iterations)``.

    In exact arithmetic it converges within ``n / d`` block steps, hence the limit.
    """
    R = B - gram(X)
    P = R
    RR = R.T @ R
    for i in range(maxiters):
        GP = gram(P)
        try:
            alpha = np.linalg.solve(P.T @ GP, RR)
        except np.linalg.LinAlgError:  # the search space is exhausted: X is exact
            return X, i
        X = X + P @ alpha
        R = R - GP @ alpha
        RR_new = R.T @ R
        if np.all(np.sqrt(np.diag(RR_new)) < threshold):
            return X, i + 1
        try:
            P = R + P @ np.linalg.solve(RR, RR_new)
        except np.linalg.LinAlgError:
            return X, i + 1
        RR = RR_new
    return X, maxiters


def _svd_ridge(U, s, Vh, Y, m, sigma):
    """``V diag(s / (s^2 + m sigma^2)) U^T Y``: the ridge solution from an SVD of A."""
    Y2, was_1d = _as_matrix(Y)
    X = Vh.T @ ((s / (s ** 2 + m * sigma ** 2))[:, None] * (U.T @ Y2))
    return X[:, 0] if was_1d else X


class SVD(LeastSquaresSolver):
    """Solve through a thin singular value decomposition of ``A`` (scalar sigma only)."""

    column_separable = True

    def __call__(self, A, Y, sigma, rng=None):
        import scipy.linalg

        U, s, Vh = scipy.linalg.svd(A, full_matrices=False)
        X = _svd_ridge(U, s, Vh, Y, A.shape[0], _scalar_sigma(sigma, self))
        return X, {"rmses": rmses(A, X, Y)}


class RandomizedSVD(LeastSquaresSolver):
    """Solve through a truncated randomized SVD of ``A`` (needs scikit-learn).

    Faster than :class:`SVD` for large ensembles; the result depends on ``rng``.  When
    ``n_components + n_oversamples`` covers ``min(A.shape)``, an exact SVD is used.

    Parameters
    ----------
    n_components : int, optional
        Number of singular values kept.
    n_oversamples : int, optional
        Extra random vectors used to find the range of ``A``.
    n_iter : int, optional
        Power iterations (more gives better accuracy).
    """

    uses_rng = True

    def __init__(self, n_components=60, n_oversamples=10, n_iter=0):
        self.n_components = check_int(n_components, "n_components", self, low=1)
        self.n_oversamples = check_int(n_oversamples, "n_oversamples", self, low=0)
        self.n_iter = check_int(n_iter, "n_iter", self, low=0)

    def __call__(self, A, Y, sigma, rng=np.random):
        extmath = require_sklearn(self, "utils.extmath")
        sigma = _scalar_sigma(sigma, self)
        if self.n_components + self.n_oversamples >= min(A.shape):
            # the random projection would span all of A: an exact SVD is cheaper
            import scipy.linalg

            U, s, Vh = scipy.linalg.svd(A, full_matrices=False)
        else:
            U, s, Vh = extmath.randomized_svd(
                A, self.n_components, n_oversamples=self.n_oversamples,
                n_iter=self.n_iter, random_state=_as_random_state(rng))
        X = _svd_ridge(U, s, Vh, Y, A.shape[0], sigma)
        return X, {"rmses": rmses(A, X, Y)}


def _as_random_state(rng):
    """A ``RandomState`` (or the ``np.random`` module) that scikit-learn accepts."""
    if rng is None:
        return np.random.mtrand._rand
    if isinstance(rng, np.random.Generator):
        return np.random.RandomState(rng.integers(2 ** 32, dtype=np.uint64))
    return rng


__all__ = ["LeastSquaresSolver", "Cholesky", "ConjgradScipy", "LSMRScipy", "Conjgrad",
           "BlockConjgrad", "SVD", "RandomizedSVD", "MissingDependencyError", "rmses"]
