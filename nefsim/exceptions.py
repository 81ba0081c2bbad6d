"""nefsim's exception and warning hierarchy.

Every error nefsim raises on bad input derives from :class:`NefsimError` and also from
the matching builtin (``ValueError``, ``RuntimeError``, ...), so ``except ValueError``
keeps working in user code written for Nengo.  A message names the object (with its
label when it has one), the parameter, and what was expected.
"""


def describe(obj):
    """Return a short human name for ``obj``: its class and, when set, its label."""
    if obj is None:
        return ""
    if isinstance(obj, str):  # already a description, e.g. "Connection 'a->b'"
        return obj
    if isinstance(obj, type):
        return obj.__name__
    label = getattr(obj, "label", None)
    name = type(obj).__name__
    return f"{name} {label!r}" if label else name


class NefsimError(Exception):
    """Base class of every nefsim error."""


class ValidationError(NefsimError, ValueError):
    """A parameter was given a value it cannot take.

    Parameters
    ----------
    msg : str
        What is wrong and what was expected.
    attr : str, optional
        The name of the parameter.
    obj : object, optional
        The object (or class) whose parameter it is.
    """

    def __init__(self, msg, attr=None, obj=None):
        self.attr = attr
        self.obj = obj
        super().__init__(msg)

    def __str__(self):
        msg = super().__str__()
        prefix = describe(self.obj)
        if self.attr is not None:
            prefix = f"{prefix}.{self.attr}" if prefix else self.attr
        return f"{prefix}: {msg}" if prefix else msg


class ReadonlyError(ValidationError):
    """A read-only parameter was assigned after it was set."""

    def __init__(self, attr, obj, msg=None):
        super().__init__(msg or "is read-only and cannot be changed", attr, obj)


class ConfigError(NefsimError, ValueError):
    """A ``Config`` lookup or assignment that cannot be honoured."""


class NetworkContextError(NefsimError, RuntimeError):
    """An object was created outside any ``with Network():`` block, or a context was misused."""


class BuildError(NefsimError, ValueError):
    """The model description cannot be turned into a runnable model."""


class SimulationError(NefsimError, RuntimeError):
    """Something went wrong while the model was running."""


class SimulatorClosed(SimulationError):
    """A closed ``Simulator`` was used."""


class ObsoleteError(NefsimError):
    """A feature that Nengo removed and nefsim does not provide either."""

    def __init__(self, msg, since=None, url=None):
        self.since, self.url = since, url
        super().__init__(msg)


class MovedError(NefsimError):
    """A feature that lives in another package."""

    def __init__(self, location=None):
        self.location = location
        super().__init__(f"This feature has been moved to {location}")


class CacheIOError(NefsimError, IOError):
    """The decoder cache could not be read or written."""


class ParamsError(NefsimError, ValueError):
    """Saved parameters or a checkpoint do not fit the model they are loaded into."""


class NefsimWarning(Warning):
    """Base class of nefsim's warnings."""


class CacheIOWarning(NefsimWarning):
    """The decoder cache was skipped because of an I/O problem."""


class NotAddedToNetworkWarning(NefsimWarning):
    """An object was created but never added to a network."""


# Nengo-compatible aliases, so `except nengo.exceptions.NengoException` ports over.
NengoException = NefsimError
NengoWarning = NefsimWarning
