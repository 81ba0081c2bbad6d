"""Learning rule types (PES, RLS, BCM, Oja, Voja) and the ``LearningRule`` endpoints.

Also rules Nengo 4 lacks: pair and triplet STDP (:class:`STDP`, :class:`TripletSTDP`)
and the error-minimising rule of Nengo 1.4's ``learn`` (:class:`PES14`).

A *learning rule type* is a value object (like a neuron type) naming a rule and its
parameters; it is given to a connection as ``learning_rule_type``.  The connection then
exposes one :class:`LearningRule` per type as ``conn.learning_rule``: an object that error
or modulatory signals connect into (``Connection(error, conn.learning_rule)``) and that
probes can record.  The update equations live in the builder (see the reference
nengo.md §2.7); this module only describes and validates.
"""

import warnings

from ._base import FrozenObject, _value_key
from ._validation import Default, check_bool, check_number
from .base import ObjView
from .config import resolve_default
from .exceptions import ValidationError
from .synapses import Lowpass, as_synapse


class LearningRuleType(FrozenObject):
    """Base class of learning rule types.

    Parameters
    ----------
    learning_rate : float, optional
        Scale of the updates (>= 0).
    size_in : int or str, optional
        Dimensionality of the signal that drives the rule: an int, or ``"pre_state"``,
        ``"post_state"`` or ``"mid"`` for a size taken from the connection.

    Attributes
    ----------
    modifies : str
        What the rule changes: ``"decoders"``, ``"weights"`` or ``"encoders"``.
    probeable : tuple of str
        Signals of the rule that can be probed.
    """

    _param_defaults = {"learning_rate": 1e-6}
    modifies = None
    probeable = ()

    def __init__(self, learning_rate=Default, size_in=0):
        learning_rate = resolve_default(self, "learning_rate", learning_rate)
        self.learning_rate = check_number(learning_rate, "learning_rate", self, low=0)
        if self.learning_rate >= 1.0:
            warnings.warn(f"{type(self).__name__}: a learning rate of {self.learning_rate} "
                          "is very high and can make the learned weights blow up")
        self.size_in = size_in

    def _synapse(self, name, value):
        """Resolve ``Default`` and check a synapse parameter (None allowed)."""
        return as_synapse(resolve_default(self, name, value), name, self)

    def _repr_defaults(self):
        return type(self)._param_defaults

    def __repr__(self):
        """``Type(arg=value, ...)`` listing arguments that differ from their defaults."""
        defaults = self._repr_defaults()
        shown = [f"{name}={value!r}" for name, value in self._public_params().items()
                 if name in defaults and _value_key(value) != _value_key(defaults[name])]
        return f"{type(self).__name__}({', '.join(shown)})"


class PES(LearningRuleType):
    """Prescribed Error Sensitivity: moves decoders against an error signal.

    The error (``actual - target``, of the post's dimensionality) is connected into
    ``conn.learning_rule``; each step the decoders change by
    ``-learning_rate * dt / n_neurons * error x activities``.

    Parameters
    ----------
    learning_rate : float, optional
        Default 1e-4.
    pre_synapse : Synapse, optional
        Filter on the presynaptic activities.  Default ``Lowpass(0.005)``.
    """

    _param_defaults = {"learning_rate": 1e-4, "pre_synapse": Lowpass(tau=0.005)}
    modifies = "decoders"
    probeable = ("error", "activities", "delta")

    def __init__(self, learning_rate=Default, pre_synapse=Default):
        super().__init__(learning_rate, size_in="post_state")
        self.pre_synapse = self._synapse("pre_synapse", pre_synapse)


class RLS(LearningRuleType):
    """Recursive least squares: like PES, with an estimate of the activities' inverse
    correlation matrix for faster convergence (O(n^2) per step).

    Parameters
    ----------
    learning_rate : float, optional
        Default 1e-3.
    pre_synapse : Synapse, optional
        Default ``Lowpass(0.005)``.
    """

    _param_defaults = {"learning_rate": 1e-3, "pre_synapse": Lowpass(tau=0.005)}
    modifies = "decoders"
    probeable = ("pre_filtered", "error", "delta", "inv_gamma")

    def __init__(self, learning_rate=Default, pre_synapse=Default):
        super().__init__(learning_rate, size_in="post_state")
        self.pre_synapse = self._synapse("pre_synapse", pre_synapse)


