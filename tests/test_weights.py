"""``sim.weights`` and ``sim.decoders``: reading, writing, lesions and silenced neurons.

* Reads equal the documented formula for every kind of connection (decoded, into an
  ensemble slice, ``weights=True``, neurons to neurons with slices on both sides,
  ensemble to neurons, neurons to ensemble) to 1e-12, and the seed-000 recipe in Nengo
  4.1 (the oracle) to 1e-10.
* Writing back what was read changes nothing; a changed matrix runs like a model built
  with that matrix; mid-run edits keep the simulation continuous.
* Lesions stay zero while PES / BCM / Oja learn the rest; silenced neurons emit nothing.
* Bad input raises a ValidationError naming the connection and the parameter, and
  changes nothing.
"""

import numpy as np
import pytest

import nefsim
from nefsim.exceptions import SimulatorClosed, ValidationError
from nefsim.neurons import Direct
from nefsim.solvers import LstsqL2

DT = 0.001


def _sin(t):
    return [0.8 * np.sin(2 * np.pi * t)]


def two_ensembles(m=nefsim, conn_kw=None, n_pre=40, n_post=30, d_post=1, neurons=False,
                  probe_neurons=False):
    """stim -> a -> b with seeds everywhere; the a->b connection is labelled "c"."""
    with m.Network(seed=0) as net:
        stim = m.Node(_sin, label="stim")
        a = m.Ensemble(n_pre, 1, seed=1, label="a")
        b = m.Ensemble(n_post, d_post, seed=2, label="b")
        m.Connection(stim, a)
        if neurons:
            c = m.Connection(a.neurons, b.neurons, label="c", seed=3, **(conn_kw or {}))
        else:
            c = m.Connection(a, b, label="c", seed=3, **(conn_kw or {}))
        p = m.Probe(b, synapse=0.01)
        pn = m.Probe(b.neurons) if probe_neurons else None
    return net, a, b, c, p, pn


def run(net, seconds, edit=None, at=0.0, **sim_kw):
    """Probe trace of ``net``; ``edit(sim)`` is applied after ``at`` seconds."""
    with nefsim.Simulator(net, progress_bar=False, **sim_kw) as sim:
        sim.run(at)
        if edit is not None:
            edit(sim)
        sim.run(seconds - at)
    return sim


def probe_of(sim):
    return sim.data[next(p for p in sim.model.probes)]


# --------------------------------------------------------------------- reading
def test_read_decoded_into_a_slice_with_function_and_transform():
    with nefsim.Network(seed=0) as net:
        a = nefsim.Ensemble(40, 1, label="a")
        b = nefsim.Ensemble(30, 3, radius=1.5, label="b")
        c = nefsim.Connection(a, b[[2, 0]], function=lambda x: [x[0] ** 2, -x[0]],
                              transform=[[2.0, 0.5], [-1.0, 0.3]], label="c")
    with nefsim.Simulator(net, progress_bar=False) as sim:
        W = sim.weights[c]
        M = sim.data[c].weights  # T Dᵀ, (2, 40)
        E = sim.data[b].scaled_encoders  # gain / radius * encoders
        assert np.allclose(E, sim.data[b].gain[:, None] / 1.5 * sim.data[b].encoders)
        assert W.shape == (30, 40)
        assert np.max(np.abs(W - E[:, [2, 0]] @ M)) < 1e-12
        W[0, 0] = 123.0  # a copy: the simulator is untouched
        assert sim.weights[c][0, 0] != 123.0
        # entries, rows and columns
        assert sim.weights[c, 3, 4] == pytest.approx(E[3, [2, 0]] @ M[:, 4], abs=1e-12)
        assert np.array_equal(sim.weights[c, 5, :], sim.weights[c][5])
        assert np.array_equal(sim.weights[c, :, 7], sim.weights[c][:, 7])


def test_read_weights_true_is_the_matrix_itself():
    net, a, b, c, *_ = two_ensembles(conn_kw={"solver": LstsqL2(weights=True)})
    with nefsim.Simulator(net, progress_bar=False) as sim:
        assert np.array_equal(sim.weights[c], sim.data[c].weights)
        assert sim.weights[c].shape == (30, 40)


