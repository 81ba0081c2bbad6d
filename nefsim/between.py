"""``sim.weights.between(a, b)``: the neuron-to-neuron matrix from one group of ensembles
to another, through passthrough Nodes and sub-networks.

``a`` and ``b`` are each an Ensemble, its Neurons or a Network (an EnsembleArray, a
``spa.State``, any sub-network).  Their *members* are the ensembles (``all_ensembles`` of
a network, in that order).  The matrix has one row per neuron of the members of ``b`` and
one column per neuron of the members of ``a``; it sums, over every path that starts at
the neurons of a member of ``a`` and ends in the input of a member of ``b``, the product
of the path's linear maps:

* the first connection's own matrix (decoders times transform for a decoded connection,
  the transform for one from Neurons) on the columns it reads;
* for each passthrough Node (``output=None``: its output is its input) the transforms
  and slices of the connections through it;
* the last map into the post: ``scaled_encoders[:, post_slice]`` into an Ensemble,
  the gains of the ``post_slice`` rows into its Neurons.

A connection straight from a member of ``a`` to a member of ``b`` contributes
``sim.weights[conn]``.  Paths end at ensembles with neurons: one that is not a member of
``b`` is where a path stops (neurons are not linear).  Nodes computing a function, or
connections applying one to a node's or to neurons' output, and Direct-mode ensembles on
a path make the map non-linear: a ValidationError names them.  Synapses are ignored, as
are biases: the units are those of :class:`nefsim.weights.Weights` (post input current).

Writing (:func:`set_effective_weights`) is possible block by block (block = one member
of ``b`` by one member of ``a``) where the block is realized by exactly one direct
connection; elsewhere a block must keep its value (or be zero where no path exists).
"""

from collections import defaultdict

import numpy as np

from .build.weights import current_encoders, full_matrix, own_matrix, projection
from .ensemble import Ensemble, Neurons
from .exceptions import ValidationError, describe
from .learning_rules import LearningRule
from .network import Network
from .neurons import Direct

_UNCHANGED = 1e-12  # relative difference below which a written block counts as unchanged


def effective_weights(sim, a, b):
    """The effective ``(n_b, n_a)`` matrix from the neurons of ``a`` to those of ``b``.

    Parameters
    ----------
    sim : Simulator
        An open simulator; current values are used (learned weights and encoders
        included).
    a, b : Ensemble, Neurons or Network
        The source and target groups; rows are ordered by the members of ``b``
        (``b.all_ensembles`` for a network), columns by those of ``a``.

    Returns
    -------
    ndarray
        ``(n_neurons_b, n_neurons_a)`` in units of post input current (post gains and
        encoders included, biases and synapses ignored), with a leading batch axis when
        the simulator runs a batch.  Sums every path through passthrough Nodes.
    """
    sim._check_open()
    return _squeeze(sim, _Paths(sim, a, b).evaluate().total)


def set_effective_weights(sim, a, b, W):
    """Write the effective matrix from ``a`` to ``b`` (see :func:`effective_weights`).

    Each block (one member of ``b`` by one member of ``a``) whose value changes must be
    realized by exactly one direct connection between the two ensembles (or their
    neurons) and by no path through Nodes; that connection then gets the block with
    ``sim.weights[conn] = block``.  Blocks with no path must be zero.  Any other changed
    block raises a ValidationError naming it, before anything is written.

    Parameters
    ----------
    sim : Simulator
    a, b : Ensemble, Neurons or Network
    W : array_like
        ``(n_neurons_b, n_neurons_a)`` (or with a leading batch axis).
    """
    sim._check_open()
    paths = _Paths(sim, a, b).evaluate()
    W = _checked_matrix(sim, W, paths)
    writes = []
    for i, post in enumerate(paths.post):
        for j, pre in enumerate(paths.pre):
            rows, cols = paths.rows[i], paths.cols[j]
            new, old = W[:, rows, cols], paths.total[:, rows, cols]
            if _unchanged(new, old):
                continue
            direct, via = paths.direct.get((i, j), []), paths.via.get((i, j), set())
            if len(direct) == 1 and not via:
                writes.append((direct[0], new))
                continue
            raise ValidationError(_why_not(sim.model, pre, post, direct, via), "W",
                                  None)
    for conn, block in writes:
        sim.weights[conn] = block[0] if sim.batch == 1 else block