class BCM(LearningRuleType):
    """Bienenstock-Cooper-Munro rule: Hebbian learning with a sliding threshold.

    Needs a connection to neurons (``weights=True`` on the solver, or Neurons to Neurons).

    Parameters
    ----------
    learning_rate : float, optional
        Default 1e-9.
    pre_synapse : Synapse, optional
        Default ``Lowpass(0.005)``.
    post_synapse : Synapse, optional
        Default: the same as ``pre_synapse``.
    theta_synapse : Synapse, optional
        Filter giving the threshold from the post activity.  Default ``Lowpass(1.0)``.
    """

    _param_defaults = {"learning_rate": 1e-9, "pre_synapse": Lowpass(tau=0.005),
                       "post_synapse": None, "theta_synapse": Lowpass(tau=1.0)}
    modifies = "weights"
    probeable = ("theta", "pre_filtered", "post_filtered", "delta")

    def __init__(self, learning_rate=Default, pre_synapse=Default, post_synapse=Default,
                 theta_synapse=Default):
        super().__init__(learning_rate, size_in=0)
        self.pre_synapse = self._synapse("pre_synapse", pre_synapse)
        post = self._synapse("post_synapse", post_synapse)
        self.post_synapse = self.pre_synapse if post is None else post
        self.theta_synapse = self._synapse("theta_synapse", theta_synapse)

    def _repr_defaults(self):
        return {**super()._repr_defaults(), "post_synapse": self.pre_synapse}


class Oja(LearningRuleType):
    """Oja's rule: Hebbian learning with a forgetting term that bounds the weights.

    Needs a connection to neurons (``weights=True`` on the solver, or Neurons to Neurons).

    Parameters
    ----------
    learning_rate : float, optional
        Default 1e-6.
    pre_synapse : Synapse, optional
        Default ``Lowpass(0.005)``.
    post_synapse : Synapse, optional
        Default: the same as ``pre_synapse``.
    beta : float, optional
        Weight of the forgetting term (>= 0).  Default 1.0.
    """

    _param_defaults = {"learning_rate": 1e-6, "pre_synapse": Lowpass(tau=0.005),
                       "post_synapse": None, "beta": 1.0}
    modifies = "weights"
    probeable = ("pre_filtered", "post_filtered", "delta")

    def __init__(self, learning_rate=Default, pre_synapse=Default, post_synapse=Default,
                 beta=Default):
        super().__init__(learning_rate, size_in=0)
        self.pre_synapse = self._synapse("pre_synapse", pre_synapse)
        post = self._synapse("post_synapse", post_synapse)
        self.post_synapse = self.pre_synapse if post is None else post
        self.beta = check_number(resolve_default(self, "beta", beta), "beta", self, low=0)

    def _repr_defaults(self):
        return {**super()._repr_defaults(), "post_synapse": self.pre_synapse}


class Voja(LearningRuleType):
    """Vector Oja: moves the post ensemble's encoders towards the inputs it responds to.

    A scalar connected into ``conn.learning_rule`` scales learning (0: learn, -1: stop).

    Parameters
    ----------
    learning_rate : float, optional
        Default 1e-2.
    post_synapse : Synapse, optional
        Filter on the post activities.  Default ``Lowpass(0.005)``.
    """

    _param_defaults = {"learning_rate": 1e-2, "post_synapse": Lowpass(tau=0.005)}
    modifies = "encoders"
    probeable = ("post_filtered", "scaled_encoders", "delta")

    def __init__(self, learning_rate=Default, post_synapse=Default):
        super().__init__(learning_rate, size_in=1)
        self.post_synapse = self._synapse("post_synapse", post_synapse)


