"""Statistical fidelity: nefsim and Nengo build the same seeded models independently.

No parameters are shared here (that is ``test_fidelity_transplant.py``); instead each test
compares a statistic (decoding RMSE, the distribution of sampled parameters, firing
rates) against Nengo's or against an analytic value, with tolerances chosen so that a
specific modelling mistake fails.  Each test says which mistake it catches.
"""

import numpy as np
import pytest
from scipy import signal as sps
from scipy import stats

nengo = pytest.importorskip("nengo")
import nefsim  # noqa: E402

pytestmark = pytest.mark.nengo

DT = 0.001


def lowpass_delayed(u, tau, dt=DT):
    """Nengo's ZOH Lowpass as seen by a consumer: y[k] = a y[k-1] + (1-a) u[k-1]."""
    a = np.exp(-dt / tau)
    return sps.lfilter([0.0, 1.0 - a], [1.0, -a], u, axis=0)


def run(mod, model, t, seed, dt=DT):
    with mod.Network(seed=seed) as net:
        objs = model(mod)
    with mod.Simulator(net, dt=dt, progress_bar=False) as sim:
        sim.run(t)
    return sim, objs


# ------------------------------------------------------------------ decoding accuracy

FUNCTIONS = {
    "identity": (1, lambda x: x),
    "square": (1, lambda x: x ** 2),
    "product": (2, lambda x: x[0] * x[1]),
}


def _stimulus(dims):
    if dims == 1:
        return lambda t: [0.9 * np.sin(2 * np.pi * 2 * t)]
    return lambda t: [0.8 * np.sin(2 * np.pi * 2 * t), 0.8 * np.cos(2 * np.pi * 3 * t)]


def _decode_rmse(mod, name, seed, radius, shift=0):
    """RMSE of a decoded function over 2 s against the ideal (filtered) function."""
    dims, func = FUNCTIONS[name]
    stim_fn = _stimulus(dims)
    n = 100 if dims == 1 else 200

    def model(m):
        stim = m.Node(lambda t: np.asarray(stim_fn(t)) * radius)
        a = m.Ensemble(n, dims, radius=radius)
        out = m.Node(size_in=1)
        m.Connection(stim, a, synapse=0.005)
        m.Connection(a, out, function=func, synapse=0.005)
        return m.Probe(out, synapse=0.01)

    sim, probe = run(mod, model, 2.0, seed)
    t = sim.trange()
    x = np.array([stim_fn(ti) for ti in t]) * radius
    # stim -> Lowpass(0.005) -> a -> f -> Lowpass(0.005) -> probe Lowpass(0.01), each
    # synapse one step late as its consumer sees it.
    y = np.array([np.atleast_1d(func(xi)) for xi in lowpass_delayed(x, 0.005)])
    ideal = lowpass_delayed(lowpass_delayed(y, 0.005), 0.01)
    ideal = np.roll(ideal, shift, axis=0)  # shift != 0 only to check this test's power
    skip = 100  # the initial transient of the filters
    return np.sqrt(np.mean((sim.data[probe][skip:] - ideal[skip:]) ** 2))


# Absolute bounds, about 1.6x what Nengo gets with seed 11: 0.0068, 0.0111, 0.039
# (radius 1) and 0.0136, 0.045, 0.156 (radius 2, where the targets are 2x / 4x larger).
RMSE_BOUND = {("identity", 1): 0.011, ("square", 1): 0.018, ("product", 1): 0.065,
              ("identity", 2): 0.022, ("square", 2): 0.072, ("product", 2): 0.25}


@pytest.mark.parametrize("radius", [1, 2])
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_decoded_function_rmse(name, radius):
    """Catches: wrong decoders (regularisation, activities from a wrong rate formula),
    a missing radius scaling of eval points or encoders (radius=2 case: the decoded value
    saturates or is off by a factor 2), and a missing synapse delay (output one step
    early: measured on Nengo's own data that raises the identity RMSE 1.9x and the square
    RMSE 1.3-1.5x, beyond the 25% margin; an *extra* delay is caught by the transplant
    tests and test_synapse_adds_exactly_one_step_of_delay, not here)."""
    seed = 11
    rmse_n = _decode_rmse(nengo, name, seed, radius)
    rmse_f = _decode_rmse(nefsim, name, seed, radius)
    assert rmse_f < RMSE_BOUND[name, radius]
    assert rmse_f == pytest.approx(rmse_n, rel=0.25), (rmse_f, rmse_n)


