"""Build a Connection in four small steps: source, transform, synapse, delivery.

1. *source*: the pre's neuron output (decoded connections), or the pre's output slice,
   optionally passed through ``function`` every step (nodes, Direct ensembles);
2. *transform*: ``weighted = W @ source`` where, for a decoded connection,
   ``W = T @ D.T`` (``size_out x n_pre``), or in weight mode (``solver.weights``)
   ``W = scaled_encoders_post[:, post_slice] @ T @ D.T`` (``n_post x n_pre``);
3. *synapse*: a filter op in the update phase (one step of delay), or nothing;
4. *delivery*: added to the post's input; into ``post.neurons`` it is multiplied by the
   post gains first, as in Nengo.
"""

import numpy as np

from ..connection import Connection
from ..ensemble import Ensemble, Neurons
from ..exceptions import BuildError
from ..learning_rules import LearningRule
from ..neurons import Direct
from ..node import Node
from ..transforms import Dense, NoTransform
from .decoders import activities, function_targets, solve
from .ensemble import sample_eval_points
from .ir import (Copy, DotInc, ElementwiseInc, Filter, LearnedDotInc, PyFunc, Reset,
                 TransformInc)
from .learning import LearnTarget, build_rules, modifies_weights, rules_of
from .model import BuiltConnection, register
from .params import check_shape
from .weights import build_full, entrywise_index, full_shape


def is_decoded(pre):
    return isinstance(pre, Ensemble) and not isinstance(pre.neuron_type, Direct)


@register(Connection)
def build_connection(model, conn):
    name = model.name_of(conn)
    owner = f"Connection {name!r}"
    post = conn.post_obj
    model.require_built(conn.pre_obj, owner)
    if isinstance(post, LearningRule):
        if "in" not in model.sig[post]:
            raise BuildError(f"{owner}: its learning rule is not built yet; define the "
                             "learned connection in this network or an enclosed one")
    else:
        model.require_built(post, owner)
    if not isinstance(post, (Ensemble, Neurons, Node, LearningRule)):
        raise BuildError(f"{owner}: cannot connect into a {type(post).__name__}")
    saved = _saved_edits(model, conn, name)
    if saved["full_weights"] is not None:  # edited into a full matrix (sim.weights)
        build_full(model, conn, name, saved["full_weights"], saved["keep"])
        return
    learned = modifies_weights(conn) or saved["writable"]
    rng = np.random.RandomState(model.seeds[conn])
    weight_mode = (is_decoded(conn.pre_obj) and isinstance(post, Ensemble)
                   and getattr(conn.solver, "weights", False))
    loaded = model.load(f"{name}:weights")

    if is_decoded(conn.pre_obj):
        if loaded is not None:
            rows = post.n_neurons if weight_mode else conn.size_out
            source, weighted, weights = add_decoded_product(
                model, conn.pre_obj, name, check_shape(
                    loaded, (rows, conn.pre_obj.n_neurons), f"{name}:weights", owner),
                learned)
            eval_points, info = _loaded_eval_points(model, name), {}
        else:
            source, weighted, weights, eval_points, info = build_decoded(
                model, conn.pre_obj, conn.pre_slice, conn.function, conn.transform,
                conn.solver, conn.eval_points, conn.scale_eval_points, rng, name,
                post_encoders=_post_encoders(model, conn) if weight_mode else None,
                key=conn, learned=learned)
    else:
        source = build_source(model, conn, name)
        weighted, weights = build_transform(model, conn.transform, source, rng, name,
                                            learned=learned, loaded=loaded)
        eval_points, info = None, {}
    if saved["keep"] is not None:  # a lesion on a connection with its own full matrix
        model.sig[conn]["weights"] = weights
        weights = _lesioned(model, conn, name, weights, saved["keep"])
    filtered = build_synapse(model, conn.synapse, weighted, name)
    deliver(model, conn, filtered, weight_mode, name)

    pre_out = model.sig[conn.pre_obj]["out"]  # Nengo's "input" role: the unsliced pre output
    initial = _initial_weights(model, weights)
    model.sig[conn].update({"in": pre_out.ref(), "weighted": weighted, "out": filtered,
                            "weights": weights})
    model.params[conn] = BuiltConnection(
        eval_points=eval_points, solver_info=info,
        weights=None if initial is None else _readonly(initial), transform=conn.transform)
    if rules_of(conn):
        if isinstance(weights, tuple):
            target = LearnTarget(weights[0], weights[1],
                                 keep=model.sig[conn].get("keep_own_space"))
            build_rules(model, conn, name, target, weights[1])
        else:
            build_rules(model, conn, name, None, None)


