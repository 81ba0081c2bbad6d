"""Config and default resolution through the network context stack (nefsim/config.py)."""

import threading

import pytest

from nefsim._validation import Default
from nefsim.config import Config, ConfigParamError, Parameter
from nefsim.connection import Connection
from nefsim.ensemble import Ensemble
from nefsim.exceptions import ConfigError, ValidationError
from nefsim.learning_rules import BCM, PES, LearningRuleType
from nefsim.network import Network
from nefsim.neurons import LIF, Direct, LIFRate, RectifiedLinear
from nefsim.node import Node
from nefsim.probe import Probe
from nefsim.solvers import LstsqL2
from nefsim.synapses import Lowpass


class MyEnsemble(Ensemble):
    pass


def test_network_config_sets_defaults_inside_with_block():
    with Network() as net:
        net.config[Ensemble].neuron_type = LIFRate()
        net.config[Ensemble].radius = 2.5
        net.config[Connection].synapse = 0.02
        a = Ensemble(10, 1)
        b = Ensemble(10, 1, radius=1.0)  # explicit arguments win
        conn = Connection(a, b)
    assert a.neuron_type == LIFRate() and a.radius == 2.5
    assert b.radius == 1.0
    assert conn.synapse == Lowpass(0.02)
    with Network():
        c = Ensemble(10, 1)  # another network's config does not leak
    assert c.neuron_type == LIF() and c.radius == 1.0


def test_nested_networks_innermost_config_wins_outer_applies_to_inner():
    with Network() as outer:
        outer.config[Ensemble].neuron_type = LIFRate()
        outer.config[Ensemble].radius = 3.0
        with Network() as inner:
            inner.config[Ensemble].neuron_type = RectifiedLinear()
            e_inner = Ensemble(5, 1)
        e_outer = Ensemble(5, 1)
    assert e_inner.neuron_type == RectifiedLinear()
    assert e_inner.radius == 3.0  # not set in inner: taken from outer
    assert e_outer.neuron_type == LIFRate()


def test_config_on_base_class_applies_to_subclass_and_subclass_overrides():
    with Network() as net:
        net.config[Ensemble].radius = 2.0
        sub = MyEnsemble(5, 1)
        assert sub.radius == 2.0
        net.config[MyEnsemble].radius = 4.0
        sub2 = MyEnsemble(5, 1)
        plain = Ensemble(5, 1)
        # reading the subclass's params falls back to the base class's value
        assert net.config[MyEnsemble].radius == 4.0
    assert sub2.radius == 4.0
    assert plain.radius == 2.0


def test_config_default_and_class_defaults_match_nengo():
    nengo = pytest.importorskip("nengo")
    for name in ("radius", "n_eval_points", "normalize_encoders", "gain", "bias", "noise"):
        assert Config.default(Ensemble, name) == nengo.Config.default(nengo.Ensemble, name)
    assert repr(Config.default(Ensemble, "encoders")) == "ScatteredHypersphere(surface=True)"
    assert repr(Config.default(Ensemble, "eval_points")) == "ScatteredHypersphere()"
    assert Config.default(Ensemble, "intercepts").low == -1.0
    assert Config.default(Ensemble, "intercepts").high == 0.9
    assert Config.default(Ensemble, "max_rates").low == 200
    assert Config.default(Connection, "synapse").tau == nengo.Config.default(
        nengo.Connection, "synapse").tau
    assert Config.default(Connection, "scale_eval_points") is True
    assert Config.default(Connection, "solver") == LstsqL2()
    assert Config.default(Node, "output") is None
    assert Config.default(Probe, "synapse") is None


def test_config_default_unknown_name_raises():
    with pytest.raises(ConfigError, match="foo"):
        Config.default(Ensemble, "foo")
    with pytest.raises(ConfigError, match="n_neurons"):
        Config.default(Ensemble, "n_neurons")  # built-in but has no default


def test_unknown_param_is_config_and_attribute_error():
    net = Network()
    with pytest.raises(ConfigParamError, match="foo") as info:
        net.config[Ensemble].foo = 1
    assert isinstance(info.value, AttributeError) and isinstance(info.value, ConfigError)
    assert not hasattr(net.config[Ensemble], "foo")
    with pytest.raises(ConfigError, match="not configurable"):
        net.config[Ensemble].n_neurons = 5
    with pytest.raises(ConfigError, match="not configurable"):
        net.config[Connection].pre = None


def test_unconfigured_type_raises():
    net = Network()
    with pytest.raises(ConfigError, match="int"):
        net.config[int]
    with pytest.raises(ConfigError, match="str"):
        net.config["a"]


