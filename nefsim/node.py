"""``Node``: a non-neural part of a model (an input signal, a Python function, a relay).

``output`` decides what the node does each step:

- a callable ``f(t)`` (``size_in == 0``) or ``f(t, x)`` (``size_in > 0``);
- a constant number or 1-D array;
- a :class:`~nefsim.processes.Process`;
- ``None``: a *passthrough* node that outputs its input unchanged (``size_out = size_in``).

When ``size_out`` is not given it is inferred: a callable is called once with ``t = 0.0``
(and ``x = zeros(size_in)``).
"""

import inspect
import warnings

import numpy as np

from ._validation import Default, check_int, is_number
from .base import NefsimObject, ObjView
from .exceptions import ValidationError
from .processes import Process


def _accepts_n_args(function, n):
    """Whether ``function`` can be called with ``n`` positional arguments (None: unknown)."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(*range(n))
    except TypeError:
        return False
    return True


def as_output_vector(value, attr, obj, what):
    """``value`` as a finite 1-D float array (scalars become length 1); ``what`` names it."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(f"{what} must be a number or a 1-D array of numbers "
                              f"(got {type(value).__name__} {value!r})", attr, obj) from None
    if arr.ndim > 1:
        raise ValidationError(f"{what} must be a scalar or a 1-D array (got shape "
                              f"{arr.shape})", attr, obj)
    if not np.all(np.isfinite(arr)):
        raise ValidationError(f"{what} must be finite (got {arr})", attr, obj)
    return arr.reshape(-1)


class Node(NefsimObject):
    """Provides non-neural inputs to a model, or runs Python code on its input.

    Parameters
    ----------
    output : callable, array_like, Process or None, optional
        What the node outputs (see the module docstring).  Default None (passthrough).
    size_in : int, optional
        Number of input dimensions.  Default 0 (for a Process: its ``default_size_in``).
    size_out : int, optional
        Number of output dimensions; inferred from ``output`` when not given.
    label : str, optional
    seed : int, optional
    """

    _param_defaults = {**NefsimObject._param_defaults,
                       "output": None, "size_in": None, "size_out": None}
    probeable = ("output",)

    def __init__(self, output=Default, size_in=Default, size_out=Default, label=Default,
                 seed=Default, add_to_container=None):
        super().__init__(label=label, seed=seed)
        self.size_in = size_in
        self.size_out = size_out
        self.output = output
        self._add_to_network(add_to_container)

    # -- validation --------------------------------------------------------------------

    def _check_size_in(self, value):
        return check_int(value, "size_in", self, low=0, optional=True)

    def _check_size_out(self, value):
        return check_int(value, "size_out", self, low=0, optional=True)

    def _check_output(self, output):
        """Validate ``output`` and fill in ``size_in`` / ``size_out`` from it."""
        if isinstance(output, Process):
            self._set_sizes(output.default_size_in if self.size_in is None else self.size_in,
                            output.default_size_out if self.size_out is None
                            else self.size_out)
            self._check_process_sizes(output)
        elif output is None:
            self._check_passthrough()
        elif callable(output):
            self._set_sizes(self.size_in or 0, self._callable_size_out(output))
        else:
            self._set_sizes(self.size_in or 0, self.size_out)
            output = self._constant_output(output)
        return output

    def _check_process_sizes(self, process):
        """Ask one of nefsim's own processes whether it can run with this node's sizes.

        Only nefsim's processes are asked (their ``make_step`` is cheap and has no side
        effects); user processes are checked when the model is built.
        """
        if not type(process).__module__.startswith("nefsim."):
            return
        shape_in, shape_out, dt = (self.size_in,), (self.size_out,), process.default_dt
        try:
            state = process.make_state(shape_in, shape_out, dt)
            process.make_step(shape_in, shape_out, dt, np.random.RandomState(0), state)
        except ValidationError as err:
            if err.attr not in ("shape_in", "shape_out"):
                return  # e.g. a dt-dependent limit: the simulator's dt decides
            attr = "size_in" if err.attr == "shape_in" else "size_out"
            raise ValidationError(f"is {getattr(self, attr)}, which the output process "
                                  f"{process!r} cannot take ({err.args[0]})",
                                  attr, self) from None

    def _set_sizes(self, size_in, size_out):
        object.__setattr__(self, "size_in", size_in)
        object.__setattr__(self, "size_out", size_out)

    def _check_passthrough(self):
        if not self.size_in:
            raise ValidationError(
                "is None, which makes a passthrough node (its output is its input), so "
                "size_in must be given and >= 1; for a constant output pass a value, "
                "e.g. Node(0)", "output", self)
        if self.size_out is not None and self.size_out != self.size_in:
            warnings.warn(f"{self}: size_out ({self.size_out}) is replaced by size_in "
                          f"({self.size_in}) because output=None makes a passthrough node")
        self._set_sizes(self.size_in, self.size_in)

    def _callable_size_out(self, function):
        """Check the arity of ``function``, call it once at t=0 and return its size."""
        n_args, shape = (2, "(t, x)") if self.size_in else (1, "(t)")
        if _accepts_n_args(function, n_args) is False:
            why = ("takes the time t and the input x" if n_args == 2
                   else "takes only the time t, since size_in is 0")
            raise ValidationError(
                f"function {function!r} must accept {n_args} argument(s) {shape}: a node "
                f"function {why}", "output", self)
        args = (0.0, np.zeros(self.size_in)) if self.size_in else (0.0,)
        if self.size_out is None:
            result = function(*args)
        else:
            # The size is given: a function that fails at t=0 is left for the run to report.
            try:
                result = function(*args)
            except Exception:  # noqa: BLE001 - any user error here is not ours to report
                return self.size_out
        if result is None:
            size = 0
        else:
            size = as_output_vector(result, "output", self,
                                    "the value returned by the output function").size
        if self.size_out is not None and size != self.size_out:
            raise ValidationError(
                f"function returned {size} value(s) at t=0 but size_out is "
                f"{self.size_out}", "output", self)
        return size

    def _constant_output(self, output):
        if isinstance(output, (str, bytes)) or not (
                is_number(output) or isinstance(output, (list, tuple, np.ndarray))):
            raise ValidationError(
                "must be a callable, a number or array, a Process, or None (got "
                f"{type(output).__name__} {output!r})", "output", self)
        if self.size_in:
            raise ValidationError(
                f"is a constant but size_in is {self.size_in}: a node with inputs needs a "
                "function f(t, x) (or None for a passthrough node)", "output", self)
        arr = as_output_vector(output, "output", self, "a constant output")
        if self.size_out is not None and arr.size != self.size_out:
            raise ValidationError(f"has {arr.size} value(s) but size_out is {self.size_out}",
                                  "output", self)
        object.__setattr__(self, "size_out", arr.size)
        arr.setflags(write=False)
        return arr

    # -- description -------------------------------------------------------------------

    def __getitem__(self, key):
        return ObjView(self, key)

    def __len__(self):
        return self.size_out
