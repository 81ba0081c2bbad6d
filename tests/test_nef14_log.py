"""Tests of ``nef.Log`` (Nengo 1.4's CSV logger) and the GUI stand-ins of ``nefsim.nef.view``.

The CSV format is shared/reference/nef14.md §14: a ``time,<col>,...`` header, one row
per ``interval``, ``%1.3f`` cells whose vector components are joined by ``;``.
"""

import os
import re

import numpy as np
import pytest

from nefsim.exceptions import ValidationError
from nefsim.nef import Network
from nefsim.nef.log import Log
from nefsim.nef.view import set_layout, set_view_function_1d, view
from nefsim.probe import Probe

TAU = 0.01
DT = 0.001


@pytest.fixture(autouse=True)
def quick_cache_in_tmp(tmp_path_factory, monkeypatch):
    """Seeded nef networks cache ensembles on disk (1.4's quick mode): keep that out of ~."""
    monkeypatch.setenv("NEFSIM_NEF14_QUICK_DIR", str(tmp_path_factory.getbasetemp() / "quick"))


def read_blocks(path):
    """The file as a list of blocks ``(header, rows)``; a row is a list of cells."""
    blocks = []
    with open(path) as f:
        for line in f.read().splitlines():
            cells = line.split(",")
            if cells[0] == "time":
                blocks.append((cells, []))
            else:
                blocks[-1][1].append(cells)
    return blocks


def column(rows, k):
    """Column ``k`` as an ``(n_rows, d)`` float array."""
    return np.array([[float(v) for v in row[k].split(";")] for row in rows])


def step_net(name="Log Test", value=1.0):
    net = Network(name, seed=3)
    net.make_input("input", [value])
    net.make("A", 30, 1)
    net.connect("input", "A")
    return net


# ------------------------------------------------------------------------- format
def test_columns_rows_and_cell_format(tmp_path):
    net = Network("Format", seed=1)
    net.make_input("input", [0.5, -0.25])
    net.make("A", 30, 2)
    net.make_array("B", 20, 3)
    net.connect("input", "A")
    log = net.log(dir=str(tmp_path), filename="fmt.csv")
    log.add("input")  # 1.4 needed origin='origin' here
    log.add("A", name="decoded", tau=0.02)
    log.add("B")
    log.add("B.2", name="third")
    net.run(0.1)

    assert log.path == os.path.join(str(tmp_path), "fmt.csv")
    with open(log.path) as f:
        lines = f.read().splitlines()
    assert lines[0] == "time,input,decoded,B,third"
    assert len(lines) == 1 + 100
    for line in lines[1:]:
        # time, then one cell per item: 2, 2, 3 and 1 components of %1.3f
        assert re.fullmatch(r"\d\.\d{3},(-?\d+\.\d{3};){1}-?\d+\.\d{3},"
                            r"(-?\d+\.\d{3};){1}-?\d+\.\d{3},(-?\d+\.\d{3};){2}-?\d+\.\d{3},"
                            r"-?\d+\.\d{3}", line), line
    (header, rows), = read_blocks(log.path)
    times = np.array([float(r[0]) for r in rows])
    assert np.allclose(times, np.arange(1, 101) * DT)
    # the array's third component is the sub-ensemble 'B.2'
    assert np.array_equal(column(rows, 3)[:, 2], column(rows, 4)[:, 0])
    assert log.columns == ["input", "decoded", "B", "third"]


@pytest.mark.parametrize("interval, duration", [(0.001, 0.2), (0.01, 0.2), (0.0025, 0.1)])
def test_rows_count_is_duration_over_interval(tmp_path, interval, duration):
    net = step_net()
    log = net.log(dir=str(tmp_path), filename="rows", interval=interval)
    log.add("input")
    net.run(duration)
    (_, rows), = read_blocks(log.path)
    n = int(round(duration / interval))
    assert len(rows) == n
    times = np.array([float(r[0]) for r in rows])
    # each row is the first step that reaches k * interval
    expected = np.ceil(np.arange(1, n + 1) * interval / DT - 1e-9) * DT
    assert np.allclose(times, expected)
    if interval == 0.0025:
        assert rows[0][0] == "0.0030"  # the time gets the decimals the interval needs


