"""``sim.weights`` and ``sim.decoders``: read and edit connections while a model runs.

``sim.weights[conn]`` is the connection's full post x pre matrix in units of post input
current: post gains and encoders included, bias excluded, for every connection between
ensembles or their neurons (decoded ones included; :mod:`nefsim.build.weights` defines
the maps).  Writing it back edits the running model:

* when the matrix can be expressed in the connection's own space (decoders times
  transform, or the transform) it is written there, and the connection keeps its
  shape and cost;
* otherwise (e.g. one synapse of a decoded connection cut) the connection is rebuilt as
  a full matrix from the pre neurons into the post neurons, and the simulation goes on
  with its state carried over (:func:`nefsim.state.rebuild`).

A write is an edit of the model: ``reset`` returns to the written values.
"""

import numpy as np

from .build.weights import (entrywise_index, full_matrix, full_shape, own_matrix,
                            projection, weight_mode)
from .connection import Connection
from .ensemble import Ensemble, Neurons
from .exceptions import ValidationError
from .neurons import Direct
from .state import filter_state_map, rebuild

_TOLERANCE = 1e-10  # relative residual below which a matrix counts as expressible


class _View:
    def __init__(self, sim):
        self._sim = sim

    def _name(self, conn):
        return self._sim.model.name_of(conn)

    def _owner(self, conn):
        return f"Connection {self._name(conn)!r}"

    def _check_conn(self, conn):
        self._sim._check_open()
        if not isinstance(conn, Connection):
            raise ValidationError(f"expected a Connection (got {type(conn).__name__})",
                                  "key", f"sim.{type(self).__name__.lower()}")
        if conn not in self._sim.model.params:
            raise ValidationError("is not part of the simulated network", "key",
                                  self._owner(conn))

    def _read(self, signal):
        backend = self._sim.backend
        return np.array(backend.read(backend.index(signal.ref())))

    def _squeeze(self, value):
        return value[0] if self._sim.batch == 1 else value

    def _checked(self, conn, value, shape, what):
        """``value`` as a float64 ``(batch, *shape)`` array, or a ValidationError."""
        owner = self._owner(conn)
        kind = np.asarray(value).dtype.kind
        if kind not in "biuf":  # complex, strings, objects: not a matrix of reals
            raise ValidationError(f"must be a real numeric array of shape {shape} (got "
                                  f"dtype {np.asarray(value).dtype})", what, owner)
        try:
            value = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValidationError(f"must be a numeric array of shape {shape}", what,
                                  owner) from None
        batch = self._sim.batch
        if value.shape == tuple(shape):
            value = np.broadcast_to(value, (batch, *shape))
        elif value.shape != (batch, *shape):
            expected = f"{tuple(shape)}" + (f" or {(batch, *shape)}" if batch > 1 else "")
            raise ValidationError(f"must have shape {expected} (got {value.shape})", what,
                                  owner)
        if not np.all(np.isfinite(value)):
            raise ValidationError("must be finite (got NaN or inf)", what, owner)
        return np.array(value)

    def _write_own(self, conn, own):
        """Write the connection's own matrix: into its state, after making it state
        (a rebuild) if it was a constant of the model."""
        weights = self._sim.model.sig[conn]["weights"]
        if not isinstance(weights, tuple):
            name = self._name(conn)
            rebuild(self._sim, {f"{name}:writable": np.array(1.0),
                                f"{name}:weights": own[0]})
            weights = self._sim.model.sig[conn]["weights"]
        self._write_signal(weights[0], own)

    def _write_signal(self, signal, value):
        """Write a state matrix now and make it the value ``reset`` returns to."""
        backend = self._sim.backend
        backend.write(backend.index(signal.ref()), value.reshape(value.shape[0], -1))
        signal.initial = np.array(value[0], dtype=np.float64).reshape(-1)


