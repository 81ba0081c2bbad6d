"""Build a Network: seeds and names first, then its objects in Nengo's order.

Order: this network's ensembles and nodes, then subnetworks (recursively), then its
connections, then its probes.  Connections therefore always find their endpoints built.
"""

from ..network import Network
from .model import register
from .names import assign_names
from .seeds import seed_network


@register(Network)
def build_network(model, network):
    if model.toplevel is None:
        model.toplevel = network
        seed_network(network, model.seeds, model.seeded)
        model.names.update(assign_names(network))
    for obj in (*network.ensembles, *network.nodes):
        model.build(obj)
    for sub in network.networks:
        model.build(sub)
    for conn in network.connections:
        model.build(conn)
    for probe in network.probes:
        model.build(probe)
    model.params[network] = None
