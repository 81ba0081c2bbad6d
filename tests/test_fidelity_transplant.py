"""Parameter transplant: nefsim's NumPy backend must reproduce Nengo's traces to 1e-10.

Each model is described once, as a function of a :class:`Maker`.  It is built and run in
Nengo 4.1 (the oracle); then Nengo's *built* parameters (encoders, gains, biases, initial
neuron state, decoders) are handed to nefsim through its public API only (``encoders=``,
``gain=``, ``bias=``, ``neuron_type=X(initial_state=...)``, ``solvers.NoSolver``), nefsim
builds the same model under a *different* seed (so nothing agrees by shared random
streams) and every probe trace must match Nengo's within ``ATOL``.

What this catches: any difference in step order (one-step synapse delays, probe offsets,
set/inc/read/update order), in the neuron update maths (LIF sub-step refractory,
Izhikevich reset order, adaptation), in the synapse discretisation, in how neuron-level
inputs are scaled by the post gain, in slicing, and in probe sampling.
"""

import numpy as np
import pytest

nengo = pytest.importorskip("nengo")
import nefsim  # noqa: E402

pytestmark = pytest.mark.nengo

ATOL = 1e-10
DT = 0.001
NENGO_SEED = 3
NEFSIM_SEED = 9999  # deliberately different: only transplanted values may matter


class Maker:
    """Creates model objects in one simulator's namespace (``nengo`` or ``nefsim``).

    With ``params`` (the result of :func:`extract`) ensembles and decoded connections get
    Nengo's built values; without, they are left to the simulator's own build.
    """

    def __init__(self, mod, params=None):
        self.m = mod
        self.params = params
        self.probes = {}

    def ens(self, n, d, label, neuron=("LIF", {}), **kwargs):
        type_name, type_kwargs = neuron
        type_kwargs = dict(type_kwargs)
        if self.params is not None:
            built = self.params["ens"][label]
            kwargs.update(encoders=built["encoders"], gain=built["gain"], bias=built["bias"])
            kwargs.pop("max_rates", None)
            kwargs.pop("intercepts", None)
            if built["state"]:
                type_kwargs["initial_state"] = built["state"]
        if isinstance(type_kwargs.get("base_type"), str):  # RatesToSpikes types
            type_kwargs["base_type"] = getattr(self.m, type_kwargs["base_type"])()
        neuron_type = getattr(self.m, type_name)(**type_kwargs)
        return self.m.Ensemble(n, d, label=label, neuron_type=neuron_type, **kwargs)

    def conn(self, pre, post, label, **kwargs):
        """A connection; decoded ones get Nengo's decoders through NoSolver."""
        if self.params is not None and label in self.params["decoders"]:
            kwargs["solver"] = self.m.solvers.NoSolver(self.params["decoders"][label])
        return self.m.Connection(pre, post, label=label, **kwargs)

    def probe(self, key, target, *args, **kwargs):
        self.probes[key] = self.m.Probe(target, *args, **kwargs)
        return self.probes[key]


def extract(sim, net):
    """Nengo's built parameters, by label."""
    params = {"ens": {}, "decoders": {}}
    for ens in net.all_ensembles:
        if isinstance(ens.neuron_type, nengo.Direct):
            continue
        built = sim.data[ens]
        state = {name: np.array(sim.model.sig[ens.neurons][name].initial_value)
                 for name in ens.neuron_type.state}
        params["ens"][ens.label] = {
            "encoders": np.array(built.encoders), "gain": np.array(built.gain),
            "bias": np.array(built.bias), "state": state}
    for conn in net.all_connections:
        pre = conn.pre_obj
        if isinstance(pre, nengo.Ensemble) and not isinstance(pre.neuron_type, nengo.Direct):
            # Decoded connections in these models have identity transforms, so the built
            # weights (size_out, n_pre) are the decoders transposed (NoSolver wants
            # (n_pre, size_mid)).
            assert isinstance(conn.transform, nengo.transforms.NoTransform)
            params["decoders"][conn.label] = np.array(sim.data[conn].weights).T
    return params


