"""Tests of nefsim.synapses: the state-space kernels against Nengo, filt, validation."""

import warnings

import numpy as np
import pytest

from nefsim.exceptions import ReadonlyError, ValidationError
from nefsim.synapses import (
    Alpha,
    LinearFilter,
    Lowpass,
    Synapse,
    Triangle,
    as_synapse,
    filter_kind,
    filter_step,
    lowpass_bank_step,
)

# (constructor args, expected kernel kind); the same args build the nefsim and Nengo object.
SYNAPSES = {
    "lowpass": ("Lowpass", (0.005,), {}, "onex"),
    "lowpass_slow": ("Lowpass", (0.0123,), {}, "onex"),
    "lowpass_zero": ("Lowpass", (0.0,), {}, "nox"),
    "alpha": ("Alpha", (0.01,), {}, "nod"),
    "alpha_fast": ("Alpha", (0.0031,), {}, "nod"),
    "feedthrough": ("LinearFilter", ([1, 2], [1, 3]), {}, "general"),
    "feedthrough_2nd": ("LinearFilter", ([1, 0, 3], [1e-3, 0.2, 3, 1]),
                        {"method": "backward_diff"}, "general"),
    "bilinear": ("LinearFilter", ([1], [0.01, 1]), {"method": "bilinear"}, "general"),
    "integrator": ("LinearFilter", ([1], [1, 0]), {"method": "euler"}, "onex"),
    "gain": ("LinearFilter", ([3], [2]), {}, "nox"),
    "leading_zeros": ("LinearFilter", ([0, 1], [0, 0.01, 1]), {}, "onex"),
    "discrete_1st": ("LinearFilter", ([0.5], [1, -0.5]), {"analog": False}, "onex"),
    "discrete_2nd": ("LinearFilter", ([1, 0.3], [1, -0.2, 0.05]), {"analog": False}, "nod"),
    "discrete_ft": ("LinearFilter", ([0.2, 0.3], [1, -0.4]), {"analog": False}, "general"),
    "triangle": ("Triangle", (0.003,), {}, "general"),
    "triangle_long": ("Triangle", (0.0104,), {}, "general"),
    "triangle_short": ("Triangle", (0.0004,), {}, "nox"),
}
DTS = [0.001, 0.0005, 0.002]


def make(module, name):
    cls, args, kwargs, _ = SYNAPSES[name]
    return getattr(module, cls)(*args, **kwargs)


def run_kernel(synapse, u, dt):
    """Step ``filter_step`` over the rows of ``u``; row k is the output after input k."""
    A, B, C, D = synapse.state_space(dt)
    X = np.zeros((A.shape[0], u.shape[1]))
    out = np.empty_like(u)
    for k, u_k in enumerate(u):
        out[k], X = filter_step(A, B, C, D, X, u_k)
    return out


def run_nengo_step(synapse, u, dt):
    """Nengo's own step function for ``synapse`` over the rows of ``u``."""
    shape = u.shape[1:]
    step = synapse.make_step(shape, shape, dt, None, synapse.make_state(shape, shape, dt))
    return np.array([np.array(step(0.0, u_k)).reshape(-1) for u_k in u])


@pytest.fixture(scope="module")
def signal():
    return np.random.RandomState(0).randn(300, 3)


# --------------------------------------------------------------------------------------
# The kernel against Nengo
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SYNAPSES))
def test_kind(name):
    import nefsim.synapses as ours

    A, B, C, D = make(ours, name).state_space(0.001)
    assert filter_kind(A, B, C, D) == SYNAPSES[name][3]
    k = A.shape[0]
    assert (A.shape, B.shape, C.shape, D.shape) == ((k, k), (k, 1), (1, k), (1, 1))
    assert all(m.dtype == np.float64 for m in (A, B, C, D))


@pytest.mark.filterwarnings("ignore::UserWarning")  # Nengo's BadCoefficients
@pytest.mark.parametrize("dt", DTS)
@pytest.mark.parametrize("name", sorted(SYNAPSES))
def test_kernel_matches_nengo(name, dt, signal):
    nengo = pytest.importorskip("nengo")
    import nefsim.synapses as ours

    expected = run_nengo_step(make(nengo.synapses, name), signal, dt)
    actual = run_kernel(make(ours, name), signal, dt)
    # Nengo discretizes with its vendored (older) scipy routines, which can differ from
    # current scipy in the last bit of a coefficient; the recurrences are the same.
    assert np.abs(actual - expected).max() <= 1e-13 * np.abs(expected).max()


