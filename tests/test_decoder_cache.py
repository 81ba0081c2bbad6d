"""Tests for the on-disk decoder cache (nefsim.build.decoder_cache)."""

import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from nefsim._base import FrozenObject
from nefsim.build.decoder_cache import DecoderCache, default_cache_dir, fingerprint
from nefsim.exceptions import CacheIOWarning, ValidationError
from nefsim.solvers import Lstsq, LstsqDrop, LstsqL2, LstsqNoise, NoSolver


class RateLIF(FrozenObject):
    """A stand-in neuron type: LIF steady-state rates (the cache only needs ``rates``)."""

    def __init__(self, tau_rc=0.02, tau_ref=0.002):
        self.tau_rc = tau_rc
        self.tau_ref = tau_ref

    def rates(self, x, gain, bias):
        J = gain * x + bias
        out = np.zeros_like(J)
        on = J > 1
        out[on] = 1.0 / (self.tau_ref + self.tau_rc * np.log1p(1.0 / (J[on] - 1)))
        return out


class SpySolver(LstsqL2):
    """LstsqL2 that counts its calls (in a private, hence mutable, list)."""

    def __init__(self, reg=0.1):
        super().__init__(reg=reg)
        self._calls = []

    def _solve(self, A, Y, rng):
        self._calls.append(1)
        return super()._solve(A, Y, rng)


def make_inputs(seed=0, m=200, n=30, d=2):
    rng = np.random.RandomState(seed)
    enc = rng.randn(n, d)
    enc /= np.linalg.norm(enc, axis=1, keepdims=True)
    points = rng.uniform(-1, 1, (m, d))
    return dict(neuron_type=RateLIF(), gain=rng.uniform(1, 5, n), bias=rng.uniform(-1, 3, n),
                x=points @ enc.T, targets=points ** 2)


@pytest.fixture
def cache(tmp_path):
    return DecoderCache(cache_dir=tmp_path / "decoders", enabled=True)


def test_hit_is_bitwise_identical_and_skips_the_solver(cache):
    inputs = make_inputs()
    solver = SpySolver()
    X1, info1 = cache.solve(solver, **inputs)
    X2, info2 = cache.solve(solver, **inputs)
    assert len(solver._calls) == 1
    assert (cache.hits, cache.misses) == (1, 1)
    assert X1.tobytes() == X2.tobytes() and X1.dtype == X2.dtype and X1.shape == X2.shape
    assert info1.keys() == info2.keys()
    assert info1["rmses"].tobytes() == info2["rmses"].tobytes()
    assert info1["time"] == info2["time"]
    # the decoders are the real solve's result
    A = inputs["neuron_type"].rates(inputs["x"], inputs["gain"], inputs["bias"])
    np.testing.assert_array_equal(X1, LstsqL2()(A, inputs["targets"])[0])
    assert len(cache) == 1 and cache.size_bytes > 0


def test_solve_fn_is_used_on_a_miss_only(cache):
    calls = []

    def solve_fn():
        calls.append(1)
        return np.full((30, 2), 7.0), {"rmses": np.zeros(2)}

    for _ in range(3):
        X, _ = cache.solve(LstsqL2(), **make_inputs(), solve_fn=solve_fn)
    assert len(calls) == 1 and np.all(X == 7.0)


def test_structured_info_round_trips(cache):
    inputs = make_inputs()
    for solver in [LstsqDrop(), Lstsq()]:
        X1, info1 = cache.solve(solver, **inputs)
        X2, info2 = cache.solve(solver, **inputs)
        np.testing.assert_array_equal(X1, X2)
        assert repr(info1) == repr(info2)  # nested dicts, lists, numpy scalars, arrays


def test_different_inputs_give_different_keys(cache):
    base = dict(make_inputs(), solver=LstsqL2())
    keys = {cache.key(**base)}
    variants = [
        dict(solver=LstsqL2(reg=0.2)), dict(solver=LstsqL2(weights=True)),
        dict(solver=Lstsq()), dict(neuron_type=RateLIF(tau_rc=0.03)),
        dict(gain=base["gain"] * (1 + 1e-15)), dict(bias=base["bias"][::-1].copy()),
        dict(x=base["x"].astype(np.float32)), dict(x=base["x"].reshape(100, 60)),
        dict(targets=base["targets"][:, :1]), dict(E=np.ones((2, 4))),
    ]
    for change in variants:
        keys.add(cache.key(**dict(base, **change)))
    assert len(keys) == len(variants) + 1
    assert cache.key(**base) == cache.key(**dict(make_inputs(), solver=LstsqL2()))


