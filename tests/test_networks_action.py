"""nefsim.networks.BasalGanglia, Thalamus and AssociativeMemory: selection and clean-up."""

import numpy as np
import pytest

import nefsim
import nefsim.networks
from nefsim.config import Config
from nefsim.connection import Connection
from nefsim.networks import AssociativeMemory, BasalGanglia, Thalamus
from nefsim.networks.basalganglia import Weights
from nefsim.solvers import LstsqL2, NnlsL2nz
from nefsim.synapses import Lowpass


def _run(net, t):
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(t)
    return sim


def _cosine(x, y):
    return x @ y / (np.linalg.norm(x) * np.linalg.norm(y))


def _compare_with_nengo(make, t, atol=1e-9):
    nengo = pytest.importorskip("nengo")
    traces = []
    for module in (nengo, nefsim):
        net, probes = make(module)
        with module.Simulator(net, progress_bar=False) as sim:
            sim.run(t)
        traces.append([np.asarray(sim.data[p]) for p in probes])
    for ref, ours in zip(*traces):
        np.testing.assert_allclose(ours, ref, atol=atol, rtol=0)


# ------------------------------------------------------------------ BasalGanglia + Thalamus


UTILITIES = [0.2, 0.8, 0.4, 0.3, 0.5]


def _selection_model(mod, seed=0, n=50, input_bias=0.0):
    with mod.Network(seed=seed) as net:
        utilities = mod.Node(UTILITIES)
        bg = mod.networks.BasalGanglia(5, n, input_bias=input_bias)
        thalamus = mod.networks.Thalamus(5, n)
        mod.Connection(utilities, bg.input, synapse=None)
        mod.Connection(bg.output, thalamus.input)
        probes = [mod.Probe(bg.output, synapse=0.005), mod.Probe(thalamus.output, synapse=0.01)]
    return net, probes


def test_basal_ganglia_selects_the_largest_within_50ms():
    """Mean over 45-55 ms (measured, four seeds): winner -0.02 to -0.06, runner-up
    (0.5) -0.52 to -0.73, the rest below -0.88; ordered like the utilities."""
    net, (p_bg, _) = _selection_model(nefsim)
    sim = _run(net, 0.055)
    t = sim.trange()
    output = sim.data[p_bg][t > 0.045].mean(axis=0)
    winner = int(np.argmax(UTILITIES))
    losers = np.delete(output, winner)
    assert output[winner] > -0.15
    assert np.all(losers < -0.4) and np.all(losers < output[winner] - 0.35)
    np.testing.assert_array_equal(np.argsort(output), np.argsort(UTILITIES))


def test_thalamus_passes_the_winner():
    net, (_, p_thalamus) = _selection_model(nefsim, seed=1)
    sim = _run(net, 0.1)
    output = sim.data[p_thalamus][sim.trange() > 0.08].mean(axis=0)
    winner = int(np.argmax(UTILITIES))
    assert output[winner] > 0.8
    assert np.all(np.delete(output, winner) < 0.05)


def test_basal_ganglia_and_thalamus_match_nengo():
    _compare_with_nengo(lambda mod: _selection_model(mod, seed=4, n=20, input_bias=0.1), 0.1)


def test_basal_ganglia_structure():
    gaba = Config(Connection)
    gaba[Connection].solver = LstsqL2(reg=0.2)
    with nefsim.Network():
        bg = BasalGanglia(3, 10, input_bias=0.5, gaba_config=gaba)
    assert bg.label == "Basal Ganglia" and bg.bias_input is not None
    np.testing.assert_array_equal(bg.bias_input.output, [0.5, 0.5, 0.5])
    for name, threshold in (("strD1", Weights.e), ("strD2", Weights.e), ("stn", Weights.ep),
                            ("gpi", Weights.eg), ("gpe", Weights.ee)):
        ens = getattr(bg, name).ea_ensembles[0]
        assert ens.radius == 1.5 and ens.intercepts.low == threshold
        assert ens.encoders.options.tolist() == [[1.0]]
    decoded = [c for c in bg.all_connections if c.function is not None]
    assert len(decoded) == 15 and all(c.solver == NnlsL2nz() for c in decoded)
    by_ends = {(c.pre_obj, c.post_obj): c for c in bg.connections}
    gpe_to_gpi = by_ends[bg.gpe.func_gpe, bg.gpi.input]
    assert gpe_to_gpi.synapse == Lowpass(0.008) and gpe_to_gpi.solver == LstsqL2(reg=0.2)
    assert by_ends[bg.stn.func_stn, bg.gpe.input].synapse == Lowpass(0.002)
    assert by_ends[bg.gpi.func_gpi, bg.output].transform.init == -3.0
    assert "synapse" not in gaba[Connection]  # the caller's config is left as it was
    with nefsim.Network():
        assert BasalGanglia(2, 5).bias_input is None