class Weights(_View):
    """``sim.weights[conn]`` (get/set), ``sim.weights[conn, i, j]`` for entries, rows and
    columns, :meth:`lesion`, :meth:`silence` and :meth:`between`.

    Shapes are ``(n_post_neurons, n_pre_neurons)``; with ``batch > 1`` reads have a
    leading batch axis and writes may have one.
    """

    def __getitem__(self, key):
        conn, index = _split_key(key)
        self._check_conn(conn)
        W = self._full(conn)
        return self._squeeze(W)[index] if index else self._squeeze(W)

    def __setitem__(self, key, value):
        conn, index = _split_key(key)
        self._check_conn(conn)
        shape = full_shape(self._sim.model, conn, self._owner(conn))
        if index:
            W = self._squeeze(self._full(conn)).copy()
            try:
                W[index] = value
            except (IndexError, ValueError, TypeError) as err:
                raise ValidationError(f"cannot set entries {index} of a {shape} matrix "
                                      f"({err})", "weights", self._owner(conn)) from None
            value = W
        W = self._checked(conn, value, shape, "weights")
        keep = self._sim._edits.get(f"{self._name(conn)}:keep")
        if keep is not None and np.any(W[:, keep == 0] != 0):
            raise ValidationError(
                "sets lesioned synapses to nonzero values; lift the lesion first with "
                "sim.weights.lesion(conn, None)", "weights", self._owner(conn))
        self._write_full(conn, W)

    def _full(self, conn):
        W = full_matrix(self._sim.model, conn, self._read)
        return np.broadcast_to(W, (self._sim.batch, *W.shape[1:])).copy()

    def _write_full(self, conn, W):
        model = self._sim.model
        weights = model.sig[conn].get("weights")
        if "full_weights" in model.sig[conn]:
            self._write_signal(weights[0], W)
            return
        own = self._own_space(conn, W)
        if own is not None and (isinstance(weights, tuple) or _full_2d(model, conn)):
            self._write_own(conn, own)
        else:
            self._promote(conn, W)

    def _own_space(self, conn, W):
        """The connection's own matrix giving ``W`` exactly, or None."""
        model = self._sim.model
        P, cols = projection(model, conn)
        n_pre = W.shape[2]
        cols = np.arange(n_pre) if cols is None else cols
        if np.unique(cols).size != cols.size:
            return None
        outside = np.setdiff1d(np.arange(n_pre), cols)
        if np.any(W[:, :, outside] != 0):
            return None
        target = W[:, :, cols]
        if P is None:
            own = target
        else:
            flat = target.transpose(1, 0, 2).reshape(P.shape[0], -1)
            solution = np.linalg.lstsq(P, flat, rcond=None)[0]
            own = solution.reshape(P.shape[1], W.shape[0], cols.size).transpose(1, 0, 2)
            scale = max(np.abs(target).max(), 1e-300)
            if np.abs(np.einsum("ij,bjk->bik", P, own) - target).max() > _TOLERANCE * scale:
                return None
        current = own_matrix(model, conn, self._read)
        return own if own.shape[1:] == current.shape[1:] else None

    def _promote(self, conn, W, keep=None):
        """Rebuild ``conn`` as the full matrix ``W`` and carry its synapse state over."""
        model, name = self._sim.model, self._name(conn)
        P, _ = projection(model, conn)
        mapped = {}
        if P is not None:
            carry = filter_state_map(P)
            mapped = {f"{name}:filtered": carry, f"{name}:synapse_state": carry}
        edits = {f"{name}:full_weights": W[0]}
        if keep is not None:
            edits[f"{name}:keep"] = keep
        mapped.update(self._widen_probes(conn, W.shape[1:]))
        rebuild(self._sim, edits, mapped)
        if self._sim.batch > 1:
            self._write_signal(model_weights(self._sim, conn), W)

    def _widen_probes(self, conn, full):
        """Probes of ``conn`` follow it into full-matrix form: the samples they have are
        turned into what the full connection records (``"weights"``: the full matrix;
        ``"output"``: post currents, ``P @ output``).  Returns the ``mapped`` entries
        carrying their synapse state."""
        sim, model = self._sim, self._sim.model
        P, cols = projection(model, conn)
        mapped = {}
        for key, samples in sim._probe_data.items():
            if getattr(key, "obj", None) is not conn or key.attr not in ("weights",
                                                                         "output"):
                continue
            if key.attr == "output":
                if P is None:
                    continue
                carry = filter_state_map(P)
                name = model.name_of(key)
                mapped.update({f"{name}:{role}": carry
                               for role in ("filtered", "synapse_state", "sampled")})
                if samples:
                    samples[:] = list(carry(np.array(s)) for s in samples)
                continue
            if samples:
                n_cols = full[1] if cols is None else cols.size
                own = np.array(samples).reshape(len(samples), sim.batch, -1, n_cols)
                mapped_own = own if P is None else np.einsum("ij,sbjk->sbik", P, own)
                wide = np.zeros((*own.shape[:2], *full))
                wide[..., slice(None) if cols is None else cols] = mapped_own
                samples[:] = list(wide.reshape(len(samples), sim.batch, -1))
        sim.data.reset()
        return mapped

    # ----------------------------------------------------------------- lesions
    def lesion(self, conn, mask):
        """Cut the synapses where ``mask`` (bool, ``(n_post, n_pre)``) is True: they
        become zero and stay zero while learning rules update the rest.  Lesions add up;
        ``mask=None`` lifts every lesion of ``conn`` (the weights stay as they are)."""
        self._check_conn(conn)
        model, name = self._sim.model, self._name(conn)
        shape = full_shape(model, conn, self._owner(conn))
        key = f"{name}:keep"
        if mask is None:
            if key in self._sim._edits:
                del self._sim._edits[key]
                rebuild(self._sim, {})
            return
        mask = np.asarray(mask)
        if mask.shape != tuple(shape) or mask.dtype != bool:
            raise ValidationError(f"must be a bool array of shape {tuple(shape)} (got "
                                  f"{mask.dtype} {mask.shape})", "mask", self._owner(conn))
        keep = self._sim._edits.get(key, np.ones(shape)) * (~mask)
        W = self._full(conn) * keep
        if entrywise_index(model, conn) is not None:
            edits = {key: keep, f"{name}:writable": np.array(1.0)}
            rebuild(self._sim, edits)
            self._write_signal(model_weights(self._sim, conn), self._own_space(conn, W))
        elif "full_weights" in model.sig[conn]:
            rebuild(self._sim, {key: keep})
            self._write_signal(model_weights(self._sim, conn), W)
        else:
            self._promote(conn, W, keep)

    def silence(self, ensemble, neurons=None):
        """Silence ``neurons`` (indices or a bool mask; all if None) of ``ensemble``:
        they emit nothing from now on (their output is zero), whatever their input.
        ``neurons=[]`` un-silences all of them."""
        self._sim._check_open()
        ens = ensemble.ensemble if isinstance(ensemble, Neurons) else ensemble
        owner = "sim.weights.silence"
        if not isinstance(ens, Ensemble) or isinstance(ens.neuron_type, Direct):
            raise ValidationError(f"expected an Ensemble with neurons (got {ensemble!r})",
                                  "ensemble", owner)
        if ens not in self._sim.model.params:
            raise ValidationError(f"{ens!r} is not part of the simulated network",
                                  "ensemble", owner)
        n = ens.n_neurons
        silenced = np.zeros(n)
        try:
            silenced[np.arange(n)[slice(None) if neurons is None else neurons]] = 1.0
        except (IndexError, TypeError, ValueError) as err:
            raise ValidationError(f"must index the {n} neurons of {ens!r} ({err})",
                                  "neurons", owner) from None
        rebuild(self._sim, {f"{self._sim.model.name_of(ens)}.neurons:silenced": silenced})

    def between(self, a, b):
        """The neuron-to-neuron matrix from ``a`` to ``b`` (see
        :func:`nefsim.between.effective_weights`)."""
        from .between import effective_weights

        self._sim._check_open()
        return effective_weights(self._sim, a, b)

    def set_between(self, a, b, W):
        """Write the neuron-to-neuron matrix from ``a`` to ``b`` block by block (see
        :func:`nefsim.between.set_effective_weights`)."""
        from .between import set_effective_weights

        self._sim._check_open()
        set_effective_weights(self._sim, a, b, W)