def test_read_neurons_to_neurons_sliced_on_both_sides():
    T = np.random.RandomState(4).uniform(-1, 1, (10, 20))
    rows, cols = np.arange(30)[1:21:2], np.arange(40)[::2]
    with nefsim.Network(seed=0) as net:
        a = nefsim.Ensemble(40, 1, label="a")
        b = nefsim.Ensemble(30, 1, label="b")
        c = nefsim.Connection(a.neurons[::2], b.neurons[1:21:2], transform=T, label="c")
        # a repeated pre neuron with a scalar transform: one column feeds two rows
        c2 = nefsim.Connection(a.neurons[[3, 3, 5]], b.neurons[:3], transform=2.0,
                               label="c2")
    with nefsim.Simulator(net, progress_bar=False) as sim:
        gain = sim.data[b].gain
        expected = np.zeros((30, 40))
        expected[np.ix_(rows, cols)] = gain[rows, None] * T
        assert np.max(np.abs(sim.weights[c] - expected)) < 1e-12
        W2 = sim.weights[c2]
        expected = np.zeros((30, 40))
        expected[[0, 1, 2], [3, 3, 5]] = 2.0 * gain[:3]
        assert np.max(np.abs(W2 - expected)) < 1e-12


def test_read_ensemble_to_neurons_and_neurons_to_ensemble():
    with nefsim.Network(seed=0) as net:
        a = nefsim.Ensemble(40, 2, label="a")
        b = nefsim.Ensemble(30, 2, label="b")
        T1 = np.random.RandomState(1).normal(size=(30, 2))
        T2 = np.random.RandomState(2).normal(size=(2, 40)) * 1e-2
        c1 = nefsim.Connection(a, b.neurons, transform=T1, label="c1")
        c2 = nefsim.Connection(a.neurons, b, transform=T2, label="c2")
    with nefsim.Simulator(net, progress_bar=False) as sim:
        gain, E = sim.data[b].gain, sim.data[b].scaled_encoders
        D = sim.decoders[c1]  # (2, 40)
        assert np.max(np.abs(sim.data[c1].weights - T1 @ D)) < 1e-12
        assert np.max(np.abs(sim.weights[c1] - gain[:, None] * (T1 @ D))) < 1e-12
        assert np.max(np.abs(sim.weights[c2] - E @ T2)) < 1e-12


def test_nengo_seed000_recipe_gives_nefsims_matrix():
    """Nengo's ``weights / gain`` (weights=True) times nefsim's gains equals nefsim's
    matrix of the same seeded *decoded* connection, and Nengo's neuron->neuron model
    with that transform runs like nefsim after ``sim.weights[conn] = W``."""
    nengo = pytest.importorskip("nengo")
    net, _, b, c, *_ = two_ensembles(nengo, conn_kw={"solver": nengo.solvers.LstsqL2(
        weights=True)})
    with nengo.Simulator(net, progress_bar=False) as nsim:
        recipe = nsim.data[c].weights / nsim.data[b].gain[:, None]
        nengo_gain = nsim.data[b].gain
    net, _, b, c, *_ = two_ensembles()
    with nefsim.Simulator(net, progress_bar=False) as sim:
        W = sim.weights[c]
        gain = sim.data[b].gain
    assert np.max(np.abs(gain - nengo_gain)) < 1e-12
    assert np.max(np.abs(recipe * gain[:, None] - W)) < 1e-10 * np.abs(W).max()

    # one synapse cut, in Nengo the seed-000 way and in nefsim the short way
    W[3, 7] = 0.0
    nnet, _, _, _, nprobe, _ = two_ensembles(nengo, neurons=True,
                                             conn_kw={"transform": W / gain[:, None]})
    with nengo.Simulator(nnet, progress_bar=False) as nsim:
        nsim.run(0.5)
    net, _, _, c, probe, _ = two_ensembles()

    def edit(sim):
        sim.weights[c] = W

    sim = run(net, 0.5, edit)
    assert np.max(np.abs(sim.data[probe] - nsim.data[nprobe])) < 1e-10


