"""Save what PES learned and load it into a static network (seed 002).

The forum question behind seed 002: "How can I save connection weights that were learned
using PES and use them in future runs?"  In Nengo the answer is to seed the ensembles,
probe the decoders, and rebuild a second model with a neuron-to-ensemble connection
using them.  In nefsim, ``sim.save_params(path)`` writes every built and learned
parameter under stable names (label paths), and ``Simulator(net, params=path)`` builds
any network with the same labels from them: here a static copy without the error
circuit and with a different seed.  The entries of the removed error circuit are
skipped with a warning that lists them.

Run: ``python examples/save_learned_weights.py``.  Prints the RMS error of the learned
function x**2 at the end of learning, in the static network loaded from the file, and
in the same static network without the file (its decoders compute zero).
"""

import os
import tempfile
import warnings

import numpy as np

import nefsim


def build(seed, learning):
    """``pre -> post`` computes x**2 (learned by PES when ``learning``)."""
    with nefsim.Network(label="learned weights", seed=seed) as net:
        stim = nefsim.Node(lambda t: np.sin(2 * np.pi * t), label="input")
        pre = nefsim.Ensemble(60, dimensions=1, label="pre")
        post = nefsim.Ensemble(60, dimensions=1, label="post")
        nefsim.Connection(stim, pre, label="input->pre")
        rule = nefsim.PES(learning_rate=2e-4) if learning else None
        conn = nefsim.Connection(pre, post, function=lambda x: [0.0], label="learned",
                                 learning_rule_type=rule)
        if learning:  # error = post - input**2
            error = nefsim.Node(size_in=1, label="error")
            nefsim.Connection(post, error)
            nefsim.Connection(stim, error, function=np.square, transform=-1)
            nefsim.Connection(error, conn.learning_rule)
        probe = nefsim.Probe(post, synapse=0.01)
    return net, probe


def rmse(sim, probe, start):
    t = sim.trange()
    later = t > start
    target = np.sin(2 * np.pi * (t[later] - 0.01)) ** 2  # the probe's filter delays it
    return float(np.sqrt(np.mean((sim.data[probe][later, 0] - target) ** 2)))


def run(seconds=5.0):
    path = os.path.join(tempfile.mkdtemp(), "learned.npz")
    net, probe = build(seed=1, learning=True)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(seconds)
        sim.save_params(path)
        learned = rmse(sim, probe, seconds - 1.0)
    static, static_probe = build(seed=7, learning=False)  # other seed, no error circuit
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with nefsim.Simulator(static, params=path, progress_bar=False) as sim:
            sim.run(1.0)
            loaded = rmse(sim, static_probe, 0.1)
    with nefsim.Simulator(static, progress_bar=False) as sim:
        sim.run(1.0)
        untrained = rmse(sim, static_probe, 0.1)
    params = nefsim.load_params(path)
    return {"learned": learned, "loaded": loaded, "untrained": untrained,
            "entries": len(params), "header": params.header,
            "skipped": [str(w.message) for w in caught]}


if __name__ == "__main__":
    result = run()
    print(f"saved {result['entries']} parameters (nefsim {result['header']['nefsim']}, "
          f"dt={result['header']['dt']})")
    for message in result["skipped"]:
        print("loading warned:", message)
    print(f"RMS error of x**2: {result['learned']:.3f} after learning, "
          f"{result['loaded']:.3f} in the static network loaded from the file, "
          f"{result['untrained']:.3f} without the file")
