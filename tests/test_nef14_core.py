"""Tests of the Nengo 1.4 scripting layer ``nefsim.nef`` (core: Network, make, make_array,
inputs, connect, learn, run/reset, SimpleNode), one per documented behaviour, each with
a measured outcome (seed 003 and shared/reference/nef14.md)."""

import os

import numpy as np
import pytest

import nefsim
from nefsim import nef
from nefsim.exceptions import ValidationError
from nefsim.learning_rules import PES14, TripletSTDP
from nefsim.nef.ensemble import HeldUniformNoise
from nefsim.neurons import LIF, AdaptiveLIF, Direct, LIFRate
from nefsim.synapses import Lowpass


@pytest.fixture(autouse=True)
def quick_dir(tmp_path, monkeypatch):
    """Seeded networks default to quick mode: keep its cache out of the home directory."""
    path = tmp_path / "quick"
    monkeypatch.setenv("NEFSIM_NEF14_QUICK_DIR", str(path))
    return path


def probe(net, target, synapse=0.01):
    """Probe an origin (or any nefsim object) of a nef network."""
    obj = getattr(target, "node_or_view", target)
    p = nefsim.Probe(obj, synapse=synapse, add_to_container=False)
    net.model.add(p)
    return p


def value_of(net, p, t):
    """The probed value at simulated time ``t``."""
    return net.simulator.data[p][int(round(t / net.simulator.dt)) - 1]


# --------------------------------------------------------------- representing values


def test_communication_channel_tracks_input():
    net = nef.Network("Communication Channel", seed=1)
    net.make_fourier_input("input", base=1, high=3, power=0.5, seed=2)
    net.make("A", 100, 1)
    net.make("B", 100, 1)
    net.connect("input", "A")
    net.connect("A", "B")
    p_in = probe(net, net.get("input").origin["origin"], None)
    p_b = probe(net, net.get("B").origin["X"], 0.01)
    net.run(2.0)
    x = net.simulator.data[p_in]
    for _ in range(3):  # the two pstc=0.01 terminations and the probe's filter
        x = Lowpass(0.01).filt(x, dt=0.001)
    b = net.simulator.data[p_b]
    rmse = np.sqrt(np.mean((b[200:] - x[200:]) ** 2))
    assert rmse < 0.06, rmse
    assert np.sqrt(np.mean(x[200:] ** 2)) > 0.3  # the input really varies


def test_squaring_array_computes_sum_of_squares():
    net = nef.Network("Squaring Array", seed=2)
    values = [0.3, -0.5, 0.6, 0.2, -0.8]
    net.make_input("input", values)
    A = net.make_array("A", 50, 5)
    net.make("B", 100, 1, radius=2)
    net.connect("input", "A")

    def square(x):
        return x[0] * x[0]

    net.connect("A", "B", transform=[1, 1, 1, 1, 1], func=square)
    assert A.neurons == 250 and A.dimension == 5 and A.origin["square"].dimensions == 5
    p = probe(net, net.get("B").origin["X"], 0.05)
    net.run(0.5)
    got = net.simulator.data[p][-100:].mean()
    assert abs(got - sum(v * v for v in values)) < 0.08, got


def test_make_array_index_order_and_per_ensemble_encoders():
    net = nef.Network("Index order", seed=3)
    net.make_input("input", [0.5, 0.2, -0.3, -0.6])
    arr = net.make_array("A", 40, 2, dimensions=2,
                         encoders=[[[1, 0], [0, 1]], [[-1, 0], [0, -1]]])
    net.connect("input", "A")
    assert [e.name for e in arr.ensembles] == ["0", "1"]
    assert net.get("A.1") is arr.ensembles[1]
    assert np.array_equal(arr.ensembles[0].encoders[:2], [[1, 0], [0, 1]])
    assert np.array_equal(arr.ensembles[1].encoders[:2], [[-1, 0], [0, -1]])
    p0 = probe(net, net.get("A.0").origin["X"], 0.05)
    p1 = probe(net, net.get("A.1").origin["X"], 0.05)
    net.run(0.3)
    assert np.allclose(net.simulator.data[p0][-1], [0.5, 0.2], atol=0.1)
    assert np.allclose(net.simulator.data[p1][-1], [-0.3, -0.6], atol=0.1)


