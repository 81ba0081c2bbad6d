"""Small helpers shared by the library networks (argument checks, config juggling).

Only public nefsim modelling names are used here: the networks sit above the builder.
"""

import contextlib
from collections.abc import Iterable

import numpy as np

from ..config import Config
from ..connection import Connection
from ..exceptions import ConfigError, ValidationError


def is_iterable(value):
    """Whether ``value`` is a sequence of values (strings do not count)."""
    if isinstance(value, np.ndarray):
        return value.ndim > 0
    return isinstance(value, Iterable) and not isinstance(value, (str, bytes))


def check_vectors(value, attr, net, ndim=2):
    """``value`` as a finite float array with ``ndim`` dimensions (1-D rows become 2-D)."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(f"must be an array of numbers (got {type(value).__name__})",
                              attr, net) from None
    if ndim == 2 and arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != ndim or arr.size == 0:
        raise ValidationError(f"must be a non-empty {ndim}-D array (got shape {arr.shape})",
                              attr, net)
    if not np.all(np.isfinite(arr)):
        raise ValidationError("must contain only finite values", attr, net)
    return arr


@contextlib.contextmanager
def default_synapse(config, synapse):
    """Yield a Config whose Connection synapse defaults to ``synapse``.

    With ``config=None`` a fresh Config is made.  A given config keeps its own synapse if
    it sets one; otherwise ``synapse`` is set for the duration and removed again, so the
    caller's config is left as it was.
    """
    if config is None:
        config = Config(Connection)
    try:
        params = config[Connection]
    except ConfigError:
        config.configures(Connection)
        params = config[Connection]
    added = "synapse" not in params
    if added:
        params.synapse = synapse
    try:
        yield config
    finally:
        if added:
            del params.synapse


def remove_connection(net, conn):
    """Take ``conn`` out of ``net`` (used when a network rewires one of its outputs).

    ``Network`` has no public ``remove``; besides the list, its membership set must forget
    the object, otherwise a later object that reuses the freed ``id`` would be refused.
    """
    net.connections.remove(conn)
    net._members.discard(id(conn))  # private: see docstring
