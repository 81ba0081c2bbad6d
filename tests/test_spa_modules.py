"""Tests of nefsim.spa's modelling layer: spa.Network, the modules, routing with ``>>``,
action selection, and the errors for bad input.

Structural tests check the transforms that routing builds against independent ideals
(the algebra's own binding/inversion matrices, dot products); simulation tests check
what the neurons represent, with tolerances a broken module would miss.
"""

import numpy as np
import pytest

import nefsim.spa as spa
from nefsim.connection import Connection
from nefsim.exceptions import NetworkContextError, ValidationError
from nefsim.network import Network as PlainNetwork
from nefsim.node import Node
from nefsim.probe import Probe
from nefsim.simulator import Simulator
from nefsim.spa.exceptions import SpaConstructionError, SpaParseError, SpaTypeError
from nefsim.transforms import NoTransform


def make_vocab(d=16, keys="A; B; C; D", seed=0, strict=True):
    vocab = spa.Vocabulary(d, strict=strict, pointer_gen=np.random.RandomState(seed))
    vocab.populate(keys)
    return vocab


def orthonormal_vocab(d=16, keys="ABCD", seed=0):
    """Pointers that are exactly orthogonal (clean expectations for memories)."""
    q, _ = np.linalg.qr(np.random.RandomState(seed).standard_normal((d, len(keys))))
    vocab = spa.Vocabulary(d)
    for key, vector in zip(keys, q.T):
        vocab.add(key, vector)
    return vocab


def full_transform(conn):
    """A connection's transform as a (size_out, size_mid) matrix."""
    if isinstance(conn.transform, NoTransform):
        return np.eye(conn.size_out)
    init = np.asarray(conn.transform.init, dtype=float)
    if init.ndim == 0:
        return init * np.eye(conn.size_out)
    return np.diag(init) if init.ndim == 1 else init


def connections_into(net, post):
    return [c for c in net.all_connections if c.post is post]


def run(model, seconds):
    with Simulator(model, progress_bar=False) as sim:
        sim.run(seconds)
    return sim


def late_mean(sim, probe, window=0.1):
    t = sim.trange()
    return sim.data[probe][t > t[-1] - window].mean(axis=0)


# --------------------------------------------------------------------------------------
# spa.Network and vocabularies


def test_network_vocabs_shared_and_seeded():
    with spa.Network(seed=3) as model:
        state = spa.State(16)
        bind = spa.Bind(16, neurons_per_dimension=20)
        with spa.Network() as inner:
            inner_state = spa.State(16)
    assert isinstance(model.vocabs, spa.VocabularyMap)
    assert inner.vocabs is model.vocabs
    assert state.vocab is bind.vocab is inner_state.vocab is model.vocabs[16]
    assert not state.vocab.strict  # default vocabularies add unknown names

    with spa.Network(seed=3) as again:
        spa.State(16)
    a1 = model.vocabs[16].parse("A").v
    a2 = again.vocabs[16].parse("A").v
    assert np.array_equal(a1, a2)  # the network seed fixes the default vocabulary


def test_config_sets_module_defaults():
    vocab = make_vocab()
    with spa.Network() as model:
        model.config[spa.State].vocab = vocab
        model.config[spa.State].subdimensions = 4
        state = spa.State()
    assert state.vocab is vocab
    assert state.subdimensions == 4
    assert len(state.state_ensembles.ea_ensembles) == 4


def test_state_structure():
    vocab = make_vocab(32)
    with spa.Network():
        split = spa.State(vocab, subdimensions=8, neurons_per_dimension=10)
        plain = spa.State(vocab, subdimensions=8, neurons_per_dimension=10,
                          represent_cc_identity=False)
        single = spa.State(vocab, subdimensions=32, neurons_per_dimension=10)
    assert len(split.state_ensembles.ea_ensembles) == 4
    assert [e.n_neurons for e in split.state_ensembles.ea_ensembles] == [80] * 4
    assert split.identity_ensemble is not None and split.identity_ensemble.dimensions == 1
    assert plain.identity_ensemble is None and plain.input is plain.state_ensembles.input
    # one ensemble: nothing to split off, the array is the whole state
    assert single.identity_ensemble is None and len(single.all_ensembles) == 1