# ------------------------------------------------------------------- writing
@pytest.mark.parametrize("kind", ["decoded", "decoded_slice", "weights_true", "neurons",
                                  "neurons_to_ens"])
def test_writing_back_what_was_read_changes_nothing(kind):
    kw, neurons = {}, False
    if kind == "decoded_slice":
        kw = {"function": lambda x: [x[0] ** 2], "transform": [[1.5], [0.0]]}
    elif kind == "weights_true":
        kw = {"solver": LstsqL2(weights=True)}
    elif kind == "neurons":
        kw, neurons = {"transform": np.random.RandomState(3).normal(0, 1e-2, (30, 40))}, True
    net, a, b, c, probe, _ = two_ensembles(conn_kw=kw, neurons=neurons,
                                           d_post=2 if kind == "decoded_slice" else 1)
    if kind == "neurons_to_ens":
        with net:
            c = nefsim.Connection(a.neurons, b, transform=np.full((1, 40), 2e-3), label="c2")
    plain = run(net, 0.4).data[probe]

    def edit(sim):
        before = sim.weights[c]
        sim.weights[c] = before
        assert np.max(np.abs(sim.weights[c] - before)) < 1e-12

    edited = run(net, 0.4, edit, at=0.15).data[probe]
    assert np.max(np.abs(edited - plain)) < 1e-12


def _pes_net(lesion_weights=False, d=1):
    with nefsim.Network(seed=0) as net:
        stim = nefsim.Node(_sin, label="stim")
        a = nefsim.Ensemble(40, 1, seed=1, label="a")
        b = nefsim.Ensemble(30, 1, seed=2, label="b")
        nefsim.Connection(stim, a)
        kw = {"solver": LstsqL2(weights=True)} if lesion_weights else {
            "function": lambda x: [0.0]}
        c = nefsim.Connection(a, b, learning_rule_type=nefsim.PES(learning_rate=5e-4),
                              label="c", **kw)
        err = nefsim.Node(size_in=1, label="err")
        nefsim.Connection(b, err)
        nefsim.Connection(stim, err, transform=-1)
        nefsim.Connection(err, c.learning_rule)
        probe = nefsim.Probe(b, synapse=0.01)
        pw = nefsim.Probe(c, "weights")
    return net, a, b, c, probe, pw


def test_writing_back_during_pes_changes_nothing():
    net, a, b, c, probe, pw = _pes_net()
    plain = run(net, 0.5)

    def edit(sim):
        sim.weights[c] = sim.weights[c]

    edited = run(net, 0.5, edit, at=0.25)
    assert np.max(np.abs(edited.data[probe] - plain.data[probe])) < 1e-12
    assert np.max(np.abs(edited.data[pw] - plain.data[pw])) < 1e-12


def test_reading_during_learning_gives_current_values():
    net, a, b, c, probe, pw = _pes_net()
    with nefsim.Simulator(net, progress_bar=False) as sim:
        W0 = sim.weights[c]
        sim.run(0.3)
        W = sim.weights[c]
        E = sim.data[b].scaled_encoders
        assert np.max(np.abs(W - E @ sim.data[pw][-1])) < 1e-12
        assert np.max(np.abs(W - W0)) > 1e-3 * np.abs(W).max()
        D = sim.decoders[c]
        assert np.max(np.abs(D - sim.data[pw][-1])) < 1e-12


def reference_full(W, gain, m=nefsim, seconds=0.5):
    """The model built with ``Connection(a.neurons, b.neurons, transform=W/gain)``."""
    net, _, _, _, probe, _ = two_ensembles(m, neurons=True,
                                           conn_kw={"transform": W / gain[:, None]})
    if m is nefsim:
        return run(net, seconds).data[probe]
    with m.Simulator(net, progress_bar=False) as sim:
        sim.run(seconds)
    return sim.data[probe]


