"""SPA sequence: action selection steps a state through A -> B -> C -> D -> E -> A ...

Run: ``python examples/spa_sequence.py``.  Written against nengo_spa's API; it ports by
changing the imports.  A ``State`` with some feedback holds the current pointer; five
actions ``ifmax(dot(state, X), next(X) >> state)`` compete in the basal ganglia, and the
thalamus routes the winner's next pointer into the state, which then wins the next
action.  The script prints the order in which pointers became the most similar one.
"""

import numpy as np

import nefsim as nengo
import nefsim.spa as spa

D = 16
ORDER = ["A", "B", "C", "D", "E"]


def build(seed=2):
    vocab = spa.Vocabulary(D, strict=False, pointer_gen=np.random.RandomState(seed))
    vocab.populate(";".join(ORDER))
    with spa.Network(label="sequence", seed=seed) as model:
        state = spa.State(vocab, feedback=0.5, label="state")
        start = spa.Transcode(lambda t: "A" if t < 0.05 else "0", output_vocab=vocab,
                              label="start")
        start >> state
        with spa.ActionSelection() as actions:
            for here, there in zip(ORDER, ORDER[1:] + ORDER[:1]):
                spa.ifmax(f"{here} to {there}", spa.dot(state, spa.sym(here)),
                          spa.sym(there) >> state)
        probe = nengo.Probe(state.output, synapse=0.01)
        utility = nengo.Probe(actions.thalamus.output, synapse=0.01)
    return model, vocab, probe, utility


def visited(similarities, keys, t, min_similarity=0.5):
    """Keys that became the most similar pointer (above ``min_similarity``), in order."""
    order = []
    for row in similarities[t > 0.05]:
        best = int(np.argmax(row))
        if row[best] > min_similarity and (not order or order[-1] != keys[best]):
            order.append(keys[best])
    return order


def run(seconds=1.0, seed=2):
    model, vocab, probe, _ = build(seed)
    with nengo.Simulator(model, progress_bar=False) as sim:
        sim.run(seconds)
    t = sim.trange()
    order = visited(spa.similarity(sim.data[probe], vocab), list(vocab.keys()), t)
    expected = [ORDER[i % len(ORDER)] for i in range(len(order))]
    return {"order": order, "in_order": order == expected,
            "cycles": len(order) / len(ORDER)}


if __name__ == "__main__":
    r = run()
    print(f"spa_sequence: visited {' -> '.join(r['order'])}")
    print(f"spa_sequence: {r['cycles']:.1f} cycles through A..E, "
          f"{'in order' if r['in_order'] else 'OUT OF ORDER'}")
