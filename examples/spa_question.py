"""SPA question answering: bind a scene into memory, then ask "what colour?".

Run: ``python examples/spa_question.py``.  Written against nengo_spa's API; it ports by
changing the imports.  ``COLOR * color + SHAPE * shape >> memory`` stores the scene
``COLOR*RED + SHAPE*CIRCLE`` (binding with fixed pointers is a linear transform), and
``memory * ~query >> answer`` unbinds the query ``COLOR`` with a neural Bind network.
COLOR and SHAPE are unitary, so unbinding them is exact up to the other term's noise.
The script prints the pointer most similar to the answer (RED is correct).
"""

import numpy as np

import nefsim as nengo
import nefsim.spa as spa

D = 32


def build(seed=1):
    vocab = spa.Vocabulary(D, pointer_gen=np.random.RandomState(seed))
    vocab.populate("RED; BLUE; CIRCLE; SQUARE; COLOR.unitary(); SHAPE.unitary()")
    with spa.Network(label="question answering", seed=seed) as model:
        color = spa.Transcode("RED", output_vocab=vocab, label="color")
        shape = spa.Transcode("CIRCLE", output_vocab=vocab, label="shape")
        query = spa.Transcode("COLOR", output_vocab=vocab, label="query")
        memory = spa.State(vocab, label="memory")
        answer = spa.State(vocab, label="answer")
        spa.sym.COLOR * color + spa.sym.SHAPE * shape >> memory
        memory * ~query >> answer
        probes = {"memory": nengo.Probe(memory.output, synapse=0.03),
                  "answer": nengo.Probe(answer.output, synapse=0.03)}
    return model, vocab, probes


def run(seconds=0.5, seed=1):
    model, vocab, probes = build(seed)
    with nengo.Simulator(model, progress_bar=False) as sim:
        sim.run(seconds)
    late = sim.trange() > seconds - 0.1
    keys = list(vocab.keys())
    answer = spa.similarity(sim.data[probes["answer"]][late], vocab).mean(axis=0)
    scene = vocab.parse("COLOR*RED + SHAPE*CIRCLE").v
    memory = sim.data[probes["memory"]][late].mean(axis=0)
    return {"answer": keys[int(np.argmax(answer))],
            "similarities": {k: round(float(s), 2) for k, s in zip(keys, answer)},
            "memory_vs_scene": float(memory @ scene / np.linalg.norm(scene) ** 2)}


if __name__ == "__main__":
    r = run()
    print(f"spa_question: the colour is {r['answer']} (similarities {r['similarities']})")
    print(f"spa_question: memory holds {r['memory_vs_scene']:.2f} x the scene vector")
