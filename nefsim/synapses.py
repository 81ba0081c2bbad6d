"""Synapses (linear filters) and the :class:`Process` base class they derive from.

This module owns:

- :class:`Process`, the base of everything that produces or transforms a signal over
  time (noise, signals, synapses).  It lives here rather than in ``processes.py``
  because synapses are processes and the noise processes need synapses; keeping the
  base class with the synapses avoids an import cycle.  ``nefsim.processes``
  re-exports it.
- :class:`Synapse`, :class:`LinearFilter`, :class:`Lowpass`, :class:`Alpha` and
  :class:`Triangle`, with Nengo 4.1's names, arguments and numerics.
- The contract the builder and the backends use for linear synapses:
  ``synapse.state_space(dt) -> (A, B, C, D)`` (the discrete realization), and the pure
  kernels :func:`filter_kind`, :func:`filter_step` and :func:`lowpass_bank_step`, written
  over an array module ``xp`` (NumPy or ``jax.numpy``).
- :func:`as_synapse`, which turns what a user passes as ``synapse=`` into a synapse.

Delay convention.  :func:`filter_step` is one simulator step of an "update"-phase
filter: it takes this step's input ``u[k]`` and returns the output that consumers read
in the *next* step.  So every filtered connection adds exactly one step of delay, as in
Nengo, and a Lowpass gives ``y[k] = a*y[k-1] + (1-a)*u[k]`` with ``a = exp(-dt/tau)``.
"""

import warnings

import numpy as np

from ._base import FrozenObject
from ._validation import (
    check_array,
    check_bool,
    check_choice,
    check_int,
    check_number,
    check_seed,
    is_number,
)
from .exceptions import ValidationError

# ---------------------------------------------------------------------------------------
# Process base class
# ---------------------------------------------------------------------------------------

#: Largest seed drawn for a process that has no seed of its own (Nengo draws the same way,
#: so a process run with the same ``rng`` gives the same numbers in both).
_MAX_SEED = 2**31 - 1


def _as_shape(shape, attr, obj):
    """Return ``shape`` as a tuple of non-negative ints (an int ``n`` means ``(n,)``)."""
    if shape is None:
        raise ValidationError("must be a shape (got None)", attr, obj)
    if np.ndim(shape) == 0:
        shape = (shape,)
    return tuple(check_int(s, attr, obj, low=0) for s in shape)