@pytest.mark.parametrize("dt", DTS)
@pytest.mark.parametrize("tau", [0.005, 0.0123, 0.1])
def test_lowpass_recurrence_is_nengos_exactly(tau, dt, signal):
    """Given Nengo's discretized coefficients, the kernel reproduces Nengo bit for bit."""
    nengo = pytest.importorskip("nengo")
    from nengo.utils.filter_design import cont2discrete, tf2ss

    A, B, C, _, _ = cont2discrete(tf2ss([1.0], [tau, 1.0]), dt, method="zoh")
    a, b = A[0, 0], C[0, 0] * B[0, 0]
    X = np.zeros((1, 3))
    ours = []
    for u_k in signal:
        y, X = filter_step(np.array([[a]]), np.array([[b]]), np.ones((1, 1)),
                           np.zeros((1, 1)), X, u_k)
        ours.append(y)
    expected = run_nengo_step(nengo.Lowpass(tau), signal, dt)
    assert np.array_equal(np.array(ours), expected)
    # and our own coefficients are within an ulp of Nengo's
    ours_A, ours_B, ours_C, _ = Lowpass(tau).state_space(dt)
    assert ours_C[0, 0] == 1.0
    assert abs(ours_A[0, 0] - a) <= 2.3e-16 and abs(ours_B[0, 0] - b) <= 2.3e-16


@pytest.mark.parametrize("name", ["lowpass", "alpha", "feedthrough", "triangle"])
def test_simulation_delay_matches_nengo(name):
    """In a Nengo model Node -> Connection(synapse) -> Node, the consumer reads the
    kernel's output one step after the input that produced it."""
    nengo = pytest.importorskip("nengo")
    import nefsim.synapses as ours

    dt, n_steps = 0.001, 60

    def u(t):
        return [np.sin(40 * t), np.cos(90 * t) + 2 * t]

    with nengo.Network() as net:
        stim = nengo.Node(u)
        post = nengo.Node(size_in=2)
        nengo.Connection(stim, post, synapse=make(nengo.synapses, name))
        probe = nengo.Probe(post)
    with nengo.Simulator(net, dt=dt, progress_bar=False) as sim:
        sim.run_steps(n_steps)
    inputs = np.array([u(t) for t in dt * np.arange(1, n_steps + 1)])
    outputs = run_kernel(make(ours, name), inputs, dt)
    expected = np.vstack([np.zeros((1, 2)), outputs[:-1]])
    assert np.allclose(sim.data[probe], expected, rtol=0, atol=1e-13)


def test_step_input_reaches_one_minus_a_after_one_step():
    dt, tau = 0.001, 0.01
    A, B, C, D = Lowpass(tau).state_space(dt)
    a = np.exp(-dt / tau)
    X = np.zeros((1, 1))
    y1, X = filter_step(A, B, C, D, X, np.ones(1))
    y2, X = filter_step(A, B, C, D, X, np.ones(1))
    assert y1[0] == pytest.approx(1 - a, rel=1e-14, abs=0)
    assert y2[0] == pytest.approx(1 - a**2, rel=1e-14, abs=0)
    # a zero time constant still passes the input through the same kernel
    A0, B0, C0, D0 = Lowpass(0).state_space(dt)
    assert filter_step(A0, B0, C0, D0, np.zeros((0, 1)), np.array([2.5]))[0][0] == 2.5


def test_lowpass_bank_matches_filter_step(signal):
    dt = 0.001
    taus = [0.002, 0.005, 0.1]
    coefs = [Lowpass(tau).state_space(dt) for tau in taus]
    a = np.array([c[0][0, 0] for c in coefs])
    b = np.array([c[1][0, 0] for c in coefs])
    y = np.zeros(3)
    banked = []
    for u_k in signal:
        y = lowpass_bank_step(a, b, y, u_k)
        banked.append(y)
    separate = np.column_stack(
        [run_kernel(Lowpass(tau), signal[:, i:i + 1], dt)[:, 0] for i, tau in enumerate(taus)])
    assert np.array_equal(np.array(banked), separate)


@pytest.mark.parametrize("name", ["lowpass", "alpha", "feedthrough", "gain"])
def test_kernel_batch_axis_and_purity(name, signal):
    """Leading batch axes give the same result per batch; inputs are never written."""
    import nefsim.synapses as ours

    A, B, C, D = make(ours, name).state_space(0.001)
    k = A.shape[0]
    X = np.random.RandomState(1).randn(2, 4, k, 3)
    u = np.random.RandomState(2).randn(2, 4, 3)
    X.setflags(write=False)
    u.setflags(write=False)
    y, X_new = filter_step(A, B, C, D, X, u)
    assert y.shape == (2, 4, 3) and X_new.shape == X.shape
    for i in range(2):
        for j in range(4):
            y_ij, X_ij = filter_step(A, B, C, D, X[i, j], u[i, j])
            assert np.allclose(y[i, j], y_ij, rtol=1e-15, atol=1e-15)
            assert np.allclose(X_new[i, j], X_ij, rtol=1e-15, atol=1e-15)


