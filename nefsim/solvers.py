"""Decoder solvers: find the linear readout of an ensemble's activities.

A solver is called as ``solver(A, Y, rng=np.random)`` with ``A`` the (m x n) matrix of
the pre neurons' rates at m eval points and ``Y`` the (m x d) targets there, and returns
``(X, info)``: the (n x d) decoders and a dict with at least ``info["rmses"]``, the
root-mean-square decoding error of each target column, and ``info["time"]`` (seconds).
Names, arguments, defaults and results follow Nengo 4.1's ``nengo.solvers``.

``compositional`` solvers give decoders that commute with a later linear map, so full
weights are ``X @ E`` for any encoder matrix ``E``; the others must solve for the
weights directly.  As a nefsim extension, built-in solvers take ``E`` (d x n_post) and
return the (n x n_post) weight matrix for either kind.

:func:`solve_many` solves several target sets that share one ``A`` with a single
factorisation when the solver allows it (the builder's batched entry point).

For ensembles of ``LstsqL2.lowrank_min_neurons`` (3000) neurons or more, the default
``LstsqL2()`` first tries :func:`lowrank_ridge`, a randomized low-rank solve with a
certified error bound (decoded values within 0.1% of the exact solve's residual), and
solves exactly where that does not converge; smaller ensembles are solved exactly, as
Nengo does.
"""

import time

import numpy as np

from ._base import FrozenObject
from ._validation import check_array, check_bool, check_instance, check_int, check_number
from .exceptions import BuildError, ValidationError
from .lstsq import Cholesky, LeastSquaresSolver, require_sklearn, ridge_gram, rmses


class Solver(FrozenObject):
    """Base class of decoder solvers.

    Subclasses implement ``_solve(A, Y, rng) -> (X, info)`` on checked float64 arrays;
    :meth:`__call__` checks the inputs, handles ``E`` and adds ``info["time"]``.  (A
    subclass may instead override ``__call__(A, Y, rng)`` directly, as in Nengo.)

    Parameters
    ----------
    weights : bool, optional
        Whether a connection using this solver should be built with full
        neuron-to-neuron weights instead of decoders.

    Attributes
    ----------
    compositional : bool
        True when solving for ``Y`` and multiplying by ``E`` equals solving for ``Y @ E``.
    uses_rng : bool
        True when the result depends on ``rng`` (the decoder cache then keys on its state).
    column_separable : bool
        True when target columns are solved independently and deterministically, so that
        :func:`solve_many` may stack several target matrices into one call.
    """

    compositional = True
    uses_rng = False
    column_separable = False

    def __init__(self, weights=False):
        self.weights = check_bool(weights, "weights", self)

    def __call__(self, A, Y, rng=np.random, E=None):
        """Solve for decoders (or, with ``E`` given, for weights).

        Parameters
        ----------
        A : (m, n) array
            Activities of the n neurons at the m eval points.
        Y : (m, d) or (m,) array
            Target values at the eval points.
        rng : numpy.random.RandomState or Generator, optional
            Randomness for stochastic solvers.
        E : (d, n_post) array, optional
            Map from targets to post input currents, e.g. ``T.T @ scaled_encoders.T``
            for transform ``T``; the result is then the (n, n_post) weight matrix
            (``X @ E`` for compositional solvers, a direct solve for ``Y @ E`` otherwise).

        Returns
        -------
        X : (n, d) or (n, n_post) array
        info : dict
            ``rmses`` (per target column) and ``time``, plus solver-specific entries.
        """
        start = time.perf_counter()
        rng = np.random if rng is None else rng
        A, Y, E = check_inputs(self, A, Y, E)
        if Y.ndim == 2 and Y.shape[1] == 0:  # nothing to decode
            X, info = np.zeros((A.shape[1], 0)), {"rmses": np.zeros(0)}
        elif E is not None and not self.compositional:
            X, info = self._solve(A, Y @ E, rng)
        else:
            X, info = self._solve(A, Y, rng)
        if E is not None and self.compositional:
            X = X @ E
        info["time"] = time.perf_counter() - start
        return X, info

    def _solve(self, A, Y, rng):
        raise NotImplementedError(f"{type(self).__name__} must implement _solve or __call__")


