"""Built parameters by stable name: what ``save_params`` writes and ``params=`` loads.

A *params dict* maps stable names (label paths, see :mod:`nefsim.build.names`) to arrays:

* ensembles: ``"a:encoders"`` (unit length), ``"a:gain"``, ``"a:bias"``,
  ``"a:max_rates"``, ``"a:intercepts"``, ``"a:eval_points"``; ``"a:scaled_encoders"``
  when a Voja rule learns them; ``"a.neurons:silenced"`` (1 for a silenced neuron);
* connections: ``"a->b:weights"``, the matrix in the connection's own space (decoders
  times transform, the transform, or the full matrix of a ``weights=True`` solver), as
  learned so far; edits made through ``sim.weights``: ``"a->b:full_weights"`` (the
  connection runs as a full post x pre matrix in units of post current),
  ``"a->b:keep"`` (a lesion mask, 0 where a synapse is cut) and ``"a->b:writable"``.

Building with a params dict (:class:`LoadedParams`) takes these values instead of
sampling and solving, so a network with the same labels gets the same parameters
whatever its seeds.
"""

import numpy as np

from ..exceptions import BuildError

ENSEMBLE_KEYS = ("encoders", "gain", "bias", "max_rates", "intercepts", "eval_points")
EDIT_KEYS = ("keep", "writable", "silenced")  # kept across rebuilds (see nefsim.state)


class LoadedParams:
    """A params dict being built from, which remembers which entries were used.

    Parameters
    ----------
    values : dict
        ``name -> ndarray``.
    partial : bool
        Objects without saved entries are built as usual (sampled, solved) instead of
        raising a BuildError.
    """

    def __init__(self, values, partial=False):
        self.values = dict(values)
        self.partial = partial
        self.used = set()

    def get(self, name):
        """The entry ``name`` (marked as used), or None."""
        if name in self.values:
            self.used.add(name)
            return self.values[name]
        return None

    def group(self, prefix, keys, owner, required):
        """``{key: value}`` for ``prefix:key``; None when none is saved.

        A BuildError names ``owner`` when only some keys are saved, or when none is and
        ``required`` (and the load is not partial).
        """
        names = [f"{prefix}:{k}" for k in keys]
        present = [n for n in names if n in self.values]
        if not present:
            if required and not self.partial:
                raise BuildError(
                    f"{owner}: the loaded parameters have no entry {names[0]!r}; it needs "
                    "saved parameters (was it relabelled?). Pass partial=True to build "
                    "objects without saved parameters as usual")
            return None
        missing = sorted(set(names) - set(present))
        if missing:
            raise BuildError(f"{owner}: the loaded parameters lack {missing}")
        return {k: np.asarray(self.get(n)) for k, n in zip(keys, names)}

    def unused(self):
        return sorted(set(self.values) - self.used)


def check_shape(value, shape, name, owner):
    """``value`` as float64 of ``shape``, or a BuildError naming the entry."""
    value = np.asarray(value, dtype=np.float64)
    if value.shape != tuple(shape):
        raise BuildError(f"{owner}: the loaded entry {name!r} has shape {value.shape}, but "
                         f"this network needs {tuple(shape)}")
    return value
