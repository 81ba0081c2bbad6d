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
    assert data.shape == (3, 100, 1) and np.array_equal(data[0], data[2])


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


# ------------------------------------------------------------- the fast LIF kernel
@pytest.mark.parametrize("min_voltage, dtype, tol", [(0, np.float64, 1e-12),
                                                      (-0.5, np.float64, 1e-12),
                                                      (0, np.float32, 2e-5)])
def test_lif_kernel_is_the_reference_step(min_voltage, dtype, tol):
    """Whole-step, partially and fully refractory neurons, spiking or not."""
    import jax

    from nefsim.backends.jax import lif_kernel
    from nefsim.neurons import LIF

    if dtype == np.float64:
        jax.config.update("jax_enable_x64", True)
    lif, dt = LIF(tau_rc=0.03, tau_ref=0.0015, min_voltage=min_voltage), 0.001
    rng = np.random.RandomState(1)
    n = 20000
    J = rng.uniform(-2, 40, n)
    voltage = rng.uniform(min_voltage, 1, n)
    refractory = rng.choice([0.0, 0.0004, 0.001, 0.0017, 0.002, -0.001], n) * rng.uniform(
        0.5, 1.5, n)
    ref_out, ref_state = lif.step(dt, J, {"voltage": voltage,
                                          "refractory_time": refractory})
    out, v, r = jax.jit(lambda *a: lif_kernel(lif, dt)(*a, jax.numpy))(
        *(x.astype(dtype) for x in (J, voltage, refractory)))
    spiked = ref_out > 0
    assert 0.05 < spiked.mean() < 0.95
    assert np.array_equal(np.asarray(out) > 0, spiked)  # no spike flips at these values
    assert np.allclose(np.asarray(out)[spiked], 1 / dt)
    assert np.abs(np.asarray(v) - ref_state["voltage"]).max() < tol
    assert np.abs(np.asarray(r) - ref_state["refractory_time"]).max() < tol * dt
    assert lif_kernel(nefsim.LIFRate(), dt) is None


def test_float32_log_and_decay_series_are_accurate():
    """The float32 LIF kernel's short series for the spike time's log and the decay are
    within a few ulp of float64 over the ranges the kernel feeds them."""
    import jax
    import jax.numpy as jnp

    from nefsim.backends.jax import _expm1_series, _log1m_series

    a = -np.expm1(-0.001 / 0.02)  # the largest overshoot with Nengo's defaults
    o = np.concatenate([np.linspace(0, a, 10001), [0.0, 1e-30, 2.0 ** -20]])
    got = np.asarray(jax.jit(lambda o: _log1m_series(o, a, 2.0 ** -25))(
        jnp.asarray(o, dtype=jnp.float32)), dtype=np.float64)
    exact = np.log1p(-o.astype(np.float32).astype(np.float64))
    assert got[-3] == 0.0  # log(1) exactly: a neuron that did not spike
    assert np.max(np.abs(got - exact) / np.maximum(np.abs(exact), 1e-30)) < 3 * 2.0 ** -24
    assert _log1m_series(o, 0.9, 2.0 ** -25) is None  # dt / tau_rc too large: use log1p
    x = -np.linspace(0, 0.05, 10001)
    series = np.asarray(jax.jit(lambda x: _expm1_series(x, 0.05, 2.0 ** -25))(
        jnp.asarray(x, dtype=jnp.float32)), dtype=np.float64)
    assert np.max(np.abs(series - np.expm1(x)) / np.maximum(np.abs(np.expm1(x)), 1e-30)) \
        < 3 * 2.0 ** -24
    assert _expm1_series(x, 3.0, 2.0 ** -25) is None  # dt / tau_rc too large: use exp


# ------------------------------------------------------------- IR features
def _backends(ir, batch=1):
    from nefsim.backends.jax import Backend as JaxBackend
    from nefsim.backends.numpy import Backend as NumpyBackend

    return NumpyBackend(ir, batch=batch), JaxBackend(ir, batch=batch, dtype="float64")


def _run_both(ir, steps, batch=1, edit=None):
    states = []
    for backend in _backends(ir, batch):
        backend.reset(np.random.RandomState(0))
        if edit is not None:
            edit(backend)
        backend.run(0, steps, [[] for _ in ir.probes])
        states.append(np.asarray(backend.state))
    return states


def _offsets(ir, batch=1):
    return _backends(ir, batch)[0].offsets


