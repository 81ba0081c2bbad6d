"""Build a Probe: find the signal behind ``target.attr``, filter it if asked, record it.

A probe of an ensemble's ``decoded_output`` solves its own decoders (with the probe's
solver), exactly like a connection from the ensemble would.
"""

import numpy as np

from ..connection import Connection
from ..ensemble import Ensemble, Neurons
from ..learning_rules import LearningRule
from ..exceptions import BuildError
from ..node import Node
from ..probe import Probe
from .connection import add_decoded_product, build_decoded, build_synapse, is_decoded
from .params import check_shape
from .ir import Copy, ProbeSpec
from .model import register


@register(Probe)
def build_probe(model, probe):
    name = model.name_of(probe)
    target, attr, key = probe.obj, probe.attr, probe.slice
    shape = None
    if isinstance(target, (Ensemble, Neurons, Node, Connection)):
        model.require_built(target, f"Probe {name!r}")
    if isinstance(target, Ensemble) and attr == "decoded_output" and is_decoded(target):
        loaded = model.load(f"{name}:weights")
        if loaded is not None:  # decoders saved with the parameters: no solve
            size = np.arange(target.dimensions)[key].size
            _, ref, weights = add_decoded_product(model, target, name, check_shape(
                loaded, (size, target.n_neurons), f"{name}:weights", f"Probe {name!r}"),
                learned=False)
        else:
            rng = np.random.RandomState(model.seeds[probe])
            _, ref, weights, _, _ = build_decoded(model, target, key, None, None,
                                                  probe.solver, None, True, rng, name,
                                                  key=probe)
        model.sig[probe]["weights"] = weights
    elif isinstance(target, Ensemble) and attr == "scaled_encoders":
        learned = model.sig[target].get("encoders_signal")
        if learned is not None:
            ref, shape = learned.ref(), model.params[target].scaled_encoders.shape
        else:
            ref = f"{model.name_of(target)}:encoders"
    elif isinstance(target, Connection) and attr == "weights":
        ref = model.sig[target]["weights"]
        if ref is None:
            raise BuildError(f"Probe {name!r}: connection {model.name_of(target)!r} has no "
                             "weights to probe (it has no transform)")
        if isinstance(ref, tuple):  # learned: (Signal, shape)
            ref, shape = ref[0].ref(), ref[1]
    elif isinstance(target, LearningRule):
        entry = model.sig[target].get(attr)
        if entry is None:
            raise BuildError(f"Probe {name!r}: the learning rule has no {attr!r} signal; "
                             f"probeable: {', '.join(target.probeable)}")
        ref, shape = entry if isinstance(entry, tuple) else (entry, None)
    else:
        ref = _signal_ref(model, target, attr, name)
        if key is not None and not (isinstance(key, slice) and key == slice(None)):
            ref = ref.signal[_compose(ref.index, key, ref.signal.size)]
    if probe.synapse is not None:
        if isinstance(ref, str):
            raise BuildError(f"Probe {name!r}: cannot filter {attr!r}; use synapse=None")
        filtered = build_synapse(model, probe.synapse, ref, name)
        # Nengo samples a filtered probe through a copy made before the filter's update,
        # so the recorded value lags the filter by one step; reproduce that.
        sampled = model.add_signal(f"{name}:sampled", np.zeros(filtered.size))
        model.add_op(Copy(filtered, sampled.ref(), tag=f"{name}: sample"))
        ref = sampled.ref()
    period = 1.0 if probe.sample_every is None else probe.sample_every / model.dt
    model.probes.append(ProbeSpec(probe, ref, period, shape))
    model.params[probe] = None


_ROLES = {"decoded_output": "out", "input": "in", "output": "out", "spikes": "out"}


def _signal_ref(model, target, attr, name):
    if isinstance(target, Connection):
        role = {"output": "out", "input": "in"}.get(attr)
        ref = model.sig[target].get(role)
    elif isinstance(target, (Ensemble, Neurons, Node)):
        sig = model.sig[target].get(_ROLES.get(attr, attr))
        ref = None if sig is None else sig.ref()
    else:
        raise BuildError(f"Probe {name!r}: cannot probe a {type(target).__name__} yet")
    if ref is None:
        raise BuildError(f"Probe {name!r}: {model.name_of(target)!r} has no {attr!r} "
                         "signal to probe")
    return ref


def _compose(outer, inner, size):
    """Index of ``signal[outer][inner]`` in the signal."""
    base = np.arange(size)
    if outer is not None:
        base = base[outer]
    return base[inner]
