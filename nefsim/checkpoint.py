"""Saving and loading a simulator: parameter files and checkpoints.

``sim.save_params(path)`` writes the params dict of :func:`nefsim.state.collect_params`
(learned values as they are now); ``Simulator(net, params=path)`` builds a network with
the same labels from it.  ``sim.save(path)`` writes a checkpoint: the parameters as
built (what ``reset`` returns to), plus every signal's value, the step count, the random
streams and optionally the probe data; ``Simulator(net, checkpoint=path)`` resumes it.
Both go through :mod:`nefsim.params_io` (atomic ``.npz`` archives).
"""

import hashlib
import os
import warnings

import numpy as np

from . import __version__
from .build.params import EDIT_KEYS, LoadedParams
from .exceptions import ValidationError
from .params_io import Params, fingerprint, read_archive, write_archive
from .state import collect_params, restore_rngs, restore_values, rng_states, signal_values


def _header(sim, kind, shapes):
    return {"kind": kind, "format": 1, "nefsim": __version__, "dt": sim.dt,
            "fingerprint": fingerprint(shapes)}


def write_params(sim, path, trial=0):
    params = collect_params(sim, current=True, trial=trial)
    shapes = {k: np.shape(v) for k, v in params.items()}
    write_archive(path, _header(sim, "params", shapes), params)


def as_loaded_params(params, partial, owner):
    """``params`` (a path, a dict or :class:`Params`) as :class:`LoadedParams`."""
    if isinstance(params, (str, os.PathLike)):
        _, params = read_archive(params, "params", owner="Simulator")
    elif not hasattr(params, "items"):
        raise ValidationError(f"must be a path, a dict or nefsim.load_params(...) (got "
                              f"{type(params).__name__})", "params", owner)
    values = {}
    for name, value in params.items():
        array = np.asarray(value)
        if not np.issubdtype(array.dtype, np.number) or not np.all(np.isfinite(array)):
            raise ValidationError(f"entry {name!r} must hold finite numbers", "params", owner)
        values[str(name)] = array
    return LoadedParams(values, partial=bool(partial))


def edits_of(values):
    """The ``sim.weights`` edits among loaded parameters (kept across rebuilds)."""
    return {name: value for name, value in values.items()
            if name.rsplit(":", 1)[-1] in EDIT_KEYS}


def warn_unused(loaded):
    unused = loaded.unused()
    if unused:
        shown = ", ".join(unused[:8]) + (f" and {len(unused) - 8} more" if len(unused) > 8
                                         else "")
        warnings.warn(f"{len(unused)} saved parameter(s) match nothing in this network "
                      f"and were skipped: {shown}")


# ------------------------------------------------------------------ checkpoints
_PARAMS, _STATE, _RNG, _PROBE = "params/", "state/", "rng/", "probe/"


def _structure(sim):
    """Names and sizes of every signal: a checkpoint fits only this structure."""
    return {sig.name: (0, sig.size) for sig in sim.ir.signals}


def write_checkpoint(sim, path, probes=True):
    params = collect_params(sim, current=False)
    arrays = {f"{_PARAMS}{k}": v for k, v in params.items()}
    arrays.update({f"{_STATE}{k}": v for k, v in signal_values(sim).items()})
    arrays.update(_encode_rngs(rng_states(sim)))
    names = []
    if probes:
        for i, (spec, _) in enumerate(sim.backend.probe_index):
            name = sim.model.names.get(spec.key, f"probe{i}")
            names.append(name)
            size = int(np.prod(sim._probe_shapes[spec.key]))  # samples as recorded:
            samples = sim._probe_data[spec.key]               # (n, batch, size)
            arrays[f"{_PROBE}{i}"] = np.array(samples).reshape(len(samples), sim.batch, size)
    header = _header(sim, "checkpoint", _structure(sim))
    header.update({"n_steps": sim.n_steps, "seed": int(sim.seed), "batch": sim.batch,
                   "trial_seeds": [int(x) for x in sim.trial_seeds or [sim.seed]],
                   "probes": names if probes else None, "edits": sorted(sim._edits),
                   "network": network_fingerprint(sim.network)})
    write_archive(path, header, arrays)


