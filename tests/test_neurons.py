"""Tests for nefsim.neurons: Nengo 4.1 is the oracle for rates, gains, biases and steps."""

import warnings

import numpy as np
import pytest

from nefsim.dists import Choice, Uniform
from nefsim.exceptions import BuildError, SimulationError, ValidationError
from nefsim.neurons import (
    LIF,
    AdaptiveLIF,
    AdaptiveLIFRate,
    Direct,
    Izhikevich,
    LIFRate,
    NeuronType,
    PoissonSpiking,
    RatesToSpikesNeuronType,
    RectifiedLinear,
    RegularSpiking,
    Sigmoid,
    SpikingRectifiedLinear,
    StochasticSpiking,
    Tanh,
)

DT = 0.001


def import_nengo():
    return pytest.importorskip("nengo")


# (nefsim constructor, nengo constructor name, kwargs, base (name, kwargs) or None,
#  range of valid max_rates)
CASES = {
    "LIF": (LIF, "LIF", {}, None, (50, 400)),
    "LIF-custom": (LIF, "LIF", dict(tau_rc=0.05, tau_ref=0.004, min_voltage=-1,
                                    amplitude=0.3), None, (20, 240)),
    "LIFRate": (LIFRate, "LIFRate", dict(amplitude=2.0), None, (50, 400)),
    "AdaptiveLIF": (AdaptiveLIF, "AdaptiveLIF", dict(tau_n=0.1, inc_n=0.5), None, (50, 400)),
    "AdaptiveLIFRate": (AdaptiveLIFRate, "AdaptiveLIFRate", dict(tau_n=0.1, inc_n=0.5),
                        None, (50, 400)),
    "RectifiedLinear": (RectifiedLinear, "RectifiedLinear", dict(amplitude=2.0), None,
                        (50, 400)),
    "SpikingRectifiedLinear": (SpikingRectifiedLinear, "SpikingRectifiedLinear",
                               dict(amplitude=0.5), None, (50, 400)),
    "Sigmoid": (Sigmoid, "Sigmoid", {}, None, (210, 390)),
    "Tanh": (Tanh, "Tanh", dict(tau_ref=0.003), None, (50, 320)),
    "Izhikevich": (Izhikevich, "Izhikevich", {}, None, (20, 100)),
    "Izhikevich-custom": (Izhikevich, "Izhikevich", dict(tau_recovery=0.1, coupling=0.25,
                                                         reset_voltage=-60,
                                                         reset_recovery=2), None, (20, 100)),
    "RegularSpiking-LIFRate": (RegularSpiking, "RegularSpiking", {}, ("LIFRate", {}),
                               (50, 400)),
    "RegularSpiking-Tanh": (RegularSpiking, "RegularSpiking", dict(amplitude=0.5),
                            ("Tanh", {}), (50, 390)),
    "RegularSpiking-AdaptiveLIFRate": (RegularSpiking, "RegularSpiking", {},
                                       ("AdaptiveLIFRate", dict(inc_n=0.3)), (50, 400)),
    "StochasticSpiking-Tanh": (StochasticSpiking, "StochasticSpiking", {}, ("Tanh", {}),
                               (50, 390)),
    "StochasticSpiking-AdaptiveLIFRate": (StochasticSpiking, "StochasticSpiking",
                                          dict(amplitude=2.0),
                                          ("AdaptiveLIFRate", dict(inc_n=0.3)), (50, 400)),
    "PoissonSpiking-Tanh": (PoissonSpiking, "PoissonSpiking", {}, ("Tanh", {}), (50, 390)),
    "PoissonSpiking-LIFRate": (PoissonSpiking, "PoissonSpiking", dict(amplitude=2.0),
                               ("LIFRate", {}), (50, 400)),
}

STOCHASTIC = ("StochasticSpiking", "PoissonSpiking")


def make_pair(name):
    """The same neuron type in nefsim and in nengo."""
    nengo = import_nengo()
    ours_cls, theirs_name, kwargs, base, _ = CASES[name]
    theirs_cls = getattr(nengo, theirs_name)
    if base is None:
        return ours_cls(**kwargs), theirs_cls(**kwargs)
    base_name, base_kwargs = base
    ours_base = globals()[base_name](**base_kwargs)
    theirs_base = getattr(nengo, base_name)(**base_kwargs)
    return ours_cls(ours_base, **kwargs), theirs_cls(theirs_base, **kwargs)


