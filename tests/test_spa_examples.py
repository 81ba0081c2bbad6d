"""The SPA examples (examples/spa_*.py) run and reach the outcome they claim.

(tests/test_examples.py also runs every example as a script.)
"""

import os
import runpy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(name):
    return runpy.run_path(os.path.join(ROOT, "examples", name))


def test_spa_sequence_cycles_in_order():
    r = load("spa_sequence.py")["run"]()
    assert r["in_order"], r["order"]
    assert r["cycles"] >= 2  # A..E at least twice in 1 s


def test_spa_question_answers_red():
    r = load("spa_question.py")["run"]()
    assert r["answer"] == "RED"
    sims = r["similarities"]
    assert sims["RED"] > 0.6
    assert max(v for k, v in sims.items() if k != "RED") < sims["RED"] - 0.3
    assert r["memory_vs_scene"] > 0.7


def test_spa_memory_holds_pointer():
    r = load("spa_memory.py")["run"]()
    assert r["during"] > 0.7
    assert r["min_after"] > 0.5  # held for the whole 0.5 s after the cue


def test_spa_seed000_weights():
    r = load("spa_seed000_weights.py")["run"]()
    assert r["n_ensembles"] == 1 and r["shape"] == (800, 800)  # subdimensions=D
    s1, s2 = r["intact"]
    assert s1 > 0.85 and s2 > 0.85  # the state represents its input, also via weights
    d1, d2 = r["damaged"]
    assert abs(d1 - s1) < 1e-9  # damage downstream leaves state1 untouched
    assert 0.5 < d2 < s2  # 10% zeroed synapses: weaker, still A
