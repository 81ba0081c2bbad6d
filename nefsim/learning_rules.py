"""Learning rule types (PES, RLS, BCM, Oja, Voja) and the ``LearningRule`` endpoints.

A *learning rule type* is a value object (like a neuron type) naming a rule and its
parameters; it is given to a connection as ``learning_rule_type``.  The connection then
exposes one :class:`LearningRule` per type as ``conn.learning_rule``: an object that error
or modulatory signals connect into (``Connection(error, conn.learning_rule)``) and that
probes can record.  The update equations live in the builder (see the reference
nengo.md §2.7); this module only describes and validates.
"""

import warnings

from ._base import FrozenObject, _value_key
from ._validation import Default, check_number
from .base import ObjView
from .config import resolve_default
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
