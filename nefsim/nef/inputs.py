"""Inputs of the Nengo 1.4 layer: ``make_input`` and ``make_fourier_input``.

A 1.4 ``FunctionInput`` is a nefsim :class:`~nefsim.Node` with one origin,
``'origin'``.  Its functions are evaluated at the end of each step (nefsim's node time,
as in 1.4).  The forms of ``values`` (shared/reference/nef14.md §7):

* a list of numbers and functions of ``t`` (each returning one float); with
  ``zero_after_time=T`` the *numbers* become 0 for ``t > T``;
* a function of ``t`` returning a float or a sequence (a NumPy array counts as a
  sequence here; 1.4 took it for one float);
* a dict ``{time: value}``: a zero-order hold over the sorted keys, 0 up to and at the
  first key, each value from its key on (lists of equal length give vectors);
* a CSV file name: lines ``t,v1,v2,...`` (blank lines and ``#`` comments skipped, a
  non-numeric first line taken as a header and skipped, short rows padded with 0) read
  as the dict.  1.4's CSV input raised UnboundLocalError; this is the intended format.
"""

import numbers
import os

import numpy as np

from ..exceptions import ValidationError
from ..node import Node
from .ensemble import _Node
from .terms import NodeOrigin

_EPS = 1e-9  # node times are multiples of dt in floating point: compare with slack


class InputNode(_Node):
    """A 1.4 ``FunctionInput`` (``make_input``, ``make_fourier_input``).

    Attributes
    ----------
    name : str
    dimensions : int
    node : nefsim.Node
        The underlying node; its output is the origin ``'origin'``.
    """

    def __init__(self, name, output, dimensions):
        super().__init__(name)
        self.dimensions = self.dimension = int(dimensions)
        self.node = Node(output=output, size_out=self.dimensions, label=name,
                         add_to_container=False)
        self.origin["origin"] = NodeOrigin(self, "origin", self.dimensions,
                                           lambda: self.node)
        self._container = None

    @property
    def members(self):
        return []

    def _attach(self, container):
        container.add(self.node)
        self.node._nef_container = container
        self._container = container


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def input_output(values, zero_after_time, owner):
    """``(output, dimensions)`` for a nefsim Node from 1.4's ``make_input`` values."""
    if isinstance(values, str):
        return hold_output(read_csv(values, owner), owner)
    if isinstance(values, dict):
        return hold_output(values, owner)
    if callable(values):
        return function_output(values, owner)
    if _is_number(values):
        values = [values]
    if isinstance(values, np.ndarray):
        values = values.ravel().tolist()
    if not isinstance(values, (list, tuple)) or len(values) == 0:
        raise ValidationError("must be a non-empty list of numbers and functions of t, a "
                              "function of t, a dict {time: value} or a CSV file name (got "
                              f"{values!r})", "values", owner)
    return list_output(list(values), zero_after_time, owner)


def list_output(values, zero_after_time, owner):
    for i, v in enumerate(values):
        if not (callable(v) or _is_number(v)):
            raise ValidationError(f"element {i} is {v!r}; each element must be a number or "
                                  "a function of t returning one", "values", owner)
    if zero_after_time is None and not any(callable(v) for v in values):
        return np.array(values, dtype=np.float64), len(values)
    after = None if zero_after_time is None else float(zero_after_time)

    def output(t):
        on = after is None or t <= after + _EPS
        return np.array([float(v(t)) if callable(v) else (float(v) if on else 0.0)
                         for v in values])

    return output, len(values)


def function_output(func, owner):
    try:
        first = func(0.0)
    except Exception as err:  # noqa: BLE001 - report the user function's error
        raise ValidationError(f"{func!r} failed when called with t = 0: {err!r}", "values",
                              owner) from err
    if isinstance(first, (list, tuple, np.ndarray)):
        size = int(np.asarray(first).size)

        def output(t):
            return np.asarray(func(t), dtype=np.float64).ravel()

        return output, size

    def scalar_output(t):
        return np.array([float(func(t))])

    return scalar_output, 1


def hold_output(table, owner):
    """Zero-order hold over ``{time: value}``: 0 until (and at) the first time."""
    if not table:
        raise ValidationError("the dict of time -> value pairs is empty", "values", owner)
    times = np.array(sorted(table), dtype=np.float64)
    rows = [np.atleast_1d(np.asarray(table[t], dtype=np.float64)).ravel()
            for t in sorted(table)]
    sizes = {r.size for r in rows}
    if len(sizes) != 1:
        raise ValidationError(f"all values must have the same length (got lengths "
                              f"{sorted(sizes)})", "values", owner)
    values = np.array(rows)
    zero = np.zeros(values.shape[1])

    def output(t):
        if t <= times[0] + _EPS:
            return zero
        return values[np.searchsorted(times, t + _EPS, side="right") - 1]

    return output, values.shape[1]


def read_csv(filename, owner):
    """``{time: [values]}`` from a CSV file of rows ``t,v1,v2,...``."""
    if not os.path.isfile(filename):
        raise ValidationError(f"is a string, so it names a CSV file, but {filename!r} does "
                              "not exist", "values", owner)
    rows = []
    with open(filename) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                rows.append([float(v) if v.strip() else 0.0 for v in line.split(",")])
            except ValueError:
                if rows:
                    raise ValidationError(f"{filename!r} line {number} is not numeric: "
                                          f"{line!r}", "values", owner) from None
                continue  # a header line
    if not rows:
        raise ValidationError(f"{filename!r} holds no data rows", "values", owner)
    width = len(rows[0])
    if width < 2 or any(len(r) > width for r in rows):
        raise ValidationError(f"{filename!r}: every row must be t,v1,... with at most as "
                              "many values as the first row", "values", owner)
    return {r[0]: r[1:] + [0.0] * (width - len(r)) for r in rows}


# ---------------------------------------------------------------------- Fourier input


def fourier_components(base, high, power, seed, owner):
    """Frequencies (Hz), amplitudes and phases (cycles) of one dimension: harmonics of
    ``base`` up to ``high`` with amplitudes ``U(0,1) * base / f`` and phases
    ``U(-0.5, 1.5)``, scaled so that the RMS over one fundamental period (500 samples)
    is ``power``.  Drawn with NumPy's ``RandomState(seed)`` (1.4 used Java's Random, so
    the same seed gives a different signal with the same statistics)."""
    if not base > 0:
        raise ValidationError(f"must be > 0 (got {base})", "base", owner)
    n = int(np.floor(high / base + 1e-9))
    if n < 1:
        raise ValidationError(f"is below base ({high} < {base}): no frequencies", "high",
                              owner)
    rng = np.random.RandomState(seed)
    freqs = base * np.arange(1, n + 1)
    amps = rng.uniform(size=n) * base / freqs
    phases = -0.5 + 2 * rng.uniform(size=n)
    t = np.arange(500) / (500 * base)
    signal = np.sin(2 * np.pi * (freqs[:, None] * t + phases[:, None])).T @ amps
    rms = np.sqrt(np.mean(signal ** 2))
    if rms > 0:
        amps = amps * (power / rms)
    return freqs, amps, phases


def fourier_output(components):
    """A node function summing each dimension's sines."""
    dims = np.concatenate([np.full(len(f), i) for i, (f, _, _) in enumerate(components)])
    freqs = np.concatenate([c[0] for c in components])
    amps = np.concatenate([c[1] for c in components])
    phases = np.concatenate([c[2] for c in components])
    n_dims = len(components)

    def output(t):
        terms = amps * np.sin(2 * np.pi * (freqs * t + phases))
        return np.bincount(dims, weights=terms, minlength=n_dims)

    return output
