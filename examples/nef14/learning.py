"""Learning a communication channel, Nengo 1.4 style (after 1.4's learn_communicate demo).

``post`` starts with zero weights from ``pre`` (``plastic_array=True``); an ``error``
ensemble computes pre - post (target - actual) and drives ``learn`` through a modulatory
termination, so post comes to follow pre.

Run: ``python examples/nef14/learning.py``.  Prints the error before and after learning.
"""

import tempfile

import numpy as np

from nefsim import nef


def build(seed=4, rate=5e-4):
    net = nef.Network('Learn Communication', seed=seed)
    net.make_fourier_input('input', base=0.5, high=5, power=0.5, seed=12)
    net.make('pre', 60, 1)
    net.make('post', 60, 1)
    net.make('error', 100, 1)
    net.connect('input', 'pre')
    net.connect('pre', 'post', transform=[[0]], plastic_array=True)  # learned, from zero
    net.connect('pre', 'error')
    net.connect('post', 'error', weight=-1)
    net.connect('error', 'post', modulatory=True)
    net.learn('post', 'pre', 'error', rate=rate)  # 1.4's default 5e-7 learns very slowly
    return net


def run(seconds=3.0, rate=5e-4):
    net = build(rate=rate)
    with tempfile.TemporaryDirectory() as folder:
        log = net.log(dir=folder, filename='learn', tau=0.02)
        log.add('pre')
        log.add('post')
        net.run(seconds)
        t, values = log.data()
    error = np.abs(values['pre'] - values['post'])[:, 0]
    return {'early': float(np.mean(error[t <= 0.5])),
            'late': float(np.mean(error[t > seconds - 1.0]))}


if __name__ == '__main__':
    result = run()
    print(f"learning: mean |pre - post| = {result['early']:.3f} in the first 0.5 s, "
          f"{result['late']:.3f} in the last second")
