"""The build context: collects signals, ops, named arrays and built parameters.

:class:`Model` is what the per-type build functions write into; :meth:`Model.to_ir`
turns it into the backend-facing :class:`~nefsim.build.ir.IR`.  ``model.sig[obj][role]``
and ``model.params[obj]`` mirror Nengo's roles and built-parameter tuples so that
``sim.data[obj]`` means what a Nengo user expects.
"""

from collections import defaultdict, namedtuple

import numpy as np

from ..exceptions import BuildError
from .ir import IR, Signal
from .schedule import schedule

BuiltEnsemble = namedtuple(
    "BuiltEnsemble",
    ["eval_points", "encoders", "intercepts", "max_rates", "scaled_encoders", "gain", "bias"])
BuiltConnection = namedtuple(
    "BuiltConnection", ["eval_points", "solver_info", "weights", "transform"])

_builders = {}


def register(cls):
    """Decorator: ``@register(Ensemble) def build_ensemble(model, ens): ...``."""
    def decorator(fn):
        _builders[cls] = fn
        return fn
    return decorator


class Model:
    """Everything built so far for one network.

    Attributes
    ----------
    dt : float
    sig : dict
        ``obj -> {role: Signal}`` (roles as in Nengo: ``in``, ``out``, ``bias``, ...).
    params : dict
        ``obj -> BuiltEnsemble | BuiltConnection | None``.
    arrays : dict
        ``name -> ndarray`` of matrices ops refer to by name (weights, encoders).
    seeds, seeded : dict
        Per-object seeds and whether they derive from an explicit seed.
    names : dict
        ``obj -> stable label-path name``.
    loaded : LoadedParams or None
        Saved parameters used instead of sampling and solving (``Simulator(params=)``).
    """

    def __init__(self, dt=0.001, decoder_cache=None, loaded=None):
        self.dt = float(dt)
        self.decoder_cache = decoder_cache
        self.loaded = loaded  # LoadedParams to build from, or None (sample and solve)
        self.signals = []
        self.ops = []
        self.arrays = {}
        self.array_kinds = {}
        self.sig = defaultdict(dict)
        self.params = {}
        self.seeds = {}
        self.seeded = {}
        self.names = {}
        self.probes = []
        self.toplevel = None
        self.progress = None  # called with 1 after each built object (progress bar)
        self.memo = {}  # build-time scratch: activities per ensemble, shared solves

    # -- construction helpers
    def add_signal(self, name, initial, kind="state"):
        sig = Signal(name, initial, kind)
        self.signals.append(sig)
        return sig

    def add_op(self, op):
        self.ops.append(op)
        return op

    def add_array(self, name, value, kind="param"):
        if name in self.arrays:
            raise BuildError(f"two arrays are named {name!r}; give the objects distinct labels")
        self.arrays[name] = value
        self.array_kinds[name] = kind
        return name

    def build(self, obj, *args):
        """Build ``obj`` with the function registered for its class (or a base class)."""
        for cls in type(obj).__mro__:
            if cls in _builders:
                result = _builders[cls](self, obj, *args)
                if self.progress is not None and cls.__name__ != "Network":
                    self.progress(1)
                return result
        raise BuildError(f"cannot build object of type {type(obj).__name__}: "
                         "nefsim has no builder registered for it")

    def require_built(self, obj, owner):
        """Raise a BuildError unless ``obj`` (an endpoint of ``owner``) was built here."""
        target = getattr(obj, "ensemble", obj)  # Neurons belong to their ensemble
        if target not in self.params:
            label = getattr(target, "label", None) or type(target).__name__
            raise BuildError(
                f"{owner}: {type(target).__name__} {label!r} is not part of the network "
                "being simulated; create it inside the `with network:` block (or add it "
                "with network.add) before building")

    def name_of(self, obj):
        return self.names.get(obj, repr(obj))

    def load(self, name):
        """The loaded entry ``name``, or None (also when nothing is loaded)."""
        return None if self.loaded is None else self.loaded.get(name)

    def to_ir(self):
        """Schedule and merge the ops; return the backend-facing IR."""
        groups = schedule(self.ops)
        return IR(dt=self.dt, signals=self.signals, groups=groups, arrays=self.arrays,
                  probes=self.probes)


def zeros_signal(model, name, size):
    return model.add_signal(name, np.zeros(size))
