"""Origins and terminations of the Nengo 1.4 scripting layer (:mod:`nefsim.nef`).

In Nengo 1.4 every node has named *origins* (outputs: ``'X'``, a function's name,
``'AXON'`` for spikes, ``'origin'`` for inputs) and *terminations* (inputs, one per
``connect``).  Here an origin knows how to send its value into any nefsim object
(:meth:`Origin._connect`), and a termination knows which nefsim object receives it and
through which transform and filter (:meth:`Termination._project`).  Nothing is built
twice: a decoded origin holds its decoders (solved by the ensemble wrapper), and a
connection from it is a nefsim ``Connection`` from the neurons with the transform
``T @ decoders.T``, so decoded values never pass through an extra node.

Every origin offers ``node_or_view``: a nefsim object whose output *is* the origin's
value, made on first use (a passthrough ``Node`` for decoded origins), for probes and
logs.  Terminations offer ``connections``: the nefsim connections made into them.
"""

import warnings

import numpy as np

from ..connection import Connection
from ..exceptions import ValidationError
from ..node import Node
from ..synapses import Lowpass


def synapse_of(pstc):
    """1.4's ``pstc`` as a nefsim synapse: a first-order low-pass, none for ``pstc <= 0``."""
    return Lowpass(float(pstc)) if pstc is not None and pstc > 0 else None


def _add(container, obj):
    """Add ``obj`` to nefsim network ``container`` and remember where (for removal)."""
    container.add(obj)
    obj._nef_container = container
    return obj


class Origin:
    """An output of a 1.4 node.

    Attributes
    ----------
    owner : object
        The ensemble, array, input or SimpleNode wrapper it belongs to.
    name : str
    dimensions : int
    node_or_view : nefsim object
        Something whose output is this origin's value (for probes and logs).
    """

    def __init__(self, owner, name, dimensions):
        self.owner = owner
        self.name = name
        self.dimensions = int(dimensions)
        self._node = None

    def getName(self):  # noqa: N802 - 1.4's Java-style accessor
        return self.name

    def getDimensions(self):  # noqa: N802
        return self.dimensions

    @property
    def node_or_view(self):
        raise NotImplementedError

    def _connect(self, target, transform, synapse, container, keep_zero=False):
        """Send ``transform @ value`` to nefsim ``target``; return the new Connections."""
        raise NotImplementedError

    def _summing_node(self, label):
        """A passthrough Node carrying this origin's whole value, made once on demand
        (for origins whose value is spread over several connections)."""
        if self._node is None:
            container = self.owner._require_container()
            node = _add(container, Node(size_in=self.dimensions, add_to_container=False,
                                        label=label))
            self._connect(node, np.eye(self.dimensions), None, container)
            self._node = node
            self.owner._changed()
        return self._node

    def __repr__(self):
        return f"<Origin {getattr(self.owner, 'name', '?')}.{self.name} ({self.dimensions}-D)>"


class _Piece:
    """One ensemble's share of a decoded origin: rows ``out`` of the origin's value."""

    def __init__(self, ens, out, decoders=None, function=None):
        self.ens = ens            # NEFEnsemble wrapper
        self.out = out            # slice of the origin's dimensions this piece produces
        self.decoders = decoders  # (n_neurons, k) or None in direct mode
        self.function = function  # what a direct-mode piece computes (None: identity)


class DecodedOrigin(Origin):
    """A function of an ensemble's (or, piecewise, an array's) value, decoded from its
    neurons; in direct mode computed exactly.

    Attributes
    ----------
    pieces : list
        One entry per ensemble (one for a plain ensemble).
    function : callable, array or None
        What was asked for (None for ``'X'``, the table for a lookup origin).
    """

    def __init__(self, owner, name, pieces, function=None):
        dims = sum(p.out.stop - p.out.start for p in pieces)
        super().__init__(owner, name, dims)
        self.pieces = pieces
        self.function = function

    @property
    def decoders(self):
        """The ``(n_neurons, dimensions)`` decoders (block-diagonal for an array)."""
        if any(p.decoders is None for p in self.pieces):
            raise ValidationError(f"origin {self.name!r} of {self.owner.name!r} is in direct "
                                  "mode and has no decoders", "decoders", self.owner)
        n = sum(p.decoders.shape[0] for p in self.pieces)
        D = np.zeros((n, self.dimensions))
        row = 0
        for p in self.pieces:
            D[row:row + p.decoders.shape[0], p.out] = p.decoders
            row += p.decoders.shape[0]
        return D

    def getDecoders(self):  # noqa: N802
        return self.decoders

    @property
    def node_or_view(self):
        if len(self.pieces) == 1 and self.pieces[0].decoders is None \
                and self.pieces[0].function is None:
            return self.pieces[0].ens.ensemble  # a direct ensemble's value is its 'X'
        return self._summing_node(f"{self.owner.name}.{self.name}")

    def _connect(self, target, transform, synapse, container, keep_zero=False):
        T = np.asarray(transform, dtype=np.float64)
        conns = []
        for p in self.pieces:
            block = T[:, p.out]
            if not keep_zero and not np.any(block):
                continue
            if p.decoders is not None:
                conn = Connection(p.ens.ensemble.neurons, target, synapse=synapse,
                                  transform=block @ p.decoders.T, add_to_container=False)
            else:
                conn = Connection(p.ens.ensemble, target, synapse=synapse, transform=block,
                                  function=p.function, add_to_container=False)
            conns.append(_add(container, conn))
        return conns