def test_xor_by_lookup_table():
    net = nef.Network("XOR", seed=3)
    corners = [[-1, -1], [-1, 1], [1, -1], [1, 1]]
    net.make_input("input", {0.0: corners[0], 0.25: corners[1], 0.5: corners[2],
                             0.75: corners[3]})
    net.make("A", 50, 2, eval_points=corners)
    net.make("B", 50, 1)
    net.connect("input", "A")
    net.connect("A", "B", func=[[1], [-1], [-1], [1]])
    assert "lookup" in net.get("A").origin
    p = probe(net, net.get("B").origin["X"], 0.02)
    net.run(1.0)
    got = [value_of(net, p, t)[0] for t in (0.24, 0.49, 0.74, 0.99)]
    assert np.all(np.sign(got) == [1, -1, -1, 1]) and min(map(abs, got)) > 0.6, got


def test_compute_transform_documented_examples():
    ct = nef.compute_transform
    assert ct(2, 3, index_pre=[0, 1], index_post=[0, 1]) == [[1, 0], [0, 1], [0, 0]]
    assert ct(2, 3, index_post=[0, 1]) == [[1, 0], [0, 1], [0, 0]]
    assert ct(2, 3) == [[1, 0], [0, 1], [1, 0]]
    assert ct(2, 4, index_post=2) == [[0, 0], [0, 0], [1, 1], [0, 0]]
    assert ct(2, 4, index_pre=0) == [[1, 0], [1, 0], [1, 0], [1, 0]]
    assert ct(2, 4, index_post=[2, 1]) == [[0, 0], [0, 1], [1, 0], [0, 0]]
    net = nef.Network("Transforms", seed=4)
    net.make("A", 20, 2)
    net.make("B", 20, 2)
    net.make("C", 20, 3)
    net.make("D", 20, 6)
    _, term = net.connect("A", "B", weight=5, create_projection=False)
    assert np.array_equal(term.transform, [[5, 0], [0, 5]])
    _, term = net.connect("A", "C", create_projection=False)
    assert np.array_equal(term.transform, [[1, 0], [0, 1], [1, 0]])
    _, term = net.connect("C", "D", index_pre=2, index_post=5, create_projection=False)
    expected = np.zeros((6, 3))
    expected[5, 2] = 1
    assert np.array_equal(term.transform, expected)


# ---------------------------------------------------------------------------- inputs


def test_make_input_forms(tmp_path):
    csv = tmp_path / "input.csv"
    csv.write_text("# t, a, b\n0.0,0.5,1\n\n0.2,-0.5\n0.4,0.25,2\n")
    net = nef.Network("Inputs")
    inputs = {
        "const": net.make_input("const", [0.5, -1]),
        "mixed": net.make_input("mixed", [0.5, lambda t: 2 * t], zero_after_time=0.3),
        "vector": net.make_input("vector", lambda t: [t, -t]),
        "scalar": net.make_input("scalar", lambda t: 3 * t),
        "dict": net.make_input("dict", {0.0: [0.5], 0.3: [-0.5], 0.6: [0.2]}),
        "csv": net.make_input("csv", str(csv)),
    }
    assert [n.dimensions for n in inputs.values()] == [2, 2, 2, 1, 1, 2]
    p = {k: probe(net, n.origin["origin"], None) for k, n in inputs.items()}
    net.run(0.7)
    d = net.simulator.data
    assert np.allclose(d[p["const"]], [0.5, -1])
    assert np.allclose(value_of(net, p["mixed"], 0.3), [0.5, 0.6])
    assert np.allclose(value_of(net, p["mixed"], 0.301), [0.0, 0.602])  # only the number
    assert np.allclose(value_of(net, p["vector"], 0.5), [0.5, -0.5])
    assert np.allclose(value_of(net, p["scalar"], 0.5), [1.5])
    # zero-order hold, 0 up to the first key, each value from its key on
    assert np.allclose([value_of(net, p["dict"], t)[0] for t in (0.001, 0.299, 0.3, 0.6)],
                       [0.5, 0.5, -0.5, 0.2])
    # the CSV file reads like the dict; a short row is padded with 0
    assert np.allclose([value_of(net, p["csv"], t) for t in (0.1, 0.2, 0.5)],
                       [[0.5, 1], [-0.5, 0], [0.25, 2]])