class Process(FrozenObject):
    """A source or transformer of signals over time, stepped once per time step.

    Subclasses implement :meth:`make_step` (and :meth:`make_state` when they keep state
    that the simulator should own).  A process is used as a ``Node`` output, as an
    ensemble's ``noise``, or as a connection's synapse, and can be run offline with
    :meth:`run`, :meth:`run_steps` and :meth:`apply`.

    Parameters
    ----------
    default_size_in : int, optional
        Input size used by the offline helpers and by ``Node`` when none is given.
        0 means the process takes no input.
    default_size_out : int, optional
        Output size used by the offline helpers and by ``Node`` when none is given.
    default_dt : float, optional
        Time step of the offline helpers when they are not given one.
    seed : int, optional
        Seed of the process's own random stream.  Without one, the stream is seeded
        from the ``rng`` it is given (in a simulator, from the network's seed).
    """

    def __init__(self, default_size_in=0, default_size_out=1, default_dt=0.001, seed=None):
        self.default_size_in = check_int(default_size_in, "default_size_in", self, low=0)
        self.default_size_out = check_int(default_size_out, "default_size_out", self, low=0)
        self.default_dt = check_number(default_dt, "default_dt", self, low=0, low_open=True)
        self.seed = check_seed(seed, "seed", self)

    # --- what subclasses provide -------------------------------------------------------

    def make_state(self, shape_in, shape_out, dt, dtype=None):
        """Return the process's initial state: a dict of named arrays (default: none).

        The simulator owns these arrays (it can reset and checkpoint them); the step
        function made by :meth:`make_step` receives the same dict.
        """
        return {}

    def make_step(self, shape_in, shape_out, dt, rng, state):
        """Return ``step(t)`` (when ``shape_in == (0,)``) or ``step(t, x)``.

        The step returns the output for time ``t`` as an array of shape ``shape_out``.
        It may update the arrays of ``state`` in place.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement make_step")

    # --- offline helpers ---------------------------------------------------------------

    def _rng(self, rng):
        """The random stream for one offline run: from ``seed``, else drawn from ``rng``."""
        if self.seed is not None:
            return np.random.RandomState(self.seed)
        return np.random.RandomState(rng.randint(_MAX_SEED))

    def _dt(self, dt):
        if dt is None:
            return self.default_dt
        return check_number(dt, "dt", self, low=0, low_open=True)

    def run(self, t, d=None, dt=None, rng=np.random, **kwargs):
        """Run the process (without input) for ``t`` seconds; return ``(n_steps, d)``."""
        dt = self._dt(dt)
        t = check_number(t, "t", self, low=0)
        return self.run_steps(int(round(t / dt)), d=d, dt=dt, rng=rng, **kwargs)

    def run_steps(self, n_steps, d=None, dt=None, rng=np.random, **kwargs):
        """Run the process (without input) for ``n_steps`` steps.

        The first output is for ``t = dt``.  ``d`` is the output size (default
        ``default_size_out``); extra keyword arguments go to :meth:`make_step`.
        """
        n_steps = check_int(n_steps, "n_steps", self, low=0)
        dt = self._dt(dt)
        shape_in = (0,)
        shape_out = _as_shape(self.default_size_out if d is None else d, "d", self)
        state = self.make_state(shape_in, shape_out, dt)
        step = self.make_step(shape_in, shape_out, dt, self._rng(rng), state, **kwargs)
        output = np.zeros((n_steps,) + shape_out)
        for i, t in enumerate(self.ntrange(n_steps, dt=dt)):
            output[i] = step(t)
        return output

    def apply(self, x, d=None, dt=None, rng=np.random, copy=True, **kwargs):
        """Feed the rows of ``x`` (one per time step) through the process.

        ``d`` is the output size (default ``default_size_out``).  With ``copy=False`` the
        output is written into ``x`` itself, which must then be a float array of the
        output's shape.
        """
        x = np.asarray(x)
        if x.ndim < 1:
            raise ValidationError(f"must have a time axis (got shape {x.shape})", "x", self)
        dt = self._dt(dt)
        shape_in = x.shape[1:]
        shape_out = _as_shape(self.default_size_out if d is None else d, "d", self)
        state = self.make_state(shape_in, shape_out, dt)
        step = self.make_step(shape_in, shape_out, dt, self._rng(rng), state, **kwargs)
        output = np.zeros((len(x),) + shape_out) if copy else x
        for i, t in enumerate(self.ntrange(len(x), dt=dt)):
            output[i] = step(t, x[i])
        return output

    def ntrange(self, n_steps, dt=None):
        """The times of ``n_steps`` steps: ``dt, 2*dt, ..., n_steps*dt``."""
        dt = self._dt(dt)
        return dt * np.arange(1, n_steps + 1)

    def trange(self, t, dt=None):
        """The times of the steps that :meth:`run` takes for ``t`` seconds."""
        dt = self._dt(dt)
        return self.ntrange(int(round(t / dt)), dt=dt)


# ---------------------------------------------------------------------------------------
# Pure kernels (the maths the backends run)
# ---------------------------------------------------------------------------------------

FILTER_KINDS = ("nox", "onex", "nod", "general")


def filter_kind(A, B, C, D):
    """Name the kernel structure of a discrete realization ``(A, B, C, D)``.

    - ``"nox"``: no state, a pure gain ``y = D*u``;
    - ``"onex"``: one state and no feedthrough (``D == 0``), e.g. Lowpass;
    - ``"nod"``: several states, no feedthrough, e.g. Alpha;
    - ``"general"``: a feedthrough term, e.g. ``LinearFilter([1, 2], [1, 3])`` or Triangle.

    The arguments must be concrete arrays (call this outside any JAX trace).
    """
    k = np.shape(A)[0]
    no_feedthrough = bool(np.all(np.asarray(D) == 0))
    if k == 0:
        return "nox"
    if k == 1 and no_feedthrough:
        return "onex"
    return "nod" if no_feedthrough else "general"


def filter_step(A, B, C, D, X, u, xp=np, kind=None):
    """One update-phase step of a bank of identical linear filters.

    Parameters
    ----------
    A, B, C, D : arrays
        The discrete realization from ``synapse.state_space(dt)``: shapes ``(k, k)``,
        ``(k, 1)``, ``(1, k)`` and ``(1, 1)``.
    X : array, shape ``(..., k, size)``
        The filter states of ``size`` parallel channels (any leading batch shape).
    u : array, shape ``(..., size)``
        This step's input.
    xp : module
        ``numpy`` or ``jax.numpy``.
    kind : str, optional
        ``filter_kind(A, B, C, D)``; pass it when the coefficients are traced arrays.

    Returns
    -------
    y : array, shape ``(..., size)``
        The output that consumers read in the next step.
    X_new : array, shape ``(..., k, size)``
        The new filter states.

    Notes
    -----
    With ``nox`` the output is ``D*u``.  With ``onex`` and ``nod`` the state takes this
    step's input first (``X <- A X + B u``) and the output is ``C X``; this realizes a
    strictly proper filter without an extra step of delay.  With ``general`` the output
    ``C X + D u`` is formed from the old state, then the state advances.  For a Lowpass,
    whose realization has ``C = [[1]]``, this is exactly ``y = a*y + b*u`` (as
    :func:`lowpass_bank_step`).  The coefficients are cast to ``X``'s dtype.
    """
    kind = filter_kind(A, B, C, D) if kind is None else kind
    dtype = X.dtype
    A, B, C, D = (xp.asarray(m, dtype=dtype) for m in (A, B, C, D))
    u_col = u[..., None, :]
    if kind == "nox":
        return D[0, 0] * u, X
    if kind == "onex":
        X_new = A[0, 0] * X + B[0, 0] * u_col
        return C[0, 0] * X_new[..., 0, :], X_new
    if kind == "nod":
        X_new = xp.matmul(A, X) + B * u_col
        return xp.matmul(C, X_new)[..., 0, :], X_new
    if kind == "general":
        y = xp.matmul(C, X)[..., 0, :] + D[0, 0] * u
        return y, xp.matmul(A, X) + B * u_col
    raise ValueError(f"unknown filter kind {kind!r}; expected one of {FILTER_KINDS}")


def lowpass_bank_step(a, b, y, u, xp=np):
    """One step of a bank of first-order filters with per-channel coefficients.

    ``y_new = a*y + b*u``, elementwise; ``a``, ``b`` have shape ``(size,)`` and ``y``, ``u``
    shape ``(..., size)``.  With ``A, B, _, _ = Lowpass(tau).state_space(dt)``,
    ``a = A[0, 0]`` and ``b = B[0, 0]``, this equals :func:`filter_step` for that Lowpass
    (its state ``X[..., 0, :]`` is ``y``), so Lowpass filters with different time
    constants can be merged into one bank.  Returns ``y_new`` (also the output).
    """
    return a * y + b * u


# ---------------------------------------------------------------------------------------
# Synapses
# ---------------------------------------------------------------------------------------


def _readonly(*arrays):
    for arr in arrays:
        arr.setflags(write=False)
    return arrays


class Synapse(Process):
    """Base class of synapses: processes whose output has the shape of their input.

    A linear synapse implements :meth:`state_space`; the simulator then runs it with the
    shared kernels.  Any other synapse implements :meth:`make_step` and runs as a
    Python callback.

    Parameters
    ----------
    default_size_in : int, optional
        Input size used by the offline helpers.
    default_size_out : int, optional
        Output size; defaults to ``default_size_in``.
    default_dt : float, optional
        Time step of the offline helpers (:meth:`filt` included).
    seed : int, optional
        Seed for synapses that use randomness.
    """

    def __init__(self, default_size_in=1, default_size_out=None, default_dt=0.001, seed=None):
        if default_size_out is None:
            default_size_out = default_size_in
        super().__init__(default_size_in=default_size_in, default_size_out=default_size_out,
                         default_dt=default_dt, seed=seed)

    def state_space(self, dt):
        """The discrete realization ``(A, B, C, D)`` at time step ``dt``.

        Returns None for a synapse that is not a linear time-invariant filter.
        """
        return None

    def make_state(self, shape_in, shape_out, dt, dtype=None, y0=None):
        return {}

    def _check_shapes(self, shape_in, shape_out):
        shape_in = _as_shape(shape_in, "shape_in", self)
        shape_out = _as_shape(shape_out, "shape_out", self)
        if shape_in != shape_out:
            raise ValidationError(
                f"a synapse's output must have the shape of its input (got input "
                f"{shape_in}, output {shape_out})", "shape_out", self)
        return shape_out

    def filt(self, x, dt=None, axis=0, y0=0, copy=True, filtfilt=False):
        """Filter ``x`` along ``axis`` offline.

        Each slice along ``axis`` is one time step; the output for a step includes that
        step's input (no delay).  The filter starts in the steady state whose output is
        ``y0`` (a scalar, or one value per channel).  With ``filtfilt=True`` the result is
        filtered again backwards in time, which cancels the phase lag.
        ``copy=False`` writes into ``x`` when it is a float array.
        """
        dt = self._dt(dt)
        x = np.asarray(x)
        if x.ndim == 0:
            raise ValidationError("must have at least one dimension (got a scalar)", "x", self)
        axis = check_int(axis, "axis", self, low=-x.ndim, high=x.ndim - 1)
        float_input = np.issubdtype(x.dtype, np.floating)
        if copy or not float_input:
            out = np.array(x, dtype=x.dtype if float_input else np.float64)
        else:
            out = x
        view = np.moveaxis(out, axis, 0)  # time first; writes go through to ``out``
        shape = view.shape[1:]
        state = self.make_state(shape, shape, dt, dtype=view.dtype, y0=y0)
        step = self.make_step(shape, shape, dt, None, state)
        self._run_inplace(step, view, dt)
        if filtfilt:  # the backward pass continues from the forward pass's final state
            self._run_inplace(step, view[::-1], dt)
        return out

    def _run_inplace(self, step, view, dt):
        """Replace each row of the time-major array ``view`` by ``step``'s output."""
        for i, t in enumerate(self.ntrange(len(view), dt=dt)):
            view[i] = step(t, view[i])

    def filtfilt(self, x, **kwargs):
        """Zero-phase filtering: :meth:`filt` forwards, then backwards in time."""
        return self.filt(x, filtfilt=True, **kwargs)


