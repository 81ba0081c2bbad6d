"""Processes: noise and time-varying signals, with Nengo 4.1's API and numerics.

This module owns :class:`WhiteNoise`, :class:`FilteredNoise`, :class:`BrownNoise`,
:class:`WhiteSignal`, :class:`PresentInput` and :class:`Piecewise`.  The base class
:class:`Process` is defined in ``synapses.py`` (synapses are processes) and re-exported
here.  Processes run in the simulator as Python callbacks: ``make_state`` gives the
arrays the simulator owns and ``make_step`` the function called once per step.  The
random processes draw from the ``rng`` they are given in the same order as Nengo, so the
same seed gives the same numbers.
"""

import warnings

import numpy as np

from ._validation import (
    check_bool,
    check_choice,
    check_instance,
    check_number,
    is_number,
)
from .dists import Distribution, Gaussian
from .exceptions import ValidationError
from .synapses import LinearFilter, Lowpass, Process, as_synapse

__all__ = [
    "Process",
    "WhiteNoise",
    "FilteredNoise",
    "BrownNoise",
    "WhiteSignal",
    "PresentInput",
    "Piecewise",
]


def _size(shape):
    return int(np.prod(shape))


def _check_no_input(process, shape_in):
    if tuple(shape_in) != (0,):
        raise ValidationError(
            f"takes no input, so shape_in must be (0,) (got {tuple(shape_in)}); use it as "
            f"a Node output without connecting anything into the Node", "shape_in", process)


def _check_size_out(process, shape_out, size):
    if _size(shape_out) != size:
        raise ValidationError(
            f"has output size {size}, so shape_out must hold {size} values "
            f"(got {tuple(shape_out)})", "shape_out", process)


class WhiteNoise(Process):
    """Independent samples of ``dist`` at every step.

    Parameters
    ----------
    dist : Distribution, optional
        Distribution of the samples (default: standard normal).
    scale : bool, optional
        Multiply the samples by ``1/sqrt(dt)``, so that the integral of the noise has a
        variance that grows as ``t`` whatever the time step.
    **kwargs
        See :class:`Process`.
    """

    def __init__(self, dist=Gaussian(mean=0, std=1), scale=True, **kwargs):
        super().__init__(default_size_in=0, **kwargs)
        self.dist = check_instance(dist, "dist", self, Distribution)
        self.scale = check_bool(scale, "scale", self)

    def make_step(self, shape_in, shape_out, dt, rng, state):
        _check_no_input(self, shape_in)
        shape_out, size = tuple(shape_out), _size(shape_out)
        gain = 1.0 / np.sqrt(dt) if self.scale else 1.0

        def step(t):
            sample = self.dist.sample(n=1, d=size, rng=rng)[0]
            return (sample * gain).reshape(shape_out)

        return step


class FilteredNoise(Process):
    """White noise passed through a synapse.

    Parameters
    ----------
    synapse : Synapse or float, optional
        The filter (a number is a Lowpass time constant).
    dist : Distribution, optional
        Distribution of the white-noise samples.
    scale : bool, optional
        Multiply the samples by ``1/sqrt(dt)`` before filtering (see :class:`WhiteNoise`).
    **kwargs
        See :class:`Process`.
    """

    def __init__(self, synapse=Lowpass(tau=0.005), dist=Gaussian(mean=0, std=1), scale=True,
                 **kwargs):
        super().__init__(default_size_in=0, **kwargs)
        synapse = as_synapse(synapse, "synapse", self)
        if synapse is None:
            raise ValidationError("must be a synapse (got None); for unfiltered noise use "
                                  "WhiteNoise", "synapse", self)
        self.synapse = synapse
        self.dist = check_instance(dist, "dist", self, Distribution)
        self.scale = check_bool(scale, "scale", self)

    def make_state(self, shape_in, shape_out, dt, dtype=None):
        return self.synapse.make_state(shape_out, shape_out, dt, dtype=dtype)

    def make_step(self, shape_in, shape_out, dt, rng, state):
        _check_no_input(self, shape_in)
        shape_out, size = tuple(shape_out), _size(shape_out)
        gain = 1.0 / np.sqrt(dt) if self.scale else 1.0
        filter_step = self.synapse.make_step(shape_out, shape_out, dt, rng, state)

        def step(t):
            sample = self.dist.sample(n=1, d=size, rng=rng)[0].reshape(shape_out)
            return filter_step(t, sample * gain)

        return step


class BrownNoise(FilteredNoise):
    """Brownian motion: scaled white noise integrated (``1/s``, Euler discretization).

    Parameters
    ----------
    dist : Distribution, optional
        Distribution of the white-noise samples.
    **kwargs
        See :class:`Process`.
    """

    def __init__(self, dist=Gaussian(mean=0, std=1), **kwargs):
        super().__init__(synapse=LinearFilter([1.0], [1.0, 0.0], method="euler"), dist=dist,
                         **kwargs)