def check_inputs(solver, A, Y, E=None):
    """Return float64 ``A``, ``Y``, ``E`` after checking shapes and values.

    A float32 ``A`` (big ensembles' activities) stays float32 for solvers whose
    ``accepts_float32`` is True, so it is not copied.

    ``Y`` is made 2-D when ``E`` is given.  Raises :class:`ValidationError` naming the
    solver and the argument, or :class:`BuildError` when every activity is zero.
    """
    keep32 = getattr(solver, "accepts_float32", False) and np.asarray(A).dtype == np.float32
    A = np.asarray(A) if keep32 else _float_array(A, "A", solver)
    Y = _float_array(Y, "Y", solver)
    if A.ndim != 2:
        raise ValidationError(f"the activities must be a 2-D (eval points x neurons) array "
                              f"(got shape {A.shape})", "A", solver)
    if Y.ndim not in (1, 2):
        raise ValidationError(f"the targets must be a 1-D or 2-D (eval points x dimensions) "
                              f"array (got shape {Y.shape})", "Y", solver)
    if Y.shape[0] != A.shape[0]:
        raise ValidationError(
            f"the targets have {Y.shape[0]} rows but the activities have {A.shape[0]} "
            "(one row per eval point); they must match", "Y", solver)
    if A.shape[0] == 0:
        raise ValidationError("the activities have no rows: at least one eval point is "
                              "needed", "A", solver)
    if A.shape[1] == 0:
        raise ValidationError("the activities have no columns: the ensemble has no neurons",
                              "A", solver)
    if not _all_finite(A):
        raise ValidationError("the activities contain NaN or inf; check the neuron type's "
                              "rates for these gains, biases and eval points", "A", solver)
    if not np.all(np.isfinite(Y)):
        raise ValidationError("the targets contain NaN or inf; check the connection's "
                              "function at the eval points", "Y", solver)
    if not np.any(A):
        raise BuildError(
            f"{type(solver).__name__}: the activities are all zero (no neuron fires at any "
            "eval point), so nothing can be decoded; check the ensemble's intercepts, "
            "max_rates, radius and eval points so that some neurons are active")
    if E is not None:
        E = _float_array(E, "E", solver)
        Y = Y[:, None] if Y.ndim == 1 else Y
        if E.ndim != 2 or E.shape[0] != Y.shape[1]:
            raise ValidationError(
                f"the encoders must be a 2-D array with {Y.shape[1]} rows (one per target "
                f"dimension; got shape {E.shape})", "E", solver)
        if not np.all(np.isfinite(E)):
            raise ValidationError("the encoders contain NaN or inf", "E", solver)
    return A, Y, E


def _all_finite(a):
    """``np.all(np.isfinite(a))`` without an (m x n) temporary in the usual case: a NaN
    or inf makes the sum non-finite; only a non-finite sum needs the elementwise check."""
    return bool(np.isfinite(np.sum(a))) or bool(np.all(np.isfinite(a)))


def _float_array(value, attr, solver):
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValidationError(f"must be an array of numbers ({err})", attr, solver) from None


def _check_backend(solver, obj):
    """Accept a nefsim back-end or any Nengo-style ``backend(A, Y, sigma, rng=None)``."""
    if isinstance(solver, LeastSquaresSolver) or (
            callable(solver) and not isinstance(solver, (Solver, type))):
        return solver
    raise ValidationError(
        f"must be a least-squares back-end such as Cholesky() or SVD() (got "
        f"{type(solver).__name__} {solver!r})", "solver", obj)


def _check_reg(reg, obj):
    return check_number(reg, "reg", obj, low=0)


def _backend_uses_rng(backend):
    # Unknown (e.g. Nengo) back-ends are assumed random, which only costs cache hits.
    return getattr(backend, "uses_rng", not isinstance(backend, LeastSquaresSolver))


