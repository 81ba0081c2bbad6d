"""In-place NumPy versions of the hottest neuron kernels.

The definition of each neuron type's step is its pure ``step`` method in
:mod:`nefsim.neurons`, shared by every backend.  For LIF, the NumPy backend runs this
in-place transcription instead: it writes straight into the state buffer and computes the
spike-time correction only for the neurons that spiked, which roughly halves the cost of
a step.  ``tests/test_numpy_kernels.py`` checks that it gives bit-identical results to
the pure kernel.
"""

import numpy as np

from ..neurons import LIF


def lif_step_inplace(neuron_type, dt, J, output, voltage, refractory_time):
    """One LIF step, updating the ``output``, ``voltage`` and ``refractory_time`` views.

    The arrays may be 1-D (one model) or 2-D (a batch); 1-D views are faster to index.
    """
    tau_rc = neuron_type.tau_rc
    refractory_time -= dt
    decay = dt - refractory_time
    np.minimum(decay, dt, out=decay)  # part of the step spent out of refractoriness
    np.maximum(decay, 0.0, out=decay)
    np.divide(decay, -tau_rc, out=decay)  # == -decay / tau_rc exactly (negation is exact)
    np.expm1(decay, out=decay)
    drive = J - voltage
    drive *= decay
    voltage -= drive
    spiked = voltage > 1
    np.multiply(spiked, neuron_type.amplitude / dt, out=output)
    where = np.nonzero(spiked)
    if where[0].size:
        v, j = voltage[where], J[where]
        spike_time = dt + tau_rc * np.log1p(-((v - 1) / (j - 1)))
        refractory_time[where] = neuron_type.tau_ref + spike_time
    np.maximum(voltage, neuron_type.min_voltage, out=voltage)
    voltage[where] = 0.0


def inplace_kernel(neuron_type):
    """The in-place kernel for ``neuron_type``, or None to use its pure ``step``."""
    if type(neuron_type) is LIF:
        return lif_step_inplace
    return None
