"""Squaring array, Nengo 1.4 style (seed 003's ``make_array`` example): an array of five
ensembles, each squaring its own value, summed into B.

Run: ``python examples/nef14/squaring_array.py``.  Prints B and the sum of squares.
"""

import tempfile

import numpy as np

from nefsim import nef

VALUES = [0.5, -0.3, 0.2, 0.4, -0.3]


def square(x):
    return x[0] * x[0]


def build(seed=2):
    net = nef.Network('Squaring Array', seed=seed)
    net.make_input('input', VALUES)
    net.make_array('A', neurons=100, length=5)
    net.make('B', neurons=100, dimensions=1)
    net.connect('input', 'A')
    net.connect('A', 'B', transform=[1, 1, 1, 1, 1], func=square)
    return net


def run(seconds=0.5):
    net = build()
    with tempfile.TemporaryDirectory() as folder:
        log = net.log(dir=folder, filename='squares', tau=0.02)
        log.add('B')
        net.run(seconds)
        t, values = log.data()
    measured = float(np.mean(values['B'][t > seconds - 0.2]))
    return {'measured': measured, 'ideal': float(np.sum(np.square(VALUES)))}


if __name__ == '__main__':
    result = run()
    print(f"squaring array: B = {result['measured']:.3f}, "
          f"sum of squares = {result['ideal']:.3f}")