class Lstsq(Solver):
    """Unregularised least squares via SciPy's ``lstsq`` (SVD-based).

    Parameters
    ----------
    weights : bool, optional
        Solve for full weights (see :class:`Solver`).
    rcond : float, optional
        Singular values below ``rcond`` times the largest are treated as zero.
    """

    column_separable = True

    def __init__(self, weights=False, rcond=0.01):
        super().__init__(weights=weights)
        self.rcond = check_number(rcond, "rcond", self, low=0)

    def _solve(self, A, Y, rng):
        import scipy.linalg  # imported on use: it is slow to import

        X, residuals, rank, s = scipy.linalg.lstsq(A, Y, cond=self.rcond)
        return X, {"rmses": rmses(A, X, Y), "residuals": np.sqrt(residuals),
                   "rank": rank, "singular_values": s}


class LstsqL2(Solver):
    """Least squares with L2 (ridge) regularisation: Nengo's default solver.

    Solves ``(A^T A + m sigma^2 I) X = A^T Y`` with ``sigma = reg * max(A)``, so ``reg``
    is the noise level relative to the largest firing rate.

    Parameters
    ----------
    weights : bool, optional
        Solve for full weights (see :class:`Solver`).
    reg : float, optional
        Regularisation, as a fraction of the maximum activity.
    solver : LeastSquaresSolver, optional
        The back-end that solves the regularised system (default :class:`Cholesky`).
    """

    def __init__(self, weights=False, reg=0.1, solver=Cholesky()):
        super().__init__(weights=weights)
        self.reg = _check_reg(reg, self)
        self.solver = _check_backend(solver, self)

    @property
    def uses_rng(self):
        return _backend_uses_rng(self.solver)

    @property
    def column_separable(self):
        return bool(getattr(self.solver, "column_separable", False))

    accepts_float32 = True  # the low-rank path works in A's precision; exact upcasts
    lowrank_min_neurons = 3000
    """Ensembles with at least this many neurons try the randomized low-rank solve first
    (see :func:`lowrank_ridge`); None always solves exactly.  Only the default back-end
    (``Cholesky()``) with a scalar regulariser is replaced."""

    def _sigma(self, A):
        return self.reg * float(A.max())

    def _solve(self, A, Y, rng):
        sigma = self._sigma(A)
        if self._use_lowrank(A, sigma):
            result = lowrank_ridge(A, Y, sigma)
            if result is not None:
                return result
        X, info = self.solver(A.astype(np.float64, copy=False), Y, sigma, rng=rng)
        return X, dict(info)

    def _use_lowrank(self, A, sigma):
        limit = self.lowrank_min_neurons
        return (limit is not None and A.shape[1] >= limit and np.ndim(sigma) == 0
                and sigma > 0 and type(self.solver) is Cholesky
                and self.solver.transpose is None)


# -- randomized low-rank ridge solve for big ensembles --------------------------------

LOWRANK_SEED = 0  # fixed: the sketch never draws from the build's rng, so builds repeat


