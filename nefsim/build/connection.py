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
from .learning import build_rules, modifies_weights, rules_of
from .model import BuiltConnection, register


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
    learned = modifies_weights(conn)
    rng = np.random.RandomState(model.seeds[conn])
    weight_mode = (is_decoded(conn.pre_obj) and isinstance(post, Ensemble)
                   and getattr(conn.solver, "weights", False))

    if is_decoded(conn.pre_obj):
        source, weighted, weights, eval_points, info = build_decoded(
            model, conn.pre_obj, conn.pre_slice, conn.function, conn.transform,
            conn.solver, conn.eval_points, conn.scale_eval_points, rng, name,
            post_encoders=_post_encoders(model, conn) if weight_mode else None, key=conn,
            learned=learned)
    else:
        source = build_source(model, conn, name)
        weighted, weights = build_transform(model, conn.transform, source, rng, name,
                                            learned=learned)
        eval_points, info = None, {}
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
        learned_sig = weights[0] if isinstance(weights, tuple) else None
        shape = weights[1] if isinstance(weights, tuple) else None
        build_rules(model, conn, name, learned_sig, shape)


def _initial_weights(model, weights):
    """The built value of a connection's weights (a named array or a learned signal)."""
    if weights is None:
        return None
    if isinstance(weights, tuple):  # (learned Signal, shape)
        signal, shape = weights
        return signal.initial.reshape(shape)
    return model.arrays[weights]


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
    source = model.sig[ens.neurons]["out"].ref()
    weighted = model.add_signal(f"{name}:weighted", np.zeros(W.shape[0]))
    model.add_op(Reset(weighted, tag=f"{name}: reset"))
    weights = add_product(model, name, W, source, weighted.ref(), learned=learned)
    return source, weighted.ref(), weights, _readonly(points), info


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


def build_transform(model, transform, source, rng, name, learned=False):
    """``weighted = transform(source)``; returns ``(weighted_ref, weights or None)``."""
    if transform is None or isinstance(transform, NoTransform):
        if learned:
            raise BuildError(f"Connection {name!r}: learning needs a weight matrix; give "
                             "the connection a 2-D transform")
        return source, None
    weights = transform.sample(rng=rng)
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


def _readonly(arr):
    if hasattr(arr, "toarray"):
        return arr
    arr = np.array(arr)
    arr.setflags(write=False)
    return arr
