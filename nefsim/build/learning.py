"""Build learning rules: filtered activities, the rule's update op, and its target.

Every rule follows one pattern (Nengo's): the rule's op runs in the update phase and
writes ``delta``; at the start of the next step ``delta`` is added to the learned signal
(a connection's weights, or a post ensemble's encoders for Voja) before anything reads
it.  So a change computed in step k acts in step k+1.  The maths of each rule is a pure
function in :mod:`nefsim.learning_rules`.
"""

import functools
from dataclasses import dataclass

import numpy as np

from ..ensemble import Ensemble, Neurons
from ..exceptions import BuildError
from ..learning_rules import (BCM, PES, RLS, LearningRule, Oja, Voja, bcm_update,
                              oja_update, pes_update, rls_update, voja_update)
from ..learning_rules import (PES14, STDP, TripletSTDP, pes14_update, stdp_update,
                              triplet_stdp_update)
from .ir import Copy, ProjectedInc, Reset, RuleStep


@dataclass(eq=False)
class LearnTarget:
    """The matrix a connection's rules learn, seen in the rules' own units.

    ``signal`` holds the matrix the connection runs with.  Usually that *is* the rules'
    matrix (of ``shape``).  After ``sim.weights`` turned the connection into a full
    post x pre matrix, ``P`` (rows) and ``cols`` map the rules' deltas into it; ``keep``
    (0 where a synapse is lesioned) keeps cut synapses at zero.
    """

    signal: object
    shape: tuple
    P: np.ndarray = None
    cols: np.ndarray = None
    keep: np.ndarray = None
    full_shape: tuple = None
    owner: str = ""

    def ref(self):
        """The matrix for rules that read it (Oja, STDP, ...): only in their own units."""
        if self.full_shape is not None:
            raise BuildError(
                f"{self.owner}: this rule reads the connection's weights in its own units, "
                "but the connection was edited into a full post x pre matrix; edit it with "
                "entries it can express (within the connection's own matrix) instead")
        return self.signal.ref()


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
                Voja: _build_voja, STDP: _build_stdp, TripletSTDP: _build_triplet_stdp,
                PES14: _build_pes14}
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
    tag = f"{rule_name}: apply delta"
    if isinstance(target, LearnTarget) and (target.full_shape or target.keep is not None):
        model.add_op(ProjectedInc(delta.ref(), tuple(shape), target.signal.ref(),
                                  target.full_shape or tuple(shape), P=target.P,
                                  cols=target.cols, keep=target.keep, tag=tag))
    else:
        signal = target.signal if isinstance(target, LearnTarget) else target
        model.add_op(Copy(delta.ref(), signal.ref(), inc=True, tag=tag))
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
    out = model.sig[neurons]["out"]
    if isinstance(pre, Neurons):  # a neuron slice learns from the sliced neurons only
        ref = out[conn.pre_slice]
        return ref, ref.size
    return out.ref(), neurons.ensemble.n_neurons


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
    post_out = model.sig[ens.neurons]["out"]
    post_out = (post_out[conn.post_slice] if isinstance(conn.post_obj, Neurons)
                else post_out.ref())
    post_filtered = _filtered(model, post_out, post_synapse, f"{rule_name}:post")
    return pre_filtered, n_pre, post_out, post_filtered, post_out.size


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
    n_post = (np.arange(ens.n_neurons)[conn.post_slice].size
              if isinstance(conn.post_obj, Neurons) else ens.n_neurons)
    if shape[0] != n_post:
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


# ---------------------------------------------------------------- STDP and 1.4's rule


def _neuron_sides(model, conn, name, rule_type, shape):
    """Refs to the pre and post neuron outputs this connection's weights join (sliced
    when the connection is between sliced Neurons), checked against the weights' shape,
    and the post ensemble."""
    pre, post = conn.pre_obj, conn.post_obj
    pre_neurons = pre.neurons if isinstance(pre, Ensemble) else pre
    post_ens = post.ensemble if isinstance(post, Neurons) else post
    if (not isinstance(pre_neurons, Neurons) or not isinstance(post_ens, Ensemble)
            or model.sig[pre_neurons].get("out") is None
            or model.sig[post_ens.neurons].get("out") is None):
        raise BuildError(f"Connection {name!r}: {type(rule_type).__name__} needs neurons "
                         f"on both sides (got {type(pre).__name__} -> {type(post).__name__})")
    pre_out = model.sig[pre_neurons]["out"]
    post_out = model.sig[post_ens.neurons]["out"]
    pre_ref = pre_out[conn.pre_slice] if isinstance(pre, Neurons) else pre_out.ref()
    post_ref = post_out[conn.post_slice] if isinstance(post, Neurons) else post_out.ref()
    if shape is None or tuple(shape) != (post_ref.size, pre_ref.size):
        raise BuildError(
            f"Connection {name!r}: {type(rule_type).__name__} learns neuron-to-neuron "
            f"weights of shape (post neurons, pre neurons) = ({post_ref.size}, "
            f"{pre_ref.size}), but the connection's weights have shape {shape}; connect "
            "Neurons to Neurons with a 2-D transform, or use a solver with weights=True")
    rows = conn.post_slice if isinstance(post, Neurons) else slice(None)
    return pre_ref, post_ref, post_ens, rows


def _trace(model, rule_name, key, size):
    return model.add_signal(f"{rule_name}:{key}", np.zeros(size)), (size,)


def _gain_encoders(model, ens, rows):
    """``gain[:, None] * unit_encoders`` of the post rows (1.4's ``alpha_i e_i``)."""
    built = model.params[ens]
    return (built.gain[:, None] * built.encoders)[rows]