def _strongest_active_synapse(net, a, b, W):
    """(post, pre) of the largest |W| between neurons that both fire in the run."""
    with net:
        pa, pb = nefsim.Probe(a.neurons), nefsim.Probe(b.neurons)
    sim = run(net, 0.5)
    fired = sim.data[pb].sum(axis=0)[:, None] * sim.data[pa].sum(axis=0)[None, :] > 0
    with net:  # leave the network as it was
        net.probes.remove(pa)
        net.probes.remove(pb)
    return np.unravel_index(np.argmax(np.abs(W) * fired), W.shape)


def test_one_synapse_cut_at_t0_equals_a_model_built_with_that_matrix():
    net, a, b, c, probe, _ = two_ensembles()
    with nefsim.Simulator(net, progress_bar=False) as sim:
        W, gain = sim.weights[c], sim.data[b].gain
    i, j = _strongest_active_synapse(net, a, b, W)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        W[i, j] = 0.0
        sim.weights[c] = W
        assert sim.weights[c][i, j] == 0.0
        assert np.max(np.abs(sim.weights[c] - W)) < 1e-12
        sim.run(0.5)
        trace = sim.data[probe]
        sim.reset()  # a write is an edit of the model: reset keeps it
        assert sim.weights[c][i, j] == 0.0
        sim.run(0.5)
        assert np.max(np.abs(sim.data[probe] - trace)) < 1e-12
    expected = reference_full(W, gain)
    assert np.max(np.abs(trace - expected)) < 1e-10
    unedited = run(net, 0.5).data[probe]
    assert np.max(np.abs(trace - unedited)) > 1e-6  # the cut synapse mattered


def test_entry_row_and_column_writes():
    net, a, b, c, probe, _ = two_ensembles()
    with nefsim.Simulator(net, progress_bar=False) as sim:
        W = sim.weights[c]
        sim.weights[c, 2, 3] = 0.0
        sim.weights[c, 5, :] = 0.0
        sim.weights[c, :, 6] = 1.5
        W[2, 3], W[5, :], W[:, 6] = 0.0, 0.0, 1.5
        assert np.max(np.abs(sim.weights[c] - W)) < 1e-12


def test_lesion_mid_run_with_nothing_cut_keeps_the_trace():
    """An all-False lesion forces the rebuild as a full matrix with the same values: the
    rest of the run (synapse state carried over) equals the unedited run."""
    net, a, b, c, probe, _ = two_ensembles()
    plain = run(net, 0.6).data[probe]

    def edit(sim):
        sim.weights.lesion(c, np.zeros((30, 40), dtype=bool))
        assert "full_weights" in sim.model.sig[c]  # the full-matrix path did run

    edited = run(net, 0.6, edit, at=0.3).data[probe]
    assert np.max(np.abs(edited - plain)) < 1e-9


def test_mid_run_cut_equals_the_reference_until_the_cut():
    net, a, b, c, probe, _ = two_ensembles()
    holder = {}

    def edit(sim):
        W = sim.weights[c]
        W[:, :8] = 0.0
        sim.weights[c] = W
        holder["W"], holder["gain"] = W, sim.data[b].gain

    edited = run(net, 0.6, edit, at=0.3).data[probe]
    plain = run(net, 0.6).data[probe]
    assert np.max(np.abs(edited[:300] - plain[:300])) < 1e-12
    assert np.max(np.abs(edited[300:] - plain[300:])) > 1e-4


# ------------------------------------------------------------------ lesions
def _cut_mask(shape, fraction=0.3, seed=9):
    return np.random.RandomState(seed).uniform(size=shape) < fraction


@pytest.mark.parametrize("weights_true", [False, True])
def test_lesion_stays_zero_while_pes_learns(weights_true):
    net, a, b, c, probe, _ = _pes_net(lesion_weights=weights_true)
    mask = _cut_mask((30, 40))
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(0.05)
        sim.weights.lesion(c, mask)
        cut = sim.weights[c]
        assert np.all(cut[mask] == 0.0)
        sim.run(0.4)
        learned = sim.weights[c]
    assert np.all(learned[mask] == 0.0)
    changed = np.abs(learned - cut)[~mask]
    assert np.median(changed) > 1e-4 * np.abs(cut).max()


