"""Saving is atomic: a process killed (SIGKILL) in the middle of ``save_params`` or
``save`` always leaves the previous complete file, loadable.

A forked child keeps saving the same two paths, each version stamping a counter into
every decoder of a connection (and into a large neuron-to-neuron matrix, so a write takes
long enough to be interrupted).  The parent kills it at random moments, about 25 times,
and after each kill checks that each file is one complete version (every stamped entry
holds the same counter) no older than the last one seen.  Temporary files: a killed
writer can leave its temporary file behind; the next save to the same path removes the
temporary files of writers that no longer run, so at most one per path is ever left.
"""

import multiprocessing
import os
import signal
import time

import numpy as np
import pytest

import nefsim
from nefsim.params_io import load_params, read_archive
from nefsim.solvers import LstsqL2

KILLS = 25  # each kill costs ~0.2 s


def model():
    with nefsim.Network(seed=0) as net:
        a = nefsim.Ensemble(300, 1, label="a")
        b = nefsim.Ensemble(300, 1, label="b")
        c = nefsim.Connection(a, b, label="c")
        nefsim.Connection(a, b, solver=LstsqL2(weights=True), label="big")
    return net, c


def stamp(sim, c, counter):
    sim.decoders[c] = np.full((1, 300), float(counter))
    sim.weights[sim.network.connections[1]] = np.full((300, 300), float(counter))


def keep_saving(sim, c, params_path, checkpoint_path, start):
    """The child: save new versions forever (until killed)."""
    counter = start
    while True:
        counter += 1
        stamp(sim, c, counter)
        sim.save_params(params_path)
        sim.save(checkpoint_path, probes=False)


def version(arrays, prefix=""):
    """The counter of a complete version (every stamped entry equal), else fail."""
    stamped = np.concatenate([np.ravel(arrays[f"{prefix}c:weights"]),
                              np.ravel(arrays[f"{prefix}big:weights"])])
    assert stamped.size == 300 + 300 * 300
    assert np.all(stamped == stamped[0]), "a mixture of versions"
    return int(stamped[0])


def strays(directory):
    return [name for name in os.listdir(directory) if name.endswith(".tmp")]


@pytest.mark.skipif(os.name != "posix" or "fork" not in
                    multiprocessing.get_all_start_methods(), reason="needs fork and SIGKILL")
def test_killed_saves_leave_a_complete_previous_file(tmp_path):
    net, c = model()
    params_path, checkpoint_path = tmp_path / "params.npz", tmp_path / "state.npz"
    sim = nefsim.Simulator(net, progress_bar=False)
    stamp(sim, c, 0)
    sim.save_params(params_path)
    sim.save(checkpoint_path, probes=False)
    context = multiprocessing.get_context("fork")
    rng = np.random.RandomState(0)
    last = {"params": 0, "checkpoint": 0}
    mid_write = 0
    deadline = time.monotonic() + 12
    for _ in range(KILLS):
        child = context.Process(target=keep_saving, args=(
            sim, c, params_path, checkpoint_path, last["params"] + 1000), daemon=True)
        child.start()
        time.sleep(rng.uniform(0.05, 0.25))
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        assert child.exitcode == -signal.SIGKILL

        now = version(load_params(params_path))
        assert now >= last["params"]
        header, arrays = read_archive(checkpoint_path, "checkpoint")
        saved = version(arrays, "params/")
        assert saved >= last["checkpoint"] and header["kind"] == "checkpoint"
        last = {"params": now, "checkpoint": saved}
        left = strays(tmp_path)
        mid_write += bool(left)
        assert len(left) <= 2, left  # at most the killed writer's, one per path
        if time.monotonic() > deadline:
            break
    assert last["params"] > 0  # the children did save new versions
    assert mid_write >= 3  # and some kills did land in the middle of a write

    # the files are whole: they load into simulators, and one more save cleans up
    with nefsim.Simulator(net, params=params_path, progress_bar=False) as loaded:
        assert np.all(loaded.decoders[c] == last["params"])
    with nefsim.Simulator(net, checkpoint=checkpoint_path, progress_bar=False) as resumed:
        assert np.all(resumed.decoders[c] == last["checkpoint"])
        resumed.save_params(params_path)
        resumed.save(checkpoint_path)
    assert strays(tmp_path) == []
    sim.close()
