"""Network containers, contexts, recursive accessors, copying (nefsim/network.py, base.py)."""

import pickle

import numpy as np
import pytest

from nefsim.connection import Connection
from nefsim.ensemble import Ensemble
from nefsim.exceptions import NetworkContextError, ValidationError
from nefsim.learning_rules import PES
from nefsim.network import Network
from nefsim.node import Node
from nefsim.probe import Probe


def build_nested(mod):
    """The same nested model with nefsim or nengo classes; returns the top network."""
    with mod.Network(label="top") as top:
        a = mod.Ensemble(10, 2, label="a")
        with mod.Network(label="sub1") as sub1:
            b = mod.Ensemble(5, 1, label="b")
            with mod.Network(label="subsub"):
                mod.Node(1, label="deep_node")
                mod.Ensemble(3, 1, label="deep_ens")
            mod.Probe(b, label="pb")
        n = mod.Node([0.5, 0.2], label="n")
        with mod.Network(label="sub2"):
            mod.Ensemble(7, 1, label="c")
        mod.Connection(n, a, label="n->a")
        mod.Connection(a[0], b, label="a->b")
        mod.Probe(a, label="pa")
    return top


class _Mod:
    """nefsim's classes under the names build_nested uses."""

    Network, Ensemble, Node, Connection, Probe = Network, Ensemble, Node, Connection, Probe


def labels(objs):
    return [obj.label for obj in objs]


def test_all_accessors_match_nengo_order():
    nengo = pytest.importorskip("nengo")
    ours, theirs = build_nested(_Mod), build_nested(nengo)
    for name in ("all_ensembles", "all_nodes", "all_connections", "all_networks",
                 "all_probes", "all_objects", "ensembles", "nodes", "connections",
                 "networks", "probes"):
        assert labels(getattr(ours, name)) == labels(getattr(theirs, name)), name
    assert ours.n_neurons == theirs.n_neurons == 10 + 5 + 3 + 7


def test_lists_and_objects_dict():
    top = build_nested(_Mod)
    assert labels(top.ensembles) == ["a"]
    assert labels(top.networks) == ["sub1", "sub2"]
    assert top.objects[Ensemble] is top.ensembles
    assert labels(top.all_ensembles) == ["a", "b", "deep_ens", "c"]
    assert labels(top.networks[0].all_objects) == ["b", "deep_ens", "deep_node", "subsub", "pb"]


def test_objects_go_to_innermost_network_and_context_unwinds():
    with Network() as outer:
        assert Network.context[-1] is outer
        with Network() as inner:
            ens = Ensemble(5, 1)
        node = Node(0)
    assert inner.ensembles == [ens] and outer.ensembles == []
    assert outer.nodes == [node] and outer.networks == [inner]
    assert len(Network.context) == 0


def test_context_unwinds_after_exception():
    with pytest.raises(RuntimeError):
        with Network():
            raise RuntimeError("boom")
    assert len(Network.context) == 0


def test_creation_outside_network_raises_with_advice():
    with pytest.raises(NetworkContextError) as info:
        Ensemble(5, 1, label="lonely")
    msg = str(info.value)
    assert "lonely" in msg and "with" in msg and "add_to_container=False" in msg


def test_add_to_container_false_and_manual_add():
    ens = Ensemble(5, 1, add_to_container=False)
    net = Network()
    net.add(ens)
    assert net.ensembles == [ens]
    with pytest.raises(ValidationError, match="already"):
        net.add(ens)
    with pytest.raises(ValidationError, match="int"):
        net.add(3)
    with net:
        detached = Network(add_to_container=False)
        attached = Network()
    assert net.networks == [attached] and detached not in net.networks


def test_network_exit_bad_state():
    net = Network()
    with pytest.raises(NetworkContextError, match="bad state"):
        net.__exit__(None, None, None)


def test_network_label_and_seed_validation():
    with pytest.raises(ValidationError, match="label"):
        Network(label=3)
    with pytest.raises(ValidationError, match="seed"):
        Network(seed=1.5)
    assert Network(seed=np.int64(3)).seed == 3


class TwoStage(Network):
    """A library-style network: inputs and outputs exposed as attributes."""

    def __init__(self, n_neurons, label=None, seed=None, add_to_container=None):
        super().__init__(label, seed, add_to_container)
        with self:
            self.input = Node(size_in=1)
            self.ens = Ensemble(n_neurons, 1)
            self.output = Node(size_in=1)
            Connection(self.input, self.ens, synapse=None)
            Connection(self.ens, self.output, synapse=None)


def test_network_subclass_is_added_and_usable():
    with Network() as net:
        stage = TwoStage(20, label="stage")
        Connection(Node(1), stage.input)
        probe = Probe(stage.output)
    assert net.networks == [stage]
    assert net.n_neurons == 20
    assert probe.obj is stage.output
    assert str(stage) == '<TwoStage "stage">'
    stage.output.output = lambda t, x: x  # seed 001: make the passthrough non-passthrough
    with net:
        Connection(stage.output, Ensemble(5, 1), function=lambda x: x ** 2)


def test_copy_and_pickle_keep_references_consistent():
    with Network(label="net") as net:
        a = Ensemble(10, 1, label="a")
        b = Ensemble(10, 1, label="b")
        conn = Connection(a, b, learning_rule_type=PES())
        Connection(b, conn.learning_rule)
        Probe(conn.learning_rule, "delta")
        ens_copy = a.copy()
        conn_copy = conn.copy()
    assert net.ensembles == [a, b, ens_copy]
    assert ens_copy.neurons.ensemble is ens_copy and ens_copy.neurons is not a.neurons
    assert conn_copy.pre is a and conn_copy.learning_rule.connection is conn_copy

    for clone in (net.copy(), pickle.loads(pickle.dumps(net))):
        c0, c1 = clone.connections[:2]
        assert c0.pre is clone.ensembles[0] and c0.post is clone.ensembles[1]
        assert c1.post is c0.learning_rule
        assert clone.probes[0].target is c0.learning_rule
        assert clone.ensembles[0].neurons.ensemble is clone.ensembles[0]
        assert clone.ensembles[0] is not a
        with clone:  # still a working container
            Ensemble(2, 1)
        assert len(clone.ensembles) == 4


def test_objects_hash_by_identity():
    with Network():
        a = Ensemble(5, 1)
        b = Ensemble(5, 1)
    assert a != b and a == a
    assert len({a, b, a}) == 2
    assert {a: 1}[a] == 1


def test_setting_unknown_attribute_warns():
    with Network():
        ens = Ensemble(5, 1)
    with pytest.warns(SyntaxWarning, match="neuron_typ"):
        ens.neuron_typ = None
