"""Bad-input tests across the user-facing stack: construction, build, run and config.

Every case checks three things:

1. the exception belongs to nefsim's hierarchy (``NefsimError``) *and* to the matching
   builtin (``ValidationError`` is a ``ValueError``, ``SimulationError`` a
   ``RuntimeError``, ...), so both nefsim-aware and Nengo-era ``except`` clauses work;
2. the message names the object (by its label: every object here is labelled), the
   parameter, and what was expected;
3. nothing changed: a failed construction adds nothing to the network, a failed
   assignment keeps the old value, and a Simulator whose run failed still reports a
   consistent state (steps run, recorded samples, times).

The helper :func:`raises` wraps ``pytest.raises(..., match=...)`` and checks further
patterns, so a failure shows the full message that was produced.
"""

import contextlib
import re

import numpy as np
import pytest

from nefsim.config import Config
from nefsim.connection import Connection
from nefsim.dists import Uniform
from nefsim.ensemble import Ensemble
from nefsim.exceptions import (
    BuildError,
    ConfigError,
    NefsimError,
    NetworkContextError,
    ReadonlyError,
    SimulationError,
    SimulatorClosed,
    ValidationError,
)
from nefsim.network import Network
from nefsim.neurons import LIF, LIFRate
from nefsim.node import Node
from nefsim.probe import Probe
from nefsim.processes import Piecewise, WhiteNoise
from nefsim.simulator import Simulator
from nefsim.solvers import LstsqL2
from nefsim.synapses import Lowpass
from nefsim.transforms import Dense

# --------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def raises(exc, builtin, first, *more):
    """``pytest.raises(exc, match=first)``, then check ``builtin`` and the other patterns.

    Patterns are regular expressions searched case-insensitively in ``str(error)``.
    """
    with pytest.raises(exc, match=re.compile(first, re.I | re.S)) as info:
        yield info
    err = info.value
    assert isinstance(err, NefsimError), f"{type(err).__name__} is not a NefsimError"
    assert isinstance(err, builtin), f"{type(err).__name__} is not a {builtin.__name__}"
    msg = str(err)
    for pattern in more:
        assert re.search(pattern, msg, re.I | re.S), (
            f"pattern {pattern!r} not found in the message:\n{msg}")


def contents(net):
    """The network's five lists, copied (objects compare by identity)."""
    return (list(net.ensembles), list(net.nodes), list(net.connections),
            list(net.probes), list(net.networks))


def sim_of(net, **kwargs):
    return Simulator(net, progress_bar=False, decoder_cache=False, **kwargs)


def assert_consistent_after_failure(sim, probe, completed):
    """A Simulator whose run failed reports the steps that completed, and matching data."""
    assert sim.n_steps == completed, (
        f"after a failure in step {completed + 1}, n_steps is {sim.n_steps} "
        f"(expected the {completed} completed steps)")
    assert np.isclose(sim.time, completed * sim.dt)
    data = sim.data[probe]
    assert data.shape[0] == completed
    assert len(sim.trange()) == data.shape[0]


# --------------------------------------------------------------------------- Ensemble


@pytest.mark.parametrize("n_neurons", [0, -5])
def test_ensemble_nonpositive_n_neurons(n_neurons):
    with Network(label="net") as net:
        Ensemble(10, 1, label="ok")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Ensemble 'bad'", r"n_neurons",
                    r">= ?1|at least 1|positive", rf"got {n_neurons}"):
            Ensemble(n_neurons, 1, label="bad")
    assert contents(net) == before


def test_ensemble_n_neurons_not_integer():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Ensemble 'bad'", r"n_neurons",
                    r"integer", r"2\.5"):
            Ensemble(2.5, 1, label="bad")
    assert net.ensembles == []


def test_ensemble_zero_dimensions():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Ensemble 'bad'", r"dimensions",
                    r">= ?1|at least 1|positive", r"got 0"):
            Ensemble(10, 0, label="bad")
    assert net.ensembles == []