def run_pair(model, t=1.0, dt=DT, sample_every=None):
    """Run ``model`` in Nengo, transplant into nefsim, run, return both sims and probes."""
    with nengo.Network(seed=NENGO_SEED) as net_n:
        maker_n = Maker(nengo)
        model(maker_n)
    with nengo.Simulator(net_n, dt=dt, progress_bar=False) as sim_n:
        sim_n.run(t)
    params = extract(sim_n, net_n)

    with nefsim.Network(seed=NEFSIM_SEED) as net_f:
        maker_f = Maker(nefsim, params)
        model(maker_f)
    with nefsim.Simulator(net_f, dt=dt, progress_bar=False) as sim_f:
        sim_f.run(t)
    return sim_n, maker_n.probes, sim_f, maker_f.probes


def assert_traces_equal(sim_n, probes_n, sim_f, probes_f, sample_every=None):
    assert probes_n.keys() == probes_f.keys()
    for key in probes_n:
        expected = sim_n.data[probes_n[key]]
        actual = sim_f.data[probes_f[key]]
        assert actual.shape == expected.shape, key
        err = np.max(np.abs(actual - expected)) if expected.size else 0.0
        assert err <= ATOL, f"probe {key!r}: max |nefsim - nengo| = {err:.3g}"
        assert np.any(expected != 0), f"probe {key!r} is all zeros: a vacuous comparison"
    np.testing.assert_allclose(sim_f.trange(), sim_n.trange(), rtol=0, atol=1e-12)
    if sample_every is not None:
        np.testing.assert_allclose(sim_f.trange(sample_every=sample_every),
                                   sim_n.trange(sample_every=sample_every),
                                   rtol=0, atol=1e-12)


def check(model, **kwargs):
    sim_n, probes_n, sim_f, probes_f = run_pair(model, **kwargs)
    assert_traces_equal(sim_n, probes_n, sim_f, probes_f,
                        sample_every=kwargs.get("sample_every"))
    return sim_n, probes_n, sim_f, probes_f


def sine(t):
    return np.sin(2 * np.pi * t)


def sine2(t):
    return [np.sin(2 * np.pi * t), np.cos(3 * np.pi * t)]


# --------------------------------------------------------------------------- models


def test_communication_channel():
    """Node -> A -> B -> passthrough node: decoded connections and default Lowpass."""

    def model(mk):
        m = mk.m
        stim = m.Node(sine, label="stim")
        a = mk.ens(50, 1, "a")
        b = mk.ens(40, 1, "b")
        out = m.Node(size_in=1, label="out")
        m.Connection(stim, a)
        ab = mk.conn(a, b, "ab")
        mk.conn(b, out, "bout", synapse=0.01)
        mk.probe("stim", stim)
        mk.probe("a_spikes", a.neurons, "output")
        mk.probe("b_voltage", b.neurons, "voltage")
        mk.probe("b_refractory", b.neurons, "refractory_time")
        mk.probe("b_current", b.neurons, "input")
        mk.probe("b_input", b, "input")
        mk.probe("ab_output", ab, "output")
        mk.probe("out", out)
        mk.probe("out_filtered", out, synapse=0.02)

    check(model)


def test_recurrent_integrator():
    """A -> A through Lowpass(0.1), input scaled by tau: a loop through one synapse."""
    tau = 0.1

    def model(mk):
        m = mk.m
        stim = m.Node(lambda t: 1.0 if 0.1 < t < 0.4 else (-0.5 if 0.6 < t < 0.8 else 0.0),
                      label="stim")
        a = mk.ens(80, 1, "a")
        out = m.Node(size_in=1, label="out")
        m.Connection(stim, a, transform=tau, synapse=tau)
        mk.conn(a, a, "rec", synapse=tau)
        mk.conn(a, out, "aout", synapse=None)
        mk.probe("out", out)
        mk.probe("out_filtered", out, synapse=0.01)
        mk.probe("voltage", a.neurons, "voltage")

    check(model)