class _Paths:
    """The members of ``a`` and ``b``, the passthrough Nodes between them (checked to be
    linear, in a dependency order) and, after :meth:`evaluate`, the summed matrix with
    the routes that realize each block."""

    def __init__(self, sim, a, b):
        self.sim, self.model = sim, sim.model
        self.a, self.b = _vertex(a), _vertex(b)
        self.pre = _members(sim, a, "a")
        self.post = _members(sim, b, "b")
        self.cols = _offsets(self.pre)
        self.rows = _offsets(self.post)
        conns = [c for c in sim.network.all_connections
                 if c in self.model.params and not isinstance(c.post_obj, LearningRule)]
        inner, self.conns = _on_path(self.pre, self.post, conns)
        self.nodes = [node for node in sim.network.all_nodes if node in inner]
        self.order = _dependency_order(self.nodes, self.conns)

    def evaluate(self):
        model, batch = self.model, self.sim.batch
        read = _reader(self.sim)
        pre_index = {ens: j for j, ens in enumerate(self.pre)}
        post_index = {ens: i for i, ens in enumerate(self.post)}
        n_rows, n_cols = self.rows[-1].stop, self.cols[-1].stop
        self.total = np.zeros((batch, n_rows, n_cols))
        self.direct = defaultdict(list)  # (i, j) -> connections straight from pre to post
        self.via = defaultdict(set)  # (i, j) -> last Nodes of paths through Nodes
        inputs = {node: {} for node in self.nodes}  # node -> {j: (batch, size_in, n_j)}

        def into_post(conn, j, current):
            i = post_index[_vertex(conn.post_obj)]
            self.total[:, self.rows[i], self.cols[j]] += current

        for conn in self.conns:  # paths' first connections
            pre = _vertex(conn.pre_obj)
            if pre not in pre_index:
                continue
            j = pre_index[pre]
            if conn.post_obj in inputs:
                value = _place_columns(own_matrix(model, conn, read), conn, pre.n_neurons)
                _add_rows(inputs[conn.post_obj], j, value, conn, batch)
            else:
                self.direct[(post_index[_vertex(conn.post_obj)], j)].append(conn)
                into_post(conn, j, full_matrix(model, conn, read))

        for node in self.order:  # the rest of each path, node by node
            for conn in self.conns:
                if conn.pre_obj is not node:
                    continue
                L = _linear_map(model, conn, read)
                picked = np.arange(node.size_out)[conn.pre_slice].reshape(-1)
                for j, value in inputs[node].items():
                    out = np.matmul(L, value[:, picked, :])
                    if conn.post_obj in inputs:
                        _add_rows(inputs[conn.post_obj], j, out, conn, batch)
                    else:
                        P, _ = projection(model, conn, current_encoders(model, conn, read))
                        into_post(conn, j, np.matmul(P, out))
                        self.via[(post_index[_vertex(conn.post_obj)], j)].add(node)
        return self


def _members(sim, obj, attr):
    """The ensembles ``obj`` stands for, each checked to be simulated and to have
    neurons."""
    model, network = sim.model, sim.network
    if isinstance(obj, Neurons):
        members = [obj.ensemble]
    elif isinstance(obj, Ensemble):
        members = [obj]
    elif isinstance(obj, Network):
        if obj is not network and obj not in network.all_networks:
            raise ValidationError(f"{obj!r} is not part of the simulated network", attr,
                                  None)
        members = obj.all_ensembles
        if not members:
            raise ValidationError(f"{obj!r} has no ensembles", attr, None)
    else:
        raise ValidationError("expected an Ensemble, its Neurons or a Network (got "
                              f"{type(obj).__name__} {obj!r})", attr, None)
    for ens in members:
        if ens not in model.params:
            raise ValidationError(f"{ens!r} is not part of the simulated network", attr,
                                  None)
        if isinstance(ens.neuron_type, Direct):
            raise ValidationError(f"{ens!r} is a Direct-mode ensemble: it has no neurons",
                                  attr, None)
    return members


def _offsets(members):
    slices, start = [], 0
    for ens in members:
        slices.append(slice(start, start + ens.n_neurons))
        start += ens.n_neurons
    return slices


def _vertex(obj):
    """The graph vertex of a connection end: an Ensemble (for its Neurons too) or Node."""
    return obj.ensemble if isinstance(obj, Neurons) else obj


def _is_neural(vertex):
    return isinstance(vertex, Ensemble) and not isinstance(vertex.neuron_type, Direct)


def _reachable(starts, conns, forward):
    """Vertices reachable from ``starts`` (downstream, or upstream when not
    ``forward``) through paths whose inner vertices are not ensembles with neurons."""
    step = defaultdict(list)
    for conn in conns:
        pre, post = _vertex(conn.pre_obj), _vertex(conn.post_obj)
        if forward:
            step[pre].append(post)
        else:
            step[post].append(pre)
    seen, stack = set(), list(starts)
    while stack:
        vertex = stack.pop()
        for nxt in step[vertex]:
            if nxt not in seen:
                seen.add(nxt)
                if not _is_neural(nxt):
                    stack.append(nxt)
    return seen


def _on_path(pre, post, conns):
    """The Nodes on paths from ``pre`` to ``post`` and the connections of those paths;
    a ValidationError for anything on a path that is not linear."""
    inner = {v for v in _reachable(pre, conns, True) & _reachable(post, conns, False)
             if not _is_neural(v)}
    for vertex in inner:
        if isinstance(vertex, Ensemble):
            raise ValidationError(
                "is a Direct-mode ensemble on a path between the two groups; its map is "
                "not linear (give it neurons or remove it from the path)", "neuron_type",
                vertex)
        if vertex.output is not None:
            raise ValidationError(
                "is on a path between the two groups but is not a passthrough Node (its "
                "output is not None), so the map through it is not linear", "output", vertex)
    starts, ends = set(pre) | inner, set(post) | inner
    on = [conn for conn in conns
          if _vertex(conn.pre_obj) in starts and _vertex(conn.post_obj) in ends]
    for conn in on:
        decoded = isinstance(conn.pre_obj, Ensemble)
        if conn.function is not None and not decoded:
            raise ValidationError(
                "applies a function to the output of a Node or of neurons on a path "
                "between the two groups; the map is not linear", "function", conn)
    return inner, on