def _saved_edits(model, conn, name):
    """The edits ``sim.weights`` made to this connection, as saved parameters."""
    full, keep = model.load(f"{name}:full_weights"), model.load(f"{name}:keep")
    writable = model.load(f"{name}:writable") is not None
    if full is None and keep is None and not writable:
        return {"full_weights": None, "keep": None, "writable": False}
    owner = f"Connection {name!r}"
    n_post, n_pre = full_shape(model, conn, owner)
    if full is not None:
        full = check_shape(full, (n_post, n_pre), f"{name}:full_weights", owner)
    if keep is not None:
        keep = check_shape(keep, (n_post, n_pre), f"{name}:keep", owner)
    return {"full_weights": full, "keep": keep, "writable": writable}


def _loaded_eval_points(model, name):
    points = model.load(f"{name}:eval_points")
    return None if points is None else _readonly(points)


def _lesioned(model, conn, name, weights, keep):
    """Zero the cut synapses of a connection whose own matrix maps entry by entry onto
    the full one (``weights=True``, or Neurons to Neurons); learning keeps them zero."""
    if not isinstance(weights, tuple):
        raise BuildError(f"Connection {name!r}: a lesion needs the connection's matrix "
                         "as state; save it with the full matrix instead")
    signal, shape = weights
    rows, cols = entrywise_index(model, conn)
    keep_own = keep[np.ix_(rows, cols)]
    if keep_own.shape != tuple(shape):
        raise BuildError(f"Connection {name!r}: its lesion mask does not map onto its "
                         f"{shape} matrix")
    signal.initial = (signal.initial.reshape(shape) * keep_own).ravel()
    model.sig[conn]["keep_own_space"] = keep_own
    return weights

def _initial_weights(model, weights):
    """The built value of a connection's weights (a named array or a learned signal)."""
    if weights is None:
        return None
    if isinstance(weights, tuple):  # (learned Signal, shape)
        signal, shape = weights
        return signal.initial.reshape(shape)
    return model.arrays[weights]


def add_decoded_product(model, ens, name, W, learned):
    """``weighted = W @ (neuron output of ens)`` for a decoded matrix known already."""
    source = model.sig[ens.neurons]["out"].ref()
    weighted = model.add_signal(f"{name}:weighted", np.zeros(W.shape[0]))
    model.add_op(Reset(weighted, tag=f"{name}: reset"))
    return source, weighted.ref(), add_product(model, name, W, source, weighted.ref(),
                                               learned=learned)


def add_product(model, name, W, source, weighted, learned=False):
    """``weighted += W @ source``; returns the array name, or ``(Signal, shape)`` when
    the matrix is learned (then it is state that learning rules update)."""
    if learned:
        signal = model.add_signal(f"{name}:weights", np.asarray(W).ravel(), kind="learned")
        model.add_op(LearnedDotInc(signal, W.shape, source, weighted,
                                   tag=f"{name}: learned product"))
        return signal, W.shape
    weights = model.add_array(f"{name}:weights", W)
    model.add_op(DotInc(weights, source, weighted, tag=f"{name}: product"))
    return weights


def _post_encoders(model, conn):
    built = model.params[conn.post_obj]
    return built.scaled_encoders[:, conn.post_slice]


