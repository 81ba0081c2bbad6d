"""Communication channel: a sine wave passes through two ensembles of spiking LIF neurons.

Run: ``python examples/communication_channel.py [--plot out.png]``.  Prints how closely the
decoded output of the second ensemble follows the (filtered, delayed) input.
"""

import argparse

import numpy as np

import nefsim


def build(n_neurons=100, seed=1):
    with nefsim.Network(label="communication channel", seed=seed) as net:
        stim = nefsim.Node(lambda t: np.sin(2 * np.pi * t), label="input")
        a = nefsim.Ensemble(n_neurons, dimensions=1, label="a")
        b = nefsim.Ensemble(n_neurons, dimensions=1, label="b")
        nefsim.Connection(stim, a)
        nefsim.Connection(a, b)
        probes = {"input": nefsim.Probe(stim), "a": nefsim.Probe(a, synapse=0.01),
                  "b": nefsim.Probe(b, synapse=0.01)}
    return net, probes


def run(seconds=2.0, plot=None):
    net, probes = build()
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(seconds)
    t = sim.trange()
    # The ideal: the input seen through the same filters (two 5 ms synapses + the probe).
    ideal = nefsim.Lowpass(0.01).filt(nefsim.Lowpass(0.005).filt(
        nefsim.Lowpass(0.005).filt(sim.data[probes["input"]], dt=sim.dt), dt=sim.dt), dt=sim.dt)
    rmse = float(np.sqrt(np.mean((sim.data[probes["b"]] - ideal) ** 2)))
    if plot:
        from nefsim.plot import plot_probes

        plot_probes(t, {k: sim.data[p] for k, p in probes.items()}, path=plot,
                    title="Communication channel")
    return {"rmse": rmse, "t": t, "b": sim.data[probes["b"]], "ideal": ideal}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", help="write a PNG plot to this path")
    result = run(plot=parser.parse_args().plot)
    print(f"communication channel: RMSE of output vs ideal = {result['rmse']:.4f}")
