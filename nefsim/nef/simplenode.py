"""``nef.SimpleNode``: hand-written nodes in the Nengo 1.4 style.

Subclass :class:`SimpleNode`, define methods ``termination_<name>(self, x, ...)``
(inputs), ``origin_<name>(self)`` (outputs returning a list of floats), and optionally
``init(self)`` and ``tick(self)``; then ``net.add(MyNode('name'))``.  Behaviour follows
shared/reference/nef14.md §12:

* construction: terminations are found (the method's ``dimensions=`` default gives the
  size, 1 if absent; ``pstc=`` the filter time constant, else the class attribute
  ``pstc``, 0), then ``init()`` runs, then each origin method is called once and the
  length of what it returns fixes the origin's size;
* each step: every termination filters its input (exact ``exp(-dt/tau)``; unfiltered
  when ``tau < dt`` or ``tau <= 0``) and its method is called with the filtered value
  as a list; then ``tick()``; then the origin methods give the outputs;
* ``self.t`` is the step's start time, ``self.t_end`` its end;
* a reset (``net.reset()``, or time going backwards) zeroes the terminations and calls
  ``init()`` again; origins keep their last value until they next run.

The node is one nefsim :class:`~nefsim.Node` whose input is the concatenation of the
terminations and whose output is the concatenation of the origins.  Unlike 1.4, a
SimpleNode can be connected by name when the choice is unambiguous (its only
termination; its ``'X'`` origin or its only origin).
"""

import inspect

import numpy as np

from ..exceptions import SimulationError, ValidationError
from ..node import Node
from .ensemble import _Node
from .terms import NodeOrigin, SimpleNodeTermination


def _default(method, name, fallback):
    try:
        param = inspect.signature(method).parameters.get(name)
    except (TypeError, ValueError):
        return fallback
    if param is None or param.default is inspect.Parameter.empty:
        return fallback
    return param.default


class SimpleNode(_Node):
    """Base class of hand-written 1.4 nodes.

    Parameters
    ----------
    name : str
        The node's name in the network.

    Attributes
    ----------
    t, t_end : float
        Start and end time of the current step.
    pstc : float
        Default filter time constant of the terminations (class attribute, 0).
    """

    pstc = 0

    def __init__(self, name):
        super().__init__(name)
        self.t = self.t_end = 0.0
        self._node = None
        self._container = None
        self._last_t = None
        self._methods = {}
        index = 0
        for attr in dir(type(self)):
            if attr.startswith("termination_"):
                method = getattr(self, attr)
                dims = int(_default(method, "dimensions", 1))
                tau = float(_default(method, "pstc", self.pstc))
                name_ = attr[len("termination_"):]
                self.termination[name_] = SimpleNodeTermination(
                    self, name_, dims, tau, slice(index, index + dims))
                self._methods[name_] = method
                index += dims
        self._size_in = index
        self._filtered = {k: np.zeros(t.dimensions) for k, t in self.termination.items()}
        self.init()
        self._origin_methods = []
        start = 0
        for attr in dir(type(self)):
            if attr.startswith("origin_"):
                method = getattr(self, attr)
                size = np.atleast_1d(np.asarray(method(), dtype=np.float64)).size
                name_ = attr[len("origin_"):]
                view = slice(start, start + size)
                self.origin[name_] = NodeOrigin(self, name_, size,
                                                lambda v=view: self._require_node()[v])
                self._origin_methods.append((name_, method, size))
                start += size
        self._size_out = start
        self._output = self._collect() if start else np.zeros(0)

    # -- to override ------------------------------------------------------------------

    def init(self):
        """Called at construction and after every reset."""

    def tick(self):
        """Called once per step, after the terminations and before the origins."""

    # -- 1.4 API --------------------------------------------------------------------

    def setTau(self, name, tau):  # noqa: N802 - 1.4's name
        """Change the filter time constant of termination ``name``."""
        self.getTermination(name).pstc = float(tau)

    @property
    def dimensions(self):
        return self._size_out

    @property
    def members(self):
        return []

    # -- nefsim side ----------------------------------------------------------------

    def _attach(self, container):
        if self._node is not None:
            raise ValidationError(f"SimpleNode {self.name!r} is already in a network",
                                  "add", self)
        if self._size_in:
            def output(t, x):
                return self._step(t, x)
        else:
            def output(t):
                return self._step(t, None)
        self._node = Node(output=output, size_in=self._size_in, size_out=self._size_out,
                          label=self.name, add_to_container=False)
        container.add(self._node)
        self._node._nef_container = container
        self._container = container

    def _require_node(self):
        if self._node is None:
            raise ValidationError(f"SimpleNode {self.name!r} is not in a network yet; add it "
                                  "with net.add(node) first", "add", self)
        return self._node

    @property
    def node(self):
        """The underlying nefsim Node."""
        return self._require_node()

    def _reset(self):
        for value in self._filtered.values():
            value[...] = 0
        self._last_t = None
        self.init()

    def _collect(self):
        parts = []
        for name, method, size in self._origin_methods:
            value = np.atleast_1d(np.asarray(method(), dtype=np.float64)).ravel()
            if value.size != size:
                raise SimulationError(f"SimpleNode {self.name!r}: origin_{name} returned "
                                      f"{value.size} values, but it returned {size} at "
                                      "construction (an origin's size is fixed)")
            parts.append(value)
        return np.concatenate(parts) if parts else np.zeros(0)

    def _step(self, t, x):
        if t <= 0:  # nefsim probes the function once at t = 0 when the node is made
            return self._output
        if self._last_t is not None and t <= self._last_t:
            self._reset()  # time went backwards: the simulator was reset
        dt = t if self._last_t is None else t - self._last_t
        self.t, self.t_end = t - dt, t
        for name, term in self.termination.items():
            value = x[term.index]
            tau = term.pstc
            if tau > 0 and tau >= dt:
                decay = np.exp(-dt / tau)
                value = self._filtered[name] * decay + (1 - decay) * value
            self._filtered[name] = np.array(value, dtype=np.float64)
            self._methods[name](list(self._filtered[name]))
        self.tick()
        self._output = self._collect()
        self._last_t = t
        return self._output
