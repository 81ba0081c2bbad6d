"""The Simulator facade, the build schedule and the NumPy backend's step semantics."""

import numpy as np
import pytest

import nefsim
from nefsim.build.ir import NeuronStep, Filter, DotInc
from nefsim.exceptions import BuildError, SimulatorClosed, ValidationError


def ramp_model(synapse):
    with nefsim.Network(seed=0) as net:
        u = nefsim.Node(lambda t: t, label="u")
        relay = nefsim.Node(size_in=1, label="relay")
        nefsim.Connection(u, relay, synapse=synapse)
        p = nefsim.Probe(relay)
    return net, p


def test_passthrough_adds_no_delay():
    net, p = ramp_model(None)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run_steps(5)
    assert np.allclose(sim.data[p][:, 0], sim.trange(), atol=1e-15)


def test_lowpass_delays_exactly_one_step():
    # consumers see y[k-1], with y[k] = a y[k-1] + (1-a) u[k]  (zero-order hold)
    net, p = ramp_model(0.01)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run_steps(6)
    a = np.exp(-0.001 / 0.01)
    y, expected = 0.0, [0.0]
    for u in sim.trange()[:-1]:
        y = a * y + (1 - a) * u
        expected.append(y)
    assert np.allclose(sim.data[p][:, 0], expected, rtol=1e-12, atol=1e-18)
    assert sim.data[p][0, 0] == 0


def test_trange_steps_time_and_sample_every():
    net, p = ramp_model(None)
    with net:
        sparse = nefsim.Probe(net.nodes[1], sample_every=0.003)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(0.01)
        assert sim.n_steps == 10 and np.isclose(sim.time, 0.01)
        assert np.allclose(sim.trange(), 0.001 * np.arange(1, 11))
        assert np.allclose(sim.trange(sample_every=0.003), [0.003, 0.006, 0.009])
        assert np.allclose(sim.data[sparse][:, 0], [0.003, 0.006, 0.009])
        sim.step()
        assert sim.n_steps == 11 and sim.data[p].shape == (11, 1)


def test_reset_restores_everything():
    with nefsim.Network(seed=3) as net:
        stim = nefsim.Node(nefsim.WhiteSignal(1.0, high=5), label="stim")
        ens = nefsim.Ensemble(30, 1, label="ens")
        nefsim.Connection(stim, ens)
        p = nefsim.Probe(ens, synapse=0.01)
        spikes = nefsim.Probe(ens.neurons)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(0.2)
        first, first_spikes = sim.data[p].copy(), sim.data[spikes].copy()
        sim.reset()
        assert sim.n_steps == 0 and sim.data[p].shape[0] == 0
        sim.run(0.2)
        assert np.array_equal(sim.data[p], first)
        assert np.array_equal(sim.data[spikes], first_spikes)
        sim.reset(seed=sim.seed + 1)  # another noise stream changes the input
        sim.run(0.2)
        assert not np.allclose(sim.data[p], first)


def test_same_seed_same_results_and_independent_simulators():
    def run():
        with nefsim.Network(seed=11) as net:
            a = nefsim.Ensemble(40, 2)
            nefsim.Connection(nefsim.Node([0.3, -0.2]), a)
            p = nefsim.Probe(a, synapse=0.01)
        with nefsim.Simulator(net, progress_bar=False) as sim:
            sim.run(0.1)
        return sim.data[p]
    assert np.array_equal(run(), run())


def test_closed_simulator_refuses_to_run():
    net, p = ramp_model(None)
    sim = nefsim.Simulator(net, progress_bar=False)
    sim.run_steps(2)
    sim.close()
    for call in (lambda: sim.run(0.1), sim.step, sim.reset, lambda: sim.run_steps(1)):
        with pytest.raises(SimulatorClosed, match="closed"):
            call()
    assert sim.data[p].shape == (2, 1)  # results stay readable


def test_bad_run_arguments_change_nothing():
    net, p = ramp_model(None)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run_steps(3)
        with pytest.raises(ValidationError, match="time_in_seconds"):
            sim.run(-1)
        with pytest.raises(ValidationError, match="steps"):
            sim.run_steps(-2)
        assert sim.n_steps == 3