class _StateSpaceSynapse(Synapse):
    """A synapse run through :func:`filter_step` from its :meth:`state_space`."""

    def _realization(self, dt):
        """``state_space(dt)`` plus its kernel kind, cached per ``dt``."""
        cache = self.__dict__.setdefault("_realizations", {})
        if dt not in cache:
            A, B, C, D = self._discretize(dt)
            A, B, C, D = (np.array(m, dtype=np.float64) for m in (A, B, C, D))
            if not all(np.all(np.isfinite(m)) for m in (A, B, C, D)):
                raise ValidationError(
                    f"cannot be discretized at dt={dt}: the coefficients overflow; use a "
                    f"time constant of 0 (no filtering) or a larger one", "dt", self)
            if filter_kind(A, B, C, D) == "onex":
                # Scale the state to equal the output (C = 1), so the kernel is exactly
                # y <- a*y + b*u, the recurrence Nengo uses for one-state filters.
                B, C = C * B, np.ones((1, 1))
            cache[dt] = (_readonly(A, B, C, D), filter_kind(A, B, C, D))
        return cache[dt]

    def _discretize(self, dt):
        raise NotImplementedError

    def state_space(self, dt):
        """The discrete realization ``(A, B, C, D)`` used by :func:`filter_step`.

        Float64, read-only arrays of shapes ``(k, k)``, ``(k, 1)``, ``(1, k)`` and
        ``(1, 1)``; ``k`` may be 0 (a pure gain).  A one-state filter without
        feedthrough is scaled so that ``C == [[1]]`` (the state is the output).
        """
        dt = check_number(dt, "dt", self, low=0, low_open=True)
        return self._realization(dt)[0]

    def make_state(self, shape_in, shape_out, dt, dtype=None, y0=0):
        """Return ``{"X": (k, size)}``, the states of ``size = prod(shape_out)`` channels.

        With ``y0`` (a scalar or an array broadcastable to ``shape_out``) the filter
        starts in the steady state whose output is ``y0``.
        """
        shape = self._check_shapes(shape_in, shape_out)
        A, B, C, D = self.state_space(dt)
        size = int(np.prod(shape))
        dtype = np.float64 if dtype is None else dtype
        X = np.zeros((A.shape[0], size), dtype=dtype)
        if y0 is not None and A.shape[0] > 0:
            y0 = np.broadcast_to(np.asarray(y0, dtype=np.float64), shape).reshape(size)
            if np.any(y0 != 0):
                X[...] = self._steady_state(A, B, C, D) * y0
        return {"X": X}

    def _dc_gain(self):
        """The exact gain at zero frequency, from the filter's definition (may be inf)."""
        raise NotImplementedError

    def _steady_state(self, A, B, C, D):
        """The state (per unit of output) in which a constant input gives that output."""
        dc_gain = self._dc_gain()
        if not np.isfinite(dc_gain):
            raise ValidationError(
                "cannot start at a non-zero output: the filter integrates (its DC gain is "
                "infinite), so it has no steady state; use y0=0", "y0", self)
        if dc_gain == 0:
            raise ValidationError(
                "cannot start at a non-zero output: the filter's DC gain is zero; use y0=0",
                "y0", self)
        x_per_u = np.linalg.solve(np.eye(A.shape[0]) - A, B)
        return x_per_u / (C @ x_per_u + D)[0, 0]

    def make_step(self, shape_in, shape_out, dt, rng, state):
        """Return ``step(t, x)``, which advances ``state["X"]`` in place and returns the output."""
        shape = self._check_shapes(shape_in, shape_out)
        (A, B, C, D), kind = self._realization(
            check_number(dt, "dt", self, low=0, low_open=True))
        X = state["X"]
        if X.shape != (A.shape[0], int(np.prod(shape))):
            raise ValidationError(
                f"state X must have shape {(A.shape[0], int(np.prod(shape)))} (got {X.shape}); "
                f"make it with make_state", "state", self)

        def step(t, x):
            y, X[...] = filter_step(A, B, C, D, X, np.reshape(x, -1), kind=kind)
            return y.reshape(shape)

        return step