def test_weights_functions_are_rectified_lines():
    x = np.array([-1.0, -0.25, 0.0, 0.2, 0.5, 1.0])
    np.testing.assert_allclose(Weights.str_func(x), np.maximum(x - 0.2, 0))
    np.testing.assert_allclose(Weights.stn_func(x), np.maximum(x + 0.25, 0))
    np.testing.assert_allclose(Weights.gpe_func(x), np.maximum(x + 0.2, 0))
    np.testing.assert_allclose(Weights.gpi_func(x), np.maximum(x + 0.2, 0))


def test_thalamus_structure():
    with nefsim.Network():
        thalamus = Thalamus(3, 10, mutual_inhib=2.0, threshold=0.2)
    assert thalamus.input is thalamus.actions.input
    ens = thalamus.actions.ea_ensembles[0]
    assert ens.intercepts.low == 0.2 and ens.encoders.options.tolist() == [[1.0]]
    inhibition = [c for c in thalamus.connections if c.pre is thalamus.actions.output][0]
    np.testing.assert_array_equal(inhibition.transform.init, (np.eye(3) - 1) * 2.0)


# ------------------------------------------------------------------ AssociativeMemory


def _vocabulary(n_items=6, d=32, seed=0):
    rng = np.random.RandomState(seed)
    vectors = rng.randn(n_items, d)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), rng


def test_associative_memory_cleans_up_a_noisy_pointer():
    """The noisy key has cosine 0.81 with the stored one; the output must be the clean
    vector (measured cosine 1.000, norm 1.006)."""
    vectors, rng = _vocabulary()
    noisy = vectors[2] + rng.randn(32) * 0.8 / np.sqrt(32)
    with nefsim.Network(seed=0) as net:
        memory = AssociativeMemory(vectors, n_neurons=50)
        nefsim.Connection(nefsim.Node(noisy), memory.input)
        probe = nefsim.Probe(memory.output, synapse=0.01)
        p_util = nefsim.Probe(memory.utilities, synapse=0.01)
    sim = _run(net, 0.2)
    output = sim.data[probe][-50:].mean(axis=0)
    assert _cosine(noisy, vectors[2]) < 0.85
    assert _cosine(output, vectors[2]) > 0.95
    assert np.linalg.norm(output) == pytest.approx(1.0, abs=0.15)
    utilities = sim.data[p_util][-1]
    assert utilities[2] > 0.9 and np.all(np.delete(utilities, 2) < 0.05)


def test_associative_memory_wta_and_threshold_pick_one_item():
    """An input similar to three items (cosines 0.37, 0.48, 1.05): plain, all three
    respond; with winner-take-all and thresholded outputs only the best one does."""
    vectors, rng = _vocabulary(seed=2)
    noisy = vectors[2] + rng.randn(32) * 0.8 / np.sqrt(32)
    with nefsim.Network(seed=2) as net:
        stim = nefsim.Node(noisy)
        plain = AssociativeMemory(vectors, n_neurons=50)
        wta = AssociativeMemory(vectors, n_neurons=50)
        wta.add_wta_network()
        wta.add_threshold_to_outputs(n_neurons=50)
        nefsim.Connection(stim, plain.input)
        nefsim.Connection(stim, wta.input)
        p_plain = nefsim.Probe(plain.utilities, synapse=0.01)
        p_wta = nefsim.Probe(wta.thresholded_utilities, synapse=0.01)
        p_out = nefsim.Probe(wta.output, synapse=0.01)
    sim = _run(net, 0.3)
    assert np.sum(sim.data[p_plain][-1] > 0.3) >= 2
    thresholded = sim.data[p_wta][-20:].mean(axis=0)
    assert thresholded[2] > 0.8 and np.all(np.delete(thresholded, 2) < 0.1)
    assert _cosine(sim.data[p_out][-20:].mean(axis=0), vectors[2]) > 0.95


