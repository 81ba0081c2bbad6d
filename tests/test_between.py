"""nefsim.between: ``sim.weights.between(a, b)`` and writing it back.

Paths are checked against hand-computed products of the built maps (scaled encoders,
transforms, decoders), against an equivalent direct connection, and against Nengo's
built matrices for the same explicit encoders and evaluation points.
"""

import numpy as np
import pytest

import nefsim
from nefsim import spa
from nefsim.between import effective_weights, set_effective_weights
from nefsim.exceptions import ValidationError
from nefsim.networks import EnsembleArray
from nefsim.neurons import Direct

T1 = np.array([[1.0, 0.5], [0.0, -1.0], [2.0, 1.0]])  # 2-D ensemble -> 3-D node
T2 = np.array([[0.5, 1.0, -1.0], [1.0, 0.0, 0.25]])  # 3-D node -> 2-D ensemble


def _sim(net):
    return nefsim.Simulator(net, progress_bar=False)


def _hand_path(sim, conn1, b, *transforms):
    """scaled_encoders_b @ (transforms, last first) @ T1 Dᵀ of the decoded first link."""
    M = sim.data[conn1].weights  # T1 @ decoders.T, (size_out, n_pre)
    for T in transforms:
        M = T @ M
    return sim.data[b].scaled_encoders @ M


def _node_path_net(mod=nefsim, direct=False, **ens_kw):
    with mod.Network(seed=3) as net:
        a = mod.Ensemble(30, 2, seed=1, **ens_kw)
        node = mod.Node(size_in=3)
        b = mod.Ensemble(40, 2, seed=2, **ens_kw)
        c1 = mod.Connection(a, node, transform=T1)
        c2 = mod.Connection(node, b, transform=T2)
        c3 = mod.Connection(a, b, transform=[[0.3, 0.0], [0.1, -0.2]]) if direct else None
    return net, a, b, (c1, c2, c3)


def test_direct_connection_equals_sim_weights():
    with nefsim.Network(seed=0) as net:
        a = nefsim.Ensemble(20, 2)
        b = nefsim.Ensemble(25, 1)
        conn = nefsim.Connection(a, b, function=lambda x: x[0] * x[1], synapse=0.01)
    with _sim(net) as sim:
        W = sim.weights.between(a, b)
        assert W.shape == (25, 20)
        np.testing.assert_allclose(W, sim.weights[conn], rtol=0, atol=1e-15)
        # Neurons as either end name the same ensembles
        np.testing.assert_array_equal(sim.weights.between(a.neurons, b.neurons), W)
        assert np.abs(W).max() > 1e-3


def test_neuron_connection_with_slices_and_gains():
    rng = np.random.RandomState(1)
    T = rng.randn(4, 3)
    with nefsim.Network(seed=0) as net:
        a = nefsim.Ensemble(10, 1)
        node = nefsim.Node(size_in=4)
        b = nefsim.Ensemble(6, 1)
        nefsim.Connection(a.neurons[[1, 4, 7]], node, transform=T)
        nefsim.Connection(node[1:3], b.neurons[[0, 5]])
    with _sim(net) as sim:
        W = effective_weights(sim, a, b)
        gain = sim.data[b].gain
        expected = np.zeros((6, 10))
        expected[np.ix_([0, 5], [1, 4, 7])] = gain[[0, 5], None] * T[1:3]
        np.testing.assert_allclose(W, expected, rtol=1e-14, atol=0)