def lowrank_ridge(A, Y, sigma, rank=64, power=1, tol=1e-3, max_iter=25, seed=LOWRANK_SEED):
    """Ridge decoders ``(A^T A + m sigma^2 I) X = A^T Y`` without forming ``A^T A``.

    A randomized sketch (Halko, Martinsson & Tropp 2011: a Gaussian test matrix and one
    power step in Gram form) finds the ``rank``-dimensional dominant right singular
    subspace of ``A``; the ridge problem is solved exactly inside it, and the remainder
    is corrected by conjugate gradients on the full normal equations, preconditioned by
    the sketch.  Tuning curves of big ensembles are numerically low-rank, so a few
    iterations suffice; each costs two matrix-vector passes over ``A`` per target column.

    Stopping rule, per target column: with ``H = A^T A + m sigma^2 I >= m sigma^2 I`` and
    gradient ``g = H x - A^T y``, the decoded values differ from the exact solve's by
    ``||A (x - x*)|| <= ||g|| / (sqrt(m) sigma)``; iteration stops once that bound is
    below ``tol`` times the current residual ``||A x - y||``, so every column's RMSE is
    within about ``tol`` (relative) of the exact solve's.  Columns are solved one at a
    time after the shared sketch, so stacked and separate solves give the same result.

    The test matrix comes from ``seed``, so results are reproducible and the caller's
    random state is untouched.  Costs about ``6 m n rank`` flops plus ``4 m n d`` per
    iteration, against ``m n^2`` for the Gram matrix of the exact solve.

    Parameters
    ----------
    A : (m, n) array
        Activities (float32 or float64; products are taken in its precision).
    Y : (m, d) or (m,) array
        Targets.
    sigma : float
        Regularisation (absolute: ``reg * max(A)``).
    rank, tol, max_iter, seed
        Sketch width, relative stopping tolerance, iteration limit, test-matrix seed.

    Returns
    -------
    (X, info) or None
        None when the iterations did not converge (the spectrum is not low-rank enough);
        the caller then solves exactly.  ``info`` holds ``rmses`` and ``lowrank``, a dict
        with the sketch ``rank``, the ``iterations`` per column and the ``bound`` reached.
    """
    Y2 = Y[:, None] if Y.ndim == 1 else Y
    m, n = A.shape
    lam = m * float(sigma) ** 2
    V, AV, s = _sketch(A, min(rank, n), seed, power)
    solved = [_pcg_column(A, Y2[:, j], lam, V, AV, s, tol, max_iter)
              for j in range(Y2.shape[1])]
    if any(x is None for x, _, _, _ in solved):
        return None
    X = np.column_stack([x for x, _, _, _ in solved])
    rms = np.array([r for _, r, _, _ in solved]) / np.sqrt(m)
    info = {"rmses": rms[0] if Y.ndim == 1 else rms,
            "lowrank": {"rank": V.shape[1],
                        "iterations": np.array([k for _, _, k, _ in solved]),
                        "bound": np.array([b for _, _, _, b in solved])}}
    return (X[:, 0] if Y.ndim == 1 else X), info


def _pcg_column(A, y, lam, V, AV, s, tol, max_iter):
    """Preconditioned CG for one target column from the sketch's solution.

    Returns ``(x, ||A x - y||, iterations, bound)``, with ``x`` None if ``max_iter``
    iterations did not reach the tolerance.  Each column runs alone (matrix-vector
    products only), so a column's result does not depend on the others solved with it.
    """
    scale = 1.0 / (s ** 2 + lam)

    def precondition(r):  # M^{-1} = V diag(scale) V^T + (I - V V^T) / lam
        return V @ ((scale - 1.0 / lam) * (V.T @ r)) + r / lam

    b = _matvec(A.T, y)
    coef = scale * (V.T @ b)
    x = V @ coef  # the exact ridge solution inside span(V) ...
    ax = AV @ coef  # ... and A x
    r = b - _matvec(A.T, ax) - lam * x  # minus the gradient
    z = precondition(r)
    p = z
    rz = r @ z
    for iterations in range(max_iter + 1):
        residual = np.linalg.norm(ax - y)
        bound = np.linalg.norm(r) / np.sqrt(lam)
        if bound <= tol * residual:
            return x, residual, iterations, bound
        if iterations == max_iter:
            return None, residual, iterations, bound
        ap = _matvec(A, p)
        hp = _matvec(A.T, ap) + lam * p
        alpha = rz / (p @ hp)
        x = x + alpha * p
        ax = ax + alpha * ap
        r = r - alpha * hp
        z = precondition(r)
        rz_new = r @ z
        p = z + (rz_new / rz) * p
        rz = rz_new


def _matvec(M, v):
    """``M @ v`` in ``M``'s precision (float32 activities stay float32), as float64."""
    return (M @ v.astype(M.dtype)).astype(np.float64, copy=False)


def _matmul(M, P):
    """``M @ P`` in ``M``'s precision, returned as float64."""
    return (M @ P.astype(M.dtype, copy=False)).astype(np.float64, copy=False)