class LearningRule:
    """One learning rule applied to one connection: a connection endpoint and probe target.

    Created by the connection (``conn.learning_rule``), not by users.

    Attributes
    ----------
    connection : Connection
    learning_rule_type : LearningRuleType
    size_in : int
        Size of the error/modulatory input (0 for rules without one).
    """

    def __init__(self, connection, learning_rule_type):
        self._connection = connection
        self.learning_rule_type = learning_rule_type

    @property
    def connection(self):
        return self._connection

    @property
    def label(self):
        return None

    @property
    def modifies(self):
        return self.learning_rule_type.modifies

    @property
    def probeable(self):
        return self.learning_rule_type.probeable

    @property
    def size_in(self):
        size = self.learning_rule_type.size_in
        if isinstance(size, int):
            return size
        conn = self._connection
        if size == "post_state":
            post = conn.post_obj
            return post.ensemble.size_in if hasattr(post, "ensemble") else conn.size_out
        if size == "pre_state":
            pre = conn.pre_obj
            return pre.ensemble.size_out if hasattr(pre, "ensemble") else conn.size_in
        if size == "mid":
            return conn.size_mid
        raise ValueError(f"unknown size_in {size!r} of {self.learning_rule_type}")

    @property
    def size_out(self):
        return 0

    def __getitem__(self, key):
        return ObjView(self, key)

    def __repr__(self):
        return (f"<LearningRule at 0x{id(self):x} modifying {self._connection!r} with type "
                f"{self.learning_rule_type!r}>")

    def __str__(self):
        return (f"<LearningRule modifying {self._connection} with type "
                f"{self.learning_rule_type!r}>")


# ------------------------------------------------------------------------------------
# The maths of each rule: pure functions over an array module ``xp``, shared by every
# backend.  Each returns ``(delta, new_state)``; the builder fixes the constant keyword
# arguments (rates, scales, encoders) with functools.partial.  ``alpha`` is
# ``learning_rate * dt``.


def pes_update(xp, error, activities, scale, encoders=None):
    """PES: ``delta = outer(scale * e, a)`` with ``scale = -learning_rate * dt / n_pre``.

    For connections into neurons the error is first projected onto each post neuron
    through its scaled encoders (``encoders @ e``).
    """
    local = error if encoders is None else encoders @ error
    return xp.outer(scale * local, activities), {}


def bcm_update(xp, pre_filtered, post_filtered, theta, alpha):
    """BCM: ``delta = outer(alpha * post * (post - theta), pre)``."""
    return xp.outer(alpha * post_filtered * (post_filtered - theta), pre_filtered), {}


def oja_update(xp, pre_filtered, post_filtered, weights, alpha, beta):
    """Oja: ``delta = -beta * W * (alpha * post**2)[:, None] + outer(alpha * post, pre)``."""
    post_squared = alpha * post_filtered * post_filtered
    return (-beta * weights * post_squared[:, None]
            + xp.outer(alpha * post_filtered, pre_filtered)), {}


def voja_update(xp, post_filtered, decoded_input, learning_signal, scaled_encoders, alpha,
                scale):
    """Voja: ``delta = alpha * L * (scale[:, None] * outer(post, x) - post[:, None] * E)``.

    ``x`` is the post ensemble's decoded input, ``E`` its current scaled encoders and
    ``scale = gain / radius``; the learning signal ``L`` is 1 unless an input drives it.
    """
    return alpha * learning_signal * (
        scale[:, None] * xp.outer(post_filtered, decoded_input)
        - post_filtered[:, None] * scaled_encoders), {}


def rls_update(xp, error, pre_filtered, inv_gamma):
    """Recursive least squares: update the inverse correlation ``P`` (``inv_gamma``)
    with the filtered activities ``a``, then ``delta = -outer(e, P a) / (1 + a P a)``."""
    Pa = inv_gamma @ pre_filtered
    gain = 1.0 / (1.0 + pre_filtered @ Pa)
    new_P = inv_gamma - gain * xp.outer(Pa, Pa)
    return -gain * xp.outer(error, Pa), {"inv_gamma": new_P}


