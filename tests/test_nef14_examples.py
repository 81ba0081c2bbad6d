"""The Nengo 1.4-style examples in examples/nef14/ run and compute what they claim."""

import os
import runpy
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples", "nef14")


@pytest.fixture(autouse=True)
def quick_cache_in_tmp(tmp_path_factory, monkeypatch):
    """Seeded nef networks cache ensembles on disk (1.4's quick mode): keep that out of ~."""
    monkeypatch.setenv("NEFSIM_NEF14_QUICK_DIR", str(tmp_path_factory.getbasetemp() / "quick"))


def load(name):
    return runpy.run_path(os.path.join(EXAMPLES, name))


def test_communication_channel_tracks_its_input():
    result = load("communication_channel.py")["run"]()
    assert result["rmse"] < 0.05
    assert np.ptp(result["B"]) > 1.5  # it really carries the ±1 sine


def test_squaring_array_computes_the_sum_of_squares():
    result = load("squaring_array.py")["run"]()
    assert result["ideal"] == pytest.approx(0.63)
    assert abs(result["measured"] - result["ideal"]) < 0.08


def test_xor_by_lookup_table():
    result = load("xor_lookup.py")["run"]()
    outputs, targets = np.array(result["outputs"]), np.array(result["targets"])
    assert np.array_equal(np.sign(outputs), targets)
    assert np.all(np.abs(outputs - targets) < 0.3)


def test_learning_lowers_the_error():
    example = load("learning.py")
    learned = example["run"]()
    assert learned["late"] < 0.12 and learned["late"] < 0.5 * learned["early"]
    control = example["run"](rate=0.0)  # the same network without learning
    assert control["late"] > 3 * learned["late"]


def test_logging_to_csv(tmp_path):
    result = load("logging_csv.py")["run"](str(tmp_path))
    assert result["header"] == ["time", "input", "decoded", "A_spikes"]
    assert result["rows"] == 100
    assert np.allclose(result["times"], np.arange(1, 101) * 0.01)
    assert result["rmse"] < 0.1 and result["spikes"] > 0
    assert os.path.basename(result["path"]) == "logging_demo.csv"
    assert os.listdir(tmp_path) == ["logging_demo.csv"]


@pytest.mark.parametrize("name", sorted(f for f in os.listdir(EXAMPLES) if f.endswith(".py")))
def test_every_example_runs_as_a_script(name):
    out = subprocess.run([sys.executable, os.path.join(EXAMPLES, name)], capture_output=True,
                         text=True, timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()
