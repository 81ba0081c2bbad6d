"""nefsim.networks.CircularConvolution, the circconv reference and the DFT helpers."""

import numpy as np
import pytest

import nefsim
import nefsim.networks
from nefsim.networks import CircularConvolution, circconv
from nefsim.networks.circularconvolution import (dft_half, remove_imag_rows, transform_in,
                                                 transform_out)


def _direct_circconv(a, b):
    """The definition: c[i] = sum_j a[j] b[(i - j) mod D]."""
    d = len(a)
    return np.array([sum(a[j] * b[(i - j) % d] for j in range(d)) for i in range(d)])


def _involution(a):
    """The approximate inverse a'[i] = a[-i mod D]."""
    return np.roll(a[::-1], 1)


def _cosine(x, y):
    return x @ y / (np.linalg.norm(x) * np.linalg.norm(y))


@pytest.mark.parametrize("d", [1, 2, 5, 8, 16])
def test_circconv_matches_definition(d):
    rng = np.random.RandomState(d)
    a, b = rng.randn(d), rng.randn(d)
    np.testing.assert_allclose(circconv(a, b), _direct_circconv(a, b), atol=1e-12)
    np.testing.assert_allclose(circconv(a, b, invert_a=True),
                               _direct_circconv(_involution(a), b), atol=1e-12)
    np.testing.assert_allclose(circconv(a, b, invert_b=True),
                               _direct_circconv(a, _involution(b)), atol=1e-12)
    np.testing.assert_allclose(circconv(a, b), np.fft.ifft(np.fft.fft(a) * np.fft.fft(b)).real,
                               atol=1e-12)


def test_circconv_along_an_axis():
    rng = np.random.RandomState(0)
    a, b = rng.randn(3, 6), rng.randn(3, 6)
    batched = circconv(a.T, b.T, axis=0).T
    np.testing.assert_allclose(batched, [circconv(x, y) for x, y in zip(a, b)], atol=1e-12)