_METHODS = ("bilinear", "euler", "backward_diff", "zoh")


def _strip_leading_zeros(coefficients):
    nonzero = np.flatnonzero(coefficients)
    return coefficients[nonzero[0]:] if nonzero.size else coefficients[-1:]


def _tf2ss(num, den):
    """Controller canonical realization ``(A, B, C, D)`` of the transfer function ``num/den``.

    ``den`` has at least two coefficients and no leading zero; ``num`` is no longer than
    ``den``.  The result, its operation order included, is the one ``scipy.signal.tf2ss``
    gives (so discretizations match SciPy's bit for bit) without importing
    ``scipy.signal``.  Both polynomials are scaled to a monic denominator; leading
    numerator coefficients that are then at most 1e-14 in magnitude count as zeros.
    """
    num, den = num / den[0], den / den[0]
    n_tiny = 0
    while n_tiny < len(num) - 1 and abs(num[n_tiny]) <= 1e-14:
        n_tiny += 1
    if n_tiny > 0:
        warnings.warn(f"LinearFilter: dropping {n_tiny} leading numerator coefficient(s) "
                      f"that are negligible after normalization; the filter may be badly "
                      f"conditioned", stacklevel=4)
        num = num[n_tiny:]
    k = len(den)
    num = np.hstack((np.zeros((1, k - len(num))), num[None, :]))  # pad to den's length
    A = np.vstack((-den[None, 1:], np.eye(k - 2, k - 1)))
    B = np.eye(k - 1, 1)
    C = num[:, 1:] - np.outer(num[:, 0], den[1:])
    D = num[:, :1]
    return A, B, C, D


