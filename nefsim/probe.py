"""``Probe``: records a signal of a model object during a simulation.

``Probe(target, attr)`` records ``target``'s ``attr`` (default ``target.probeable[0]``):
an ensemble's ``decoded_output``, a node's ``output``, neurons' ``output`` (spikes) or
``voltage``, a connection's ``weights``, a learning rule's ``delta``, ...  ``target`` may
be a slice (``Probe(ens[0])``, ``Probe(ens.neurons[:10], "voltage")``).
"""

from ._validation import Default, check_instance, check_number, check_str
from .base import NefsimObject, ObjView
from .config import Config
from .connection import Connection
from .ensemble import Ensemble, Neurons
from .exceptions import ValidationError
from .learning_rules import LearningRule
from .node import Node
from .solvers import Solver
from .synapses import as_synapse


class _ConnectionDefaultType:
    """Sentinel: use the default of ``Connection.solver`` (for ``Probe.solver``)."""

    def __repr__(self):
        return "ConnectionDefault"


ConnectionDefault = _ConnectionDefaultType()

_PROBE_TARGETS = (Ensemble, Neurons, Node, Connection, LearningRule)


class Probe(NefsimObject):
    """Records ``attr`` of ``target`` while the model runs (read via ``sim.data[probe]``).

    Parameters
    ----------
    target : Ensemble, Neurons, Node, Connection, LearningRule, or a slice of one
        What to record.
    attr : str, optional
        Which signal; default ``target.probeable[0]``.
    sample_every : float, optional
        Sampling period in seconds; default: every step.
    synapse : Synapse or float, optional
        Filter applied to the recorded signal.  Default None (no filter).
    solver : Solver, optional
        Decoder solver when probing an ensemble's ``decoded_output``; default: the
        configured default of ``Connection.solver``.
    label : str, optional
    seed : int, optional
    """

    _param_defaults = {**NefsimObject._param_defaults, "attr": None, "sample_every": None,
                       "synapse": None, "solver": ConnectionDefault}
    _readonly = ("target",)

    def __init__(self, target, attr=None, sample_every=Default, synapse=Default,
                 solver=Default, label=Default, seed=Default, add_to_container=None):
        super().__init__(label=label, seed=seed)
        self.target = target
        self.attr = attr
        self.sample_every = sample_every
        self.synapse = synapse
        self.solver = solver
        self._add_to_network(add_to_container)

    # -- validation --------------------------------------------------------------------

    def _check_target(self, target):
        obj = target.obj if isinstance(target, ObjView) else target
        if not isinstance(obj, _PROBE_TARGETS):
            raise ValidationError(
                "must be an Ensemble, Neurons, Node, Connection or LearningRule, or a slice "
                f"of one (got {type(target).__name__} {target!r}); to record a network, "
                "probe the objects inside it", "target", self)
        if isinstance(obj, (Ensemble, Neurons, Node)) and target.size_out == 0:
            raise ValidationError(f"{target} has no output to record (its size_out is 0)",
                                  "target", self)
        return target

    def _check_attr(self, attr):
        probeable = tuple(self.target.probeable)
        if attr is None:
            return probeable[0]
        attr = check_str(attr, "attr", self, optional=False)
        if attr not in probeable:
            raise ValidationError(
                f"{attr!r} is not probeable on {self.target}; the probeable attributes are "
                f"{', '.join(repr(a) for a in probeable)}", "attr", self)
        return attr

    def _check_sample_every(self, value):
        return check_number(value, "sample_every", self, low=0, low_open=True, optional=True)

    def _check_synapse(self, value):
        return as_synapse(value, "synapse", self)

    def _check_solver(self, value):
        if value is ConnectionDefault:
            value = Config.default(Connection, "solver")
        return check_instance(value, "solver", self, Solver, what="a Solver such as LstsqL2()")

    # -- description -------------------------------------------------------------------

    @property
    def obj(self):
        """The probed object (the sliced object when ``target`` is a view)."""
        return self.target.obj if isinstance(self.target, ObjView) else self.target

    @property
    def slice(self):
        """The target's selection; ``slice(None)`` when the target is not a view."""
        return self.target.slice if isinstance(self.target, ObjView) else slice(None)

    @property
    def size_in(self):
        """Size of the probed signal (for ``weights`` probes this is only a hint)."""
        target = self.target
        if isinstance(target, Connection):
            return target.pre_obj.size_out if self.attr == "input" else target.size_out
        if isinstance(target, LearningRule):
            return target.size_in
        if self.attr == "input" and isinstance(self.obj, (Ensemble, Neurons)):
            return target.size_in
        return target.size_out

    @property
    def size_out(self):
        return 0

    def _description(self):
        return f"of {self.attr!r} of {self.target}"

    def __repr__(self):
        label = f' "{self.label}"' if self.label is not None else ""
        return f"<Probe{label} at 0x{id(self):x} {self._description()}>"

    def __str__(self):
        label = f' "{self.label}"' if self.label is not None else ""
        return f"<Probe{label} {self._description()}>"
