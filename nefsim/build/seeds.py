"""Per-object seeds, assigned the way Nengo assigns them.

Each network's RandomState draws one integer for every child in the order connections,
ensembles, subnetworks, nodes, probes (each in definition order), whether or not the
child has a seed of its own; an explicit seed wins.  Following this scheme means a model
seeded in Nengo gets the same per-object seeds in nefsim, and adding a probe never
changes other objects' parameters.
"""

import numpy as np

MAXINT = np.iinfo(np.int32).max


def seed_network(network, seeds, seeded, parent_rng=None):
    if network not in seeds:  # top level
        seeded[network] = network.seed is not None
        seeds[network] = (network.seed if network.seed is not None
                          else np.random.randint(MAXINT))
    rng = np.random.RandomState(seeds[network])
    children = [*network.connections, *network.ensembles, *network.networks,
                *network.nodes, *network.probes]
    for obj in children:
        drawn = rng.randint(MAXINT)
        own = getattr(obj, "seed", None)
        seeds[obj] = own if own is not None else drawn
        seeded[obj] = seeded[network] or own is not None
    for sub in network.networks:
        seed_network(sub, seeds, seeded)