def _zoh(A, B, dt):
    """Zero-order-hold discretization of ``x' = A x + B u`` at time step ``dt``.

    The exponential of ``dt * [[A, B], [0, 0]]`` is ``[[Ad, Bd], [0, I]]``; this returns
    ``(Ad, Bd)``, built with the same operations as ``scipy.signal.cont2discrete``.
    """
    import scipy.linalg  # imported on use, to keep ``import nefsim`` fast

    n, m = B.shape
    augmented = np.vstack((np.hstack((A, B)), np.zeros((m, n + m))))
    top = scipy.linalg.expm(dt * augmented)[:n, :]
    return top[:, :n], top[:, n:]


class LinearFilter(_StateSpaceSynapse):
    """A linear time-invariant filter given by its transfer function ``num / den``.

    Parameters
    ----------
    num : array_like
        Numerator coefficients, highest power first.
    den : array_like
        Denominator coefficients, highest power first; the filter must be proper
        (numerator degree <= denominator degree).
    analog : bool, optional
        True: ``num/den`` is a continuous-time transfer function in ``s``, discretized
        for each ``dt`` with ``method``.  False: it is already discrete, in ``z``, and is
        used as given at any ``dt``.
    method : str, optional
        Discretization: ``"zoh"`` (zero-order hold, the default), ``"bilinear"``,
        ``"euler"`` or ``"backward_diff"``.
    **kwargs
        ``default_size_in``, ``default_size_out``, ``default_dt``, ``seed``
        (see :class:`Process`).
    """

    def __init__(self, num, den, analog=True, method="zoh", **kwargs):
        super().__init__(**kwargs)
        num = check_array(np.atleast_1d(num) if is_number(num) else num, "num", self, ndim=1)
        den = check_array(np.atleast_1d(den) if is_number(den) else den, "den", self, ndim=1)
        if num.size == 0:
            raise ValidationError("must have at least one coefficient (got none)", "num", self)
        if den.size == 0 or not np.any(den):
            raise ValidationError(
                f"must have a non-zero coefficient (got {den.tolist()})", "den", self)
        if len(_strip_leading_zeros(num)) > len(_strip_leading_zeros(den)):
            raise ValidationError(
                f"the filter is improper: the numerator {num.tolist()} has a higher degree "
                f"than the denominator {den.tolist()}; a synapse needs "
                f"len(num) <= len(den) after leading zeros", "num", self)
        self.num = num
        self.den = den
        self.analog = check_bool(analog, "analog", self)
        if method == "gbt":
            raise ValidationError(
                "'gbt' needs an alpha parameter that LinearFilter cannot take; use "
                "'bilinear' (alpha=0.5), 'euler' (0) or 'backward_diff' (1)", "method", self)
        self.method = check_choice(method, "method", self, _METHODS)

    def _discretize(self, dt):
        num, den = _strip_leading_zeros(self.num), _strip_leading_zeros(self.den)
        if len(den) == 1 or not np.any(num):  # a pure gain (scipy would add a dummy state)
            return np.zeros((0, 0)), np.zeros((0, 1)), np.zeros((1, 0)), [[num[-1] / den[0]]]
        A, B, C, D = _tf2ss(num, den)
        if not self.analog:
            return A, B, C, D
        if self.method == "zoh":
            return _zoh(A, B, dt) + (C, D)
        # The other methods are rare, and importing scipy.signal takes ~0.5 s.
        from scipy.signal import cont2discrete

        return cont2discrete((A, B, C, D), dt, method=self.method)[:4]

    def _dc_gain(self):
        num, den = _strip_leading_zeros(self.num), _strip_leading_zeros(self.den)
        if self.analog:  # H(s) at s = 0
            num_0, den_0 = num[-1], den[-1]
        else:  # H(z) at z = 1
            num_0, den_0 = np.sum(num), np.sum(den)
        return np.inf if den_0 == 0 else num_0 / den_0

    def evaluate(self, frequencies):
        """The complex frequency response at ``frequencies``.

        For an analog filter the frequencies are in Hz (``s = 2*pi*i*f``); for a digital
        one they are in cycles per step (``z = exp(2*pi*i*f)``).
        """
        frequencies = 2j * np.pi * np.asarray(frequencies, dtype=np.float64)
        point = frequencies if self.analog else np.exp(frequencies)
        return np.polyval(self.num, point) / np.polyval(self.den, point)

    def combine(self, obj):
        """The filter equal to applying this one and then ``obj`` (a LinearFilter).

        Both must be analog or both digital; the result keeps this filter's method.
        """
        if not isinstance(obj, LinearFilter):
            raise ValidationError(
                f"can only combine with another LinearFilter (got {type(obj).__name__})",
                "obj", self)
        if self.analog != obj.analog:
            raise ValidationError("cannot combine an analog filter with a digital one",
                                  "obj", self)
        return LinearFilter(np.polymul(self.num, obj.num), np.polymul(self.den, obj.den),
                            analog=self.analog, method=self.method)


