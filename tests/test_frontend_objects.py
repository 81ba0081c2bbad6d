"""Views (slicing), Ensemble, Neurons and Node descriptions.

Covers nefsim/base.py (ObjView), nefsim/ensemble.py and nefsim/node.py.
"""

import numpy as np
import pytest

from nefsim.dists import Uniform
from nefsim.ensemble import Ensemble, Neurons
from nefsim.exceptions import ReadonlyError, ValidationError
from nefsim.network import Network
from nefsim.neurons import LIF, Direct
from nefsim.node import Node
from nefsim.processes import PresentInput, WhiteNoise

KEYS = [0, 3, -1, -2, -4, slice(1, 3), slice(None, None, -1), slice(-2, None),
        slice(0, 100), slice(None, None, 2), [0, 2], [-1, 0], [3, 3, 1],
        np.array([True, False, True, False]), [True, True, False, True], np.int64(1),
        np.array([2, 0])]


def selected(n, key):
    return np.arange(n)[key]


@pytest.mark.parametrize("key", KEYS, ids=repr)
def test_view_selection_matches_nengo(key):
    nengo = pytest.importorskip("nengo")
    with nengo.Network():
        theirs = nengo.Ensemble(5, 4)[key]
    with Network():
        ens = Ensemble(5, 4)
    ours = ens[key]
    assert ours.obj is ens
    assert ours.size_in == ours.size_out == theirs.size_out
    assert np.array_equal(selected(4, ours.slice), selected(4, theirs.slice))


def test_integer_keys_become_slices():
    with Network():
        ens = Ensemble(5, 3)
    assert ens[0].slice == slice(0, 1)
    assert ens[-1].slice == slice(-1, None)
    assert ens[-2].slice == slice(-2, -1)
    mask_view = ens[np.array([True, False, True])]
    assert list(mask_view.slice) == [0, 2] and mask_view.size_out == 2
    assert list(ens[[-1, 0]].slice) == [2, 0]  # negative indices normalised


@pytest.mark.parametrize("key, why", [
    (3, "out of range"), (-4, "out of range"), ([0, 3], "out of range"),
    (np.array([True, False]), "length 3"), ("a", "integer"), (1.5, "integer"),
    ((0, 1), "tuples"), (slice(2, 2), "no elements"), (slice(None, None, 0), "zero"),
    ([], "no elements"), (slice(0.5, 2), "integers"), ([[0, 1]], "1-D"),
    ([0.5], "integers"), (None, "integer"),
])
def test_bad_slices_raise_validation_and_index_error(key, why):
    with Network():
        ens = Ensemble(5, 3, label="e")
    with pytest.raises(ValidationError, match=why) as info:
        ens[key]
    assert isinstance(info.value, IndexError)
    assert "'e'" in str(info.value) and "slice" in str(info.value)


def test_views_of_neurons_nodes_and_views():
    with Network():
        ens = Ensemble(10, 3)
        passthrough = Node(size_in=4)
        out_only = Node([1, 2, 3])
    view = ens.neurons[:4]
    assert view.obj is ens.neurons and view.size_in == view.size_out == 4
    assert passthrough[1:].size_in == 3 and passthrough[1:].size_out == 3
    assert out_only[0].size_in == 0 and out_only[0].size_out == 1
    nested = ens.neurons[2:8][[0, -1]]
    assert nested.obj is ens.neurons and list(nested.slice) == [2, 7]
    assert len(ens[1:]) == 2
    assert repr(ens[1:]).endswith("[1:]") and str(ens[[0, 2]]).endswith("[[0, 2]]")


def test_ensemble_defaults_and_sizes():
    nengo = pytest.importorskip("nengo")
    with Network():
        ens = Ensemble(7, 3)
    with nengo.Network():
        ref = nengo.Ensemble(7, 3)
    for name in ("radius", "n_eval_points", "normalize_encoders", "gain", "bias", "noise",
                 "label", "seed", "probeable", "size_in", "size_out"):
        assert getattr(ens, name) == getattr(ref, name), name
    for name in ("encoders", "eval_points", "intercepts", "max_rates", "neuron_type"):
        assert repr(getattr(ens, name)).replace(".0", "") == repr(
            getattr(ref, name)).replace(".0", ""), name
    assert len(ens) == 3


