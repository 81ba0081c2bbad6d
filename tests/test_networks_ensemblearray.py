"""nefsim.networks.EnsembleArray and Product: structure, behaviour, and Nengo's results.

The library networks create their objects in Nengo's order, so a seeded model gets the
same per-object seeds and must reproduce Nengo's probe traces (to rounding).
"""

import warnings

import numpy as np
import pytest

import nefsim
import nefsim.networks
from nefsim.dists import Samples, Uniform
from nefsim.networks import EnsembleArray, Product


def _run(net, t):
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(t)
    return sim


def _compare_with_nengo(make, t, atol=1e-9):
    """Build ``make(module)`` in Nengo and nefsim, run both, compare every probe."""
    nengo = pytest.importorskip("nengo")
    traces = []
    for module in (nengo, nefsim):
        net, probes = make(module)
        with module.Simulator(net, progress_bar=False) as sim:
            sim.run(t)
        traces.append([np.asarray(sim.data[p]) for p in probes])
    for ref, ours in zip(*traces):
        np.testing.assert_allclose(ours, ref, atol=atol, rtol=0)


# ------------------------------------------------------------------ EnsembleArray


def _ea_model(mod):
    with mod.Network(seed=3) as net:
        stim = mod.Node(lambda t: [np.sin(6 * t), np.cos(5 * t), 0.5])
        ea = mod.networks.EnsembleArray(30, 3, label="ea",
                                        intercepts=mod.dists.Uniform(-0.5, 0.5))
        mod.Connection(stim, ea.input)
        square = ea.add_output("sq", [np.square, np.abs, lambda x: -x])
        ea.add_neuron_output()
        probes = [mod.Probe(ea.output, synapse=0.01), mod.Probe(square, synapse=0.01),
                  mod.Probe(ea.neuron_output)]
    return net, probes


def test_ensemblearray_matches_nengo():
    _compare_with_nengo(_ea_model, 0.2)


def test_ensemblearray_structure():
    with nefsim.Network():
        ea = EnsembleArray(20, 3, ens_dimensions=2, label="ea", radius=2.0)
    assert (ea.n_ensembles, ea.dimensions_per_ensemble, ea.dimensions) == (3, 2, 6)
    assert ea.n_neurons_per_ensemble == 20 and ea.n_neurons == 60
    assert [e.label for e in ea.ea_ensembles] == ["ea_0", "ea_1", "ea_2"]
    assert all(e.dimensions == 2 and e.radius == 2.0 for e in ea.ea_ensembles)
    assert ea.input.size_in == ea.output.size_in == 6
    assert ea.neuron_input is None and ea.neuron_output is None
    # the input of ensemble i is input[2i:2i+2]
    conns = {c.post_obj: c for c in ea.connections if c.pre_obj is ea.input}
    assert [conns[e].pre_slice for e in ea.ea_ensembles] == [
        slice(0, 2), slice(2, 4), slice(4, 6)]
    with nefsim.Network():
        unlabeled = EnsembleArray(5, 2)
    assert [e.label for e in unlabeled.ea_ensembles] == ["0", "1"]


def test_ensemblearray_list_kwargs_become_samples():
    """As in Nengo: a list is the same per-neuron values for every ensemble."""
    with nefsim.Network():
        ea = EnsembleArray(4, 2, intercepts=[0.1, 0.2, 0.3, 0.4], max_rates=Uniform(100, 120))
    for ens in ea.ea_ensembles:
        assert ens.intercepts == Samples([0.1, 0.2, 0.3, 0.4])
        assert ens.max_rates == Uniform(100, 120)
    sim = _run(ea, 0.001)
    for ens in ea.ea_ensembles:
        np.testing.assert_allclose(sim.data[ens].intercepts, [0.1, 0.2, 0.3, 0.4])