def test_path_through_node_is_the_product_of_its_maps():
    net, a, b, (c1, _, _) = _node_path_net()
    with _sim(net) as sim:
        W = sim.weights.between(a, b)
        expected = _hand_path(sim, c1, b, T2)
        decoders = sim.decoders[c1]  # (2, 30): decoders without the transform
        by_decoders = sim.data[b].scaled_encoders @ T2 @ T1 @ decoders
    assert W.shape == (40, 30)
    np.testing.assert_allclose(W, expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(W, by_decoders, rtol=0, atol=1e-13)

    # an equivalent direct connection with the product transform (same seeds)
    with nefsim.Network(seed=3) as net2:
        a2 = nefsim.Ensemble(30, 2, seed=1)
        b2 = nefsim.Ensemble(40, 2, seed=2)
        direct = nefsim.Connection(a2, b2, transform=T2 @ T1)
    with _sim(net2) as sim2:
        np.testing.assert_allclose(W, sim2.weights[direct], rtol=0, atol=1e-13)


def test_path_through_node_matches_nengo_built_maps():
    nengo = pytest.importorskip("nengo")
    rng = np.random.RandomState(0)
    enc = rng.randn(70, 2)
    kw = lambda n, i: {"encoders": enc[i:i + n] / np.linalg.norm(enc[i:i + n], axis=1,
                                                                  keepdims=True),
                       "eval_points": rng.uniform(-1, 1, (300, 2))}
    ka, kb = kw(30, 0), kw(40, 30)
    results = []
    for mod in (nengo, nefsim):
        with mod.Network(seed=3) as net:
            a = mod.Ensemble(30, 2, **ka)
            node = mod.Node(size_in=3)
            b = mod.Ensemble(40, 2, **kb)
            c1 = mod.Connection(a, node, transform=T1)
            mod.Connection(node, b, transform=T2)
        with mod.Simulator(net, progress_bar=False) as sim:
            results.append(_hand_path(sim, c1, b, T2))
            if mod is nefsim:
                W = sim.weights.between(a, b)
    np.testing.assert_allclose(W, results[0], rtol=0, atol=1e-12)
    assert np.abs(W).max() > 1e-2


def test_ensemble_arrays_give_block_structure_in_all_ensembles_order():
    n = 12
    perm = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]], dtype=float)  # out k <- in perm
    with nefsim.Network(seed=0) as net:
        ea1 = EnsembleArray(n, 3)
        ea2 = EnsembleArray(n, 3)
        nefsim.Connection(ea1.output, ea2.input, transform=2.0 * perm)
    with _sim(net) as sim:
        W = sim.weights.between(ea1, ea2)
        assert W.shape == (3 * n, 3 * n)
        ens1, ens2 = ea1.all_ensembles, ea2.all_ensembles
        conns = {c.pre_obj: c for c in net.all_connections if c.pre_obj in ens1}
        for i, post in enumerate(ens2):
            for j, pre in enumerate(ens1):
                block = W[i * n:(i + 1) * n, j * n:(j + 1) * n]
                if perm[i, j]:
                    expected = 2.0 * sim.data[post].scaled_encoders @ sim.data[
                        conns[pre]].weights
                    np.testing.assert_allclose(block, expected, rtol=0, atol=1e-15)
                    assert np.abs(block).max() > 1e-3
                else:
                    assert np.all(block == 0.0)
        # one member at a time gives the same blocks
        np.testing.assert_array_equal(sim.weights.between(ens1[2], ens2[0]), W[:n, 2 * n:])


def test_parallel_paths_sum():
    net, a, b, (c1, _, c3) = _node_path_net(direct=True)
    with net:
        node2 = nefsim.Node(size_in=2)
        c4 = nefsim.Connection(a, node2, function=lambda x: x ** 2)
        nefsim.Connection(node2, b.neurons[:2], transform=[[1.0, 0.0], [0.0, -3.0]])
    with _sim(net) as sim:
        W = sim.weights.between(a, b)
        second = np.zeros((40, 30))
        gain = sim.data[b].gain
        second[:2] = gain[:2, None] * (np.diag([1.0, -3.0]) @ sim.data[c4].weights)
        expected = _hand_path(sim, c1, b, T2) + sim.weights[c3] + second
    np.testing.assert_allclose(W, expected, rtol=0, atol=1e-14)
    assert np.abs(second).max() > 1e-3


def test_chained_nodes_and_learned_values():
    """Two nodes in a row; a PES-learned first link is read as it is now."""
    with nefsim.Network(seed=4) as net:
        stim = nefsim.Node(0.5)
        a = nefsim.Ensemble(20, 1)
        n1, n2 = nefsim.Node(size_in=1), nefsim.Node(size_in=2)
        b = nefsim.Ensemble(15, 2)
        nefsim.Connection(stim, a)
        learn = nefsim.Connection(a, n1, learning_rule_type=nefsim.PES(learning_rate=1e-3))
        nefsim.Connection(n1, n2, transform=[[2.0], [-1.0]])
        nefsim.Connection(n2, b)
        nefsim.Connection(stim, learn.learning_rule)  # error: push the output down
        # not on any a -> b path: a non-linear node fed by a, feeding nothing neural
        sink = nefsim.Node(lambda t, x: None, size_in=2)
        nefsim.Connection(n2, sink)
    with _sim(net) as sim:
        before = sim.weights.between(a, b)
        sim.run(0.05)
        after = sim.weights.between(a, b)
        expected = sim.data[b].scaled_encoders @ np.array([[2.0], [-1.0]]) @ sim.decoders[
            learn]
    np.testing.assert_allclose(after, expected, rtol=0, atol=1e-15)
    assert np.abs(after - before).max() > 1e-4


