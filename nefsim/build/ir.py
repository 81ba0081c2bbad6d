"""The intermediate representation (IR) that the builder produces and backends run.

The IR is plain data: no description-layer objects inside (callables that the user gave,
such as Node functions, are kept as opaque Python callbacks).

* A :class:`Signal` is a named vector of float64 state.  Backends lay all signals out in
  one flat buffer with a leading batch axis, ``(batch, n_total)``.
* An op reads and writes signals through :class:`Ref` (a signal plus an optional index)
  and declares what it *sets*, *incs*, *reads* and *updates*.  Within one step every
  signal is set, then incremented, then read, then updated (Nengo's rule), so a filtered
  connection delays by exactly one step and a loop with no filter is a cycle.
* Ops of the same kind that do not depend on each other are merged into one
  :class:`OpGroup` (see :mod:`nefsim.build.schedule`); a backend compiles one kernel per
  group.
* Matrices that users may read or write (connection weights, encoders) live in
  ``IR.arrays`` under stable names derived from label paths.
"""

from dataclasses import dataclass, field

import numpy as np


class Signal:
    """A named float64 vector of simulation state.

    Parameters
    ----------
    name : str
        Stable name, derived from the owner's label path (``"net.a:voltage"``).
    initial : array_like
        The value at the start of a run (and after ``reset``).
    kind : str
        ``"state"`` (restored on reset), ``"const"`` (never written), or ``"learned"``.
    """

    __slots__ = ("name", "initial", "kind")

    def __init__(self, name, initial, kind="state"):
        self.name = name
        self.initial = np.array(initial, dtype=np.float64).reshape(-1)
        self.kind = kind

    @property
    def size(self):
        return self.initial.size

    def __repr__(self):
        return f"Signal({self.name!r}, size={self.size})"

    def __getitem__(self, index):
        return Ref(self, index)

    def ref(self):
        return Ref(self, None)


@dataclass(eq=False)
class Ref:
    """A signal, or part of it: ``index`` is None (all), a slice, or an int array."""

    signal: Signal
    index: object = None

    @property
    def size(self):
        return len(self.local_indices())

    def local_indices(self):
        """Indices into the signal, as an int array."""
        n = self.signal.size
        if self.index is None:
            return np.arange(n)
        return np.arange(n)[self.index].reshape(-1)


def as_ref(obj):
    return obj if isinstance(obj, Ref) else Ref(obj)


# ---------------------------------------------------------------------- ops
@dataclass(eq=False)
class Op:
    """Base class: ``sets``/``incs``/``reads``/``updates`` are lists of Signals."""

    tag: str = field(default="", kw_only=True)

    sets = incs = reads = updates = ()

    def merge_key(self):
        """Ops with equal keys may be merged when independent; None never merges."""
        return None


@dataclass(eq=False)
class Reset(Op):
    """``dst = value`` (sets dst)."""

    dst: Signal
    value: float = 0.0

    @property
    def sets(self):
        return [self.dst]

    def merge_key(self):
        return ("reset", self.value)


@dataclass(eq=False)
class Copy(Op):
    """``dst[di] = src[si]``, or ``+=`` when ``inc`` (duplicate dst indices add up)."""

    src: Ref
    dst: Ref
    inc: bool = False

    @property
    def sets(self):
        return [] if self.inc else [self.dst.signal]

    @property
    def incs(self):
        return [self.dst.signal] if self.inc else []

    @property
    def reads(self):
        return [self.src.signal]

    def merge_key(self):
        return ("copy", self.inc)


class _IncOp(Op):
    """An op that reads ``src`` and adds into ``dst``."""

    @property
    def incs(self):
        return [self.dst.signal]

    @property
    def reads(self):
        return [self.src.signal]


@dataclass(eq=False)
class ElementwiseInc(_IncOp):
    """``dst += scale * src`` with a constant ``scale`` vector (or scalar)."""

    scale: np.ndarray
    src: Ref
    dst: Ref

    def merge_key(self):
        return ("elementwise",)


@dataclass(eq=False)
class DotInc(_IncOp):
    """``dst += W @ src`` where ``W = IR.arrays[weights]`` (shape dst.size x src.size)."""

    weights: str
    src: Ref
    dst: Ref
    learned: bool = False

    def merge_key(self):
        return None if self.learned else ("dot",)


@dataclass(eq=False)
class LearnedDotInc(_IncOp):
    """``dst += W @ src`` where ``W`` is the (learned) signal ``weights`` of ``shape``.

    Learned matrices are state: they live in the buffer, one copy per batch element, are
    restored by reset, and change while the model runs.
    """

    weights: Signal
    shape: tuple
    src: Ref
    dst: Ref

    @property
    def reads(self):
        return [self.src.signal, self.weights]


@dataclass(eq=False)
class ProjectedInc(_IncOp):
    """``W[:, cols] += keep * (P @ delta)`` on a learned matrix ``W = dst`` of ``shape``.

    A learning rule computes ``delta`` (``delta_shape``) in its own space (decoders, or a
    neuron-to-neuron transform before the post gains); ``P`` (``shape[0] x
    delta_shape[0]``, or None for the identity) maps it into the units of ``W``, ``cols``
    (int array, or None for all) says which columns of ``W`` it lands in, and ``keep``
    (0/1 array of ``W``'s shape, or None) holds lesioned entries at zero.
    """

    src: Ref
    delta_shape: tuple
    dst: Ref
    shape: tuple
    P: np.ndarray = None
    cols: np.ndarray = None
    keep: np.ndarray = None