def _build_stdp(model, conn, rule, rule_name, weights, shape):
    rule_type = rule.learning_rule_type
    _require_weights(weights, conn, rule_name, rule_type)
    pre, post, _, _ = _neuron_sides(model, conn, rule_name, rule_type, shape)
    state = {"pre_trace": _trace(model, rule_name, "pre_trace", pre.size),
             "post_trace": _trace(model, rule_name, "post_trace", post.size)}
    delta = _delta_and_apply(model, weights, shape, rule_name)
    rate, dt = rule_type.learning_rate, model.dt
    fn = functools.partial(
        stdp_update, dt=dt, decay_plus=np.exp(-dt / rule_type.tau_plus),
        decay_minus=np.exp(-dt / rule_type.tau_minus), a_plus=rate * rule_type.a_plus,
        a_minus=rate * rule_type.a_minus, min_weight=rule_type.min_weight,
        max_weight=rule_type.max_weight)
    inputs = {"pre": (pre, (pre.size,)), "post": (post, (post.size,)),
              "weights": (weights.ref(), shape)}
    _add_stateful_rule(model, rule, rule_name, "STDP", fn, inputs, delta, shape, state)


def _build_triplet_stdp(model, conn, rule, rule_name, weights, shape):
    rule_type = rule.learning_rule_type
    _require_weights(weights, conn, rule_name, rule_type)
    pre, post, ens, rows = _neuron_sides(model, conn, rule_name, rule_type, shape)
    sizes = {"r1": pre.size, "r2": pre.size, "o1": post.size, "o2": post.size}
    state = {k: _trace(model, rule_name, k, n) for k, n in sizes.items()}
    taus_ms = {"r1": rule_type.tauPlus, "r2": rule_type.tauX, "o1": rule_type.tauMinus,
               "o2": rule_type.tauY}
    dt, rate = model.dt, rule_type.learning_rate
    inputs = {"pre": (pre, (pre.size,)), "post": (post, (post.size,)),
              "weights": (weights.ref(), shape)}
    encoders = None
    if rule_type.modulated:
        modulation = _rule_input(model, rule, rule_name)
        inputs["modulation"] = (modulation.ref(), (modulation.size,))
        model.sig[rule]["modulation"] = modulation.ref()
        encoders = _gain_encoders(model, ens, rows)
    delta = _delta_and_apply(model, weights, shape, rule_name)
    fn = functools.partial(
        triplet_stdp_update, dt=dt,
        decays={k: np.exp(-dt / (1e-3 * tau)) for k, tau in taus_ms.items()},
        a2_plus=rate * rule_type.a2Plus, a3_plus=rate * rule_type.a3Plus,
        a2_minus=rate * rule_type.a2Minus, a3_minus=rate * rule_type.a3Minus,
        encoders=encoders, decay=rule_type.decay, homeostasis=rule_type.homeostasis,
        rate=rate, min_weight=rule_type.min_weight, max_weight=rule_type.max_weight)
    _add_stateful_rule(model, rule, rule_name, "TripletSTDP", fn, inputs, delta, shape,
                       state)


def _build_pes14(model, conn, rule, rule_name, weights, shape):
    rule_type = rule.learning_rule_type
    _require_weights(weights, conn, rule_name, rule_type)
    pre, _, ens, rows = _neuron_sides(model, conn, rule_name, rule_type, shape)
    error = _rule_input(model, rule, rule_name)
    # 1.4 counts a spike as 0.001 whatever the step.  Rate neurons (Hz) get the same
    # scale, so rate and spike mode learn alike (1.4 used raw Hz there: nef14.md §16).
    state = {"error_filtered": _trace(model, rule_name, "error_filtered", error.size),
             "pre_filtered": _trace(model, rule_name, "pre_filtered", pre.size)}
    inputs = {"error": (error.ref(), (error.size,)), "activities": (pre, (pre.size,)),
              "weights": (weights.ref(), shape)}
    if rule_type.oja:
        y = _decoded_value(model, conn, ens, rule_name)
        inputs["post_decoded"] = (y, (y.size,))
        model.sig[rule]["post_decoded"] = y
    delta = _delta_and_apply(model, weights, shape, rule_name)
    fn = functools.partial(pes14_update, decay=np.exp(-0.001 / rule_type.tau),
                           spike_scale=0.001 * model.dt,
                           rate=rule_type.learning_rate,
                           encoders=_gain_encoders(model, ens, rows))
    _add_stateful_rule(model, rule, rule_name, "PES14", fn, inputs, delta, shape, state)
    model.sig[rule]["error"] = error.ref()


def _add_stateful_rule(model, rule, rule_name, kind, fn, inputs, delta, shape, state):
    """Add a rule's update op and make its delta and carried traces probeable."""
    model.add_op(RuleStep(fn, inputs, delta, shape, state=state, tag=f"{rule_name}: {kind}"))
    model.sig[rule].update({k: (sig.ref(), s) for k, (sig, s) in state.items()})
    model.sig[rule]["delta"] = (delta.ref(), shape)


def _decoded_value(model, conn, ens, rule_name):
    """The post ensemble's decoded value this step, unfiltered (default LstsqL2)."""
    from ..solvers import LstsqL2
    from .connection import build_decoded

    rng = np.random.RandomState(model.seeds[conn])
    _, ref, _, _, _ = build_decoded(model, ens, slice(None), None, None, LstsqL2(), None,
                                    True, rng, f"{rule_name}:post_decoded")
    return ref