class Decoders(_View):
    """``sim.decoders[conn]``: a decoded connection's decoders, ``(size_mid, n_pre)``
    (the transform not applied), readable and writable."""

    def _check_decoded(self, conn):
        self._check_conn(conn)
        model = self._sim.model
        pre = conn.pre_obj
        if (not isinstance(pre, Ensemble) or isinstance(pre.neuron_type, Direct)
                or weight_mode(conn) or "full_weights" in model.sig[conn]):
            raise ValidationError(
                "has no decoders: only connections from an Ensemble with neurons that "
                "are not weights=True or edited into a full matrix decode", "decoders",
                self._owner(conn))
        return _transform_of(model, conn)

    def __getitem__(self, conn):
        T = self._check_decoded(conn)
        M = own_matrix(self._sim.model, conn, self._read)
        D = np.einsum("ij,bjk->bik", np.linalg.pinv(T), M)
        return self._squeeze(np.broadcast_to(D, (self._sim.batch, *D.shape[1:])).copy())

    def __setitem__(self, conn, value):
        T = self._check_decoded(conn)
        n_pre = conn.pre_obj.n_neurons
        D = self._checked(conn, value, (T.shape[1], n_pre), "decoders")
        self._write_own(conn, np.einsum("ij,bjk->bik", T, D))


def _transform_of(model, conn):
    """The decoded connection's transform as a dense ``size_out x size_mid`` matrix; it
    must be invertible on its columns so decoders can be read back."""
    from .build.connection import _transform_matrix

    T = _transform_matrix(conn.transform, conn.size_mid, np.random.RandomState(0))
    if conn.transform is not None and hasattr(conn.transform, "init") and hasattr(
            conn.transform.init, "sample"):
        raise ValidationError("has a random transform; its decoders cannot be separated "
                              "from it", "decoders", f"Connection {model.name_of(conn)!r}")
    if np.linalg.matrix_rank(T) < T.shape[1]:
        raise ValidationError(
            f"has a transform of rank below {T.shape[1]}, so its decoders cannot be "
            "separated from it; use sim.weights instead", "decoders",
            f"Connection {model.name_of(conn)!r}")
    return T


def model_weights(sim, conn):
    """The state signal holding ``conn``'s matrix after a rebuild."""
    return sim.model.sig[conn]["weights"][0]


def _full_2d(model, conn):
    weights = model.sig[conn].get("weights")
    return isinstance(weights, str) and np.ndim(model.arrays[weights]) == 2 and not hasattr(
        model.arrays[weights], "toarray")


def _split_key(key):
    if isinstance(key, tuple) and key and isinstance(key[0], Connection):
        return key[0], key[1:]
    return key, ()
