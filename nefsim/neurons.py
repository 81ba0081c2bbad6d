"""Neuron types: the description objects and their maths, written once for every backend.

A neuron type turns an input current ``J`` into an output (spikes or rates) and owns:

* ``state``: the names of the arrays it carries from step to step, each with the
  distribution its initial values are drawn from (``initial_state`` overrides them);
* ``rates``: the steady-state firing rate for a given input, used to solve for decoders;
* ``gain_bias`` / ``max_rates_intercepts``: the map between the tuning-curve
  description (peak rate, intercept) and the current ``J = gain * x + bias``;
* ``step``: one time step, as a **pure** function over an array module ``xp``
  (``numpy`` or ``jax.numpy``).  It reads ``J`` and a dict of state arrays with any
  leading batch shape and returns ``(output, new_state)``: new arrays, the same keys,
  shapes and dtypes, no in-place updates, no boolean-mask indexing and no Python ``if``
  on array values, so that both backends run the same code.

Spiking types emit ``amplitude / dt`` on a step with one spike, so that filtering with a
unit-area synapse gives rates in Hz.  The numerics follow Nengo 4.1 step for step
(see ``shared/reference/nengo.md`` §2.2 and §3 item 11).

``StochasticSpiking`` and ``PoissonSpiking`` draw from a NumPy ``RandomState`` passed as
``rng``; they therefore run on the NumPy backend only.  A key-based variant for JAX is
planned.
"""

import contextlib
import warnings

import numpy as np

from ._base import FrozenObject
from ._validation import check_instance, check_int, check_number
from .dists import Choice, Distribution, Uniform
from .exceptions import BuildError, SimulationError, ValidationError

__all__ = [
    "NeuronType",
    "Direct",
    "LIFRate",
    "LIF",
    "AdaptiveLIFRate",
    "AdaptiveLIF",
    "RectifiedLinear",
    "SpikingRectifiedLinear",
    "Sigmoid",
    "Tanh",
    "Izhikevich",
    "RatesToSpikesNeuronType",
    "RegularSpiking",
    "StochasticSpiking",
    "PoissonSpiking",
]

# Grid used by the numerical gain/bias inversion and the generic intercept search.
_N_GRID = 101
_MAX_SCAN_DOUBLINGS = 10

# Protocol used to measure the rate of a spiking type by simulation (Izhikevich):
# start from zero state, let it settle for one step, then count spikes for one second.
_RATE_DT = 0.001
_RATE_SETTLE_STEPS = 1
_RATE_COUNT_STEPS = 1000


# --------------------------------------------------------------------------- helpers


def _quiet(xp):
    """Silence NumPy's floating-point warnings where both sides of a ``where`` are computed."""
    if xp is np:
        return np.errstate(divide="ignore", invalid="ignore", over="ignore")
    return contextlib.nullcontext()


def _pulses(count, scale, like):
    """``scale * count`` in the dtype of ``like`` (``count`` may be boolean or integer)."""
    return (scale * count).astype(like.dtype)


def _as_1d(value):
    return np.array(value, dtype=np.float64, ndmin=1)


def _clone_rng(rng):
    """A new ``RandomState`` in the same state as ``rng`` (a RandomState or ``np.random``)."""
    clone = np.random.RandomState()
    clone.set_state(rng.get_state())
    return clone


def _lif_rate(xp, J, tau_rc, tau_ref, amplitude):
    """Steady-state LIF rate: ``amplitude / (tau_ref + tau_rc * ln(1 + 1/(J - 1)))`` above 1."""
    excess = J - 1
    above = excess > 0
    safe_excess = xp.where(above, excess, 1.0)  # keeps the log finite where it is not used
    rate = amplitude / (tau_ref + tau_rc * xp.log1p(1 / safe_excess))
    return xp.where(above, rate, 0.0)


def _lif_step(xp, dt, J, voltage, refractory_time, tau_rc, tau_ref, min_voltage, amplitude):
    """One exact LIF step for constant ``J`` with sub-step refractory and spike timing."""
    refractory_time = refractory_time - dt
    # part of this step that the neuron spends out of its refractory period
    active_dt = xp.clip(dt - refractory_time, 0.0, dt)
    voltage = voltage - (J - voltage) * xp.expm1(-active_dt / tau_rc)
    spiked = voltage > 1
    output = _pulses(spiked, amplitude / dt, J)

    # Back-solve the threshold-crossing time from the overshoot, measured from the start
    # of the step; the refractory period then ends tau_ref after that instant.
    denominator = xp.where(spiked, J - 1, 1.0)
    overshoot = xp.where(spiked, (voltage - 1) / denominator, 0.0)
    spike_time = dt + tau_rc * xp.log1p(-overshoot)

    voltage = xp.where(voltage < min_voltage, min_voltage, voltage)
    voltage = xp.where(spiked, 0.0, voltage)
    refractory_time = xp.where(spiked, tau_ref + spike_time, refractory_time)
    return output, voltage, refractory_time


