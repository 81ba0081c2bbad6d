"""Connection, Probe and learning-rule descriptions (nefsim/connection.py, probe.py,
learning_rules.py): sizes, slices, transforms, defaults, compared with Nengo."""

import warnings

import numpy as np
import pytest

from nefsim.connection import Connection
from nefsim.dists import Gaussian, Uniform
from nefsim.ensemble import Ensemble
from nefsim.learning_rules import BCM, PES, RLS, LearningRule, Oja, Voja
from nefsim.network import Network
from nefsim.neurons import Direct
from nefsim.node import Node
from nefsim.probe import Probe
from nefsim.solvers import LstsqL2
from nefsim.synapses import Lowpass
from nefsim.transforms import Dense, NoTransform, Sparse


class Model:
    """The same small model in nefsim or nengo: a(5 neurons, 2-D), b(6, 3-D), nodes."""

    def __init__(self, mod):
        self.mod = mod
        self.net = mod.Network()
        with self.net:
            self.a = mod.Ensemble(5, 2, label="a")
            self.b = mod.Ensemble(6, 3, label="b")
            self.d = mod.Ensemble(4, 2, neuron_type=mod.Direct(), label="d")
            self.n = mod.Node([1, 2], label="n")
            self.pt = mod.Node(size_in=2, label="pt")

    def connect(self, pre, post, **kwargs):
        with self.net:
            return self.mod.Connection(self.resolve(pre), self.resolve(post), **kwargs)

    def resolve(self, spec):
        """``"a"``, ``"a.neurons"``, ``("a", key)`` or ``("a.neurons", key)`` -> object."""
        if not isinstance(spec, (str, tuple)):
            return spec
        name, key = (spec, None) if isinstance(spec, str) else spec
        obj = getattr(self, name.split(".")[0])
        if name.endswith(".neurons"):
            obj = obj.neurons
        return obj if key is None else obj[key]


class _nefsim:  # noqa: N801 - stands in for the nefsim module
    Network, Ensemble, Node, Connection, Probe, Direct = (
        Network, Ensemble, Node, Connection, Probe, Direct)


CASES = [
    ("a", ("b", slice(None, 2)), {}),
    ("a", "b", {"transform": np.ones((3, 2))}),
    ("a", "b", {"function": lambda x: x[0], "transform": [[1], [2], [3]]}),
    (("a", [1, 0]), ("b", [0, 2]), {"transform": 2}),
    ("a", ("b", slice(1, None)), {"transform": [1, 2]}),
    ("a.neurons", "b.neurons", {"transform": np.ones((6, 5))}),
    ("a.neurons", ("b", 0), {"transform": np.ones((1, 5))}),
    ("n", ("a", 0), {"function": lambda x: x[0] * x[1]}),
    ("d", ("b", 0), {"function": lambda x: x[0] * x[1]}),
    ("pt", ("b", [0, 2])),
    ("a", ("b.neurons", slice(None, 3)), {"transform": np.ones((3, 2))}),
    ("a", "a", {}),
    ("a", ("pt", -1), {"function": lambda x: x.sum()}),
    ("a", "pt", {"function": np.ones((3, 2)), "eval_points": np.ones((3, 2))}),
    ("a", "b", {"transform": Uniform(0, 1)}),
]
CASES = [case if len(case) == 3 else case + ({},) for case in CASES]


