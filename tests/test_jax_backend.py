"""The JAX backend runs the same IR as the NumPy backend.

float64 runs must agree with the NumPy reference to 1e-9; float32 runs statistically.
"""

import numpy as np
import pytest

import nefsim
from nefsim.exceptions import BuildError, SimulationError, ValidationError

pytest.importorskip("jax")


def run_both(make, seconds=0.3, **kwargs):
    results = []
    for backend, dtype in (("numpy", None), ("jax", "float64")):
        net, probes = make()
        with nefsim.Simulator(net, progress_bar=False, backend=backend, dtype=dtype,
                              **kwargs) as sim:
            sim.run(seconds)
        results.append([sim.data[p] for p in probes])
        assert np.allclose(sim.trange(), 0.001 * np.arange(1, round(seconds / 0.001) + 1))
    return results


def assert_same(results, atol=1e-9):
    for ours, ref in zip(results[1], results[0]):
        assert ours.shape == ref.shape
        assert np.abs(ref).max() > 0
        assert np.abs(ours - ref).max() <= atol


def chain():
    from nefsim.bench.models import lif_chain

    net, probe = lif_chain(nefsim, n_ensembles=4, n_neurons=60)
    with net:
        spikes = nefsim.Probe(net.ensembles[1].neurons)
        voltage = nefsim.Probe(net.ensembles[2].neurons, "voltage", sample_every=0.005)
    return net, [probe, spikes, voltage]


def assorted():
    """Neuron→neuron transforms, Alpha synapses, slices, a recurrent integrator, rate
    neurons, a time-varying process, a node with an input and a Direct ensemble."""
    with nefsim.Network(seed=3) as net:
        stim = nefsim.Node(nefsim.WhiteSignal(1.0, high=5, seed=1), label="stim")
        a = nefsim.Ensemble(40, 2, label="a")
        b = nefsim.Ensemble(30, 1, neuron_type=nefsim.LIFRate(), label="b")
        c = nefsim.Ensemble(25, 1, neuron_type=nefsim.RectifiedLinear(), label="c")
        d = nefsim.Ensemble(1, 1, neuron_type=nefsim.Direct(), label="d")
        relay = nefsim.Node(lambda t, x: 2 * x, size_in=1, label="relay")
        nefsim.Connection(stim, a[0])
        nefsim.Connection(a, b, function=lambda x: x[0] * 0.5, synapse=nefsim.Alpha(0.01))
        nefsim.Connection(b, b, synapse=0.1)
        nefsim.Connection(a.neurons, c.neurons, transform=np.random.RandomState(0).randn(
            25, 40) * 0.01)
        nefsim.Connection(c, relay)
        nefsim.Connection(relay, d, function=np.square)
        probes = [nefsim.Probe(b, synapse=0.01), nefsim.Probe(c.neurons),
                  nefsim.Probe(relay), nefsim.Probe(d), nefsim.Probe(a, synapse=0.02)]
    return net, probes


def learning():
    with nefsim.Network(seed=2) as net:
        stim = nefsim.Node(lambda t: np.sin(2 * np.pi * t))
        pre = nefsim.Ensemble(30, 1)
        post = nefsim.Ensemble(30, 1)
        nefsim.Connection(stim, pre)
        conn = nefsim.Connection(pre, post, function=lambda x: [0],
                                 learning_rule_type=nefsim.PES(learning_rate=1e-3))
        nefsim.Connection(post, conn.learning_rule)
        nefsim.Connection(stim, conn.learning_rule, transform=-1)
        probes = [nefsim.Probe(post, synapse=0.01), nefsim.Probe(conn, "weights")]
    return net, probes


def small_circconv():
    from nefsim.bench.models import circconv

    net, probe = circconv(nefsim, n_neurons=20, dimensions=4)
    return net, [probe]


def mixed(n_ensembles=5):
    """Products of unequal shapes merged into one group (no batched form: a few become
    dense products, more one sparse product), repeated and non-contiguous slices, and
    many small copies, to cover the backend's fallbacks."""
    with nefsim.Network(seed=4) as net:
        stim = nefsim.Node(lambda t: [np.sin(6 * t), np.cos(5 * t), 0.3])
        sizes = ((20, 1), (35, 2), (15, 3), (25, 1), (30, 2))[:n_ensembles]
        ens = [nefsim.Ensemble(n, d) for n, d in sizes]
        out = nefsim.Node(size_in=3)
        for e in ens:
            nefsim.Connection(stim[:e.dimensions], e)
            nefsim.Connection(e, out[[0, 2, 0][:e.dimensions]], synapse=0.01)
        nefsim.Connection(stim[[2, 0]], ens[1][[1, 0]], transform=0.5)
        probes = [nefsim.Probe(out), nefsim.Probe(ens[1].neurons, "voltage"),
                  nefsim.Probe(ens[2], synapse=0.02)]
    return net, probes