def test_kernel_keeps_float32():
    A, B, C, D = Alpha(0.01).state_space(0.001)
    y, X = filter_step(A, B, C, D, np.zeros((2, 3), np.float32), np.ones(3, np.float32))
    assert y.dtype == np.float32 and X.dtype == np.float32


def test_kernel_with_jax():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    for synapse in [Lowpass(0.005), Alpha(0.01), LinearFilter([1, 2], [1, 3])]:
        A, B, C, D = synapse.state_space(0.001)
        kind = filter_kind(A, B, C, D)
        u = np.linspace(-1, 1, 5).astype(np.float32)
        X = np.zeros((A.shape[0], 5), np.float32)
        step = jax.jit(lambda X, u: filter_step(A, B, C, D, X, u, xp=jnp, kind=kind))
        y_np, _ = filter_step(A, B, C, D, X, u)
        y_jax, _ = step(jnp.asarray(X), jnp.asarray(u))
        assert np.allclose(np.asarray(y_jax), y_np, rtol=1e-6)


def test_triangle_is_a_normalized_ramp():
    dt = 0.001
    A, B, C, D = Triangle(0.003).state_space(dt)
    weights = np.concatenate([D[0], C[0]])
    assert np.allclose(weights, np.array([4, 3, 2, 1]) / 10, rtol=0, atol=1e-16)
    impulse = np.zeros((6, 1))
    impulse[0] = 1
    assert np.allclose(run_kernel(Triangle(0.003), impulse, dt)[:, 0],
                       [0.4, 0.3, 0.2, 0.1, 0, 0], rtol=0, atol=1e-16)


# --------------------------------------------------------------------------------------
# make_state / make_step (Nengo's process API)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["lowpass", "alpha", "feedthrough", "discrete_1st",
                                  "triangle"])
def test_make_state_y0_matches_nengo(name, signal):
    """Started at y0, the filter's outputs equal Nengo's for the same inputs."""
    nengo = pytest.importorskip("nengo")
    import nefsim.synapses as ours

    y0 = np.array([0.5, -1.5, 2.0])
    theirs, mine = make(nengo.synapses, name), make(ours, name)
    outputs = []
    for synapse in (theirs, mine):
        state = synapse.make_state((3,), (3,), 0.001, y0=y0 if name != "triangle" else 0.7)
        step = synapse.make_step((3,), (3,), 0.001, None, state)
        outputs.append(np.array([np.array(step(0.0, u_k)).reshape(-1) for u_k in signal[:50]]))
    assert np.allclose(outputs[1], outputs[0], rtol=0, atol=1e-12)


def test_make_state_y0_is_a_steady_state():
    for synapse in [Lowpass(0.01), Alpha(0.02), LinearFilter([1, 2], [1, 3]), Triangle(0.004)]:
        A, B, C, D = synapse.state_space(0.001)
        dc_gain = (C @ np.linalg.solve(np.eye(len(A)) - A, B) + D)[0, 0]
        state = synapse.make_state((2,), (2,), 0.001, y0=[1.0, -2.0])
        step = synapse.make_step((2,), (2,), 0.001, None, state)
        for _ in range(5):
            y = step(0.0, np.array([1.0, -2.0]) / dc_gain)
            assert np.allclose(y, [1.0, -2.0], rtol=0, atol=1e-12)


def test_make_step_multidimensional_shape():
    synapse = Lowpass(0.01)
    state = synapse.make_state((2, 3), (2, 3), 0.001)
    assert state["X"].shape == (1, 6)
    step = synapse.make_step((2, 3), (2, 3), 0.001, None, state)
    y = step(0.0, np.ones((2, 3)))
    assert y.shape == (2, 3)
    assert np.allclose(y, 1 - np.exp(-0.1), rtol=1e-14)


# --------------------------------------------------------------------------------------
# filt / filtfilt
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["lowpass", "alpha", "feedthrough", "discrete_2nd",
                                  "triangle"])
