"""Many trials at once: a batch with its own input and its own noise per trial.

An integrator is driven by a different step input in each of 8 trials and by input noise
seeded per trial.  ``Simulator(net, batch_size=8, seed=...)`` runs all trials side by side
(trial b draws the noise a single run seeded ``seed + b`` would); ``sim.run(t,
inputs={node: values})`` gives each trial its own input; probe data come back as
``(trials, samples, dimensions)``.  Add ``backend="jax"`` to run it compiled.

Run: ``python examples/batch_trials.py``.  Prints, per trial, the input level, the value
the integrator reached after 0.5 s and the ideal value (level x 0.5 s).
"""

import numpy as np

import nefsim

TRIALS, SECONDS = 8, 0.5


def build():
    with nefsim.Network(label="integrator trials", seed=0) as net:
        drive = nefsim.Node(lambda t: [0.0], size_out=1, label="drive")
        noise = nefsim.Node(nefsim.processes.WhiteNoise(nefsim.dists.Gaussian(0, 0.05)),
                            size_out=1, label="noise")
        memory = nefsim.networks.Integrator(recurrent_tau=0.1, n_neurons=200, dimensions=1)
        nefsim.Connection(drive, memory.input)
        nefsim.Connection(noise, memory.input)
        probe = nefsim.Probe(memory.output, synapse=0.02)
    return net, drive, probe


def run(backend="numpy"):
    net, drive, probe = build()
    levels = np.linspace(-1.6, 1.6, TRIALS)[:, None]  # (trials, size_out): one per trial
    with nefsim.Simulator(net, batch_size=TRIALS, seed=10, backend=backend,
                          progress_bar=False) as sim:
        sim.run(SECONDS, inputs={drive: levels})
        reached = sim.data[probe][:, -1, 0]  # (trials, samples, 1) -> last sample
    return levels[:, 0], reached


if __name__ == "__main__":
    levels, reached = run()
    print(" input   reached   ideal")
    for level, value in zip(levels, reached):
        print(f"{level:6.2f}  {value:8.3f}  {level * SECONDS:6.2f}")
    print(f"RMS error against the ideal: {np.sqrt(np.mean((reached - levels * SECONDS) ** 2)):.3f}")