def _sketch(A, k, seed, power):
    """Approximate top-``k`` right singular vectors ``V`` (n x k, orthonormal) of ``A``,
    with ``AV = A V`` and ``s``, the singular values of ``AV`` (``AV^T AV = diag(s^2)``).

    ``V`` spans ``(A^T A)^power G`` for a Gaussian ``G`` (n x k); the eigenvectors of
    the small Gram matrix of ``A V`` then rotate the basis onto singular vectors.
    """
    Z = np.random.default_rng(seed).standard_normal((A.shape[1], k))
    for _ in range(power):
        Z = _matmul(A.T, _matmul(A, _orthonormal(Z)))
    Q = _orthonormal(Z)
    C = _matmul(A, Q)
    s2, W = np.linalg.eigh(C.T @ C)
    order = np.argsort(s2)[::-1]
    W = W[:, order]
    return Q @ W, C @ W, np.sqrt(np.maximum(s2[order], 0.0))


def _orthonormal(Z):
    """An orthonormal basis of the columns of a tall ``Z``.

    Cholesky QR twice (two small Gram matrices and triangular solves): much faster than
    Householder QR for tall, thin matrices with a threaded BLAS, and as accurate when
    ``Z`` is not too ill-conditioned; Householder QR where the Cholesky fails.
    """
    import scipy.linalg

    Q = Z / np.linalg.norm(Z, axis=0)
    try:
        for _ in range(2):
            R = np.linalg.cholesky(Q.T @ Q).T
            Q = scipy.linalg.solve_triangular(R, Q.T, trans="T").T
    except np.linalg.LinAlgError:
        Q = np.linalg.qr(Z)[0]
    return Q


class LstsqL2nz(LstsqL2):
    """:class:`LstsqL2` with a per-neuron regulariser for sparsely active neurons.

    Neuron j gets ``sigma_j = reg * max(A) * sqrt(p_j)``, with ``p_j`` the fraction of
    eval points where its activity is non-zero, so rarely active neurons are regularised
    less.
    Same parameters as :class:`LstsqL2`; the back-end must accept per-neuron sigma.
    """

    def _sigma(self, A):
        sigma = self.reg * float(A.max()) * np.sqrt(np.mean(A != 0, axis=0))
        # a silent neuron's zero sigma would make the system singular; its decoder is
        # zero whatever sigma it gets
        return np.where(sigma > 0, sigma, sigma.max())


class LstsqNoise(Solver):
    """Least squares with additive Gaussian noise on the activities.

    Adds ``N(0, (noise * max(A))^2)`` to every activity, then solves without other
    regularisation.  The result depends on ``rng``.

    Parameters
    ----------
    weights : bool, optional
        Solve for full weights (see :class:`Solver`).
    noise : float, optional
        Noise standard deviation, as a fraction of the maximum activity.
    solver : LeastSquaresSolver, optional
        The back-end (default :class:`Cholesky`).
    """

    uses_rng = True

    def __init__(self, weights=False, noise=0.1, solver=Cholesky()):
        super().__init__(weights=weights)
        self.noise = check_number(noise, "noise", self, low=0)
        self.solver = _check_backend(solver, self)

    def _noisy(self, A, rng):
        return A + rng.normal(scale=self.noise * A.max(), size=A.shape)

    def _solve(self, A, Y, rng):
        X, info = self.solver(self._noisy(A, rng), Y, 0, rng=rng)
        return X, dict(info)


class LstsqMultNoise(LstsqNoise):
    """Least squares with multiplicative noise: ``A + A * N(0, noise^2)``.

    Same parameters as :class:`LstsqNoise`; ``noise`` is relative to each activity.
    """

    def _noisy(self, A, rng):
        return A + A * rng.normal(scale=self.noise, size=A.shape)