def test_make_fourier_input_rms_is_power():
    net = nef.Network("Fourier")
    f = net.make_fourier_input("f", base=1, high=10, power=[0.5, 0.2, 0.8], seed=[1, 2, 3])
    g = net.make_fourier_input("g", dimensions=2, power=0.3, seed=1)
    assert f.dimensions == 3 and g.dimensions == 2
    pf, pg = probe(net, f.origin["origin"], None), probe(net, g.origin["origin"], None)
    net.run(1.0)  # one period of the 1 Hz fundamental
    rms = np.sqrt(np.mean(net.simulator.data[pf] ** 2, axis=0))
    assert np.allclose(rms, [0.5, 0.2, 0.8], rtol=1e-6)
    xg = net.simulator.data[pg]
    assert np.allclose(xg[:, 0], xg[:, 1])  # the same seed gives the same signal
    xf = net.simulator.data[pf]
    assert np.allclose(xf[:, 0] / 0.5, xg[:, 0] / 0.3)  # power only scales
    assert not np.allclose(xf[:, 0] / 0.5, xf[:, 1] / 0.2)  # another seed differs


# ---------------------------------------------------------------------------- connect


def test_weight_func_and_expose_weights_give_the_weight_matrix():
    net = nef.Network("Weights", seed=4)
    net.make_input("input", [0.5])
    A = net.make("A", 60, 1)
    B = net.make("B", 60, 1)
    C = net.make("C", 60, 1)
    D = net.make("D", 60, 2, radius=2)
    net.connect("input", "A")
    seen = {}

    def halve(w):
        seen["w"] = w.copy()
        return w * 0.5

    proj = net.connect("A", "B", weight_func=halve)
    # 1.4's matrix: (post neurons x pre neurons) = (E_post / r) T D_pre^T, no gain
    assert seen["w"].shape == (60, 60)
    assert np.allclose(seen["w"], B.encoders @ A.decoders.T)
    assert np.allclose(np.abs(seen["w"]), np.abs(A.decoders.T))  # rows are +-D^T
    assert np.allclose(proj.connections[0].transform.init, seen["w"] * 0.5)

    def two(enc, dec):
        seen["two"] = (enc.copy(), dec.copy())
        return enc @ dec

    net.connect("A", "D", transform=[[1], [-1]], weight_func=two)
    enc, dec = seen["two"]
    assert np.allclose(enc, D.encoders / 2) and np.allclose(dec, [[1], [-1]] @ A.decoders.T)
    net.connect("A", "C", expose_weights=True)
    assert isinstance(C.termination["A"], nef.network.WeightTermination)
    pb, pc = probe(net, B.origin["X"], 0.05), probe(net, C.origin["X"], 0.05)
    net.run(0.4)
    b, c = (net.simulator.data[p][-100:].mean() for p in (pb, pc))
    assert abs(c - 0.5) < 0.06 and abs(b - 0.25) < 0.06, (b, c)


def test_decoder_sign_gives_signed_decoders():
    net = nef.Network("Signs", seed=5)
    net.make_input("pos", [0.5])
    net.make_input("neg", [-0.5])
    P = net.make("P", 60, 1, decoder_sign=1)
    N = net.make("N", 60, 1, decoder_sign=-1)
    U = net.make("U", 60, 1)
    assert P.decoders.min() >= 0 and P.decoders.max() > 0
    assert N.decoders.max() <= 0 and N.decoders.min() < 0
    assert U.decoders.min() < 0 < U.decoders.max()
    net.connect("pos", "P")
    net.connect("neg", "N")
    pp, pn = probe(net, P.origin["X"], 0.05), probe(net, N.origin["X"], 0.05)
    net.run(0.4)
    assert abs(net.simulator.data[pp][-100:].mean() - 0.5) < 0.1
    assert abs(net.simulator.data[pn][-100:].mean() + 0.5) < 0.1