def test_node_to_ensemble_without_synapse():
    """synapse=None adds no delay: J at step k sees the node's value at step k."""

    def model(mk):
        m = mk.m
        stim = m.Node(sine2, label="stim")
        a = mk.ens(30, 2, "a", radius=1.5)
        m.Connection(stim, a, synapse=None)
        mk.probe("a_input", a, "input")
        mk.probe("a_current", a.neurons, "input")
        mk.probe("a_spikes", a.neurons)

    check(model)


def test_neurons_to_neurons_random_transform():
    """a.neurons -> b.neurons: the output is filtered, then multiplied by b's gains."""
    W = np.random.RandomState(5).normal(scale=2e-3, size=(25, 30))

    def model(mk):
        m = mk.m
        stim = m.Node(sine, label="stim")
        a = mk.ens(30, 1, "a")
        b = mk.ens(25, 1, "b")
        m.Connection(stim, a)
        nn = m.Connection(a.neurons, b.neurons, transform=W, synapse=0.01)
        mk.probe("nn_output", nn, "output")
        mk.probe("b_current", b.neurons, "input")
        mk.probe("b_spikes", b.neurons, "output")
        mk.probe("b_voltage", b.neurons, "voltage")

    check(model)


def test_alpha_synapse_and_neurons_to_ensemble():
    """Alpha (2-state ZOH filter) on a decoded connection; neurons -> ensemble input."""
    rng = np.random.RandomState(6)
    T = rng.normal(scale=1e-3, size=(1, 30))

    def model(mk):
        m = mk.m
        stim = m.Node(sine, label="stim")
        a = mk.ens(30, 1, "a")
        b = mk.ens(20, 1, "b")
        m.Connection(stim, a)
        ab = mk.conn(a, b, "ab", synapse=m.Alpha(0.01))
        nb = m.Connection(a.neurons, b, transform=T, synapse=m.Alpha(0.005))
        mk.probe("ab_output", ab, "output")
        mk.probe("nb_output", nb, "output")
        mk.probe("b_spikes", b.neurons)
        mk.probe("stim_alpha", stim, synapse=m.Alpha(0.02))

    check(model)


NEURON_TYPES = [
    pytest.param(("LIFRate", {}), ["output"], id="LIFRate"),
    pytest.param(("LIFRate", {"tau_rc": 0.03, "tau_ref": 0.001, "amplitude": 0.5}),
                 ["output"], id="LIFRate-params"),
    pytest.param(("RectifiedLinear", {}), ["output"], id="RectifiedLinear"),
    pytest.param(("SpikingRectifiedLinear", {}), ["output", "voltage"],
                 id="SpikingRectifiedLinear"),
    pytest.param(("LIF", {"min_voltage": -1, "amplitude": 0.7}),
                 ["output", "voltage", "refractory_time"], id="LIF-params"),
    pytest.param(("AdaptiveLIF", {"tau_n": 0.1, "inc_n": 0.05}),
                 ["output", "voltage", "adaptation"], id="AdaptiveLIF"),
    pytest.param(("AdaptiveLIFRate", {"tau_n": 0.1, "inc_n": 0.05}),
                 ["output", "adaptation"], id="AdaptiveLIFRate"),
    pytest.param(("Izhikevich", {}), ["output", "voltage", "recovery"], id="Izhikevich"),
    pytest.param(("Izhikevich", {"tau_recovery": 0.1, "coupling": 0.25,
                                 "reset_voltage": -60, "reset_recovery": 2}),
                 ["output", "voltage", "recovery"], id="Izhikevich-params"),
    pytest.param(("RegularSpiking", {"base_type": "LIFRate"}), ["output", "voltage"],
                 id="RegularSpiking-LIFRate"),
    pytest.param(("RegularSpiking", {"base_type": "RectifiedLinear", "amplitude": 0.5}),
                 ["output", "voltage"], id="RegularSpiking-RectifiedLinear"),
    pytest.param(("Sigmoid", {}), ["output"], id="Sigmoid"),
    pytest.param(("Tanh", {}), ["output"], id="Tanh"),
]