def _spa_states(direct=False):
    with spa.Network(seed=0) as model:
        s1 = spa.State(16, subdimensions=4, neurons_per_dimension=5)
        s2 = spa.State(16, subdimensions=4, neurons_per_dimension=5)
        if direct:  # one ensemble-to-ensemble connection per block
            links = [nefsim.Connection(e1, e2)
                     for e1, e2 in zip(s1.all_ensembles, s2.all_ensembles)]
        else:
            s1 >> s2
            links = None
    return model, s1, s2, links


def _bounds(state):
    sizes = [ens.n_neurons for ens in state.all_ensembles]
    return np.cumsum([0] + sizes)


def test_spa_states_through_nodes_block_structure():
    model, s1, s2, _ = _spa_states()
    with _sim(model) as sim:
        W = sim.weights.between(s1, s2)
        lo = _bounds(s1)
        assert W.shape == (s2.n_neurons, s1.n_neurons) == (lo[-1], lo[-1])
        for i in range(len(lo) - 1):
            for j in range(len(lo) - 1):
                block = W[lo[i]:lo[i + 1], lo[j]:lo[j + 1]]
                assert (np.abs(block).max() > 1e-3) == (i == j), (i, j)
        # the 4-D pieces: a path output -> input -> array ensembles, plain identity
        pre, post = s1.all_ensembles[2], s2.all_ensembles[2]
        conn = next(c for c in model.all_connections if c.pre_obj is pre)
        expected = sim.data[post].scaled_encoders @ sim.data[conn].weights
        np.testing.assert_allclose(W[lo[2]:lo[3], lo[2]:lo[3]], expected, rtol=0,
                                   atol=1e-15)

        # writing back what was read changes nothing, even through nodes
        set_effective_weights(sim, s1, s2, W)
        np.testing.assert_array_equal(sim.weights.between(s1, s2), W)
        # one cut synapse cannot be expressed through the shared passthrough nodes
        cut = W.copy()
        cut[lo[1] + 3, lo[1] + 2] = 0.0
        with pytest.raises(ValidationError, match="passthrough Node") as err:
            set_effective_weights(sim, s1, s2, cut)
        assert err.value.attr == "W" and "state_0" in str(err.value)
        np.testing.assert_array_equal(sim.weights.between(s1, s2), W)


def test_spa_cut_one_synapse_with_direct_block_connections():
    model, s1, s2, links = _spa_states(direct=True)
    with _sim(model) as sim:
        W = sim.weights.between(s1, s2)
        lo = _bounds(s1)
        before = [sim.weights[c] for c in links]
        r, c = lo[3] + 4, lo[3] + 7
        assert W[r, c] != 0
        W[r, c] = 0.0
        set_effective_weights(sim, s1, s2, W)
        np.testing.assert_allclose(sim.weights.between(s1, s2), W, rtol=0, atol=1e-12)
        for k, conn in enumerate(links):
            expected = before[k].copy()
            if k == 3:
                expected[4, 7] = 0.0
            np.testing.assert_allclose(sim.weights[conn], expected, rtol=0, atol=1e-12)
        sim.run(0.01)  # the edited model runs on
        assert sim.weights[links[3]][4, 7] == 0.0

        # a nonzero block where no connection exists
        bad = W.copy()
        bad[lo[1], lo[2]] = 1e-3
        with pytest.raises(ValidationError, match="no path joins them"):
            set_effective_weights(sim, s1, s2, bad)
        with pytest.raises(ValidationError, match=r"must have shape \(85, 85\).*State"):
            set_effective_weights(sim, s1, s2, W[:, :-1])
        nan = W.copy()
        nan[0, 0] = np.nan
        with pytest.raises(ValidationError, match="finite"):
            set_effective_weights(sim, s1, s2, nan)