def test_state_feedback_connection():
    with spa.Network():
        state = spa.State(16, feedback=0.7, feedback_synapse=0.05)
    recurrent = [c for c in state.all_connections
                 if c.pre is state.output and c.post is state.input]
    assert len(recurrent) == 1
    assert np.allclose(full_transform(recurrent[0]), 0.7 * np.eye(16))
    assert recurrent[0].synapse.tau == 0.05


# --------------------------------------------------------------------------------------
# Routing builds the right transforms


def test_route_symbol_makes_constant_input():
    vocab = make_vocab()
    with spa.Network() as model:
        state = spa.State(vocab)
        spa.sym.A * spa.sym.B + 0.5 * spa.sym.C >> state
    (conn,) = connections_into(model, state.input)
    assert isinstance(conn.pre, Node)
    expected = vocab.parse("A * B + 0.5 * C").v
    assert np.allclose(conn.pre.output, expected)


def test_route_linear_expression_transforms():
    vocab = make_vocab()
    with spa.Network() as model:
        a = spa.State(vocab, label="a")
        b = spa.State(vocab, label="b")
        c = spa.State(vocab, label="c")
        spa.sym.A * a + ~b - 0.5 * a >> c
    conns = {conn.pre: full_transform(conn) for conn in connections_into(model, c.input)}
    assert set(conns) == {a.output, b.output}
    algebra = vocab.algebra
    bind_a = algebra.get_binding_matrix(vocab["A"].v)
    assert np.allclose(conns[a.output], bind_a - 0.5 * np.eye(16))
    involution = np.stack([algebra.invert(e) for e in np.eye(16)], axis=1)
    assert np.allclose(conns[b.output], involution)
    # the transform really binds: applied to B it gives A * B
    assert np.allclose(conns[a.output] @ vocab["B"].v,
                       vocab.parse("A * B - 0.5 * B").v)


def test_route_dot_with_fixed_pointer_is_a_row():
    vocab = make_vocab()
    with spa.Network() as model:
        a = spa.State(vocab)
        out = spa.Scalar()
        0.5 * spa.dot(a, spa.sym.C) >> out
    (conn,) = connections_into(model, out.input)
    assert np.allclose(full_transform(conn), 0.5 * vocab["C"].v[None, :])


def test_dynamic_products_build_networks():
    vocab = make_vocab()
    with spa.Network() as model:
        a = spa.State(vocab)
        b = spa.State(vocab)
        c = spa.State(vocab)
        out = spa.Scalar()
        a * b >> c
        spa.dot(a, b) >> out
    kinds = [type(n).__name__ for n in model.networks]
    assert kinds.count("Bind") == 1 and kinds.count("Compare") == 1


def test_inverted_dynamic_bind_and_scalar_product_wiring():
    vocab = make_vocab()
    with spa.Network() as model:
        a = spa.State(vocab)
        b = spa.State(vocab)
        c = spa.State(vocab)
        ~a * b >> c
        (bind,) = [n for n in model.networks if isinstance(n, spa.Bind)]
        spa.dot(a, spa.sym.A) * b >> c
    (left,) = connections_into(model, bind.input_left)
    (right,) = connections_into(model, bind.input_right)
    involution = np.stack([vocab.algebra.invert(e) for e in np.eye(16)], axis=1)
    assert left.pre is a.output and np.allclose(full_transform(left), involution)
    assert right.pre is b.output and np.allclose(full_transform(right), np.eye(16))
    # a dynamic scalar times a pointer: element-wise product with the scalar broadcast
    (product,) = [n for n in model.networks if type(n).__name__ == "Product"]
    (scalar_in,) = connections_into(model, product.input_a)
    assert scalar_in.pre is a.output
    assert np.allclose(full_transform(scalar_in), np.outer(np.ones(16), vocab["A"].v))
    assert [c.pre for c in connections_into(model, product.input_b)] == [b.output]