def assert_close(actual, desired):
    np.testing.assert_allclose(actual, desired, rtol=1e-10, atol=1e-10)


# ----------------------------------------------------------------- Nengo as the oracle


@pytest.mark.nengo
@pytest.mark.parametrize("name", list(CASES))
def test_gain_bias_and_inverse_match_nengo(name):
    ours, theirs = make_pair(name)
    rng = np.random.RandomState(1)
    low, high = CASES[name][4]
    max_rates = rng.uniform(low, high, 20)
    intercepts = rng.uniform(-0.95, 0.9, 20)

    gain, bias = ours.gain_bias(max_rates, intercepts)
    ref_gain, ref_bias = theirs.gain_bias(max_rates, intercepts)
    assert_close(gain, ref_gain)
    assert_close(bias, ref_bias)

    rates, icpts = ours.max_rates_intercepts(ref_gain, ref_bias)
    ref_rates, ref_icpts = theirs.max_rates_intercepts(ref_gain, ref_bias)
    assert_close(rates, ref_rates)
    assert_close(icpts, ref_icpts)


@pytest.mark.parametrize("neuron_type", [LIF(tau_ref=0.003), LIFRate(), RectifiedLinear(),
                                         Sigmoid(), Tanh(), AdaptiveLIF()])
def test_closed_form_gain_bias_round_trips(neuron_type):
    rng = np.random.RandomState(2)
    max_rates = rng.uniform(210, 300, 30)
    intercepts = rng.uniform(-0.9, 0.9, 30)
    gain, bias = neuron_type.gain_bias(max_rates, intercepts)
    assert np.all(gain > 0)
    rates, icpts = neuron_type.max_rates_intercepts(gain, bias)
    np.testing.assert_allclose(rates, max_rates, rtol=1e-12)
    np.testing.assert_allclose(icpts, intercepts, atol=1e-12)


@pytest.mark.nengo
@pytest.mark.parametrize("name", list(CASES))
def test_rates_match_nengo(name):
    ours, theirs = make_pair(name)
    rng = np.random.RandomState(3)
    low, high = CASES[name][4]
    gain, bias = theirs.gain_bias(rng.uniform(low, high, 10), rng.uniform(-0.9, 0.9, 10))
    for x in (rng.uniform(-1.2, 1.2, (15, 10)), np.linspace(-1, 1, 7), 0.3):
        result = ours.rates(x, gain, bias)
        expected = theirs.rates(x, gain, bias)
        assert result.shape == expected.shape
        assert_close(result, expected)


def nengo_step(theirs, J, state, rng):
    """One Nengo step on (n,) arrays; mutates ``state`` like Nengo's SimNeurons does."""
    nengo = import_nengo()
    output = np.zeros_like(J)
    if not isinstance(theirs, nengo.neurons.RatesToSpikesNeuronType):
        theirs.step(DT, J, output, **state)
        return output
    # Nengo runs the base type into rate_out, then the spiker on rate_out.
    rate = np.zeros_like(J)
    theirs.base_type.step(DT, J, rate, **{k: state[k] for k in theirs.base_type.state})
    own = {k: state[k] for k in theirs.state}
    if isinstance(theirs, (nengo.StochasticSpiking, nengo.PoissonSpiking)):
        own["rng"] = rng
    theirs.step(DT, rate, output, **own)
    state["rate_out"] = rate
    return output