def test_two_direct_connections_cannot_be_split():
    with nefsim.Network(seed=0) as net:
        a = nefsim.Ensemble(8, 1)
        b = nefsim.Ensemble(9, 1)
        nefsim.Connection(a, b)
        nefsim.Connection(a.neurons, b.neurons, transform=np.ones((9, 8)) * 1e-3)
    with _sim(net) as sim:
        W = sim.weights.between(a, b)
        W[0, 0] += 1.0
        with pytest.raises(ValidationError, match="2 direct connections"):
            set_effective_weights(sim, a, b, W)


def _error(net, a, b):
    with _sim(net) as sim:
        with pytest.raises(ValidationError) as err:
            sim.weights.between(a, b)
    return err.value


def test_nonlinear_node_on_path_is_an_error():
    with nefsim.Network() as net:
        a, b = nefsim.Ensemble(5, 1), nefsim.Ensemble(5, 1)
        square = nefsim.Node(lambda t, x: x ** 2, size_in=1, label="square")
        nefsim.Connection(a, square)
        nefsim.Connection(square, b)
    err = _error(net, a, b)
    assert err.obj is square and err.attr == "output" and "'square'" in str(err)


def test_direct_ensemble_and_function_on_path_are_errors():
    with nefsim.Network() as net:
        a, b = nefsim.Ensemble(5, 1), nefsim.Ensemble(5, 1)
        mid = nefsim.Ensemble(1, 1, neuron_type=Direct(), label="mid")
        nefsim.Connection(a, mid)
        nefsim.Connection(mid, b)
    err = _error(net, a, b)
    assert err.obj is mid and "Direct" in str(err) and "'mid'" in str(err)

    with nefsim.Network() as net:
        a, b = nefsim.Ensemble(5, 1), nefsim.Ensemble(5, 1)
        node = nefsim.Node(lambda t, x: x, size_in=1)
        nefsim.Connection(a, node)
        conn = nefsim.Connection(node, b, function=np.sin, label="sine")
        node.output = None  # passthrough now, but its connection keeps the function
    err = _error(net, a, b)
    assert err.obj is conn and err.attr == "function" and "'sine'" in str(err)


def test_loop_of_passthrough_nodes_is_an_error():
    with nefsim.Network() as net:
        a, b = nefsim.Ensemble(5, 1), nefsim.Ensemble(5, 1)
        n1, n2 = nefsim.Node(size_in=1, label="n1"), nefsim.Node(size_in=1, label="n2")
        nefsim.Connection(a, n1)
        nefsim.Connection(n1, n2)
        nefsim.Connection(n2, n1, synapse=0.01)
        nefsim.Connection(n2, b)
    err = _error(net, a, b)
    assert "loop" in str(err) and err.obj in (n1, n2)


def test_objects_outside_the_network_and_wrong_types():
    with nefsim.Network() as net:
        a, b = nefsim.Ensemble(5, 1), nefsim.Ensemble(5, 1)
        node = nefsim.Node(size_in=1)
        nefsim.Connection(a, b)
    with nefsim.Network():  # another network
        stray = nefsim.Ensemble(5, 1, label="stray")
        sub = EnsembleArray(5, 2, label="subnet")
    with _sim(net) as sim:
        with pytest.raises(ValidationError, match="'stray'.*not part of") as err:
            sim.weights.between(stray, b)
        assert err.value.attr == "a"
        with pytest.raises(ValidationError, match="subnet.*not part of") as err:
            sim.weights.between(a, sub)
        assert err.value.attr == "b"
        with pytest.raises(ValidationError, match="expected an Ensemble") as err:
            sim.weights.between(node, b)
        assert err.value.attr == "a"
    with pytest.raises(Exception, match="closed"):
        sim.weights.between(a, b)


def test_no_path_gives_zeros_and_batch_axis():
    with nefsim.Network(seed=0) as net:
        a, b = nefsim.Ensemble(5, 1), nefsim.Ensemble(7, 1)
        c = nefsim.Ensemble(6, 1)
        nefsim.Connection(a, c)
        nefsim.Connection(c, b)  # through neurons: not a linear path
    with _sim(net) as sim:
        np.testing.assert_array_equal(sim.weights.between(a, b), np.zeros((7, 5)))
    with nefsim.Simulator(net, progress_bar=False, batch=2) as sim:
        W = sim.weights.between(a, c)
        assert W.shape == (2, 6, 5)
        direct = sim.weights[net.all_connections[0]]
        np.testing.assert_array_equal(W, np.broadcast_to(direct, W.shape))
