"""The randomized low-rank decoder solve of big ensembles, and their blockwise activities.

The decoding error of the low-rank solve must be within 1% of the exact (Cholesky)
solve's, on the eval points and on fresh points; the exact path must still be taken for
small ensembles and where the spectrum is not low-rank.
"""

import tracemalloc

import numpy as np
import pytest

from nefsim import solvers as S
from nefsim.build import decoders
from nefsim.ensemble import Ensemble
from nefsim.exceptions import BuildError
from nefsim.lstsq import Cholesky
from nefsim.network import Network
from nefsim.simulator import Simulator

N_BIG = 3000  # the smallest ensemble that takes the low-rank path


@pytest.fixture(scope="module")
def big():
    """A built 1-D ensemble of N_BIG LIF neurons: (built params, ensemble)."""
    with Network(seed=3) as net:
        ens = Ensemble(N_BIG, 1)
    with Simulator(net, progress_bar=False, decoder_cache=False) as sim:
        return sim.data[ens], ens


def targets(points):
    x = points[:, 0]
    return np.column_stack([x, x ** 2, np.sin(3 * x), np.abs(x), (x > 0.3).astype(float)])


def rates(built, ens, points):
    return ens.neuron_type.rates(points @ built.encoders.T / ens.radius, built.gain,
                                 built.bias)


def rmse(A, X, Y):
    return np.sqrt(np.mean((A @ X - Y) ** 2, axis=0))


def test_lowrank_error_within_one_percent_of_exact(big):
    built, ens = big
    points = built.eval_points
    x, A = decoders.activities(built, ens.neuron_type, ens.radius, points)
    assert isinstance(x, decoders.DeferredX) and A.dtype == np.float32
    Y = targets(points)
    X, info = S.LstsqL2()(A, Y)
    assert info["lowrank"]["rank"] == 64  # the low-rank path was taken
    A64 = A.astype(np.float64)
    exact, _ = Cholesky()(A64, Y, 0.1 * A64.max())
    fresh = np.random.RandomState(9).uniform(-1, 1, (1500, 1))
    A_fresh = rates(built, ens, fresh)
    for M, T in ((A64, Y), (A_fresh, targets(fresh))):
        ratio = rmse(M, X, T) / rmse(M, exact, T)
        # required: within 1%; the stopping bound gives about 0.1% (measured 0.013%)
        assert np.all(np.abs(ratio - 1) < 0.003), ratio
    np.testing.assert_allclose(info["rmses"], rmse(A64, X, Y), rtol=1e-4)
    # the decoders themselves are close: the error is in the poorly determined directions
    assert np.linalg.norm(X - exact) < 0.05 * np.linalg.norm(exact)


def test_lowrank_is_reproducible_and_column_separable(big):
    built, ens = big
    _, A = decoders.activities(built, ens.neuron_type, ens.radius, built.eval_points)
    Y = targets(built.eval_points)
    state = np.random.get_state()
    X1, _ = S.LstsqL2()(A, Y)
    X2, _ = S.LstsqL2()(A, Y)
    assert np.array_equal(X1, X2)
    assert np.array_equal(state[1], np.random.get_state()[1])  # global rng untouched
    parts = S.solve_many(S.LstsqL2(), A, [Y[:, :2], Y[:, 2]])
    separate = S.LstsqL2()(A, Y[:, 2])[0]
    np.testing.assert_allclose(parts[1][0], separate, rtol=0, atol=1e-9 * abs(separate).max())
    np.testing.assert_allclose(parts[0][0], X1[:, :2], rtol=0, atol=1e-9 * abs(X1).max())


class SmallLowrank(S.LstsqL2):
    lowrank_min_neurons = 50


def test_full_rank_problem_falls_back_to_exact_solve():
    rng = np.random.RandomState(0)
    A = rng.uniform(0, 1, (300, 120))  # no spectral decay; tiny reg: CG cannot converge
    Y = rng.randn(300, 2)
    assert S.lowrank_ridge(A, Y, 1e-4, rank=8, max_iter=3) is None
    X, info = SmallLowrank(reg=1e-4)(A, Y)
    assert "lowrank" not in info
    exact, _ = Cholesky()(A, Y, 1e-4 * A.max())
    np.testing.assert_array_equal(X, exact)