# ------------------------------------------------------------------ sampled parameters


def _built_ensemble(mod, seed, n=300, d=1, **kwargs):
    def model(m):
        return m.Ensemble(n, d, **kwargs)

    with mod.Network(seed=seed) as net:
        ens = model(mod)
    with mod.Simulator(net, progress_bar=False) as sim:
        return sim.data[ens]


SEEDS = [0, 1, 2, 3]


@pytest.mark.parametrize("field", ["max_rates", "intercepts", "gain", "bias"])
def test_sampled_parameter_distributions_match_nengo(field):
    """KS test of gains, biases, intercepts and max_rates against Nengo's samples.

    Catches: wrong default distributions (e.g. intercepts U(-1, 1)), a wrong gain/bias
    formula (the gain and bias distributions shift), samples drawn in another order."""
    for seed in SEEDS:
        ours = getattr(_built_ensemble(nefsim, seed), field)
        ref = getattr(_built_ensemble(nengo, seed + 100), field)
        assert stats.ks_2samp(ours, ref).pvalue > 0.01, (field, seed)


def test_default_distributions_moments():
    """max_rates ~ U(200, 400), intercepts ~ U(-1, 0.9): means within 4 standard errors."""
    built = _built_ensemble(nefsim, seed=5, n=2000)
    se = 200 / np.sqrt(12) / np.sqrt(2000)
    assert abs(np.mean(built.max_rates) - 300) < 4 * se
    assert built.max_rates.min() >= 200 and built.max_rates.max() <= 400
    se = 1.9 / np.sqrt(12) / np.sqrt(2000)
    assert abs(np.mean(built.intercepts) - (-0.05)) < 4 * se
    assert built.intercepts.min() >= -1 and built.intercepts.max() <= 0.9


@pytest.mark.parametrize("d", [1, 3, 16])
def test_encoders_unit_norm_and_centred(d):
    """Encoders are unit vectors spread over the sphere (ScatteredHypersphere surface).

    Catches: unnormalised encoders, encoders drawn from a cube or one orthant; the KS test
    of the components against Nengo's catches a different spreading method."""
    ours = _built_ensemble(nefsim, seed=2, n=400, d=d).encoders
    ref = _built_ensemble(nengo, seed=3, n=400, d=d).encoders
    assert ours.shape == (400, d)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-12)
    assert np.all(np.abs(ours.mean(axis=0)) < 0.1)
    assert stats.ks_2samp(ours.ravel(), ref.ravel()).pvalue > 0.01


# ------------------------------------------------------------------ tuning curves


RATE_TYPES = ["LIF", "LIFRate", "RectifiedLinear", "SpikingRectifiedLinear"]


@pytest.mark.parametrize("type_name", RATE_TYPES)
def test_tuning_curves_hit_intercepts_and_max_rates(type_name):
    """rates(x . e) is 0 at and below the intercept and max_rate at x . e = 1.

    Catches: a wrong gain/bias formula (the curve misses max_rate or starts firing
    elsewhere); computed from sim.data[ens] gain/bias with the type's ``rates``."""
    neuron_type = getattr(nefsim, type_name)()
    built = _built_ensemble(nefsim, seed=4, n=200, neuron_type=neuron_type)
    gain, bias = built.gain, built.bias
    at_max = neuron_type.rates(np.ones(1), gain, bias)[0]
    np.testing.assert_allclose(at_max, built.max_rates, rtol=1e-9)
    at_intercept = neuron_type.rates(built.intercepts[None, :] - 1e-9, gain, bias)[0]
    assert np.all(at_intercept == 0)
    just_above = neuron_type.rates(built.intercepts[None, :] + 1e-3, gain, bias)[0]
    assert np.all(just_above > 0)