# ---------------------------------------------------------------------- filtering
def test_tau_filters_a_step_with_the_exponential(tmp_path):
    net = step_net()
    log = net.log(dir=str(tmp_path), filename="tau", tau=TAU)
    log.add("input")  # the log's tau
    log.add("input", name="raw", tau=0)
    log.add("input", name="slow", tau=0.05)
    net.run(0.1)
    (_, rows), = read_blocks(log.path)
    t = np.array([float(r[0]) for r in rows])
    filtered, raw, slow = column(rows, 1)[:, 0], column(rows, 2)[:, 0], column(rows, 3)[:, 0]

    assert np.all(raw == 1.0)  # tau=0: unfiltered
    # a step through Lowpass(tau): 1 - exp(-t/tau), one step late (the probe's filter
    # takes the step's input into the next step, as every nefsim/Nengo synapse does)
    assert np.allclose(filtered, 1 - np.exp(-(t - DT) / TAU), atol=6e-4)
    assert np.allclose(slow, 1 - np.exp(-(t - DT) / 0.05), atol=6e-4)
    assert np.max(np.abs(filtered - (1 - np.exp(-t / TAU)))) < 0.1
    assert filtered[0] == 0.0 and abs(filtered[9] - 0.593) < 1e-3


def test_log_values_match_a_nefsim_probe(tmp_path):
    """The 'X' column is the decoded value through Lowpass(tau), sampled every interval."""
    net = step_net(value=0.5)
    log = net.log(dir=str(tmp_path), filename="probe", interval=0.005)
    log.add("A")
    with net.model:
        probe = Probe(net.get("A").ensemble, synapse=TAU)
    net.run(0.2)
    (_, rows), = read_blocks(log.path)
    logged = column(rows, 1)[:, 0]
    probed = net.simulator.data[probe][4::5, 0]
    assert len(logged) == len(probed) == 40
    assert np.allclose(logged, probed, atol=6e-4)
    assert abs(np.mean(logged[-20:]) - 0.5) < 0.1


def test_spike_counts_since_previous_row(tmp_path):
    net = step_net(value=0.8)
    log = net.log(dir=str(tmp_path), filename="spikes", interval=0.01)
    log.add_spikes("A")
    log.add_spikes("A", name="every_third", skip=2)
    with net.model:
        probe = Probe(net.get("A").ensemble.neurons, "output")
    net.run(0.1)
    net.run(0.05)
    (header, rows), = read_blocks(log.path)
    assert header == ["time", "A_spikes", "every_third"]
    counts = column(rows, 1)
    assert counts.shape == (15, 30)
    assert np.all(counts == np.round(counts))
    spikes = net.simulator.data[probe] * DT  # amplitude 1/dt
    per_row = spikes.reshape(15, 10, 30).sum(axis=1)
    assert np.array_equal(counts, np.round(per_row))
    assert np.array_equal(column(rows, 2), counts[:, ::3])
    assert counts.sum() > 0


# ----------------------------------------------------------------- names, files
def test_filename_templates(tmp_path):
    net = step_net("Templ Net")
    folder = tmp_path / "made" / "here"
    log = net.log(dir=str(folder))  # default '%(name)s-%(time)s.csv'
    log.add("input")
    named = Log(net, name="custom", dir=str(folder), filename="%(name)s_run")
    named.add("A")
    net.run(0.01)
    assert folder.is_dir()  # dir is created
    assert re.fullmatch(r"Templ Net-\d{8}-\d{6}\.csv", os.path.basename(log.path))
    assert os.path.basename(named.path) == "custom_run.csv"  # .csv added
    assert sorted(os.listdir(folder)) == sorted([os.path.basename(log.path), "custom_run.csv"])
    assert named in net._logs and log in net._logs