class NodeOrigin(Origin):
    """The output of a nefsim Node (or a slice of one): inputs and SimpleNode origins."""

    def __init__(self, owner, name, dimensions, get_obj):
        super().__init__(owner, name, dimensions)
        self._get_obj = get_obj

    @property
    def node_or_view(self):
        return self._get_obj()

    def _connect(self, target, transform, synapse, container, keep_zero=False):
        T = np.asarray(transform, dtype=np.float64)
        if not keep_zero and not np.any(T):
            return []
        return [_add(container, Connection(self.node_or_view, target, synapse=synapse,
                                           transform=T, add_to_container=False))]


class AxonOrigin(Origin):
    """1.4's ``'AXON'``: the neurons' outputs (spikes, or rates in rate mode), in order
    over the ensembles of an array."""

    def __init__(self, owner, ensembles):
        super().__init__(owner, "AXON", sum(e.neurons for e in ensembles))
        self.ensembles = ensembles

    def _blocks(self):
        start = 0
        for ens in self.ensembles:
            yield ens, slice(start, start + ens.neurons)
            start += ens.neurons

    @property
    def node_or_view(self):
        if len(self.ensembles) == 1:
            return self.ensembles[0].ensemble.neurons
        return self._summing_node(f"{self.owner.name}.AXON")

    def _connect(self, target, transform, synapse, container, keep_zero=False):
        T = np.asarray(transform, dtype=np.float64)
        conns = []
        for ens, cols in self._blocks():
            block = T[:, cols]
            if keep_zero or np.any(block):
                conns.append(_add(container, Connection(
                    ens.ensemble.neurons, target, synapse=synapse, transform=block,
                    add_to_container=False)))
        return conns


# ------------------------------------------------------------------------ terminations


class Termination:
    """An input of a 1.4 node, made by ``connect`` (or by a SimpleNode method).

    Attributes
    ----------
    owner : object
        The node wrapper it belongs to.
    name : str
    dimensions : int
        Size of the value it takes from an origin.
    pstc : float
        Its post-synaptic time constant.
    modulatory, plastic : bool
    connections : list of Connection
        The nefsim connections made into it so far.
    """

    modulatory = False
    plastic = False

    def __init__(self, owner, name, dimensions, pstc):
        self.owner = owner
        self.name = name
        self.dimensions = int(dimensions)
        self.pstc = pstc
        self.connections = []

    def getName(self):  # noqa: N802
        return self.name

    def getDimensions(self):  # noqa: N802
        return self.dimensions

    def getTau(self):  # noqa: N802
        return self.pstc

    def _check_origin(self, origin):
        if origin.dimensions != self.dimensions:
            raise ValidationError(
                f"origin {origin.name!r} of {origin.owner.name!r} has {origin.dimensions} "
                f"dimension(s) but termination {self.name!r} of {self.owner.name!r} takes "
                f"{self.dimensions}", "post", self.owner)

    def _project(self, origin, container):
        """Connect ``origin`` into this termination; return the new Connections."""
        raise NotImplementedError

    def _connect_into(self, origin, post, matrix, synapse, container, **options):
        """The common body of :meth:`_project`: check ``origin``, connect it to ``post``
        through ``matrix``, and record the new Connections."""
        self._check_origin(origin)
        conns = origin._connect(post, matrix, synapse, container, **options)
        self.connections.extend(conns)
        return conns

    def __repr__(self):
        return (f"<Termination {getattr(self.owner, 'name', '?')}.{self.name} "
                f"({self.dimensions}-D)>")


class DecodedTermination(Termination):
    """A decoded input of one ensemble: ``transform @ origin`` filtered by ``pstc``.

    A *modulatory* one does not drive the neurons (as in 1.4): its filtered value goes
    to a passthrough Node (``node_or_view``) that learning rules read.
    """

    def __init__(self, owner, name, transform, pstc, modulatory=False):
        transform = np.asarray(transform, dtype=np.float64)
        super().__init__(owner, name, transform.shape[1], pstc)
        self.transform = transform
        self.modulatory = bool(modulatory)
        self._node = None

    @property
    def node_or_view(self):
        """Where the filtered value goes: the ensemble, or the modulatory node."""
        if not self.modulatory:
            return self.owner.ensemble
        if self._node is None:
            self._node = _add(self.owner._require_container(),
                              Node(size_in=self.transform.shape[0], add_to_container=False,
                                   label=f"{self.owner.name}.{self.name}"))
        return self._node

    def _project(self, origin, container):
        return self._connect_into(origin, self.node_or_view, self.transform,
                                  synapse_of(self.pstc), container)


