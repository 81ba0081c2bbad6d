"""Bad inputs to the description layer: each raises the right exception, its message names
the object and the parameter, and nothing is added to the network."""

import types

import numpy as np
import pytest

from nefsim.connection import Connection
from nefsim.dists import Uniform
from nefsim.ensemble import Ensemble
from nefsim.exceptions import ValidationError
from nefsim.learning_rules import BCM, PES, Oja, Voja
from nefsim.network import Network
from nefsim.neurons import LIF, Direct
from nefsim.node import Node
from nefsim.probe import Probe
from nefsim.solvers import LstsqL2


@pytest.fixture
def m():
    net = Network(label="net")
    with net:
        a = Ensemble(5, 2, label="a")
        b = Ensemble(6, 3, label="b")
        n = Node([1, 2], label="n")
        pt = Node(size_in=2, label="pt")
        pes = Connection(a, b[:2], learning_rule_type=PES(), label="learned")
        bcm = Connection(a.neurons, b.neurons, transform=np.zeros((6, 5)),
                         learning_rule_type=BCM(), label="hebb")
    return types.SimpleNamespace(net=net, a=a, b=b, n=n, pt=pt, pes=pes, bcm=bcm)


def ens(**kwargs):
    return lambda m: Ensemble(kwargs.pop("n_neurons", 5), kwargs.pop("dimensions", 1),
                              label="bad", **kwargs)


def node(*args, **kwargs):
    return lambda m: Node(*args, label="bad", **kwargs)


def conn(pre, post, **kwargs):
    return lambda m: Connection(_get(m, pre), _get(m, post), label="bad", **kwargs)


def probe(target, *args, **kwargs):
    return lambda m: Probe(_get(m, target), *args, label="bad", **kwargs)


def _get(m, spec):
    """``"a"`` -> m.a; ``"a.neurons"``; ``"a[:2]"``; ``"pes.learning_rule"``; else as is."""
    if not isinstance(spec, str):
        return spec
    return eval(spec, globals(), vars(m))  # noqa: S307 - test-only shorthand


