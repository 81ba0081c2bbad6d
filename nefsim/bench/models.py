"""Benchmark model definitions, written against the shared Nengo/nefsim modelling API.

``sim_module`` is either ``nefsim`` or ``nengo``; the same function builds the same model
for both, so the two simulators are timed on identical descriptions.
"""

import importlib

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


def circconv(sim_module, n_neurons=200, dimensions=64, seed=0):
    """``CircularConvolution(n_neurons, dimensions)`` of two constant random unit vectors.

    The model (b) of shared/reference/scripts/bench_nengo.py: with the defaults, 264
    ensembles of 100 LIF neurons (26,400 neurons), one probe with ``Lowpass(0.03)``.
    """
    networks = importlib.import_module(sim_module.__name__ + ".networks")
    rng = np.random.RandomState(seed)
    a = rng.randn(dimensions)
    a /= np.linalg.norm(a)
    b = rng.randn(dimensions)
    b /= np.linalg.norm(b)
    with sim_module.Network(seed=seed) as net:
        in_a = sim_module.Node(a)
        in_b = sim_module.Node(b)
        cconv = networks.CircularConvolution(n_neurons, dimensions)
        sim_module.Connection(in_a, cconv.input_a)
        sim_module.Connection(in_b, cconv.input_b)
        probe = sim_module.Probe(cconv.output, synapse=0.03)
    return net, probe


def pes(sim_module, n_neurons=30, seed=0):
    """Online learning of a communication channel with PES, from zero decoders.

    The model (c) of shared/reference/scripts/bench_nengo.py: ``WhiteSignal(60, high=5)``
    → pre Ensemble(30, 1) → post Ensemble(30, 1) with ``function=lambda x: [0]`` and
    ``PES(1e-4)``; an error Node (post − stim) drives the rule; four probes, one of them
    the learned weights every 10 ms.  Returns the probe of post.
    """
    nengo = sim_module
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(nengo.processes.WhiteSignal(60, high=5), size_out=1)
        pre = nengo.Ensemble(n_neurons, 1)
        post = nengo.Ensemble(n_neurons, 1)
        nengo.Connection(stim, pre)
        conn = nengo.Connection(pre, post, function=lambda x: [0],
                                learning_rule_type=nengo.PES(learning_rate=1e-4))
        error = nengo.Node(size_in=1)
        nengo.Connection(post, error)
        nengo.Connection(stim, error, transform=-1)
        nengo.Connection(error, conn.learning_rule)
        nengo.Probe(stim)
        nengo.Probe(pre, synapse=0.01)
        probe = nengo.Probe(post, synapse=0.01)
        nengo.Probe(conn, "weights", sample_every=0.01)
    return net, probe


MODELS = {"lif_chain": lif_chain, "circconv": circconv, "pes": pes}
