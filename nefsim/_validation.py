"""Small validation helpers used by every description object.

Each helper checks one value, converts it to the canonical type, and raises a
:class:`~nefsim.exceptions.ValidationError` naming the object and the parameter when
the value is unusable.  Objects call them in ``__init__`` and in property setters, so a
bad value is rejected before anything is changed.
"""

import numbers

import numpy as np

from .exceptions import ValidationError


class _DefaultType:
    """Sentinel meaning "use the configured default" (``nefsim.Default``)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self):
        return "Default"

    def __reduce__(self):
        return (_DefaultType, ())


Default = _DefaultType()


def is_integer(value):
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool)


def is_number(value):
    return isinstance(value, (numbers.Number, np.number)) and not isinstance(value, bool)


def _range_text(low, high, low_open, high_open):
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high}")
    return " and ".join(parts)


def check_number(value, attr, obj, low=None, high=None, low_open=False, high_open=False,
                 optional=False, integer=False):
    """Return ``value`` as a float (or int when ``integer``) inside the given bounds."""
    if value is None:
        if optional:
            return None
        raise ValidationError("must be given (got None)", attr, obj)
    kind = "an integer" if integer else "a number"
    if integer:
        if not is_integer(value):
            raise ValidationError(f"must be {kind} (got {value!r})", attr, obj)
        value = int(value)
    else:
        if not is_number(value) or isinstance(value, complex):
            raise ValidationError(f"must be {kind} (got {value!r})", attr, obj)
        value = float(value)
        if not np.isfinite(value) and not (high is None and value == np.inf):
            raise ValidationError(f"must be finite (got {value!r})", attr, obj)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        bounds = _range_text(low, high, low_open, high_open)
        raise ValidationError(f"must be {kind} {bounds} (got {value!r})", attr, obj)
    return value


def check_int(value, attr, obj, low=None, high=None, optional=False):
    """Return ``value`` as an int inside ``[low, high]``."""
    return check_number(value, attr, obj, low=low, high=high, optional=optional, integer=True)


def check_bool(value, attr, obj, optional=False):
    if value is None and optional:
        return None
    if not isinstance(value, (bool, np.bool_)):
        raise ValidationError(f"must be True or False (got {value!r})", attr, obj)
    return bool(value)


def check_str(value, attr, obj, optional=True):
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"must be a string (got {type(value).__name__} {value!r})",
                              attr, obj)
    return value


def check_instance(value, attr, obj, types, optional=False, what=None):
    """Check ``isinstance(value, types)``; ``what`` describes the expected kind."""
    if value is None and optional:
        return None
    if not isinstance(value, types):
        if what is None:
            names = types if isinstance(types, tuple) else (types,)
            what = " or ".join(t.__name__ for t in names)
        raise ValidationError(f"must be {what} (got {type(value).__name__} {value!r})",
                              attr, obj)
    return value


def check_callable(value, attr, obj, optional=False):
    if value is None and optional:
        return None
    if not callable(value):
        raise ValidationError(f"must be callable (got {value!r})", attr, obj)
    return value


def check_seed(value, attr, obj):
    if value is None:
        return None
    return check_int(value, attr, obj, low=0, high=2**32 - 1)


def check_array(value, attr, obj, shape=None, ndim=None, optional=False, dtype=np.float64,
                finite=True, readonly=True):
    """Return ``value`` as a (read-only copy of a) NumPy array of the given shape.

    ``shape`` may contain ``None`` for a dimension that can take any size.
    """
    if value is None:
        if optional:
            return None
        raise ValidationError("must be given (got None)", attr, obj)
    try:
        arr = np.array(value, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise ValidationError(f"must be an array of numbers ({err})", attr, obj) from None
    if ndim is not None and arr.ndim != ndim:
        raise ValidationError(f"must be a {ndim}-D array (got shape {arr.shape})", attr, obj)
    if shape is not None:
        want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
        if arr.ndim != len(shape) or any(
            s is not None and s != a for s, a in zip(shape, arr.shape)
        ):
            raise ValidationError(f"must have shape {want} (got {arr.shape})", attr, obj)
    if finite and np.issubdtype(arr.dtype, np.number) and not np.all(np.isfinite(arr)):
        raise ValidationError("must contain only finite values (got NaN or inf)", attr, obj)
    if readonly:
        arr.setflags(write=False)
    return arr


def check_choice(value, attr, obj, options):
    if value not in options:
        raise ValidationError(
            f"must be one of {', '.join(repr(o) for o in options)} (got {value!r})", attr, obj
        )
    return value