# ------------------------------------------------------------------------------------
# Rules that Nengo 4 lacks: spike-timing-dependent plasticity (pair and triplet) and the
# error-minimising rule of Nengo 1.4's ``nef.Network.learn``.  All three learn
# neuron-to-neuron weights (``modifies = "weights"``) and carry their traces or filtered
# signals as rule state from step to step.


def _check_optional(value, attr, obj, low=None, low_open=False):
    return check_number(value, attr, obj, low=low, low_open=low_open, optional=True)


def _check_bounds(rule):
    if (rule.min_weight is not None and rule.max_weight is not None
            and rule.min_weight > rule.max_weight):
        raise ValidationError(f"must not exceed max_weight={rule.max_weight} (got "
                              f"{rule.min_weight})", "min_weight", rule)


class _ScaledRule(LearningRuleType):
    """A rule whose amplitude parameters carry the scale of the updates, so that
    ``learning_rate`` is a plain multiplier whose natural value is 1 (the base class's
    "very high learning rate" warning does not apply)."""

    def _init_rate(self, learning_rate, size_in):
        learning_rate = resolve_default(self, "learning_rate", learning_rate)
        self.learning_rate = check_number(learning_rate, "learning_rate", self, low=0)
        self.size_in = size_in


class STDP(_ScaledRule):
    """Pair-based spike-timing-dependent plasticity on neuron-to-neuron weights.

    Every pair of a presynaptic spike at ``t_pre`` and a postsynaptic spike at ``t_post``
    changes the weight between them by

    * ``+learning_rate * a_plus * exp(-(t_post - t_pre) / tau_plus)`` when the pre spike
      came first (potentiation), and
    * ``-learning_rate * a_minus * exp(-(t_pre - t_post) / tau_minus)`` when the post
      spike came first (depression);

    all pairs add up ("all-to-all" interaction).  It is implemented with one exponential
    trace per neuron: the pre trace ``x`` (time constant ``tau_plus``) and the post trace
    ``y`` (``tau_minus``) jump by 1 at each spike.  A post spike adds ``a_plus * x`` to
    its row of weights and a pre spike subtracts ``a_minus * y`` from its column, using
    the traces as they were just before the step, so spikes in the same time step do
    not interact.  Rate neurons give the rate-based version of the rule (a "spike" is
    ``rate * dt``).

    Needs a connection into neurons (``Neurons`` to ``Neurons``, or ``weights=True``).
    Not in Nengo 4; the defaults follow Song, Miller and Abbott (2000).

    Parameters
    ----------
    learning_rate : float, optional
        Multiplies every change.  Default 1.
    a_plus, a_minus : float, optional
        Potentiation and depression amplitudes (>= 0).  Default 5e-3 and 5.25e-3.
    tau_plus, tau_minus : float, optional
        Widths of the potentiation and depression windows, in seconds.  Default 0.02.
    min_weight, max_weight : float or None, optional
        When given, weights are kept inside these bounds (a change that would cross one
        stops at it).  Default None (unbounded).
    """

    _param_defaults = {"learning_rate": 1.0, "a_plus": 5e-3, "a_minus": 5.25e-3,
                       "tau_plus": 0.02, "tau_minus": 0.02, "min_weight": None,
                       "max_weight": None}
    modifies = "weights"
    probeable = ("pre_trace", "post_trace", "delta")

    def __init__(self, learning_rate=Default, a_plus=Default, a_minus=Default,
                 tau_plus=Default, tau_minus=Default, min_weight=Default,
                 max_weight=Default):
        self._init_rate(learning_rate, size_in=0)
        for name, value in (("a_plus", a_plus), ("a_minus", a_minus)):
            setattr(self, name, check_number(resolve_default(self, name, value), name,
                                             self, low=0))
        for name, value in (("tau_plus", tau_plus), ("tau_minus", tau_minus)):
            setattr(self, name, check_number(resolve_default(self, name, value), name,
                                             self, low=0, low_open=True))
        self.min_weight = _check_optional(resolve_default(self, "min_weight", min_weight),
                                          "min_weight", self)
        self.max_weight = _check_optional(resolve_default(self, "max_weight", max_weight),
                                          "max_weight", self)
        _check_bounds(self)


