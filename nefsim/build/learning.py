"""Build learning rules: filtered activities, the rule's update op, and its target.

Every rule follows one pattern (Nengo's): the rule's op runs in the update phase and
writes ``delta``; at the start of the next step ``delta`` is added to the learned signal
(a connection's weights, or a post ensemble's encoders for Voja) before anything reads
it.  So a change computed in step k acts in step k+1.  The maths of each rule is a pure
function in :mod:`nefsim.learning_rules`.
"""

import functools

import numpy as np

from ..ensemble import Ensemble, Neurons
from ..exceptions import BuildError
from ..learning_rules import (BCM, PES, RLS, LearningRule, Oja, Voja, bcm_update,
                              oja_update, pes_update, rls_update, voja_update)
from .ir import Copy, Reset, RuleStep


def rules_of(conn):
    """The LearningRule objects of a connection (none, one, a list or a dict)."""
    rule = getattr(conn, "learning_rule", None)
    if rule is None:
        return []
    if isinstance(rule, LearningRule):
        return [rule]
    if isinstance(rule, dict):
        return list(rule.values())
    return list(rule)


def modifies_weights(conn):
    return any(r.learning_rule_type.modifies in ("weights", "decoders") for r in rules_of(conn))


def voja_targets(network):
    """Ensembles whose encoders a Voja rule learns (they need writable encoders)."""
    return {conn.post_obj for conn in network.all_connections
            if any(isinstance(r.learning_rule_type, Voja) for r in rules_of(conn))}


def build_rules(model, conn, name, weights, shape):
    """Build every learning rule of ``conn``; ``weights`` is its learned Signal or None."""
    builders = {PES: _build_pes, RLS: _build_rls, BCM: _build_bcm, Oja: _build_oja,
                Voja: _build_voja}
    for i, rule in enumerate(rules_of(conn)):
        rule_type = rule.learning_rule_type
        builder = builders.get(type(rule_type))
        if builder is None:
            raise BuildError(f"Connection {name!r}: no builder for learning rule "
                             f"{type(rule_type).__name__}")
        rule_name = f"{name}.learning_rule" + (f"[{i}]" if len(rules_of(conn)) > 1 else "")
        model.names[rule] = rule_name
        model.params[rule] = None
        builder(model, conn, rule, rule_name, weights, shape)


def _rule_input(model, rule, rule_name, reset_value=0.0):
    sig_in = model.add_signal(f"{rule_name}:in", np.full(rule.size_in, reset_value))
    model.add_op(Reset(sig_in, reset_value, tag=f"{rule_name}: reset input"))
    model.sig[rule]["in"] = sig_in
    return sig_in


def _filtered(model, ref, synapse, name):
    """``ref`` through ``synapse`` within the step (no delay): the rule sees this step's
    filtered activity, as in Nengo."""
    from .connection import build_synapse  # the one place that builds filters

    return build_synapse(model, synapse, ref, name, mode="set")


def _delta_and_apply(model, target, shape, rule_name):
    """The rule's ``delta`` signal and the op adding it into ``target`` each step."""
    delta = model.add_signal(f"{rule_name}:delta", np.zeros(int(np.prod(shape))))
    model.add_op(Copy(delta.ref(), target.ref(), inc=True, tag=f"{rule_name}: apply delta"))
    return delta


def _require_weights(weights, conn, name, rule_type):
    if weights is None:
        raise BuildError(
            f"Connection {name!r}: {type(rule_type).__name__} needs a connection with a "
            "weight matrix (a decoded connection, or a Dense 2-D transform)")


def _pre_activities(model, conn, name):
    pre = conn.pre_obj
    neurons = pre.neurons if isinstance(pre, Ensemble) else pre
    if not isinstance(neurons, Neurons):
        raise BuildError(f"Connection {name!r}: learning needs neurons before the "
                         f"connection (got a {type(pre).__name__})")
    return model.sig[neurons]["out"].ref(), neurons.ensemble.n_neurons


def _post_neurons(model, conn, name, rule_type):
    post = conn.post_obj
    ens = post.ensemble if isinstance(post, Neurons) else post
    if not isinstance(ens, Ensemble) or model.sig[ens.neurons].get("out") is None:
        raise BuildError(f"Connection {name!r}: {type(rule_type).__name__} needs a post "
                         f"ensemble with neurons (got {type(post).__name__})")
    return ens


def _build_pes(model, conn, rule, rule_name, weights, shape):
    rule_type = rule.learning_rule_type
    _require_weights(weights, conn, rule_name, rule_type)
    pre_out, n_pre = _pre_activities(model, conn, rule_name)
    error = _rule_input(model, rule, rule_name)
    activities = _filtered(model, pre_out, rule_type.pre_synapse, f"{rule_name}:activities")
    encoders = None
    post = conn.post_obj
    if shape[0] != error.size:  # connection into neurons: project the error per neuron
        ens = post.ensemble if isinstance(post, Neurons) else post
        E = model.params[ens].scaled_encoders
        encoders = E[conn.post_slice] if isinstance(post, Neurons) else E[:, conn.post_slice]
    delta = _delta_and_apply(model, weights, shape, rule_name)
    scale = -rule_type.learning_rate * model.dt / n_pre
    fn = functools.partial(pes_update, scale=scale, encoders=encoders)
    model.add_op(RuleStep(fn, {"error": (error.ref(), (error.size,)),
                               "activities": (activities, (n_pre,))},
                          delta, shape, tag=f"{rule_name}: PES"))
    model.sig[rule].update({"error": error.ref(), "activities": activities,
                            "delta": (delta.ref(), shape)})