@pytest.mark.parametrize("options", [{}, {"y0": 0.5}, {"dt": 0.002}, {"filtfilt": True}])
def test_filt_matches_nengo_2d(name, options, signal):
    nengo = pytest.importorskip("nengo")
    import nefsim.synapses as ours

    if name == "triangle" and "y0" in options:
        pytest.skip("Nengo's Triangle.make_state fails on the per-channel y0 that filt makes")
    expected = make(nengo.synapses, name).filt(signal, **options)
    actual = make(ours, name).filt(signal, **options)
    assert np.allclose(actual, expected, rtol=0, atol=1e-12 * np.abs(expected).max())


def test_filt_axis_y0_vector_and_nd(signal):
    nengo = pytest.importorskip("nengo")
    y0 = np.array([1.0, -1.0, 3.0])
    expected = nengo.Alpha(0.01).filt(signal.T, axis=1, y0=y0)
    assert np.allclose(Alpha(0.01).filt(signal.T, axis=1, y0=y0), expected,
                       rtol=0, atol=1e-12)
    x3 = np.random.RandomState(3).randn(4, 50, 2)
    expected = nengo.Lowpass(0.01).filt(x3, axis=1)
    assert np.allclose(Lowpass(0.01).filt(x3, axis=1), expected, rtol=0, atol=1e-13)
    assert np.allclose(Lowpass(0.01).filt(x3, axis=-2), expected, rtol=0, atol=1e-13)


def test_filt_1d_equals_column(signal):
    x = signal[:, 0]
    for synapse in [Lowpass(0.01), Triangle(0.005), LinearFilter([1, 2], [1, 3])]:
        y = synapse.filt(x)
        assert y.shape == x.shape
        assert np.array_equal(y, synapse.filt(x[:, None])[:, 0])
        assert np.array_equal(synapse.filtfilt(x), synapse.filt(x, filtfilt=True))


def test_filt_analytic_step_response():
    tau, dt = 0.02, 0.001
    t = dt * np.arange(1, 201)
    y = Lowpass(tau).filt(np.ones(200), dt=dt)
    assert np.allclose(y, 1 - np.exp(-t / tau), rtol=0, atol=1e-13)


def test_filt_copy_and_dtype():
    x = np.ones((5, 2))
    y = Lowpass(0.01).filt(x)
    assert y is not x and np.all(x == 1)
    z = Lowpass(0.01).filt(x, copy=False)
    assert z is x and np.allclose(x[:, 0], Lowpass(0.01).filt(np.ones(5)))
    ints = Lowpass(0.01).filt(np.ones(4, dtype=int))
    assert ints.dtype == np.float64 and ints[0] == pytest.approx(1 - np.exp(-0.1))


def test_apply_equals_filt(signal):
    synapse = Alpha(0.005)
    assert np.array_equal(synapse.apply(signal, d=3), synapse.filt(signal))


# --------------------------------------------------------------------------------------
# evaluate, combine, as_synapse, object behaviour
# --------------------------------------------------------------------------------------


def test_evaluate():
    nengo = pytest.importorskip("nengo")
    f = np.array([0.0, 1.0, 10.0, 100.0, 0.013])
    assert np.allclose(Lowpass(0.01).evaluate(f), 1 / (0.01 * 2j * np.pi * f + 1), rtol=1e-14)
    for args, kwargs in [(([1, 2], [1, 3]), {}), (([1, 0.3], [1, -0.2, 0.05]),
                                                  {"analog": False})]:
        expected = nengo.LinearFilter(*args, **kwargs).evaluate(f)
        assert np.allclose(LinearFilter(*args, **kwargs).evaluate(f), expected, rtol=1e-14)


def test_combine():
    combined = Lowpass(0.01).combine(Alpha(0.02))
    assert type(combined) is LinearFilter and combined.analog
    assert np.allclose(combined.den, np.polymul([0.01, 1], [4e-4, 0.04, 1]), rtol=1e-15)
    f = np.array([0.0, 3.0, 30.0, 300.0])
    assert np.allclose(combined.evaluate(f),
                       Lowpass(0.01).evaluate(f) * Alpha(0.02).evaluate(f), rtol=1e-14)
    assert LinearFilter([1], [1, 0]).combine(Lowpass(0.1)).method == "zoh"
    assert LinearFilter([1], [1, 0], method="euler").combine(Lowpass(0.1)).method == "euler"
    digital = LinearFilter([1], [1, 0.5], analog=False).combine(
        LinearFilter([1], [1, 0.2], analog=False))
    assert not digital.analog and np.allclose(digital.den, [1, 0.7, 0.1])
    # Digital filters combine exactly in the time domain, up to Nengo's convention for
    # strictly proper filters: the input is advanced one step (y = C(Ax + Bu)), so each
    # filter of the chain takes one step off the delay, and the combined one only one.
    x = np.random.RandomState(4).randn(100)
    chained = LinearFilter([1], [1, 0.2], analog=False).filt(
        LinearFilter([1], [1, 0.5], analog=False).filt(x))
    assert np.allclose(digital.filt(x)[1:], chained[:-1], rtol=0, atol=1e-12)


