"""Configurable defaults: :class:`Config` and the context stack that resolves ``Default``.

A description object's constructor arguments default to the sentinel ``Default``.  When
such an argument is assigned, :meth:`Config.default` looks for a configured value in the
active configs, innermost first, and at each level along the class MRO (so a value set
for ``Ensemble`` also applies to subclasses of ``Ensemble``, and a value set for a
subclass overrides it).  When no config sets it, the class default is used.

``with net:`` makes ``net.config`` active, so::

    with nefsim.Network() as net:
        net.config[nefsim.Ensemble].neuron_type = nefsim.LIFRate()
        ens = nefsim.Ensemble(10, 1)        # ens.neuron_type == LIFRate()

Class defaults come from a plain ``_param_defaults`` dict on each configurable class
(name -> default).  A config can also carry *extra* parameters that the class does not
have (``config[Ensemble].set_param("trainable", True)``), which backends read through
``config[obj].trainable``.

This module owns ``Config``, ``ClassParams``, ``InstanceParams``, ``Parameter`` (a small
stand-in for Nengo's parameter objects, accepted by ``set_param``), the thread-local
context stack used by ``Config`` and ``Network``, and ``ConfigParamError``.
"""

import inspect
import threading

from ._validation import Default
from .exceptions import ConfigError


class ConfigParamError(ConfigError, AttributeError):
    """An unknown parameter name was read from or written to a config.

    It is also an ``AttributeError`` so that ``hasattr(config[Ensemble], "x")`` and
    ``getattr(config[obj], "x", None)`` work as they do in Nengo.
    """


class ThreadLocalStack(threading.local):
    """A stack (list) that each thread sees separately; used for ``with`` contexts."""

    def __init__(self):
        self.items = []

    def append(self, item):
        self.items.append(item)

    def pop(self):
        return self.items.pop()

    def clear(self):
        self.items.clear()

    def __getitem__(self, index):
        return self.items[index]

    def __len__(self):
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def __reversed__(self):
        return reversed(self.items)

    def __bool__(self):
        return bool(self.items)


class Parameter:
    """Declaration of an extra configurable parameter, for :meth:`ClassParams.set_param`.

    Only ``default`` is used; the other arguments exist so that code written for Nengo's
    ``nengo.params.Parameter(name, default, optional, readonly)`` runs unchanged.
    """

    def __init__(self, name, default=None, optional=False, readonly=None):
        self.name = name
        self.default = default
        self.optional = optional
        self.readonly = readonly

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r}, default={self.default!r})"


# --------------------------------------------------------------------------------------
# Class defaults


def class_defaults(cls):
    """Return ``{name: default}`` of the configurable parameters of ``cls``."""
    return dict(getattr(cls, "_param_defaults", {}))


def _constructor_args(cls):
    """Names of ``cls.__init__``'s arguments (used to tell built-in parameters apart)."""
    try:
        signature = inspect.signature(cls.__init__)
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return ()
    return tuple(name for name, p in signature.parameters.items()
                 if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))


def _builtin_params(cls):
    """All parameter names of ``cls``: configurable ones and constructor arguments."""
    names = dict.fromkeys(class_defaults(cls))
    names.update(dict.fromkeys(n for n in _constructor_args(cls) if n != "add_to_container"))
    return tuple(names)


# --------------------------------------------------------------------------------------
# Per-class and per-instance parameter sets


