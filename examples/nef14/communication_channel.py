"""Communication channel, Nengo 1.4 style: a sine wave passes through two ensembles.

Run: ``python examples/nef14/communication_channel.py``.  Prints how closely B follows the
input seen through the same synapses (two ``pstc=0.01`` connections).
"""

import math
import tempfile

import numpy as np

from nefsim import nef


def build(seed=1):
    net = nef.Network('Communication Channel', seed=seed)
    net.make_input('input', lambda t: math.sin(2 * math.pi * t))  # a function of time
    net.make('A', 100, 1)
    net.make('B', 100, 1)
    net.connect('input', 'A')  # pstc=0.01, 1.4's default
    net.connect('A', 'B')
    return net


def lowpass(x, tau, dt=0.001):
    """``x`` through a first-order low-pass (exact discretisation, as nefsim's synapses)."""
    a, y, out = math.exp(-dt / tau), np.zeros(x.shape[1]), []
    for row in x:
        y = a * y + (1 - a) * row
        out.append(y)
    return np.array(out)


def run(seconds=1.0):
    net = build()
    with tempfile.TemporaryDirectory() as folder:
        log = net.log(dir=folder, filename='channel', tau=0.01)
        log.add('input')
        log.add('B')
        net.run(seconds)
        t, values = log.data()
    # the input after the two connections' synapses (each adds a step of delay)
    ideal = lowpass(lowpass(values['input'], 0.01), 0.01)
    ideal = np.vstack([np.zeros((2, 1)), ideal[:-2]])
    rmse = float(np.sqrt(np.mean((values['B'] - ideal) ** 2)))
    return {'rmse': rmse, 't': t, 'B': values['B'], 'ideal': ideal}


if __name__ == '__main__':
    result = run()
    print(f"communication channel: RMSE of B vs the filtered input = {result['rmse']:.3f}")