def test_set_param_and_instance_params():
    with Network() as net:
        net.config[Ensemble].set_param("trainable", Parameter("trainable", default=True))
        net.config[Node].set_param("plain", 7)  # plain default values are accepted too
        a = Ensemble(5, 1)
        b = MyEnsemble(5, 1)
        node = Node(1)
    assert net.config[a].trainable is True
    assert net.config[b].trainable is True  # subclass instances see base extra params
    net.config[Ensemble].trainable = False
    assert net.config[a].trainable is False
    net.config[a].trainable = True
    assert net.config[a].trainable is True and net.config[b].trainable is False
    del net.config[a].trainable
    assert net.config[a].trainable is False
    del net.config[Ensemble].trainable
    assert net.config[a].trainable is True
    assert net.config[node].plain == 7
    assert "trainable" in net.config[Ensemble].extra_params
    with pytest.raises(ConfigError, match="built-in parameter 'radius'"):
        net.config[a].radius = 2
    with pytest.raises(ConfigError, match="built-in parameter 'radius'"):
        net.config[a].radius
    with pytest.raises(ConfigParamError, match="set_param"):
        net.config[a].other
    with pytest.raises(ConfigError, match="already a parameter"):
        net.config[Ensemble].set_param("radius", 1.0)


def test_contains_and_del_reset_to_class_default():
    with Network() as net:
        params = net.config[Ensemble]
        assert "radius" not in params
        params.radius = 2.0
        assert "radius" in params and params.radius == 2.0
        del params.radius
        assert "radius" not in params and params.radius == 1.0
        params.update({"radius": 3.0, "normalize_encoders": False})
        ens = Ensemble(5, 1)
    assert ens.radius == 3.0 and ens.normalize_encoders is False
    assert "radius: 3.0" in str(net.config[Ensemble])


def test_assigning_default_later_resolves_in_current_context():
    with Network() as net:
        ens = Ensemble(5, 1, radius=4.0)
    net.config[Ensemble].radius = 2.0
    ens.radius = Default  # outside the network: class default
    assert ens.radius == 1.0
    with net:
        ens.radius = Default
    assert ens.radius == 2.0


def test_bad_configured_value_is_reported_at_object_creation():
    with Network() as net:
        net.config[Ensemble].neuron_type = "LIF"
        with pytest.raises(ValidationError, match="neuron_type"):
            Ensemble(5, 1, label="x")
    assert net.ensembles == []


def test_standalone_config_context():
    with Network():
        with Config(Ensemble) as cfg:
            cfg[Ensemble].radius = 5.0
            inside = Ensemble(3, 1)
        outside = Ensemble(3, 1)
    assert inside.radius == 5.0 and outside.radius == 1.0
    with pytest.raises(ConfigError, match="classes"):
        Config(3)


def test_probe_config_and_connection_default_solver():
    with Network() as net:
        net.config[Probe].synapse = 0.01
        net.config[Connection].solver = LstsqL2(reg=0.5)
        ens = Ensemble(5, 1)
        probe = Probe(ens)
        probe_no_filter = Probe(ens, synapse=None)
    assert probe.synapse == Lowpass(0.01)
    assert probe_no_filter.synapse is None
    assert probe.solver == LstsqL2(reg=0.5)  # Probe.solver follows Connection.solver


def test_learning_rule_types_are_configurable_per_class():
    with Network() as net:
        net.config[PES].learning_rate = 1e-3
        pes, bcm = PES(), BCM()
        net.config[LearningRuleType].learning_rate = 5e-7
        bcm2 = BCM()
    assert pes.learning_rate == 1e-3
    assert bcm.learning_rate == 1e-9  # PES config does not touch BCM
    assert bcm2.learning_rate == 5e-7  # base-class config applies to every rule
    assert PES().learning_rate == 1e-4


def test_neuron_types_can_carry_extra_params():
    net = Network()
    net.config[LIF].set_param("on_chip", False)
    assert net.config[LIF].on_chip is False
    with pytest.raises(ConfigError):
        net.config[Direct].on_chip  # set on LIF only


def test_context_is_thread_local():
    seen = []
    with Network() as net:
        thread = threading.Thread(target=lambda: seen.append(
            (len(Network.context), len(Config.context))))
        thread.start()
        thread.join()
        assert Network.context[-1] is net
    assert seen == [(0, 0)]
    assert len(Network.context) == 0 and len(Config.context) == 0


def test_config_exit_bad_state():
    cfg = Config(Ensemble)
    with pytest.raises(ConfigError, match="empty"):
        cfg.__exit__(None, None, None)