def test_ensemble_arrays_are_validated_and_stored_read_only():
    with Network():
        ens = Ensemble(4, 2, encoders=[[1, 0]] * 4, intercepts=[-1, 0, 0.5, 1],
                       max_rates=Uniform(100, 200), gain=np.ones(4), bias=np.zeros(4))
    assert ens.encoders.shape == (4, 2) and not ens.encoders.flags.writeable
    assert ens.intercepts.tolist() == [-1, 0, 0.5, 1]
    ens.intercepts = Uniform(-0.5, 0.5)  # reassignment is validated too
    with pytest.raises(ValidationError, match="intercepts"):
        ens.intercepts = [0, 0, 0, 2]
    assert ens.intercepts == Uniform(-0.5, 0.5)  # a failed assignment changes nothing
    with pytest.raises(ReadonlyError, match="n_neurons"):
        ens.n_neurons = 5


def test_neurons_is_one_object_with_sizes_and_probeables():
    with Network():
        ens = Ensemble(6, 2)
        direct = Ensemble(6, 2, neuron_type=Direct())
    assert ens.neurons is ens.neurons and isinstance(ens.neurons, Neurons)
    assert ens.neurons.ensemble is ens
    assert ens.neurons.size_in == ens.neurons.size_out == 6 == len(ens.neurons)
    assert direct.neurons.size_in == direct.neurons.size_out == 0
    probeable = ens.neurons.probeable
    assert probeable[0] == "output"
    assert set(probeable) >= {"output", "input", "voltage", "refractory_time"}
    ens.neuron_type = Direct()
    assert ens.neurons.size_out == 0


class _nefsim:  # noqa: N801 - stands in for the module in node_sizes
    Network, Node = Network, Node


def node_sizes(mod, *args, **kwargs):
    with mod.Network():
        node = mod.Node(*args, **kwargs)
    return node.size_in, node.size_out


NODE_CASES = [
    ((lambda t: [t, 1, 2],), {}),
    ((lambda t, x: 2 * x,), {"size_in": 3}),
    ((lambda t, x: x[:1],), {"size_in": 3}),
    ((lambda t: None,), {}),
    ((0.5,), {}),
    (([1, 2, 3],), {}),
    ((np.array(3.0),), {}),
    ((None,), {"size_in": 2}),
    ((WhiteNoise(),), {}),
    ((WhiteNoise(),), {"size_out": 3}),
    ((PresentInput([[1, 2], [3, 4]], 0.1),), {}),
    ((lambda t: np.array(3.0),), {}),
    ((lambda t, x=None: 1.0,), {}),
]


@pytest.mark.parametrize("args, kwargs", NODE_CASES)
def test_node_size_inference_matches_nengo(args, kwargs):
    nengo = pytest.importorskip("nengo")
    nengo_args = [nengo.processes.WhiteNoise() if isinstance(a, WhiteNoise) else
                  nengo.processes.PresentInput([[1, 2], [3, 4]], 0.1)
                  if isinstance(a, PresentInput) else a for a in args]
    assert node_sizes(_nefsim, *args, **kwargs) == node_sizes(nengo, *nengo_args, **kwargs)


def test_node_calls_function_once_with_t0_and_zeros():
    calls = []
    with Network():
        Node(lambda t, x: calls.append((t, x.copy())) or x, size_in=2)
    assert len(calls) == 1
    assert calls[0][0] == 0.0 and np.array_equal(calls[0][1], np.zeros(2))


def test_node_constant_output_is_a_read_only_vector():
    with Network():
        node = Node(0.5)
    assert node.output.shape == (1,) and not node.output.flags.writeable
    assert node.probeable == ("output",)


def test_node_output_reassignment_is_revalidated():
    with Network():
        node = Node(size_in=2, label="relay")
    node.output = lambda t, x: x
    assert node.size_out == 2 and callable(node.output)
    with pytest.raises(ValidationError, match="'relay'.output"):
        node.output = lambda t, x: [1, 2, 3]
    assert node.size_out == 2
    with pytest.raises(ValidationError, match="'relay'.output"):
        node.output = lambda t: 1.0  # size_in is 2: needs (t, x)


def test_node_given_size_out_tolerates_functions_failing_at_t0():
    with Network():
        node = Node(lambda t: [1.0 / t], size_out=1)
    assert node.size_out == 1


def test_passthrough_with_other_size_out_warns_and_uses_size_in():
    with Network():
        with pytest.warns(UserWarning, match="passthrough"):
            node = Node(None, size_in=2, size_out=3)
    assert node.size_out == 2


def test_neuron_type_default_is_lif():
    with Network():
        assert Ensemble(3, 1).neuron_type == LIF()
