"""Saved parameters (``save_params``, ``params=``, ``load_params``), checkpoints
(``save``, ``checkpoint=``) and ``reset(keep_learned=True)``.

* Seed 002: PES learns a function, the parameters are saved and loaded into a static
  network *without* the learning circuit and with other seeds; it computes the learned
  function (exact parameters, error within a tolerance of the learned run).
* Matching by stable name: unused entries warn and are listed, a relabelled ensemble is
  a BuildError naming it (unless ``partial=True``), a shape mismatch names the entry.
* A checkpoint resumes bit-for-bit: 0.5 s + save + resume 0.5 s equals one 1.0 s run to
  1e-12 with noise, a stochastic neuron type, PES and an edited connection.
"""

import warnings

import numpy as np
import pytest

import nefsim
from nefsim.exceptions import BuildError, ValidationError
from nefsim.neurons import LIFRate, PoissonSpiking
from nefsim.params_io import load_params
from nefsim.processes import WhiteNoise, WhiteSignal

def TARGET(x):
    return x ** 2


LEARNING_RATE = 2e-4


def seed002(seed, learning=True, pre_label="pre"):
    """pre -> post learns x² with PES (seed 002's workflow); without ``learning``
    the same labels make a static network."""
    with nefsim.Network(seed=seed) as net:
        stim = nefsim.Node(lambda t: np.sin(2 * np.pi * t), label="stim")
        pre = nefsim.Ensemble(60, 1, label=pre_label)
        post = nefsim.Ensemble(60, 1, label="post")
        nefsim.Connection(stim, pre, label="in")
        rule = nefsim.PES(learning_rate=LEARNING_RATE) if learning else None
        conn = nefsim.Connection(pre, post, function=lambda x: [0.0], label="learned",
                                 learning_rule_type=rule)
        if learning:
            error = nefsim.Node(size_in=1, label="error")
            nefsim.Connection(post, error, label="post->error")
            nefsim.Connection(stim, error, transform=-1, function=TARGET,
                                  label="target->error")
            nefsim.Connection(error, conn.learning_rule, label="error->rule")
        probe = nefsim.Probe(post, synapse=0.01, label="out")
    return net, pre, conn, probe


def rmse(sim, probe, start):
    t = sim.trange()
    keep = t > start
    target = TARGET(np.sin(2 * np.pi * (t[keep] - 0.01)))
    return np.sqrt(np.mean((sim.data[probe][keep, 0] - target) ** 2))


@pytest.fixture(scope="module")
def learned(tmp_path_factory):
    path = tmp_path_factory.mktemp("params") / "learned.npz"
    net, pre, conn, probe = seed002(seed=1)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(5.0)
        sim.save_params(path)
        return {"path": path, "error": rmse(sim, probe, 4.0),
                "decoders": sim.decoders[conn], "gain": sim.data[pre].gain,
                "encoders": sim.data[pre].encoders, "bias": sim.data[pre].bias}


def test_seed002_learned_function_survives_in_a_static_network(learned):
    net, pre, conn, probe = seed002(seed=7, learning=False)
    with pytest.warns(UserWarning, match=r"3 saved parameter\(s\).*skipped") as record:
        sim = nefsim.Simulator(net, params=learned["path"], progress_bar=False)
    message = str(record[0].message)
    for name in ("post->error:weights", "post->error:eval_points", "target->error:weights"):
        assert name in message
    with sim:
        # the saved values, not the ones seed 7 would give
        assert np.array_equal(sim.data[pre].gain, learned["gain"])
        assert np.array_equal(sim.data[pre].encoders, learned["encoders"])
        assert np.array_equal(sim.decoders[conn], learned["decoders"])
        sim.run(1.0)
        static_error = rmse(sim, probe, 0.1)
    assert learned["error"] < 0.15  # it did learn ...
    assert abs(static_error - learned["error"]) < 0.03  # ... and the static copy keeps it
    unlearned_net, _, _, unlearned_probe = seed002(seed=7, learning=False)
    with nefsim.Simulator(unlearned_net, progress_bar=False) as sim:
        sim.run(1.0)
        assert rmse(sim, unlearned_probe, 0.1) > 0.5


