"""nefsim.networks: bad arguments, structure against Nengo's, presets, and the layering
rule (no builder imports)."""

import ast
import pathlib

import numpy as np
import pytest

import nefsim
import nefsim.networks
from nefsim.dists import Choice, Exponential, Uniform
from nefsim.ensemble import Ensemble
from nefsim.exceptions import ValidationError
from nefsim.networks import (AssociativeMemory, BasalGanglia, CircularConvolution,
                             EnsembleArray, InputGatedMemory, Integrator, Oscillator, Product,
                             Thalamus, ThresholdingEnsembles, circconv)
from nefsim.networks.circularconvolution import remove_imag_rows, transform_in
from nefsim.neurons import Direct

BAD_CONSTRUCTORS = [
    (lambda: EnsembleArray(10, 0), "EnsembleArray.n_ensembles", ">= 1"),
    (lambda: EnsembleArray(0, 2, label="ea"), "EnsembleArray 'ea'.n_neurons", ">= 1"),
    (lambda: EnsembleArray(10, 2, ens_dimensions=0), "ens_dimensions", ">= 1"),
    (lambda: EnsembleArray(10, 2, dimensions=3), "EnsembleArray.dimensions", "ens_dimensions"),
    (lambda: EnsembleArray(10, 2, fooo=1), "EnsembleArray.fooo", "radius"),
    (lambda: Product(10, 0), "Product 'Product'.dimensions", ">= 1"),
    (lambda: Product(1, 2), "Product 'Product'.n_neurons", ">= 2"),
    (lambda: Product(10, 2, input_magnitude=0), "input_magnitude", "> 0"),
    (lambda: CircularConvolution(10, 0), "Circular convolution'.dimensions", ">= 1"),
    (lambda: CircularConvolution(10, 4, invert_a="yes"), "invert_a", "True or False"),
    (lambda: InputGatedMemory(10, 0), "Input gated memory'.dimensions", ">= 1"),
    (lambda: InputGatedMemory(10, 2, recurrent_synapse=-1), "recurrent_synapse", ">= 0"),
    (lambda: Integrator(0, 10, 1), "Integrator 'Integrator'.recurrent_tau", "> 0"),
    (lambda: Integrator(0.1, 10, 0), "Integrator'.dimensions", ">= 1"),
    (lambda: Oscillator(0.1, "fast", 10), "Oscillator 'Oscillator'.frequency", "number"),
    (lambda: BasalGanglia(0), "BasalGanglia 'Basal Ganglia'.dimensions", ">= 1"),
    (lambda: BasalGanglia(2, 0), "n_neurons_per_ensemble", ">= 1"),
    (lambda: BasalGanglia(2, gaba_config="x"), "gaba_config", "Config"),
    (lambda: Thalamus(0), "Thalamus 'Thalamus'.dimensions", ">= 1"),
    (lambda: Thalamus(2, threshold=1.5), "Thalamus'.threshold", "< 1"),
    (lambda: AssociativeMemory(np.eye(3), np.ones((2, 2))), "AssociativeMemory.output_vectors",
     "one output vector per input vector"),
    (lambda: AssociativeMemory(np.eye(3), input_scales=[1, 2]), "input_scales", "one scale"),
    (lambda: AssociativeMemory([]), "AssociativeMemory.input_vectors", "non-empty"),
    (lambda: AssociativeMemory(np.eye(2), n_neurons=0, label="am"),
     "AssociativeMemory 'am'.n_neurons", ">= 1"),
]


@pytest.mark.parametrize("make, where, what", BAD_CONSTRUCTORS)
def test_bad_constructor_arguments(make, where, what):
    with nefsim.Network() as net:
        with pytest.raises(ValidationError) as info:
            make()
    assert where in str(info.value) and what in str(info.value), str(info.value)
    assert not net.networks  # a rejected network is not left in its parent


def _raises(call, where, what):
    with pytest.raises(ValidationError) as info:
        call()
    assert where in str(info.value) and what in str(info.value), str(info.value)


def test_bad_ensemble_array_methods():
    with nefsim.Network():
        ea = EnsembleArray(10, 2, label="ea")
        direct = EnsembleArray(10, 2, neuron_type=Direct())
    _raises(lambda: ea.add_output("f", [np.square]), "EnsembleArray 'ea'.function",
            "one function per ensemble")
    _raises(lambda: ea.add_output("f", 5), "EnsembleArray 'ea'.function", "callable")
    _raises(lambda: ea.add_output("output", None), "EnsembleArray 'ea'.name", "already")
    _raises(lambda: ea.add_output("not a name", None), "EnsembleArray 'ea'.name", "attribute")
    _raises(direct.add_neuron_input, "ea_ensembles[0].neuron_type", "Direct")
    _raises(direct.add_neuron_output, "ea_ensembles[0].neuron_type", "Direct")


def test_bad_associative_memory_methods():
    with nefsim.Network():
        memory = AssociativeMemory(np.eye(3), label="am")
    where = "AssociativeMemory 'am'"
    _raises(lambda: memory.add_input_mapping("x", np.ones((2, 3))), f"{where}.input_vectors",
            "one vector per item")
    _raises(lambda: memory.add_input_mapping("input", np.eye(3)), f"{where}.name", "already")
    _raises(lambda: memory.add_output_mapping("y", np.ones((4, 3))),
            f"{where}.output_vectors", "one vector per item")
    _raises(lambda: memory.add_default_output_vector(np.ones(5)), f"{where}.output_vector",
            "3 dimensions")
    _raises(lambda: memory.add_default_output_vector(np.ones(3), output_name="nope"),
            f"{where}.output_name", "output mapping")
    _raises(lambda: memory.add_default_output_vector(np.ones(3), min_activation_value=0),
            f"{where}.min_activation_value", "> 0")