@pytest.mark.parametrize("neuron, attrs", NEURON_TYPES)
def test_neuron_types(neuron, attrs):
    """Each neuron type's step (and state variables) through a decoded channel."""
    # Rates each type can reach (Sigmoid needs > 0.5/tau_ref, Tanh < 1/tau_ref); nefsim
    # gets Nengo's resulting gain and bias anyway.
    rate_range = {"Izhikevich": (20, 80), "Sigmoid": (250, 350), "Tanh": (250, 350)}

    def model(mk):
        m = mk.m
        kw = {}
        if neuron[0] in rate_range:
            kw["max_rates"] = m.dists.Uniform(*rate_range[neuron[0]])
        stim = m.Node(sine, label="stim")
        a = mk.ens(40, 1, "a", neuron=neuron, **kw)
        out = m.Node(size_in=1, label="out")
        m.Connection(stim, a)
        mk.conn(a, out, "aout", synapse=0.01)
        for attr in attrs:
            mk.probe(attr, a.neurons, attr)
        mk.probe("out", out)

    check(model)


def test_sliced_connections():
    """ens[0] -> node[1] (decoded, sliced pre and post) and node[1] -> ens[0]."""

    def model(mk):
        m = mk.m
        stim = m.Node(lambda t: [np.sin(7 * t), 0.5 * np.cos(5 * t), t - 0.5], label="stim")
        a = mk.ens(50, 2, "a")
        out = m.Node(size_in=3, label="out")
        m.Connection(stim[[2, 0]], a)
        m.Connection(stim[1], a[1], transform=-1.0, synapse=0.02)
        s = mk.conn(a[0], out[1], "a0_out1", synapse=0.01)
        mk.conn(a[1], out[[2, 0]], "a1_out20", synapse=None,
                function=lambda x: [x[0] ** 2, -x[0]])
        mk.probe("out", out)
        mk.probe("out_slice", out[1:])
        mk.probe("s_output", s, "output")
        mk.probe("a_input", a, "input")

    check(model)


def test_function_on_decoded_connection_is_not_run():
    """With NoSolver decoders the function only fixes size_mid: same traces as Nengo."""

    def model(mk):
        m = mk.m
        stim = m.Node(sine2, label="stim")
        a = mk.ens(60, 2, "a")
        out = m.Node(size_in=1, label="out")
        m.Connection(stim, a)
        mk.conn(a, out, "prod", function=lambda x: x[0] * x[1], synapse=0.005)
        mk.probe("out", out)

    check(model)


def test_sample_every():
    """sample_every=0.005 keeps every fifth sample, filtered or not; trange matches."""

    def model(mk):
        m = mk.m
        stim = m.Node(sine, label="stim")
        a = mk.ens(30, 1, "a")
        out = m.Node(size_in=1, label="out")
        m.Connection(stim, a)
        mk.conn(a, out, "aout")
        mk.probe("stim", stim, sample_every=0.005)
        mk.probe("out", out, sample_every=0.005)
        mk.probe("out_filtered", out, sample_every=0.005, synapse=0.01)
        mk.probe("voltage", a.neurons, "voltage", sample_every=0.005)
        mk.probe("every_step", out)

    sim_n, probes_n, sim_f, probes_f = check(model, sample_every=0.005)
    assert sim_f.data[probes_f["out"]].shape == (200, 1)


