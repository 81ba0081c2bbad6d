"""The benchmark suite end to end on a tiny configuration (not a timing test).

Checks that the table's fields are there and that every ratio is computed from the
numbers in the same JSON, and the physical-floor arithmetic on a model whose cost is
known by hand.
"""

import json

import numpy as np
import pytest

from nefsim.bench import floor
from nefsim.bench.__main__ import add_ratios, configurations, main
from nefsim.bench.models import lif_chain
from nefsim.network import Network


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    pytest.importorskip("nengo")
    out = tmp_path_factory.mktemp("bench")
    path, png = out / "bench.json", out / "bench.png"
    main(["--models", "lif_chain", "--sizes", "10", "--repeats", "1", "--seconds", "0.05",
          "--simulators", "nefsim", "--json", str(path), "--plot", str(png)])
    return json.loads(path.read_text()), png


def test_json_fields_and_ratios_are_consistent(table):
    data, png = table
    rows = data["rows"]
    assert [r["simulator"] for r in rows] == ["nengo", "nefsim"]
    ref, ours = rows
    for r in rows:
        assert r["label"] == "lif_chain 10x10" and r["n_neurons"] == 10
        for key in ("build_s", "warm_build_s", "us_per_step", "peak_rss_mb", "floor_us"):
            assert r[key] > 0, key
        assert r["compile_s"] is None  # only the JAX backend compiles
        assert r["speed_up"] == pytest.approx(ref["us_per_step"] / r["us_per_step"])
        assert r["build_ratio"] == pytest.approx(ref["build_s"] / r["build_s"])
        assert r["peak_ratio"] == pytest.approx(ref["peak_rss_mb"] / r["peak_rss_mb"])
        assert r["floor_ratio"] == pytest.approx(r["us_per_step"] / r["floor_us"])
        expected_floor = 1e6 * max(r["flops_per_step"] / floor.PEAK_FLOPS,
                                   r["bytes_per_step"] / floor.BANDWIDTH)
        assert r["floor_us"] == pytest.approx(expected_floor)
        # both simulators produced the same model output (seeded, float64)
        assert r["probe_mean_last_half"] == pytest.approx(ref["probe_mean_last_half"],
                                                          abs=1e-9)
    assert ref["speed_up"] == 1.0
    assert "floor = max(FLOPs / P, bytes / BW)" in data["footer"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_floor_cost_of_lif_chain_by_hand():
    """10 ensembles of 10 1-D LIF neurons, 9 decoded 1-D connections, 1 decoded probe."""
    import nefsim

    net, _ = lif_chain(nefsim, n_neurons=10)
    flops, values = floor.model_cost(net)
    n = 10
    assert flops == 10 * n * (floor.FLOPS_PER_NEURON + 2) + 9 * 2 * n + 2 * n
    assert values == 10 * n * (5 + 1) + 9 * n + n
    assert floor.floor_us(flops, values, 8) == pytest.approx(
        1e6 * max(flops / floor.PEAK_FLOPS, 8 * values / floor.BANDWIDTH))


def test_floor_cost_counts_weights_and_learning():
    import nefsim

    with Network() as net:
        a = nefsim.Ensemble(20, 2)
        b = nefsim.Ensemble(30, 1)
        nefsim.Connection(a.neurons, b.neurons, transform=np.zeros((30, 20)))
        nefsim.Connection(a, b, function=lambda x: x[0],
                          learning_rule_type=nefsim.PES())
        nefsim.Probe(a.neurons)  # a copy: no cost
    flops, values = floor.model_cost(net)
    assert flops == 20 * (12 + 4) + 30 * (12 + 2) + 2 * 20 * 30 + 2 * 20
    assert values == 20 * 7 + 30 * 6 + 20 * 30 + 3 * 20


def test_ratios_tolerate_missing_numbers_and_big_build_is_scaled():
    rows = add_ratios([
        {"us_per_step": None, "build_s": 100.0, "peak_rss_mb": 800.0, "floor_us": 1.0},
        {"us_per_step": None, "build_s": 10.0, "peak_rss_mb": 200.0, "floor_us": 1.0}])
    assert rows[1]["speed_up"] is None and rows[1]["floor_ratio"] is None
    assert rows[1]["build_ratio"] == 10.0 and rows[1]["peak_ratio"] == 4.0

    class Args:
        models, sizes, seconds, full_nengo_build = ["build"], [], 1.0, False

    (config,) = configurations(Args)
    label, model, n, _, options, nengo_options, scale = config
    assert (label, model, n, scale) == ("build 10x10000", "lif_chain", 10000, 10)
    assert options[options.index("--ensembles") + 1] == "10"
    assert nengo_options[nengo_options.index("--ensembles") + 1] == "1"
    Args.full_nengo_build = True
    assert configurations(Args)[0][-1] == 1


def test_bad_arguments_are_refused_with_their_names(capsys):
    from nefsim.bench.__main__ import measure

    with pytest.raises(SystemExit):
        main(["--models", "no_such_model"])
    assert "--models" in capsys.readouterr().err
    with pytest.raises(RuntimeError, match="nefsim lif_chain -3 failed") as err:
        measure("nefsim", "lif_chain", -3, 0.1, 1, ["--no-such-option"])
    assert "--no-such-option" in str(err.value)