@pytest.mark.parametrize("radius", [0, -1.0])
def test_ensemble_nonpositive_radius(radius):
    with Network() as net:
        with raises(ValidationError, ValueError, r"Ensemble 'bad'", r"radius",
                    r">|positive"):
            Ensemble(10, 1, radius=radius, label="bad")
    assert net.ensembles == []


def test_intercepts_outside_unit_interval():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Ensemble 'bad'", r"intercepts",
                    r"\[-1, 1\]", r"1\.5"):
            Ensemble(3, 1, intercepts=[0.0, 0.5, 1.5], label="bad")
    assert net.ensembles == []


def test_intercepts_wrong_length():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Ensemble 'bad'", r"intercepts",
                    r"n_neurons|\(3,\)", r"\(2,\)"):
            Ensemble(3, 1, intercepts=[0.0, 0.5], label="bad")
    assert net.ensembles == []


def test_max_rates_above_inverse_tau_ref_distribution():
    """A distribution cannot be checked up front: the build must name the ensemble."""
    with Network() as net:
        Ensemble(5, 1, max_rates=Uniform(600, 700), neuron_type=LIF(tau_ref=0.002),
                 label="fast")
    with raises((ValidationError, BuildError), ValueError, r"'fast'", r"max_rates",
                r"500"):
        sim_of(net)


def test_max_rates_above_inverse_tau_ref_array():
    """Given as an array, it may be caught at construction or build; it must name both."""
    with raises((ValidationError, BuildError), ValueError, r"'fast'", r"max_rates",
                r"500"):
        with Network() as net:
            Ensemble(5, 1, max_rates=np.full(5, 600.0), neuron_type=LIF(tau_ref=0.002),
                     label="fast")
        sim_of(net)


def test_encoders_wrong_shape():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Ensemble 'bad'", r"encoders",
                    r"\(4, 2\)", r"\(5, 2\)"):
            Ensemble(4, 2, encoders=np.ones((5, 2)), label="bad")
    assert net.ensembles == []


def test_eval_points_wrong_dimensions():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Ensemble 'bad'", r"eval_points",
                    r"2\)", r"\(10, 3\)"):
            Ensemble(4, 2, eval_points=np.ones((10, 3)), label="bad")
    assert net.ensembles == []


def test_connection_eval_points_wrong_dimensions():
    with Network() as net:
        a = Ensemble(10, 2, label="a")
        b = Ensemble(10, 2, label="b")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Connection 'c'", r"eval_points",
                    r"2\)", r"\(10, 3\)"):
            Connection(a, b, eval_points=np.ones((10, 3)), label="c")
    assert contents(net) == before


def test_bad_neuron_type_string():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Ensemble 'bad'", r"neuron_type",
                    r"NeuronType", r"LIF"):
            Ensemble(10, 1, neuron_type="LIF", label="bad")
    assert net.ensembles == []


def test_bad_neuron_type_class_instead_of_instance():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Ensemble 'bad'", r"neuron_type",
                    r"LIF\(\)"):
            Ensemble(10, 1, neuron_type=LIF, label="bad")
    assert net.ensembles == []


def test_gain_without_bias():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Ensemble 'bad'", r"bias", r"gain"):
            Ensemble(5, 1, gain=np.ones(5), label="bad")
    assert net.ensembles == []


def test_n_eval_points_zero():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Ensemble 'bad'", r"n_eval_points",
                    r">= ?1|at least 1|positive"):
            Ensemble(5, 1, n_eval_points=0, label="bad")
    assert net.ensembles == []


def test_ensemble_outside_network():
    with raises(NetworkContextError, RuntimeError, r"Ensemble 'lonely'",
                r"with .*network|add_to_container"):
        Ensemble(10, 1, label="lonely")


