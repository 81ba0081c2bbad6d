"""Damage synapses of a decoded connection (seed 000) and measure what it costs.

The forum question behind seed 000: "I am trying to damage a single synapse in an
already existing connection without modifying anything else."  In Nengo this needs a
second, seeded model with a ``weights=True`` solver, a division by the post gains and a
neuron-to-neuron connection.  In nefsim the running simulator hands out the full matrix
of the ordinary decoded connection ``a -> b`` (post neurons x pre neurons, in units of
post input current) and takes an edited one back: the connection then runs as that
matrix, everything else as before.

Run: ``python examples/lesion_synapse.py``.  Prints the RMS difference between the
decoded output of ``b`` with the intact connection and with one synapse cut (the
strongest one between neurons that fire), and with 20% of the synapses cut (a random mask, ``sim.weights.lesion``).
"""

import numpy as np

import nefsim


def build(seed=0):
    with nefsim.Network(label="lesion a synapse", seed=seed) as net:
        stim = nefsim.Node(lambda t: 0.8 * np.sin(2 * np.pi * t), label="input")
        a = nefsim.Ensemble(50, dimensions=1, label="a")
        b = nefsim.Ensemble(50, dimensions=1, label="b")
        nefsim.Connection(stim, a)
        conn = nefsim.Connection(a, b, label="a->b")  # decoded: no weight matrix built
        probes = {"b": nefsim.Probe(b, synapse=0.02), "a spikes": nefsim.Probe(a.neurons),
                  "b spikes": nefsim.Probe(b.neurons)}
    return net, conn, probes


def simulate(damage=None, seconds=1.0):
    """Probe data; ``damage(sim, conn)`` edits the connection before the run."""
    net, conn, probes = build()
    with nefsim.Simulator(net, progress_bar=False) as sim:
        if damage is not None:
            damage(sim, conn)
        sim.run(seconds)
    return sim.trange(), {name: sim.data[p] for name, p in probes.items()}


def strongest_used_synapse(data):
    """A damage function cutting the strongest synapse between neurons that fire."""
    fired = np.outer(data["b spikes"].sum(axis=0) > 0, data["a spikes"].sum(axis=0) > 0)

    def cut(sim, conn):
        W = sim.weights[conn]  # (50 post neurons, 50 pre neurons), a copy
        post, pre = np.unravel_index(np.argmax(np.abs(W) * fired), W.shape)
        sim.weights[conn, post, pre] = 0.0  # one synapse: the connection becomes a matrix
        print(f"cut synapse {pre} -> {post} (weight {W[post, pre]:.4f}, of a {W.shape} "
              f"matrix in units of post input current)")
    return cut


def cut_fifth(sim, conn):
    mask = np.random.RandomState(1).uniform(size=(50, 50)) < 0.2  # True = cut
    sim.weights.lesion(conn, mask)  # stays cut, even while learning rules run
    print(f"cut {mask.sum()} of {mask.size} synapses")


def run(seconds=1.0):
    t, data = simulate(seconds=seconds)
    intact = data["b"][:, 0]
    target = 0.8 * np.sin(2 * np.pi * (t - 0.02))  # the probe's filter delays it
    result = {"intact_rmse": float(np.sqrt(np.mean((intact - target) ** 2)))}
    for name, damage in (("one_synapse", strongest_used_synapse(data)),
                         ("fifth", cut_fifth)):
        damaged = simulate(damage, seconds)[1]["b"][:, 0]
        result[name] = float(np.sqrt(np.mean((damaged - intact) ** 2)))
    return result


if __name__ == "__main__":
    result = run()
    print(f"b decodes the input with RMS error {result['intact_rmse']:.3f}; cutting one "
          f"synapse changes its output by RMS {result['one_synapse']:.5f}, cutting 20% "
          f"of them by RMS {result['fifth']:.3f}")
