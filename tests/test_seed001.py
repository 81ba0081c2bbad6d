"""The user page "Connections in depth" (shared/seeds/001): every snippet runs under
``import nefsim as nengo`` and behaves as the page says.

EnsembleArray is built by hand here (two 1-D ensembles gathered into a passthrough
``output`` node), which is what the page relies on.
"""

import numpy as np
import pytest

import nefsim as nengo
from nefsim.exceptions import ValidationError


def _run(net, t=0.1, **kwargs):
    with nengo.Simulator(net, progress_bar=False, **kwargs) as sim:
        sim.run(t)
    return sim


def _ensemble_array(n_neurons, n_ensembles):
    """Hand-made EnsembleArray: 1-D ensembles -> passthrough ``output`` node."""
    with nengo.Network(label="ea") as ea:
        ea.input = nengo.Node(size_in=n_ensembles, label="input")
        ea.output = nengo.Node(size_in=n_ensembles, label="output")
        ea.ea_ensembles = []
        for i in range(n_ensembles):
            ens = nengo.Ensemble(n_neurons, 1, label=f"ens{i}")
            nengo.Connection(ea.input[i], ens, synapse=None)
            nengo.Connection(ens, ea.output[i], synapse=None)
            ea.ea_ensembles.append(ens)
    return ea


# ------------------------------------------------------------------ decoded connections


def test_decoded_connection_examples():
    """Ensemble -> ensemble, ensemble slice -> node, ensemble -> neurons slice are all
    decoded: they get eval points, solver info and (size_out, n_pre) decoder weights."""
    with nengo.Network(seed=0) as net:
        ens1 = nengo.Ensemble(10, dimensions=2)
        node = nengo.Node(size_in=1)
        ens2 = nengo.Ensemble(4, dimensions=2)

        # Ensemble to ensemble
        c1 = nengo.Connection(ens1, ens2)
        # Ensemble slice to node
        c2 = nengo.Connection(ens1[0], node)
        # Ensemble to neurons slice
        c3 = nengo.Connection(ens1, ens2.neurons[:2])

    sim = _run(net)
    for conn, shape in ((c1, (2, 10)), (c2, (1, 10)), (c3, (2, 10))):
        built = sim.data[conn]
        assert built.weights.shape == shape
        assert built.eval_points is not None and built.eval_points.shape[1] == 2
        assert "rmses" in built.solver_info


def test_decoded_output_is_decoders_times_activities():
    """y(t) = sum_i d_i a_i(x(t)): with no synapse the connection output is exactly the
    decoder weights times the pre neurons' outputs at the same step."""
    with nengo.Network(seed=1) as net:
        stim = nengo.Node(lambda t: [np.sin(6 * t), np.cos(4 * t)])
        ens1 = nengo.Ensemble(30, dimensions=2)
        node = nengo.Node(size_in=1)
        nengo.Connection(stim, ens1)
        conn = nengo.Connection(ens1, node, function=lambda x: x[0] * x[1], synapse=None)
        p_out = nengo.Probe(conn, "output")
        p_spikes = nengo.Probe(ens1.neurons)

    sim = _run(net, 0.2)
    expected = sim.data[p_spikes] @ sim.data[conn].weights.T
    assert np.any(expected != 0)
    np.testing.assert_allclose(sim.data[p_out], expected, rtol=1e-12, atol=1e-12)


def test_decoded_function_runs_only_at_build_time():
    """The function of a decoded connection is used to solve decoders, never while the
    simulation runs."""
    calls = []

    def square(x):
        calls.append(1)
        return x ** 2

    with nengo.Network(seed=2) as net:
        ens = nengo.Ensemble(20, 1)
        node = nengo.Node(size_in=1)
        nengo.Connection(ens, node, function=square)

    with nengo.Simulator(net, progress_bar=False) as sim:
        n_build = len(calls)
        sim.run(0.05)
    assert n_build >= 1
    assert len(calls) == n_build


# ------------------------------------------------------------------ direct connections


def test_neuron_to_neuron_connection():
    """Dimensions of the ensembles do not matter, only the (post.n, pre.n) transform."""
    with nengo.Network(seed=3) as net:
        ens1 = nengo.Ensemble(10, dimensions=1)
        ens2 = nengo.Ensemble(20, dimensions=2)

        # Neuron to neuron
        weights = np.random.normal(size=(ens2.n_neurons, ens1.n_neurons))
        conn = nengo.Connection(ens1.neurons, ens2.neurons, transform=weights)
        p = nengo.Probe(ens2.neurons, "input")

    sim = _run(net, 0.05)
    np.testing.assert_array_equal(sim.data[conn].weights, weights)
    assert sim.data[conn].eval_points is None
    assert sim.data[p].shape == (50, 20)


def test_neuron_to_neuron_wrong_transform_shape():
    """A transform of the wrong shape is a ValidationError naming ``transform``."""
    with nengo.Network():
        ens1 = nengo.Ensemble(10, dimensions=1)
        ens2 = nengo.Ensemble(20, dimensions=2)
        with pytest.raises(ValidationError, match="transform"):
            nengo.Connection(ens1.neurons, ens2.neurons, transform=np.ones((10, 20)))