def test_node_outside_network():
    with raises(NetworkContextError, RuntimeError, r"Node 'lonely'",
                r"with .*network|add_to_container"):
        Node([0.0], label="lonely")


# --------------------------------------------------------------------------- Node


def test_node_constant_nan():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Node 'const'", r"output",
                    r"finite|nan"):
            Node([0.0, np.nan], label="const")
    assert net.nodes == []


def test_node_callable_nan_at_construction():
    """The size is inferred by calling the function at t=0; a NaN there is reported."""
    with Network() as net:
        with raises(ValidationError, ValueError, r"Node 'f'", r"output", r"finite|nan"):
            Node(lambda t: np.nan, label="f")
    assert net.nodes == []


def test_node_callable_wrong_size_at_construction():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Node 'f'", r"output|size_out",
                    r"\b3\b", r"\b2\b"):
            Node(lambda t: [1.0, 2.0, 3.0], size_out=2, label="f")
    assert net.nodes == []


def test_node_callable_wrong_arity():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Node 'f'", r"output", r"argument"):
            Node(lambda t: t, size_in=2, label="f")
    assert net.nodes == []


def test_node_output_of_wrong_type():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Node 'bad'", r"output",
                    r"callable.*Process|Process.*callable"):
            Node("sin", label="bad")
    assert net.nodes == []


def test_passthrough_node_without_size_in():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Node 'relay'", r"size_in",
                    r"passthrough"):
            Node(None, label="relay")
    assert net.nodes == []


def test_node_callable_wrong_size_during_run():
    with Network() as net:
        node = Node(lambda t: [1.0, 2.0] if t > 0.0025 else [1.0], label="grows")
        probe = Probe(node, label="p")
    with sim_of(net) as sim:
        sim.run_steps(1)
        with raises(SimulationError, RuntimeError, r"Node 'grows'", r"\b2\b",
                    r"\b1\b.*expected|expected.*\b1\b"):
            sim.run_steps(5)
        assert_consistent_after_failure(sim, probe, completed=2)


def test_node_callable_nan_during_run():
    with Network() as net:
        node = Node(lambda t: np.nan if t > 0.0025 else 1.0, label="unstable")
        probe = Probe(node, label="p")
    with sim_of(net) as sim:
        with raises(SimulationError, RuntimeError, r"Node 'unstable'", r"nan"):
            sim.run(0.01)
        assert_consistent_after_failure(sim, probe, completed=2)
        sim.reset()  # a failed run leaves a simulator that can start over
        assert sim.n_steps == 0
        assert sim.data[probe].shape[0] == 0
        sim.run_steps(2)
        np.testing.assert_array_equal(sim.data[probe], [[1.0], [1.0]])


def test_node_callable_returns_non_numeric_during_run():
    with Network() as net:
        node = Node(lambda t: "x" if t > 0.0015 else 0.0, label="texty")
        probe = Probe(node, label="p")
    with sim_of(net) as sim:
        with raises(SimulationError, RuntimeError, r"Node 'texty'", r"numer|number"):
            sim.run(0.01)
        assert_consistent_after_failure(sim, probe, completed=1)


class UserError(Exception):
    pass


def test_node_function_exception_propagates_during_run():
    """The user's own exception must reach the user unchanged, not be swallowed."""
    raised = UserError("boom")

    def f(t):
        if t > 0.0025:
            raise raised
        return 0.0

    with Network() as net:
        Node(f, label="boom")
    with sim_of(net) as sim:
        with pytest.raises(UserError) as info:
            sim.run(0.01)
        assert info.value is raised


def test_node_function_exception_propagates_at_construction():
    with Network() as net:
        with pytest.raises(ZeroDivisionError):
            Node(lambda t: 1 / 0, label="div")
    assert net.nodes == []


def test_process_node_with_input_it_cannot_take():
    """WhiteNoise takes no input; size_in=2 must be refused, naming the node."""
    with raises(ValidationError, ValueError, r"Node 'noise'", r"size_in", r"\b0\b"):
        with Network() as net:
            Node(WhiteNoise(), size_in=2, label="noise")
        sim_of(net)