@pytest.mark.parametrize("d", [1, 2, 5, 8, 16, 63])
@pytest.mark.parametrize("invert_a, invert_b", [(False, False), (True, False), (False, True)])
def test_transforms_compute_circconv(d, invert_a, invert_b):
    """transform_out applied to the products of the two transform_in maps is circconv."""
    rng = np.random.RandomState(d)
    a, b = rng.randn(d), rng.randn(d)
    tr_a, tr_b = transform_in(d, "A", invert_a), transform_in(d, "B", invert_b)
    tr_out = transform_out(d)
    assert tr_a.shape == tr_b.shape == (4 * (d // 2 + 1), d) and tr_out.shape == (d, len(tr_a))
    products = (tr_a @ a) * (tr_b @ b)
    np.testing.assert_allclose(tr_out @ products, circconv(a, b, invert_a, invert_b),
                               atol=1e-12)
    np.testing.assert_allclose(dft_half(d), np.fft.rfft(np.eye(d), axis=0), atol=1e-12)


@pytest.mark.parametrize("d, kept", [(1, 1), (5, 9), (8, 14), (64, 126)])
def test_remove_imag_rows_drops_only_zero_products(d, kept):
    rng = np.random.RandomState(0)
    tr_a, tr_b = transform_in(d, "A", False), transform_in(d, "B", False)
    tr_out = transform_out(d)
    a, b = rng.randn(d), rng.randn(d)
    small_a, small_b = remove_imag_rows(tr_a), remove_imag_rows(tr_b)
    small_out = remove_imag_rows(tr_out.T).T
    assert len(small_a) == len(small_b) == small_out.shape[1] == kept
    np.testing.assert_allclose(small_out @ ((small_a @ a) * (small_b @ b)), circconv(a, b),
                               atol=1e-12)
    # exactly the rows whose product is zero for every input were dropped
    x, y = rng.randn(d, 5), rng.randn(d, 5)
    full = (tr_a @ x) * (tr_b @ y)
    zero = np.all(np.abs(full) < 1e-12, axis=1)
    assert zero.sum() == len(tr_a) - kept
    np.testing.assert_allclose((small_a @ x) * (small_b @ y), full[~zero], atol=1e-12)


def test_transforms_equal_nengos():
    nengo = pytest.importorskip("nengo")
    from nengo.networks import circularconvolution as ref

    for d in (4, 7, 64):
        for align in "AB":
            for invert in (False, True):
                np.testing.assert_array_equal(transform_in(d, align, invert),
                                              ref.transform_in(d, align, invert))
        np.testing.assert_array_equal(transform_out(d), ref.transform_out(d))
    assert nengo is not None


def _cc_model(mod, d=8):
    rng = np.random.RandomState(0)
    a, b = rng.randn(d), rng.randn(d)
    with mod.Network(seed=0) as net:
        cc = mod.networks.CircularConvolution(40, d, invert_b=True, input_magnitude=1.5)
        mod.Connection(mod.Node(a / np.linalg.norm(a)), cc.input_a)
        mod.Connection(mod.Node(b / np.linalg.norm(b)), cc.input_b)
        probes = [mod.Probe(cc.output, synapse=0.03)]
    return net, probes


def test_circular_convolution_matches_nengo():
    nengo = pytest.importorskip("nengo")
    traces = []
    for module in (nengo, nefsim):
        net, probes = _cc_model(module)
        with module.Simulator(net, progress_bar=False) as sim:
            sim.run(0.15)
        traces.append(sim.data[probes[0]])
        assert net.n_neurons == 4 * 5 * 40
    np.testing.assert_allclose(traces[1], traces[0], atol=1e-9, rtol=0)


def test_bind_then_unbind_recovers_the_vector():
    """D = 16 random unit vectors.  For this seed the exact algebra gives a cosine of 0.79
    between a and (a * b) * b' (measured); the spiking networks must reach > 0.7 and stay
    within 0.08 of it.  The bound vector itself must match circconv(a, b) closely."""
    d = 16
    rng = np.random.RandomState(0)
    a, b = rng.randn(d), rng.randn(d)
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    exact = _cosine(circconv(circconv(a, b), b, invert_b=True), a)
    with nefsim.Network(seed=0) as net:
        in_a, in_b = nefsim.Node(a), nefsim.Node(b)
        bind = CircularConvolution(100, d)
        unbind = CircularConvolution(100, d, invert_b=True)
        nefsim.Connection(in_a, bind.input_a)
        nefsim.Connection(in_b, bind.input_b)
        nefsim.Connection(bind.output, unbind.input_a)
        nefsim.Connection(in_b, unbind.input_b)
        p_bound = nefsim.Probe(bind.output, synapse=0.03)
        p_unbound = nefsim.Probe(unbind.output, synapse=0.03)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(0.3)
    bound = sim.data[p_bound][-100:].mean(axis=0)
    unbound = sim.data[p_unbound][-100:].mean(axis=0)
    assert _cosine(bound, circconv(a, b)) > 0.97
    assert np.linalg.norm(bound - circconv(a, b)) < 0.25
    assert exact == pytest.approx(0.79, abs=0.01)
    similarity = _cosine(unbound, a)
    assert similarity > 0.7 and abs(similarity - exact) < 0.08


def test_circular_convolution_structure():
    with nefsim.Network():
        cc = CircularConvolution(10, 6)
    assert cc.label == "Circular convolution"
    assert cc.A is cc.input_a and cc.B is cc.input_b
    assert cc.product.sq1.n_ensembles == 4 * 4 and cc.product.sq1.n_neurons_per_ensemble == 5
    radius = cc.product.sq1.ea_ensembles[0].radius
    assert radius == pytest.approx(2 * np.sqrt(2))  # sized for DFT factors up to 2
    assert all(c.synapse is None for c in cc.all_connections)
