"""Decoder and weight solving for connections from ensembles.

Activities are the neuron type's steady-state rates at the eval points,
``A = rates(eval_points @ encoders.T / radius, gain, bias)``; targets are the
connection's function at those points.  Solves go through the on-disk decoder cache when
the model has one.
"""

from collections import defaultdict

import numpy as np

from ..exceptions import BuildError
from ..solvers import NoSolver, solve_many


def activities(built_ens, neuron_type, radius, eval_points):
    """Steady-state rates (m x n) of an ensemble's neurons at ``eval_points``."""
    x = eval_points @ built_ens.encoders.T / radius
    return x, neuron_type.rates(x, built_ens.gain, built_ens.bias)


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
    rows = []
    for p in points:
        value = np.asarray(function(p), dtype=np.float64).reshape(-1)
        if value.size != size_mid:
            raise BuildError(f"{owner}: function returned {value.size} values at an eval "
                             f"point but {size_mid} were expected")
        rows.append(value)
    targets = np.array(rows).reshape(len(points), size_mid)
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
        return cache.solve(solver, neuron_type, built_ens.gain, built_ens.bias, x, targets,
                           rng=rng, solve_fn=solve_fn)
    return solve_fn()