def test_load_params_returns_arrays_and_header(learned):
    params = load_params(learned["path"])
    assert params.header["kind"] == "params"
    assert params.header["nefsim"] == nefsim.__version__
    assert params.header["dt"] == 0.001
    assert len(params.header["fingerprint"]) == 16
    assert np.array_equal(params["pre:gain"], learned["gain"])
    assert np.array_equal(params["learned:weights"], learned["decoders"])
    assert {"pre:encoders", "pre:bias", "post:gain", "learned:weights"} <= set(params)
    with pytest.raises(TypeError):
        params["pre:gain"] = 0  # read-only mapping
    # a dict of it loads too
    net, pre, conn, probe = seed002(seed=3, learning=False)
    with pytest.warns(UserWarning, match="skipped"):
        with nefsim.Simulator(net, params=dict(params), progress_bar=False) as sim:
            assert np.array_equal(sim.decoders[conn], learned["decoders"])


def test_a_relabelled_ensemble_is_an_error_unless_partial(learned):
    net, pre, conn, probe = seed002(seed=7, learning=False, pre_label="renamed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(BuildError, match="'renamed'.*partial=True"):
            nefsim.Simulator(net, params=learned["path"], progress_bar=False)
        with nefsim.Simulator(net, params=learned["path"], partial=True,
                              progress_bar=False) as sim:
            assert not np.array_equal(sim.data[pre].gain, learned["gain"])  # sampled
            assert np.array_equal(sim.data[sim.network.ensembles[1]].gain,
                                  load_params(learned["path"])["post:gain"])


def test_a_shape_mismatch_names_the_entry(learned):
    params = dict(load_params(learned["path"]))
    params["learned:weights"] = np.zeros((1, 59))
    net, pre, conn, probe = seed002(seed=7, learning=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(BuildError, match=r"'learned:weights'.*\(1, 60\)"):
            nefsim.Simulator(net, params=params, progress_bar=False)
        params = dict(load_params(learned["path"]))
        params["pre:gain"] = np.ones(61)
        with pytest.raises(BuildError, match=r"'pre:gain'.*\(60,\)"):
            nefsim.Simulator(net, params=params, progress_bar=False)
        params["pre:gain"] = np.full(60, np.nan)
        with pytest.raises(ValidationError, match="params.*'pre:gain'"):
            nefsim.Simulator(net, params=params, progress_bar=False)


def test_bad_params_files(tmp_path):
    net, *_ = seed002(seed=1, learning=False)
    with pytest.raises(ValidationError, match="path.*no file"):
        load_params(tmp_path / "missing.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file")
    with pytest.raises(ValidationError, match="path.*not a nefsim params file"):
        nefsim.Simulator(net, params=junk, progress_bar=False)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.save(tmp_path / "ck.npz")
    with pytest.raises(ValidationError, match="'checkpoint' file, expected a 'params'"):
        load_params(tmp_path / "ck.npz")
    with pytest.raises(ValidationError, match="params.*int"):
        nefsim.Simulator(net, params=3, progress_bar=False)


# ---------------------------------------------------------------- checkpoints
def rich_model():
    """Noise, a white signal, a Poisson neuron type, PES and probes sampled sparsely."""
    with nefsim.Network(seed=3) as net:
        signal = nefsim.Node(WhiteSignal(period=2.0, high=5, seed=None), label="signal")
        noise = nefsim.Node(WhiteNoise(), size_out=1, label="noise")
        a = nefsim.Ensemble(40, 1, noise=WhiteNoise(dist=nefsim.dists.Gaussian(0, 0.05)),
                            label="a")
        b = nefsim.Ensemble(30, 1, neuron_type=PoissonSpiking(LIFRate()), label="b")
        c = nefsim.Ensemble(30, 1, label="c")
        nefsim.Connection(signal, a, label="in")
        nefsim.Connection(noise, a, transform=0.1, label="noise->a")
        learned = nefsim.Connection(a, b, label="learned", function=lambda x: [0.0],
                                    learning_rule_type=nefsim.PES(learning_rate=2e-4))
        nefsim.Connection(b, learned.learning_rule, label="b->rule")
        nefsim.Connection(signal, learned.learning_rule, transform=-1, label="sig->rule")
        edited = nefsim.Connection(b, c, label="edited")
        probes = [nefsim.Probe(c, synapse=0.01), nefsim.Probe(b.neurons, sample_every=0.003),
                  nefsim.Probe(learned, "weights", sample_every=0.01),
                  nefsim.Probe(a, synapse=None)]
    return net, learned, edited, probes


def _edit(sim, edited):
    mask = np.zeros((30, 30), dtype=bool)
    mask[::3, ::2] = True
    sim.weights.lesion(edited, mask)


def test_checkpoint_resume_equals_one_run(tmp_path):
    net, learned, edited, probes = rich_model()
    with nefsim.Simulator(net, progress_bar=False) as full:
        _edit(full, edited)
        full.run(1.0)
    path = tmp_path / "ck.npz"
    with nefsim.Simulator(net, progress_bar=False) as first:
        _edit(first, edited)
        first.run(0.5)
        first.save(path)
        first.run(0.5)  # the saving simulator goes on unchanged
    with nefsim.Simulator(net, checkpoint=path, progress_bar=False) as resumed:
        assert resumed.n_steps == 500 and resumed.time == pytest.approx(0.5)
        assert np.all(resumed.weights[edited][::3, ::2] == 0.0)
        resumed.run(0.5)
    for sim in (first, resumed):
        assert np.array_equal(sim.trange(), full.trange())
        for p in probes:
            assert sim.data[p].shape == full.data[p].shape
            assert np.max(np.abs(sim.data[p] - full.data[p])) < 1e-12, p
    decoders = full.data[probes[2]]
    assert np.max(np.abs(decoders[-1] - decoders[0])) > 0.3 * np.abs(decoders[-1]).max()
    assert full.data[probes[1]].shape[0] == 333
    # without probe data: the state resumes, the records start empty
    with nefsim.Simulator(net, progress_bar=False) as first:
        _edit(first, edited)
        first.run(0.5)
        first.save(path, probes=False)
    with nefsim.Simulator(net, checkpoint=path, progress_bar=False) as resumed:
        assert resumed.data[probes[0]].shape[0] == 0
        resumed.run(0.5)
        assert np.max(np.abs(resumed.data[probes[0]] - full.data[probes[0]][500:])) < 1e-12


def test_a_checkpoint_of_another_model_is_refused(tmp_path):
    net, *_ = rich_model()
    path = tmp_path / "ck.npz"
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(0.01)
        sim.save(path)
    other, *_ = seed002(seed=1)
    with pytest.raises(ValidationError, match="checkpoint.*different model"):
        nefsim.Simulator(other, checkpoint=path, progress_bar=False)
    with pytest.raises(ValidationError, match="checkpoint.*dt"):
        nefsim.Simulator(net, checkpoint=path, dt=0.002, progress_bar=False)
    with pytest.raises(ValidationError, match="params or checkpoint"):
        nefsim.Simulator(net, checkpoint=path, params=path, progress_bar=False)
    with pytest.raises(ValidationError, match="not a nefsim checkpoint"):
        nefsim.Simulator(net, checkpoint=__file__, progress_bar=False)


def test_reset_keep_learned():
    net, pre, conn, probe = seed002(seed=1)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        built = sim.decoders[conn]
        sim.run(1.0)
        learned_now = sim.decoders[conn]
        assert np.max(np.abs(learned_now - built)) > 0.5 * np.abs(learned_now).max() > 0
        sim.reset(keep_learned=True)
        assert sim.n_steps == 0 and sim.data[probe].shape[0] == 0
        assert np.array_equal(sim.decoders[conn], learned_now)
        sim.reset()
        assert np.array_equal(sim.decoders[conn], built)


def test_save_learned_weights_example():
    import os
    import runpy

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "examples", "save_learned_weights.py")
    result = runpy.run_path(path)["run"]()
    assert result["learned"] < 0.15 and abs(result["loaded"] - result["learned"]) < 0.03
    assert result["untrained"] > 0.5
    assert len(result["skipped"]) == 1 and "post->error:weights" in result["skipped"][0]


def test_reset_after_an_edit_returns_to_the_same_start_in_an_unseeded_network():
    """An edit rebuilds the model; reset() afterwards must still start from the initial
    state of this simulator (initial voltages are sampled per build when unseeded)."""
    with nefsim.Network() as net:  # no seeds anywhere
        stim = nefsim.Node(lambda t: np.sin(8 * t))
        a = nefsim.Ensemble(30, 1, label="a")
        b = nefsim.Ensemble(20, 1, label="b")
        nefsim.Connection(stim, a)
        conn = nefsim.Connection(a, b, label="ab")
        spikes = nefsim.Probe(b.neurons)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        voltage = sim.model.sig[b.neurons]["voltage"].initial.copy()
        sim.run(0.05)
        sim.weights[conn] = sim.weights[conn] * 1.0  # a write: no structural change
        sim.weights.silence(a, [])                   # a rebuild with nothing silenced
        sim.reset()
        np.testing.assert_array_equal(sim.model.sig[b.neurons]["voltage"].initial, voltage)
        sim.run(0.05)
        first = sim.data[spikes].copy()
        sim.reset()
        sim.run(0.05)
        np.testing.assert_array_equal(sim.data[spikes], first)
