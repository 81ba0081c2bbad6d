"""XOR by a lookup table, Nengo 1.4 style (seed 003's ``connect`` example).

A is given exactly the four corners as eval points, and ``func`` is a table with one row
per eval point, so the decoders are solved to map corner k to row k.  The input visits
the corners in turn.

Run: ``python examples/nef14/xor_lookup.py``.  Prints B at every corner.
"""

import tempfile

import numpy as np

from nefsim import nef

CORNERS = [[-1, -1], [-1, 1], [1, -1], [1, 1]]
TABLE = [[1], [-1], [-1], [1]]
HOLD = 0.25  # seconds per corner


def corner(t):
    return CORNERS[min(int(t / HOLD), len(CORNERS) - 1)]


def build(seed=3):
    net = nef.Network('XOR', seed=seed)
    net.make_input('input', corner)  # a function returning a list
    net.make('A', 50, 2, eval_points=CORNERS)
    net.make('B', 50, 1)
    net.connect('input', 'A')
    net.connect('A', 'B', func=TABLE)  # a lookup table over A's eval points
    return net


def run():
    net = build()
    with tempfile.TemporaryDirectory() as folder:
        log = net.log(dir=folder, filename='xor', tau=0.02)
        log.add('B')
        net.run(HOLD * len(CORNERS))
        t, values = log.data()
    outputs = [float(np.mean(values['B'][(t > HOLD * (k + 0.6)) & (t <= HOLD * (k + 1))]))
               for k in range(len(CORNERS))]
    return {'outputs': outputs, 'targets': [row[0] for row in TABLE]}


if __name__ == '__main__':
    result = run()
    for point, target, out in zip(CORNERS, result['targets'], result['outputs']):
        print(f"XOR lookup: A = {point!s:8} -> B = {out:+.2f} (table {target:+d})")