def _lif_rate_inplace(J, tau_rc, tau_ref, amplitude):
    """:func:`_lif_rate` for NumPy, overwriting ``J`` (decoder solves call it on large
    eval-point x neuron arrays, where temporaries dominate the build time).  Same
    operations in the same order, so the values are identical."""
    J -= 1
    silent = J <= 0
    J[silent] = 1.0  # keeps the log finite where it is not used
    np.reciprocal(J, out=J)
    np.log1p(J, out=J)
    J *= tau_rc
    J += tau_ref
    np.divide(amplitude, J, out=J)
    J[silent] = 0.0
    return J


def _count_and_carry(xp, dt, drive, voltage, amplitude):
    """Integrate ``drive`` (a rate in Hz) into ``voltage``; emit its whole part as spikes."""
    voltage = voltage + drive * dt
    n_spikes = xp.floor(voltage)
    output = (amplitude / dt) * n_spikes
    return output, voltage - n_spikes


def _check_below_limit(obj, max_rates, limit, what):
    """Raise unless every max rate is positive and below ``limit`` (Hz)."""
    if np.any(max_rates >= limit):
        raise ValidationError(
            f"must be below {what} = {limit:g} Hz (got max {np.max(max_rates):g}); "
            "lower max_rates or use a shorter tau_ref", "max_rates", obj)
    if np.any(~(max_rates > 0)):
        raise ValidationError(
            f"must be positive (got min {np.min(max_rates):g})", "max_rates", obj)


# ------------------------------------------------------------------------ base class