class LstsqL1(Solver):
    """Least squares with L1 and L2 regularisation (elastic net; needs scikit-learn).

    Minimises ``||A x - y||^2 / (2 m) + alpha * (r ||x||_1 + (1 - r) ||x||_2^2 / 2)``
    with ``a = l1 * max(A)``, ``b = l2 * max(A)^2``, ``alpha = a + b``, ``r = a / alpha``.
    Encourages sparse decoders.  Not compositional.

    Parameters
    ----------
    weights : bool, optional
        Solve for full weights (see :class:`Solver`).
    l1 : float, optional
        L1 weight, relative to the maximum activity.
    l2 : float, optional
        L2 weight, relative to the squared maximum activity.
    max_iter : int, optional
        Coordinate-descent iteration limit.
    """

    compositional = False

    def __init__(self, weights=False, l1=1e-4, l2=1e-6, max_iter=1000):
        super().__init__(weights=weights)
        self.l1 = check_number(l1, "l1", self, low=0)
        self.l2 = check_number(l2, "l2", self, low=0)
        self.max_iter = check_int(max_iter, "max_iter", self, low=1)
        if self.l1 == 0 and self.l2 == 0:
            raise ValidationError("l1 and l2 cannot both be 0; use Lstsq() for an "
                                  "unregularised solve", "l1", self)

    def _solve(self, A, Y, rng):
        linear_model = require_sklearn(self, "linear_model")
        a = self.l1 * A.max()
        b = self.l2 * A.max() ** 2
        model = linear_model.ElasticNet(alpha=a + b, l1_ratio=a / (a + b),
                                        fit_intercept=False, max_iter=self.max_iter)
        X = model.fit(A, Y).coef_.T
        return X, {"rmses": rmses(A, X, Y)}


class LstsqDrop(Solver):
    """Find sparse decoders by dropping the smallest ones and solving again.

    Solves with ``solver1``, sets the fraction ``drop`` of decoder entries with the
    smallest magnitude to zero, then re-solves each target column with ``solver2`` on
    the neurons it kept.  Not compositional.

    Parameters
    ----------
    weights : bool, optional
        Solve for full weights (see :class:`Solver`).
    drop : float, optional
        Fraction of decoder entries to set to zero, in [0, 1].
    solver1 : Solver, optional
        Solver for the first pass.
    solver2 : Solver, optional
        Solver for the re-solve on the kept neurons.
    """

    compositional = False

    def __init__(self, weights=False, drop=0.25, solver1=LstsqL2(reg=0.001),
                 solver2=LstsqL2(reg=0.1)):
        super().__init__(weights=weights)
        self.drop = check_number(drop, "drop", self, low=0, high=1)
        self.solver1 = check_instance(solver1, "solver1", self, Solver, what="a Solver")
        self.solver2 = check_instance(solver2, "solver2", self, Solver, what="a Solver")

    @property
    def uses_rng(self):
        return self.solver1.uses_rng or self.solver2.uses_rng

    def _solve(self, A, Y, rng):
        X, info0 = self.solver1(A, Y, rng=rng)
        Y2, X2 = (Y[:, None], X[:, None]) if Y.ndim == 1 else (Y, X)
        keep = _keep_largest(X2, self.drop)
        X2 = np.zeros_like(X2)
        info1s = []
        for j in range(Y2.shape[1]):
            kept = A[:, keep[:, j]]
            if np.any(kept):
                X2[keep[:, j], j], info1 = self.solver2(kept, Y2[:, j], rng=rng)
            else:  # nothing left to decode with: the column stays zero
                info1 = {"rmses": rmses(A, X2[:, j], Y2[:, j])}
            info1s.append(info1)
        X = X2[:, 0] if Y.ndim == 1 else X2
        return X, {"rmses": rmses(A, X, Y), "info0": info0, "info1s": info1s}


def _keep_largest(X, drop):
    """Mask of the entries of ``X`` kept after zeroing the ``round(drop * size)`` smallest."""
    n_drop = int(np.round(drop * X.size))
    if n_drop >= X.size:
        return np.zeros(X.shape, dtype=bool)
    threshold = np.sort(np.abs(X), axis=None)[n_drop]
    return np.abs(X) >= threshold