def test_process_node_with_wrong_size_out():
    with raises(ValidationError, ValueError, r"Node 'steps'", r"size_out", r"\b2\b",
                r"\b3\b"):
        with Network() as net:
            Node(Piecewise({0: [1.0, 2.0]}), size_out=3, label="steps")
        sim_of(net)


def test_failed_node_output_assignment_keeps_old_value():
    with Network():
        node = Node([1.0, 2.0], label="const")
    with raises(ValidationError, ValueError, r"Node 'const'", r"output", r"finite|nan"):
        node.output = [np.nan, 0.0]
    np.testing.assert_array_equal(node.output, [1.0, 2.0])
    assert node.size_out == 2


# --------------------------------------------------------------------------- Connection


def test_connection_dimension_mismatch():
    with Network() as net:
        a = Ensemble(10, 1, label="a")
        b = Ensemble(10, 2, label="b")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Connection 'c'", r"transform|size",
                    r"\b1\b", r"\b2\b"):
            Connection(a, b, label="c")
    assert contents(net) == before


def test_connection_function_output_size_mismatch():
    with Network() as net:
        a = Ensemble(10, 1, label="a")
        b = Ensemble(10, 2, label="b")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Connection 'c'", r"function|transform",
                    r"\b1\b", r"\b2\b"):
            Connection(a, b, function=lambda x: x ** 2, label="c")
    assert contents(net) == before


def test_connection_transform_wrong_shape():
    with Network() as net:
        a = Ensemble(10, 2, label="a")
        b = Ensemble(10, 3, label="b")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Connection 'c'", r"transform",
                    r"\(3, 2\)", r"\(2, 2\)"):
            Connection(a, b, transform=np.ones((2, 2)), label="c")
    assert contents(net) == before


def test_connection_dense_transform_wrong_size():
    with Network() as net:
        a = Node([0.0, 0.0], label="a")
        b = Node(size_in=3, label="b")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Connection 'c'", r"transform",
                    r"\b2\b", r"\b3\b"):
            Connection(a, b, transform=Dense((2, 2)), label="c")
    assert contents(net) == before


def test_dense_init_shape_mismatch():
    with raises(ValidationError, ValueError, r"Dense", r"init", r"\(2, 3\)", r"\(3, 2\)"):
        Dense((2, 3), init=np.ones((3, 2)))


def test_dense_bad_shape():
    with raises(ValidationError, ValueError, r"Dense", r"shape", r"-1"):
        Dense((2, -1))


def test_connection_transform_not_finite():
    with Network() as net:
        a = Node([0.0], label="a")
        b = Node(size_in=1, label="b")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Connection 'c'", r"transform",
                    r"finite"):
            Connection(a, b, transform=np.nan, label="c")
    assert contents(net) == before


def test_function_on_passthrough_node():
    """Seed 001: functions are refused on connections from passthrough nodes."""
    with Network() as net:
        relay = Node(size_in=2, label="relay")
        ens = Ensemble(30, 1, label="product")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Connection 'c'", r"function",
                    r"passthrough", r"relay"):
            Connection(relay, ens, function=lambda x: x[0] * x[1], label="c")
    assert contents(net) == before


def test_function_on_connection_from_neurons():
    with Network() as net:
        a = Ensemble(10, 1, label="a")
        out = Node(size_in=1, label="out")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Connection 'c'", r"function",
                    r"Neurons"):
            Connection(a.neurons, out, function=lambda x: x[:1],
                       transform=np.ones((1, 1)), label="c")
    assert contents(net) == before


@pytest.mark.parametrize("synapse", [-0.1, Lowpass])
def test_connection_bad_synapse_number_or_class(synapse):
    with Network() as net:
        a = Node([0.0], label="a")
        b = Node(size_in=1, label="b")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Connection 'c'", r"synapse",
                    r">= 0|Synapse"):
            Connection(a, b, synapse=synapse, label="c")
    assert contents(net) == before