def test_rng_state_is_part_of_the_key_only_for_stochastic_solvers(cache):
    inputs = make_inputs()
    assert cache.key(LstsqL2(), **inputs, rng=np.random.RandomState(1)) == cache.key(
        LstsqL2(), **inputs, rng=np.random.RandomState(2))
    assert cache.key(LstsqNoise(), **inputs, rng=np.random.RandomState(1)) != cache.key(
        LstsqNoise(), **inputs, rng=np.random.RandomState(2))
    assert cache.key(LstsqNoise(), **inputs, rng=np.random.default_rng(1)) != cache.key(
        LstsqNoise(), **inputs, rng=np.random.default_rng(2))


@pytest.mark.parametrize("make_rng", [np.random.RandomState, np.random.default_rng])
def test_stochastic_hit_restores_the_rng_state(cache, make_rng):
    inputs = make_inputs()
    rng = make_rng(5)
    X1, _ = cache.solve(LstsqNoise(), **inputs, rng=rng)
    after_solve = rng.normal(size=3)
    rng = make_rng(5)
    X2, _ = cache.solve(LstsqNoise(), **inputs, rng=rng)
    assert cache.hits == 1
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(rng.normal(size=3), after_solve)


def test_environment_variable_disables(cache, monkeypatch):
    monkeypatch.setenv("NEFSIM_DECODER_CACHE", "0")
    assert cache.enabled  # an explicit enabled=True wins over the environment
    env_cache = DecoderCache(cache_dir=cache.cache_dir)
    assert not env_cache.enabled
    solver = SpySolver()
    env_cache.solve(solver, **make_inputs())
    env_cache.solve(solver, **make_inputs())
    assert len(solver._calls) == 2 and len(env_cache) == 0
    assert not os.path.exists(env_cache.cache_dir)
    monkeypatch.setenv("NEFSIM_DECODER_CACHE", "1")
    assert env_cache.enabled


def test_default_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("NEFSIM_CACHE_DIR", str(tmp_path / "here"))
    assert DecoderCache().cache_dir == str(tmp_path / "here")
    monkeypatch.delenv("NEFSIM_CACHE_DIR")
    assert default_cache_dir().endswith(os.path.join(".cache", "nefsim", "decoders"))


def test_nosolver_is_never_cached(cache):
    X, _ = cache.solve(NoSolver(np.ones((30, 2))), **make_inputs())
    assert len(cache) == 0 and np.all(X == 1)


def test_unfingerprintable_solver_is_not_cached(cache):
    class Opaque:  # repr shows a memory address: no stable key
        def __call__(self, A, Y, sigma, rng=None):
            return np.linalg.lstsq(A, Y, rcond=None)[0], {"rmses": np.zeros(Y.shape[1])}

    assert fingerprint(Opaque()) is None
    cache.solve(LstsqL2(solver=Opaque()), **make_inputs())
    assert len(cache) == 0


