"""Decoder and weight solving for connections from ensembles.

Activities are the neuron type's steady-state rates at the eval points,
``A = rates(eval_points @ encoders.T / radius, gain, bias)``; targets are the
connection's function at those points.  Solves go through the on-disk decoder cache when
the model has one.
"""

import numpy as np

from ..exceptions import BuildError
from ..solvers import NoSolver


def activities(built_ens, neuron_type, radius, eval_points):
    """Steady-state rates (m x n) of an ensemble's neurons at ``eval_points``."""
    x = eval_points @ built_ens.encoders.T / radius
    return x, neuron_type.rates(x, built_ens.gain, built_ens.bias)


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


def solve(model, solver, neuron_type, built_ens, x, A, targets, rng, owner):
    """Run ``solver`` (through the decoder cache if any); return ``(X, info)``."""
    if isinstance(solver, NoSolver):
        return solver(A, targets, rng=rng)
    if not np.any(A):
        raise BuildError(f"{owner}: every neuron of the pre ensemble is silent at every "
                         "eval point, so no decoders can be found; check its intercepts, "
                         "max_rates, radius and eval points")
    cache = model.decoder_cache
    if cache is not None:
        return cache.solve(solver, neuron_type, built_ens.gain, built_ens.bias, x, targets,
                           rng=rng, solve_fn=lambda: solver(A, targets, rng=rng))
    return solver(A, targets, rng=rng)