def test_bad_helper_arguments():
    _raises(lambda: circconv(np.ones(3), np.ones(4)), "circconv.b", "same length as a")
    _raises(lambda: transform_in(4, "C", False), "transform_in.align", "'A' or 'B'")
    _raises(lambda: remove_imag_rows(np.ones((5, 4))), "remove_imag_rows.tr", "12 rows")
    _raises(lambda: ThresholdingEnsembles(0.3, intercept_width=0),
            "ThresholdingEnsembles.intercept_width", "> 0")


def test_thresholding_ensembles_preset():
    config = ThresholdingEnsembles(0.3, intercept_width=0.1, radius=2.0)
    params = config[Ensemble]
    assert params.radius == 2.0
    assert params.intercepts == Exponential(0.1, 0.3, 2.0)
    assert params.eval_points == Uniform(0.15, 1)
    assert params.encoders == Choice([[1]])
    with nefsim.Network() as net, config:
        ens = Ensemble(20, 1)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        built = sim.data[ens]
    assert np.all(built.encoders > 0) and np.all(built.intercepts >= 0.3)
    assert built.eval_points.min() >= 0.3 - 1e-12 and built.eval_points.max() <= 2.0


def test_thresholding_ensembles_equals_nengos():
    nengo = pytest.importorskip("nengo")
    ref = nengo.presets.ThresholdingEnsembles(0.3, intercept_width=0.1, radius=2.0)
    ours = ThresholdingEnsembles(0.3, intercept_width=0.1, radius=2.0)
    ref_params, our_params = ref[nengo.Ensemble], ours[Ensemble]
    assert our_params.radius == ref_params.radius
    for name in ("scale", "shift", "high"):
        assert getattr(our_params.intercepts, name) == getattr(ref_params.intercepts, name)
    assert (our_params.eval_points.low, our_params.eval_points.high) == (
        ref_params.eval_points.low, ref_params.eval_points.high)


def test_networks_use_only_the_public_modelling_api():
    """Library layers sit above the builder: no nefsim.build / nefsim.backends imports."""
    package = pathlib.Path(nefsim.networks.__file__).parent
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                names = [module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert not any(part in ("build", "backends") for part in name.split(".")), (
                    f"{path.name} imports {name}")


def test_public_names():
    assert sorted(nefsim.networks.__all__) == sorted([
        "AssociativeMemory", "BasalGanglia", "CircularConvolution", "EnsembleArray",
        "InputGatedMemory", "Integrator", "Oscillator", "Product", "Thalamus",
        "ThresholdingEnsembles", "circconv"])
    for name in nefsim.networks.__all__:
        assert getattr(nefsim.networks, name).__doc__


# ------------------------------------------------------------------ structure vs Nengo


def _label(obj):
    obj = getattr(obj, "obj", obj)  # a slice: its object
    obj = getattr(obj, "ensemble", obj)  # neurons: their ensemble
    return getattr(obj, "label", None)


def _tree(net):
    """What a network is made of, in creation order, as plain comparable values."""
    def transform(conn):
        init = getattr(conn.transform, "init", None)
        return None if init is None else np.round(np.asarray(init, dtype=float), 12).tolist()

    def synapse(conn):
        return None if conn.synapse is None else conn.synapse.tau

    return (
        [(_label(c.pre), _label(c.post), synapse(c), transform(c),
          getattr(c.function, "__name__", None) is not None, type(c.solver).__name__)
         for c in net.connections],
        [(e.label, e.n_neurons, e.dimensions, float(e.radius)) for e in net.ensembles],
        [(n.label, n.size_in, n.size_out) for n in net.nodes],
        [(type(sub).__name__, sub.label, _tree(sub)) for sub in net.networks],
    )


def _build_all(mod):
    vectors = np.eye(4)[:3] + 0.1
    with mod.Network() as net:
        ea = mod.networks.EnsembleArray(5, 3, ens_dimensions=2, label="ea")
        ea.add_output("norm", lambda x: [np.linalg.norm(x)])
        ea.add_neuron_input()
        ea.add_neuron_output()
        mod.networks.Product(6, 2, input_magnitude=1.5)
        mod.networks.CircularConvolution(4, 5, invert_a=True)
        mod.networks.InputGatedMemory(4, 2, difference_synapse=0.02)
        mod.networks.BasalGanglia(3, 4, input_bias=0.2)
        mod.networks.Thalamus(3, 4, mutual_inhib=2.0, threshold=0.1)
        memory = mod.networks.AssociativeMemory(vectors, np.ones((3, 2)), n_neurons=4,
                                                threshold=0.2, input_scales=[1, 2, 3],
                                                inhibitable=True, label="am")
        memory.add_input_mapping("extra", np.ones((3, 2)))
        memory.add_output_mapping("names", np.eye(3))
        memory.add_default_output_vector(np.ones(2), n_neurons=4, min_activation_value=0.4)
        memory.add_wta_network(inhibit_scale=2.0, inhibit_synapse=0.01)
        memory.add_threshold_to_outputs(n_neurons=4, inhibit_scale=8)
    return net


def test_structure_equals_nengos():
    """Same objects, labels, sizes, synapses, transforms and order as Nengo's networks
    (this is what makes seeded models reproduce Nengo's results)."""
    nengo = pytest.importorskip("nengo")
    ours, ref = _tree(_build_all(nefsim)), _tree(_build_all(nengo))
    assert ours == ref