def test_size_limit_evicts_least_recently_used(cache):
    paths = []
    for seed in range(4):
        inputs = make_inputs(seed)
        cache.solve(LstsqL2(), **inputs)
        paths.append(os.path.join(cache.cache_dir,
                                  cache.key(LstsqL2(), **inputs) + ".npz"))
    now = time.time()
    for age, path in zip([400, 300, 200, 100], paths):  # entry 0 is the oldest
        os.utime(path, (now - age, now - age))
    cache.solve(LstsqL2(), **make_inputs(0))  # a hit makes entry 0 the newest
    entry_size = os.path.getsize(paths[1])
    cache.shrink(limit=2 * entry_size + entry_size // 2)
    assert [os.path.exists(p) for p in paths] == [True, False, False, True]
    assert cache.size_bytes <= 2 * entry_size + entry_size // 2
    cache.shrink(limit=0)
    assert len(cache) == 0


def test_writes_keep_the_cache_under_its_limit(tmp_path):
    small = DecoderCache(cache_dir=tmp_path, size_limit_bytes=4000, enabled=True)
    for seed in range(6):
        small.solve(LstsqL2(), **make_inputs(seed))
    assert 0 < small.size_bytes <= 4000


def test_invalidate_removes_only_cache_files(cache):
    for seed in range(3):
        cache.solve(LstsqL2(), **make_inputs(seed))
    other = os.path.join(cache.cache_dir, "notes.txt")
    with open(other, "w") as f:
        f.write("not ours")
    cache.invalidate()
    assert len(cache) == 0 and os.path.exists(other)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_damaged_entry_is_a_miss(cache, damage):
    inputs = make_inputs()
    X1, _ = cache.solve(LstsqL2(), **inputs)
    path = os.path.join(cache.cache_dir, cache.key(LstsqL2(), **inputs) + ".npz")
    data = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write({"truncate": data[: len(data) // 2], "garbage": b"\x00junk" * 50,
                 "empty": b""}[damage])
    calls = []

    def solve_fn():
        calls.append(1)
        assert not os.path.exists(path)  # the damaged file was deleted
        A = inputs["neuron_type"].rates(inputs["x"], inputs["gain"], inputs["bias"])
        return LstsqL2()(A, inputs["targets"])

    X2, _ = cache.solve(LstsqL2(), **inputs, solve_fn=solve_fn)
    assert calls == [1]  # solved again
    np.testing.assert_array_equal(X1, X2)
    X3, _ = cache.solve(LstsqL2(), **inputs, solve_fn=solve_fn)  # the entry was rewritten
    assert calls == [1]
    np.testing.assert_array_equal(X1, X3)


def test_unwritable_directory_warns_and_still_solves(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")  # a directory cannot be created below a regular file
    bad = DecoderCache(cache_dir=blocker / "decoders", enabled=True)
    inputs = make_inputs()
    with pytest.warns(CacheIOWarning, match="could not write"):
        X, info = bad.solve(LstsqL2(), **inputs)
    A = inputs["neuron_type"].rates(inputs["x"], inputs["gain"], inputs["bias"])
    np.testing.assert_array_equal(X, LstsqL2()(A, inputs["targets"])[0])
    assert len(bad) == 0 and bad.size_bytes == 0


def test_bad_arguments():
    with pytest.raises(ValidationError, match=r"DecoderCache\.size_limit_bytes"):
        DecoderCache(size_limit_bytes=-1)
    with pytest.raises(ValidationError, match=r"DecoderCache\.enabled"):
        DecoderCache(enabled="yes")


WRITER = textwrap.dedent("""
    import os
    import sys
    sys.path.insert(0, {tests_dir!r})
    from test_decoder_cache import make_inputs
    from nefsim.build.decoder_cache import DecoderCache
    from nefsim.solvers import LstsqL2

    cache = DecoderCache(cache_dir={cache_dir!r}, enabled=True)
    worker = int(sys.argv[1])
    for rep in range(5):
        for seed in (0, 1, 10 + worker):  # two keys shared by all workers, one own key
            cache.solve(LstsqL2(), **make_inputs(seed))
        if worker == 0 and rep == 2:  # delete the shared entries while others use them
            for seed in (0, 1):
                key = cache.key(LstsqL2(), **make_inputs(seed))
                cache._remove(os.path.join(cache.cache_dir, key + ".npz"))
""")


def test_concurrent_writers(tmp_path):
    cache_dir = str(tmp_path / "shared")
    script = WRITER.format(tests_dir=os.path.dirname(__file__), cache_dir=cache_dir)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
        + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    procs = [subprocess.Popen([sys.executable, "-c", script, str(i)], env=env,
                              stderr=subprocess.PIPE) for i in range(4)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    cache = DecoderCache(cache_dir=cache_dir, enabled=True)
    seeds = [0, 1, 10, 11, 12, 13]
    assert len(cache) == len(seeds)
    assert not [name for name in os.listdir(cache_dir) if name.startswith(".tmp-")]
    for seed in seeds:
        inputs = make_inputs(seed)
        X, _ = cache.solve(LstsqL2(), **inputs, solve_fn=pytest.fail)  # every entry loads
        A = inputs["neuron_type"].rates(inputs["x"], inputs["gain"], inputs["bias"])
        np.testing.assert_array_equal(X, LstsqL2()(A, inputs["targets"])[0])