@pytest.mark.parametrize("rule", ["oja", "bcm"])
def test_lesion_stays_zero_while_oja_or_bcm_learn(rule):
    T = np.random.RandomState(5).uniform(0, 2e-3, (30, 40))
    lr = (nefsim.Oja(learning_rate=1e-5) if rule == "oja"
          else nefsim.BCM(learning_rate=1e-8))
    net, a, b, c, probe, _ = two_ensembles(
        neurons=True, conn_kw={"transform": T, "learning_rule_type": lr})
    mask = _cut_mask((30, 40), 0.25)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.weights.lesion(c, mask)
        cut = sim.weights[c]
        sim.run(0.3)
        learned = sim.weights[c]
    assert np.all(learned[mask] == 0.0)
    assert np.count_nonzero(np.abs(learned - cut)[~mask] > 1e-9) > 0.5 * np.sum(~mask)


def test_lesions_add_up_and_none_lifts_them():
    net, a, b, c, probe, _ = _pes_net()
    m1, m2 = _cut_mask((30, 40), 0.1, 1), _cut_mask((30, 40), 0.1, 2)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.weights.lesion(c, m1)
        sim.weights.lesion(c, m2)
        sim.run(0.2)
        assert np.all(sim.weights[c][m1 | m2] == 0.0)
        with pytest.raises(ValidationError, match="lesion"):
            sim.weights[c, int(np.argwhere(m1)[0][0]), int(np.argwhere(m1)[0][1])] = 1.0
        sim.weights.lesion(c, None)
        before = sim.weights[c]
        sim.run(0.2)
        learned = sim.weights[c] - before
        # PES changes every synapse of a pre neuron that fired: the cut ones too now
        fired = np.any(learned[~(m1 | m2)].reshape(-1) != 0) and np.any(learned != 0, axis=0)
        cut = (m1 | m2) & fired[None, :]
        assert cut.sum() > 50 and np.all(learned[cut] != 0)


def test_silenced_neurons_emit_nothing():
    net, a, b, c, probe, pn = two_ensembles(probe_neurons=True)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(0.2)
        sim.weights.silence(b, [0, 3, 7])
        sim.run(0.3)
        spikes = sim.data[pn]
        assert np.all(spikes[200:, [0, 3, 7]] == 0.0)
        assert np.count_nonzero(spikes[:200, [0, 3, 7]]) > 0  # they did spike before
        active = np.setdiff1d(np.arange(30), [0, 3, 7])
        assert np.count_nonzero(spikes[200:, active].sum(axis=0)) > 10
        sim.weights.silence(b, [])  # un-silence
        sim.run(0.3)
        assert np.count_nonzero(sim.data[pn][500:, [0, 3, 7]]) > 0
        sim.weights.silence(b.neurons, None)  # all of them
        sim.run(0.1)
        assert np.all(sim.data[pn][800:] == 0.0)


# ------------------------------------------------------------------ decoders
def test_decoders_get_and_set():
    net, a, b, c, probe, _ = two_ensembles()
    with net:
        c2 = nefsim.Connection(a, b, transform=2.0, label="c2", synapse=None)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        assert np.array_equal(sim.decoders[c], sim.data[c].weights)
        assert np.max(np.abs(sim.decoders[c2] - sim.data[c2].weights / 2)) < 1e-15
        assert sim.decoders[c].shape == (1, 40)
        D = sim.decoders[c2] * 0.5
        sim.decoders[c2] = D
        assert np.max(np.abs(sim.decoders[c2] - D)) < 1e-15
        assert np.max(np.abs(sim.weights[c2] - sim.data[b].scaled_encoders @ (2 * D))) < 1e-12
    # halving c2's decoders equals a model whose c2 has transform=1
    halved = run(net, 0.3, lambda s: s.decoders.__setitem__(c2, s.decoders[c2] * 0.5))
    net2, a2, b2, c_2, probe2, _ = two_ensembles()
    with net2:
        nefsim.Connection(a2, b2, transform=1.0, label="c2", synapse=None)
    expected = run(net2, 0.3).data[probe2]
    assert np.max(np.abs(halved.data[probe] - expected)) < 1e-12
    plain = run(net, 0.3).data[probe]
    assert np.max(np.abs(plain - expected)) > 1e-3