def test_origins_terminations_names_and_reuse():
    net = nef.Network("Names", seed=6)
    A = net.make("A", 30, 1)
    net.make("B", 30, 1)

    def square(x):
        return x[0] ** 2

    p1 = net.connect("A", "B", func=square)
    p2 = net.connect("A", "B", func=square)
    assert p1.origin is p2.origin and p1.origin.name == "square"
    assert p1.termination.name == "A" and p2.termination.name == "A(2)"
    assert net.connect("A", "B", func=lambda x: x).origin.name == "<lambda>"
    with pytest.warns(UserWarning, match="reused"):
        net.connect("A", "B", func=lambda x: -x)
    assert net.connect("A", "B", func=lambda x: -x, origin_name="neg").origin.name == "neg"
    assert set(A.origin) == {"X", "AXON", "square", "<lambda>", "neg"}
    p = net.connect(A.origin["square"], "B")
    assert p.termination.name == "square"
    origin, none = net.connect("A", None, func=np.sum, create_projection=False)
    assert none is None and origin is A.origin["sum"]


def test_create_projection_false_returns_the_pair():
    net = nef.Network("Pair", seed=7)
    net.make_input("input", [0.4, 0.5])
    net.make("A", 200, 2)
    net.make("B", 50, 1)
    net.connect("input", "A")
    origin, term = net.connect("A", "B", func=lambda x: x[0] * x[1],
                               create_projection=False, pstc=0.02)
    assert term.connections == [] and term.pstc == 0.02
    proj = net.connect(origin, term)
    assert len(term.connections) == 1 and proj.termination is term
    p = probe(net, net.get("B").origin["X"], 0.05)
    net.run(0.4)
    assert abs(net.simulator.data[p][-100:].mean() - 0.2) < 0.06


def test_modulatory_termination_does_not_drive_neurons():
    net = nef.Network("Modulatory", seed=8)
    net.make_input("input", [0.8])
    B = net.make("B", 50, 1)
    net.connect("input", "B", modulatory=True)
    term = B.termination["input"]
    assert term.modulatory
    pb, pm = probe(net, B.origin["X"], 0.05), probe(net, term.node_or_view, None)
    net.run(0.2)
    assert abs(net.simulator.data[pb][-50:].mean()) < 0.1
    assert abs(net.simulator.data[pm][-1, 0] - 0.8) < 1e-6  # filtered by its pstc


def test_encoders_argument_injects_current():
    net = nef.Network("Gate", seed=9)
    net.make_input("input", [0.5])
    net.make_input("gate", [1.0])
    B = net.make("B", 50, 1)
    net.connect("input", "B")
    assert net.connect("gate", "B", encoders=-10) is None
    term = B.termination["gate"]
    assert np.allclose(term.matrix, -10)
    pb = probe(net, B.origin["AXON"], 0.05)
    net.run(0.2)
    assert net.simulator.data[pb][-50:].sum() == 0  # inhibited: no spikes


# -------------------------------------------------------------------------- learning


def _learning_net(rate, array=False, **kwargs):
    net = nef.Network("Learning", seed=8)
    net.make_fourier_input("input", base=0.5, high=5, power=0.5, seed=3)
    net.make("pre", 60, 1)
    (net.make_array if array else net.make)("post", 60, 1)
    net.make("error", 100, 1)
    net.connect("input", "pre")
    net.connect("pre", "post", transform=[[0]], plastic_array=True)
    net.connect("pre", "error")
    net.connect("post", "error", weight=-1)  # error = target - actual
    net.connect("error", "post", modulatory=True)
    if rate:
        (net.learn_array if array else net.learn)("post", "pre", "error", rate=rate, **kwargs)
    p = probe(net, net.get("error").origin["X"], 0.02)
    net.run(2.0)
    return net, np.sqrt(np.mean(net.simulator.data[p][-500:] ** 2))


def test_learn_lowers_the_error():
    _, unlearned = _learning_net(0)
    net, learned = _learning_net(5e-4)
    assert unlearned > 0.35 and learned < 0.15, (unlearned, learned)
    rule = net.get("post").termination["pre"].connections[0].learning_rule_type
    assert rule == PES14(learning_rate=5e-4, tau=0.01, oja=True)
    _, slow = _learning_net(5e-7, oja=False)  # 1.4's default rate barely learns
    assert slow > 0.35


def test_learn_array_learns_every_ensemble():
    net, err = _learning_net(5e-4, array=True)
    assert err < 0.15
    term = net.get("post").termination["pre"]
    assert all(isinstance(c.learning_rule_type, PES14) for c in term.connections)