def test_decoded_probe_with_given_decoders():
    """Probe(ens, solver=NoSolver(D)) decodes with D in both simulators."""
    D = np.random.RandomState(7).normal(scale=1e-3, size=(30, 2))

    def model(mk):
        m = mk.m
        stim = m.Node(sine2, label="stim")
        a = mk.ens(30, 2, "a")
        m.Connection(stim, a)
        mk.probe("decoded", a, synapse=0.01, solver=m.solvers.NoSolver(D))
        mk.probe("decoded_raw", a, solver=m.solvers.NoSolver(D))
        mk.probe("decoded_slice", a[1], synapse=0.01, solver=m.solvers.NoSolver(D[:, 1:]))

    check(model)


def test_dt_and_run_in_pieces():
    """dt=0.002 and run(0.3) twice equals Nengo's run, sample for sample."""

    def model(mk):
        m = mk.m
        stim = m.Node(sine, label="stim")
        a = mk.ens(30, 1, "a")
        out = m.Node(size_in=1, label="out")
        m.Connection(stim, a)
        mk.conn(a, out, "aout", synapse=0.01)
        mk.probe("out", out)
        mk.probe("spikes", a.neurons)

    with nengo.Network(seed=NENGO_SEED) as net_n:
        maker_n = Maker(nengo)
        model(maker_n)
    with nengo.Simulator(net_n, dt=0.002, progress_bar=False) as sim_n:
        sim_n.run(0.6)
    with nefsim.Network(seed=NEFSIM_SEED) as net_f:
        maker_f = Maker(nefsim, extract(sim_n, net_n))
        model(maker_f)
    with nefsim.Simulator(net_f, dt=0.002, progress_bar=False) as sim_f:
        sim_f.run(0.3)
        sim_f.run(0.3)
    assert_traces_equal(sim_n, maker_n.probes, sim_f, maker_f.probes)
    assert sim_f.n_steps == sim_n.n_steps == 300
    assert sim_f.time == pytest.approx(sim_n.time)


def test_probe_connection_input_is_unsliced_pre_output():
    """Nengo's Probe(conn, "input") records the whole pre output, even for a sliced pre
    or a connection with a function (shape (n, pre.size_out))."""

    def model(mk):
        m = mk.m
        stim = m.Node(lambda t: [t, 2 * t, 3 * t], label="stim")
        out = m.Node(size_in=1, label="out")
        c = m.Connection(stim[1], out, synapse=None)
        f = m.Connection(stim[2], out, function=lambda x: x ** 2, synapse=None)
        mk.probe("c_input", c, "input")
        mk.probe("f_input", f, "input")  # before the function, too

    check(model, t=0.01)


def test_reset_reproduces_run():
    """After sim.reset() a second run gives the same (Nengo-equal) traces."""

    def model(mk):
        m = mk.m
        stim = m.Node(sine, label="stim")
        a = mk.ens(30, 1, "a")
        out = m.Node(size_in=1, label="out")
        m.Connection(stim, a)
        mk.conn(a, out, "aout", synapse=0.01)
        mk.probe("out", out, synapse=0.01)
        mk.probe("voltage", a.neurons, "voltage")

    with nengo.Network(seed=NENGO_SEED) as net_n:
        maker_n = Maker(nengo)
        model(maker_n)
    with nengo.Simulator(net_n, progress_bar=False) as sim_n:
        sim_n.run(0.3)
    with nefsim.Network(seed=NEFSIM_SEED) as net_f:
        maker_f = Maker(nefsim, extract(sim_n, net_n))
        model(maker_f)
    with nefsim.Simulator(net_f, progress_bar=False) as sim_f:
        sim_f.run(0.2)
        sim_f.reset()
        sim_f.run(0.3)
    assert_traces_equal(sim_n, maker_n.probes, sim_f, maker_f.probes)


