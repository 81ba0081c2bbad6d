"""Decoder and weight solving for connections from ensembles.

Activities are the neuron type's steady-state rates at the eval points,
``A = rates(eval_points @ encoders.T / radius, gain, bias)``; targets are the
connection's function at those points.  Solves go through the on-disk decoder cache when
the model has one.  Big ensembles get their activities in blocks of eval points, in
parallel threads and stored as float32 (see :func:`activities`), so that building one
needs little more memory than its activity matrix.
"""

import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..exceptions import BuildError
from ..solvers import NoSolver, solve_many


BLOCKWISE_MIN_NEURONS = 3000
"""Ensembles at least this big get their activities in blocks of eval points (as
float32 when ``FLOAT32_ACTIVITIES``), and their ``x`` only on demand."""

FLOAT32_ACTIVITIES = True
_BLOCK_ELEMENTS = 2 ** 17  # eval points x neurons per block: a few cache-sized temporaries


def activities(built_ens, neuron_type, radius, eval_points):
    """Eval points in neuron space ``x`` and steady-state rates ``A`` (m x n).

    Small ensembles compute both whole, as Nengo does, so the values are the same.  Big
    ones (``n >= BLOCKWISE_MIN_NEURONS``) compute ``A`` a block of eval points at a
    time, stored as float32, so that the (m x n) ``x`` and the rate function's temporaries
    never exist at full size; ``x`` is then a :class:`DeferredX`.
    """
    encoders = built_ens.encoders
    if encoders.shape[0] < BLOCKWISE_MIN_NEURONS:
        x = eval_points @ encoders.T / radius
        return x, neuron_type.rates(x, built_ens.gain, built_ens.bias)
    x = DeferredX(eval_points, encoders, radius)
    dtype = np.float32 if FLOAT32_ACTIVITIES else np.float64
    A = np.empty(x.shape, dtype=dtype)
    step = max(1, _BLOCK_ELEMENTS // max(1, x.shape[1]))

    def fill(start):
        rows = slice(start, start + step)
        A[rows] = neuron_type.rates(x.rows(rows), built_ens.gain, built_ens.bias)

    # NumPy releases the GIL in its loops, so blocks run in parallel on the cores
    with ThreadPoolExecutor(max_workers=_n_threads()) as pool:
        for _ in pool.map(fill, range(0, x.shape[0], step)):
            pass  # re-raises a block's exception
    return x, A


def _n_threads():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class DeferredX:
    """``eval_points @ encoders.T / radius`` (m x n), computed only when asked for.

    ``np.asarray(x)`` gives the whole array; :meth:`rows` a block of it;
    :meth:`fingerprint` a small array that determines it (what the decoder cache hashes
    instead of the big one).
    """

    def __init__(self, eval_points, encoders, radius):
        self.eval_points, self.encoders, self.radius = eval_points, encoders, radius
        self.shape = (eval_points.shape[0], encoders.shape[0])

    def rows(self, rows):
        points = self.eval_points[rows]
        if self.encoders.shape[1] == 1:  # one product per entry: the same values as the
            return points * self.encoders[:, 0] / self.radius  # matmul, several times faster
        return points @ self.encoders.T / self.radius

    def __array__(self, dtype=None, copy=None):
        x = self.rows(slice(None))
        return x if dtype is None else x.astype(dtype, copy=False)

    def fingerprint(self):
        return np.concatenate([[float(self.radius), *self.shape],
                               np.ravel(self.eval_points), np.ravel(self.encoders)])


class SharedSolve:
    """Decoder solves of several outputs of one ensemble with one solver, done together.

    For a column-separable solver that draws no random numbers (``LstsqL2``, the
    default), stacking the targets into one solve factorises the ensemble's activity
    matrix once for all its outgoing connections and probes; the results equal separate
    solves.  Everything is solved when the first of these outputs is built, so only one
    ensemble's activity matrix exists at a time; each output still goes through the
    decoder cache, and the stacked solve runs only if one of them misses.
    """

    def __init__(self, ens, solver, targets, owners):
        self.ens, self.solver, self.targets, self.owners = ens, solver, targets, owners
        self._results = None

    def result(self, model, i):
        """``(decoders, solver_info)`` of output ``i``."""
        if self._results is None:
            ens, built = self.ens, model.params[self.ens]
            x, A = activities(built, ens.neuron_type, ens.radius, built.eval_points)
            stacked = []

            def solve_all():
                if not stacked:
                    stacked.extend(solve_many(self.solver, A, self.targets))
                return stacked

            self._results = [
                solve(model, self.solver, ens.neuron_type, built, x, A, Y, None, owner,
                      solve_fn=lambda j=j: solve_all()[j])
                for j, (Y, owner) in enumerate(zip(self.targets, self.owners))]
            self.targets = None
        return self._results[i]


def plan_shared_solves(model, requests):
    """Group decoder requests by (pre ensemble, solver) and prepare shared solves.

    ``requests`` holds ``(key, ens, function, pre_slice, size_mid, solver, owner)`` for
    decoded outputs that use the ensemble's own eval points.  Afterwards
    ``model.memo["shared"][key] = (SharedSolve, index)`` for groups of two or more.
    """
    groups = defaultdict(list)
    for request in requests:
        solver = request[5]
        if (isinstance(solver, NoSolver) or getattr(solver, "weights", False)
                or not getattr(solver, "column_separable", False)
                or getattr(solver, "uses_rng", True)):
            continue
        groups[(request[1], solver)].append(request)
    shared = model.memo.setdefault("shared", {})
    for (ens, solver), members in groups.items():
        if len(members) < 2:
            continue
        points = model.params[ens].eval_points
        targets = [function_targets(function, points[:, pre_slice], size_mid, owner)
                   for _, _, function, pre_slice, size_mid, _, owner in members]
        batch = SharedSolve(ens, solver, targets, [m[6] for m in members])
        for i, member in enumerate(members):
            shared[member[0]] = (batch, i)


def function_targets(function, points, size_mid, owner):
    """Evaluate ``function`` at every row of ``points`` → (m, size_mid)."""
    if function is None:
        return np.array(points, dtype=np.float64)
    if isinstance(function, np.ndarray):
        return np.array(function, dtype=np.float64).reshape(points.shape[0], -1)
    values = [function(p) for p in points]  # once per point, in order, as Nengo calls it
    try:  # one conversion for all points where they all have the expected size
        targets = np.array(values, dtype=np.float64)
        ok = targets.ndim >= 1 and targets.size == len(points) * size_mid
    except (TypeError, ValueError):
        ok = False
    if not ok:  # find the offending value (or raise the conversion's own error)
        rows = []
        for value in values:
            value = np.asarray(value, dtype=np.float64).reshape(-1)
            if value.size != size_mid:
                raise BuildError(f"{owner}: function returned {value.size} values at an "
                                 f"eval point but {size_mid} were expected")
            rows.append(value)
        targets = np.array(rows)
    targets = targets.reshape(len(points), size_mid)
    if not np.all(np.isfinite(targets)):
        raise BuildError(f"{owner}: function returned NaN or inf at some eval points")
    return targets


def solve(model, solver, neuron_type, built_ens, x, A, targets, rng, owner, solve_fn=None):
    """Run ``solver`` (through the decoder cache if any); return ``(X, info)``.

    ``solve_fn`` (no arguments) replaces the direct solver call, e.g. by a shared solve.
    """
    if isinstance(solver, NoSolver):
        return solver(A, targets, rng=rng)
    if not np.any(A):
        raise BuildError(f"{owner}: every neuron of the pre ensemble is silent at every "
                         "eval point, so no decoders can be found; check its intercepts, "
                         "max_rates, radius and eval points")
    if solve_fn is None:
        def solve_fn():
            return solver(A, targets, rng=rng)
    cache = model.decoder_cache
    if cache is not None:
        if isinstance(x, DeferredX):  # hash what determines x, not its m x n values
            x = x.fingerprint()
        return cache.solve(solver, neuron_type, built_ens.gain, built_ens.bias, x, targets,
                           rng=rng, solve_fn=solve_fn)
    return solve_fn()
