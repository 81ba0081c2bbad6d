"""Squaring: a decoded connection computes x**2 from a spiking representation of x.

Run: ``python examples/squaring.py``.  Prints the RMSE against the ideal square.
"""

import numpy as np

import nefsim


def build(seed=2):
    with nefsim.Network(label="squaring", seed=seed) as net:
        stim = nefsim.Node(lambda t: np.cos(np.pi * t), label="input")
        x = nefsim.Ensemble(200, dimensions=1, label="x")
        square = nefsim.Ensemble(200, dimensions=1, label="square")
        nefsim.Connection(stim, x)
        nefsim.Connection(x, square, function=np.square)
        probes = {"input": nefsim.Probe(stim, synapse=0.02),
                  "square": nefsim.Probe(square, synapse=0.02)}
    return net, probes


def run(seconds=2.0):
    net, probes = build()
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(seconds)
    t = sim.trange()
    ideal = np.cos(np.pi * (t - 0.03)) ** 2  # ≈ the delays of the synapses and the probe
    settled = t > 0.1
    rmse = float(np.sqrt(np.mean((sim.data[probes["square"]][settled, 0] - ideal[settled]) ** 2)))
    return {"rmse": rmse}


if __name__ == "__main__":
    print(f"squaring: RMSE vs cos(pi t)^2 = {run()['rmse']:.4f}")