class Nnls(Solver):
    """Non-negative least squares (SciPy's ``nnls``) without regularisation.

    Gives non-negative decoders or weights, e.g. for excitatory-only connections.  Not
    compositional.

    Parameters
    ----------
    weights : bool, optional
        Solve for full weights (see :class:`Solver`).
    """

    compositional = False

    def _solve(self, A, Y, rng):
        X, residuals = _nnls_columns(self, A, Y)
        return X, {"rmses": rmses(A, X, Y), "residuals": residuals}


def _nnls_columns(solver, M, B):
    """``nnls(M, b)`` for each column ``b`` of ``B``; returns ``(X, residual norms)``."""
    from scipy.optimize import nnls  # imported on use: it takes ~0.25 s to import

    B2 = B[:, None] if B.ndim == 1 else B
    X = np.zeros((M.shape[1], B2.shape[1]))
    residuals = np.zeros(B2.shape[1])
    for j in range(B2.shape[1]):
        try:
            X[:, j], residuals[j] = nnls(M, B2[:, j])
        except RuntimeError as err:
            raise BuildError(f"{type(solver).__name__}: non-negative least squares did "
                             f"not converge ({err}); try NnlsL2 or a larger reg") from None
    return (X[:, 0] if B.ndim == 1 else X), residuals


class NnlsL2(Nnls):
    """Non-negative least squares with L2 regularisation.

    Solves the regularised normal equations ``(A^T A + m sigma^2 I) x = A^T y+`` with
    ``x >= 0``, ``sigma = reg * max(A)`` and ``y+`` the targets clipped at zero (negative
    targets cannot be reached with non-negative activities and decoders).

    Parameters
    ----------
    weights : bool, optional
        Solve for full weights (see :class:`Solver`).
    reg : float, optional
        Regularisation, as a fraction of the maximum activity.
    """

    def __init__(self, weights=False, reg=0.1):
        super().__init__(weights=weights)
        self.reg = _check_reg(reg, self)

    def _sigma(self, A):
        return self.reg * A.max()

    def _solve(self, A, Y, rng):
        G = ridge_gram(A, self._sigma(A))
        X, residuals = _nnls_columns(self, G, A.T @ np.maximum(Y, 0))
        return X, {"rmses": rmses(A, X, Y), "residuals": residuals}


class NnlsL2nz(NnlsL2):
    """:class:`NnlsL2` with a per-neuron regulariser like :class:`LstsqL2nz`'s.

    Here ``p_j`` is the fraction of eval points where neuron j's activity is positive.
    """

    def _sigma(self, A):
        sigma = self.reg * A.max() * np.sqrt(np.mean(A > 0, axis=0))
        return np.where(sigma > 0, sigma, 1.0)  # as Nengo does for this solver


class NoSolver(Solver):
    """Use given decoders (or zeros) instead of solving.

    No activities are needed and nothing is cached.  ``values`` are always decoders
    (n_pre x d), also with ``weights=True``, where the builder multiplies them by the
    post encoders.

    Parameters
    ----------
    values : (n, d) array or None, optional
        The decoders to return; None gives zeros.
    weights : bool, optional
        Build the connection with full weights ``values @ E``.
    """

    def __init__(self, values=None, weights=False):
        super().__init__(weights=weights)
        self.values = check_array(values, "values", self, ndim=2, optional=True)

    def __call__(self, A, Y, rng=None, E=None):
        """Return ``(values, info)`` (``values @ E`` when ``E`` is given)."""
        n = None if A is None else np.shape(A)[1]
        d = None if Y is None else (np.shape(Y)[1] if np.ndim(Y) == 2 else 1)
        if self.values is None:
            if n is None or d is None:
                raise ValidationError("needs A and Y to know the decoder shape when "
                                      "values is None", "values", self)
            X = np.zeros((n, d))
        else:
            X = np.array(self.values)
            if (n is not None and X.shape[0] != n) or (d is not None and X.shape[1] != d):
                raise ValidationError(f"must have shape ({n}, {d}) (neurons x target "
                                      f"dimensions; got {X.shape})", "values", self)
        info = {}
        if A is not None and Y is not None:
            Y2 = np.asarray(Y, dtype=np.float64).reshape(len(Y), -1)
            info["rmses"] = rmses(np.asarray(A, dtype=np.float64), X, Y2)
        if E is not None:
            X = X @ _float_array(E, "E", self)
        return X, info


