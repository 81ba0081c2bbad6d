"""Any connection between neurons as one matrix: post neurons x pre neurons.

A connection runs in its *own* space.  A decoded connection multiplies the pre
activities by ``M = T Dᵀ`` (``size_out x n_pre``) and the post ensemble encodes the
result; a Neurons→Neurons connection applies its transform ``M = T`` and then the post
gains; a ``weights=True`` connection runs the full matrix already.  The full matrix, in
units of post input current (post gains and encoders included, bias excluded), is

    ``W[:, cols] = P @ M``

with ``P = scaled_encoders[:, post_slice]`` into an Ensemble (``gain/radius · E``),
``P = diag(gain)`` on the ``post_slice`` rows into Neurons, ``P = I`` for
``weights=True``; ``cols`` are the pre neurons the connection reads (its ``pre_slice``
of Neurons; all neurons of a decoded pre).  This module knows these maps (it is the only
place that does); :mod:`nefsim.weights` reads and writes through them, and
:func:`build_full` builds a connection edited into a full matrix.
"""

import numpy as np

from ..ensemble import Ensemble, Neurons
from ..exceptions import ValidationError
from ..neurons import Direct
from .ir import Copy, LearnedDotInc, Reset


def endpoints(model, conn, owner):
    """The pre and post Ensembles whose neurons ``conn`` joins, or a ValidationError."""
    pre, post = conn.pre_obj, conn.post_obj
    pre_ens = pre.ensemble if isinstance(pre, Neurons) else pre
    post_ens = post.ensemble if isinstance(post, Neurons) else post
    for side, ens, obj in (("pre", pre_ens, pre), ("post", post_ens, post)):
        if not isinstance(ens, Ensemble) or isinstance(ens.neuron_type, Direct):
            raise ValidationError(
                f"has no neuron-to-neuron weights: its {side} is a "
                f"{'Direct-mode ' if isinstance(ens, Ensemble) else ''}"
                f"{type(obj).__name__}, expected an Ensemble with neurons or its .neurons",
                "weights", owner)
    if isinstance(pre, Neurons) and conn.function is not None:
        raise ValidationError("has no weight matrix: it applies a function to neuron "
                              "outputs, which is not linear", "weights", owner)
    return pre_ens, post_ens


def full_shape(model, conn, owner):
    pre_ens, post_ens = endpoints(model, conn, owner)
    return post_ens.n_neurons, pre_ens.n_neurons


def weight_mode(conn):
    return (isinstance(conn.pre_obj, Ensemble) and isinstance(conn.post_obj, Ensemble)
            and bool(getattr(conn.solver, "weights", False)))


def projection(model, conn, scaled_encoders=None):
    """``(P, cols)``: rows and columns mapping the connection's own matrix into the
    full one (None meaning identity / all columns).  ``scaled_encoders`` overrides the
    post's (their current value when a Voja rule learns them)."""
    pre, post = conn.pre_obj, conn.post_obj
    cols = (np.arange(pre.ensemble.n_neurons)[conn.pre_slice].reshape(-1)
            if isinstance(pre, Neurons) else None)
    if isinstance(post, Neurons):
        gain = model.params[post.ensemble].gain
        rows = np.arange(post.ensemble.n_neurons)[conn.post_slice].reshape(-1)
        P = np.zeros((gain.size, rows.size))
        P[rows, np.arange(rows.size)] = gain[rows]
        return P, cols
    if weight_mode(conn):
        return None, cols
    E = model.params[post].scaled_encoders if scaled_encoders is None else scaled_encoders
    return np.asarray(E)[..., conn.post_slice], cols


def entrywise_index(model, conn):
    """``(rows, cols)`` placing the own matrix's entries one-to-one in the full matrix,
    for connections whose own matrix is a full 2-D matrix mapped entry by entry (into
    Neurons, or ``weights=True``); else None."""
    weights = model.sig[conn].get("weights")
    if not isinstance(weights, tuple) and (weights is None
                                           or np.ndim(model.arrays[weights]) != 2):
        return None
    n_post, n_pre = full_shape(model, conn, f"Connection {model.name_of(conn)!r}")
    post = conn.post_obj
    if isinstance(post, Neurons):
        rows = np.arange(n_post)[conn.post_slice].reshape(-1)
        if np.unique(rows).size != rows.size:
            return None
    elif weight_mode(conn):
        rows = np.arange(n_post)
    else:
        return None
    _, cols = projection(model, conn)
    cols = np.arange(n_pre) if cols is None else cols
    if np.unique(cols).size != cols.size:
        return None
    return rows, cols