class TripletSTDP(_ScaledRule):
    """The triplet spike-timing rule of Pfister and Gerstner (2006), on neuron weights.

    Each pre neuron ``j`` has two traces ``r1`` (time constant ``tauPlus``) and ``r2``
    (``tauX``); each post neuron ``i`` has ``o1`` (``tauMinus``) and ``o2`` (``tauY``).
    Every trace decays exponentially and jumps by 1 at a spike of its neuron.  Using the
    traces as they were just before the current step:

    * a post spike potentiates: ``W[i, j] += r1[j] * (a2Plus + a3Plus * o2[i])``;
    * a pre spike depresses: ``W[i, j] -= o1[i] * (a2Minus + a3Minus * r2[j])``.

    The triplet terms (``a3``) make potentiation grow with the post firing rate, which
    is why pairings repeated at high frequency potentiate even when post leads pre.
    With ``a3Plus = a3Minus = 0`` this is pair STDP (:class:`STDP`).

    The parameter names, defaults and units are those of Nengo 1.4's
    ``nef.Network.learn(..., stdp=True)``: amplitudes are dimensionless and the time
    constants are in **milliseconds** (converted to seconds when built).  1.4's own
    implementation could not be reached from its scripting API; this one follows the
    paper (1.4's code had the signs of the two terms reversed and used Euler-decayed
    traces measured in time steps).

    Optional terms, all multiplied by ``learning_rate`` like the STDP terms (1.4 scales
    its whole update by its ``rate``):

    * ``modulated=True``: the rule takes an input of the post ensemble's dimensionality
      (connect it to ``conn.learning_rule``); row ``i``'s STDP change is multiplied by
      ``gain[i] * (encoder[i] . m)`` (1.4's error-modulated variant);
    * ``decay=d``: each step also subtracts ``d * W`` (``d`` per time step);
    * ``homeostasis=v``: each step also adds ``W[i] * (v / |W[i]|_1 - 1)`` to every row
      whose L1 norm is not already ``v``, pulling the rows' L1 norms to ``v``;
    * ``min_weight``/``max_weight``: bounds the weights stay inside.

    Parameters
    ----------
    a2Minus, a3Minus, a2Plus, a3Plus : float, optional
        Pair and triplet amplitudes (>= 0).  Default 5e-3 each.
    tauMinus, tauX, tauPlus, tauY : float, optional
        Trace time constants in ms (> 0).  Default 70 each.
    decay : float or None, optional
        Weight decay per step.  Default None (off).
    homeostasis : float or None, optional
        Target L1 norm of each post neuron's weight row.  Default None (off).
    learning_rate : float, optional
        Multiplies every change (1.4's ``rate``).  Default 1.
    min_weight, max_weight : float or None, optional
        Weight bounds.  Default None.
    modulated : bool, optional
        Whether an error/modulatory input scales the changes.  Default False.
    """

    _param_defaults = {"a2Minus": 5e-3, "a3Minus": 5e-3, "tauMinus": 70.0, "tauX": 70.0,
                       "a2Plus": 5e-3, "a3Plus": 5e-3, "tauPlus": 70.0, "tauY": 70.0,
                       "decay": None, "homeostasis": None, "learning_rate": 1.0,
                       "min_weight": None, "max_weight": None, "modulated": False}
    modifies = "weights"

    def __init__(self, a2Minus=Default, a3Minus=Default, tauMinus=Default, tauX=Default,
                 a2Plus=Default, a3Plus=Default, tauPlus=Default, tauY=Default,
                 decay=Default, homeostasis=Default, learning_rate=Default,
                 min_weight=Default, max_weight=Default, modulated=Default):
        modulated = check_bool(resolve_default(self, "modulated", modulated), "modulated",
                               self)
        self._init_rate(learning_rate, size_in="post_state" if modulated else 0)
        self.modulated = modulated
        given = {"a2Minus": a2Minus, "a3Minus": a3Minus, "tauMinus": tauMinus, "tauX": tauX,
                 "a2Plus": a2Plus, "a3Plus": a3Plus, "tauPlus": tauPlus, "tauY": tauY}
        for name, value in given.items():
            is_tau = name.startswith("tau")
            setattr(self, name, check_number(resolve_default(self, name, value), name, self,
                                             low=0, low_open=is_tau))
        self.decay = _check_optional(resolve_default(self, "decay", decay), "decay", self,
                                     low=0)
        self.homeostasis = _check_optional(resolve_default(self, "homeostasis", homeostasis),
                                           "homeostasis", self, low=0, low_open=True)
        self.min_weight = _check_optional(resolve_default(self, "min_weight", min_weight),
                                          "min_weight", self)
        self.max_weight = _check_optional(resolve_default(self, "max_weight", max_weight),
                                          "max_weight", self)
        _check_bounds(self)

    @property
    def probeable(self):
        return ("r1", "r2", "o1", "o2", "delta") + (("modulation",) if self.modulated else ())