def test_node_and_direct_ensemble_functions_run_every_step():
    """From nodes and Direct ensembles the function is applied to the input on every
    time step, exactly (no decoders)."""
    calls = []

    def square(x):
        calls.append(1)
        return x ** 2

    with nengo.Network(seed=4) as net:
        node = nengo.Node(output=[1])
        ens1 = nengo.Ensemble(1, dimensions=2, neuron_type=nengo.Direct())
        ens2 = nengo.Ensemble(10, dimensions=1)

        # Node to LIF ensemble
        c_node = nengo.Connection(node, ens2, function=square)
        # Direct ensemble to LIF ensemble
        c_direct = nengo.Connection(ens1, ens2, function=lambda x: x[0] * x[1])

        # Drive the Direct ensemble so the product is not trivially zero.
        stim = nengo.Node([0.5, -3.0])
        nengo.Connection(stim, ens1, synapse=None)
        p_node = nengo.Probe(c_node, "output")
        p_direct = nengo.Probe(c_direct, "output")

    with nengo.Simulator(net, progress_bar=False) as sim:
        before = len(calls)
        sim.run(0.05)
        assert len(calls) - before == 50
    assert sim.data[c_node].eval_points is None
    assert sim.data[c_direct].eval_points is None
    # The connection output after Lowpass(0.005) of a constant from step 1 on (what the
    # filter holds at the end of step k; its consumers read it one step later).
    a = np.exp(-0.001 / 0.005)
    k = np.arange(1, 51)
    np.testing.assert_allclose(sim.data[p_node][:, 0], 1.0 * (1 - a ** k), atol=1e-12)
    np.testing.assert_allclose(sim.data[p_direct][:, 0], -1.5 * (1 - a ** k), atol=1e-12)


# ------------------------------------------------------------------ passthrough nodes


def test_function_from_passthrough_node_raises():
    """Passthrough node to ensemble with a function: ValidationError explaining why."""
    with nengo.Network():
        ea = _ensemble_array(40, 2)
        product = nengo.Ensemble(30, dimensions=1)

        # Passthrough node to ensemble -- raises error
        with pytest.raises(ValidationError) as info:
            nengo.Connection(ea.output, product, function=lambda x: x[0] * x[1])
    message = str(info.value)
    assert "function" in message
    assert "passthrough" in message
    assert "node.output = lambda t, x: x" in message


def test_function_from_non_passthrough_node_is_computed_exactly():
    """Making the node non-passthrough allows the function, which is then computed
    exactly (not approximated) every step."""
    with nengo.Network(seed=5) as net:
        ea = _ensemble_array(40, 2)
        product = nengo.Ensemble(30, dimensions=1)

        # Make the node non-passthrough
        ea.output.output = lambda t, x: x
        # Node to ensemble -- no error
        conn = nengo.Connection(ea.output, product, function=lambda x: x[0] * x[1],
                                synapse=None)

        stim = nengo.Node([0.6, -0.7])
        nengo.Connection(stim, ea.input, synapse=None)
        p_out = nengo.Probe(ea.output)
        p_conn = nengo.Probe(conn, "output")

    sim = _run(net, 0.2)
    out = sim.data[p_out]
    np.testing.assert_allclose(sim.data[p_conn][:, 0], out[:, 0] * out[:, 1], rtol=1e-12,
                               atol=1e-15)
    # The array still represents its input (decoded through its ensembles).
    filt = np.mean(out[100:], axis=0)
    np.testing.assert_allclose(filt, [0.6, -0.7], atol=0.15)


# ------------------------------------------------------------------ neuron-to-ensemble


def test_neuron_to_ensemble_equals_decoded_connection():
    """conn2 = Connection(ens1.neurons, ens2, transform=decoders) gives the same output
    as the decoded conn1 when ens1 is seeded."""
    with nengo.Network() as net:
        ens1 = nengo.Ensemble(20, dimensions=1, seed=0)
        ens2 = nengo.Ensemble(15, dimensions=1)

        # Decoded ensemble to ensemble connection
        conn1 = nengo.Connection(ens1, ens2, function=lambda x: x + 0.5)

    with nengo.Simulator(net, progress_bar=False) as sim:
        decoders = sim.data[conn1].weights  # the page's `decoders =[conn1].weights`
    assert decoders.shape == (1, 20)

    with net:
        # Direct neurons to ensemble connection
        conn2 = nengo.Connection(ens1.neurons, ens2, transform=decoders)

    with net:
        probe1 = nengo.Probe(conn1, "output", synapse=0.01)
        probe2 = nengo.Probe(conn2, "output", synapse=0.01)

    with nengo.Simulator(net, progress_bar=False) as sim:
        sim.run(0.5)

    assert np.allclose(sim.data[probe1], sim.data[probe2])
    # Not vacuous: ens1 gets no input, so the decoded value is about f(0) = 0.5.
    assert np.mean(sim.data[probe1][200:]) == pytest.approx(0.5, abs=0.1)


def test_decoded_transform_is_applied_after_function():
    """On a decoded connection the transform multiplies the function's output."""
    with nengo.Network(seed=6) as net:
        ens = nengo.Ensemble(30, 1)
        node = nengo.Node(size_in=2)
        plain = nengo.Connection(ens, node[0], function=lambda x: x ** 2)
        scaled = nengo.Connection(ens, node, function=lambda x: x ** 2,
                                  transform=[[2.0], [-1.0]])

    with nengo.Simulator(net, progress_bar=False) as sim:
        d = sim.data[plain].weights
        np.testing.assert_allclose(sim.data[scaled].weights, np.vstack([2 * d, -d]),
                                   rtol=1e-12)
