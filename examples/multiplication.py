"""Multiplication: a 2-D ensemble represents (a, b) and decodes their product.

Run: ``python examples/multiplication.py``.
"""

import numpy as np

import nefsim


def build(seed=3):
    with nefsim.Network(label="multiplication", seed=seed) as net:
        a = nefsim.Node(nefsim.Piecewise({0: 0.5, 1: -0.7, 2: 0.9}), label="a")
        b = nefsim.Node(nefsim.Piecewise({0: 0.8, 1: 0.6, 2: -0.4}), label="b")
        combined = nefsim.Ensemble(400, dimensions=2, radius=1.5, label="combined")
        product = nefsim.Ensemble(200, dimensions=1, label="product")
        nefsim.Connection(a, combined[0])
        nefsim.Connection(b, combined[1])
        nefsim.Connection(combined, product, function=lambda x: x[0] * x[1])
        probes = {"product": nefsim.Probe(product, synapse=0.02)}
    return net, probes


def run(seconds=3.0):
    net, probes = build()
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(seconds)
    t = sim.trange()
    out = sim.data[probes["product"]][:, 0]
    targets = [(0.3, 1.0, 0.5 * 0.8), (1.3, 2.0, -0.7 * 0.6), (2.3, 3.0, 0.9 * -0.4)]
    errors = [abs(out[(t > lo) & (t < hi)].mean() - want) for lo, hi, want in targets]
    return {"errors": errors}


if __name__ == "__main__":
    errors = run()["errors"]
    print("multiplication: |mean product - a*b| per segment = "
          + ", ".join(f"{e:.3f}" for e in errors))