# (id, factory, exception type, the parameter's name, how the object is named)
BAD = [
    ("n_neurons=0", ens(n_neurons=0), ValidationError, "n_neurons", "'bad'"),
    ("n_neurons float", ens(n_neurons=1.5), ValidationError, "n_neurons", "'bad'"),
    ("dimensions=0", ens(dimensions=0), ValidationError, "dimensions", "'bad'"),
    ("radius=0", ens(radius=0), ValidationError, "radius", "'bad'"),
    ("encoders shape", ens(encoders=np.ones((5, 2))), ValidationError, "encoders", "'bad'"),
    ("encoders class", ens(encoders=Uniform), ValidationError, "encoders", "'bad'"),
    ("intercepts length", ens(intercepts=np.zeros(4)), ValidationError, "intercepts",
     "'bad'"),
    ("intercepts range", ens(intercepts=[1.5] * 5), ValidationError, "intercepts", "'bad'"),
    ("intercepts nan", ens(intercepts=[np.nan] * 5), ValidationError, "intercepts", "'bad'"),
    ("max_rates<0", ens(max_rates=[-1] * 5), ValidationError, "max_rates", "'bad'"),
    ("neuron_type str", ens(neuron_type="LIF"), ValidationError, "neuron_type", "'bad'"),
    ("neuron_type class", ens(neuron_type=LIF), ValidationError, "neuron_type", "LIF()"),
    ("noise float", ens(noise=0.1), ValidationError, "noise", "'bad'"),
    ("gain only", ens(gain=np.ones(5)), ValidationError, "bias", "'bad'"),
    ("bias only", ens(bias=np.ones(5)), ValidationError, "gain", "'bad'"),
    ("eval_points dims", ens(eval_points=np.ones((7, 3))), ValidationError, "eval_points",
     "'bad'"),
    ("n_eval_points=0", ens(n_eval_points=0), ValidationError, "n_eval_points", "'bad'"),
    ("normalize_encoders int", ens(normalize_encoders=1), ValidationError,
     "normalize_encoders", "'bad'"),
    ("seed<0", ens(seed=-1), ValidationError, "seed", "'bad'"),
    ("label int", lambda m: Ensemble(5, 1, label=3), ValidationError, "label", "Ensemble"),
    ("node size mismatch", node(lambda t: [1, 2], size_out=3), ValidationError, "output",
     "'bad'"),
    ("node nan constant", node([np.nan]), ValidationError, "output", "'bad'"),
    ("node inf from function", node(lambda t: np.inf), ValidationError, "output", "'bad'"),
    ("node passthrough no size_in", node(), ValidationError, "size_in", "'bad'"),
    ("node constant with input", node([1, 2], size_in=3), ValidationError, "output",
     "'bad'"),
    ("node str output", node("abc"), ValidationError, "output", "'bad'"),
    ("node arity", node(lambda t, x: x), ValidationError, "output", "'bad'"),
    ("node 2-D output", node(lambda t: [[1, 2]]), ValidationError, "output", "'bad'"),
    ("node size_in<0", node(size_in=-1), ValidationError, "size_in", "'bad'"),
    ("function on passthrough", conn("pt", "b[:2]", function=lambda x: x), ValidationError,
     "function", "'bad'"),
    ("function from neurons", conn("a.neurons", "b[:2]", function=lambda x: x),
     ValidationError, "function", "'bad'"),
    ("function size vs post", conn("a", "b", function=lambda x: [1, 2]), ValidationError,
     "transform", "'bad'"),
    ("function returns None", conn("a", "pt", function=lambda x: None), ValidationError,
     "function", "'bad'"),
    ("function arity", conn("a", "pt", function=lambda x, y: x), ValidationError,
     "function", "'bad'"),
    ("function int", conn("a", "pt", function=3), ValidationError, "function", "'bad'"),
    ("function points no eval_points", conn("a", "pt", function=np.ones((3, 2))),
     ValidationError, "eval_points", "'bad'"),
    ("function points count", conn("a", "pt", function=np.ones((3, 2)),
                                   eval_points=np.ones((4, 2))),
     ValidationError, "function", "'bad'"),
    ("sizes without transform", conn("a", "b"), ValidationError, "transform", "'bad'"),
    ("transform shape", conn("a", "b", transform=np.ones((2, 2))), ValidationError,
     "transform", "'bad'"),
    ("1-D transform non-square", conn("a", "b", transform=[1, 2]), ValidationError,
     "transform", "'bad'"),
    ("scalar transform non-square", conn("a", "b", transform=2), ValidationError,
     "transform", "'bad'"),
    ("transform 3-D", conn("a", "b[:2]", transform=np.ones((2, 2, 2))), ValidationError,
     "transform", "'bad'"),
    ("transform str", conn("a", "b[:2]", transform="x"), ValidationError, "transform",
     "'bad'"),
    ("repeated pre indices", conn("a[[0, 0]]", "b[[0, 1]]", transform=np.ones((2, 2))),
     ValidationError, "transform", "'bad'"),
    ("eval_points on node pre", conn("n", "b[:2]", eval_points=np.ones((3, 2))),
     ValidationError, "eval_points", "'bad'"),
    ("eval_points dims", conn("a", "b[:2]", eval_points=np.ones((3, 1))), ValidationError,
     "eval_points", "'bad'"),
    ("post str", conn("a", "'b'"), ValidationError, "post", "'bad'"),
    ("post network", conn("a", "net"), ValidationError, "post", "'bad'"),
    ("pre int", conn(3, "a"), ValidationError, "pre", "'bad'"),
    ("pre with no output", conn("Node(lambda t: None)", "a[0]"), ValidationError, "pre",
     "'bad'"),
    ("post rule without input", conn("a", "bcm.learning_rule"), ValidationError, "post",
     "'bad'"),
    ("synapse str", conn("a", "pt", synapse="a"), ValidationError, "synapse", "'bad'"),
    ("synapse<0", conn("a", "pt", synapse=-1), ValidationError, "synapse", "'bad'"),
    ("solver int", conn("a", "pt", solver=3), ValidationError, "solver", "'bad'"),
    ("scale_eval_points int", conn("a", "pt", scale_eval_points=3), ValidationError,
     "scale_eval_points", "'bad'"),
    ("BCM on decoded", conn("a", "b[:2]", learning_rule_type=BCM()), ValidationError,
     "learning_rule_type", "'bad'"),
    ("rule class", conn("a", "b[:2]", learning_rule_type=PES), ValidationError,
     "learning_rule_type", "'bad'"),
    ("rule list with junk", conn("a", "b[:2]", learning_rule_type=[PES(), 3]),
     ValidationError, "learning_rule_type", "'bad'"),
    ("Voja into node", conn("a", "pt", learning_rule_type=Voja()), ValidationError,
     "learning_rule_type", "'bad'"),
    ("PES from node", conn("n", "pt", learning_rule_type=PES()), ValidationError,
     "learning_rule_type", "'bad'"),
    ("probe attr", probe("a", "spikes"), ValidationError, "attr", "'bad'"),
    ("probe attr type", probe("a", 3), ValidationError, "attr", "'bad'"),
    ("probe sample_every", probe("a", sample_every=0), ValidationError, "sample_every",
     "'bad'"),
    ("probe network", probe("net"), ValidationError, "target", "'bad'"),
    ("probe empty node", probe("Node(lambda t: None)"), ValidationError, "target", "'bad'"),
    ("probe synapse", probe("a", synapse="x"), ValidationError, "synapse", "'bad'"),
    ("probe solver", probe("a", solver=3), ValidationError, "solver", "'bad'"),
]