class WhiteSignal(Process):
    """A periodic, band-limited random signal.

    The signal is drawn once (in ``make_step``) in the frequency domain: one complex
    Gaussian coefficient per frequency up to the Nyquist limit, none at 0 Hz, none above
    ``high``; it is then scaled so its RMS is about ``rms`` and turned into a time
    series by an inverse real FFT.  The output at time ``t`` is the sample at step
    ``round(t/dt)``, repeating every ``period``.

    Parameters
    ----------
    period : float
        Period of the signal in seconds (> 0).
    high : float
        Highest frequency in Hz; at least ``1/period`` (the lowest non-zero frequency),
        and at most the Nyquist frequency ``0.5/dt``.
    rms : float, optional
        Root-mean-square amplitude (> 0).
    y0 : float, optional
        When given, the signal is rotated in time so that its first output is the
        sample closest to ``y0`` (per dimension).
    **kwargs
        See :class:`Process`.
    """

    def __init__(self, period, high, rms=0.5, y0=None, **kwargs):
        super().__init__(default_size_in=0, **kwargs)
        self.period = check_number(period, "period", self, low=0, low_open=True)
        self.high = check_number(high, "high", self, low=0, low_open=True)
        if self.high < 1.0 / self.period:
            raise ValidationError(
                f"must be at least 1/period = {1.0 / self.period:g} Hz, the lowest "
                f"frequency a signal with this period can have (got {self.high:g})",
                "high", self)
        self.rms = check_number(rms, "rms", self, low=0, low_open=True)
        self.y0 = check_number(y0, "y0", self, optional=True)

    def make_step(self, shape_in, shape_out, dt, rng, state):
        _check_no_input(self, shape_in)
        if self.high > 0.5 / dt:
            raise ValidationError(
                f"must not exceed the Nyquist frequency 0.5/dt = {0.5 / dt:g} Hz for "
                f"dt={dt:g} (got {self.high:g}); lower it or use a smaller dt", "high", self)
        shape_out = tuple(shape_out)
        signal = self._signal(_size(shape_out), dt, rng)
        n_samples = len(signal)

        def step(t):
            return signal[int(round(t / dt)) % n_samples].reshape(shape_out)

        return step

    def _signal(self, d, dt, rng):
        """Draw the ``(n_samples, d)`` time series."""
        n_freqs = int(np.ceil(self.period / dt / 2.0))
        shape = (n_freqs + 1, d)  # frequencies 0, 1/T, ..., Nyquist
        std = self.rms * np.sqrt(0.5)  # per real/imaginary part
        imag = rng.normal(0.0, std, size=shape)  # the imaginary parts are drawn first
        coefs = rng.normal(0.0, std, size=shape) + 1j * imag
        coefs[0] = 0.0  # no DC offset
        coefs[-1].imag = 0.0  # the Nyquist coefficient of a real signal is real
        too_high = np.fft.rfftfreq(2 * n_freqs, d=dt) > self.high
        coefs[too_high] = 0.0
        # Put back the power of the removed coefficients, then undo irfft's 1/n scaling.
        coefs /= np.sqrt(1.0 - np.sum(too_high) / n_freqs)
        coefs *= np.sqrt(2.0 * n_freqs)
        signal = np.fft.irfft(coefs, axis=0)
        if self.y0 is not None:
            signal = self._rotate_to(signal)
        return signal

    def _rotate_to(self, signal):
        """Rotate each column so that step 1 (t = dt) is its sample closest to ``y0``."""
        start = np.argmin(np.abs(signal - self.y0), axis=0)
        rows = (np.arange(len(signal))[:, None] + start - 1) % len(signal)
        return np.take_along_axis(signal, rows, axis=0)


