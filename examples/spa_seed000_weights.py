"""Seed 000: read and damage the neuron-to-neuron weights between two SPA states.

Run: ``python examples/spa_seed000_weights.py``.  Follows the forum answer in
``shared/seeds/000_*.txt``: each SPA State normally splits its vector over several
ensembles, and "you can adjust this with the subdimensions parameter: set it to the full
dimensionality to get things represented in a single ensemble", so both states use
``subdimensions=D``.  The states are seeded, the ensemble-to-ensemble connection solves
for full weights (``LstsqL2(weights=True)``), the post gains are divided out, some
synapses are zeroed ("damaged"), and a second model connects the two states' neurons
directly with the edited matrix.  The script prints how well each state represents the
input pointer ``A``.
"""

import numpy as np

import nefsim as nengo
import nefsim.spa as spa

D = 16
DAMAGED_FRACTION = 0.1


def find_weights():
    """Solve the full weight matrix between the two states' single ensembles."""
    with spa.Network(seed=0) as find:
        find.state1 = spa.State(D, subdimensions=D, seed=1)
        find.state2 = spa.State(D, subdimensions=D, seed=2)
        connections = [
            nengo.Connection(e1, e2, seed=seed, solver=nengo.solvers.LstsqL2(weights=True))
            for seed, (e1, e2) in enumerate(zip(find.state1.all_ensembles,
                                                find.state2.all_ensembles))]
    with nengo.Simulator(find, progress_bar=False) as sim:
        return [sim.data[conn].weights / sim.data[conn.post].gain[:, None]
                for conn in connections]


def build(weights, seed=0):
    with spa.Network(label="damaged weights", seed=seed) as model:
        model.state1 = spa.State(D, subdimensions=D, seed=1)
        model.state2 = spa.State(D, subdimensions=D, seed=2)
        spa.sym.A >> model.state1
        for w, e1, e2 in zip(weights, model.state1.all_ensembles,
                             model.state2.all_ensembles):
            nengo.Connection(e1.neurons, e2.neurons, transform=w)
        probes = [nengo.Probe(s.output, synapse=0.03) for s in (model.state1, model.state2)]
    return model, probes


def damage(weights, fraction, seed=5):
    """Zero a random ``fraction`` of the synapses of each matrix."""
    rng = np.random.RandomState(seed)
    return [np.where(rng.uniform(size=w.shape) < fraction, 0.0, w) for w in weights]


def run(seconds=0.4):
    weights = find_weights()
    result = {"n_ensembles": len(weights), "shape": weights[0].shape}
    for name, ws in (("intact", weights), ("damaged", damage(weights, DAMAGED_FRACTION))):
        model, probes = build(ws)
        with nengo.Simulator(model, progress_bar=False) as sim:
            sim.run(seconds)
        a = model.vocabs[D].parse("A").v
        late = sim.trange() > seconds - 0.1
        result[name] = [float(sim.data[p][late].mean(axis=0) @ a) for p in probes]
    return result


if __name__ == "__main__":
    r = run()
    print(f"spa_seed000_weights: {r['n_ensembles']} ensemble per state, weights {r['shape']}")
    for name in ("intact", "damaged"):
        s1, s2 = r[name]
        print(f"spa_seed000_weights: {name} weights: similarity to A "
              f"state1 {s1:.2f}, state2 {s2:.2f}")
