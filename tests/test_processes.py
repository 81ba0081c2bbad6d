"""Tests of nefsim.processes (and the Process base class) against Nengo and analytic values."""

import numpy as np
import pytest

import nefsim.dists
import nefsim.processes
from nefsim.dists import Gaussian, Uniform
from nefsim.exceptions import ReadonlyError, ValidationError
from nefsim.processes import (
    BrownNoise,
    FilteredNoise,
    Piecewise,
    PresentInput,
    Process,
    WhiteNoise,
    WhiteSignal,
)
from nefsim.synapses import Alpha, Lowpass


class Recorder(Process):
    """Returns t (and records the times and inputs it is called with)."""

    def make_step(self, shape_in, shape_out, dt, rng, state, offset=0.0):
        self.__dict__.setdefault("_calls", []).clear()
        calls = self._calls

        def step(t, x=None):
            calls.append((t, None if x is None else np.array(x)))
            return np.full(shape_out, t + offset)

        return step


# --------------------------------------------------------------------------------------
# Bitwise agreement with Nengo for the same rng
# --------------------------------------------------------------------------------------

PIECEWISE_KEYS = np.round(np.random.RandomState(0).uniform(0, 0.1, 30), 4)
HALF_STEP_KEYS = np.arange(0, 0.1, 0.0005)

CASES = {
    "white_signal": (lambda m, d: m.WhiteSignal(1.0, 5), dict(n_steps=2500, d=2)),
    "white_signal_y0": (lambda m, d: m.WhiteSignal(0.5, 20, rms=0.3, y0=0.1),
                        dict(n_steps=1200, d=3)),
    "white_signal_odd": (lambda m, d: m.WhiteSignal(0.0337, 100), dict(n_steps=100, d=3,
                                                                        dt=0.0005)),
    "white_signal_seed": (lambda m, d: m.WhiteSignal(1.0, 5, seed=3), dict(n_steps=100)),
    "white_noise": (lambda m, d: m.WhiteNoise(), dict(n_steps=100, d=3)),
    "white_noise_uniform": (lambda m, d: m.WhiteNoise(dist=d.Uniform(-1, 1), scale=False),
                            dict(n_steps=100, d=3, dt=0.002)),
    "filtered_noise": (lambda m, d: m.FilteredNoise(), dict(n_steps=100, d=3)),
    "brown_noise": (lambda m, d: m.BrownNoise(), dict(n_steps=100, d=3)),
    "present_input": (lambda m, d: m.PresentInput([[1, 2], [3, 4], [5, 6]], 0.0027),
                      dict(n_steps=100)),
    "present_input_3d": (lambda m, d: m.PresentInput(np.arange(12).reshape(3, 2, 2), 0.1),
                         dict(n_steps=1000)),
    "piecewise": (lambda m, d: m.Piecewise({k: i for i, k in enumerate(PIECEWISE_KEYS)}),
                  dict(n_steps=110)),
    "piecewise_half_steps": (lambda m, d: m.Piecewise(
        {k: i for i, k in enumerate(HALF_STEP_KEYS)}), dict(n_steps=110)),
    "piecewise_other_dt": (lambda m, d: m.Piecewise(
        {k: i for i, k in enumerate(HALF_STEP_KEYS)}), dict(n_steps=110, dt=0.0007)),
    "piecewise_callables": (lambda m, d: m.Piecewise({0: np.sin, 0.05: 2, 0.07: np.cos}),
                            dict(n_steps=100)),
    "piecewise_vectors": (lambda m, d: m.Piecewise({-1: [1, 2], 0.0025: [3, 4]}),
                          dict(n_steps=5)),
}
for _kind in ["linear", "nearest", "slinear", "quadratic", "cubic"]:
    CASES[f"piecewise_{_kind}"] = (
        lambda m, d, kind=_kind: m.Piecewise(
            {0: 0, 0.0035: [1], 0.005: 3, 0.0065: 2, 0.01: -1}, interpolation=kind),
        dict(n_steps=12))


@pytest.mark.parametrize("name", sorted(CASES))
def test_run_steps_matches_nengo_bitwise(name):
    nengo = pytest.importorskip("nengo")
    make, kwargs = CASES[name]
    expected = make(nengo.processes, nengo.dists).run_steps(
        rng=np.random.RandomState(7), **kwargs)
    actual = make(nefsim.processes, nefsim.dists).run_steps(
        rng=np.random.RandomState(7), **kwargs)
    assert actual.shape == expected.shape
    assert np.array_equal(actual, expected)