def test_as_synapse():
    assert as_synapse(None, "synapse", None) is None
    lp = Lowpass(0.01)
    assert as_synapse(lp, "synapse", None) is lp
    assert as_synapse(0.02, "synapse", None) == Lowpass(0.02)
    assert as_synapse(np.float32(0.5), "synapse", None) == Lowpass(float(np.float32(0.5)))
    assert as_synapse(0, "synapse", None) == Lowpass(0)


def test_equality_repr_and_frozen():
    assert Lowpass(0.01) == Lowpass(0.01) and hash(Lowpass(0.01)) == hash(Lowpass(0.01))
    assert Lowpass(0.01) != Lowpass(0.02)
    assert Lowpass(0.01) != LinearFilter([1], [0.01, 1])
    assert repr(Lowpass(0.01)) == "Lowpass(tau=0.01)"
    assert repr(Triangle(0.1)) == "Triangle(t=0.1)"
    assert "method='euler'" in repr(LinearFilter([1], [1, 0], method="euler"))
    with pytest.raises(ReadonlyError, match="tau"):
        Lowpass(0.01).tau = 0.02
    assert Synapse().default_size_out == 1
    assert Synapse().state_space(0.001) is None
    assert Lowpass(0.01).default_size_in == 1 == Lowpass(0.01).default_size_out


# --------------------------------------------------------------------------------------
# Bad inputs
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("make_bad, attr", [
    (lambda: Lowpass(-0.01), "tau"),
    (lambda: Alpha(-1), "tau"),
    (lambda: Triangle(-0.1), "t"),
    (lambda: Lowpass("fast"), "tau"),
    (lambda: LinearFilter([1], [0, 0]), "den"),
    (lambda: LinearFilter([1], []), "den"),
    (lambda: LinearFilter([], [1, 1]), "num"),
    (lambda: LinearFilter([1, 2], [1]), "num"),
    (lambda: LinearFilter([1, 2, 3], [0, 1, 2]), "num"),
    (lambda: LinearFilter([1], [1, np.nan]), "den"),
    (lambda: LinearFilter([[1]], [1, 1]), "num"),
    (lambda: LinearFilter([1], [1, 1], method="foh"), "method"),
    (lambda: LinearFilter([1], [1, 1], method="gbt"), "method"),
    (lambda: LinearFilter([1], [1, 1], analog=1), "analog"),
    (lambda: Lowpass(0.01, default_dt=0), "default_dt"),
    (lambda: Lowpass(0.01, seed=-3), "seed"),
    (lambda: as_synapse("slow", "synapse", None), "synapse"),
    (lambda: as_synapse(-0.1, "synapse", None), "synapse"),
    (lambda: as_synapse(True, "synapse", None), "synapse"),
    (lambda: Lowpass(0.01).combine(Triangle(0.01)), "obj"),
    (lambda: Lowpass(0.01).combine(LinearFilter([1], [1, 0.5], analog=False)), "obj"),
    (lambda: LinearFilter([1], [1, 0]).make_state((1,), (1,), 0.001, y0=1.0), "y0"),
    (lambda: LinearFilter([1, 0], [1, 1]).make_state((1,), (1,), 0.001, y0=1.0), "y0"),
    (lambda: Lowpass(0.01).make_state((2,), (3,), 0.001), "shape_out"),
    (lambda: Lowpass(0.01).state_space(0), "dt"),
    (lambda: Lowpass(1e-300).state_space(0.001), "dt"),
    (lambda: Lowpass(0.01).filt(np.ones(3), axis=1), "axis"),
])
def test_bad_inputs(make_bad, attr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValidationError) as info:
            make_bad()
    assert info.value.attr == attr
    assert attr in str(info.value)


def test_error_message_names_object_and_value():
    with pytest.raises(ValidationError, match=r"Lowpass\.tau: .*-0\.01"):
        Lowpass(-0.01)
    with pytest.raises(ValidationError, match=r"LinearFilter\.num: .*improper"):
        LinearFilter([1, 2], [1])


def test_zero_numerator_is_allowed():
    zero = LinearFilter([0], [0.01, 1])
    assert filter_kind(*zero.state_space(0.001)) == "nox"
    assert np.all(zero.filt(np.ones(5)) == 0)
