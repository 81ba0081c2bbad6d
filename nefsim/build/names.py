"""Stable names for model objects, derived from label paths.

A name does not depend on seeds or on creation order across networks, only on labels and
on positions among unlabelled siblings, so the same script gives the same names every
time.  The top-level network is not part of the path.  Examples: ``"a"`` (an ensemble
labelled ``a``), ``"ea.ensembles[2]"``, ``"a->b"``, ``"a->b#2"`` (a second connection).
"""

from collections import Counter


def _own_name(obj, index_in_kind, kind):
    label = getattr(obj, "label", None)
    return label if label else f"{kind}[{index_in_kind}]"


def assign_names(network):
    """Return ``{obj: name}`` for every network, ensemble, node, connection and probe."""
    names = {}

    def visit(net, prefix):
        # Ensembles, nodes and subnetworks first: connections name their endpoints.
        for kind, objs in (("ensembles", net.ensembles), ("nodes", net.nodes),
                           ("networks", net.networks)):
            used = Counter()
            for i, obj in enumerate(objs):
                base = prefix + _own_name(obj, i, kind)
                used[base] += 1
                names[obj] = base if used[base] == 1 else f"{base}#{used[base]}"
                if kind == "ensembles":
                    names[obj.neurons] = names[obj] + ".neurons"
        for sub in net.networks:
            visit(sub, names[sub] + ".")
        for kind, objs in (("connections", net.connections), ("probes", net.probes)):
            used = Counter()
            for i, obj in enumerate(objs):
                label = getattr(obj, "label", None)
                if label:
                    base = prefix + label
                elif kind == "connections":
                    base = f"{endpoint_name(obj.pre, names)}->{endpoint_name(obj.post, names)}"
                else:
                    base = f"{prefix}probes[{i}]"
                used[base] += 1
                names[obj] = base if used[base] == 1 else f"{base}#{used[base]}"

    visit(network, "")
    return names


def endpoint_name(obj, names):
    """Name of a connection endpoint, including a view's slice."""
    target = getattr(obj, "obj", None)
    if target is not None and hasattr(obj, "slice"):
        return f"{endpoint_name(target, names)}[{_slice_text(obj.slice)}]"
    if obj in names:
        return names[obj]
    # learning rules and other endpoints named via their owner
    conn = getattr(obj, "connection", None)
    if conn is not None:
        return f"{names.get(conn, '?')}.learning_rule"
    return f"{type(obj).__name__}"


def _slice_text(key):
    if isinstance(key, slice):
        parts = ["" if v is None else str(v) for v in (key.start, key.stop)]
        text = ":".join(parts)
        return text + (f":{key.step}" if key.step not in (None, 1) else "")
    try:
        return ",".join(str(int(i)) for i in key)
    except TypeError:
        return str(key)