# -- batched solving for the builder -------------------------------------------------

_PER_COLUMN_INFO = ("rmses", "residuals", "iterations", "info")


def solve_many(solver, A, Ys, rng=np.random, Es=None):
    """Solve ``solver(A, Y)`` for every ``Y`` in ``Ys``, sharing one solve when possible.

    When ``solver.column_separable`` (LstsqL2/LstsqL2nz with a Cholesky, SVD or LSMR
    back-end, or Lstsq), the target matrices are stacked side by side and solved in one
    call, so the system is factored once; the results equal separate solves to rounding.
    Otherwise the solver is called once per target, in order (a stochastic solver then
    draws from ``rng`` in sequence).

    Parameters
    ----------
    solver : Solver
    A : (m, n) array
        Activities shared by all targets.
    Ys : sequence of (m, d_i) or (m,) arrays
    rng : numpy.random.RandomState or Generator, optional
    Es : sequence of (d_i, n_post_i) arrays or None, optional
        Per-target encoders for weight solves (see :meth:`Solver.__call__`).

    Returns
    -------
    list of (X, info)
        One pair per target, in the order of ``Ys``.
    """
    Ys = [np.asarray(Y, dtype=np.float64) for Y in Ys]
    Es = [None] * len(Ys) if Es is None else list(Es)
    if len(Es) != len(Ys):
        raise ValidationError(f"must have one entry per target ({len(Ys)}; got {len(Es)})",
                              "Es", solver)
    if len(Ys) < 2 or not (isinstance(solver, Solver) and solver.column_separable):
        return [solver(A, Y, rng=rng) if E is None else solver(A, Y, rng=rng, E=E)
                for Y, E in zip(Ys, Es)]
    if any(Y.ndim not in (1, 2) for Y in Ys):
        bad = next(Y for Y in Ys if Y.ndim not in (1, 2))
        raise ValidationError(f"each target must be 1-D or 2-D (got shape {bad.shape})",
                              "Y", solver)
    widths = [1 if Y.ndim == 1 else Y.shape[1] for Y in Ys]
    X, info = solver(A, np.hstack([Y.reshape(len(Y), -1) for Y in Ys]), rng=rng)
    bounds = np.cumsum([0] + widths)
    results = []
    for i, (Y, E) in enumerate(zip(Ys, Es)):
        cols = slice(bounds[i], bounds[i + 1])
        Xi, infoi = X[:, cols], _split_info(info, cols, bounds[-1])
        if Y.ndim == 1 and E is None:  # shaped as a separate solve of a 1-D target
            Xi = Xi[:, 0]
            for key in ("rmses", "residuals"):
                if key in infoi and np.shape(infoi[key]) == (1,):
                    infoi[key] = infoi[key][0]
        if E is not None:
            Xi = Xi @ _float_array(E, "E", solver)
        results.append((Xi, infoi))
    return results


def _split_info(info, cols, total):
    """The part of a stacked solve's ``info`` that belongs to the columns ``cols``."""
    part = {}
    for key, value in info.items():
        per_column = (key in _PER_COLUMN_INFO and isinstance(value, np.ndarray)
                      and value.ndim == 1 and value.shape[0] == total)
        part[key] = value[cols].copy() if per_column else value
    return part


__all__ = ["Solver", "Lstsq", "LstsqL2", "LstsqL2nz", "LstsqNoise", "LstsqMultNoise",
           "LstsqL1", "LstsqDrop", "Nnls", "NnlsL2", "NnlsL2nz", "NoSolver", "solve_many",
           "lowrank_ridge"]