class NeuronType(FrozenObject):
    """Base class of neuron types.

    Parameters
    ----------
    initial_state : dict, optional
        Maps a state name (a key of :attr:`state`) to a
        :class:`~nefsim.dists.Distribution` or an array of one value per neuron that
        replaces the default initial values.

    Attributes
    ----------
    state : dict
        State name -> distribution of its initial values.  These are the arrays that
        :meth:`step` carries from one step to the next.
    negative : bool
        Whether the output can be negative.
    spiking : bool
        Whether the output is a spike train (``amplitude / dt`` pulses).
    """

    state = {}
    negative = True
    spiking = False

    def __init__(self, initial_state=None):
        self.initial_state = self._check_initial_state(initial_state)

    # -- validation ---------------------------------------------------------------

    def _check_initial_state(self, initial_state):
        if initial_state is None:
            return None
        check_instance(initial_state, "initial_state", self, dict, what="a dict")
        own = type(self).state
        checked = {}
        for name, value in initial_state.items():
            if name not in own:
                known = ", ".join(repr(k) for k in own) or "none"
                raise ValidationError(
                    f"{name!r} is not a state variable of {type(self).__name__} "
                    f"(its state variables: {known})", "initial_state", self)
            if not isinstance(value, Distribution):
                value = np.array(value, dtype=np.float64)
                if value.ndim != 1:
                    raise ValidationError(
                        f"value for {name!r} must be a Distribution or a 1-D array of one "
                        f"value per neuron (got shape {value.shape}); for a constant use "
                        f"Choice([value])", "initial_state", self)
                value.setflags(write=False)
            checked[name] = value
        return checked

    # -- description ---------------------------------------------------------------

    @property
    def probeable(self):
        """Names that a probe on this type's neurons can record."""
        return ("output", "input") + tuple(self.state)

    def current(self, x, gain, bias):
        """Input current ``gain * x + bias``.

        ``x`` is a scalar, a 1-D array of ``m`` values applied to every neuron, or an
        ``(m, n_neurons)`` array; the result has shape ``(m, n_neurons)``.
        """
        gain, bias = _as_1d(gain), _as_1d(bias)
        x = np.asarray(x, dtype=np.float64)  # no copy: the result is a new array anyway
        if x.ndim <= 1:
            x = x.reshape(-1, 1)
        elif x.ndim != 2 or x.shape[1] != gain.shape[0]:
            raise ValidationError(
                f"must be a scalar, a 1-D array or an array of shape (*, {gain.shape[0]}) "
                f"(one column per neuron); got shape {x.shape}", "x", self)
        J = gain * x
        J += bias
        return J

    # -- maths ------------------------------------------------------------------------

    def rates(self, x, gain, bias):
        """Steady-state output (Hz) for inputs ``x``; shape ``(m, n_neurons)``.

        The generic version steps a rate type once with ``dt = 1`` from zero state, and
        simulates a spiking type for one second.  Subclasses with a closed form override it.
        """
        J = self.current(x, gain, bias)
        zeros = {name: np.zeros_like(J) for name in self.state}
        if self.spiking:
            return _simulated_rates(self, J, zeros)
        with _quiet(np):
            output, _ = self.step(1.0, J, zeros)
        return np.asarray(output)

    def gain_bias(self, max_rates, intercepts):
        """Gain and bias that give ``max_rates`` at ``x = 1`` and start firing at ``intercepts``.

        The generic version inverts :meth:`rates` numerically: it widens a symmetric scan
        of currents until it brackets both the firing threshold and the largest requested
        rate, then interpolates the current for each rate on a fine grid between them.
        """
        max_rates, intercepts = _as_1d(max_rates), _as_1d(intercepts)
        threshold, top_current = self._bracket_currents(np.max(max_rates))
        J = np.linspace(threshold, top_current, _N_GRID)
        rate = self._rate_of_current(J)
        J_top = np.interp(max_rates, rate, J)
        with _quiet(np):
            gain = (threshold - J_top) / (intercepts - 1)
        return gain, J_top - gain

    def max_rates_intercepts(self, gain, bias):
        """Inverse of :meth:`gain_bias`: the rate at ``x = 1`` and where firing starts.

        The generic version evaluates :meth:`rates` on a grid of ``x`` in [-1, 1] and
        reports, per neuron, the last grid point before the first one that fires.
        """
        gain, bias = _as_1d(gain), _as_1d(bias)
        x = np.linspace(-1.0, 1.0, _N_GRID)
        rate = self.rates(x, gain, bias)
        first_firing = np.argmax(rate > 0, axis=0)
        intercepts = x[np.maximum(first_firing - 1, 0)]
        return rate[-1], intercepts

    def make_state(self, n_neurons, rng=np.random, dtype=np.float64):
        """Initial state arrays, shape ``(n_neurons,)``, drawn in the order of :attr:`state`."""
        return self._draw_state(self.state, n_neurons, rng, dtype)

    def _draw_state(self, dists, n_neurons, rng, dtype):
        """Draw each entry of ``dists`` in order, ``initial_state`` taking precedence."""
        n_neurons = check_int(n_neurons, "n_neurons", self, low=0)
        overrides = self.initial_state or {}
        return {
            name: self._initial_values(name, overrides.get(name, dist), n_neurons, rng, dtype)
            for name, dist in dists.items()
        }

    def _initial_values(self, name, dist, n_neurons, rng, dtype):
        if isinstance(dist, Distribution):
            values = np.asarray(dist.sample(n_neurons, rng=rng))
        else:
            values = np.array(dist)
        if values.shape != (n_neurons,):
            raise ValidationError(
                f"initial values for {name!r} have shape {values.shape}, but there are "
                f"{n_neurons} neurons", "initial_state", self)
        return values.astype(dtype)

    def step(self, dt, J, state, xp=np, rng=None):
        """Advance one step of ``dt`` seconds: return ``(output, new_state)``.

        Parameters
        ----------
        dt : float
            Step length in seconds.
        J : array
            Input current, shape ``(..., n_neurons)``.
        state : dict
            The arrays named in :attr:`state`, each shaped like ``J``.  Not modified.
        xp : module
            ``numpy`` or ``jax.numpy``.
        rng : numpy.random.RandomState, optional
            Only used by stochastic types.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement step()")

    # -- numerical inversion helpers -------------------------------------------------

    def _rate_of_current(self, J):
        """Rate for each current in the 1-D array ``J`` (``x`` = ``J``, gain 1, bias 0)."""
        return self.rates(J[:, np.newaxis], np.ones(1), np.zeros(1))[:, 0]

    def _bracket_currents(self, top_rate):
        """The last silent current and the first current reaching ``top_rate`` on a scan."""
        threshold = top_current = None
        half_width = 10.0
        for _ in range(_MAX_SCAN_DOUBLINGS):
            J = np.linspace(-half_width, half_width, _N_GRID)
            rate = self._rate_of_current(J)
            silent = np.flatnonzero(rate <= 0)
            fast = np.flatnonzero(rate >= top_rate)
            if threshold is None and silent.size > 0:
                threshold = J[silent[-1]]
            if top_current is None and fast.size > 0:
                top_current = J[fast[0]]
            if threshold is not None and top_current is not None:
                return threshold, top_current
            half_width *= 2
        if threshold is None:
            raise ValidationError(
                f"could not find a firing threshold: the neurons fire for every current "
                f"in [-{half_width / 2:g}, {half_width / 2:g}]", "intercepts", self)
        raise ValidationError(
            f"could not find an input current that reaches {top_rate:g} Hz "
            f"(scanned up to {half_width / 2:g}); lower max_rates", "max_rates", self)


def _simulated_rates(neuron_type, J, state):
    """Firing rate of a spiking type at constant ``J``: spikes counted over one second."""
    dt = _RATE_DT
    with _quiet(np):
        for _ in range(_RATE_SETTLE_STEPS):
            _, state = neuron_type.step(dt, J, state)
        total = np.zeros_like(J)
        for _ in range(_RATE_COUNT_STEPS):
            output, state = neuron_type.step(dt, J, state)
            total += output
    # mean output over the counting window; for unit spikes this is spikes per second
    return total / _RATE_COUNT_STEPS


class Direct(NeuronType):
    """No neurons: the ensemble represents its input exactly and connections apply functions.

    Parameters
    ----------
    initial_state : dict, optional
        Accepted for compatibility; Direct has no state.
    """

    def rates(self, x, gain, bias):
        raise BuildError("Direct mode has no neurons, so it has no firing rates; use a "
                         "neuron type such as LIF() to get tuning curves")

    def gain_bias(self, max_rates, intercepts):
        """Direct mode has no gains or biases: returns ``(None, None)`` as Nengo does."""
        return None, None

    def max_rates_intercepts(self, gain, bias):
        """Direct mode has no tuning curves: returns ``(None, None)`` as Nengo does."""
        return None, None

    def step(self, dt, J, state, xp=np, rng=None):
        raise SimulationError("Direct mode neurons are not simulated: the ensemble passes "
                              "its input straight through")


# ------------------------------------------------------------------------- LIF family


class LIFRate(NeuronType):
    """Rate-based leaky integrate-and-fire neuron (the steady-state LIF rate curve).

    Parameters
    ----------
    tau_rc : float
        Membrane time constant in seconds (> 0).
    tau_ref : float
        Absolute refractory period in seconds (>= 0).
    amplitude : float
        Scale of the output (> 0).
    initial_state : dict, optional
        Overrides of the initial state (see :class:`NeuronType`).
    """

    negative = False

    def __init__(self, tau_rc=0.02, tau_ref=0.002, amplitude=1, initial_state=None):
        self.tau_rc = check_number(tau_rc, "tau_rc", self, low=0, low_open=True)
        self.tau_ref = check_number(tau_ref, "tau_ref", self, low=0)
        self.amplitude = check_number(amplitude, "amplitude", self, low=0, low_open=True)
        super().__init__(initial_state=initial_state)

    @property
    def _max_rate_limit(self):
        return np.inf if self.tau_ref == 0 else 1.0 / self.tau_ref

    def rates(self, x, gain, bias):
        J = self.current(x, gain, bias)
        return _lif_rate_inplace(J, self.tau_rc, self.tau_ref, self.amplitude)

    def gain_bias(self, max_rates, intercepts):
        """Closed form: current 1 (threshold) at the intercept, ``J_max`` at ``x = 1``."""
        max_rates, intercepts = _as_1d(max_rates), _as_1d(intercepts)
        _check_below_limit(self, max_rates, self._max_rate_limit, "1/tau_ref")
        # the current whose steady-state rate (amplitude 1) is max_rates
        J_max = 1.0 / (1.0 - np.exp((self.tau_ref - 1.0 / max_rates) / self.tau_rc))
        with _quiet(np):
            gain = (1.0 - J_max) / (intercepts - 1.0)
        return gain, 1.0 - gain * intercepts

    def max_rates_intercepts(self, gain, bias):
        gain, bias = _as_1d(gain), _as_1d(bias)
        with _quiet(np):
            intercepts = (1.0 - bias) / gain
        max_rates = _lif_rate(np, gain + bias, self.tau_rc, self.tau_ref, 1.0)
        return max_rates, intercepts

    def step(self, dt, J, state, xp=np, rng=None):
        return _lif_rate(xp, J, self.tau_rc, self.tau_ref, self.amplitude), {}


class LIF(LIFRate):
    """Spiking leaky integrate-and-fire neuron, integrated exactly for constant input.

    Within a step the voltage relaxes towards ``J`` for the part of the step that is not
    refractory; a neuron whose voltage exceeds 1 spikes, its crossing time is recovered
    from the overshoot and its refractory period counts from that instant.

    Parameters
    ----------
    tau_rc : float
        Membrane time constant in seconds (> 0).
    tau_ref : float
        Absolute refractory period in seconds (>= 0).
    min_voltage : float
        Lower bound on the voltage (<= 0).
    amplitude : float
        Spike size: a spike is ``amplitude / dt`` for one step (> 0).
    initial_state : dict, optional
        Overrides for ``voltage`` (default Uniform(0, 1)) and ``refractory_time`` (0).
    """

    state = {"voltage": Uniform(low=0, high=1), "refractory_time": Choice([0])}
    spiking = True

    def __init__(self, tau_rc=0.02, tau_ref=0.002, min_voltage=0, amplitude=1,
                 initial_state=None):
        self.min_voltage = check_number(min_voltage, "min_voltage", self, high=0)
        super().__init__(tau_rc=tau_rc, tau_ref=tau_ref, amplitude=amplitude,
                         initial_state=initial_state)

    def step(self, dt, J, state, xp=np, rng=None):
        output, voltage, refractory_time = _lif_step(
            xp, dt, J, state["voltage"], state["refractory_time"],
            self.tau_rc, self.tau_ref, self.min_voltage, self.amplitude)
        return output, {"voltage": voltage, "refractory_time": refractory_time}


def _check_adaptation(obj, tau_n, inc_n):
    obj.tau_n = check_number(tau_n, "tau_n", obj, low=0, low_open=True)
    obj.inc_n = check_number(inc_n, "inc_n", obj, low=0)


def _adapt(dt, adaptation, output, tau_n, inc_n):
    """Adaptation relaxes towards ``inc_n * output`` with time constant ``tau_n``."""
    return adaptation + (dt / tau_n) * (inc_n * output - adaptation)


class AdaptiveLIFRate(LIFRate):
    """LIF rate neuron whose input is reduced by an adaptation current.

    ``rates`` and ``gain_bias`` describe the unadapted neuron, as in Nengo.

    Parameters
    ----------
    tau_n : float
        Adaptation time constant in seconds (> 0).
    inc_n : float
        Adaptation increment per unit of output (>= 0).
    tau_rc, tau_ref, amplitude, initial_state
        As for :class:`LIFRate`; ``adaptation`` starts at 0.
    """

    state = {"adaptation": Choice([0])}

    def __init__(self, tau_n=1, inc_n=0.01, tau_rc=0.02, tau_ref=0.002, amplitude=1,
                 initial_state=None):
        _check_adaptation(self, tau_n, inc_n)
        super().__init__(tau_rc=tau_rc, tau_ref=tau_ref, amplitude=amplitude,
                         initial_state=initial_state)

    def step(self, dt, J, state, xp=np, rng=None):
        adaptation = state["adaptation"]
        output = _lif_rate(xp, J - adaptation, self.tau_rc, self.tau_ref, self.amplitude)
        adaptation = _adapt(dt, adaptation, output, self.tau_n, self.inc_n)
        return output, {"adaptation": adaptation}


class AdaptiveLIF(LIF):
    """Spiking LIF neuron with an adaptation current that each spike increases.

    Parameters
    ----------
    tau_n : float
        Adaptation time constant in seconds (> 0).
    inc_n : float
        Adaptation increment per unit of output (>= 0); a spike adds
        ``inc_n * amplitude / tau_n``.
    tau_rc, tau_ref, min_voltage, amplitude, initial_state
        As for :class:`LIF`; ``adaptation`` starts at 0.
    """

    state = {"voltage": Uniform(low=0, high=1), "refractory_time": Choice([0]),
             "adaptation": Choice([0])}

    def __init__(self, tau_n=1, inc_n=0.01, tau_rc=0.02, tau_ref=0.002, min_voltage=0,
                 amplitude=1, initial_state=None):
        _check_adaptation(self, tau_n, inc_n)
        super().__init__(tau_rc=tau_rc, tau_ref=tau_ref, min_voltage=min_voltage,
                         amplitude=amplitude, initial_state=initial_state)

    def step(self, dt, J, state, xp=np, rng=None):
        adaptation = state["adaptation"]
        output, voltage, refractory_time = _lif_step(
            xp, dt, J - adaptation, state["voltage"], state["refractory_time"],
            self.tau_rc, self.tau_ref, self.min_voltage, self.amplitude)
        adaptation = _adapt(dt, adaptation, output, self.tau_n, self.inc_n)
        return output, {"voltage": voltage, "refractory_time": refractory_time,
                        "adaptation": adaptation}


# ------------------------------------------------------------ rectified linear family


class RectifiedLinear(NeuronType):
    """Rectified linear rate neuron: ``amplitude * max(J, 0)``.

    Parameters
    ----------
    amplitude : float
        Output per unit of input current (> 0).
    initial_state : dict, optional
        Accepted for compatibility; there is no state.
    """

    negative = False

    def __init__(self, amplitude=1, initial_state=None):
        self.amplitude = check_number(amplitude, "amplitude", self, low=0, low_open=True)
        super().__init__(initial_state=initial_state)

    def rates(self, x, gain, bias):
        return self.amplitude * np.maximum(self.current(x, gain, bias), 0.0)

    def gain_bias(self, max_rates, intercepts):
        """Closed form: ``J = 0`` at the intercept and ``J = max_rates`` at ``x = 1``."""
        max_rates, intercepts = _as_1d(max_rates), _as_1d(intercepts)
        _check_below_limit(self, max_rates, np.inf, "infinity")
        with _quiet(np):
            gain = max_rates / (1.0 - intercepts)
        return gain, -intercepts * gain

    def max_rates_intercepts(self, gain, bias):
        gain, bias = _as_1d(gain), _as_1d(bias)
        with _quiet(np):
            intercepts = -bias / gain
        return gain + bias, intercepts

    def step(self, dt, J, state, xp=np, rng=None):
        return self.amplitude * xp.maximum(J, 0.0), {}


class SpikingRectifiedLinear(RectifiedLinear):
    """Spiking version of :class:`RectifiedLinear`: integrate ``max(J, 0)``, spike at 1.

    The voltage keeps the fractional remainder after each spike, so the spike count over
    any window matches the rate to within one spike.

    Parameters
    ----------
    amplitude : float
        Spike size: ``amplitude / dt`` per spike (> 0).
    initial_state : dict, optional
        Override for ``voltage`` (default Uniform(0, 1)).
    """

    state = {"voltage": Uniform(low=0, high=1)}
    spiking = True

    def step(self, dt, J, state, xp=np, rng=None):
        output, voltage = _count_and_carry(
            xp, dt, xp.maximum(J, 0.0), state["voltage"], self.amplitude)
        return output, {"voltage": voltage}


# ----------------------------------------------------------------- smooth rate types


class Sigmoid(NeuronType):
    """Logistic rate neuron: ``(1 / tau_ref) / (1 + exp(-J))``.

    The intercept is the inflection point, where the rate is half of ``1 / tau_ref``.

    Parameters
    ----------
    tau_ref : float
        Sets the maximum rate ``1 / tau_ref`` (> 0).
    initial_state : dict, optional
        Accepted for compatibility; there is no state.
    """

    negative = False

    def __init__(self, tau_ref=0.0025, initial_state=None):
        self.tau_ref = check_number(tau_ref, "tau_ref", self, low=0, low_open=True)
        super().__init__(initial_state=initial_state)

    def rates(self, x, gain, bias):
        output, _ = self.step(1.0, self.current(x, gain, bias), {})
        return output

    def gain_bias(self, max_rates, intercepts):
        max_rates, intercepts = _as_1d(max_rates), _as_1d(intercepts)
        _check_below_limit(self, max_rates, 1.0 / self.tau_ref, "1/tau_ref")
        J_max = -np.log(1.0 / (self.tau_ref * max_rates) - 1.0)
        with _quiet(np):
            gain = J_max / (1.0 - intercepts)
        return gain, J_max - gain

    def max_rates_intercepts(self, gain, bias):
        gain, bias = _as_1d(gain), _as_1d(bias)
        with _quiet(np):
            intercepts = -bias / gain
        max_rates, _ = self.step(1.0, gain + bias, {})
        return max_rates, intercepts

    def step(self, dt, J, state, xp=np, rng=None):
        with _quiet(xp):  # exp(-J) overflows to inf for very negative J: rate 0, as wanted
            return (1.0 / self.tau_ref) / (1.0 + xp.exp(-J)), {}


class Tanh(NeuronType):
    """Hyperbolic-tangent rate neuron: ``(1 / tau_ref) * tanh(J)`` (can be negative).

    Parameters
    ----------
    tau_ref : float
        Sets the maximum rate ``1 / tau_ref`` (> 0).
    initial_state : dict, optional
        Accepted for compatibility; there is no state.
    """

    negative = True

    def __init__(self, tau_ref=0.0025, initial_state=None):
        self.tau_ref = check_number(tau_ref, "tau_ref", self, low=0, low_open=True)
        super().__init__(initial_state=initial_state)

    def rates(self, x, gain, bias):
        output, _ = self.step(1.0, self.current(x, gain, bias), {})
        return output

    def gain_bias(self, max_rates, intercepts):
        max_rates, intercepts = _as_1d(max_rates), _as_1d(intercepts)
        _check_below_limit(self, max_rates, 1.0 / self.tau_ref, "1/tau_ref")
        J_max = np.arctanh(max_rates * self.tau_ref)
        with _quiet(np):
            gain = J_max / (1.0 - intercepts)
        return gain, -gain * intercepts

    def max_rates_intercepts(self, gain, bias):
        gain, bias = _as_1d(gain), _as_1d(bias)
        with _quiet(np):
            intercepts = -bias / gain
        max_rates, _ = self.step(1.0, gain + bias, {})
        return max_rates, intercepts

    def step(self, dt, J, state, xp=np, rng=None):
        return (1.0 / self.tau_ref) * xp.tanh(J), {}


# ------------------------------------------------------------------------ Izhikevich


class Izhikevich(NeuronType):
    """Izhikevich's two-variable spiking neuron (Izhikevich 2003), in millivolts and ms.

    ``v' = 0.04 v^2 + 5 v + 140 - u + J`` and ``u' = a (b v - u)`` per millisecond; when
    ``v`` reaches 30 the neuron spikes, ``v`` resets to ``c`` and ``u`` grows by ``d``.
    Input currents are clipped at -30.  ``rates`` is measured by simulating one second,
    and ``gain_bias`` inverts it numerically, so both are slow for large ensembles.

    Parameters
    ----------
    tau_recovery : float
        ``a``: rate of the recovery variable, per ms (> 0).
    coupling : float
        ``b``: sensitivity of recovery to the voltage (>= 0).
    reset_voltage : float
        ``c``: voltage after a spike (mV).
    reset_recovery : float
        ``d``: recovery increment after a spike.
    initial_state : dict, optional
        Overrides for ``voltage`` (default Uniform(0, 1), as in Nengo) and ``recovery`` (0).
    """

    state = {"voltage": Uniform(low=0, high=1), "recovery": Choice([0])}
    negative = False
    spiking = True

    _CLIP_CURRENT = -30.0
    _SPIKE_VOLTAGE = 30.0

    def __init__(self, tau_recovery=0.02, coupling=0.2, reset_voltage=-65.0,
                 reset_recovery=8.0, initial_state=None):
        self.tau_recovery = check_number(tau_recovery, "tau_recovery", self, low=0,
                                         low_open=True)
        self.coupling = check_number(coupling, "coupling", self, low=0)
        self.reset_voltage = check_number(reset_voltage, "reset_voltage", self)
        self.reset_recovery = check_number(reset_recovery, "reset_recovery", self)
        super().__init__(initial_state=initial_state)

    def rates(self, x, gain, bias):
        J = self.current(x, gain, bias)
        zeros = {"voltage": np.zeros_like(J), "recovery": np.zeros_like(J)}
        return _simulated_rates(self, J, zeros)

    def step(self, dt, J, state, xp=np, rng=None):
        voltage, recovery = state["voltage"], state["recovery"]
        J = xp.maximum(J, self._CLIP_CURRENT)
        # the model is written per millisecond, hence the factor 1000 on dt
        dv = (0.04 * voltage ** 2 + 5 * voltage + 140 - recovery + J) * 1000 * dt
        voltage = voltage + dv
        spiked = voltage >= self._SPIKE_VOLTAGE
        output = _pulses(spiked, 1.0 / dt, J)
        voltage = xp.where(spiked, self.reset_voltage, voltage)
        # recovery sees the post-reset voltage, then jumps by d on a spike
        du = (self.tau_recovery * (self.coupling * voltage - recovery)) * 1000 * dt
        recovery = recovery + du
        recovery = xp.where(spiked, recovery + self.reset_recovery, recovery)
        return output, {"voltage": voltage, "recovery": recovery}


# ------------------------------------------------------------- rates-to-spikes types


class _Zeros(Distribution):
    """Zeros, drawn without touching the random stream (for derived state such as rate_out)."""

    def sample(self, n, d=None, rng=np.random):
        return np.zeros(self._sample_shape(n, d))


class RatesToSpikesNeuronType(NeuronType):
    """Base class of types that turn the rate of a ``base_type`` into spikes.

    Each step first runs ``base_type`` on ``J`` to get a rate (kept in the ``rate_out``
    state, so it can be probed) and then converts that rate into spikes of
    ``amplitude / dt``.  Rates, gains and biases are those of ``base_type``.

    On an instance, :attr:`state` lists every array :meth:`step` carries:
    ``rate_out``, then this type's own state, then the base type's state.  The class
    attribute ``state`` holds only this type's own state, which is what
    ``initial_state`` may override (the base type has its own ``initial_state``).

    Parameters
    ----------
    base_type : NeuronType
        A rate neuron type (e.g. ``LIFRate()``) giving the rate to convert.
    amplitude : float
        Spike size: ``amplitude / dt`` per spike (> 0).
    initial_state : dict, optional
        Overrides for this type's own state.
    """

    spiking = True

    def __init__(self, base_type, amplitude=1.0, initial_state=None):
        self.base_type = self._check_base_type(base_type)
        self.amplitude = check_number(amplitude, "amplitude", self, low=0, low_open=True)
        super().__init__(initial_state=initial_state)
        own = dict(type(self).state)
        overlap = sorted((set(own) | {"rate_out"}) & set(base_type.state))
        if overlap:
            raise ValidationError(
                f"{base_type!r} has state variables {overlap} that {type(self).__name__} "
                f"also uses; use a rate type such as LIFRate() as base_type", "base_type",
                self)
        self.state = {"rate_out": _Zeros(), **own, **base_type.state}

    def _check_base_type(self, base_type):
        check_instance(base_type, "base_type", self, NeuronType, what="a NeuronType")
        if isinstance(base_type, Direct):
            raise ValidationError("cannot be Direct(), which has no rates; use a rate type "
                                  "such as LIFRate()", "base_type", self)
        if base_type.spiking:
            warnings.warn(
                f"{type(self).__name__}: base_type {base_type!r} is a spiking type; its "
                f"output is treated as a rate. Use its rate equivalent (e.g. LIFRate for "
                f"LIF) if one exists.", stacklevel=3)
        return base_type

    @property
    def negative(self):
        return self.base_type.negative

    def _base_state_names(self):
        return tuple(self.base_type.state)

    def current(self, x, gain, bias):
        return self.base_type.current(x, gain, bias)

    def rates(self, x, gain, bias):
        return self.base_type.rates(x, gain, bias)

    def gain_bias(self, max_rates, intercepts):
        return self.base_type.gain_bias(max_rates, intercepts)

    def max_rates_intercepts(self, gain, bias):
        return self.base_type.max_rates_intercepts(gain, bias)

    def make_state(self, n_neurons, rng=np.random, dtype=np.float64):
        """Initial state: zeros for ``rate_out``, own state drawn from ``rng``, base state.

        Nengo builds the base type with its own ``RandomState`` of the same seed, so the
        base state is drawn from a copy of ``rng`` taken before any draw here.  ``rng``
        itself only advances for this type's own state, which keeps it where Nengo's
        spiker random stream starts.
        """
        base_state = self.base_type.make_state(n_neurons, rng=_clone_rng(rng), dtype=dtype)
        own_dists = {"rate_out": _Zeros(), **type(self).state}
        own_state = self._draw_state(own_dists, n_neurons, rng, dtype)
        merged = {**own_state, **base_state}
        return {name: merged[name] for name in self.state}

    def step(self, dt, J, state, xp=np, rng=None):
        base_names = self._base_state_names()
        rate, base_state = self.base_type.step(
            dt, J, {name: state[name] for name in base_names}, xp=xp, rng=rng)
        own = {name: state[name] for name in state if name not in base_names}
        output, own = self._spikes(dt, rate, own, xp, rng)
        new_state = {"rate_out": rate, **own, **base_state}
        return output, {name: new_state[name] for name in self.state}

    def _spikes(self, dt, rate, own_state, xp, rng):
        """Return ``(output, new_own_state)`` for the rate of this step."""
        raise NotImplementedError(f"{type(self).__name__} must implement _spikes()")

    def _require_rng(self, rng):
        if rng is None or not hasattr(rng, "random_sample"):
            raise SimulationError(
                f"{type(self).__name__}.step needs rng, a numpy RandomState (got {rng!r}); "
                "it runs on the NumPy backend only for now")
        return rng


class RegularSpiking(RatesToSpikesNeuronType):
    """Spikes at regular intervals at the base type's rate (integrate the rate, spike at 1).

    The voltage keeps the fractional remainder after each spike.

    Parameters
    ----------
    base_type : NeuronType
        A rate neuron type giving the rate.
    amplitude : float
        Spike size: ``amplitude / dt`` per spike (> 0).
    initial_state : dict, optional
        Override for ``voltage`` (default Uniform(0, 1)).
    """

    state = {"voltage": Uniform(low=0, high=1)}

    def _spikes(self, dt, rate, own_state, xp, rng):
        output, voltage = _count_and_carry(xp, dt, rate, own_state["voltage"],
                                           self.amplitude)
        return output, {"voltage": voltage}


class StochasticSpiking(RatesToSpikesNeuronType):
    """Spikes at the base type's rate with random timing.

    Each step the expected number of spikes ``|rate| * dt`` is split into a whole part
    ``q`` and a fraction ``f``; the neuron emits ``q`` spikes plus one more with
    probability ``f`` (one uniform draw per neuron per step from ``rng``).  Negative
    rates give negative spikes.  NumPy backend only for now (needs a ``RandomState``).

    Parameters
    ----------
    base_type : NeuronType
        A rate neuron type giving the rate.
    amplitude : float
        Spike size: ``amplitude / dt`` per spike (> 0).
    initial_state : dict, optional
        Accepted for compatibility; this type adds no state of its own.
    """

    state = {}

    def _spikes(self, dt, rate, own_state, xp, rng):
        rng = self._require_rng(rng)
        expected = xp.abs(rate) * dt
        whole = xp.floor(expected)
        extra = rng.random_sample(np.shape(rate)) < expected - whole
        n_spikes = (whole + extra) * xp.sign(rate)
        return _pulses(n_spikes, self.amplitude / dt, rate), {}


class PoissonSpiking(RatesToSpikesNeuronType):
    """Spikes drawn from a Poisson distribution with the base type's rate.

    Each step the spike count is Poisson with mean ``|rate| * dt``, signed like the rate.
    NumPy backend only for now (needs a ``RandomState``).

    Parameters
    ----------
    base_type : NeuronType
        A rate neuron type giving the rate.
    amplitude : float
        Spike size: ``amplitude / dt`` per spike (> 0).
    initial_state : dict, optional
        Accepted for compatibility; this type adds no state of its own.
    """

    state = {}

    def _spikes(self, dt, rate, own_state, xp, rng):
        rng = self._require_rng(rng)
        n_spikes = rng.poisson(np.abs(np.asarray(rate)) * dt) * xp.sign(rate)
        return _pulses(n_spikes, self.amplitude / dt, rate), {}