def test_translate_and_reinterpret():
    v1 = make_vocab(16, seed=1)
    v2 = make_vocab(16, keys="A; B; C", seed=2)
    with spa.Network() as model:
        a = spa.State(v1)
        b = spa.State(v2)
        c = spa.State(v2)
        spa.translate(a, v2, populate=False) >> b
        spa.reinterpret(a) >> c
    (tr,) = connections_into(model, b.input)
    ideal = sum(np.outer(v2[k].v, v1[k].v) for k in ("A", "B", "C"))
    assert np.allclose(full_transform(tr), ideal)
    (re,) = connections_into(model, c.input)
    assert np.allclose(full_transform(re), np.eye(16))


# --------------------------------------------------------------------------------------
# Simulated modules


def test_state_represents_input_and_identity():
    vocab = make_vocab()
    with spa.Network(seed=1) as model:
        states = {
            "A": spa.State(vocab, subdimensions=4),
            "I split": spa.State(vocab, subdimensions=4),
            "I plain": spa.State(vocab, subdimensions=4, represent_cc_identity=False),
        }
        spa.sym.A >> states["A"]
        spa.sym.Identity >> states["I split"]
        spa.sym.Identity >> states["I plain"]
        probes = {k: Probe(s.output, synapse=0.03) for k, s in states.items()}
    sim = run(model, 0.3)
    identity = vocab.parse("Identity").v
    sims = {k: late_mean(sim, p) @ (identity if k != "A" else vocab["A"].v)
            for k, p in probes.items()}
    assert sims["A"] > 0.85
    assert sims["I split"] > 0.85
    # pieces tuned to random pointers cannot reach the identity's first coordinate
    assert sims["I split"] > sims["I plain"] + 0.1


def test_bind_compare_and_transcode():
    vocab = make_vocab(16, keys="A; B; C; D", seed=4)
    with spa.Network(seed=2) as model:
        a = spa.Transcode("A", output_vocab=vocab)
        b = spa.Transcode(lambda t: vocab["B"], output_vocab=vocab)
        bound = spa.State(vocab)
        a * b >> bound
        same = spa.Scalar()
        differ = spa.Scalar()
        spa.dot(a, a) >> same
        spa.dot(a, b) >> differ
        seen = []
        reader = spa.Transcode(lambda t, x: (seen.append(x), x.dot(vocab["C"]))[1],
                               input_vocab=vocab)
        spa.sym.C >> reader
        probes = {"bound": Probe(bound.output, synapse=0.03),
                  "same": Probe(same.output, synapse=0.03),
                  "differ": Probe(differ.output, synapse=0.03),
                  "reader": Probe(reader.output, synapse=0.01)}
    sim = run(model, 0.35)
    ideal = vocab.parse("A * B").v
    got = late_mean(sim, probes["bound"])
    assert got @ ideal / (np.linalg.norm(got) * np.linalg.norm(ideal)) > 0.85
    assert abs(late_mean(sim, probes["same"])[0] - 1.0) < 0.15
    assert abs(late_mean(sim, probes["differ"])[0] - vocab["A"].v @ vocab["B"].v) < 0.15
    assert isinstance(seen[-1], spa.SemanticPointer) and seen[-1].vocab is vocab
    assert abs(late_mean(sim, probes["reader"])[0] - 1.0) < 0.05


@pytest.mark.parametrize("winner", [0, 1])
def test_action_selection_gates_routes(winner):
    vocab = make_vocab(16, seed=5)
    utilities = [0.8, 0.3] if winner == 0 else [0.3, 0.8]
    with spa.Network(seed=3) as model:
        src_a = spa.Transcode("A", output_vocab=vocab)
        src_b = spa.Transcode("B", output_vocab=vocab)
        target = spa.State(vocab)
        flag = spa.Scalar()
        with spa.ActionSelection() as actions:
            spa.ifmax("take a", utilities[0], src_a >> target, 1.0 >> flag)
            spa.ifmax("take b", utilities[1], src_b >> target, spa.sym.C >> target)
        probe = Probe(target.output, synapse=0.03)
        flag_probe = Probe(flag.output, synapse=0.03)
    assert len(actions) == 2 and actions.keys() == ["take a", "take b"]
    assert actions.bg is not None and actions.thalamus is not None
    sim = run(model, 0.4)
    sims = dict(zip(vocab.keys(), spa.similarity(late_mean(sim, probe), vocab)))
    flag_value = late_mean(sim, flag_probe)[0]
    if winner == 0:
        assert sims["A"] > 0.6 and sims["B"] < 0.2 and sims["C"] < 0.2
        assert flag_value > 0.6
    else:
        assert sims["B"] > 0.6 and sims["C"] > 0.6 and sims["A"] < 0.2
        assert flag_value < 0.2