class CurrentTermination(Termination):
    """A decoded value sent straight into the neurons' currents through one weight row
    per neuron (``connect(..., encoders=...)``, or a transform with one row per post
    neuron).  As in 1.4 the neuron multiplies this current by its gain."""

    def __init__(self, owner, name, matrix, pstc):
        matrix = np.asarray(matrix, dtype=np.float64)
        super().__init__(owner, name, matrix.shape[1], pstc)
        self.matrix = matrix

    def _project(self, origin, container):
        return self._connect_into(origin, self.owner.ensemble.neurons, self.matrix,
                                  synapse_of(self.pstc), container)


class WeightTermination(Termination):
    """A neuron-to-neuron weight matrix from another ensemble's ``'AXON'`` (``weight_func``,
    ``expose_weights``, ``plastic_array``).

    ``weights`` is 1.4's ``(post neurons, pre neurons)`` matrix without the post gain; the
    neurons multiply their synaptic input by their gain, in nefsim as in 1.4.  A plastic
    termination can be given a learning rule (:meth:`_set_rule`), before or after it is
    projected.
    """

    def __init__(self, owner, name, weights, pstc, plastic=False):
        weights = np.asarray(weights, dtype=np.float64)
        super().__init__(owner, name, weights.shape[1], pstc)
        self.weights = weights
        self.plastic = bool(plastic)
        self.rule = None
        self.mod = None
        self._mod_conns = []
        self._container = None  # the nefsim network its connections were added to

    def _check_origin(self, origin):
        if not isinstance(origin, AxonOrigin):
            raise ValidationError(
                f"termination {self.name!r} of {self.owner.name!r} takes spikes: connect the "
                f"'AXON' origin of its pre ensemble (got origin {origin.name!r})", "pre",
                self.owner)
        super()._check_origin(origin)

    def _project(self, origin, container):
        conns = self._connect_into(origin, self.owner.ensemble.neurons, self.weights,
                                   synapse_of(self.pstc), container, keep_zero=self.plastic)
        self._container = container
        if self.rule is not None:
            self._apply_rule(conns)
        return conns

    def _set_rule(self, rule, mod):
        """Learn this termination's weights with ``rule``, driven by termination ``mod``."""
        if self.rule is not None:
            warnings.warn(f"{self.owner.name}.{self.name}: replacing learning rule "
                          f"{self.rule!r} with {rule!r}")
            for conn in self._mod_conns:
                _remove_connection(conn)
            self._mod_conns = []
        self.rule, self.mod = rule, mod
        self._apply_rule(self.connections)

    def _apply_rule(self, conns):
        for conn in conns:
            conn.learning_rule_type = self.rule
            if self.mod is not None and conn.learning_rule.size_in:
                mod = self.mod.node_or_view
                self._mod_conns.append(_add(self._container, Connection(
                    mod, conn.learning_rule, synapse=None, add_to_container=False)))


def _remove_connection(conn):
    """Take ``conn`` out of whichever network holds it (used when a rule is replaced)."""
    net = getattr(conn, "_nef_container", None)
    if net is not None and conn in net.connections:
        net.connections.remove(conn)


class ArrayTermination(Termination):
    """A termination of an ensemble array: one termination of the same name on each
    ensemble, each taking its block of the transform's rows."""

    def __init__(self, owner, name, parts):
        dims = {p.dimensions for p in parts}
        super().__init__(owner, name, dims.pop() if len(dims) == 1 else 0,
                         parts[0].pstc if parts else None)
        self.parts = parts
        self.modulatory = all(p.modulatory for p in parts)
        self.plastic = all(p.plastic for p in parts)

    def _project(self, origin, container):
        conns = []
        for part in self.parts:
            conns.extend(part._project(origin, container))
        self.connections.extend(conns)
        return conns


class SimpleNodeTermination(Termination):
    """A termination of a :class:`~nefsim.nef.SimpleNode`: its input slice of the node.

    The node filters its inputs itself (exact ``exp(-dt/tau)``, as in 1.4), so the
    connection into it has no synapse.
    """

    def __init__(self, owner, name, dimensions, pstc, index):
        super().__init__(owner, name, dimensions, pstc)
        self.index = index

    @property
    def node_or_view(self):
        return self.owner._require_node()[self.index]

    def _project(self, origin, container):
        return self._connect_into(origin, self.node_or_view, np.eye(self.dimensions), None,
                                  container)