class PresentInput(Process):
    """Present each of ``inputs`` in turn for ``presentation_time`` seconds, cycling.

    Parameters
    ----------
    inputs : array_like, shape ``(n_inputs, ...)``
        The items; each is flattened to one output vector.
    presentation_time : float
        How long each item is shown, in seconds (> 0).
    **kwargs
        See :class:`Process`.
    """

    def __init__(self, inputs, presentation_time, **kwargs):
        inputs = self._check_inputs(inputs)
        super().__init__(default_size_in=0, default_size_out=_size(inputs.shape[1:]),
                         **kwargs)
        self.inputs = inputs
        self.presentation_time = check_number(presentation_time, "presentation_time", self,
                                              low=0, low_open=True)

    def _check_inputs(self, inputs):
        try:
            inputs = np.array(inputs, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise ValidationError(
                f"must be an array of items of one shape ({err})", "inputs", self) from None
        if inputs.ndim == 0 or len(inputs) == 0:
            raise ValidationError(
                f"must be a non-empty sequence of items (got shape {inputs.shape})",
                "inputs", self)
        if not np.all(np.isfinite(inputs)):
            raise ValidationError("must contain only finite values", "inputs", self)
        inputs.setflags(write=False)
        return inputs

    def make_step(self, shape_in, shape_out, dt, rng, state):
        _check_no_input(self, shape_in)
        items = self.inputs.reshape(len(self.inputs), -1)
        _check_size_out(self, shape_out, items.shape[1])
        shape_out = tuple(shape_out)
        n_items, period = len(items), self.presentation_time

        def step(t):
            # The small offset keeps an item from ending one step early through rounding.
            i = int((t - dt) / period + 1e-7)
            return items[i % n_items].reshape(shape_out)

        return step


_INTERPOLATIONS = ("zero", "linear", "nearest", "slinear", "quadratic", "cubic")


class Piecewise(Process):
    """A function of time defined piece by piece.

    ``data`` maps start times to values: from each time on, the output is that value
    (a number or vector), or that function of ``t`` when the value is callable.  Before
    the first time the output is 0.  A time counts as reached at the step nearest to it.

    Parameters
    ----------
    data : dict
        ``{time: value or callable}``; all values must have the same size.
    interpolation : str, optional
        ``"zero"`` (hold each value, the default), or ``"linear"``, ``"nearest"``,
        ``"slinear"``, ``"quadratic"``, ``"cubic"`` to interpolate between the values
        (with ``scipy.interpolate.interp1d``; 0 outside the given times).  Interpolation
        needs plain values; with a callable it falls back to ``"zero"`` with a warning.
    **kwargs
        See :class:`Process`.
    """

    def __init__(self, data, interpolation="zero", **kwargs):
        data, size = self._check_data(data)
        super().__init__(default_size_in=0, default_size_out=size, **kwargs)
        self.data = data
        self.interpolation = check_choice(interpolation, "interpolation", self,
                                          _INTERPOLATIONS)

    def _check_data(self, data):
        if not isinstance(data, dict):
            raise ValidationError(
                f"must be a dict {{time: value}} (got {type(data).__name__})", "data", self)
        if not data:
            raise ValidationError("must contain at least one {time: value} entry",
                                  "data", self)
        checked, size = {}, None
        for time in sorted(data, key=self._time_key):
            value = data[time]
            if callable(value):
                item = np.asarray(self._call(value, time, time), dtype=np.float64)
            else:
                value = item = self._as_values(value, time)
            if size is not None and item.size != size:
                raise ValidationError(
                    f"the value at time {time} has size {item.size} but the earlier values "
                    f"have size {size}; all values must have the same size", "data", self)
            size = item.size
            checked[time] = value
        return checked, size

    def _time_key(self, time):
        if not is_number(time) or isinstance(time, complex) or not np.isfinite(time):
            raise ValidationError(
                f"keys must be times (finite numbers), not {type(time).__name__} {time!r}",
                "data", self)
        return float(time)

    def _as_values(self, value, time):
        try:
            values = np.array(value, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise ValidationError(
                f"the value at time {time} must be a number, an array of numbers or a "
                f"callable (got {type(value).__name__} {value!r})", "data", self) from None
        if values.size == 0 or not np.all(np.isfinite(values)):
            raise ValidationError(
                f"the value at time {time} must be non-empty and finite (got {value!r})",
                "data", self)
        values.setflags(write=False)
        return values

    def _call(self, function, t, time):
        try:
            return np.array(function(t), dtype=np.float64).ravel()
        except (TypeError, ValueError) as err:
            raise ValidationError(
                f"the function at time {time} must return numbers ({err})", "data", self
            ) from None

    def make_step(self, shape_in, shape_out, dt, rng, state):
        _check_no_input(self, shape_in)
        _check_size_out(self, shape_out, self.default_size_out)
        shape_out = tuple(shape_out)
        times = np.array([float(k) for k in self.data])
        values = list(self.data.values())
        has_callable = any(callable(v) for v in values)
        kind = self.interpolation
        if kind != "zero" and has_callable:
            warnings.warn(f"Piecewise: {kind!r} interpolation needs plain values, but some "
                          f"are callables; using 'zero' interpolation instead")
            kind = "zero"
        if kind == "zero":
            return self._zero_hold_step(times, values, dt, shape_out)
        from scipy.interpolate import interp1d

        interpolate = interp1d(times, np.array(values), axis=0, kind=kind,
                               bounds_error=False, fill_value=0.0)
        return lambda t: interpolate(t).reshape(shape_out)

    def _zero_hold_step(self, times, values, dt, shape_out):
        zeros = np.zeros(shape_out)
        keys = list(self.data)

        def step(t):
            # The last piece starting before t + dt/2, i.e. reached at its nearest step.
            i = np.searchsorted(times, t + 0.5 * dt) - 1
            if i < 0:
                return zeros
            value = values[i]
            if callable(value):
                value = self._call(value, t, keys[i])
            return np.reshape(value, shape_out)

        return step