def snapshot(net):
    return [list(objs) for objs in net.objects.values()]


@pytest.mark.parametrize("factory, exc, attr, name", [case[1:] for case in BAD],
                         ids=[case[0] for case in BAD])
def test_bad_input_raises_names_object_and_param_and_adds_nothing(m, factory, exc, attr,
                                                                  name):
    with m.net:
        before = snapshot(m.net)
        with pytest.raises(exc) as info:
            factory(m)
        # Helper objects made by the factory itself (e.g. an extra Node) are allowed;
        # the failed object must not be there.
        added = [obj for objs, old in zip(snapshot(m.net), before) for obj in objs
                 if obj not in old]
    assert all(getattr(obj, "label", None) != "bad" for obj in added)
    assert len(added) <= 1
    msg = str(info.value)
    assert attr in msg, msg
    assert name in msg, msg


def test_at_least_twenty_bad_inputs():
    assert len(BAD) >= 20


def test_unlabelled_connection_error_names_endpoints(m):
    with m.net, pytest.raises(ValidationError) as info:
        Connection(m.a, m.b, transform=np.ones((2, 2)))
    msg = str(info.value)
    assert "transform" in msg and "from <Ensemble 'a'> to <Ensemble 'b'>" in msg


def test_passthrough_function_message_explains_the_fix(m):
    with m.net, pytest.raises(ValidationError) as info:
        Connection(m.pt, m.b[0], function=lambda x: x[0] * x[1])
    msg = str(info.value)
    assert "passthrough" in msg and "node.output = lambda t, x: x" in msg
    assert "add_output" in msg


@pytest.mark.parametrize("make, attr", [
    (lambda: PES(learning_rate=-1), "PES.learning_rate"),
    (lambda: PES(pre_synapse="a"), "PES.pre_synapse"),
    (lambda: BCM(theta_synapse=[1, 2]), "BCM.theta_synapse"),
    (lambda: Oja(beta=-1), "Oja.beta"),
    (lambda: Voja(learning_rate="x"), "Voja.learning_rate"),
])
def test_bad_learning_rule_type_parameters(make, attr):
    with pytest.raises(ValidationError, match=attr.replace(".", r"\.")):
        make()


def test_direct_neurons_cannot_be_a_pre(m):
    with m.net:
        direct = Ensemble(3, 1, neuron_type=Direct(), label="d")
        with pytest.raises(ValidationError, match="Direct"):
            Connection(direct.neurons, m.a[0], transform=np.ones((1, 0)))


def test_weight_mode_learning_rule_is_accepted(m):
    with m.net:
        conn = Connection(m.a, m.b[:2], solver=LstsqL2(weights=True),
                          learning_rule_type=Oja())
    assert conn.learning_rule.size_in == 0