class PES14(LearningRuleType):
    """The error-minimising rule of Nengo 1.4's ``nef.Network.learn`` (its "PES").

    Learns the neuron-to-neuron weights ``W`` (post x pre) of a connection into neurons
    from an error ``m = target - actual`` (note: the opposite sign of Nengo 4's
    :class:`PES`) of the post ensemble's dimensionality, connected into
    ``conn.learning_rule``.  Each step, after the neurons have run:

    * ``e_bar <- d * e_bar + (1 - d) * m`` and ``a_hat <- d * a_hat + (1 - d) * s``,
      with ``d = exp(-0.001 / tau)`` for a fixed 1 ms step whatever ``dt`` is (as 1.4);
      ``s`` is the pre neurons' output with a spike counted as 0.001 (not ``1/dt``;
      so ``a_hat ~ rate * 1e-6`` at ``dt = 1 ms``).  Rate neurons are put on the same
      scale (``rate * dt * 0.001``), so a model learns equally fast in rate and spike
      mode; 1.4 used the raw rate in Hz there, 10**6 times larger (nef14.md §16);
    * ``delta W[i, j] = learning_rate * gain[i] * (encoder[i] . e_bar) * a_hat[j]``
      ``- [oja] learning_rate * |y|^2 * W[i, j]``,

    **per time step** (not multiplied by ``dt``).  ``encoder[i]`` is post neuron ``i``'s
    unit encoder, ``gain[i]`` its gain, and ``y`` the post ensemble's decoded value this
    step, unfiltered (decoders from ``LstsqL2()``; built only when ``oja``).  A
    positive error along ``encoder[i]`` raises the input to neuron ``i``, so the rule
    moves post's decoded value towards the target.

    Parameters
    ----------
    learning_rate : float, optional
        1.4's ``rate``, the per-step gain.  Default 5e-7 (1.4's default, which learns
        very slowly; 1.4's demos use 5e-4).
    tau : float, optional
        Time constant (s) of the rule's own filters of error and pre activity: the
        learned termination's ``pstc``.  Default 0.005 (1.4's learning template).
    oja : bool, optional
        Include the Oja normalisation term.  Default True (the default of 1.4's
        ``learn``; ``learn_array`` always has it on).
    """

    _param_defaults = {"learning_rate": 5e-7, "tau": 0.005, "oja": True}
    modifies = "weights"

    def __init__(self, learning_rate=Default, tau=Default, oja=Default):
        super().__init__(learning_rate, size_in="post_state")
        self.tau = check_number(resolve_default(self, "tau", tau), "tau", self, low=0,
                                low_open=True)
        self.oja = check_bool(resolve_default(self, "oja", oja), "oja", self)

    @property
    def probeable(self):
        return ("error", "error_filtered", "pre_filtered", "delta") + (
            ("post_decoded",) if self.oja else ())