def build_decoded(model, ens, pre_slice, function, transform, solver, eval_points,
                  scale_eval_points, rng, name, post_encoders=None, key=None,
                  learned=False):
    """Solve decoders for ``function`` of ``ens[pre_slice]``; add ``weighted = W @ a``.

    Returns ``(source_ref, weighted_ref, weights_name, eval_points, solver_info)``.
    Also used by probes of ``decoded_output``.  ``key`` (the connection or probe) finds a
    solve shared with the ensemble's other outputs (see ``plan_shared_solves``).
    """
    owner = f"Connection {name!r}"
    built = model.params[ens]
    if eval_points is None:
        points = built.eval_points
    else:
        points = sample_eval_points(ens, eval_points, rng, scale=scale_eval_points)
    size_mid = _size_mid(function, points, pre_slice)
    T = _transform_matrix(transform, size_mid, rng)
    shared = model.memo.get("shared", {}).pop(key, None) if key is not None else None
    if shared is not None:  # solved together with the ensemble's other outputs
        batch, index = shared
        D, info = batch.result(model, index)
        W = T @ np.asarray(D).T
    else:
        x, A = activities(built, ens.neuron_type, ens.radius, points)
        targets = function_targets(function, points[:, pre_slice], size_mid, owner)
        if post_encoders is not None and not getattr(solver, "compositional", True):
            # Non-compositional solvers find the full matrix directly: targets are the
            # post currents (without bias) that the decoded value would produce.
            full_targets = targets @ T.T @ post_encoders.T
            X, info = solve(model, solver, ens.neuron_type, built, x, A, full_targets, rng,
                            owner)
            W = np.asarray(X).T
        else:
            D, info = solve(model, solver, ens.neuron_type, built, x, A, targets, rng, owner)
            W = T @ np.asarray(D).T
    if post_encoders is not None and (shared is not None
                                      or getattr(solver, "compositional", True)):
        W = post_encoders @ W
    source, weighted, weights = add_decoded_product(model, ens, name, W, learned)
    return source, weighted, weights, _readonly(points), info


def _size_mid(function, points, pre_slice):
    if function is None:
        return points[:, pre_slice].shape[1]
    if isinstance(function, np.ndarray):
        return function.reshape(points.shape[0], -1).shape[1]
    return np.asarray(function(points[0, pre_slice])).size


def _transform_matrix(transform, size_mid, rng):
    """The transform as a dense (size_out x size_mid) matrix (decoded connections)."""
    if transform is None or isinstance(transform, NoTransform):
        return np.eye(size_mid)
    if not isinstance(transform, Dense):
        raise BuildError(f"{type(transform).__name__} transforms are only supported on "
                         "connections from nodes or neurons, not decoded connections")
    T = np.asarray(transform.sample(rng=rng), dtype=np.float64)
    if T.ndim == 0:
        return T * np.eye(size_mid)
    if T.ndim == 1:
        return np.diag(T)
    return T


def build_source(model, conn, name):
    """The signal a non-decoded connection reads, after ``function`` if it has one."""
    pre = conn.pre_obj
    out = model.sig[pre]["out"]
    if out is None:
        raise BuildError(f"Connection {name!r}: {model.name_of(pre)!r} has no output")
    source = out[conn.pre_slice]
    if conn.function is None:
        return source
    result = model.add_signal(f"{name}:function", np.zeros(conn.size_mid))
    model.add_op(PyFunc(conn.function, out=result, x=source, pass_time=False,
                        owner=f"Connection {name!r} function", tag=f"{name}: function"))
    return result.ref()