def test_stdp_builds_triplet_rule():
    net = nef.Network("STDP", seed=9)
    net.make_input("input", [0.8])
    net.make("pre", 30, 1)
    net.make("post", 30, 1)
    net.connect("input", "pre")
    proj = net.connect("pre", "post", plastic_array=True)
    net.learn("post", "pre", None, rate=0.5, stdp=True, homeostatis=2.0)
    conn = proj.connections[0]
    rule = conn.learning_rule_type
    assert isinstance(rule, TripletSTDP) and rule.learning_rate == 0.5
    assert (rule.a2Minus, rule.a3Minus, rule.a2Plus, rule.a3Plus) == (5e-3,) * 4
    assert (rule.tauMinus, rule.tauX, rule.tauPlus, rule.tauY) == (70,) * 4
    assert rule.homeostasis == 2.0 and rule.decay is None and not rule.modulated
    p = nefsim.Probe(conn, "weights", sample_every=0.1, add_to_container=False)
    net.model.add(p)
    net.run(0.2)
    w = net.simulator.data[p]
    assert np.abs(w[-1] - w[0]).max() > 0


def test_plastic_array_starts_from_the_nef_weights():
    net = nef.Network("Plastic", seed=10)
    A = net.make("A", 40, 1)
    B = net.make_array("B", 30, 2)
    _, term = net.connect("A", "B", transform=[[1], [-1]], plastic_array=True,
                          create_projection=False)
    assert term.plastic and len(term.parts) == 2
    for i, part in enumerate(term.parts):
        sign = 1 if i == 0 else -1
        assert np.allclose(part.weights, sign * B.ensembles[i].encoders @ A.decoders.T)


# ------------------------------------------------------------------- running and reset


def test_run_twice_continues_time_and_reset_restarts():
    net = nef.Network("Time", seed=11)
    net.make_input("input", lambda t: np.sin(6 * t))
    net.make("A", 50, 1)
    net.connect("input", "A")
    p = probe(net, net.get("A").origin["X"])
    net.run(0.2)
    sim = net.simulator
    assert sim.time == pytest.approx(0.2)
    net.run(0.3)
    assert net.simulator is sim and sim.time == pytest.approx(0.5)
    first = sim.data[p].copy()
    assert first.shape == (500, 1)
    net.reset()
    assert net.simulator.time == 0
    net.run(0.5)
    assert np.array_equal(net.simulator.data[p], first)  # V = 0 start: bit for bit


def test_model_change_between_runs_rebuilds_and_keeps_the_clock():
    net = nef.Network("Change", seed=12)
    net.make_input("input", [0.5])
    net.make("A", 30, 1)
    net.connect("input", "A")
    net.run(0.1)
    first = net.simulator
    net.make("B", 30, 1)
    net.connect("A", "B")
    with pytest.warns(UserWarning, match="rebuilt"):
        net.run(0.1)
    assert net.simulator is not first and net.simulator.time == pytest.approx(0.2)


def test_get_alias_remove_and_neuron_count():
    net = nef.Network("Lookup", seed=13)
    sub = net.make_subnetwork("sub")
    C = sub.make("C", 40, 1)
    D = net.make("sub.D", 30, 1)
    arr = net.make_array("A", 10, 3)
    assert net.get("sub") is sub and net.get("sub.C") is C and net.get("sub.D") is D
    assert net.get("A.2") is arr.ensembles[2]
    assert net.get("sub.C.X") is C.origin["X"]
    assert net.get("sub.C", require_origin=True) is C.origin["X"]
    assert net.get("nothing", default=None) is None
    with pytest.raises(ValidationError, match="nothing"):
        net.get("nothing")
    assert net.getNeuronCount() == 40 + 30 + 30
    net.set_alias("c", "sub.C")
    net.set_alias("d", D)
    assert net.get("c", default="absent") == "absent"  # get ignores aliases
    proj = net.connect("c", "d")
    assert proj.termination is D.termination["C"]
    n_conns = len(net.model.all_connections)
    assert net.remove("sub.D") == "sub.D"
    assert net.get("sub.D", default=None) is None
    assert net.getNeuronCount() == 70
    assert len(net.model.all_connections) < n_conns
    assert all(c.post_obj is not D.ensemble for c in net.model.all_connections)
    net.releaseMemory()  # drops cached activities; a new origin is still solved
    assert C.add_origin("sq", lambda x: x ** 2).decoders.shape == (40, 1)