def _build_rls(model, conn, rule, rule_name, weights, shape):
    rule_type = rule.learning_rule_type
    _require_weights(weights, conn, rule_name, rule_type)
    pre_out, n_pre = _pre_activities(model, conn, rule_name)
    error = _rule_input(model, rule, rule_name)
    pre_filtered = _filtered(model, pre_out, rule_type.pre_synapse, f"{rule_name}:pre")
    P0 = np.eye(n_pre) * (rule_type.learning_rate * model.dt / n_pre)
    inv_gamma = model.add_signal(f"{rule_name}:inv_gamma", P0.ravel())
    delta = _delta_and_apply(model, weights, shape, rule_name)
    model.add_op(RuleStep(rls_update, {"error": (error.ref(), (error.size,)),
                                       "pre_filtered": (pre_filtered, (n_pre,))},
                          delta, shape, state={"inv_gamma": (inv_gamma, (n_pre, n_pre))},
                          tag=f"{rule_name}: RLS"))
    model.sig[rule].update({"error": error.ref(), "pre_filtered": pre_filtered,
                            "delta": (delta.ref(), shape),
                            "inv_gamma": (inv_gamma.ref(), (n_pre, n_pre))})


def _pre_post_filtered(model, conn, rule, rule_name):
    rule_type = rule.learning_rule_type
    pre_out, n_pre = _pre_activities(model, conn, rule_name)
    ens = _post_neurons(model, conn, rule_name, rule_type)
    post_synapse = rule_type.post_synapse or rule_type.pre_synapse
    pre_filtered = _filtered(model, pre_out, rule_type.pre_synapse, f"{rule_name}:pre")
    post_out = model.sig[ens.neurons]["out"].ref()
    post_filtered = _filtered(model, post_out, post_synapse, f"{rule_name}:post")
    return pre_filtered, n_pre, post_out, post_filtered, ens.n_neurons


def _build_bcm(model, conn, rule, rule_name, weights, shape):
    rule_type = rule.learning_rule_type
    _require_weights(weights, conn, rule_name, rule_type)
    _require_neuron_weights(conn, rule_name, rule_type, model, shape)
    pre_f, n_pre, post_out, post_f, n_post = _pre_post_filtered(model, conn, rule, rule_name)
    theta = _filtered(model, post_out, rule_type.theta_synapse, f"{rule_name}:theta")
    delta = _delta_and_apply(model, weights, shape, rule_name)
    fn = functools.partial(bcm_update, alpha=rule_type.learning_rate * model.dt)
    model.add_op(RuleStep(fn, {"pre_filtered": (pre_f, (n_pre,)),
                               "post_filtered": (post_f, (n_post,)),
                               "theta": (theta, (n_post,))}, delta, shape,
                          tag=f"{rule_name}: BCM"))
    model.sig[rule].update({"theta": theta, "pre_filtered": pre_f, "post_filtered": post_f,
                            "delta": (delta.ref(), shape)})


def _build_oja(model, conn, rule, rule_name, weights, shape):
    rule_type = rule.learning_rule_type
    _require_weights(weights, conn, rule_name, rule_type)
    _require_neuron_weights(conn, rule_name, rule_type, model, shape)
    pre_f, n_pre, _, post_f, n_post = _pre_post_filtered(model, conn, rule, rule_name)
    delta = _delta_and_apply(model, weights, shape, rule_name)
    fn = functools.partial(oja_update, alpha=rule_type.learning_rate * model.dt,
                           beta=rule_type.beta)
    model.add_op(RuleStep(fn, {"pre_filtered": (pre_f, (n_pre,)),
                               "post_filtered": (post_f, (n_post,)),
                               "weights": (weights.ref(), shape)}, delta, shape,
                          tag=f"{rule_name}: Oja"))
    model.sig[rule].update({"pre_filtered": pre_f, "post_filtered": post_f,
                            "delta": (delta.ref(), shape)})


def _require_neuron_weights(conn, name, rule_type, model, shape):
    ens = _post_neurons(model, conn, name, rule_type)
    if shape[0] != ens.n_neurons:
        raise BuildError(
            f"Connection {name!r}: {type(rule_type).__name__} learns neuron-to-neuron "
            "weights; connect to post.neurons or use a solver with weights=True")


def _build_voja(model, conn, rule, rule_name, weights, shape):
    rule_type = rule.learning_rule_type
    post = conn.post_obj
    if not isinstance(post, Ensemble) or "encoders_signal" not in model.sig[post]:
        raise BuildError(f"Connection {rule_name!r}: Voja learns the encoders of the post "
                         "ensemble; the connection must end at an Ensemble with neurons")
    built = model.params[post]
    encoders = model.sig[post]["encoders_signal"]
    enc_shape = built.scaled_encoders.shape
    learning_signal = _rule_input(model, rule, rule_name, reset_value=1.0)
    post_out = model.sig[post.neurons]["out"].ref()
    post_f = _filtered(model, post_out, rule_type.post_synapse, f"{rule_name}:post")
    delta = _delta_and_apply(model, encoders, enc_shape, rule_name)
    fn = functools.partial(voja_update, alpha=rule_type.learning_rate * model.dt,
                           scale=built.gain / post.radius)
    model.add_op(RuleStep(fn, {"post_filtered": (post_f, (enc_shape[0],)),
                               "decoded_input": (model.sig[post]["in"].ref(), (enc_shape[1],)),
                               "learning_signal": (learning_signal.ref(), (1,)),
                               "scaled_encoders": (encoders.ref(), enc_shape)},
                          delta, enc_shape, tag=f"{rule_name}: Voja"))
    model.sig[rule].update({"post_filtered": post_f,
                            "scaled_encoders": (encoders.ref(), enc_shape),
                            "delta": (delta.ref(), enc_shape)})
