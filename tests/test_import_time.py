"""Tests that keep ``import nefsim`` (and a first simple build) fast.

The slow SciPy subpackages (``signal``, ``optimize``, ``interpolate``, ``stats``; about
0.9 s together) must not be imported by ``import nefsim`` nor by building and running a
model with Lowpass and Alpha synapses.  These checks run in a fresh interpreter and look
at ``sys.modules``, not at times, so they are not flaky.

Because nefsim discretizes linear filters itself instead of calling
``scipy.signal.tf2ss``/``cont2discrete``, this file also checks that its realizations
are bit-identical to SciPy's for many filters and time steps.
"""

import json
import subprocess
import sys
import warnings

import numpy as np
import pytest

from nefsim.synapses import Alpha, LinearFilter, Lowpass

SLOW = ("scipy.signal", "scipy.optimize", "scipy.interpolate", "scipy.stats")

_SCRIPT = """
import json, sys

def loaded(names):
    return sorted(name for name in names if name in sys.modules)

import nefsim
from nefsim.neurons import LIF

checked = {slow!r} + ("scipy.special", "scipy.sparse.linalg")
report = {{"import": loaded(checked)}}
with nefsim.Network(seed=3) as net:
    stim = nefsim.Node(lambda t: [0.5, -0.3])
    a = nefsim.Ensemble(40, 2, neuron_type=LIF())
    b = nefsim.Ensemble(30, 1, neuron_type=LIF())
    nefsim.Connection(stim, a, synapse=0.005)
    nefsim.Connection(a, b, function=lambda x: x[0] * x[1], synapse=nefsim.Lowpass(0.01))
    nefsim.Connection(b, b, synapse=nefsim.Alpha(0.02))
    probe = nefsim.Probe(b, synapse=0.01)
with nefsim.Simulator(net, progress_bar=False) as sim:
    report["build"] = loaded(checked)
    sim.run(0.05)
assert sim.data[probe].shape == (50, 1)
report["run"] = loaded(checked)
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def loaded_modules():
    """Which of the checked modules a fresh interpreter has after each stage."""
    result = subprocess.run([sys.executable, "-c", _SCRIPT.format(slow=SLOW)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_loads_no_slow_scipy_subpackage(loaded_modules):
    # scipy.special and scipy.sparse.linalg are only imported when a feature needs them
    assert loaded_modules["import"] == []


@pytest.mark.parametrize("stage", ["build", "run"])
def test_simple_model_loads_no_slow_scipy_subpackage(loaded_modules, stage):
    assert not set(loaded_modules[stage]) & set(SLOW), loaded_modules


# ---------------------------------------------------------------------------------------
# nefsim's discretization equals scipy.signal's bit for bit
# ---------------------------------------------------------------------------------------

DTS = (1e-5, 1e-4, 0.001, 0.002, 0.0137, 0.1, 1.0)


def scipy_realization(synapse, dt):
    """What nefsim computed when it called scipy.signal (its previous implementation)."""
    from scipy.signal import cont2discrete, tf2ss

    num, den = np.trim_zeros(synapse.num, "f"), np.trim_zeros(synapse.den, "f")
    A, B, C, D = tf2ss(num, den)
    if synapse.analog:
        A, B, C, D, _ = cont2discrete((A, B, C, D), dt, method=synapse.method)
    return A, B, C, D


def assert_bit_identical(synapse, dt):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SciPy's and ours for negligible coefficients
        expected = scipy_realization(synapse, dt)
        actual = synapse._discretize(dt)
    for name, e, a in zip("ABCD", expected, actual):
        a = np.asarray(a)
        assert a.dtype == e.dtype and a.shape == e.shape, (synapse, dt, name)
        assert np.array_equal(a, e), (synapse, dt, name, a - e)


@pytest.mark.parametrize("dt", DTS)
def test_lowpass_matches_scipy_bit_for_bit(dt):
    for tau in np.geomspace(1e-6, 1e3, 37):
        assert_bit_identical(Lowpass(tau), dt)


@pytest.mark.parametrize("dt", DTS)
def test_alpha_matches_scipy_bit_for_bit(dt):
    for tau in np.geomspace(1e-5, 1e2, 23):
        assert_bit_identical(Alpha(tau), dt)


GENERAL = [
    ([1, 2], [1, 3]),  # feedthrough
    ([2.5], [2, 3, 1]),  # non-monic denominator
    ([1, 0, 3], [1e-3, 0.2, 3, 1]),  # third order with feedthrough
    ([0, 1], [0, 0.01, 1]),  # leading zeros
    ([0.3, -1, 2, 5], [1, 4, 6, 4, 1]),
    ([1], [1, 0]),  # integrator
    ([1e-20, 1], [1, 1]),  # negligible leading numerator coefficient
    ([4, 3, 2, 1], [4, 3, 2, 1]),  # equal polynomials: a gain of 1 with states
]


@pytest.mark.parametrize("method", ["zoh", "bilinear", "euler", "backward_diff"])
@pytest.mark.parametrize("num, den", GENERAL)
def test_linear_filter_matches_scipy_bit_for_bit(num, den, method):
    for dt in DTS:
        assert_bit_identical(LinearFilter(num, den, method=method), dt)


def test_random_higher_order_filters_match_scipy_bit_for_bit():
    rng = np.random.RandomState(5)
    for order in range(2, 8):
        for _ in range(4):
            poles = -np.exp(rng.uniform(-2, 4, size=order))  # stable, 0.1 to 50 /s
            den = np.poly(poles) * rng.uniform(0.1, 10)
            num = rng.standard_normal(rng.randint(1, order + 2))
            for dt in (1e-4, 0.001, 0.01):
                assert_bit_identical(LinearFilter(num, den), dt)


@pytest.mark.parametrize("num, den", GENERAL + [([0.5], [1, -0.5])])
def test_digital_filter_realization_matches_scipy_tf2ss(num, den):
    assert_bit_identical(LinearFilter(num, den, analog=False), 0.001)


def test_lowpass_coefficients_are_exp_decay():
    """Independent of SciPy: ZOH of 1/(tau s + 1) is a = exp(-dt/tau), b = 1 - a."""
    for tau in np.geomspace(1e-4, 10, 15):
        for dt in (1e-4, 0.001, 0.01):
            A, B, C, D = Lowpass(tau).state_space(dt)
            a = np.exp(-dt / tau)  # expm's scaling and squaring loses a few digits
            assert np.isclose(A[0, 0], a, rtol=1e-12, atol=1e-16)
            assert np.isclose(B[0, 0], 1 - a, rtol=1e-12, atol=1e-16)
            assert C[0, 0] == 1 and D[0, 0] == 0


def test_negligible_numerator_coefficient_warns_and_is_dropped():
    with pytest.warns(UserWarning, match="numerator"):
        A, B, C, D = LinearFilter([1e-20, 1], [1, 1]).state_space(0.01)
    expected = Lowpass(1.0).state_space(0.01)
    for ours, lowpass in zip((A, B, C, D), expected):
        assert np.array_equal(ours, lowpass)