def test_ensemblearray_add_output_computes_functions():
    """Each ensemble decodes its own function; sizes follow each function's output."""
    with nefsim.Network(seed=1) as net:
        stim = nefsim.Node(lambda t: [np.sin(2 * np.pi * t), np.cos(2 * np.pi * t)])
        ea = EnsembleArray(100, 2)
        nefsim.Connection(stim, ea.input, synapse=None)
        out = ea.add_output("f", [np.square, lambda x: [x[0], 2 * x[0]]], synapse=0.01)
        probe = nefsim.Probe(out, synapse=0.01)
        ideal = nefsim.Probe(stim, synapse=0.02)  # the same two filters as the output
    assert ea.f is out and out.size_in == 3
    sim = _run(net, 1.0)
    x = sim.data[ideal]
    want = np.column_stack([x[:, 0] ** 2, x[:, 1], 2 * x[:, 1]])
    rmse = np.sqrt(np.mean((sim.data[probe] - want)[50:] ** 2, axis=0))
    assert np.all(rmse < [0.045, 0.02, 0.04]), rmse  # measured 0.030, 0.008, 0.016


def test_ensemblearray_neuron_input_and_output():
    with nefsim.Network(seed=2) as net:
        ea = EnsembleArray(10, 2)
        nefsim.Connection(nefsim.Node([0.5, -0.5]), ea.input)
        neuron_in = ea.add_neuron_input()
        neuron_out = ea.add_neuron_output()
        # a strong negative current into the second ensemble's neurons silences it
        nefsim.Connection(nefsim.Node([-10.0]), neuron_in[10:], transform=np.ones((10, 1)))
        p_out = nefsim.Probe(neuron_out)
        p_spikes = [nefsim.Probe(e.neurons) for e in ea.ea_ensembles]
        p_value = nefsim.Probe(ea.output, synapse=0.02)
    assert neuron_in.size_in == neuron_out.size_in == 20
    sim = _run(net, 0.2)
    spikes = sim.data[p_out]
    np.testing.assert_array_equal(spikes, np.hstack([sim.data[p] for p in p_spikes]))
    assert spikes[:, :10].sum() > 0 and spikes[50:, 10:].sum() == 0
    assert abs(sim.data[p_value][-1, 0] - 0.5) < 0.1 and abs(sim.data[p_value][-1, 1]) < 0.02


def test_ensemblearray_neuron_nodes_are_made_once():
    with nefsim.Network():
        ea = EnsembleArray(5, 2)
        first_in, first_out = ea.add_neuron_input(), ea.add_neuron_output()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert ea.add_neuron_input() is first_in
            assert ea.add_neuron_output() is first_out
    assert len(caught) == 2 and "already exists" in str(caught[0].message)
    assert len(ea.nodes) == 4  # input, output, neuron_input, neuron_output


# ------------------------------------------------------------------ Product


def _product_model(mod):
    with mod.Network(seed=1) as net:
        a = mod.Node(lambda t: [np.sin(4 * t), 0.6])
        b = mod.Node(lambda t: [np.cos(3 * t), -0.8])
        product = mod.networks.Product(60, 2, input_magnitude=1.2)
        mod.Connection(a, product.input_a)
        mod.Connection(b, product.input_b)
        probes = [mod.Probe(product.output, synapse=0.01)]
    return net, probes


def test_product_matches_nengo():
    _compare_with_nengo(_product_model, 0.2)


def test_product_of_varying_inputs():
    """RMSE of the decoded product against the ideal (same filter): measured 0.045."""
    def a(t):
        return np.sin(2 * np.pi * t)

    def b(t):
        return np.cos(2 * np.pi * 1.3 * t + 0.5)

    with nefsim.Network(seed=0) as net:
        product = Product(100, 1)
        nefsim.Connection(nefsim.Node(a), product.input_a, synapse=None)
        nefsim.Connection(nefsim.Node(b), product.input_b, synapse=None)
        probe = nefsim.Probe(product.output, synapse=0.01)
        ideal = nefsim.Probe(nefsim.Node(lambda t: a(t) * b(t)), synapse=0.01)
    sim = _run(net, 1.0)
    error = (sim.data[probe] - sim.data[ideal])[20:, 0]
    assert np.sqrt(np.mean(error ** 2)) < 0.06
    assert np.abs(error).max() < 0.25


def test_product_structure():
    with nefsim.Network():
        product = Product(21, 3, input_magnitude=2.0)
    assert product.label == "Product"
    assert product.A is product.input_a and product.B is product.input_b
    for sq in (product.sq1, product.sq2):
        assert sq.n_ensembles == 3 and sq.n_neurons_per_ensemble == 10
        assert all(e.radius == pytest.approx(2.0 * np.sqrt(2)) for e in sq.ea_ensembles)
