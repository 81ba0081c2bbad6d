"""Backends run the IR.  Each backend is one module exposing a ``Backend`` class.

``numpy``: float64 reference, Nengo's step semantics exactly.
``jax``: the same IR compiled with ``jax.jit(lax.scan)``, float32 by default.
"""

import importlib

from ..exceptions import ValidationError

BACKENDS = ("numpy", "jax")


def get_backend(name):
    """Return the Backend class of the backend called ``name``."""
    if name not in BACKENDS:
        raise ValidationError(f"must be one of {', '.join(map(repr, BACKENDS))} "
                              f"(got {name!r})", "backend", "Simulator")
    return importlib.import_module(f"{__name__}.{name}").Backend