def test_state_blocks_index_like_a_flat_buffer():
    import jax.numpy as jnp

    from nefsim.backends.jax import _Segments

    rng = np.random.RandomState(0)
    flat = rng.randn(2, 20).astype(np.float32)
    starts = (0, 5, 12, 20)
    state = _Segments(starts, [jnp.asarray(flat[:, a:b])
                               for a, b in zip(starts[:-1], starts[1:])])
    whole = lambda s: np.concatenate([np.asarray(p) for p in s.parts], axis=1)
    for idx in (slice(3, 15), slice(5, 12), slice(0, 20), np.array([13, 2, 19]),
                np.array([13, 2, 2, 19])):
        assert np.array_equal(np.asarray(state.get(idx)), flat[:, idx])
        value = rng.randn(2, np.arange(20)[idx].size).astype(np.float32)
        expected = flat.copy()
        np.add.at(expected, (slice(None), idx), value)  # repeated columns sum
        assert np.allclose(whole(state.put(idx, value, add=True)), expected, atol=1e-6)
        if isinstance(idx, slice) or idx.size == 3:
            expected = flat.copy()
            expected[:, idx] = value
            assert np.array_equal(whole(state.put(idx, value)), expected)
    assert np.array_equal(whole(state), flat)  # a put makes a new state


def few_mixed():
    return mixed(n_ensembles=3)


@pytest.mark.parametrize("make", [chain, assorted, learning, small_circconv, mixed,
                                  few_mixed])
def test_float64_matches_numpy(make):
    assert_same(run_both(make))


def test_float32_is_statistically_equal():
    results = []
    for dtype in ("float64", "float32"):
        net, probes = chain()
        with nefsim.Simulator(net, progress_bar=False, backend="jax", dtype=dtype) as sim:
            sim.run(1.0)
            t = sim.trange()
            out = sim.data[probes[0]][:, 0]
        results.append(np.sqrt(np.mean((out - np.sin(2 * np.pi * (t - 0.025))) ** 2)))
    assert results[1] < 0.2 and abs(results[1] - results[0]) < 0.5 * results[0]


def test_runs_continue_reset_and_keep_learned():
    net, probes = learning()
    with nefsim.Simulator(net, progress_bar=False, backend="jax", dtype="float64") as sim:
        sim.run(0.2)
        sim.run(0.1)
        assert sim.n_steps == 300 and sim.data[probes[0]].shape == (300, 1)
        learned = sim.data[probes[1]][-1].copy()
        sim.reset(keep_learned=True)
        sim.step()
        assert np.abs(sim.data[probes[1]][0] - learned).max() < 1e-4
        sim.reset()
        sim.step()
        assert np.abs(sim.data[probes[1]][0]).max() < 1e-4


def test_batch_runs_identical_copies():
    net, probes = chain()
    with nefsim.Simulator(net, progress_bar=False, backend="jax", batch=3) as sim:
        sim.run(0.1)
    data = sim.data[probes[0]]
    assert data.shape == (100, 3, 1) and np.array_equal(data[:, 0], data[:, 2])


def test_unsupported_and_bad_inputs_give_clear_errors():
    with nefsim.Network(seed=1) as net:
        nefsim.Ensemble(10, 1, neuron_type=nefsim.PoissonSpiking(nefsim.LIFRate()))
    with pytest.raises(BuildError, match="random numbers.*numpy"):
        nefsim.Simulator(net, progress_bar=False, backend="jax")
    with pytest.raises(ValidationError, match="float64"):
        nefsim.Simulator(net, progress_bar=False, dtype="float32")
    with nefsim.Network() as net:
        nefsim.Node(lambda t, x: [np.nan if t > 0.005 else 0.0], size_in=1, size_out=1,
                    label="bad")
        nefsim.Connection(nefsim.Node(1.0), net.nodes[0])
    with nefsim.Simulator(net, progress_bar=False, backend="jax") as sim:
        with pytest.raises(SimulationError, match="bad"):
            sim.run(0.01)