def test_lowrank_on_synthetic_low_rank_matrix_matches_ridge_formula():
    """A rank-20 matrix plus small noise: the ridge solution from a full SVD is the
    reference; the iterations reach the requested tolerance."""
    rng = np.random.RandomState(1)
    A = rng.randn(600, 20) @ rng.randn(20, 200) + 0.01 * rng.randn(600, 200)
    Y = A @ rng.randn(200, 3) + 0.1 * rng.randn(600, 3)
    sigma = 0.05
    U, s, Vh = np.linalg.svd(A, full_matrices=False)
    ref = Vh.T @ ((s / (s ** 2 + 600 * sigma ** 2))[:, None] * (U.T @ Y))
    X, info = S.lowrank_ridge(A, Y, sigma, rank=16, tol=1e-6)
    np.testing.assert_allclose(A @ X, A @ ref, atol=1e-5 * np.abs(A @ ref).max())
    assert np.all(info["lowrank"]["iterations"] >= 1)
    X1, info1 = S.lowrank_ridge(A, Y[:, 0], sigma, rank=16, tol=1e-6)
    assert X1.shape == (200,) and np.ndim(info1["rmses"]) == 0


def test_small_ensembles_use_the_exact_path_and_float64():
    with Network(seed=1) as net:
        ens = Ensemble(50, 1)
    with Simulator(net, progress_bar=False, decoder_cache=False) as sim:
        built = sim.data[ens]
    x, A = decoders.activities(built, ens.neuron_type, ens.radius, built.eval_points)
    assert isinstance(x, np.ndarray) and A.dtype == np.float64
    X, info = S.LstsqL2()(A, built.eval_points)
    assert "lowrank" not in info


def test_blockwise_activities_match_and_stay_small(big):
    built, ens = big
    points = built.eval_points[:2000]
    tracemalloc.start()
    try:
        x, A = decoders.activities(built, ens.neuron_type, ens.radius, points)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    full_x = points @ built.encoders.T / ens.radius
    np.testing.assert_array_equal(np.asarray(x), full_x)
    np.testing.assert_allclose(A, rates(built, ens, points), rtol=1e-6, atol=1e-4)
    # A itself (float32) plus block temporaries; the whole-array path needs x, the current
    # and a mask at full size in float64 (more than 4 times A's float32 bytes)
    assert peak < 1.3 * A.nbytes, (peak, A.nbytes)
    fingerprint = x.fingerprint()
    assert fingerprint.size == 3 + points.size + built.encoders.size


def test_lowrank_refuses_nothing_it_should_check():
    A = np.zeros((10, 5), dtype=np.float32)
    with pytest.raises(BuildError, match="all zero"):
        SmallLowrank()(A, np.ones(10))
    bad = np.ones((10, 5), dtype=np.float32)
    bad[2, 3] = np.nan
    with pytest.raises(Exception, match="NaN") as err:
        SmallLowrank()(bad, np.ones(10))
    assert "A" in str(err.value)


def test_big_ensemble_goes_through_the_decoder_cache(tmp_path):
    """The cache keys a big ensemble's solve on what determines x (not x itself)."""
    from nefsim.build.decoder_cache import DecoderCache
    from nefsim.connection import Connection
    from nefsim.node import Node

    def build():
        with Network(seed=4) as net:
            ens = Ensemble(N_BIG, 1)
            conn = Connection(ens, Node(size_in=1), function=np.sin)
        cache = DecoderCache(cache_dir=tmp_path, enabled=True)
        with Simulator(net, progress_bar=False, decoder_cache=cache) as sim:
            return sim.data[conn].weights, cache

    first, cache1 = build()
    second, cache2 = build()
    assert (cache1.misses, cache2.hits) == (1, 1)
    np.testing.assert_array_equal(first, second)