def test_wrapping_an_existing_nefsim_network():
    model = nefsim.Network(label="existing")
    net = nef.Network(model)
    net.make("A", 10, 1)
    assert net.model is model and net.name == "existing" and len(model.ensembles) == 1


def test_add_to_network_false_then_add():
    net = nef.Network("Add", seed=14)
    E = net.make("E", 20, 1, add_to_network=False)
    assert net.get("E", default=None) is None and net.getNeuronCount() == 0
    with pytest.raises(ValidationError, match="add_to_network"):
        net.connect(E, E)
    assert net.add(E) is E and net.get("E") is E and net.getNeuronCount() == 20


class Accumulator(nef.SimpleNode):
    def init(self):
        self.total, self.steps, self.x = 0.0, 0, 0.0

    def termination_input(self, x, dimensions=1, pstc=0.02):
        self.x = x[0]

    def tick(self):
        self.total += self.x
        self.steps += 1

    def origin_output(self):
        return [self.x, self.t]


class Doubler(nef.SimpleNode):
    def termination_in(self, x):
        self.x = x

    def origin_X(self):  # noqa: N802 - 1.4's naming
        return [2 * v for v in getattr(self, "x", [0.0])]


def test_simple_node_connects_by_name():
    net = nef.Network("By name", seed=16)
    net.make_input("input", [0.25])
    net.add(Doubler("double"))
    net.make("B", 40, 1)
    net.connect("input", "double")  # its only termination
    net.connect("double", "B")  # its 'X' origin
    p = probe(net, net.get("B").origin["X"], 0.05)
    net.run(0.3)
    assert abs(net.simulator.data[p][-50:].mean() - 0.5) < 0.06


def test_simple_node_terminations_tick_origins_and_reset():
    net = nef.Network("SimpleNode", seed=15)
    net.make_input("input", [0.5])
    node = net.add(Accumulator("acc"))
    assert node.termination["input"].pstc == 0.02 and node.origin["output"].dimensions == 2
    net.connect("input", node.getTermination("input"))
    net.make("B", 40, 1)
    net.connect(node.getOrigin("output"), "B", transform=[[1, 0]])
    p = probe(net, node.origin["output"], None)
    net.run(0.1)
    out = net.simulator.data[p]
    # the input step filtered by exp(-dt/0.02) per step (node to node: no delay)
    expected = 0.5 * (1 - np.exp(-np.arange(1, 101) * 0.001 / 0.02))
    assert np.allclose(out[:, 0], expected, atol=1e-12)
    assert np.allclose(out[:, 1], np.arange(100) * 0.001)  # self.t: the step start
    assert node.steps == 100 and node.t_end == pytest.approx(0.1)
    net.reset()
    assert node.steps == 0 and node.total == 0  # init() ran again
    net.run(0.05)
    assert node.steps == 50


# ------------------------------------------------------------------- make's arguments


def test_seed_and_fixed_seed():
    a = nef.Network("a", seed=20, quick=False)
    b = nef.Network("b", seed=20, quick=False)
    a1, a2 = a.make("X", 30, 1), a.make("Y", 30, 1)
    b1 = b.make("X", 30, 1)
    assert np.array_equal(a1.gain, b1.gain)  # same script, same model
    assert not np.array_equal(a1.gain, a2.gain)  # but every ensemble differs
    f = nef.Network("f", fixed_seed=5, quick=False)
    assert np.array_equal(f.make("X", 30, 1).encoders, f.make("Y", 30, 1).encoders)
    assert f.quick is False and nef.Network("q", seed=1).quick is True