def build_transform(model, transform, source, rng, name, learned=False, loaded=None):
    """``weighted = transform(source)``; returns ``(weighted_ref, weights or None)``.

    ``loaded`` replaces the sampled transform (saved parameters).
    """
    if transform is None or isinstance(transform, NoTransform):
        if learned:
            raise BuildError(f"Connection {name!r}: learning needs a weight matrix; give "
                             "the connection a 2-D transform")
        return source, None
    weights = transform.sample(rng=rng)
    if loaded is not None:
        sparse = hasattr(weights, "tocsr")
        weights = check_shape(loaded, weights.shape if sparse else np.shape(weights),
                              f"{name}:weights", f"Connection {name!r}")
        if sparse:  # saved dense; zeros of the saved matrix are not stored
            weights = _sparse(weights)
    weighted = model.add_signal(f"{name}:weighted", np.zeros(transform.size_out))
    model.add_op(Reset(weighted, tag=f"{name}: reset"))
    if isinstance(transform, Dense):
        W = np.asarray(weights, dtype=np.float64)
        if W.ndim == 2:
            return weighted.ref(), add_product(model, name, W, source, weighted.ref(), learned)
        if learned:
            raise BuildError(f"Connection {name!r}: learning needs a full 2-D transform "
                             f"(got {W.ndim}-D); e.g. transform=np.eye(n) * value")
        weights_name = model.add_array(f"{name}:weights", weights)
        model.add_op(ElementwiseInc(W, source, weighted.ref(), tag=f"{name}: scale"))
        return weighted.ref(), weights_name
    if learned:
        raise BuildError(f"Connection {name!r}: learning rules need a Dense transform, "
                         f"not {type(transform).__name__}")
    weights_name = model.add_array(f"{name}:weights", weights)
    if hasattr(weights, "tocsr"):  # Sparse
        model.arrays[weights_name] = weights.tocsr()
        model.add_op(DotInc(weights_name, source, weighted.ref(), tag=f"{name}: transform"))
    else:
        model.add_op(TransformInc(transform, weights_name, source, weighted.ref(),
                                  tag=f"{name}: transform"))
    return weighted.ref(), weights_name


def build_synapse(model, synapse, ref, name, mode="update"):
    """Filter ``ref`` with ``synapse``; returns the filtered ref.

    ``mode="update"`` (connections, probes) delays by one step; ``"set"`` does not.
    """
    if synapse is None:
        return ref
    A, B, C, D = _discretized(model, synapse)
    size = ref.size
    out = model.add_signal(f"{name}:filtered", np.zeros(size))
    onex = A.shape == (1, 1) and D.size and D[0, 0] == 0
    state = model.add_signal(f"{name}:synapse_state", np.zeros(0 if onex else A.shape[0] * size))
    model.add_op(Filter(A, B, C, D, ref, out, state, mode=mode, tag=f"{name}: synapse"))
    return out.ref()


def _discretized(model, synapse):
    """``synapse.state_space(dt)``, computed once per distinct synapse in a build."""
    memo = model.memo.setdefault("state_space", {})
    if synapse not in memo:
        memo[synapse] = tuple(np.asarray(m, dtype=np.float64)
                              for m in synapse.state_space(model.dt))
    return memo[synapse]


def deliver(model, conn, filtered, weight_mode, name):
    """Add the connection's output into the post object's input."""
    post = conn.post_obj
    if isinstance(post, LearningRule):
        model.add_op(Copy(filtered, model.sig[post]["in"][conn.post_slice], inc=True,
                          tag=f"{name}: into learning rule"))
    elif isinstance(post, Neurons):
        gain = model.params[post.ensemble].gain
        J = model.sig[post]["in"]
        model.add_op(ElementwiseInc(gain[conn.post_slice], filtered, J[conn.post_slice],
                                    tag=f"{name}: into neurons"))
    elif weight_mode:
        J = model.sig[post.neurons]["in"]
        model.add_op(Copy(filtered, J.ref(), inc=True, tag=f"{name}: into neurons"))
    else:
        sig_in = model.sig[post]["in"]
        model.add_op(Copy(filtered, sig_in[conn.post_slice], inc=True,
                          tag=f"{name}: into {model.name_of(post)}"))


def _sparse(dense):
    import scipy.sparse

    return scipy.sparse.csr_matrix(dense)


def _readonly(arr):
    if hasattr(arr, "toarray"):
        return arr
    arr = np.array(arr)
    arr.setflags(write=False)
    return arr