class SavedCheckpoint:
    """A checkpoint read from disk: ``params`` to build with, then :meth:`restore`."""

    def __init__(self, header, arrays):
        self.header = header
        self.params = Params({k[len(_PARAMS):]: v for k, v in arrays.items()
                              if k.startswith(_PARAMS)})
        self.values = {k[len(_STATE):]: v for k, v in arrays.items() if k.startswith(_STATE)}
        self.rngs = _decode_rngs(arrays)
        self.probes = {int(k[len(_PROBE):]): v for k, v in arrays.items()
                       if k.startswith(_PROBE)}

    def restore(self, sim):
        if fingerprint(_structure(sim)) != self.header["fingerprint"]:
            raise ValidationError(
                "the checkpoint was saved from a different model (its signals' names or "
                "sizes differ); resume it with the network that saved it", "checkpoint",
                sim)
        if self.header["batch"] != sim.batch or not np.isclose(self.header["dt"], sim.dt):
            raise ValidationError(
                f"the checkpoint was saved with batch={self.header['batch']} and "
                f"dt={self.header['dt']}; create the Simulator with the same values",
                "checkpoint", sim)
        sim.seed = self.header["seed"]
        sim.trial_seeds = self.header.get("trial_seeds")
        restore_values(sim, self.values)
        restore_rngs(sim, self.rngs)
        sim._n_steps = self.header["n_steps"]
        if self.header.get("probes") is not None:
            for i, (spec, _) in enumerate(sim.backend.probe_index):
                size = int(np.prod(sim._probe_shapes[spec.key]))
                samples = self.probes[i].reshape(len(self.probes[i]), sim.batch, size)
                sim._probe_data[spec.key][:] = list(samples)
        sim.data.reset()


def _encode_rngs(states):
    """NumPy generator states (and process states) as plain arrays, no pickle."""
    arrays = {}

    def generator(prefix, state):
        _, keys, pos, has_gauss, gauss = state
        arrays[prefix + "keys"] = np.asarray(keys)
        arrays[prefix + "meta"] = np.array([pos, has_gauss, gauss], dtype=np.float64)

    for key, value in states.items():
        if isinstance(value, list):  # a process: (seed, generator, state) per trial
            for trial, (seed, state, proc_state) in enumerate(value):
                prefix = f"{_RNG}{key}#{trial}#"
                arrays[prefix + "seed"] = np.array(seed)
                arrays.update({f"{prefix}state/{k}": v for k, v in proc_state.items()})
                generator(prefix, state)
        else:
            generator(f"{_RNG}{key}##", value)
    return arrays


def _decode_rngs(arrays):
    states = {}
    for name in sorted(arrays):
        if not (name.startswith(_RNG) and name.endswith("#keys")):
            continue
        key, trial, _ = name[len(_RNG):].rsplit("#", 2)
        prefix = name[:-len("keys")]
        pos, has_gauss, gauss = arrays[prefix + "meta"]
        state = ("MT19937", arrays[name], int(pos), int(has_gauss), float(gauss))
        if trial == "":
            states[key] = state
            continue
        proc = {k[len(prefix + "state/"):]: v for k, v in arrays.items()
                if k.startswith(prefix + "state/")}
        states.setdefault(key, []).append((int(trial), int(arrays[prefix + "seed"]), state,
                                           proc))
    for key, value in states.items():
        if isinstance(value, list):
            states[key] = [entry[1:] for entry in sorted(value, key=lambda e: e[0])]
    return states


def network_fingerprint(network):
    """A hash of the objects of ``network`` by stable name, kind and size: known before
    the build, so a checkpoint of another model is refused before its parameters are
    tried on this one."""
    from .build.names import assign_names

    def sizes(obj):
        return tuple(getattr(obj, k, None) for k in (
            "n_neurons", "dimensions", "size_in", "size_mid", "size_out"))

    text = ";".join(sorted(f"{type(obj).__name__} {name} {sizes(obj)}"
                           for obj, name in assign_names(network).items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_checkpoint(path, owner):
    """The checkpoint at ``path``; ``owner`` (the Simulator being made) must simulate
    the network that saved it."""
    header, arrays = read_archive(path, "checkpoint", owner="Simulator")
    network = getattr(owner, "network", None)
    saved = header.get("network")
    if network is not None and saved is not None and saved != network_fingerprint(network):
        raise ValidationError(
            "the checkpoint was saved from a different model (its objects' names or sizes "
            "differ); resume it with the network that saved it", "checkpoint", owner)
    return SavedCheckpoint(header, arrays)
