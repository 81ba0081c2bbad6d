"""Integrator: a recurrent ensemble integrates its input over time (dx/dt = u).

Run: ``python examples/integrator.py``.  A 0.5 s pulse of height 1 brings the value to 0.5,
which the recurrent connection then holds.
"""

import numpy as np

import nefsim

TAU = 0.1


def build(seed=4):
    with nefsim.Network(label="integrator", seed=seed) as net:
        stim = nefsim.Node(nefsim.Piecewise({0: 0, 0.2: 1, 0.7: 0}), label="input")
        memory = nefsim.Ensemble(200, dimensions=1, label="memory")
        nefsim.Connection(stim, memory, transform=TAU, synapse=TAU)
        nefsim.Connection(memory, memory, synapse=TAU)
        probes = {"memory": nefsim.Probe(memory, synapse=0.01)}
    return net, probes


def run(seconds=1.5):
    net, probes = build()
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(seconds)
    t = sim.trange()
    out = sim.data[probes["memory"]][:, 0]
    return {"held": float(out[(t > 1.0)].mean()), "start": float(out[t < 0.2].mean()),
            "drift": float(np.ptp(out[t > 1.0]))}


if __name__ == "__main__":
    r = run()
    print(f"integrator: value held after the pulse = {r['held']:.3f} (ideal 0.5)")