@pytest.mark.parametrize("type_name", ["LIF", "RectifiedLinear"])
def test_tuning_curve_statistics_match_nengo(type_name):
    """Rates over x in [-1, 1] for many neurons: distribution matches Nengo's (KS).

    Computed for both simulators from their own sim.data gain/bias/encoders with their
    own ``rates``.  Catches: wrong rate formulas, a wrong radius scaling of encoders (the
    ensemble has radius 2; curves are evaluated in represented units)."""
    radius = 2.0
    x = np.linspace(-radius, radius, 41)

    def curves(mod, seed):
        built = _built_ensemble(mod, seed, n=300, radius=radius,
                                neuron_type=getattr(mod, type_name)())
        proj = x[:, None] * built.scaled_encoders[:, 0][None, :] / built.gain
        return getattr(mod, type_name)().rates(proj, built.gain, built.bias), built

    ours, built = curves(nefsim, 6)
    ref, _ = curves(nengo, 7)
    # Every neuron reaches its max_rate at the radius along its encoder.
    end = np.where(built.encoders[:, 0] > 0, ours[-1], ours[0])
    np.testing.assert_allclose(end, built.max_rates, rtol=1e-9)
    for i in (0, 10, 20, 30, 40):
        assert stats.ks_2samp(ours[i], ref[i]).pvalue > 0.01, x[i]
    assert stats.ks_2samp(ours.mean(axis=0), ref.mean(axis=0)).pvalue > 0.01


def test_lif_spike_counts_match_lifrate_rates():
    """LIF spike counts over 1 s equal the LIFRate rate for the same constant current.

    Catches: a LIF step without the sub-step refractory correction (rates drift by ~10% at
    300 Hz), spikes not scaled by 1/dt, a wrong tau_rc/tau_ref use."""
    x_in = 0.6

    def model(m):
        stim = m.Node([x_in])
        a = m.Ensemble(200, 1, neuron_type=m.LIF())
        m.Connection(stim, a, synapse=None)
        return a, m.Probe(a.neurons)

    sim, (a, probe) = run(nefsim, model, 1.0, seed=8)
    built = sim.data[a]
    spikes = sim.data[probe]
    assert set(np.unique(spikes)) <= {0.0, 1.0 / DT}
    counts = spikes.sum(axis=0) * DT
    proj = x_in * built.encoders[:, 0]  # radius 1
    expected = nefsim.LIFRate().rates(proj[None, :], built.gain, built.bias)[0]
    assert np.all(np.abs(counts - expected) <= 1.0 + 1e-9)
    assert expected.max() > 100  # the comparison is not vacuous


# ------------------------------------------------------------------ built data


def test_built_ensemble_fields_shapes_and_meanings():
    """sim.data[ens] has Nengo's fields and shapes; scaled_encoders = e*gain/radius;
    eval points lie in the radius-scaled ball.  Catches a missing radius scaling of the
    eval points or of the scaled encoders."""
    n, d, radius = 40, 3, 2.5

    def model(m):
        return m.Ensemble(n, d, radius=radius)

    built = {}
    for mod, seed in ((nefsim, 1), (nengo, 1)):
        with mod.Network(seed=seed) as net:
            ens = model(mod)
        with mod.Simulator(net, progress_bar=False) as sim:
            built[mod] = sim.data[ens]
    ours, ref = built[nefsim], built[nengo]
    for field in ("eval_points", "encoders", "intercepts", "max_rates", "scaled_encoders",
                  "gain", "bias"):
        assert np.shape(getattr(ours, field)) == np.shape(getattr(ref, field)), field
    assert ours.eval_points.shape == (1500, 3)
    norms = np.linalg.norm(ours.eval_points, axis=1)
    assert norms.max() <= radius + 1e-12 and norms.max() > 0.95 * radius
    np.testing.assert_allclose(
        ours.scaled_encoders, ours.encoders * (ours.gain / radius)[:, None], rtol=1e-14)
    # LIF gain/bias from max_rates and intercepts (J = 1 at the intercept, J_max at 1).
    j_max = 1.0 / (1.0 - np.exp((0.002 - 1.0 / ours.max_rates) / 0.02))
    np.testing.assert_allclose(ours.gain * ours.intercepts + ours.bias, 1.0, rtol=1e-10)
    np.testing.assert_allclose(ours.gain + ours.bias, j_max, rtol=1e-10)


def test_eval_point_count_heuristic_and_array_scaling():
    """n_eval_points = max(clip(500 d, 750, 2500), 2 n); given arrays are scaled by radius."""
    points = np.random.RandomState(0).uniform(-1, 1, size=(30, 2))

    def model(m):
        return [m.Ensemble(10, 1), m.Ensemble(10, 6), m.Ensemble(2000, 1),
                m.Ensemble(10, 2, radius=3.0, eval_points=points)]

    with nefsim.Network(seed=0) as net:
        ens = model(nefsim)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        shapes = [sim.data[e].eval_points.shape for e in ens]
        scaled = sim.data[ens[3]].eval_points
    assert shapes[:3] == [(750, 1), (2500, 6), (4000, 1)]
    np.testing.assert_allclose(scaled, 3.0 * points, rtol=1e-15)