def test_connection_synapse_string():
    with Network() as net:
        a = Node([0.0], label="a")
        b = Node(size_in=1, label="b")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Connection 'c'", r"synapse",
                    r"Synapse", r"fast"):
            Connection(a, b, synapse="fast", label="c")
    assert contents(net) == before


def test_lowpass_negative_tau():
    with raises(ValidationError, ValueError, r"Lowpass", r"tau", r">= ?0", r"-1"):
        Lowpass(-1)


@pytest.mark.parametrize("solver", ["lstsq", LstsqL2])
def test_connection_bad_solver_type(solver):
    with Network() as net:
        a = Ensemble(10, 1, label="a")
        b = Ensemble(10, 1, label="b")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Connection 'c'", r"solver",
                    r"Solver"):
            Connection(a, b, solver=solver, label="c")
    assert contents(net) == before


def test_solver_negative_regularization():
    with raises(ValidationError, ValueError, r"LstsqL2", r"reg", r">= ?0"):
        LstsqL2(reg=-0.1)


def test_connection_pre_not_connectable():
    with Network() as net:
        b = Ensemble(10, 1, label="b")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Connection 'c'", r"pre",
                    r"Ensemble.*Node"):
            Connection("a", b, label="c")
    assert contents(net) == before


def test_slice_out_of_range():
    with Network() as net:
        a = Ensemble(10, 2, label="a")
        b = Ensemble(10, 1, label="b")
        before = contents(net)
        with pytest.raises(IndexError) as info:
            Connection(a[5], b, label="c")
    assert isinstance(info.value, ValidationError)
    assert re.search(r"'a'", str(info.value)) and re.search(r"range", str(info.value))
    assert contents(net) == before


def test_failed_connection_assignment_keeps_old_value():
    with Network():
        a = Node([0.0, 0.0], label="a")
        b = Node(size_in=2, label="b")
        conn = Connection(a, b, synapse=0.01, transform=2.0, label="c")
    old_synapse, old_transform = conn.synapse, conn.transform
    with raises(ValidationError, ValueError, r"Connection 'c'", r"synapse"):
        conn.synapse = "slow"
    with raises(ValidationError, ValueError, r"Connection 'c'", r"transform",
                r"\(2, 2\)"):
        conn.transform = np.ones((3, 3))
    assert conn.synapse == old_synapse
    assert conn.transform == old_transform


def test_connection_endpoint_is_readonly():
    with Network():
        a = Node([0.0], label="a")
        b = Node(size_in=1, label="b")
        other = Node(size_in=1, label="other")
        conn = Connection(a, b, label="c")
    with raises(ReadonlyError, ValueError, r"Connection 'c'", r"post"):
        conn.post = other
    assert conn.post is b


def test_ensemble_readonly_and_bad_assignment_keep_old_values():
    with Network():
        ens = Ensemble(10, 1, radius=2.0, label="e")
    with raises(ReadonlyError, ValueError, r"Ensemble 'e'", r"n_neurons"):
        ens.n_neurons = 20
    with raises(ValidationError, ValueError, r"Ensemble 'e'", r"radius"):
        ens.radius = -1.0
    assert ens.n_neurons == 10
    assert ens.radius == 2.0


# --------------------------------------------------------------------------- build


def test_connection_to_ensemble_of_another_network():
    """The post lives in a network that is not simulated: BuildError at build, naming it."""
    other = Network(label="other")
    with other:
        stranger = Ensemble(10, 1, label="stranger")
    with Network(label="main") as net:
        a = Ensemble(10, 1, label="a")
        Connection(a, stranger, label="c")  # legal to describe ...
    with raises(BuildError, ValueError, r"'stranger'", r"not (in|part of)|outside",
                r"'c'"):
        sim_of(net)  # ... but not to build