def test_nosolver_values_are_decoders_also_with_weights():
    """NoSolver(values, weights=True) still takes decoders; W = E_post_scaled @ values.T."""
    D = np.random.RandomState(8).normal(scale=1e-3, size=(30, 1))

    def model(mk):
        m = mk.m
        stim = m.Node(sine, label="stim")
        a = mk.ens(30, 1, "a")
        b = mk.ens(20, 1, "b", radius=2.0)
        m.Connection(stim, a)
        ab = m.Connection(a, b, solver=m.solvers.NoSolver(D, weights=True), label="ab")
        mk.probe("ab_output", ab, "output")
        mk.probe("b_current", b.neurons, "input")
        mk.probe("b_spikes", b.neurons)

    sim_n, probes_n, sim_f, probes_f = check(model)
    ab_n, ab_f = probes_n["ab_output"].target, probes_f["ab_output"].target
    assert sim_f.data[ab_f].weights.shape == (20, 30)
    np.testing.assert_allclose(sim_f.data[ab_f].weights, sim_n.data[ab_n].weights,
                               rtol=0, atol=1e-12)


def test_synapse_types():
    """Triangle (FIR), general LinearFilters (with and without a direct term, 2nd order,
    digital) on connections and on probes."""

    def model(mk):
        m = mk.m
        stim = m.Node(lambda t: [np.sin(7 * t), np.cos(11 * t) * t], label="stim")
        synapses = {
            "triangle": m.Triangle(0.004),
            "lead_lag": m.LinearFilter([0.5, 1], [0.01, 1]),
            "second_order": m.LinearFilter([1], [1e-4, 0.02, 1]),
            "digital": m.LinearFilter([0.3], [1, -0.6], analog=False),
            "lowpass_zero": m.Lowpass(0),
        }
        for key, syn in synapses.items():
            node = m.Node(size_in=2, label=key)
            m.Connection(stim, node, synapse=syn)
            mk.probe(key, node)
        mk.probe("probe_triangle", stim, synapse=m.Triangle(0.003))
        mk.probe("probe_lead_lag", stim, synapse=m.LinearFilter([0.5, 1], [0.01, 1]))

    check(model, t=0.3)


def test_processes_and_noise_with_same_simulator_seed():
    """Run-time randomness (unseeded WhiteNoise/WhiteSignal nodes, ensemble noise) comes
    from the simulator seed as in Nengo, also after reset(); Piecewise and PresentInput."""

    def model(mk):
        m = mk.m
        wn = m.Node(m.processes.WhiteNoise(), label="wn")
        ws = m.Node(m.processes.WhiteSignal(0.5, high=10), label="ws")
        pw = m.Node(m.processes.Piecewise({0: 0.2, 0.02: [0.7], 0.035: 0}), label="pw")
        pin = m.Node(m.processes.PresentInput([[0.1], [0.5], [-0.3]], 0.007), label="pin")
        a = mk.ens(20, 1, "a", noise=m.processes.WhiteNoise(m.dists.Gaussian(0, 0.1)))
        m.Connection(ws, a)
        for key, node in (("wn", wn), ("ws", ws), ("pw", pw), ("pin", pin)):
            mk.probe(key, node)
        mk.probe("a_current", a.neurons, "input")
        mk.probe("a_spikes", a.neurons)

    with nengo.Network(seed=NENGO_SEED) as net_n:
        maker_n = Maker(nengo)
        model(maker_n)
    with nengo.Simulator(net_n, seed=7, progress_bar=False) as sim_n:
        sim_n.run(0.2)
    with nefsim.Network(seed=NEFSIM_SEED) as net_f:
        maker_f = Maker(nefsim, extract(sim_n, net_n))
        model(maker_f)
    with nefsim.Simulator(net_f, seed=7, progress_bar=False) as sim_f:
        sim_f.run(0.1)
        sim_f.reset()
        sim_f.run(0.2)
    assert_traces_equal(sim_n, maker_n.probes, sim_f, maker_f.probes)