def test_run_twice_continues_time_and_reset_starts_a_block(tmp_path):
    net = step_net()
    log = net.log(dir=str(tmp_path), filename="twice.csv", interval=0.002)
    log.add("A")
    net.run(0.05)
    first = read_blocks(log.path)
    net.run(0.05)
    (header, rows), = read_blocks(log.path)
    assert rows[:25] == first[0][1]  # the first run's rows are kept as they were
    times = np.array([float(r[0]) for r in rows])
    assert np.allclose(times, np.arange(1, 51) * 0.002)

    net.reset()
    net.run(0.05)
    blocks = read_blocks(log.path)
    assert len(blocks) == 2 and blocks[1][0] == header
    assert blocks[1][1] == first[0][1]  # reset restarts time; V = 0 so it repeats exactly


def test_log_made_after_a_run_starts_at_the_current_time(tmp_path):
    net = step_net()
    net.run(0.02)
    log = net.log(dir=str(tmp_path), filename="late", interval=0.01)
    log.add("input")
    with pytest.warns(UserWarning, match="rebuilt"):
        net.run(0.03)
    (_, rows), = read_blocks(log.path)
    assert [r[0] for r in rows] == ["0.030", "0.040", "0.050"]


def test_subnetwork_logs(tmp_path):
    """1.4's subnetwork logs stayed silent; here they write, and dotted names work."""
    net = Network("Top", seed=2)
    net.make_input("input", [0.5])
    sub = net.make_subnetwork("sub")
    sub.make("D", 30, 1)
    net.connect("input", "sub.D")
    top = net.log(dir=str(tmp_path), filename="top", interval=0.01)
    top.add("sub.D")
    inner = sub.log(dir=str(tmp_path), filename="inner", interval=0.01)
    inner.add("D")
    net.run(0.05)
    top_rows, inner_rows = read_blocks(top.path)[0][1], read_blocks(inner.path)[0][1]
    assert len(top_rows) == len(inner_rows) == 5
    assert [r[1] for r in top_rows] == [r[1] for r in inner_rows]


def test_vocab_column(tmp_path):
    spa = pytest.importorskip("nefsim.spa")
    vocab = spa.Vocabulary(16, pointer_gen=np.random.RandomState(0))
    vocab.populate("A; B; C")
    net = Network("Vocab", seed=1)
    net.make_input("sp", list(vocab.parse("A").v))
    log = net.log(dir=str(tmp_path), filename="vocab", interval=0.01)
    log.add_vocab("sp", vocab=vocab, tau=0)
    log.add_vocab("sp", vocab=vocab, name="pairs", tau=0, terms=["A", "B"], pairs=True,
                  threshold=-1)
    net.run(0.02)
    (header, rows), = read_blocks(log.path)
    assert header == ["time", "sp_vocab", "pairs"]
    best = rows[0][1].split(";")
    assert best[0] == "1.00A"  # best first, %0.2f then the key
    sims = vocab.vectors @ vocab.parse("A").v
    assert len(best) == 1 + int(np.sum(sims[1:] > 0.1))
    pair_cells = rows[0][2].split(";")
    assert len(pair_cells) == 3 and any(c.endswith("A*B") for c in pair_cells)


def test_read_and_record(tmp_path):
    net = step_net()
    log = net.log(dir=str(tmp_path), filename="rr", interval=0.01)
    log.add("input")
    net.run(0.03)
    rows = list(log.read())
    assert rows[0] == ["time", "input"] and len(rows) == 4
    log.record(trial=3, label="x")
    with open(os.path.join(str(tmp_path), "rr.data")) as f:
        assert f.read() == "trial=3\nlabel='x'\n"


# ------------------------------------------------------------------ atomic writes
def test_writes_are_atomic(tmp_path, monkeypatch):
    net = step_net()
    log = net.log(dir=str(tmp_path), filename="atomic", interval=0.01)
    log.add("A")
    net.run(0.05)
    with open(log.path) as f:
        before = f.read()

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        net.run(0.05)
    monkeypatch.undo()
    with open(log.path) as f:
        assert f.read() == before  # the old file is intact, no partial rows
    assert os.listdir(tmp_path) == ["atomic.csv"]  # and no temporary file is left