def test_connection_from_node_of_another_network():
    other = Network(label="other")
    with other:
        stranger = Node([1.0], label="stranger")
    with Network(label="main") as net:
        b = Ensemble(10, 1, label="b")
        Connection(stranger, b, label="c")
    with raises(BuildError, ValueError, r"'stranger'", r"not (in|part of)|outside"):
        sim_of(net)


def test_probe_of_object_in_another_network():
    other = Network(label="other")
    with other:
        stranger = Ensemble(10, 1, label="stranger")
    with Network(label="main") as net:
        Probe(stranger, label="p")
    with raises(BuildError, ValueError, r"'stranger'", r"not (in|part of)|outside"):
        sim_of(net)


def test_algebraic_loop_self_connection():
    with Network() as net:
        a = Ensemble(10, 1, label="A")
        recur = Connection(a, a, synapse=None, label="recur")
    with raises(BuildError, ValueError, r"loop|cycle", r"\bA\b", r"recur",
                r"synapse"):
        sim_of(net)
    # the failed build changed nothing: fixing the loop makes the same network build
    assert contents(net) == ([a], [], [recur], [], [])
    recur.synapse = 0.005
    with sim_of(net) as sim:
        sim.run_steps(2)
    assert sim.n_steps == 2


def test_algebraic_loop_through_passthrough_node():
    with Network() as net:
        a = Ensemble(10, 1, label="A")
        relay = Node(size_in=1, label="relay")
        Connection(a, relay, synapse=None, label="out")
        Connection(relay, a, synapse=None, label="back")
    with raises(BuildError, ValueError, r"loop|cycle", r"relay", r"synapse"):
        sim_of(net)


def test_algebraic_loop_passthrough_self_connection():
    with Network() as net:
        relay = Node(size_in=1, label="relay")
        Connection(relay, relay, synapse=None, label="echo")
    with raises(BuildError, ValueError, r"loop|cycle", r"relay|echo", r"synapse"):
        sim_of(net)


def test_loop_with_a_synapse_builds():
    """The counterpart of the loop tests: the same loop with a synapse is fine."""
    with Network() as net:
        a = Ensemble(10, 1, label="A")
        relay = Node(size_in=1, label="relay")
        Connection(a, relay, synapse=None)
        Connection(relay, a, synapse=0.0)
    with sim_of(net) as sim:
        sim.run_steps(2)
    assert sim.n_steps == 2


# --------------------------------------------------------------------------- Probe


def test_probe_unknown_attribute_lists_valid_ones():
    with Network() as net:
        ens = Ensemble(10, 1, label="e")
        before = contents(net)
        with raises(ValidationError, ValueError, r"spikes", r"attr",
                    r"Probe 'p'|Ensemble 'e'", r"decoded_output", r"input",
                    r"scaled_encoders"):
            Probe(ens, "spikes", label="p")
    assert contents(net) == before


def test_probe_unknown_neurons_attribute_lists_valid_ones():
    with Network() as net:
        ens = Ensemble(10, 1, label="e")
        before = contents(net)
        with raises(ValidationError, ValueError, r"voltge", r"attr", r"voltage",
                    r"output"):
            Probe(ens.neurons, "voltge", label="p")
    assert contents(net) == before


def test_probe_target_not_probeable():
    with Network() as net:
        with raises(ValidationError, ValueError, r"Probe 'p'", r"target",
                    r"Ensemble|Node|Connection"):
            Probe("e", label="p")
    assert net.probes == []


@pytest.mark.parametrize("sample_every", [0, -0.001])
def test_probe_nonpositive_sample_every(sample_every):
    with Network() as net:
        node = Node([0.0], label="n")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Probe 'p'", r"sample_every",
                    r">|positive"):
            Probe(node, sample_every=sample_every, label="p")
    assert contents(net) == before