class ClassParams:
    """The configured defaults of one class inside one :class:`Config`.

    Read a parameter to get its configured value (or the class default when it is not
    set), assign it to configure it, ``del`` it to go back to the class default.
    """

    def __init__(self, configures, config):
        object.__setattr__(self, "_configures", configures)
        object.__setattr__(self, "_config", config)
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_extra", {})

    # -- introspection -----------------------------------------------------------------

    @property
    def default_params(self):
        """Names of the class's own configurable parameters."""
        return tuple(class_defaults(self._configures))

    @property
    def extra_params(self):
        """Names of parameters added with :meth:`set_param`."""
        return tuple(self._extra)

    @property
    def params(self):
        return self.default_params + self.extra_params

    def _is_known(self, key):
        """Whether ``key`` is configurable here (own, extra, or extra on a base class)."""
        return key in class_defaults(self._configures) or self._extra_owner(key) is not None

    def _extra_owner(self, key):
        """The ClassParams (this one or a base class's in the same config) adding ``key``."""
        for cls in self._configures.__mro__:
            params = self._config._classparams.get(cls)
            if params is not None and key in params._extra:
                return params
        return None

    def _unknown(self, key):
        cls = self._configures
        if key in _builtin_params(cls):
            return ConfigParamError(f"Parameter {key!r} of {cls.__name__} is not configurable "
                                    "(it has no default); pass it to the constructor instead")
        known = ", ".join(self.params) or "none"
        return ConfigParamError(
            f"{cls.__name__} has no configurable parameter {key!r} (configurable: {known}); "
            f"use config[{cls.__name__}].set_param({key!r}, default) to add a new one")

    # -- values ------------------------------------------------------------------------

    def get_param(self, key):
        """Return the class default (or the :meth:`set_param` default) of ``key``."""
        defaults = class_defaults(self._configures)
        if key in defaults:
            return defaults[key]
        owner = self._extra_owner(key)
        if owner is None:
            raise self._unknown(key)
        return owner._extra[key]

    def set_param(self, key, default):
        """Add a new parameter ``key`` with ``default`` (a value or a ``Parameter``)."""
        if key in _builtin_params(self._configures) or key in self._extra:
            raise ConfigError(f"{key!r} is already a parameter of "
                              f"{self._configures.__name__}; choose a different name")
        if not isinstance(key, str) or not key.isidentifier() or key.startswith("_"):
            raise ConfigError(f"Parameter name {key!r} must be a public Python identifier")
        self._extra[key] = getattr(default, "default", default)

    def update(self, values):
        """Configure several parameters from a dict."""
        for key, value in values.items():
            setattr(self, key, value)

    def _lookup(self, key):
        """Configured value of ``key`` here or on a configured base class in this config."""
        for cls in self._configures.__mro__:
            params = self._config._classparams.get(cls)
            if params is not None and key in params._values:
                return True, params._values[key]
        return False, None

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        if not self._is_known(key):
            raise self._unknown(key)
        found, value = self._lookup(key)
        return value if found else self.get_param(key)

    def __setattr__(self, key, value):
        if not self._is_known(key):
            raise self._unknown(key)
        self._values[key] = value

    def __delattr__(self, key):
        if key not in self._values:
            raise ConfigParamError(f"{key!r} is not configured for {self._configures.__name__}")
        del self._values[key]

    def __contains__(self, key):
        """Whether ``key`` is configured (set) for exactly this class."""
        return key in self._values

    def __repr__(self):
        values = ", ".join(f"{k}: {v!r}" for k, v in self._values.items())
        return f"<ClassParams[{self._configures.__name__}]{{{values}}}>"

    def __str__(self):
        name = self._configures.__name__
        if not self._values:
            return f"No parameters configured for {name}."
        lines = [f"  {k}: {v!r}" for k, v in self._values.items()]
        return "\n".join([f"Parameters configured for {name}:", *lines])


class InstanceParams:
    """Values of extra (``set_param``) parameters for one object inside one config.

    Built-in parameters (``radius`` of an ensemble, ...) are set on the object itself;
    trying to configure them here raises a :class:`~nefsim.exceptions.ConfigError`.
    """

    def __init__(self, instance, config):
        object.__setattr__(self, "_instance", instance)
        object.__setattr__(self, "_config", config)
        object.__setattr__(self, "_values", {})

    def _class_params(self):
        return self._config[type(self._instance)]

    def _check_key(self, key, action):
        cls = type(self._instance)
        if key in _builtin_params(cls):
            raise ConfigError(
                f"Cannot configure the built-in parameter {key!r} on an instance of "
                f"{cls.__name__}; {action} the attribute directly on the object")
        if self._class_params()._extra_owner(key) is None:
            raise ConfigParamError(
                f"{cls.__name__} has no extra parameter {key!r} in this config; add it first "
                f"with config[{cls.__name__}].set_param({key!r}, default)")

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        self._check_key(key, "get")
        if key in self._values:
            return self._values[key]
        return getattr(self._class_params(), key)

    def __setattr__(self, key, value):
        self._check_key(key, "set")
        self._values[key] = value

    def __delattr__(self, key):
        if key not in self._values:
            raise ConfigParamError(f"{key!r} is not set for {self._instance!r}")
        del self._values[key]

    def __contains__(self, key):
        return key in self._values

    def __repr__(self):
        values = ", ".join(f"{k}: {v!r}" for k, v in self._values.items())
        return f"<InstanceParams[{self._instance!r}]{{{values}}}>"

    def __str__(self):
        if not self._values:
            return f"No parameters set for {self._instance}."
        lines = [f"  {k}: {v!r}" for k, v in self._values.items()]
        return "\n".join([f"Parameters set for {self._instance}:", *lines])