# -------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, attr", [
    ({"interval": 0}, "interval"),
    ({"interval": "1ms"}, "interval"),
    ({"tau": -0.01}, "tau"),
    ({"filename": "%(date)s.csv"}, "filename"),
    ({"filename": "sub/x.csv"}, "filename"),
    ({"filename": ""}, "filename"),
    ({"name": 5}, "name"),
    ({"dir": 3}, "dir"),
    ({"auto_flush": "yes"}, "auto_flush"),
])
def test_bad_constructor_arguments(kwargs, attr):
    net = step_net()
    with pytest.raises(ValidationError) as info:
        net.log(**kwargs)
    assert info.value.attr == attr and f"{attr}:" in str(info.value)


def test_bad_add_arguments(tmp_path):
    net = step_net()
    log = net.log(dir=str(tmp_path), filename="bad")
    cases = [
        (lambda: log.add("nope"), "source"),
        (lambda: log.add("A.input"), "source"),  # a termination
        (lambda: log.add(42), "source"),
        (lambda: log.add("A", origin="Y"), "origin"),
        (lambda: log.add("A", tau="fast"), "tau"),
        (lambda: log.add("A", name="a,b"), "name"),
        (lambda: log.add_spikes("input"), "source"),
        (lambda: log.add_spikes("A", skip=-1), "skip"),
        (lambda: log.add_vocab("A"), "vocab"),
    ]
    for call, attr in cases:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.attr == attr and attr in str(info.value)
    with pytest.raises(ValidationError) as info:
        Log("not a network")
    assert info.value.attr == "network"

    log.add("A")
    net.run(0.01)
    with pytest.raises(ValidationError, match="header") as info:
        log.add("input")  # the header is already written
    assert info.value.attr == "source"


# ------------------------------------------------------------------------- view
def test_view_writes_a_png_of_the_recorded_values(tmp_path):
    net = Network("View Net", seed=1)
    net.make_input("input", [0.5, -0.3])
    net.make("A", 30, 2)
    net.connect("input", "A")

    def poly(i, x):
        return x ** i

    net.set_view_function_1d("A", poly, label="quadratic", minx=-2, maxx=2)
    net.set_layout({"x": 10, "width": 800}, [("A", "value", {"sel_dim": [0, 1]})],
                   {"dt": 0.001, "show_time": 0.5})
    path = str(tmp_path / "view.png")
    assert net.view(play=0.05, path=path) == path
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    settings = net._view_settings
    assert settings["layout"]["control"]["dt"] == 0.001
    assert settings["layout"]["view"] == {"x": 10, "width": 800}
    assert settings["function_1d"]["A"]["basis"] is poly
    assert settings["function_1d"]["A"]["minx"] == -2
    # everything was recorded: the recorder's last value of A is near the input
    recorder = next(lg for lg in net._logs if isinstance(lg, Log))
    times, values = recorder.data()
    assert len(times) == 50 and set(values) == {"input", "A"}
    assert np.allclose(values["input"][-1], [0.5, -0.3], atol=0.01)


def test_view_without_data_warns_and_bad_settings_raise(tmp_path):
    net = step_net()
    with pytest.warns(UserWarning, match="nothing to plot"):
        assert view(net) is None
    for call, attr in [
        (lambda: set_layout(net, [], [], {}), "view"),
        (lambda: set_layout(net, {}, {}, {}), "layout"),
        (lambda: set_layout(net, {}, [], None), "control"),
        (lambda: set_view_function_1d(net, "A", 3), "basis"),
        (lambda: set_view_function_1d(net, "A", abs, minx=1, maxx=0), "maxx"),
        (lambda: set_view_function_1d(net, "nope", abs), "node"),
        (lambda: view(net, play=-1), "play"),
    ]:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.attr == attr