# -------------------------------------------------------------------- errors
def test_connections_without_neuron_weights_are_refused():
    with nefsim.Network(seed=0) as net:
        n = nefsim.Node([0.5], label="n")
        a = nefsim.Ensemble(20, 1, label="a")
        d = nefsim.Ensemble(20, 1, neuron_type=Direct(), label="d")
        out = nefsim.Node(size_in=1, label="out")
        from_node = nefsim.Connection(n, a, label="from_node")
        into_node = nefsim.Connection(a, out, label="into_node")
        direct = nefsim.Connection(d, a, label="direct")
    with nefsim.Simulator(net, progress_bar=False) as sim:
        for conn in (from_node, into_node, direct):
            with pytest.raises(ValidationError, match=f"'{conn.label}'.*weights"):
                sim.weights[conn]
            with pytest.raises(ValidationError, match=f"'{conn.label}'.*weights"):
                sim.weights[conn] = np.zeros((20, 20))
        with pytest.raises(ValidationError, match="'from_node'.*decoders"):
            sim.decoders[from_node]
        with pytest.raises(ValidationError, match="Connection"):
            sim.weights[a]


@pytest.mark.parametrize("bad, what", [
    (np.zeros((40, 30)), r"shape \(30, 40\)"),
    (np.zeros(30), r"shape \(30, 40\)"),
    (np.full((30, 40), np.nan), "finite"),
    (np.full((30, 40), np.inf), "finite"),
    ("abc", "numeric"),
    (np.full((30, 40), None), "numeric|finite"),
])
@pytest.mark.parametrize("kind", ["decoded", "neurons", "weights_true"])
def test_bad_writes_name_the_connection_and_change_nothing(bad, what, kind):
    kw = {"decoded": {}, "weights_true": {"solver": LstsqL2(weights=True)},
          "neurons": {"transform": np.full((30, 40), 1e-3)}}[kind]
    net, a, b, c, probe, _ = two_ensembles(neurons=kind == "neurons", conn_kw=kw)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        before = sim.weights[c]
        with pytest.raises(ValidationError, match=f"'c'.weights.*{what}"):
            sim.weights[c] = bad
        assert np.array_equal(sim.weights[c], before)
        with pytest.raises(ValidationError, match="'c'.weights"):
            sim.weights[c, 0, 0] = np.nan
        with pytest.raises(ValidationError, match="'c'.weights"):
            sim.weights[c, 99, 0] = 1.0
        assert np.array_equal(sim.weights[c], before)
        with pytest.raises(ValidationError, match=r"'c'.mask.*\(30, 40\)"):
            sim.weights.lesion(c, np.zeros((40, 30), dtype=bool))
        with pytest.raises(ValidationError, match=r"'c'.mask.*bool"):
            sim.weights.lesion(c, np.zeros((30, 40)))
        assert np.array_equal(sim.weights[c], before)
        sim.run(0.1)
        assert np.all(np.isfinite(sim.data[probe]))


def test_bad_decoders_and_silence_inputs():
    net, a, b, c, probe, _ = two_ensembles(conn_kw={"solver": LstsqL2(weights=True)})
    with net:
        c2 = nefsim.Connection(a, b, label="c2")
    with nefsim.Simulator(net, progress_bar=False) as sim:
        with pytest.raises(ValidationError, match="'c'.decoders"):
            sim.decoders[c]  # weights=True: no decoders
        D = sim.decoders[c2]
        with pytest.raises(ValidationError, match=r"'c2'.decoders.*\(1, 40\)"):
            sim.decoders[c2] = np.zeros((40, 1))
        with pytest.raises(ValidationError, match="'c2'.decoders.*finite"):
            sim.decoders[c2] = np.full((1, 40), np.nan)
        assert np.array_equal(sim.decoders[c2], D)
        with pytest.raises(ValidationError, match="neurons"):
            sim.weights.silence(b, [30])
        with pytest.raises(ValidationError, match="ensemble"):
            sim.weights.silence(c2, [0])
    with pytest.raises(SimulatorClosed):
        sim.weights[c]


