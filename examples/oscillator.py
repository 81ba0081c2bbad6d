"""Oscillator: a 2-D recurrent ensemble implements a harmonic oscillator at 1 Hz.

Run: ``python examples/oscillator.py``.  A brief kick starts the oscillation; the script
reports its frequency, estimated from zero crossings (decoding errors of 400 neurons make
it run about 20% fast, in Nengo as in nefsim; more neurons bring it closer to 1 Hz).
"""

import numpy as np

import nefsim

TAU = 0.1
FREQ = 1.0


def build(seed=5):
    omega = 2 * np.pi * FREQ
    with nefsim.Network(label="oscillator", seed=seed) as net:
        kick = nefsim.Node(nefsim.Piecewise({0: [1, 0], 0.1: [0, 0]}), label="kick")
        osc = nefsim.Ensemble(400, dimensions=2, label="oscillator")
        nefsim.Connection(kick, osc)
        nefsim.Connection(osc, osc, transform=[[1, -omega * TAU], [omega * TAU, 1]],
                          synapse=TAU)
        probes = {"osc": nefsim.Probe(osc, synapse=0.02)}
    return net, probes


def run(seconds=4.0):
    net, probes = build()
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(seconds)
    t = sim.trange()
    x = sim.data[probes["osc"]][:, 0]
    late = t > 1.0
    crossings = np.flatnonzero(np.diff(np.sign(x[late])) > 0)
    period = np.mean(np.diff(t[late][crossings])) if crossings.size > 1 else np.inf
    return {"frequency": float(1 / period),
            "amplitude": float(np.sqrt(np.mean(sim.data[probes["osc"]][late] ** 2) * 2))}


if __name__ == "__main__":
    r = run()
    print(f"oscillator: frequency = {r['frequency']:.2f} Hz (ideal {FREQ} Hz), "
          f"amplitude ≈ {r['amplitude']:.2f}")