def test_make_parameters():
    net = nef.Network("Params", seed=21, quick=False)
    E = net.make("E", 6, 2, max_rate=[100, 200], intercept=(0.1, 0.2),
                 encoders=[[2, 0], [0, -3], [3, 4]], radius=[1, 2], tau_rc=0.03)
    assert np.array_equal(E.max_rates, [100, 200] * 3)
    assert np.all((E.intercepts >= 0.1) & (E.intercepts <= 0.2))
    assert np.allclose(E.encoders, [[1, 0], [0, -1], [0.6, 0.8]] * 2)
    v0 = {"voltage": nefsim.Choice([0.0])}  # 1.4's neurons start at V = 0
    assert E.ensemble.neuron_type == LIF(tau_rc=0.03, initial_state=v0)
    rates = LIFRate(tau_rc=0.03).rates(np.ones(1), E.gain, E.bias)[0]
    assert np.allclose(rates, E.max_rates)  # gain/bias give the asked rates at x = 1
    assert len(E.eval_points) == 1000 and np.abs(E.eval_points[:, 1]).max() > 1
    assert len(net.make("F", 10, 3).eval_points) == 1500
    assert isinstance(net.make("R", 10, 1, mode="rate").ensemble.neuron_type, LIFRate)
    assert isinstance(net.make("Dr", 10, 1, mode="direct").ensemble.neuron_type, Direct)
    assert isinstance(net.make("Ad", 10, 1, node_factory=AdaptiveLIF()).neuron_type,
                      AdaptiveLIF)
    noisy = net.make("N", 10, 1, noise=2.0, noise_frequency=100)
    assert noisy.ensemble.noise.amplitude == 2.0 and noisy.ensemble.noise.frequency == 100
    assert isinstance(net.make("L", 10, 1, decoder_noise=0.3)._solver,
                      nefsim.solvers.LstsqL2)


def test_noise_is_uniform_and_held_for_one_period():
    noise = HeldUniformNoise(0.7, frequency=100).run_steps(50, d=3, dt=0.001)
    assert np.abs(noise).max() <= 0.7 and np.abs(noise).max() > 0.3
    blocks = noise.reshape(5, 10, 3)  # redrawn every 1/100 s = 10 steps, held between
    assert np.all(blocks == blocks[:, :1]) and len(np.unique(blocks[:, 0, 0])) == 5
    net = nef.Network("Noise", seed=24)
    net.make_input("input", [0.0])
    quiet = net.make("Q", 50, 1)
    noisy = net.make("N", 50, 1, noise=2.0, noise_frequency=200)
    net.connect("input", "Q")
    net.connect("input", "N")
    currents = [nefsim.Probe(e.ensemble.neurons, "input", add_to_container=False)
                for e in (quiet, noisy)]
    for p in currents:
        net.model.add(p)
    net.run(0.5)
    q, n = (net.simulator.data[p] for p in currents)
    assert q.std(axis=0).max() < 1e-9
    assert np.allclose(n.std(axis=0), 2.0 / np.sqrt(3), rtol=0.25)  # U(-2, 2) current
    assert np.all(n[:5] == n[0])  # held for 1/200 s


def test_direct_mode_is_exact():
    net = nef.Network("Direct", seed=22)
    net.make_input("input", [0.6, -0.4])
    net.make("D", 1, 2, mode="direct")
    net.make("P", 1, 1, mode="direct")
    net.connect("input", "D")
    net.connect("D", "P", func=lambda x: x[0] * x[1])
    p = probe(net, net.get("P").origin["X"], None)
    net.run(0.3)
    assert abs(net.simulator.data[p][-1, 0] + 0.24) < 1e-3


def test_quick_storage_code_reuses_parameters(quick_dir, monkeypatch):
    import nefsim.nef.ensemble as nef_ensemble

    kwargs = dict(quick=True, storage_code="code")
    first = nef.Network("one").make("E", 600, 3, **kwargs)

    def no_sampling(*args, **kw):
        raise AssertionError("quick mode sampled the ensemble again instead of loading it")

    with monkeypatch.context() as patch:  # the second make must load, not sample/solve
        patch.setattr(nef_ensemble, "sample_encoders", no_sampling)
        second = nef.Network("two").make("E", 600, 3, **kwargs)
    for attr in ("encoders", "gain", "bias", "eval_points", "decoders"):
        assert np.array_equal(getattr(first, attr), getattr(second, attr)), attr
    files = os.listdir(quick_dir)
    assert len(files) == 1 and files[0].startswith("code-") and files[0].endswith(".npz")
    other = nef.Network("three").make("E", 600, 3, quick=True, storage_code="other")
    assert not np.array_equal(other.encoders, first.encoders)
    nef.Network("arr").make_array("A", 10, 3, quick=True, storage_code="a%02d")
    names = sorted(os.listdir(quick_dir))
    assert [n[:4] for n in names if n.startswith("a")] == ["a00-", "a01-", "a02-"]
    assert not [n for n in names if n.endswith(".tmp")]  # written atomically