def test_associative_memory_default_output_and_inhibit():
    """No matching input: the default vector comes out; a match suppresses it; the
    inhibit input silences everything."""
    vectors, _ = _vocabulary(n_items=3, d=16)
    default = np.zeros(16)
    default[0] = 0.8
    with nefsim.Network(seed=1) as net:
        stim = nefsim.Node(lambda t: vectors[1] if t >= 0.2 else np.zeros(16))
        inhibit = nefsim.Node(lambda t: 1.0 if t >= 0.4 else 0.0)
        memory = AssociativeMemory(vectors, n_neurons=50, inhibitable=True)
        memory.add_default_output_vector(default, n_neurons=50)
        nefsim.Connection(stim, memory.input)
        nefsim.Connection(inhibit, memory.inhibit)
        probe = nefsim.Probe(memory.output, synapse=0.01)
    sim = _run(net, 0.6)
    t, y = sim.trange(), sim.data[probe]
    np.testing.assert_allclose(y[(t > 0.15) & (t < 0.2)].mean(axis=0), default, atol=0.12)
    assert _cosine(y[(t > 0.35) & (t < 0.4)].mean(axis=0), vectors[1]) > 0.95
    assert np.abs(y[t > 0.55]).max() < 0.05


def test_associative_memory_extra_mappings():
    vectors, _ = _vocabulary(n_items=3, d=16)
    with nefsim.Network(seed=3) as net:
        memory = AssociativeMemory(vectors, output_vectors=np.eye(3), n_neurons=50)
        memory.add_input_mapping("scaled", vectors * 2, input_scales=[0.5, 0.5, 0.5])
        memory.add_output_mapping("names", np.diag([1.0, 2.0, 3.0]))
        nefsim.Connection(nefsim.Node(vectors[2]), memory.scaled)
        p_out = nefsim.Probe(memory.output, synapse=0.01)
        p_names = nefsim.Probe(memory.names, synapse=0.01)
    assert memory.output.size_in == 3 and memory.scaled.size_in == 16
    sim = _run(net, 0.2)
    np.testing.assert_allclose(sim.data[p_out][-1], [0, 0, 1], atol=0.1)
    np.testing.assert_allclose(sim.data[p_names][-1], [0, 0, 3], atol=0.3)


def _memory_model(mod):
    rng = np.random.RandomState(1)
    vectors = rng.randn(4, 16)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with mod.Network(seed=5) as net:
        stim = mod.Node(vectors[2] + 0.2 * rng.randn(16))
        memory = mod.networks.AssociativeMemory(vectors, n_neurons=30, inhibitable=True,
                                                input_scales=[1.0, 0.8, 1.2, 1.0])
        memory.add_default_output_vector(np.ones(16) * 0.1, n_neurons=20)
        memory.add_wta_network()
        memory.add_threshold_to_outputs(n_neurons=20)
        mod.Connection(stim, memory.input)
        probes = [mod.Probe(memory.output, synapse=0.01),
                  mod.Probe(memory.utilities, synapse=0.01)]
    return net, probes


def test_associative_memory_matches_nengo():
    _compare_with_nengo(_memory_model, 0.2)


def test_associative_memory_threshold_rewires_outputs():
    vectors, _ = _vocabulary(n_items=3, d=8)
    with nefsim.Network():
        memory = AssociativeMemory(vectors, n_neurons=10, label="am")
        memory.add_default_output_vector(np.ones(8), n_neurons=10)
        memory.add_threshold_to_outputs(n_neurons=10)
    assert [c.pre for c in memory.out_conns] == [memory.thresh_ens.output]
    assert [c.pre for c in memory.default_vector_inhibit_conns] == [memory.thresh_ens.output]
    sources = [c.pre for c in memory.connections if c.post in (memory.output,)]
    assert memory.elem_output not in sources
    assert [e.label for e in memory.am_ensembles] == ["am_0", "am_1", "am_2"]
    assert memory.n_items == 3 and memory.inhibit is None and not memory.is_wta
    _run(memory, 0.002)  # the rewired network still builds