def test_chain_is_merged_into_few_groups():
    # Ten LIF ensembles in a chain step as ONE neuron group, decode as one product and
    # filter as one first-order bank: that is what makes the per-step cost small.
    from nefsim.bench.models import lif_chain

    net, _ = lif_chain(nefsim, n_ensembles=10, n_neurons=50)
    with nefsim.Simulator(net, progress_bar=False, decoder_cache=False) as sim:
        groups = sim.ir.groups
    neuron_groups = [g for g in groups if isinstance(g.ops[0], NeuronStep)]
    assert len(neuron_groups) == 1 and len(neuron_groups[0].ops) == 10
    decode = [g for g in groups if isinstance(g.ops[0], DotInc)]
    assert sorted(len(g.ops) for g in decode) == [10, 10]  # encoders and decoders
    assert sum(len(g.ops) for g in groups if isinstance(g.ops[0], Filter)) == 11
    assert len(groups) <= 10


def test_unfiltered_ensemble_loop_is_a_build_error():
    with nefsim.Network() as net:
        a = nefsim.Ensemble(10, 1, label="a")
        nefsim.Connection(a, a, synapse=None)
    with pytest.raises(BuildError, match="algebraic loop"):
        nefsim.Simulator(net, progress_bar=False)


def test_batch_runs_identical_copies():
    with nefsim.Network(seed=5) as net:
        a = nefsim.Ensemble(20, 1)
        nefsim.Connection(nefsim.Node(np.sin), a)
        p = nefsim.Probe(a, synapse=0.01)
    with nefsim.Simulator(net, progress_bar=False, batch=3) as sim:
        sim.run(0.05)
    data = sim.data[p]
    assert data.shape == (3, 50, 1)  # (trials, samples, dimensions)
    assert np.array_equal(data[0], data[2])


def _fed_model():
    with nefsim.Network(seed=3) as net:
        u = nefsim.Node(lambda t: [0.0, 0.0], size_out=2, label="u")
        a = nefsim.Ensemble(60, 2, label="a")
        nefsim.Connection(u, a)
        p = nefsim.Probe(a, synapse=0.02)
    return net, u, p


def test_per_trial_inputs_equal_separate_runs():
    """Trial b of a batch fed per-trial inputs equals a single run with that input."""
    steps = 120
    t = (np.arange(steps) + 1) * 0.001
    series = np.stack([np.stack([np.sin(w * t), np.cos(w * t)], axis=1) for w in (3, 7, 11)])
    net, u, p = _fed_model()
    with nefsim.Simulator(net, progress_bar=False, batch_size=3) as sim:
        sim.run_steps(steps, inputs={u: series})
        batched = sim.data[p]
    assert batched.shape == (3, steps, 2)
    for b in range(3):
        net1, u1, p1 = _fed_model()
        u1.output = lambda time, b=b: series[b, int(round(time / 0.001)) - 1]
        with nefsim.Simulator(net1, progress_bar=False) as single:
            single.run_steps(steps)
        np.testing.assert_allclose(batched[b], single.data[p1], atol=1e-12)
    assert np.abs(batched[0] - batched[2]).max() > 0.1  # the trials really differ


def test_per_trial_constant_inputs_and_bad_inputs():
    net, u, p = _fed_model()
    with nefsim.Simulator(net, progress_bar=False, batch=2) as sim:
        sim.run(0.3, inputs={u: [[0.5, 0.0], [-0.5, 0.0]]})
        assert sim.data[p][0, -1, 0] > 0.3 and sim.data[p][1, -1, 0] < -0.3
        before = sim.n_steps
        with pytest.raises(ValidationError, match=r"Node 'u'.*\(2, 10, 2\)"):
            sim.run_steps(10, inputs={u: np.zeros((3, 10, 2))})
        with pytest.raises(ValidationError, match="Node 'u'.*finite"):
            sim.run_steps(10, inputs={u: np.full((2, 2), np.nan)})
        with pytest.raises(ValidationError, match="Nodes of the simulated network"):
            sim.run_steps(10, inputs={p: np.zeros((2, 2))})
        assert sim.n_steps == before  # nothing ran
    with nefsim.Network() as net:
        c = nefsim.Node([1.0], label="const")
        nefsim.Probe(c)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        with pytest.raises(ValidationError, match="Node 'const'.*function or a process"):
            sim.run_steps(5, inputs={c: [[0.0]]})
    with pytest.raises(ValidationError, match="batch_size"):
        nefsim.Simulator(net, batch=2, batch_size=3)


