"""Benchmark model definitions, written against the shared Nengo/nefsim modelling API.

``sim_module`` is either ``nefsim`` or ``nengo``; the same function builds the same model
for both, so the two simulators are timed on identical descriptions.
"""

import numpy as np


def lif_chain(sim_module, n_ensembles=10, n_neurons=1000, seed=0, tau_syn=0.005):
    """Node sin(2πt) → a chain of 1-D LIF ensembles → a filtered probe on the last.

    The model of shared/reference/scripts/lif_chain_model.py.
    """
    nengo = sim_module
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(lambda t: np.sin(2 * np.pi * t))
        lif = nengo.LIF(tau_rc=0.02, tau_ref=0.002)
        ens = [nengo.Ensemble(n_neurons, 1, neuron_type=lif, label=f"ens{i}")
               for i in range(n_ensembles)]
        nengo.Connection(stim, ens[0], synapse=tau_syn)
        for pre, post in zip(ens[:-1], ens[1:]):
            nengo.Connection(pre, post, synapse=tau_syn)
        probe = nengo.Probe(ens[-1], synapse=tau_syn)
    return net, probe


MODELS = {"lif_chain": lif_chain}
