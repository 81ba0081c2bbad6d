"""A simulator's named state: parameters, signal values and random streams by stable name.

This is what ``save_params``, checkpoints and structural edits (``sim.weights`` turning a
connection into a full matrix, lesions, silenced neurons) are made of:

* :func:`collect_params` — every built parameter (and edit) as a params dict (see
  :mod:`nefsim.build.params`), with learned values either as built or as they are now;
* :func:`signal_values` / :func:`restore_values` — every signal's value by name;
* :func:`rng_states` / :func:`restore_rngs` — the random streams of noise processes and
  stochastic neurons;
* :func:`rebuild` — build the network again from a params dict and carry the running
  state over, so the simulation continues as if nothing but the edit had changed.
"""

import numpy as np

from .build import build
from .build.ir import NeuronStep, ProcessStep
from .build.params import EDIT_KEYS, LoadedParams
from .ensemble import Ensemble
from .neurons import Direct
from .probe import Probe


def collect_params(sim, current=True, trial=0):
    """``name -> array`` of every built parameter of ``sim``'s model.

    With ``current``, learned matrices and encoders are taken as they are now (batch
    element ``trial``); otherwise as they were built (what ``reset`` returns to).
    """
    model = sim.model
    read = (lambda sig: np.asarray(sim.backend.read(sim.backend.index(sig.ref())))[trial]
            ) if current else (lambda sig: sig.initial)
    params = {}
    for obj, sig in model.sig.items():  # decoded probes' decoders (no solve on rebuild)
        if isinstance(obj, Probe) and isinstance(sig.get("weights"), str):
            params[f"{model.names[obj]}:weights"] = np.asarray(model.arrays[sig["weights"]])
    for obj, built in model.params.items():
        name = model.names.get(obj)
        if name is None or built is None:
            continue
        if isinstance(obj, Ensemble):
            _ensemble_params(model, obj, name, built, read, params)
        elif hasattr(built, "solver_info"):
            _connection_params(model, obj, name, built, read, params)
    params.update(sim._edits)  # lesion masks, silenced neurons, writable flags
    return params


def _ensemble_params(model, ens, name, built, read, params):
    params[f"{name}:eval_points"] = np.asarray(built.eval_points)
    if isinstance(ens.neuron_type, Direct):
        return
    for key in ("encoders", "gain", "bias", "max_rates", "intercepts"):
        params[f"{name}:{key}"] = np.asarray(getattr(built, key))
    learned = model.sig[ens].get("encoders_signal")
    if learned is not None:
        params[f"{name}:scaled_encoders"] = read(learned).reshape(
            built.scaled_encoders.shape)


def _connection_params(model, conn, name, built, read, params):
    weights = model.sig[conn].get("weights")
    if "full_weights" in model.sig[conn]:  # edited into a full matrix
        signal, shape = weights
        params[f"{name}:full_weights"] = np.array(read(signal)).reshape(shape)
        return
    if isinstance(weights, tuple):
        signal, shape = weights
        params[f"{name}:weights"] = np.array(read(signal)).reshape(shape)
    elif weights is not None:
        value = model.arrays[weights]
        params[f"{name}:weights"] = (value.toarray() if hasattr(value, "toarray")
                                     else np.asarray(value))
    if built.eval_points is not None:
        params[f"{name}:eval_points"] = np.asarray(built.eval_points)


def signal_values(sim):
    """``signal name -> (batch, size)`` copy of every signal's current value."""
    backend = sim.backend
    return {sig.name: np.array(backend.read(backend.index(sig.ref()))) for sig in sim.ir.signals}


def restore_values(sim, values, mapped=None):
    """Write saved values into signals with the same name and size (``mapped`` entries
    are functions turning the old value of that name into the new one)."""
    backend = sim.backend
    for sig in sim.ir.signals:
        value = values.get(sig.name)
        if value is None:
            continue
        if mapped and sig.name in mapped:
            value = mapped[sig.name](value)
        if value.shape[-1] == sig.size:
            backend.write(backend.index(sig.ref()), value)


def _rng_ops(sim):
    """``key -> op`` of every op owning a random stream (keys stable across rebuilds)."""
    found = {}
    for group in sim.ir.groups:
        for op in group.ops:
            if isinstance(op, ProcessStep) or (isinstance(op, NeuronStep)
                                               and op.rng is not None):
                key = f"{type(op).__name__}:{op.tag}"
                while key in found:  # two ops with one tag: number them in order
                    key += "'"
                found[key] = op
    return found


def rng_states(sim):
    """The state of every random stream: the simulator's, processes' and neurons'."""
    states = {"simulator": sim.rng.get_state()}  # drew the processes' seeds at reset
    process_rngs = getattr(sim.backend, "process_rngs", {})
    for key, op in _rng_ops(sim).items():
        if isinstance(op, NeuronStep):
            states[key] = op.rng.get_state()
        elif op in process_rngs:  # one (seed, generator, state) per trial
            states[key] = [(seed, rng.get_state(), {k: np.array(v) for k, v in ps.items()})
                           for seed, rng, ps in process_rngs[op]]
    return states


def restore_rngs(sim, states):
    sim.rng.set_state(states["simulator"])
    for key, op in _rng_ops(sim).items():
        if key not in states:
            continue
        if isinstance(op, NeuronStep):
            op.rng.set_state(states[key])
        else:
            sim.backend.restore_process(op, states[key])


def rebuild(sim, edits, mapped=None):
    """Build ``sim``'s network again with ``edits`` and the parameters it has, on a new
    backend, and carry over every signal value and random stream."""
    values, rngs = signal_values(sim), rng_states(sim)
    initial = {sig.name: sig.initial for sig in sim.ir.signals}
    params = collect_params(sim, current=False)
    params.update(edits)
    model = build(sim.network, dt=sim.dt, params=LoadedParams(params))
    for sig in model.signals:  # what reset returns to (e.g. sampled initial voltages)
        old = initial.get(sig.name)
        if old is not None and old.size == sig.size and sig.kind != "learned":
            sig.initial = old
    sim._install(model)
    restore_values(sim, values, mapped)
    restore_rngs(sim, rngs)
    sim._edits.update({k: v for k, v in edits.items()
                       if k.rsplit(":", 1)[-1] in EDIT_KEYS})


def filter_state_map(P):
    """A ``mapped`` function carrying a connection's filter output or state from its own
    rows into the full matrix's rows: ``new = P @ old`` per channel block."""
    def carry(old):
        batch, size = old.shape
        k = size // P.shape[1]
        blocks = old.reshape(batch, k, P.shape[1])
        return np.einsum("ij,bkj->bki", P, blocks).reshape(batch, k * P.shape[0])
    return carry