@dataclass(eq=False)
class RuleStep(Op):
    """A learning rule's update, in the *update* phase.

    ``delta, new_state = fn(xp, **inputs, **state)`` where ``inputs`` maps names to
    ``(Ref, shape)`` read this step and ``state`` maps names to ``(Signal, shape)`` that
    the rule carries from step to step (e.g. RLS's inverse correlation matrix).  ``delta``
    (of ``delta_shape``) is added to the learned signal at the start of the next step.
    """

    fn: object
    inputs: dict
    delta: Signal
    delta_shape: tuple
    state: dict = field(default_factory=dict)

    @property
    def reads(self):
        return [ref.signal for ref, _ in self.inputs.values()]

    @property
    def updates(self):
        return [self.delta, *(sig for sig, _ in self.state.values())]


@dataclass(eq=False)
class TransformInc(_IncOp):
    """``dst += transform.apply(IR.arrays[weights], src)`` for structured transforms."""

    transform: object
    weights: str
    src: Ref
    dst: Ref


@dataclass(eq=False)
class NeuronStep(Op):
    """``out, state = neuron_type.step(dt, J, state)`` (sets out and the state signals)."""

    neuron_type: object
    J: Signal
    out: Signal
    state: dict
    rng: object = None
    # 0/1 per neuron, multiplied into ``out`` after the step (silenced neurons emit 0)
    out_scale: np.ndarray = None

    @property
    def sets(self):
        return [self.out, *self.state.values()]

    @property
    def reads(self):
        return [self.J]

    def merge_key(self):
        if self.rng is not None:
            return None
        return ("neurons", self.neuron_type)


@dataclass(eq=False)
class PyFunc(Op):
    """``out = fn(t, x)`` / ``fn(t)`` / ``fn(x)`` for a user callable (sets out).

    ``owner`` names the object in error messages; ``size_out`` is checked every call.
    """

    fn: object
    out: Signal = None
    x: Ref = None
    pass_time: bool = True
    owner: str = ""

    @property
    def sets(self):
        return [self.out] if self.out is not None else []

    @property
    def reads(self):
        return [self.x.signal] if self.x is not None else []


@dataclass(eq=False)
class Filter(Op):
    """A linear filter in state-space form: ``(y, X) = filter_step(A, B, C, D, X, u)``.

    It reads ``inp`` this step.  In the default ``"update"`` mode it writes ``out`` (and
    its ``state`` of size ``k * inp.size``) for consumers in the *next* step, which is
    the one-step delay of every synapse on a connection.  In ``"set"`` mode consumers see
    ``out`` in the same step (the filtered activities that learning rules use).
    """

    A: np.ndarray
    B: np.ndarray
    C: np.ndarray
    D: np.ndarray
    inp: Ref
    out: Signal
    state: Signal
    mode: str = "update"

    @property
    def reads(self):
        return [self.inp.signal]

    @property
    def sets(self):
        return [self.out] if self.mode == "set" else []

    @property
    def updates(self):
        state = [self.state] if self.state.size else []
        return state if self.mode == "set" else [self.out, *state]

    def is_onex(self):
        return self.A.shape == (1, 1) and self.D[0, 0] == 0

    def merge_key(self):
        if self.is_onex():
            return ("lowpass", self.mode)
        return None


@dataclass(eq=False)
class ProcessStep(Op):
    """Run a :class:`~nefsim.processes.Process` as a Python callback.

    ``mode`` is ``"set"``, ``"inc"`` or ``"update"`` (how ``out`` is written).  The
    callback is made from ``process.make_step`` on every reset, with an rng derived from
    the simulator seed (or the process' own seed).
    """

    process: object
    out: Ref
    inp: Ref = None
    mode: str = "set"
    owner: str = ""

    @property
    def sets(self):
        return [self.out.signal] if self.mode == "set" else []

    @property
    def incs(self):
        return [self.out.signal] if self.mode == "inc" else []

    @property
    def updates(self):
        return [self.out.signal] if self.mode == "update" else []

    @property
    def reads(self):
        return [self.inp.signal] if self.inp is not None else []


@dataclass(eq=False)
class OpGroup:
    """Ops of one kind that are independent of each other, run as one kernel."""

    ops: list

    @property
    def kind(self):
        return type(self.ops[0]).__name__

    def __repr__(self):
        return f"OpGroup({self.kind} x {len(self.ops)})"


def sampled(step, period):
    """Whether a probe sampling every ``period`` steps records step number ``step``
    (1-based; a scalar or an array of them): Nengo's rule, also for fractional periods."""
    return step % period < 1


@dataclass(eq=False)
class ProbeSpec:
    """What a probe records: a signal ref (after the step), every ``period`` steps.

    ``shape``, when given, is the shape of one sample (e.g. a learned weight matrix).
    """

    key: object
    ref: Ref
    period: float
    shape: tuple = None


@dataclass(eq=False)
class IR:
    """A built model, ready for a backend.

    Attributes
    ----------
    dt : float
    signals : list of Signal
    groups : list of OpGroup, in execution order
    arrays : dict of name -> ndarray (weights, encoders, ...)
    probes : list of ProbeSpec
    """

    dt: float
    signals: list
    groups: list
    arrays: dict
    probes: list