@pytest.mark.parametrize("synapse", ["x", -1.0])
def test_probe_bad_synapse(synapse):
    with Network() as net:
        node = Node([0.0], label="n")
        before = contents(net)
        with raises(ValidationError, ValueError, r"Probe 'p'", r"synapse",
                    r"Synapse|>= ?0"):
            Probe(node, synapse=synapse, label="p")
    assert contents(net) == before


# --------------------------------------------------------------------------- Simulator


def _small_net():
    with Network(label="small", seed=1) as net:
        node = Node([0.5], label="in")
        probe = Probe(node, label="p")
    return net, probe


def test_simulator_run_negative_time():
    net, probe = _small_net()
    with sim_of(net) as sim:
        sim.run_steps(3)
        with raises(ValidationError, ValueError, r"time_in_seconds", r">= ?0|positive",
                    r"-1"):
            sim.run(-1)
        assert sim.n_steps == 3
        assert sim.data[probe].shape[0] == 3


def test_simulator_run_steps_negative():
    net, probe = _small_net()
    with sim_of(net) as sim:
        sim.run_steps(3)
        with raises(ValidationError, ValueError, r"steps", r">= ?0|positive", r"-3"):
            sim.run_steps(-3)
        assert sim.n_steps == 3
        assert sim.data[probe].shape[0] == 3


def test_simulator_run_steps_not_integer():
    net, _ = _small_net()
    with sim_of(net) as sim:
        with raises(ValidationError, ValueError, r"steps", r"integer", r"2\.5"):
            sim.run_steps(2.5)
        assert sim.n_steps == 0


def test_simulator_run_time_not_a_number():
    net, _ = _small_net()
    with sim_of(net) as sim:
        with raises(ValidationError, ValueError, r"time_in_seconds", r"number"):
            sim.run("1")
        assert sim.n_steps == 0


@pytest.mark.parametrize("dt", [0, -0.001])
def test_simulator_nonpositive_dt(dt):
    net, _ = _small_net()
    with raises(ValidationError, ValueError, r"Simulator", r"\bdt\b", r"> ?0|positive"):
        sim_of(net, dt=dt)


@pytest.mark.parametrize("thing", ["net", None])
def test_simulator_not_a_network(thing):
    with raises((ValidationError, BuildError), ValueError, r"network", r"Network",
                r"str|None"):
        sim_of(thing)


def test_simulator_of_an_ensemble():
    with Network():
        ens = Ensemble(10, 1, label="e")
    with raises((ValidationError, BuildError), ValueError, r"network", r"Network",
                r"Ensemble"):
        sim_of(ens)


@pytest.mark.parametrize("method", ["run", "run_steps", "step", "reset"])
def test_closed_simulator(method):
    net, probe = _small_net()
    sim = sim_of(net)
    sim.run_steps(4)
    sim.close()
    args = {"run": (0.01,), "run_steps": (3,), "step": (), "reset": ()}[method]
    with raises(SimulatorClosed, RuntimeError, r"closed", r"Simulator"):
        getattr(sim, method)(*args)
    assert isinstance(SimulatorClosed("x"), SimulationError)
    # the closed simulator still reports what it did
    assert sim.n_steps == 4
    assert sim.data[probe].shape[0] == 4
    assert len(sim.trange()) == 4


# --------------------------------------------------------------------------- seeds


def _make_with_seed(kind):
    with Network(label="net"):
        a = Node([0.0], label="a")
        b = Node(size_in=1, label="b")
        if kind == "Ensemble":
            return Ensemble(10, 1, seed=-1, label="x")
        if kind == "Node":
            return Node([0.0], seed=-1, label="x")
        if kind == "Connection":
            return Connection(a, b, seed=-1, label="x")
        if kind == "Probe":
            return Probe(a, seed=-1, label="x")
        if kind == "Network":
            return Network(seed=-1, label="x")
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["Ensemble", "Node", "Connection", "Probe", "Network"])
def test_negative_seed_on_model_objects(kind):
    with raises(ValidationError, ValueError, rf"{kind} .?x", r"seed", r">= ?0", r"-1"):
        _make_with_seed(kind)


