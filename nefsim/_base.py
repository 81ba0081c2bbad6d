"""Base classes shared by description objects.

:class:`FrozenObject` is the base of value-like model components (neuron types,
synapses, solvers, distributions, transforms, learning-rule types): their parameters are
set once in ``__init__`` and they compare and hash by those values, so two ``LIF()``
objects are interchangeable and the builder can group equal ones together.
"""

import inspect

import numpy as np

from .exceptions import ReadonlyError


def _value_key(value):
    """A hashable stand-in for a parameter value (arrays by content)."""
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, value.dtype.str, value.tobytes())
    if isinstance(value, (list, tuple)):
        return tuple(_value_key(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _value_key(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return value


class FrozenObject:
    """An immutable object compared by the values of its public attributes.

    Subclasses assign their parameters in ``__init__``; assigning a public attribute a
    second time raises :class:`~nefsim.exceptions.ReadonlyError`.  Private attributes
    (leading underscore) stay writable for caches.
    """

    def __setattr__(self, name, value):
        if not name.startswith("_") and name in self.__dict__:
            raise ReadonlyError(name, self, "is fixed once the object is created; "
                                            "make a new object instead")
        object.__setattr__(self, name, value)

    def _public_params(self):
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def _key(self):
        return (type(self), tuple(sorted(
            (k, _value_key(v)) for k, v in self._public_params().items())))

    def __eq__(self, other):
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        """``Type(arg=value, ...)`` listing the arguments that differ from their defaults."""
        params = self._public_params()
        shown = []
        try:
            signature = inspect.signature(type(self).__init__)
        except (TypeError, ValueError):  # pragma: no cover - builtins
            signature = None
        if signature is not None:
            for name, p in signature.parameters.items():
                if name == "self" or name not in params:
                    continue
                value = params[name]
                default = p.default
                same = default is not inspect.Parameter.empty and _value_key(
                    default) == _value_key(value)
                if not same:
                    shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"