def own_matrix(model, conn, read):
    """The connection's own matrix now, ``(batch, rows, cols)``; ``read(signal)`` gives a
    signal's current ``(batch, size)`` value."""
    weights = model.sig[conn]["weights"]
    if isinstance(weights, tuple):  # learned or writable: state
        signal, shape = weights
        value = read(signal)
        return value.reshape(value.shape[0], *shape)
    if isinstance(conn.pre_obj, Ensemble):
        return np.asarray(model.arrays[weights])[None]  # decoded: T Dᵀ
    eye = np.eye(np.arange(conn.pre_obj.ensemble.n_neurons)[conn.pre_slice].size)
    if weights is None:  # no transform: the identity on the sliced neurons
        return eye[None]
    return np.asarray(conn.transform.apply(model.arrays[weights], eye)).T[None]


def full_matrix(model, conn, read):
    """The full ``(batch, n_post, n_pre)`` matrix in units of post current."""
    n_post, n_pre = full_shape(model, conn, f"Connection {model.name_of(conn)!r}")
    full = model.sig[conn].get("full_weights")
    if full is not None:
        value = read(full)
        return value.reshape(value.shape[0], n_post, n_pre)
    M = own_matrix(model, conn, read)
    P, cols = projection(model, conn, current_encoders(model, conn, read))
    mapped = M if P is None else np.einsum("...ij,bjk->bik", P, M)
    W = np.zeros((mapped.shape[0], n_post, n_pre))
    if cols is None:
        W += mapped
    else:
        np.add.at(W, (slice(None), slice(None), cols), mapped)
    return W


def current_encoders(model, conn, read):
    """The post ensemble's scaled encoders now, (batch, n, d), when a Voja rule learns
    them; else None (the built ones)."""
    post = conn.post_obj
    if isinstance(post, Ensemble) and "encoders_signal" in model.sig[post]:
        value = read(model.sig[post]["encoders_signal"])
        return value.reshape(value.shape[0], *model.params[post].scaled_encoders.shape)
    return None


def build_full(model, conn, name, W, keep):
    """Build ``conn`` as the full matrix ``W`` (state, so it can be edited again) from
    the pre neurons straight into the post neurons' input; its learning rules learn in
    their own units, their deltas mapped into ``W`` and masked by ``keep``."""
    from .connection import BuiltConnection, _readonly, build_synapse
    from .learning import LearnTarget, build_rules, rules_of

    pre_ens, post_ens = endpoints(model, conn, f"Connection {name!r}")
    W = np.asarray(W, dtype=np.float64) * (1.0 if keep is None else keep)
    source = model.sig[pre_ens.neurons]["out"].ref()
    weighted = model.add_signal(f"{name}:weighted", np.zeros(W.shape[0]))
    model.add_op(Reset(weighted, tag=f"{name}: reset"))
    signal = model.add_signal(f"{name}:weights", W.ravel(), kind="learned")
    model.add_op(LearnedDotInc(signal, W.shape, source, weighted.ref(),
                               tag=f"{name}: full matrix"))
    filtered = build_synapse(model, conn.synapse, weighted.ref(), name)
    model.add_op(Copy(filtered, model.sig[post_ens.neurons]["in"].ref(), inc=True,
                      tag=f"{name}: into neurons"))
    model.sig[conn].update({"in": model.sig[conn.pre_obj]["out"].ref(),
                            "weighted": weighted.ref(), "out": filtered,
                            "weights": (signal, W.shape), "full_weights": signal})
    model.params[conn] = BuiltConnection(eval_points=None, solver_info={},
                                         weights=_readonly(W), transform=conn.transform)
    if rules_of(conn):
        P, cols = projection(model, conn)
        own_shape = (W.shape[0] if P is None else P.shape[1],
                     W.shape[1] if cols is None else cols.size)
        target = LearnTarget(signal, own_shape, P=P, cols=cols, keep=keep,
                             full_shape=W.shape, owner=f"Connection {name!r}")
        build_rules(model, conn, name, target, own_shape)