def _dependency_order(nodes, conns):
    """``nodes`` so that each comes after every node feeding it; a loop is an error."""
    feeds = defaultdict(dict)  # an ordered set: a fixed order of sums
    for conn in conns:
        if conn.pre_obj in nodes and conn.post_obj in nodes:
            feeds[conn.post_obj][conn.pre_obj] = None
    order, state = [], {}

    def visit(node):
        if state.get(node) == "done":
            return
        if state.get(node) == "open":
            raise ValidationError(
                "is in a loop of passthrough Nodes between the two groups; with synapses "
                "ignored the sum over the loop's paths is not defined", "output", node)
        state[node] = "open"
        for src in feeds[node]:
            visit(src)
        state[node] = "done"
        order.append(node)

    for node in nodes:
        visit(node)
    return order


def _reader(sim):
    backend = sim.backend
    return lambda signal: np.array(backend.read(backend.index(signal.ref())))


def _place_columns(M, conn, n_neurons):
    """A first connection's own matrix on all ``n_neurons`` columns of its pre."""
    if not isinstance(conn.pre_obj, Neurons):
        return M
    cols = np.arange(n_neurons)[conn.pre_slice].reshape(-1)
    placed = np.zeros((M.shape[0], M.shape[1], n_neurons))
    np.add.at(placed, (slice(None), slice(None), cols), M)
    return placed


def _add_rows(inputs, j, value, conn, batch):
    """Add ``value`` (rows: the connection's output) into its Node's input rows."""
    node = conn.post_obj
    rows = np.arange(node.size_in)[conn.post_slice].reshape(-1)
    total = inputs.get(j)
    if total is None:
        total = inputs[j] = np.zeros((batch, node.size_in, value.shape[2]))
    np.add.at(total, (slice(None), rows), np.broadcast_to(value, (batch, *value.shape[1:])))


def _linear_map(model, conn, read):
    """The ``(batch, size_out, n_in)`` matrix of a connection from a Node."""
    n_in = np.arange(conn.pre_obj.size_out)[conn.pre_slice].size
    weights = model.sig[conn].get("weights")
    if isinstance(weights, tuple):  # learned or edited: state
        signal, shape = weights
        value = read(signal)
        return value.reshape(value.shape[0], *shape)
    if weights is None:
        return np.eye(n_in)[None]
    eye = np.eye(n_in)
    return np.asarray(conn.transform.apply(model.arrays[weights], eye)).T[None]


def _squeeze(sim, value):
    return value[0] if sim.batch == 1 else value


def _checked_matrix(sim, W, paths):
    shape = (paths.rows[-1].stop, paths.cols[-1].stop)
    where = (f"the effective matrix from {_name(sim.model, paths.a)} to "
             f"{_name(sim.model, paths.b)}")
    try:
        W = np.array(W, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(f"must be a numeric array of shape {shape}, {where}", "W",
                              None) from None
    if W.shape == shape:
        W = np.broadcast_to(W, (sim.batch, *shape))
    elif W.shape != (sim.batch, *shape):
        extra = f" or {(sim.batch, *shape)}" if sim.batch > 1 else ""
        raise ValidationError(f"must have shape {shape}{extra} (got {W.shape}), {where}",
                              "W", None)
    if not np.all(np.isfinite(W)):
        raise ValidationError(f"must be finite (got NaN or inf), {where}", "W", None)
    return W


def _unchanged(new, old):
    scale = max(np.abs(old).max(initial=0.0), np.abs(new).max(initial=0.0), 1e-300)
    return np.abs(new - old).max(initial=0.0) <= _UNCHANGED * scale


def _name(model, obj):
    return f"{describe(obj)} ({model.name_of(obj)!r})"


def _why_not(model, pre, post, direct, via):
    block = f"cannot set the block from {_name(model, pre)} to {_name(model, post)}"
    if not direct and not via:
        return f"{block}: no path joins them, so the block must stay zero"
    if via:
        nodes = ", ".join(sorted(repr(model.name_of(n)) for n in via))
        shared = " and a direct connection" if direct else ""
        return (f"{block}: it goes through passthrough Node(s) {nodes}{shared}, whose "
                "maps carry every path through them, so the change has no single "
                "connection to go to; connect the ensembles directly (or edit the "
                "connections with sim.weights[conn])")
    return (f"{block}: {len(direct)} direct connections add up to it, so the change has "
            "no single connection to go to; edit them with sim.weights[conn]")