def test_filtered_noise_alpha_matches_nengo():
    nengo = pytest.importorskip("nengo")
    kwargs = dict(n_steps=300, d=2, dt=0.0005)
    expected = nengo.processes.FilteredNoise(synapse=nengo.Alpha(0.003)).run_steps(
        rng=np.random.RandomState(1), **kwargs)
    actual = FilteredNoise(synapse=Alpha(0.003)).run_steps(rng=np.random.RandomState(1),
                                                           **kwargs)
    assert np.allclose(actual, expected, rtol=0, atol=1e-13 * np.abs(expected).max())


def test_time_helpers_match_nengo():
    nengo = pytest.importorskip("nengo")
    theirs, ours = nengo.processes.WhiteNoise(), WhiteNoise()
    for dt in [0.001, 0.0007]:
        assert np.array_equal(ours.ntrange(1234, dt=dt), theirs.ntrange(1234, dt=dt))
        for t in [0.5, 0.0015, 0.0025, 0.0035, 1.2345]:
            assert np.array_equal(ours.trange(t, dt=dt), theirs.trange(t, dt=dt))
            assert ours.run(t, dt=dt).shape == theirs.run(t, dt=dt).shape


# --------------------------------------------------------------------------------------
# Process base class
# --------------------------------------------------------------------------------------


def test_run_steps_times_and_kwargs():
    proc = Recorder(default_size_out=2)
    out = proc.run_steps(4, dt=0.25, offset=10.0)
    assert out.shape == (4, 2)
    assert np.array_equal(out[:, 0], 10.0 + np.array([0.25, 0.5, 0.75, 1.0]))
    assert [x for _, x in proc._calls] == [None] * 4
    assert proc.run(1.0, d=3).shape == (1000, 3)
    assert np.allclose(proc.run(0.003)[:, 0], [0.001, 0.002, 0.003], rtol=0, atol=0)


def test_apply_feeds_rows_and_copy():
    proc = Recorder(default_size_in=1, default_size_out=1)
    x = np.arange(3.0)[:, None]
    out = proc.apply(x)
    assert np.array_equal(out[:, 0], [0.001, 0.002, 0.003]) and np.array_equal(x[:, 0],
                                                                                [0, 1, 2])
    assert [float(x_i[0]) for _, x_i in proc._calls] == [0.0, 1.0, 2.0]
    same = proc.apply(x, copy=False)
    assert same is x and np.array_equal(x[:, 0], [0.001, 0.002, 0.003])


def test_rng_from_seed_or_from_given_rng():
    # a seeded process ignores the rng it is given
    a = WhiteNoise(seed=5).run_steps(10, rng=np.random.RandomState(1))
    b = WhiteNoise(seed=5).run_steps(10, rng=np.random.RandomState(2))
    assert np.array_equal(a, b)
    assert np.array_equal(a, np.random.RandomState(5).normal(size=(10, 1)) * (1 / np.sqrt(0.001)))
    # an unseeded one draws its seed from the rng
    c = WhiteNoise().run_steps(10, rng=np.random.RandomState(1))
    assert np.array_equal(c, WhiteNoise().run_steps(10, rng=np.random.RandomState(1)))
    assert not np.array_equal(c, WhiteNoise().run_steps(10, rng=np.random.RandomState(2)))
    # the global stream gives fresh noise each time
    assert not np.array_equal(WhiteNoise().run_steps(10), WhiteNoise().run_steps(10))


def test_process_defaults_equality_and_frozen():
    assert Process is nefsim.synapses.Process
    proc = Process()
    assert (proc.default_size_in, proc.default_size_out, proc.default_dt, proc.seed) == (
        0, 1, 0.001, None)
    assert proc.make_state((0,), (1,), 0.001) == {}
    with pytest.raises(NotImplementedError):
        proc.make_step((0,), (1,), 0.001, np.random, {})
    assert WhiteNoise() == WhiteNoise() and hash(WhiteNoise()) == hash(WhiteNoise())
    assert WhiteNoise() != WhiteNoise(scale=False)
    assert repr(WhiteNoise()) == "WhiteNoise()"
    assert repr(FilteredNoise()) == "FilteredNoise()"
    assert repr(FilteredNoise(synapse=0.01)) == "FilteredNoise(synapse=Lowpass(tau=0.01))"
    assert BrownNoise().synapse.method == "euler"
    with pytest.raises(ReadonlyError, match="seed"):
        WhiteNoise().seed = 3
    assert PresentInput([[1, 2, 3]], 0.1).default_size_out == 3
    assert Piecewise({0: [1, 2]}).default_size_out == 2
    assert Piecewise({0.5: lambda t: [t, t, t]}).default_size_out == 3