def test_lesion_example_measures_the_damage():
    import os
    import runpy

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "examples", "lesion_synapse.py")
    result = runpy.run_path(path)["run"]()
    assert result["intact_rmse"] < 0.06
    assert 1e-4 < result["one_synapse"] < 0.05 < result["fifth"] < 0.3


def test_complex_and_object_matrices_are_refused_before_anything_changes():
    with nefsim.Network(seed=1) as net:
        a = nefsim.Ensemble(10, 1, label="a")
        b = nefsim.Ensemble(8, 1, label="b")
        conn = nefsim.Connection(a, b, label="ab")
    with nefsim.Simulator(net, progress_bar=False) as sim:
        before = sim.weights[conn]
        for bad in (before.astype(complex), before.astype(object)):
            with pytest.raises(ValidationError, match=r"Connection 'ab'.weights.*real numeric"
                               r".*\(8, 10\)"):
                sim.weights[conn] = bad
        np.testing.assert_array_equal(sim.weights[conn], before)


def test_weight_probe_switches_to_the_full_matrix_when_the_connection_does():
    """Probe(conn, "weights") of a PES connection edited into a full matrix: its samples
    before the edit are widened to the full matrices they stood for, later ones are the
    full matrix (lesioned entry 0)."""
    with nefsim.Network(seed=1) as net:
        stim = nefsim.Node(lambda t: np.sin(6 * t))
        a = nefsim.Ensemble(20, 1, label="a")
        b = nefsim.Ensemble(15, 1, label="b")
        nefsim.Connection(stim, a)
        conn = nefsim.Connection(a, b, label="ab", learning_rule_type=nefsim.PES(1e-3))
        nefsim.Connection(stim, conn.learning_rule, transform=-1)
        probe = nefsim.Probe(conn, "weights", sample_every=0.05)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(0.1)
        at_edit = sim.weights[conn]
        own_before = sim.data[probe]
        assert own_before.shape == (2, 1, 20)
        cut = np.zeros((15, 20), bool)
        cut[0, 0] = True
        sim.weights.lesion(conn, cut)
        sim.run(0.1)
        data = sim.data[probe]
    assert data.shape == (4, 15, 20)
    np.testing.assert_allclose(data[1], at_edit, atol=1e-12)
    np.testing.assert_allclose(data[0], sim.data[b].scaled_encoders @ own_before[0],
                               atol=1e-12)
    assert np.all(data[2:, 0, 0] == 0) and np.abs(data[3] - data[1]).max() > 0


def test_output_probe_of_an_edited_connection_records_post_currents_throughout():
    """Probe(conn) ("output") switches to post currents when conn becomes a full matrix;
    its earlier samples are mapped the same way, so the trace stays continuous and equals
    a run that is edited at t = 0 (the edit here changes nothing but the form)."""
    def model():
        with nefsim.Network(seed=3) as net:
            stim = nefsim.Node(lambda t: np.sin(5 * t))
            a = nefsim.Ensemble(25, 1, label="a")
            b = nefsim.Ensemble(18, 1, label="b")
            nefsim.Connection(stim, a)
            conn = nefsim.Connection(a, b, label="ab", synapse=0.01)
            probe = nefsim.Probe(conn, synapse=0.005)
        return net, conn, probe

    net, conn, probe = model()
    no_cut = np.zeros((18, 25), bool)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(0.15)
        sim.weights.lesion(conn, no_cut)  # forces the full-matrix form, same matrix
        sim.run(0.15)
        midway = sim.data[probe]
    net0, conn0, probe0 = model()
    with nefsim.Simulator(net0, progress_bar=False) as sim0:
        sim0.weights.lesion(conn0, no_cut)
        sim0.run(0.3)
        from_start = sim0.data[probe0]
    assert midway.shape == from_start.shape == (300, 18)
    np.testing.assert_allclose(midway, from_start, atol=1e-9)