def test_projected_inc_matches_numpy():
    """``W[:, cols] += keep * (P @ D)`` with and without each of P, cols, keep."""
    from nefsim.build.ir import IR, OpGroup, ProjectedInc, Signal

    rng = np.random.RandomState(2)
    rows, n_cols = 4, 6
    cases = [dict(), dict(P=rng.randn(rows, 3), delta=(3, n_cols)),
             dict(cols=np.array([4, 1, 2]), delta=(rows, 3)),
             dict(keep=(rng.rand(rows, n_cols) > 0.3).astype(float)),
             dict(P=rng.randn(rows, 2), cols=np.array([0, 5]), delta=(2, 2),
                  keep=(rng.rand(rows, n_cols) > 0.3).astype(float))]
    for case in cases:
        delta_shape = case.get("delta", (rows, n_cols))
        D = Signal("delta", rng.randn(int(np.prod(delta_shape))))
        W = Signal("W", rng.randn(rows * n_cols), kind="learned")
        op = ProjectedInc(D.ref(), delta_shape, W.ref(), (rows, n_cols), P=case.get("P"),
                          cols=case.get("cols"), keep=case.get("keep"))
        ir = IR(0.001, [D, W], [OpGroup([op])], {}, [])
        ref, ours = _run_both(ir, 3, batch=2)
        start = _offsets(ir)[W]
        got = ours[:, start:start + W.size].reshape(2, rows, n_cols)
        # the increment, by hand, 3 times
        update = D.initial.reshape(delta_shape)
        update = update if case.get("P") is None else case["P"] @ update
        full = np.zeros((rows, n_cols))
        full[:, slice(None) if case.get("cols") is None else case["cols"]] = update
        full *= case.get("keep", 1.0)
        expected = W.initial.reshape(rows, n_cols) + 3 * full
        assert np.abs(got - expected).max() < 1e-12
        assert np.abs(ours - ref).max() < 1e-12