def test_thresholding_and_wta_assoc_mem():
    vocab = orthonormal_vocab(seed=6)
    out_vocab = orthonormal_vocab(seed=7)
    with spa.Network(seed=4) as model:
        strong = spa.Transcode("0.8 * A", output_vocab=vocab)
        weak = spa.Transcode("0.15 * B", output_vocab=vocab)
        mixed = spa.Transcode("0.9 * C + 0.6 * D", output_vocab=vocab)
        mem_strong = spa.ThresholdingAssocMem(0.3, vocab, out_vocab, mapping="by-key")
        mem_weak = spa.ThresholdingAssocMem(0.3, vocab, mapping=vocab.keys())
        wta = spa.WTAAssocMem(0.3, vocab, mapping=vocab.keys(),
                              function=lambda x: x > 0)
        strong >> mem_strong
        weak >> mem_weak
        mixed >> wta
        probes = [Probe(m.output, synapse=0.03) for m in (mem_strong, mem_weak, wta)]
    sim = run(model, 0.4)
    s_strong = spa.similarity(late_mean(sim, probes[0]), out_vocab)
    assert abs(s_strong[0] - 0.8) < 0.1 and np.all(np.abs(s_strong[1:]) < 0.1)
    assert np.linalg.norm(late_mean(sim, probes[1])) < 0.05  # below threshold: silent
    s_wta = spa.similarity(late_mean(sim, probes[2]), vocab)
    assert s_wta[2] > 0.85 and abs(s_wta[3]) < 0.1  # C wins, D is suppressed


def test_ia_assoc_mem_accumulates_holds_and_resets():
    vocab = orthonormal_vocab(keys="ABC", seed=8)
    with spa.Network(seed=5) as model:
        cue = spa.Transcode(lambda t: "A" if t < 0.3 else "0", output_vocab=vocab)
        mem = spa.IAAssocMem(vocab, mapping=vocab.keys())
        cue >> mem
        reset = Node(lambda t: 1.0 if t > 0.5 else 0.0)
        Connection(reset, mem.input_reset, synapse=None)
        probe = Probe(mem.output, synapse=0.02)
    sim = run(model, 0.65)
    t = sim.trange()
    s = spa.similarity(sim.data[probe], vocab)
    assert np.all(s[t < 0.05, 0] < 0.2)  # evidence needs time to accumulate
    held = (t > 0.35) & (t < 0.5)  # cue gone, winner kept
    assert s[held, 0].min() > 0.7 and np.abs(s[held, 1:]).max() < 0.4
    assert np.abs(s[t > 0.6, 0]).max() < 0.2  # reset clears it


# --------------------------------------------------------------------------------------
# Errors


def test_error_vocab_mismatch_in_routing():
    v16a, v16b, v32 = make_vocab(16, seed=1), make_vocab(16, seed=2), make_vocab(32)
    with spa.Network():
        a = spa.State(v16a, label="a")
        b = spa.State(v16b, label="b")
        c = spa.State(v32, label="c")
        with pytest.raises(SpaTypeError, match="cannot combine.*translate"):
            a >> b
        with pytest.raises(SpaTypeError, match=r"32-D"):
            a >> c
        with pytest.raises(SpaTypeError, match="cannot combine"):
            a + c >> a
        with pytest.raises(SpaTypeError, match="scalar"):
            spa.dot(a, spa.sym.A) >> a


def test_error_unknown_pointer_in_strict_vocab():
    vocab = make_vocab(strict=True)
    with spa.Network():
        state = spa.State(vocab)
        with pytest.raises(SpaParseError, match="NOPE"):
            spa.sym.NOPE >> state
        with pytest.raises(SpaParseError, match="NOPE"):
            spa.Transcode("NOPE", output_vocab=vocab)


def test_error_subdimensions_must_divide():
    with spa.Network():
        with pytest.raises(ValidationError, match=r"subdimensions.*divide.*16"):
            spa.State(16, subdimensions=5)
        with pytest.raises(ValidationError, match="vocab"):
            spa.State()