# --------------------------------------------------------------------------------------
# Analytic and statistical checks (no Nengo needed)
# --------------------------------------------------------------------------------------


def test_white_signal_spectrum_rms_and_period():
    dt, period, high, rms = 0.001, 1.0, 10.0, 0.4
    proc = WhiteSignal(period, high, rms=rms)
    y = proc.run_steps(2000, d=20, dt=dt, rng=np.random.RandomState(0))
    n = int(round(period / dt))
    assert np.allclose(y[:n], y[n:], rtol=0, atol=0)  # periodic
    spectrum = np.abs(np.fft.rfft(y[:n], axis=0))
    freqs = np.fft.rfftfreq(n, d=dt)
    assert np.all(spectrum[freqs > high] < 1e-10)
    assert np.all(spectrum[0] < 1e-10)  # no DC offset
    assert np.all(spectrum[(freqs > 0) & (freqs <= high)].mean(axis=0) > 1)
    assert np.sqrt(np.mean(y**2)) == pytest.approx(rms, rel=0.1)


def test_white_signal_y0_starts_at_closest_sample():
    proc = WhiteSignal(1.0, 5, y0=0.2)
    y = proc.run_steps(1000, d=3, rng=np.random.RandomState(4))
    plain = WhiteSignal(1.0, 5).run_steps(1000, d=3, rng=np.random.RandomState(4))
    for j in range(3):
        assert y[0, j] == plain[np.argmin(np.abs(plain[:, j] - 0.2)), j]
        assert abs(y[0, j] - 0.2) < 0.02
        assert np.array_equal(np.sort(y[:, j]), np.sort(plain[:, j]))  # a rotation


def test_white_noise_statistics():
    y = WhiteNoise(dist=Gaussian(0.5, 2.0), scale=True).run_steps(
        20000, d=2, dt=0.004, rng=np.random.RandomState(0))
    assert np.allclose(y.mean(axis=0), 0.5 / np.sqrt(0.004), rtol=0.05)
    assert np.allclose(y.std(axis=0), 2.0 / np.sqrt(0.004), rtol=0.03)
    u = WhiteNoise(dist=Uniform(-1, 1), scale=False).run_steps(
        1000, rng=np.random.RandomState(0))
    assert u.min() >= -1 and u.max() < 1


def test_filtered_and_brown_noise_are_filtered_white_noise():
    dt = 0.001
    white = WhiteNoise().run_steps(500, d=2, rng=np.random.RandomState(3))
    filtered = FilteredNoise(synapse=Lowpass(0.01)).run_steps(
        500, d=2, rng=np.random.RandomState(3))
    assert np.array_equal(filtered, Lowpass(0.01).filt(white, dt=dt))
    brown = BrownNoise().run_steps(500, d=2, rng=np.random.RandomState(3))
    assert np.allclose(brown, np.cumsum(white, axis=0) * dt, rtol=0, atol=1e-12)


def test_present_input_schedule():
    items = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    y = PresentInput(items, 0.003).run_steps(20)
    t = 0.001 * np.arange(1, 21)
    index = np.floor((t - 0.001) / 0.003 + 1e-7).astype(int) % 3
    assert np.array_equal(y, items[index])
    assert np.array_equal(PresentInput([1, 2, 3], 0.001).run_steps(4)[:, 0], [1, 2, 3, 1])


def test_piecewise_zero_hold_and_callables():
    # A piece starts at the step nearest to its time (float rounding decides the ties:
    # 0.001 + 0.0005 == 0.0015 is not past 0.0015, 0.004 + 0.0005 is past 0.0045).
    proc = Piecewise({0.0015: 1, 0.003: [2], 0.0045: lambda t: 10 * t})
    y = proc.run_steps(6)[:, 0]
    assert np.allclose(y, [0, 1, 2, 0.04, 0.05, 0.06], rtol=0, atol=1e-15)
    assert np.allclose(Piecewise({0: 0, 0.002: 4}, interpolation="linear").run_steps(3)[:, 0],
                       [2, 4, 0], rtol=0, atol=1e-14)