def _keep_within(xp, weights, change, min_weight, max_weight):
    """The change that moves ``weights`` by ``change`` but stops at the bounds."""
    if min_weight is None and max_weight is None:
        return change
    return xp.clip(weights + change, min_weight, max_weight) - weights


def stdp_update(xp, pre, post, weights, pre_trace, post_trace, dt, decay_plus,
                decay_minus, a_plus, a_minus, min_weight=None, max_weight=None):
    """Pair STDP.  ``pre``/``post`` are neuron outputs (a spike is ``1/dt``); the traces
    are decayed by ``decay_plus``/``decay_minus`` (``exp(-dt/tau)``) to this step, the
    change ``a_plus * outer(post_spikes, x) - a_minus * outer(y, pre_spikes)`` uses them
    before this step's spikes are added.  ``a_plus``/``a_minus`` include the learning
    rate."""
    pre_spikes, post_spikes = pre * dt, post * dt
    x, y = pre_trace * decay_plus, post_trace * decay_minus
    change = a_plus * xp.outer(post_spikes, x) - a_minus * xp.outer(y, pre_spikes)
    return (_keep_within(xp, weights, change, min_weight, max_weight),
            {"pre_trace": x + pre_spikes, "post_trace": y + post_spikes})


def triplet_stdp_update(xp, pre, post, weights, r1, r2, o1, o2, dt, decays, a2_plus, a3_plus,
                        a2_minus, a3_minus, modulation=None, encoders=None, decay=None,
                        homeostasis=None, rate=1.0, min_weight=None, max_weight=None):
    """Triplet STDP (Pfister and Gerstner 2006); see :class:`TripletSTDP`.

    ``decays`` maps each trace name to its per-step factor ``exp(-dt/tau)``; the
    amplitudes include the learning rate ``rate``, which also scales ``decay`` and
    ``homeostasis``.  ``encoders`` (gain times unit encoders of the post rows) project a
    ``modulation`` input onto each post neuron.
    """
    pre_spikes, post_spikes = pre * dt, post * dt
    r1, r2 = r1 * decays["r1"], r2 * decays["r2"]
    o1, o2 = o1 * decays["o1"], o2 * decays["o2"]
    change = (xp.outer(post_spikes * (a2_plus + a3_plus * o2), r1)
              - xp.outer(o1, pre_spikes * (a2_minus + a3_minus * r2)))
    if encoders is not None:
        change = (encoders @ modulation)[:, None] * change
    if decay is not None:
        change = change - (rate * decay) * weights
    if homeostasis is not None:
        norms = xp.sum(xp.abs(weights), axis=1)
        safe = xp.where(norms > 0, norms, 1.0)
        off = (xp.abs(norms - homeostasis) > 1e-8) & (norms > 0)
        factor = xp.where(off, homeostasis / safe - 1.0, 0.0)
        change = change + rate * factor[:, None] * weights
    new = {"r1": r1 + pre_spikes, "r2": r2 + pre_spikes, "o1": o1 + post_spikes,
           "o2": o2 + post_spikes}
    return _keep_within(xp, weights, change, min_weight, max_weight), new


def pes14_update(xp, error, activities, weights, error_filtered, pre_filtered,
                 post_decoded=None, decay=0.0, spike_scale=1.0, rate=0.0, encoders=None):
    """Nengo 1.4's error-minimising rule; see :class:`PES14`.

    Filters the error and the pre activities (``spike_scale`` turns the neuron output into
    1.4's units) with the per-step factor ``decay``, then
    ``delta = rate * outer(encoders @ e_bar, a_hat) - rate * |y|^2 * W`` (the last term
    only when ``post_decoded`` ``y`` is given).
    """
    e_bar = decay * error_filtered + (1.0 - decay) * error
    a_hat = decay * pre_filtered + (1.0 - decay) * (spike_scale * activities)
    delta = rate * xp.outer(encoders @ e_bar, a_hat)
    if post_decoded is not None:
        delta = delta - (rate * (post_decoded @ post_decoded)) * weights
    return delta, {"error_filtered": e_bar, "pre_filtered": a_hat}
