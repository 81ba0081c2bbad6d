"""The NumPy backend's in-place LIF kernel is bit-identical to LIF's pure step."""

import numpy as np
import pytest

from nefsim.backends.numpy_kernels import inplace_kernel, lif_step_inplace
from nefsim.neurons import LIF, LIFRate


@pytest.mark.parametrize("shape", [(200,), (3, 200)])
@pytest.mark.parametrize("lif", [LIF(), LIF(tau_rc=0.05, tau_ref=0.001, min_voltage=-1,
                                          amplitude=0.5)])
def test_inplace_lif_equals_pure_step(shape, lif):
    rng = np.random.RandomState(0)
    dt = 0.001
    state = {"voltage": rng.uniform(0, 1, shape), "refractory_time": np.zeros(shape)}
    voltage, refractory = state["voltage"].copy(), state["refractory_time"].copy()
    output = np.zeros(shape)
    n_spikes = 0
    for step in range(500):
        J = rng.uniform(-2, 6, shape)  # below threshold, near it, and strongly driven
        expected, state = lif.step(dt, J, state)
        lif_step_inplace(lif, dt, J, output, voltage, refractory)
        assert np.array_equal(output, expected), step
        assert np.array_equal(voltage, state["voltage"]), step
        assert np.array_equal(refractory, state["refractory_time"]), step
        n_spikes += np.count_nonzero(output)
    assert n_spikes > 1000  # the spiking branch was exercised


def test_only_plain_lif_gets_the_inplace_kernel():
    assert inplace_kernel(LIF()) is lif_step_inplace
    assert inplace_kernel(LIFRate()) is None