def test_piecewise_interpolation_with_callable_warns_and_holds():
    proc = Piecewise({0: np.sin, 0.002: 5}, interpolation="cubic")
    with pytest.warns(UserWarning, match="zero"):
        y = proc.run_steps(3)[:, 0]
    assert np.allclose(y, [np.sin(0.001), 5, 5], rtol=0, atol=0)


# --------------------------------------------------------------------------------------
# Bad inputs
# --------------------------------------------------------------------------------------


def _not_a_number(t):
    return "high"


@pytest.mark.parametrize("make_bad, attr", [
    (lambda: Process(default_size_in=-1), "default_size_in"),
    (lambda: Process(default_size_out=1.5), "default_size_out"),
    (lambda: Process(default_dt=0), "default_dt"),
    (lambda: Process(seed=-1), "seed"),
    (lambda: Process(seed=2**32), "seed"),
    (lambda: WhiteSignal(0, 5), "period"),
    (lambda: WhiteSignal(-1, 5), "period"),
    (lambda: WhiteSignal(1, 0.5), "high"),
    (lambda: WhiteSignal(1, 0), "high"),
    (lambda: WhiteSignal(1, 5, rms=0), "rms"),
    (lambda: WhiteSignal(1, 5, y0="a"), "y0"),
    (lambda: WhiteSignal(1, 600).run_steps(3), "high"),
    (lambda: WhiteSignal(1, 5).make_step((1,), (1,), 0.001, np.random, {}), "shape_in"),
    (lambda: WhiteNoise(dist=3), "dist"),
    (lambda: WhiteNoise(scale=3), "scale"),
    (lambda: WhiteNoise().apply(np.ones((3, 1))), "shape_in"),
    (lambda: FilteredNoise(synapse="slow"), "synapse"),
    (lambda: FilteredNoise(synapse=None), "synapse"),
    (lambda: FilteredNoise(synapse=-0.1), "synapse"),
    (lambda: BrownNoise(dist=[1, 2]), "dist"),
    (lambda: PresentInput([[1, 2], [3]], 0.1), "inputs"),
    (lambda: PresentInput([], 0.1), "inputs"),
    (lambda: PresentInput(1.0, 0.1), "inputs"),
    (lambda: PresentInput([[1, np.nan]], 0.1), "inputs"),
    (lambda: PresentInput([1], 0), "presentation_time"),
    (lambda: PresentInput([[1, 2]], 0.1).run_steps(2, d=3), "shape_out"),
    (lambda: Piecewise([1, 2]), "data"),
    (lambda: Piecewise({}), "data"),
    (lambda: Piecewise({"a": 1}), "data"),
    (lambda: Piecewise({0: "x"}), "data"),
    (lambda: Piecewise({0: [1, 2], 0.002: [3, 4, 5]}), "data"),
    (lambda: Piecewise({0: lambda t: [1, 2, 3], 0.1: [1, 2]}), "data"),
    (lambda: Piecewise({0: _not_a_number}), "data"),
    (lambda: Piecewise({0: 1}, interpolation="foo"), "interpolation"),
    (lambda: Piecewise({0: [1, 2]}).run_steps(2, d=3), "shape_out"),
    (lambda: WhiteNoise().run_steps(-1), "n_steps"),
])
def test_bad_inputs(make_bad, attr):
    with pytest.raises(ValidationError) as info:
        make_bad()
    assert info.value.attr == attr
    assert attr in str(info.value)


def test_error_messages_say_what_to_do():
    with pytest.raises(ValidationError, match=r"WhiteSignal\.high: .*1/period = 2"):
        WhiteSignal(0.5, 1)
    with pytest.raises(ValidationError, match=r"Nyquist .*500"):
        WhiteSignal(1, 600).run_steps(3)
    with pytest.raises(ValidationError, match=r"Piecewise\.data: .*time 0\.002 has size 3"):
        Piecewise({0: [1, 2], 0.002: [3, 4, 5]})