# ------------------------------------------------------------------------------ errors


def test_errors_name_the_parameter():
    net = nef.Network("Errors", seed=23)
    net.make("A", 20, 2)
    net.make("B", 20, 1)
    net.make_input("input", [0.1])
    net.connect("A", "B", func=lambda x: x[0])
    cases = [
        (lambda: net.connect("A", "nope"), "post", "nope"),
        (lambda: net.connect("nope", "A"), "pre", "nope"),
        (lambda: net.connect("A", "B", transform=[[1, 2, 3]]), "transform", "shape"),
        (lambda: net.connect("input", "A", transform=[[1], [2], [3]]), "transform", "shape"),
        (lambda: net.make("C", 10, 1, mode="fast"), "mode", "fast"),
        (lambda: net.make("C", 0, 1), "neurons", ">= 1"),
        (lambda: net.make("A", 10, 1), "name", "already"),
        (lambda: net.make("C", 10, 2, encoders=[[1, 0, 0]]), "encoders", "2 value"),
        (lambda: net.make("C", 10, 1, node_factory=AdaptiveLIF(), tau_rc=0.05),
         "node_factory", "tau_rc"),
        (lambda: net.connect("input", "B", func=abs), "func", "input"),
        (lambda: net.connect("A", "B", weight_func=lambda w: None), "weight_func", "None"),
        (lambda: net.learn("B", "A", None), "learn_term", "plastic"),
        (lambda: net.learn("B", "C", None), "learn_term", "no termination"),
        (lambda: net.make_input("D", "missing.csv"), "values", "missing.csv"),
        (lambda: net.get("A").getOrigin("Y"), "origin", "'Y'"),
    ]
    for call, attr, text in cases:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.attr == attr and text in str(info.value), str(info.value)
    origin, term = net.connect("B", "B", create_projection=False)
    with pytest.raises(ValidationError, match="takes 1") as info:
        net.connect("A", term)
    assert info.value.attr == "post"


# ------------------------------------------------------------- hooks and architecture


class RecordingLog:
    """Stands in for nef.Log: records the calls the Network makes to its logs."""

    def __init__(self, net, node):
        self.calls = []
        self.net, self.node = net, node
        net._logs.append(self)

    def attach(self, network):
        self.probe = probe(network, network.get(self.node).origin["X"])
        self.calls.append(("attach", network.simulator))

    def after_run(self, network, sim):
        self.calls.append(("after_run", sim.time))

    def on_reset(self, network):
        self.calls.append(("reset", network is self.net))


def test_log_hooks_attach_run_and_reset():
    net = nef.Network("Hooks", seed=25)
    net.make("A", 10, 1)
    sub = net.make_subnetwork("sub")
    sub.make("B", 10, 1)
    log, sub_log = RecordingLog(net, "A"), RecordingLog(sub, "B")
    net.run(0.1)
    net.run(0.1)
    net.reset()
    assert log.calls == [("attach", None), ("after_run", pytest.approx(0.1)),
                         ("after_run", pytest.approx(0.2)), ("reset", True)]
    assert [c[0] for c in sub_log.calls] == ["attach", "after_run", "after_run", "reset"]
    assert net.simulator.data[log.probe].shape == (0, 1)  # the probe is in the model
    net.set_view_function_1d("A", lambda i, x: x ** i)
    assert "A" in net._view_settings["function_1d"]


def test_layer_uses_only_the_public_modelling_api():
    """No nefsim.build / nefsim.backends imports in this layer's core modules."""
    import ast
    import pathlib

    package = pathlib.Path(nef.__file__).parent
    for stem in ("__init__", "network", "ensemble", "terms", "inputs", "simplenode"):
        tree = ast.parse((package / f"{stem}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = ["." * node.level + (node.module or "")]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert not {"build", "backends"} & set(name.split(".")), (stem, name)
