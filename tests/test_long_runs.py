"""Long runs keep flat memory: probe samples are decimated per compiled chunk, so host
memory grows with the samples kept, not with the steps run."""

import tracemalloc

import numpy as np
import pytest

import nefsim

pytest.importorskip("jax")


def test_a_long_jax_run_with_a_decimated_probe_keeps_flat_memory():
    with nefsim.Network(seed=0) as net:
        stim = nefsim.Node(lambda t: np.sin(t) * np.ones(8))
        ens = nefsim.Ensemble(200, 8)
        nefsim.Connection(stim, ens)
        probe = nefsim.Probe(ens, synapse=0.01, sample_every=0.5)
    with nefsim.Simulator(net, progress_bar=False, backend="jax") as sim:
        sim.run_steps(2000)  # compile the chunk first
        tracemalloc.start()
        sim.run_steps(200_000)  # 200 s of model time
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        data = sim.data[probe]
    assert data.shape == (404, 8)  # one sample every 500 steps
    # Undecimated, 200,000 samples of 8 values would take 12.8 MB; one chunk's is 64 kB.
    assert peak < 2e6, f"peak host allocation {peak / 1e6:.1f} MB"
    t = sim.trange(sample_every=0.5)
    assert np.abs(data[-1] - np.sin(t[-1])).max() < 0.3  # and it still decodes