def test_built_parameters_equal_nengo_for_a_seeded_1d_model():
    # nefsim follows Nengo's seed scheme and sampling order, so a seeded 1-D model gets
    # bit-identical gains, biases, encoders and initial voltages.
    nengo = pytest.importorskip("nengo")

    def make(mod):
        with mod.Network(seed=42) as net:
            a = mod.Ensemble(60, 1, label="a")
            b = mod.Ensemble(40, 1, label="b", radius=2.0)
            mod.Connection(a, b, function=np.square)
        return net, a, b

    net, a, b = make(nefsim)
    ref_net, ra, rb = make(nengo)
    with nefsim.Simulator(net, progress_bar=False, decoder_cache=False) as sim, \
            nengo.Simulator(ref_net, progress_bar=False) as ref:
        for ours, theirs in ((a, ra), (b, rb)):
            for field in ("gain", "bias", "encoders", "max_rates", "intercepts",
                          "scaled_encoders", "eval_points"):
                assert np.allclose(getattr(sim.data[ours], field),
                                   getattr(ref.data[theirs], field), rtol=1e-12, atol=1e-14)
        conn, ref_conn = net.connections[0], ref_net.connections[0]
        assert np.allclose(sim.data[conn].weights, ref.data[ref_conn].weights, atol=1e-12)