# --------------------------------------------------------------------------------------
# Config


class Config:
    """A set of configured parameter defaults for some classes and their instances.

    Parameters
    ----------
    *configures : type
        Classes this config can configure (subclasses of them too).

    Examples
    --------
    >>> with Config(Ensemble) as cfg:
    ...     cfg[Ensemble].radius = 2.0
    ...     ens = Ensemble(10, 1, add_to_container=False)   # radius 2.0
    """

    context = ThreadLocalStack()  # active configs, innermost last

    def __init__(self, *configures):
        self._classparams = {}
        self._instanceparams = {}
        self.configures(*configures)

    def configures(self, *classes):
        """Make this config able to configure ``classes`` (and their subclasses)."""
        for cls in classes:
            if not isinstance(cls, type):
                raise ConfigError(f"Config can only configure classes (got {cls!r})")
            self._classparams.setdefault(cls, ClassParams(cls, self))

    @property
    def params(self):
        """The directly configured classes."""
        return tuple(self._classparams)

    def _configured_base(self, cls):
        return next((c for c in cls.__mro__ if c in self._classparams), None)

    def __getitem__(self, key):
        if isinstance(key, type):
            if self._configured_base(key) is None:
                raise ConfigError(f"Type {key.__name__!r} is not set up for configuration; "
                                  f"call configures({key.__name__}) first")
            # A subclass of a configured class gets its own entry, which falls back to
            # the base class's values (see ClassParams._lookup).
            return self._classparams.setdefault(key, ClassParams(key, self))
        if self._configured_base(type(key)) is None:
            raise ConfigError(f"Type {type(key).__name__!r} is not set up for configuration; "
                              f"call configures({type(key).__name__}) first")
        params = self._instanceparams.get(key)
        if params is None:
            params = self._instanceparams[key] = InstanceParams(key, self)
        return params

    def __contains__(self, key):
        raise TypeError(f"Cannot check if {key!r} is in a config")

    def __enter__(self):
        Config.context.append(self)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        if not Config.context:
            raise ConfigError("Config.context is empty when exiting a 'with' block; "
                              "was the context left twice?")
        popped = Config.context.pop()
        if popped is not self:
            raise ConfigError("Config.context in bad state: exited a config that was not "
                              "the innermost one")

    @staticmethod
    def default(cls, key):
        """Resolve the default of parameter ``key`` of class ``cls``.

        Active configs are searched innermost first; in each, ``cls`` and then its base
        classes.  Falls back to the class default, then to an extra (``set_param``)
        parameter's default.  Raises :class:`ConfigParamError` for unknown names.
        """
        for config in reversed(Config.context):
            for c in cls.__mro__:
                params = config._classparams.get(c)
                if params is not None and key in params._values:
                    return params._values[key]
        defaults = class_defaults(cls)
        if key in defaults:
            return defaults[key]
        for config in reversed(Config.context):
            for c in cls.__mro__:
                params = config._classparams.get(c)
                if params is not None and key in params._extra:
                    return params._extra[key]
        if key in _builtin_params(cls):
            raise ConfigParamError(f"{cls.__name__}.{key} has no default: it must be given")
        raise ConfigParamError(f"{cls.__name__} has no parameter {key!r}")

    @staticmethod
    def all_defaults(cls=None):
        """Describe the current default of every parameter (of ``cls``, or all classes)."""
        if cls is None:
            classes = dict.fromkeys(c for config in Config.context for c in config.params)
            return "\n".join(Config.all_defaults(c) for c in classes)
        lines = [f"Current defaults for {cls.__name__}:"]
        for key in sorted(class_defaults(cls)):
            lines.append(f"  {key}: {Config.default(cls, key)!r}")
        return "\n".join(lines)

    def __repr__(self):
        names = ", ".join(cls.__name__ for cls in self._classparams)
        return f"<Config at 0x{id(self):x} configuring ({names})>"

    def __str__(self):
        return "\n".join(str(params) for params in self._classparams.values())


def resolve_default(obj, key, value):
    """Return ``value``, or the configured default of ``key`` when it is ``Default``.

    ``obj`` is the object (or class) whose parameter it is.  For use in ``__init__`` of
    value objects (learning-rule types, neuron types) that declare ``_param_defaults``.
    """
    if value is not Default:
        return value
    cls = obj if isinstance(obj, type) else type(obj)
    return Config.default(cls, key)