def random_currents(rng, n):
    J = rng.uniform(-2.0, 6.0, n)
    J[: n // 10] = rng.uniform(-40.0, 40.0, n // 10)  # far below threshold and very large
    J[n // 10: n // 5] = rng.uniform(0.9, 1.1, n // 5 - n // 10)  # near LIF threshold
    return J


# A batch of 3 draws a different random stream than Nengo's single run, so the
# stochastic types are compared with a batch of 1 only.
STEP_CASES = [(name, 1) for name in CASES] + [
    (name, 3) for name in CASES if not name.startswith(STOCHASTIC)]


@pytest.mark.nengo
@pytest.mark.parametrize("name, batch", STEP_CASES)
def test_step_matches_nengo(name, batch):
    ours, theirs = make_pair(name)
    n, steps = 50, 200
    state = ours.make_state(n, rng=np.random.RandomState(4))
    theirs_state = {k: v.copy() for k, v in state.items()}
    ours_state = {k: np.tile(v, (batch, 1)) for k, v in state.items()}
    ours_rng, theirs_rng = np.random.RandomState(5), np.random.RandomState(5)
    rng = np.random.RandomState(6)
    for _ in range(steps):
        J = random_currents(rng, n)
        expected = nengo_step(theirs, J, theirs_state, theirs_rng)
        output, ours_state = ours.step(DT, np.tile(J, (batch, 1)), ours_state, rng=ours_rng)
        assert output.shape == (batch, n)
        assert_close(output, np.broadcast_to(expected, (batch, n)))
        assert set(ours_state) == set(theirs_state)
        for key, value in theirs_state.items():
            assert_close(ours_state[key], np.broadcast_to(value, (batch, n)))


@pytest.mark.nengo
@pytest.mark.parametrize("name", ["LIF", "AdaptiveLIF", "Izhikevich",
                                  "RegularSpiking-AdaptiveLIFRate",
                                  "StochasticSpiking-AdaptiveLIFRate"])
def test_make_state_matches_nengo_build(name):
    """Nengo draws neuron state from RandomState(ensemble seed + 1)."""
    nengo = import_nengo()
    ours, theirs = make_pair(name)
    with nengo.Network(seed=3) as net:
        ens = nengo.Ensemble(7, 1, neuron_type=theirs)
    with nengo.Simulator(net, progress_bar=False) as sim:
        seed = sim.model.seeds[ens]
        signals = sim.model.sig[ens.neurons]
        state = ours.make_state(7, rng=np.random.RandomState(seed + 1))
        for key, value in state.items():
            assert value.shape == (7,) and value.dtype == np.float64
            np.testing.assert_array_equal(value, sim.signals[signals[key]])


# --------------------------------------------------------------------- own behaviour


class StrictArray(np.ndarray):
    """An array that fails the way a JAX tracer would on data-dependent Python code."""

    def __bool__(self):
        raise AssertionError("Python `if` on array values")

    def __setitem__(self, key, value):
        raise AssertionError("in-place write")

    def __getitem__(self, key):
        if isinstance(key, np.ndarray) and key.dtype == bool:
            raise AssertionError("boolean-mask indexing")
        return super().__getitem__(key)

    def __iadd__(self, other):
        raise AssertionError("in-place add")

    __isub__ = __imul__ = __itruediv__ = __iadd__


def all_types():
    types = []
    for name, (cls, _, kwargs, base, _) in CASES.items():
        if base is None:
            types.append(cls(**kwargs))
        else:
            types.append(cls(globals()[base[0]](**base[1]), **kwargs))
    return types


@pytest.mark.parametrize("neuron_type", all_types(), ids=list(CASES))
def test_step_is_pure_and_keeps_shapes_and_dtypes(neuron_type):
    rng = np.random.RandomState(7)
    for dtype in (np.float64, np.float32):
        state = {k: np.tile(v, (2, 1)) for k, v in
                 neuron_type.make_state(30, rng=rng, dtype=dtype).items()}
        J = rng.uniform(-2, 6, (2, 30)).astype(dtype)
        frozen = {k: v.copy() for k, v in state.items()}
        for arr in [J, *state.values()]:
            arr.setflags(write=False)
        strict = {k: v.view(StrictArray) for k, v in state.items()}
        output, new_state = neuron_type.step(DT, J.view(StrictArray), strict,
                                             rng=np.random.RandomState(0))
        for key, value in frozen.items():
            np.testing.assert_array_equal(state[key], value)
        assert list(new_state) == list(state)
        assert output.shape == J.shape
        for key, value in new_state.items():
            assert value.shape == J.shape and value.dtype == dtype, key
        assert np.asarray(output).dtype == dtype


def test_spiking_lif_rate_matches_lifrate():
    lif = LIF()
    J = np.linspace(1.05, 12.0, 40)
    expected = LIFRate().rates(J[None, :], np.ones(40), np.zeros(40))[0]
    state = {k: v[None] for k, v in lif.make_state(40, rng=np.random.RandomState(8)).items()}
    count = np.zeros((1, 40))
    for _ in range(1000):
        output, state = lif.step(DT, J[None], state)
        count += output * DT
    np.testing.assert_allclose(count[0], expected, rtol=0.01, atol=1.0)
    assert np.all(expected > 5)


def test_adaptive_lif_settles_where_rate_and_adaptation_agree():
    """At steady state the rate r satisfies r = LIFRate(J - inc_n * r)."""
    alif = AdaptiveLIF(tau_n=0.2, inc_n=0.02)
    J = np.array([[2.0, 3.0, 5.0, 8.0]])
    state = {k: v[None] for k, v in alif.make_state(4, rng=np.random.RandomState(9)).items()}
    count = np.zeros_like(J)
    for i in range(2000):
        output, state = alif.step(DT, J, state)
        count += output * DT if i >= 1000 else 0.0
    rate = count[0]
    unadapted = LIFRate().rates(J, np.ones(4), np.zeros(4))[0]
    adapted = LIFRate().rates(J - alif.inc_n * rate, np.ones(4), np.zeros(4))[0]
    assert np.all(rate < 0.85 * unadapted)
    np.testing.assert_allclose(rate, adapted, rtol=0.03, atol=1.5)  # +-1 spike


def test_state_names_and_probeable():
    expected = {
        LIF(): ("voltage", "refractory_time"),
        LIFRate(): (),
        AdaptiveLIF(): ("voltage", "refractory_time", "adaptation"),
        AdaptiveLIFRate(): ("adaptation",),
        RectifiedLinear(): (),
        SpikingRectifiedLinear(): ("voltage",),
        Sigmoid(): (),
        Tanh(): (),
        Izhikevich(): ("voltage", "recovery"),
        RegularSpiking(LIFRate()): ("rate_out", "voltage"),
        RegularSpiking(AdaptiveLIFRate()): ("rate_out", "voltage", "adaptation"),
        StochasticSpiking(Tanh()): ("rate_out",),
        PoissonSpiking(AdaptiveLIFRate()): ("rate_out", "adaptation"),
    }
    for neuron_type, names in expected.items():
        assert tuple(neuron_type.state) == names, neuron_type
        assert neuron_type.probeable == ("output", "input") + names
        assert tuple(neuron_type.make_state(3)) == names
    # the class attribute keeps only the spiker's own state, as in Nengo
    assert tuple(RegularSpiking.state) == ("voltage",)


def test_flags():
    assert not LIF().negative and LIF().spiking and not LIFRate().spiking
    assert Tanh().negative and not Sigmoid().negative and not RectifiedLinear().negative
    assert RegularSpiking(Tanh()).negative and not RegularSpiking(LIFRate()).negative
    assert PoissonSpiking(LIFRate()).spiking and Izhikevich().spiking


def test_initial_state_overrides():
    lif = LIF(initial_state={"voltage": Choice([0.25]),
                             "refractory_time": np.array([0.0, 0.001, 0.002])})
    state = lif.make_state(3, rng=np.random.RandomState(0), dtype=np.float32)
    np.testing.assert_array_equal(state["voltage"], [0.25] * 3)
    np.testing.assert_array_equal(state["refractory_time"], np.float32([0, 0.001, 0.002]))
    assert state["voltage"].dtype == np.float32
    reg = RegularSpiking(AdaptiveLIFRate(initial_state={"adaptation": Uniform(2, 3)}),
                         initial_state={"voltage": Choice([0.5])})
    state = reg.make_state(4, rng=np.random.RandomState(0))
    np.testing.assert_array_equal(state["voltage"], 0.5)
    np.testing.assert_array_equal(state["rate_out"], 0.0)
    assert np.all((state["adaptation"] >= 2) & (state["adaptation"] < 3))


def test_equality_hash_and_repr():
    assert LIF() == LIF() and hash(LIF()) == hash(LIF())
    assert LIF(tau_rc=0.05) != LIF() and LIF() != LIFRate()
    assert repr(LIF(tau_rc=0.05)) == "LIF(tau_rc=0.05)"
    assert RegularSpiking(LIFRate()) == RegularSpiking(LIFRate())
    assert "base_type=LIFRate()" in repr(RegularSpiking(LIFRate()))
    assert isinstance(RegularSpiking(LIFRate()), RatesToSpikesNeuronType)


def test_current_shapes():
    gain, bias = np.array([2.0, 3.0]), np.array([1.5, -0.5])
    lif = LIF()
    assert lif.current(0.5, gain, bias).shape == (1, 2)
    np.testing.assert_array_equal(lif.current([0.0, 1.0, 2.0], gain, bias)[2], 2 * gain + bias)
    assert lif.rates(np.ones((4, 2)), gain, bias).shape == (4, 2)


def test_direct_has_no_neurons():
    with pytest.raises(BuildError, match="Direct"):
        Direct().rates(np.ones(2), np.ones(2), np.zeros(2))
    with pytest.raises(SimulationError, match="Direct"):
        Direct().step(DT, np.ones((1, 2)), {})
    assert Direct().gain_bias([100], [0]) == (None, None)


def test_base_class_step_is_abstract():
    with pytest.raises(NotImplementedError, match="step"):
        NeuronType().step(DT, np.ones(2), {})


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("make, attr", [
    (lambda: LIF(tau_rc=0), "tau_rc"),
    (lambda: LIFRate(tau_ref=-0.001), "tau_ref"),
    (lambda: LIF(amplitude=0), "amplitude"),
    (lambda: LIF(min_voltage=0.5), "min_voltage"),
    (lambda: AdaptiveLIF(tau_n=0), "tau_n"),
    (lambda: AdaptiveLIFRate(inc_n=-1), "inc_n"),
    (lambda: RectifiedLinear(amplitude=-1), "amplitude"),
    (lambda: Sigmoid(tau_ref=0), "tau_ref"),
    (lambda: Tanh(tau_ref="fast"), "tau_ref"),
    (lambda: Izhikevich(tau_recovery=0), "tau_recovery"),
    (lambda: Izhikevich(coupling=-0.1), "coupling"),
    (lambda: LIF(initial_state={"foo": Uniform(0, 1)}), "initial_state"),
    (lambda: LIF(initial_state={"voltage": 0.5}), "initial_state"),
    (lambda: LIF(initial_state=[1, 2]), "initial_state"),
    (lambda: RegularSpiking(3), "base_type"),
    (lambda: RegularSpiking(Direct()), "base_type"),
    (lambda: RegularSpiking(LIF()), "base_type"),
    (lambda: RegularSpiking(LIFRate(), amplitude=0), "amplitude"),
    (lambda: RegularSpiking(AdaptiveLIFRate(), initial_state={"adaptation": Choice([0])}),
     "initial_state"),
])
def test_bad_constructor_arguments(make, attr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValidationError, match=attr) as info:
            make()
    assert info.value.attr == attr


def test_max_rates_above_limit():
    with pytest.raises(ValidationError, match=r"LIF\.max_rates: .*1/tau_ref = 500 Hz"):
        LIF().gain_bias([100, 600], [0, 0])
    with pytest.raises(ValidationError, match=r"LIFRate\.max_rates: .*1/tau_ref = 500 Hz"):
        LIFRate().gain_bias([500], [0])
    with pytest.raises(ValidationError, match=r"Sigmoid\.max_rates: .*400 Hz"):
        Sigmoid().gain_bias([400], [0])
    with pytest.raises(ValidationError, match=r"Tanh\.max_rates: .*400 Hz"):
        Tanh().gain_bias([450], [0])
    with pytest.raises(ValidationError, match=r"max_rates: must be positive"):
        RectifiedLinear().gain_bias([-5], [0])
    with pytest.raises(ValidationError, match=r"Izhikevich\.max_rates: .*5000 Hz"):
        Izhikevich().gain_bias([5000], [0])
    # a zero refractory period has no upper limit
    gain, _ = LIF(tau_ref=0).gain_bias([2000], [0])
    assert np.isfinite(gain).all()


def test_bad_runtime_inputs():
    with pytest.raises(ValidationError, match=r"initial_state: .*'voltage'.*4 neurons"):
        LIF(initial_state={"voltage": np.zeros(3)}).make_state(4)
    with pytest.raises(ValidationError, match="n_neurons"):
        LIF().make_state(-1)
    with pytest.raises(ValidationError, match=r"x: .*\(\*, 2\)"):
        LIF().rates(np.ones((4, 3)), np.ones(2), np.zeros(2))
    with pytest.raises(SimulationError, match="rng"):
        StochasticSpiking(LIFRate()).step(DT, np.ones((1, 2)), {"rate_out": np.zeros((1, 2))})
    with pytest.raises(SimulationError, match="rng"):
        PoissonSpiking(LIFRate()).step(DT, np.ones((1, 2)), {"rate_out": np.zeros((1, 2))})