class Lowpass(LinearFilter):
    """First-order lowpass filter ``1 / (tau*s + 1)``, Nengo's default synapse.

    Discretized by zero-order hold: ``y[k] = a*y[k-1] + (1-a)*u[k]`` with
    ``a = exp(-dt/tau)``.  ``tau = 0`` is a pure gain of 1 (which, in a simulation,
    still delays by one step; ``synapse=None`` does not).

    Parameters
    ----------
    tau : float
        Time constant in seconds (>= 0).
    **kwargs
        See :class:`Process`.
    """

    def __init__(self, tau, **kwargs):
        tau = check_number(tau, "tau", self, low=0)
        super().__init__([1.0], [tau, 1.0], **kwargs)
        self.tau = tau


class Alpha(LinearFilter):
    """Alpha filter ``1 / (tau*s + 1)**2``: a rise then a decay, peaking at ``t = tau``.

    Parameters
    ----------
    tau : float
        Time constant in seconds (>= 0).
    **kwargs
        See :class:`Process`.
    """

    def __init__(self, tau, **kwargs):
        tau = check_number(tau, "tau", self, low=0)
        super().__init__([1.0], [tau**2, 2 * tau, 1.0], **kwargs)
        self.tau = tau


class Triangle(_StateSpaceSynapse):
    """Finite impulse response filter whose impulse response is a falling ramp.

    With ``n = round(t/dt) + 1`` taps the weights are proportional to ``n, n-1, ..., 1``
    and sum to 1, so the response lasts ``t`` seconds.  Its realization is a shift
    register of the last ``n - 1`` inputs.

    Parameters
    ----------
    t : float
        Length of the ramp in seconds (>= 0; 0 is a pure gain of 1).
    **kwargs
        See :class:`Process`.
    """

    def __init__(self, t, **kwargs):
        super().__init__(**kwargs)
        self.t = check_number(t, "t", self, low=0)

    def _dc_gain(self):
        return 1.0  # the taps sum to 1

    def _taps(self, dt):
        n = int(round(self.t / dt)) + 1
        ramp = np.arange(n, 0, -1, dtype=np.float64)
        return ramp / ramp.sum()

    def _discretize(self, dt):
        weights = self._taps(dt)
        k = len(weights) - 1
        A = np.eye(k, k, -1)  # shift the stored inputs down by one
        B = np.zeros((k, 1))
        B[:1] = 1.0
        return A, B, weights[None, 1:], weights[None, :1]


def as_synapse(value, attr, obj):
    """Return ``value`` as a synapse: None, a :class:`Synapse`, or a number -> Lowpass."""
    if value is None or isinstance(value, Synapse):
        return value
    if is_number(value) and not isinstance(value, complex):
        tau = check_number(value, attr, obj, low=0)
        return Lowpass(tau)
    raise ValidationError(
        f"must be a Synapse, a number (the time constant of a Lowpass) or None "
        f"(got {type(value).__name__} {value!r})", attr, obj)