def test_neuron_out_scale_silences_neurons():
    """A merged group where one op has ``out_scale`` and the other has None."""
    from nefsim.build.ir import IR, NeuronStep, OpGroup, Signal
    from nefsim.neurons import LIF, RectifiedLinear

    for neuron_type in (LIF(), RectifiedLinear()):
        signals, ops = [], []
        for k, scale in enumerate([np.array([1.0, 0.0, 1.0, 0.0, 0.0]), None]):
            J = Signal(f"J{k}", np.linspace(2, 30, 5))
            out = Signal(f"out{k}", np.zeros(5))
            state = {name: Signal(f"{name}{k}", np.full(5, 0.5 if name == "voltage" else 0))
                     for name in neuron_type.state}
            signals += [J, out, *state.values()]
            ops.append(NeuronStep(neuron_type, J, out, state, out_scale=scale))
        ir = IR(0.001, signals, [OpGroup(ops)], {}, [])
        offsets = _offsets(ir)
        spikes = np.zeros((2, 10))
        for b, backend in enumerate(_backends(ir)):
            backend.reset(np.random.RandomState(0))
            for step in range(20):
                backend.run(step, 1, [])
                state = np.asarray(backend.state)[0]
                spikes[b] += np.concatenate([state[offsets[s]:offsets[s] + 5]
                                             for s in (signals[1], signals[1 + len(signals) // 2])])
        assert np.abs(spikes[1] - spikes[0]).max() < 1e-9
        assert np.all(spikes[0, [1, 3, 4]] == 0) and np.all(spikes[0, [0, 2, 5, 6]] > 0)


def test_write_sets_state_between_runs():
    net, probes = chain()
    results = []
    for backend, dtype in (("numpy", None), ("jax", "float64")):
        with nefsim.Simulator(net, progress_bar=False, backend=backend, dtype=dtype) as sim:
            sim.run(0.05)
            idx = slice(3, 9)
            sim.backend.write(idx, np.arange(6.0))
            assert np.array_equal(sim.backend.read(idx), np.arange(6.0)[None])
            sim.run(0.05)
            results.append(sim.data[probes[0]])
    assert np.abs(results[1] - results[0]).max() < 1e-9


def test_process_rngs_record_each_process():
    with nefsim.Network(seed=5) as net:
        nefsim.Node(nefsim.WhiteSignal(1.0, high=5), label="noise")
        nefsim.Node(nefsim.WhiteNoise(seed=7), size_out=2, label="seeded")
    found = []
    for backend, dtype in (("numpy", None), ("jax", "float64")):
        with nefsim.Simulator(net, progress_bar=False, backend=backend, dtype=dtype) as sim:
            rngs = sim.backend.process_rngs
            assert len(rngs) == 2
            found.append(sorted((trials[0][0], type(trials[0][2]).__name__)
                                for trials in rngs.values()))
            for (seed, rng, proc_state), in rngs.values():
                assert isinstance(rng, np.random.RandomState) and isinstance(proc_state, dict)
    assert found[0] == found[1] and 7 in [seed for seed, _ in found[1]]


def test_lesion_and_silence_match_numpy():
    """The weights API between runs: a lesioned learning connection (ProjectedInc
    with ``keep``) and silenced neurons (``out_scale``)."""
    results = []
    for backend, dtype in (("numpy", None), ("jax", "float64")):
        net, probes = learning()
        conn = next(c for c in net.all_connections if c.learning_rule_type is not None)
        with nefsim.Simulator(net, progress_bar=False, backend=backend, dtype=dtype) as sim:
            sim.run(0.05)
            mask = np.zeros(sim.weights[conn].shape, dtype=bool)
            mask[:, ::3] = True
            sim.weights.lesion(conn, mask)
            sim.weights.silence(net.all_ensembles[0], [0, 1, 2])
            sim.run(0.1)
            results.append((sim.data[probes[0]], sim.weights[conn]))
    assert np.abs(results[0][1][:, ::3]).max() == 0 and np.abs(results[0][1]).max() > 0
    assert np.abs(results[1][0] - results[0][0]).max() < 1e-9
    assert np.abs(results[1][1] - results[0][1]).max() < 1e-12


def test_per_trial_inputs_and_seeds_equal_the_numpy_backend():
    """Per-trial inputs (run(inputs=)) and per-trial noise seeds give, trial by trial,
    what the NumPy reference gives (float64)."""
    with nefsim.Network(seed=2) as net:
        u = nefsim.Node(lambda t: [0.0], size_out=1, label="u")
        noise = nefsim.Node(nefsim.processes.WhiteNoise(
            nefsim.dists.Gaussian(0, 0.1)), size_out=1)
        a = nefsim.Ensemble(40, 1)
        nefsim.Connection(u, a)
        nefsim.Connection(noise, a)
        p = nefsim.Probe(a, synapse=0.02)
    steps = 1500  # crosses a chunk boundary
    t = (np.arange(steps) + 1) * 0.001
    series = np.stack([np.sin(w * t)[:, None] for w in (2, 5)])
    results = {}
    for backend, options in (("numpy", {}), ("jax", {"dtype": "float64"})):
        with nefsim.Simulator(net, progress_bar=False, backend=backend, batch_size=2,
                              seed=[3, 8], **options) as sim:
            sim.run_steps(steps, inputs={u: series})
            results[backend] = sim.data[p]
    assert results["jax"].shape == (2, steps, 1)
    np.testing.assert_allclose(results["jax"], results["numpy"], atol=1e-9)
    assert np.abs(results["jax"][0] - results["jax"][1]).max() > 0.5


def test_checkpoint_and_weights_api_match_on_jax():
    """sim.save + checkpoint= resumes exactly on JAX (float64), and a weight written
    through sim.weights runs as on the NumPy backend."""
    import tempfile, os

    with nefsim.Network(seed=4) as net:
        stim = nefsim.Node(nefsim.processes.WhiteSignal(1.0, high=5), size_out=1)
        a = nefsim.Ensemble(30, 1, label="a")
        b = nefsim.Ensemble(20, 1, label="b")
        nefsim.Connection(stim, a)
        conn = nefsim.Connection(a, b, label="ab", learning_rule_type=nefsim.PES(1e-4))
        nefsim.Connection(stim, conn.learning_rule, transform=-1)
        p = nefsim.Probe(b, synapse=0.01)
    path = os.path.join(tempfile.mkdtemp(), "ck.npz")
    options = dict(progress_bar=False, backend="jax", dtype="float64")
    with nefsim.Simulator(net, **options) as sim:
        sim.run(0.6)
        whole = sim.data[p]
    with nefsim.Simulator(net, **options) as sim:
        sim.run(0.3)
        sim.save(path)
    with nefsim.Simulator(net, checkpoint=path, **options) as sim:
        sim.run(0.3)
        np.testing.assert_allclose(sim.data[p], whole, atol=1e-12)
    runs = {}
    for backend, extra in (("numpy", {}), ("jax", {"dtype": "float64"})):
        with nefsim.Simulator(net, progress_bar=False, backend=backend, **extra) as sim:
            sim.run(0.2)
            W = sim.weights[conn]
            W[:, :5] = 0.0  # five pre neurons cut off: the connection becomes a full matrix
            sim.weights[conn] = W
            sim.run(0.2)
            runs[backend] = (sim.data[p], sim.weights[conn])
    np.testing.assert_allclose(runs["jax"][0], runs["numpy"][0], atol=1e-9)
    np.testing.assert_allclose(runs["jax"][1], runs["numpy"][1], atol=1e-9)


# ------------------------------------------------------------- probes sampled in the loop
def sampled_probes():
    """Probes with periods of 1, 2.5, 3 and 7 steps, one of them large (5,000 values:
    the branch that skips the write between samples)."""
    with nefsim.Network(seed=5) as net:
        stim = nefsim.Node(lambda t: np.sin(8 * t), label="stim")
        big = nefsim.Ensemble(5000, 1, label="big")
        small = nefsim.Ensemble(50, 1, label="small")
        nefsim.Connection(stim, big)
        nefsim.Connection(big, small)
        probes = [nefsim.Probe(small, synapse=0.01),
                  nefsim.Probe(small, synapse=0.01, sample_every=0.0025),
                  nefsim.Probe(big.neurons, "voltage", sample_every=0.003),
                  nefsim.Probe(small.neurons, sample_every=0.007)]
    return net, probes


def test_sampled_probes_match_numpy_across_chunks():
    """Samples taken in the compiled loop are the NumPy backend's, at the same times,
    over runs that split chunks at different phases of each probe's period."""
    results = []
    for backend, dtype in (("numpy", None), ("jax", "float64")):
        net, probes = sampled_probes()
        with nefsim.Simulator(net, progress_bar=False, backend=backend, dtype=dtype) as sim:
            sim.run(1.0015)  # 1,001 or 1,002 steps: the next chunk starts mid-period
            sim.run(1.2)
        results.append([sim.data[p] for p in probes])
        counts = [len(sim.trange(sample_every=p.sample_every)) for p in probes]
        assert [len(d) for d in results[-1]] == counts
    assert_same(results)


def test_sampled_probes_keep_only_their_samples_in_a_chunk():
    """A probe with sample_every = 10 steps leaves ~n/10 rows per chunk of n steps, not
    n: memory of a chunk scales with the samples, not with the steps."""
    import jax

    with nefsim.Network(seed=1) as net:
        ens = nefsim.Ensemble(400, 1)
        every = nefsim.Probe(ens.neurons, "voltage")
        sparse = nefsim.Probe(ens.neurons, "voltage", sample_every=0.01)
    with nefsim.Simulator(net, progress_bar=False, backend="jax") as sim:
        backend = sim.backend
        n = backend.chunk_steps
        chunk, rows = backend._chunk(n)
        times = np.arange(n, dtype=np.float32) * sim.dt
        host = backend._host_values(times)
        shapes = jax.eval_shape(chunk, backend.state, times, host, np.ones((), np.float32),
                                np.zeros((n, len(rows)), np.int32))
        _, every_out, buffers = shapes
        assert [b.shape for b in buffers] == [(n // 10 + 2, 1, 400)]
        assert [e.shape for e in every_out] == [(n, 1, 400)]
        sim.run(2.5)
        assert sim.data[sparse].shape == (250, 400) and sim.data[every].shape == (2500, 400)
        assert np.array_equal(sim.data[sparse], sim.data[every][9::10])


# ------------------------------------------------------------- how JAX is started
def test_thread_pool_request_is_read_and_checked(monkeypatch):
    from nefsim.backends.jax_runtime import SMALL_MODEL_NEURONS, requested_threads

    monkeypatch.delenv("NEFSIM_JAX_THREADS", raising=False)
    assert requested_threads(1000) == 1  # small models: one thread
    assert requested_threads(SMALL_MODEL_NEURONS) == 0  # large ones: JAX's default
    monkeypatch.setenv("NEFSIM_JAX_THREADS", " 3 ")
    assert requested_threads(10) == 3
    for bad in ("two", "-1", "1.5"):
        monkeypatch.setenv("NEFSIM_JAX_THREADS", bad)
        with pytest.raises(ValidationError, match="NEFSIM_JAX_THREADS.*whole number"):
            requested_threads(10)


@pytest.mark.skipif(not hasattr(__import__("os"), "sched_getaffinity")
                    or len(__import__("os").sched_getaffinity(0)) < 2,
                    reason="needs Linux and at least 2 CPUs")
def test_small_thread_pool_leaves_no_thread_pinned():
    """In a fresh process, NEFSIM_JAX_THREADS=1 starts JAX with fewer threads than
    JAX's default (0), and every thread keeps the process's CPU set afterwards."""
    import json
    import os
    import subprocess
    import sys

    script = ("import os, json\n"
              "from nefsim.backends.jax_runtime import start\n"
              "before = os.sched_getaffinity(0)\n"
              "start(10)\n"
              "tids = os.listdir('/proc/self/task')\n"
              "same = all(os.sched_getaffinity(int(t)) == before for t in tids)\n"
              "print(json.dumps([len(tids), same]))\n")
    counts = {}
    for threads in ("1", "0"):
        env = dict(os.environ, NEFSIM_JAX_THREADS=threads)
        out = subprocess.run([sys.executable, "-c", script], env=env, check=True,
                             capture_output=True, text=True).stdout
        counts[threads], unpinned = json.loads(out.strip().splitlines()[-1])
        assert unpinned
    assert counts["1"] < counts["0"]
