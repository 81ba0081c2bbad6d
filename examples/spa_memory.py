"""SPA working memory: a State with feedback=1 keeps a pointer after its input is gone.

Run: ``python examples/spa_memory.py``.  Written against nengo_spa's API; it ports by
changing the imports.  The input shows ``A`` for 0.2 s and then nothing; the memory's
recurrent connection (feedback 1, synapse 0.1 s) keeps representing ``A``.  The script
prints the similarity to ``A`` over the 0.5 s after the input was removed.
"""

import nefsim as nengo
import nefsim.spa as spa

D = 16
CUE_END = 0.2


def build(seed=3):
    with spa.Network(label="memory", seed=seed) as model:
        cue = spa.Transcode(lambda t: "A" if t < CUE_END else "0", output_vocab=D,
                            label="cue")
        memory = spa.State(D, feedback=1.0, label="memory")
        cue >> memory
        probe = nengo.Probe(memory.output, synapse=0.03)
    return model, model.vocabs[D], probe


def run(seconds=0.75, seed=3):
    model, vocab, probe = build(seed)
    with nengo.Simulator(model, progress_bar=False) as sim:
        sim.run(seconds)
    t = sim.trange()
    to_a = sim.data[probe] @ vocab.parse("A").v
    after = (t > CUE_END) & (t <= CUE_END + 0.5)
    return {"min_after": float(to_a[after].min()), "mean_after": float(to_a[after].mean()),
            "during": float(to_a[(t > 0.1) & (t <= CUE_END)].mean())}


if __name__ == "__main__":
    r = run()
    print(f"spa_memory: similarity to A while cued {r['during']:.2f}; in the 0.5 s after "
          f"the cue: min {r['min_after']:.2f}, mean {r['mean_after']:.2f}")