def test_connection_weights_shapes_and_weight_solver():
    """sim.data[conn].weights is (size_out, n_pre) for decoders; with a weights=True
    solver it is (n_post, n_pre) = scaled_encoders_post[:, post_slice] @ T @ D.T.

    Catches: weights missing the post gain or radius, transposed weights, the transform
    applied on the wrong side."""
    T = np.array([[1.0, 0.5], [-0.3, 2.0], [0.0, 1.0]])

    def model(m):
        a = m.Ensemble(50, 2, label="a")
        b = m.Ensemble(40, 4, radius=1.7, label="b")
        node = m.Node(size_in=3)
        dec = m.Connection(a, node, function=lambda x: [x[0] * x[1], x[0]], transform=T)
        full = m.Connection(a, b[1:], function=lambda x: [x[0] * x[1], x[0]], transform=T,
                            solver=m.solvers.LstsqL2(weights=True))
        return a, b, dec, full

    built = {}
    for mod in (nefsim, nengo):
        with mod.Network(seed=2) as net:
            a, b, dec, full = model(mod)
        with mod.Simulator(net, progress_bar=False) as sim:
            built[mod] = (sim.data[b], sim.data[dec], sim.data[full])
    for mod in (nefsim, nengo):
        b_data, dec_data, full_data = built[mod]
        assert dec_data.weights.shape == (3, 50)
        assert full_data.weights.shape == (40, 50)
        # Same eval points and solver: the weight-mode decoders are the decoded ones.
        expected = b_data.scaled_encoders[:, 1:] @ dec_data.weights
        np.testing.assert_allclose(full_data.weights, expected, rtol=1e-8,
                                   atol=1e-10 * np.abs(expected).max())
    # nefsim's decoders do as well as Nengo's at computing the function (solver info).
    rmse_f = np.mean(built[nefsim][1].solver_info["rmses"])
    rmse_n = np.mean(built[nengo][1].solver_info["rmses"])
    assert rmse_f == pytest.approx(rmse_n, rel=0.3)


def test_neuron_connection_weights_are_the_transform():
    """For neuron->neuron connections sim.data[conn].weights is the transform itself."""
    W = np.random.RandomState(1).normal(size=(20, 10))
    with nefsim.Network(seed=0) as net:
        a = nefsim.Ensemble(10, 1)
        b = nefsim.Ensemble(20, 2)
        conn = nefsim.Connection(a.neurons, b.neurons, transform=W)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        np.testing.assert_array_equal(sim.data[conn].weights, W)


# ------------------------------------------------------------------ timing


def test_synapse_adds_exactly_one_step_of_delay():
    """u(t) = t through Lowpass(0.01) into a passthrough node: the node reads
    y[k] = a y[k-1] + (1-a) u[k-1]; synapse=None reads u[k].  Catches a missing or an
    extra one-step delay, or a forward-Euler instead of ZOH discretisation."""

    def model(m):
        u = m.Node(lambda t: t)
        filt = m.Node(size_in=1)
        raw = m.Node(size_in=1)
        m.Connection(u, filt, synapse=0.01)
        m.Connection(u, raw, synapse=None)
        return m.Probe(filt), m.Probe(raw), m.Probe(u, synapse=0.01)

    sim, (p_filt, p_raw, p_probe_filt) = run(nefsim, model, 0.05, seed=0)
    t = sim.trange()
    expected = lowpass_delayed(t, 0.01)
    np.testing.assert_allclose(sim.data[p_raw][:, 0], t, rtol=0, atol=1e-15)
    np.testing.assert_allclose(sim.data[p_filt][:, 0], expected, rtol=1e-12, atol=1e-15)
    assert sim.data[p_filt][1, 0] == pytest.approx((1 - np.exp(-0.1)) * 0.001, rel=1e-12)
    # A probe's synapse records what a consumer of the filtered signal would read.
    np.testing.assert_allclose(sim.data[p_probe_filt][:, 0], expected, rtol=1e-12,
                               atol=1e-15)