def test_error_ifmax_outside_action_selection():
    with spa.Network():
        state = spa.State(16)
        with pytest.raises(SpaConstructionError, match="ActionSelection"):
            spa.ifmax(spa.dot(state, spa.sym.A), spa.sym.B >> state)


def test_error_effects_not_given_to_ifmax_and_bad_conditions():
    with spa.Network():
        state = spa.State(16)
        with pytest.raises(SpaConstructionError, match="not given to ifmax"):
            with spa.ActionSelection():
                spa.sym.A >> state
        with pytest.raises(SpaTypeError, match="scalar"):
            with spa.ActionSelection():
                spa.ifmax(state, spa.sym.A >> state)
        with pytest.raises(SpaConstructionError, match="routings"):
            with spa.ActionSelection():
                spa.ifmax(0.5, "A")
        with pytest.raises(SpaConstructionError, match="nested"):
            with spa.ActionSelection():
                with spa.ActionSelection():
                    pass


def test_error_bad_operands_and_targets():
    vocab = make_vocab()
    with spa.Network():
        state = spa.State(vocab)
        bind = spa.Bind(vocab, neurons_per_dimension=20)
        plain = Node(size_in=16)
        with pytest.raises(SpaTypeError, match="spa.sym"):
            state + "A" >> state
        with pytest.raises(SpaTypeError, match="not an SPA module"):
            state >> plain
        with pytest.raises(SpaTypeError, match="input_left"):
            state >> bind
        with pytest.raises(SpaTypeError, match="not scalars"):
            spa.dot(1.0, 2.0) >> state
        with pytest.raises(SpaTypeError, match="which vocabulary"):
            with spa.ActionSelection():
                spa.ifmax(spa.dot(spa.sym.A, spa.sym.B), spa.sym.A >> state)


def test_error_module_arguments():
    vocab = make_vocab()
    with spa.Network():
        with pytest.raises(ValidationError, match="output_vocab"):
            spa.Transcode(lambda t: "A")
        with pytest.raises(ValidationError, match="size_in"):
            spa.Transcode(input_vocab=vocab, size_in=3)
        with pytest.raises(ValidationError, match="mapping"):
            spa.ThresholdingAssocMem(0.3, vocab, make_vocab(seed=9))
        with pytest.raises(ValidationError, match="mapping"):
            spa.WTAAssocMem(0.3, vocab, mapping="by-name")
        with pytest.raises(ValidationError, match="neurons_per_dimension"):
            spa.State(vocab, neurons_per_dimension=0)
        with pytest.raises(ValidationError, match="vocab"):
            spa.Bind("sixteen")


def test_action_selection_needs_a_network():
    with pytest.raises(NetworkContextError, match="spa.Network"):
        with spa.ActionSelection():
            spa.ifmax(0.5)
    assert not PlainNetwork.context


def test_symbol_routed_into_a_declared_input_node():
    import nefsim

    # `spa.sym.A >> bind.input_left` routes a constant into a module's input node.
    import nefsim.spa as spa

    with spa.Network(seed=3) as model:
        vocab = spa.Vocabulary(16, pointer_gen=np.random.RandomState(1))
        vocab.populate("A; B")
        bind = spa.Bind(vocab, neurons_per_dimension=50)
        spa.sym.A >> bind.input_left
        vocab.parse("B") >> bind.input_right
        p = nefsim.Probe(bind.output, synapse=0.03)
    with nefsim.Simulator(model, progress_bar=False) as sim:
        sim.run(0.3)
    expected = (vocab["A"] * vocab["B"]).v
    out = sim.data[p][-50:].mean(axis=0)
    assert out @ expected / (np.linalg.norm(out) * np.linalg.norm(expected)) > 0.6


def test_state_accepts_the_older_represent_identity_name():
    with spa.Network(seed=1):
        old = spa.State(16, subdimensions=4, represent_identity=False)
        new = spa.State(16, subdimensions=4, represent_cc_identity=False)
        assert len(old.all_ensembles) == len(new.all_ensembles) == 4
        with pytest.raises(ValidationError, match="represent_identity"):
            spa.State(16, represent_identity=True, represent_cc_identity=True)