def test_negative_seed_on_simulator():
    net, _ = _small_net()
    with raises(ValidationError, ValueError, r"Simulator", r"seed", r">= ?0", r"-1"):
        sim_of(net, seed=-1)


def test_negative_seed_on_reset():
    net, probe = _small_net()
    with sim_of(net) as sim:
        sim.run_steps(2)
        old_seed = sim.seed
        with raises(ValidationError, ValueError, r"Simulator", r"seed", r">= ?0"):
            sim.reset(seed=-5)
        assert sim.seed == old_seed
        assert sim.n_steps == 2


# --------------------------------------------------------------------------- processes etc.


def test_piecewise_inconsistent_sizes():
    with raises(ValidationError, ValueError, r"Piecewise", r"data", r"size", r"0\.5"):
        Piecewise({0: [1.0, 2.0], 0.5: [1.0]})


@pytest.mark.parametrize("data, why", [
    ("abc", r"dict"),
    ({}, r"at least one|empty"),
    ({"start": 1.0}, r"time|number"),
    ({0: [np.nan]}, r"finite|nan"),
    ({0: "high"}, r"number|callable"),
])
def test_piecewise_bad_data(data, why):
    with raises(ValidationError, ValueError, r"Piecewise", r"data", why):
        Piecewise(data)


def test_lif_zero_tau_rc():
    with raises(ValidationError, ValueError, r"LIF", r"tau_rc", r"> ?0|positive",
                r"got 0"):
        LIF(tau_rc=0)


def test_lifrate_negative_tau_ref():
    with raises(ValidationError, ValueError, r"LIFRate", r"tau_ref", r">= ?0"):
        LIFRate(tau_ref=-0.001)


# --------------------------------------------------------------------------- config


def test_config_assign_unknown_parameter():
    with Network() as net:
        with raises(ConfigError, ValueError, r"Ensemble", r"foo", r"radius"):
            net.config[Ensemble].foo = 1
        assert not hasattr(net.config[Ensemble], "foo")
        ens = Ensemble(10, 1, label="e")
    assert ens.radius == 1.0
    assert not hasattr(ens, "foo")


def test_config_read_unknown_parameter():
    with Network() as net:
        with raises(ConfigError, ValueError, r"Ensemble", r"radiu\b|'radiu'"):
            net.config[Ensemble].radiu  # noqa: B018 - the read is the test


def test_config_of_unconfigured_class():
    with Network() as net:
        with raises(ConfigError, ValueError, r"str|not set up|configur"):
            net.config[str]


def test_config_instance_builtin_parameter():
    with Network() as net:
        ens = Ensemble(10, 1, radius=1.5, label="e")
        with raises(ConfigError, ValueError, r"radius", r"directly|attribute"):
            net.config[ens].radius = 3.0
    assert ens.radius == 1.5


def test_config_must_configure_classes():
    with raises(ConfigError, ValueError, r"class", r"Ensemble 'e'|Ensemble"):
        with Network():
            Config(Ensemble(10, 1, label="e"))


# --------------------------------------------------------------------------- network


def test_network_add_wrong_type():
    net = Network(label="net")
    with raises(ValidationError, ValueError, r"Network", r"add",
                r"Ensemble.*Node.*Connection"):
        net.add("ens")
    assert contents(net) == ([], [], [], [], [])


def test_network_context_recovers_after_failure():
    """A failed construction inside `with` leaves no stale network context behind."""
    with pytest.raises(ValidationError):
        with Network():
            Ensemble(0, 1, label="bad")
    with raises(NetworkContextError, RuntimeError, r"Ensemble 'after'"):
        Ensemble(10, 1, label="after")