def test_decoder_cache_reuses_solves(tmp_path, monkeypatch):
    from nefsim.build.decoder_cache import DecoderCache

    cache = DecoderCache(cache_dir=str(tmp_path))
    with nefsim.Network(seed=1) as net:
        a = nefsim.Ensemble(50, 1)
        b = nefsim.Ensemble(50, 1)
        conn = nefsim.Connection(a, b)
    with nefsim.Simulator(net, progress_bar=False, decoder_cache=cache) as sim:
        first = sim.data[conn].weights
    assert len(cache) == 1
    calls = []
    import nefsim.solvers as solvers

    original = solvers.LstsqL2.__call__
    monkeypatch.setattr(solvers.LstsqL2, "__call__",
                        lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    with nefsim.Simulator(net, progress_bar=False, decoder_cache=cache) as sim:
        assert np.array_equal(sim.data[conn].weights, first)
    assert calls == []


def test_progress_bars_on_a_terminal(monkeypatch, capsys):
    # Progress bars appear only on a terminal and for long builds/runs; they must not
    # change results.
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with nefsim.Network(seed=1) as net:
        stim = nefsim.Node(0.5)
        ens = [nefsim.Ensemble(5, 1) for _ in range(120)]
        for e in ens:
            nefsim.Connection(stim, e)
        p = nefsim.Probe(ens[0], synapse=0.01)
    with nefsim.Simulator(net, decoder_cache=False) as sim:
        sim.run_steps(1500)
    err = capsys.readouterr().err
    assert "Building" in err and "Simulating" in err
    with nefsim.Simulator(net, progress_bar=False, decoder_cache=False) as quiet:
        quiet.run_steps(1500)
    assert np.array_equal(sim.data[p], quiet.data[p])
    assert "Building" not in capsys.readouterr().err


def test_spikes_probe_is_the_neuron_output():
    with nefsim.Network(seed=2) as net:
        a = nefsim.Ensemble(15, 1)
        nefsim.Connection(nefsim.Node(0.8), a)
        spikes = nefsim.Probe(a.neurons, "spikes")
        output = nefsim.Probe(a.neurons, "output")
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(0.1)
    assert np.array_equal(sim.data[spikes], sim.data[output])
    assert set(np.unique(sim.data[spikes])) == {0.0, 1000.0}


def test_nefsim_works_without_nengo():
    import subprocess
    import sys

    code = ("import sys; sys.modules['nengo'] = None\n"
            "import nefsim\n"
            "with nefsim.Network(seed=0) as net:\n"
            "    a = nefsim.Ensemble(20, 1)\n"
            "    nefsim.Connection(nefsim.Node(0.5), a)\n"
            "    p = nefsim.Probe(a, synapse=0.05)\n"
            "with nefsim.Simulator(net, progress_bar=False) as sim:\n"
            "    sim.run(0.3)\n"
            "print(round(float(sim.data[p][-1, 0]), 1))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0.5"


def test_convolution_and_sparse_transforms_match_nengo():
    nengo = pytest.importorskip("nengo")

    def make(m):
        with m.Network(seed=0) as net:
            n = m.Node(np.arange(16) / 16.0)
            conv_out = m.Node(size_in=8)
            m.Connection(n, conv_out, synapse=None, transform=m.Convolution(
                2, (4, 4, 1), kernel_size=(3, 3), init=m.dists.Uniform(-1, 1)))
            sparse_out = m.Node(size_in=3)
            m.Connection(n, sparse_out, synapse=0.01, transform=m.Sparse(
                (3, 16), indices=[[0, 1], [2, 5]], init=[2.0, 3.0]))
            probes = m.Probe(conv_out), m.Probe(sparse_out)
        return net, probes

    results = []
    for m in (nefsim, nengo):
        net, probes = make(m)
        with m.Simulator(net, progress_bar=False) as sim:
            sim.run_steps(5)
        results.append([sim.data[p] for p in probes])
    for ours, theirs in zip(*results):
        assert np.abs(theirs).max() > 0
        assert np.allclose(ours, theirs, rtol=0, atol=1e-13)


@pytest.mark.parametrize("wrapper", ["PoissonSpiking", "StochasticSpiking", "RegularSpiking"])
def test_spiking_wrappers_draw_nengos_spikes(wrapper):
    # Stochastic types draw from the ensemble's build-time generator (seed + 1), after
    # sampling the initial state from it, as Nengo does: a seeded 1-D model gives the
    # same spike trains.
    nengo = pytest.importorskip("nengo")
    results = []
    for m in (nefsim, nengo):
        with m.Network(seed=7) as net:
            a = m.Ensemble(30, 1, neuron_type=getattr(m, wrapper)(m.LIFRate()))
            m.Connection(m.Node(0.4), a)
            p = m.Probe(a.neurons)
        with m.Simulator(net, progress_bar=False) as sim:
            sim.run(0.2)
        results.append(sim.data[p])
    assert results[0].sum() > 0
    assert np.array_equal(results[0], results[1])


def test_one_factorisation_serves_all_outputs_of_an_ensemble(monkeypatch):
    # Three connections and a probe decode from one ensemble with LstsqL2: the Cholesky
    # back-end runs once, and every decoder equals a separate solve.
    import nefsim.lstsq as lstsq

    calls = []
    original = lstsq.Cholesky.__call__
    monkeypatch.setattr(lstsq.Cholesky, "__call__",
                        lambda self, A, Y, *a, **k: calls.append(Y.shape)
                        or original(self, A, Y, *a, **k))
    with nefsim.Network(seed=3) as net:
        a = nefsim.Ensemble(60, 2, label="a")
        b = nefsim.Ensemble(20, 1)
        conns = [nefsim.Connection(a, b, function=f) for f in
                 (lambda x: x[0] * x[1], lambda x: x[0] ** 2, lambda x: x[1])]
        nefsim.Probe(a)
    with nefsim.Simulator(net, progress_bar=False, decoder_cache=False) as sim:
        shared = [sim.data[c].weights for c in conns]
    assert calls == [(sim.data[a].eval_points.shape[0], 5)]  # 1 + 1 + 1 + 2 columns
    solver = nefsim.solvers.LstsqL2()
    x = sim.data[a].eval_points @ sim.data[a].encoders.T
    A = a.neuron_type.rates(x, sim.data[a].gain, sim.data[a].bias)
    for conn, W in zip(conns, shared):
        Y = np.array([np.atleast_1d(conn.function(p)) for p in sim.data[a].eval_points])
        D, _ = solver(A, Y)
        assert np.allclose(W, D.T, rtol=1e-9, atol=1e-12)


def test_function_points_and_connection_eval_points_match_nengo():
    nengo = pytest.importorskip("nengo")
    points = np.linspace(-1, 1, 40)[:, None]
    results = []
    for m in (nefsim, nengo):
        with m.Network(seed=9) as net:
            a = m.Ensemble(50, 1, radius=2.0)
            out = m.Node(size_in=1)
            c1 = m.Connection(a, out, eval_points=points, function=np.sin(points))
            c2 = m.Connection(a, out, eval_points=points, scale_eval_points=False,
                              function=lambda x: x ** 2)
        with m.Simulator(net, progress_bar=False) as sim:
            results.append([(sim.data[c].weights, sim.data[c].eval_points) for c in (c1, c2)])
    for (w_ours, ep_ours), (w_ref, ep_ref) in zip(*results):
        assert np.allclose(ep_ours, ep_ref) and np.allclose(w_ours, w_ref, atol=1e-10)
    assert np.allclose(results[0][0][1], 2 * points)  # scaled by the radius
    assert np.allclose(results[0][1][1], points)      # scale_eval_points=False


def _pes_model():
    with nefsim.Network(seed=4) as net:
        stim = nefsim.Node(lambda t: np.sin(2 * np.pi * t), label="stim")
        pre = nefsim.Ensemble(40, 1, label="pre")
        post = nefsim.Node(size_in=1, label="post")
        nefsim.Connection(stim, pre)
        conn = nefsim.Connection(pre, post, function=lambda x: [0],
                                 learning_rule_type=nefsim.PES(learning_rate=1e-3))
        nefsim.Connection(post, conn.learning_rule)
        nefsim.Connection(stim, conn.learning_rule, transform=-1)
        weights = nefsim.Probe(conn, "weights")
        out = nefsim.Probe(post, synapse=0.02)
    return net, weights, out


def test_soft_reset_keeps_learned_weights():
    net, weights, out = _pes_model()

    def error(sim):  # against the input delayed by the synapses (~25 ms)
        t = sim.trange()
        return np.abs(sim.data[out][:, 0] - np.sin(2 * np.pi * (t - 0.025)))[50:].mean()

    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(2.0)
        learned = sim.data[weights][-1].copy()
        sim.reset(keep_learned=True)
        assert sim.n_steps == 0 and sim.data[out].shape[0] == 0
        sim.step()
        assert np.allclose(sim.data[weights][0], learned, atol=1e-6)  # one more PES step
        sim.run(0.199)
        soft = error(sim)
        sim.reset()  # a plain reset reverts to the built (zero) decoders, as in Nengo
        sim.step()
        assert np.allclose(sim.data[weights][0], 0, atol=1e-6)
        sim.run(0.199)
        hard = error(sim)
        with pytest.raises(ValidationError, match="keep_learned"):
            sim.reset(keep_learned="yes")
    assert soft < 0.6 * hard  # kept decoders: better from the start (0.44x measured)


def _noisy_model():
    with nefsim.Network(seed=0) as net:
        noise = nefsim.Node(nefsim.processes.WhiteNoise(), size_out=1)
        a = nefsim.Ensemble(30, 1)
        nefsim.Connection(noise, a)
        p_a, p_noise = nefsim.Probe(a, synapse=0.01), nefsim.Probe(noise)
    return net, p_a, p_noise


@pytest.mark.parametrize("seeds", [5, [11, 4, 7]])
def test_per_trial_seeds_equal_single_runs(seeds):
    """Trial b of a batch draws the noise of a single run seeded seed + b (or seeds[b])."""
    net, p_a, p_noise = _noisy_model()
    with nefsim.Simulator(net, progress_bar=False, batch=3, seed=seeds) as sim:
        sim.run(0.1)
    expected = [seeds + b for b in range(3)] if isinstance(seeds, int) else seeds
    assert sim.trial_seeds == expected
    for b, seed in enumerate(expected):
        net1, p_a1, p_noise1 = _noisy_model()
        with nefsim.Simulator(net1, progress_bar=False, seed=seed) as single:
            single.run(0.1)
        np.testing.assert_array_equal(sim.data[p_noise][b], single.data[p_noise1])
        np.testing.assert_allclose(sim.data[p_a][b], single.data[p_a1], atol=1e-12)
    assert np.abs(sim.data[p_noise][0] - sim.data[p_noise][1]).max() > 0.1
    with pytest.raises(ValidationError, match="2 per-trial seeds for batch=3"):
        nefsim.Simulator(net, progress_bar=False, batch=3, seed=[1, 2])


@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_batch_trials_example_integrates_each_trials_input(backend):
    """examples/batch_trials.py: each of 8 trials integrates its own step input."""
    import os
    import runpy

    if backend == "jax":
        pytest.importorskip("jax")
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "examples", "batch_trials.py")
    levels, reached = runpy.run_path(path)["run"](backend=backend)
    assert reached.shape == (8,)
    assert np.sqrt(np.mean((reached - 0.5 * levels) ** 2)) < 0.1
    assert np.all(np.diff(reached) > 0)  # ordered as the inputs: the trials are distinct
