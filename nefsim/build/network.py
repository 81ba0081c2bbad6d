"""Build a Network: seeds and names first, then its objects in Nengo's order.

Order: this network's ensembles and nodes, then subnetworks (recursively), then its
connections, then its probes.  Connections therefore always find their endpoints built.
"""

import numpy as np

from ..ensemble import Ensemble
from ..network import Network
from .connection import is_decoded
from .decoders import plan_shared_solves
from .learning import voja_targets
from .model import register
from .names import assign_names
from .seeds import seed_network


@register(Network)
def build_network(model, network):
    if model.toplevel is None:
        model.toplevel = network
        seed_network(network, model.seeds, model.seeded)
        model.memo["voja_posts"] = voja_targets(network)
        model.names.update(assign_names(network))
    for obj in (*network.ensembles, *network.nodes):
        model.build(obj)
    for sub in network.networks:
        model.build(sub)
    plan_shared_solves(model, _decoder_requests(model, network))
    for conn in network.connections:
        model.build(conn)
    for probe in network.probes:
        model.build(probe)
    model.params[network] = None


def _decoder_requests(model, network):
    """Decoded outputs of this network that use their ensemble's own eval points."""
    def saved(obj):  # decoders loaded with saved parameters need no solve
        return model.loaded is not None and f"{model.name_of(obj)}:weights" in \
            model.loaded.values

    for conn in network.connections:
        pre = conn.pre_obj
        if saved(conn):
            continue
        if (is_decoded(pre) and pre in model.params and conn.eval_points is None
                and not getattr(conn.solver, "weights", False)
                and not isinstance(conn.function, np.ndarray)):
            yield (conn, pre, conn.function, conn.pre_slice, conn.size_mid, conn.solver,
                   f"Connection {model.name_of(conn)!r}")
    for probe in network.probes:
        target = probe.obj
        if (not saved(probe) and isinstance(target, Ensemble)
                and probe.attr == "decoded_output" and is_decoded(target)
                and target in model.params):
            size = np.arange(target.dimensions)[probe.slice].size
            yield (probe, target, None, probe.slice, size, probe.solver,
                   f"Probe {model.name_of(probe)!r}")
