"""Learning a communication channel online with PES.

``pre`` represents a 1 Hz sine; the connection ``pre -> post`` starts out computing
nothing (``function=lambda x: [0]``, so its decoders are zero) and the PES rule learns
decoders that make ``post`` follow ``pre``, driven by the error ``post - pre``.

Run: ``python examples/learn_communication_channel.py``.  Prints the RMS error over the
first and the last half second (a half period each) of 10 s of learning.
"""

import numpy as np

import nefsim


def build(seed=0, learning_rate=1e-4):
    with nefsim.Network(label="learn a communication channel", seed=seed) as net:
        stim = nefsim.Node(lambda t: 0.8 * np.sin(2 * np.pi * t), label="input")
        pre = nefsim.Ensemble(100, dimensions=1, label="pre")
        post = nefsim.Ensemble(100, dimensions=1, label="post")
        nefsim.Connection(stim, pre)
        learned = nefsim.Connection(pre, post, function=lambda x: [0],
                                    learning_rule_type=nefsim.PES(learning_rate))
        # error = actual - target; the target's synapse matches post's extra one
        error = nefsim.Node(size_in=1, label="error")
        nefsim.Connection(post, error)
        nefsim.Connection(pre, error, transform=-1, synapse=0.01)
        nefsim.Connection(error, learned.learning_rule)
        probes = {"error": nefsim.Probe(error, synapse=0.01),
                  "pre": nefsim.Probe(pre, synapse=0.01),
                  "post": nefsim.Probe(post, synapse=0.01)}
    return net, probes


def rms_first_and_last(t, error, window=0.5):
    first = error[t <= window]
    last = error[t > t[-1] - window]
    return float(np.sqrt(np.mean(first ** 2))), float(np.sqrt(np.mean(last ** 2)))


def run(seconds=10.0):
    net, probes = build()
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(seconds)
    before, after = rms_first_and_last(sim.trange(), sim.data[probes["error"]][:, 0])
    return {"before": before, "after": after}


if __name__ == "__main__":
    result = run()
    print(f"learned communication channel: RMS error {result['before']:.3f} in the first "
          f"0.5 s, {result['after']:.3f} in the last 0.5 s "
          f"({result['before'] / result['after']:.1f}x smaller)")