@pytest.mark.parametrize("pre, post, kwargs", CASES)
def test_connection_attributes_match_nengo(pre, post, kwargs):
    nengo = pytest.importorskip("nengo")
    ours = Model(_nefsim).connect(pre, post, **kwargs)
    nengo_kwargs = {k: (nengo.dists.Uniform(0, 1) if isinstance(v, Uniform) else v)
                    for k, v in kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        theirs = Model(nengo).connect(pre, post, **nengo_kwargs)
        is_decoded = theirs.is_decoded
    for name in ("size_in", "size_mid", "size_out", "has_weights", "scale_eval_points"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.is_decoded == is_decoded
    assert _label(ours.pre_obj) == _label(theirs.pre_obj)
    assert _label(ours.post_obj) == _label(theirs.post_obj)
    for ours_key, theirs_key, obj in ((ours.pre_slice, theirs.pre_slice, ours.pre_obj),
                                      (ours.post_slice, theirs.post_slice, ours.post_obj)):
        size = obj.size_out or obj.size_in
        assert np.array_equal(np.arange(size)[ours_key], np.arange(size)[theirs_key])
    assert type(ours.transform).__name__ == type(theirs.transform).__name__
    assert (ours.transform.size_in, ours.transform.size_out) == (
        theirs.transform.size_in, theirs.transform.size_out)
    assert ours.synapse == Lowpass(theirs.synapse.tau)
    assert ours.solver == LstsqL2()
    assert ours.probeable == theirs.probeable


def _label(obj):
    return getattr(obj, "label", None) or obj.ensemble.label


def test_unsliced_endpoints_and_defaults():
    m = Model(_nefsim)
    conn = m.connect("a", ("b", slice(0, 2)))
    assert conn.pre is m.a and conn.pre_obj is m.a and conn.pre_slice == slice(None)
    assert conn.post_obj is m.b and conn.post_slice == slice(0, 2)
    assert conn.function is None and conn.eval_points is None
    assert conn.transform == NoTransform(2)
    assert conn.learning_rule_type is None and conn.learning_rule is None
    assert conn.function_info == (None, None)


def test_transform_conversions():
    m = Model(_nefsim)
    scalar = m.connect("a", ("b", slice(0, 2)), transform=2.0)
    assert isinstance(scalar.transform, Dense) and scalar.transform.shape == (2, 2)
    assert scalar.transform.init == 2.0
    diag = m.connect("a", ("b", slice(0, 2)), transform=[1, 2])
    assert np.array_equal(diag.transform.init, [1, 2])
    dist = m.connect("a", "b", transform=Gaussian(0, 1))
    assert dist.transform.shape == (3, 2) and dist.transform.init == Gaussian(0, 1)
    given = Dense((3, 2), init=np.ones((3, 2)))
    assert m.connect("a", "b", transform=given).transform is given
    sparse = Sparse((6, 5), indices=[[0, 0], [1, 1]])
    assert m.connect("a.neurons", "b.neurons", transform=sparse).transform is sparse


def test_function_size_uses_first_eval_point():
    m = Model(_nefsim)
    seen = []
    m.connect("a", ("b", 0), eval_points=[[0.1, 0.2], [0.3, 0.4]],
              function=lambda x: seen.append(x.copy()) or x[0])
    m.connect("a", ("b", 0), function=lambda x: seen.append(x.copy()) or x[0])
    assert np.array_equal(seen[0], [0.1, 0.2]) and np.array_equal(seen[1], [0, 0])


def test_changing_function_keeps_default_transform_in_step():
    m = Model(_nefsim)
    conn = m.connect("a", ("b", 0), function=lambda x: x[0])
    conn.function = lambda x: x[1] ** 2
    assert conn.size_mid == 1 and conn.transform == NoTransform(1)
    with pytest.raises(Exception, match="transform"):
        conn.function = lambda x: x  # 2 values into a 1-D post, no transform
    assert conn.size_mid == 1 and conn.transform == NoTransform(1)


def test_pre_and_post_are_read_only():
    m = Model(_nefsim)
    conn = m.connect("a", ("b", slice(0, 2)))
    with pytest.raises(Exception, match="pre"):
        conn.pre = m.b


def test_weight_solver_warns_when_it_has_no_effect():
    m = Model(_nefsim)
    with pytest.warns(UserWarning, match="to objects other than Ensembles"):
        m.connect("a", "pt", solver=LstsqL2(weights=True))
    with pytest.warns(UserWarning, match="from objects other than Ensembles"):
        m.connect("n", ("b", slice(0, 2)), solver=LstsqL2(weights=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        conn = m.connect("a", ("b", slice(0, 2)), solver=LstsqL2(weights=True))
    assert conn.is_decoded is False


RULE_CASES = [
    ("a", ("b", slice(0, 2)), PES, {}),
    ("a", ("b", 0), PES, {"transform": [[1, 1]]}),
    ("a", ("b.neurons", slice(None, 3)), PES, {"transform": np.ones((3, 2))}),
    ("a.neurons", "b.neurons", PES, {"transform": np.zeros((6, 5))}),
    ("a.neurons", "pt", RLS, {"transform": np.zeros((2, 5))}),
    ("a", ("b", slice(0, 2)), Voja, {}),
    ("a.neurons", "b.neurons", BCM, {"transform": np.zeros((6, 5))}),
    ("a", ("b", slice(0, 2)), Oja, {"solver": "weights"}),
]


@pytest.mark.parametrize("pre, post, rule, kwargs", RULE_CASES)
def test_learning_rule_sizes_match_nengo(pre, post, rule, kwargs):
    nengo = pytest.importorskip("nengo")
    results = []
    for mod, rule_type, solver in ((_nefsim, rule, LstsqL2),
                                   (nengo, getattr(nengo, rule.__name__),
                                    nengo.solvers.LstsqL2)):
        kw = dict(kwargs, learning_rule_type=rule_type())
        if kw.get("solver") == "weights":
            kw["solver"] = solver(weights=True)
        lr = Model(mod).connect(pre, post, **kw).learning_rule
        results.append((lr.size_in, lr.modifies, tuple(lr.probeable),
                        lr.learning_rule_type.learning_rate))
    assert results[0] == results[1]


def test_learning_rule_containers_and_identity():
    m = Model(_nefsim)
    single = m.connect("a", ("b", slice(0, 2)), learning_rule_type=PES())
    assert single.learning_rule is single.learning_rule
    assert isinstance(single.learning_rule, LearningRule)
    assert single.learning_rule.connection is single
    several = m.connect("a.neurons", "b.neurons", transform=np.zeros((6, 5)),
                        learning_rule_type=[BCM(), Oja()])
    assert [lr.learning_rule_type for lr in several.learning_rule] == [BCM(), Oja()]
    named = m.connect("a", ("b", slice(0, 2)), learning_rule_type={"pes": PES()})
    assert named.learning_rule["pes"].learning_rule_type == PES()
    error = m.connect("n", single.learning_rule)
    assert error.post_obj is single.learning_rule and error.size_out == 2
    single.learning_rule_type = None
    assert single.learning_rule is None


def test_learning_rule_type_defaults_match_nengo():
    nengo = pytest.importorskip("nengo")
    for ours, theirs in ((PES(), nengo.PES()), (RLS(), nengo.RLS()), (BCM(), nengo.BCM()),
                         (Oja(), nengo.Oja()), (Voja(), nengo.Voja())):
        assert repr(ours) == repr(theirs)
        assert ours.learning_rate == theirs.learning_rate
        assert ours.modifies == theirs.modifies
        assert tuple(ours.probeable) == tuple(theirs.probeable)
        for name in ("pre_synapse", "post_synapse", "theta_synapse"):
            if hasattr(theirs, name):
                assert getattr(ours, name).tau == getattr(theirs, name).tau, name
    assert Oja().beta == 1.0
    assert BCM(pre_synapse=0.01).post_synapse == Lowpass(0.01)
    assert PES(pre_synapse=None).pre_synapse is None
    with pytest.warns(UserWarning, match="very high"):
        PES(learning_rate=2.0)


def test_probe_attributes():
    m = Model(_nefsim)
    conn = m.connect("a", ("b", slice(0, 2)), learning_rule_type=PES())
    with m.net:
        p_ens = Probe(m.a)
        p_view = Probe(m.a[1:], synapse=0.01, sample_every=0.005)
        p_neurons = Probe(m.a.neurons[:3], "voltage")
        p_conn = Probe(conn, "weights")
        p_input = Probe(conn, "input")
        p_rule = Probe(conn.learning_rule, "delta")
        p_rule_default = Probe(conn.learning_rule)
    assert (p_ens.target, p_ens.obj, p_ens.slice, p_ens.attr) == (
        m.a, m.a, slice(None), "decoded_output")
    assert p_ens.synapse is None and p_ens.sample_every is None and p_ens.size_in == 2
    assert p_view.obj is m.a and p_view.slice == slice(1, None) and p_view.size_in == 1
    assert p_view.synapse == Lowpass(0.01) and p_view.sample_every == 0.005
    assert p_neurons.obj is m.a.neurons and p_neurons.size_in == 3
    assert p_conn.attr == "weights" and p_input.size_in == 2
    assert p_rule.obj is conn.learning_rule and p_rule_default.attr == "error"
    assert p_ens.solver == LstsqL2()
    assert m.net.probes == [p_ens, p_view, p_neurons, p_conn, p_input, p_rule,
                            p_rule_default]


def test_reprs_follow_nengo_style():
    m = Model(_nefsim)
    conn = m.connect("a", ("b", slice(0, 2)))
    named = m.connect("a", ("b", slice(0, 2)), label="hi", function=np.sin)

    def f(x):
        return x

    computing = m.connect("a", ("b", slice(0, 2)), function=f)
    with m.net:
        probe = Probe(m.a[1:], label="x")
    assert str(conn) == "<Connection from <Ensemble 'a'> to <Ensemble 'b'>[0:2]>"
    assert str(named) == "<Connection hi>"
    assert str(computing).endswith("computing 'f'>")
    assert str(probe) == """<Probe "x" of 'decoded_output' of <Ensemble 'a'>[1:]>"""
    assert str(m.a.neurons) == "<Neurons of <Ensemble 'a'>>"
    assert repr(m.a).startswith("<Ensemble 'a' at 0x")
    assert str(Node(1, add_to_container=False)).startswith("<Node (unlabeled) at 0x")
