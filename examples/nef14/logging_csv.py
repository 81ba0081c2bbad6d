"""Logging to CSV, Nengo 1.4 style: ``net.log()`` writes one row per interval with the
time and each logged value (vector components joined by ``;``).

Run: ``python examples/nef14/logging_csv.py [folder]``.  Writes ``logging_demo.csv`` (in a
temporary folder unless one is given), reads it back, and prints its shape and how well
the logged ensemble follows the logged input.
"""

import csv
import math
import os
import sys
import tempfile

import numpy as np

from nefsim import nef


def build(seed=5):
    net = nef.Network('Logging Demo', seed=seed)
    net.make_input('input', [lambda t: math.sin(2 * math.pi * t), 0.5])  # mixed list
    net.make('A', 100, 2)
    net.connect('input', 'A')
    return net


def run(folder=None, seconds=1.0):
    net = build()
    with tempfile.TemporaryDirectory() as scratch:
        log = net.log(dir=folder or scratch, filename='logging_demo', interval=0.01,
                      tau=0.02)
        log.add('input')
        log.add('A', name='decoded')
        log.add_spikes('A', skip=19)
        net.run(seconds)
        with open(log.path, newline='') as f:
            rows = list(csv.reader(f))
        path = log.path if folder else None
    header, body = rows[0], rows[1:]
    times = np.array([float(r[0]) for r in body])
    cell = {name: np.array([[float(v) for v in r[k].split(';')] for r in body])
            for k, name in enumerate(header) if name != 'time'}
    rmse = float(np.sqrt(np.mean((cell['decoded'][10:] - cell['input'][10:]) ** 2)))
    return {'header': header, 'rows': len(body), 'times': times, 'rmse': rmse,
            'spikes': int(cell['A_spikes'].sum()), 'path': path}


if __name__ == '__main__':
    result = run(sys.argv[1] if len(sys.argv) > 1 else None)
    where = os.path.abspath(result['path']) if result['path'] else 'a temporary folder'
    print(f"logging: wrote {result['rows']} rows with columns {result['header']} to {where}")
    print(f"logging: RMSE of the logged decoded value vs the logged input = "
          f"{result['rmse']:.3f}; {result['spikes']} spikes counted in 5 neurons")
