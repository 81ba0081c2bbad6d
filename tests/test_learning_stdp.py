"""Learning rules Nengo 4 lacks: pair STDP, triplet STDP and Nengo 1.4's error rule.

The spike-timing tests drive single pre and post LIF neurons (gain 1, bias 0) with one
step of a large current exactly when each should spike, so every spike time is set by
the test (and checked).  Learning rates are small enough that the learned weights never
change those spike times.  Then:

* pair STDP's weight change per pairing equals the analytic window
  ``a_plus exp(-lag/tau_plus)`` / ``-a_minus exp(lag/tau_minus)``;
* the triplet rule's total change equals an independent event-by-event evaluation of
  Pfister and Gerstner's (2006) equations on the same spike times, and reproduces their
  qualitative result: post-pre pairings depress at low frequency and potentiate at high
  frequency;
* decay, homeostasis, weight bounds and error modulation follow their formulas;
* :class:`PES14` matches its update equations replayed from probed inputs, and learns a
  channel.
"""

import numpy as np
import pytest

import nefsim
from nefsim.exceptions import BuildError, ValidationError
from nefsim.learning_rules import PES14, STDP, TripletSTDP
from nefsim.neurons import LIF, LIFRate

DT = 0.001
# The triplet parameters that Nengo 1.4's STDP code took from Pfister and Gerstner
# (2006) (shared/reference/nef14.md §11); times in ms
PG2006 = dict(a2Minus=6.6e-3, a3Minus=3.1e-3, tauMinus=33.7, tauX=101.0, a2Plus=8.8e-11,
              a3Plus=5.3e-2, tauPlus=16.8, tauY=125.0)


def _driver(steps, n_steps):
    """A Node putting a large current into neuron i at the steps in ``steps[i]``."""
    drive = np.zeros((n_steps, len(steps)))
    for i, s in enumerate(steps):
        drive[np.asarray(s, dtype=int), i] = 1e4

    def current(t):
        k = int(round(t / DT)) - 1
        return drive[k] if k < n_steps else np.zeros(len(steps))
    return nefsim.Node(current)


def run_pairs(pre_steps, post_steps, rule, n_steps, probe_rule=(), extra=None):
    """Pre neuron i spikes at ``pre_steps[i]``, post neuron i at ``post_steps[i]``; the
    connection pre.neurons -> post.neurons (zero weights) learns with ``rule``."""
    n_pre, n_post = len(pre_steps), len(post_steps)
    lif = LIF(tau_ref=0.002)
    with nefsim.Network(seed=0) as net:
        pre = nefsim.Ensemble(n_pre, 1, neuron_type=lif, gain=np.ones(n_pre),
                              bias=np.zeros(n_pre))
        post = nefsim.Ensemble(n_post, 1, neuron_type=lif, gain=np.ones(n_post),
                               bias=np.zeros(n_post))
        nefsim.Connection(_driver(pre_steps, n_steps), pre.neurons, synapse=None)
        nefsim.Connection(_driver(post_steps, n_steps), post.neurons, synapse=None)
        conn = nefsim.Connection(pre.neurons, post.neurons, transform=np.zeros((n_post, n_pre)),
                                 learning_rule_type=rule)
        if extra is not None:
            extra(conn)
        probes = {"weights": nefsim.Probe(conn, "weights"),
                  "pre": nefsim.Probe(pre.neurons), "post": nefsim.Probe(post.neurons)}
        for attr in probe_rule:
            probes[attr] = nefsim.Probe(conn.learning_rule, attr)
    with nefsim.Simulator(net, progress_bar=False, dt=DT) as sim:
        sim.run(n_steps * DT)
    data = {k: sim.data[p] for k, p in probes.items()}
    for key, steps in (("pre", pre_steps), ("post", post_steps)):  # the protocol held
        for i, s in enumerate(steps):
            assert np.array_equal(np.flatnonzero(data[key][:, i]), np.sort(s)), (key, i)
    data["sim"] = sim
    data["post_ens"] = post
    return data


# ------------------------------------------------------------------------ pair STDP
LAGS = [-60, -20, -7, -2, -1, 1, 2, 7, 20, 60]  # post spike time - pre spike time, steps


def pair_window(rule, lag_s):
    if lag_s > 0:
        return rule.learning_rate * rule.a_plus * np.exp(-lag_s / rule.tau_plus)
    return -rule.learning_rate * rule.a_minus * np.exp(lag_s / rule.tau_minus)


def test_pair_stdp_window_matches_the_exponentials():
    rule = STDP(learning_rate=1e-2, tau_plus=0.0168, tau_minus=0.0337)
    data = run_pairs([[100]] * len(LAGS), [[100 + lag] for lag in LAGS], rule, 200,
                     probe_rule=("pre_trace", "post_trace", "delta"))
    change = np.diag(data["weights"][-1])
    expected = [pair_window(rule, lag * DT) for lag in LAGS]
    np.testing.assert_allclose(change, expected, rtol=1e-12, atol=0)
    assert np.all(change[np.array(LAGS) > 0] > 0) and np.all(change[np.array(LAGS) < 0] < 0)
    # traces: 1 at the spike, then exp(-t/tau)
    k = np.arange(101, 200)
    np.testing.assert_allclose(data["pre_trace"][k, 0],
                               np.exp(-(k - 100) * DT / rule.tau_plus), rtol=1e-12)
    assert data["delta"].shape == (200, len(LAGS), len(LAGS))


def test_pair_stdp_all_pairs_add_and_same_step_spikes_do_not_interact():
    rule = STDP(learning_rate=1e-2)
    pre, post = [30, 50, 90], [50, 60]
    data = run_pairs([pre], [post], rule, 150)
    expected = sum(pair_window(rule, (b - a) * DT) for a in pre for b in post if a != b)
    np.testing.assert_allclose(data["weights"][-1, 0, 0], expected, rtol=1e-12)


def test_pair_stdp_weight_bounds():
    pre = np.arange(20, 400, 20)
    up = STDP(a_plus=2e-4, a_minus=0, max_weight=1e-3)
    w = run_pairs([pre], [pre + 3], up, 420)["weights"][:, 0, 0]
    assert w.max() == 1e-3 and w[-1] == 1e-3  # potentiation stops at the bound
    assert np.all(np.diff(w) >= 0)
    down = STDP(a_plus=0, a_minus=2e-4, min_weight=-5e-4)
    w = run_pairs([pre + 3], [pre], down, 420)["weights"][:, 0, 0]
    assert w.min() == -5e-4 and w[-1] == -5e-4 and np.all(np.diff(w) <= 0)


def test_stdp_learns_on_a_weight_solver_connection():
    with nefsim.Network(seed=1) as net:
        stim = nefsim.Node(lambda t: np.sin(2 * np.pi * t))
        a, b = nefsim.Ensemble(20, 1), nefsim.Ensemble(10, 1)
        nefsim.Connection(stim, a)
        conn = nefsim.Connection(a, b, solver=nefsim.solvers.LstsqL2(weights=True),
                                 learning_rule_type=STDP(learning_rate=1e-3))
        weights = nefsim.Probe(conn, "weights")
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(0.3)
    w = sim.data[weights]
    assert w.shape == (300, 10, 20) and np.abs(w[-1] - w[0]).max() > 1e-6


# --------------------------------------------------------------------- triplet STDP
def triplet_reference(pre_times, post_times, rule):
    """Pfister and Gerstner's equations, evaluated spike by spike in continuous time
    (all-to-all interactions; a spike sees the traces of strictly earlier spikes)."""
    tau = {k: getattr(rule, k) * 1e-3 for k in ("tauPlus", "tauMinus", "tauX", "tauY")}

    def trace(times, t, tau_k):
        earlier = np.asarray([s for s in times if s < t])
        return np.exp(-(t - earlier) / tau_k).sum()
    change = 0.0
    for t in post_times:
        r1, o2 = trace(pre_times, t, tau["tauPlus"]), trace(post_times, t, tau["tauY"])
        change += r1 * (rule.a2Plus + rule.a3Plus * o2)
    for t in pre_times:
        o1, r2 = trace(post_times, t, tau["tauMinus"]), trace(pre_times, t, tau["tauX"])
        change -= o1 * (rule.a2Minus + rule.a3Minus * r2)
    return rule.learning_rate * change


FREQUENCIES = [1, 10, 20, 40, 50]  # Hz; pairings every 1000/f steps


def pairing_protocol(lag, n_pairings=8, start=20):
    pre, post = [], []
    for f in FREQUENCIES:
        times = start + (1000 // f) * np.arange(n_pairings)
        pre.append(times + max(0, -lag))
        post.append(times + max(0, lag))
    return pre, post


def test_triplet_rule_depression_turns_into_potentiation_with_frequency():
    rule = TripletSTDP(learning_rate=1e-3, **PG2006)
    pre_a, post_a = pairing_protocol(lag=-10)  # post 10 ms before pre
    pre_b, post_b = pairing_protocol(lag=+10)  # pre 10 ms before post
    n_steps = max(np.max(s) for s in pre_a + post_a + pre_b + post_b) + 5
    data = run_pairs(pre_a + pre_b, post_a + post_b, rule, n_steps,
                     probe_rule=("r1", "r2", "o1", "o2"))
    change = np.diag(data["weights"][-1])
    expected = [triplet_reference(np.asarray(p) * DT, np.asarray(q) * DT, rule)
                for p, q in zip(pre_a + pre_b, post_a + post_b)]
    np.testing.assert_allclose(change, expected, rtol=1e-10, atol=1e-18)

    n = len(FREQUENCIES)
    post_pre, pre_post = change[:n], change[n:]
    # Pfister and Gerstner (2006), Fig. 6 (data of Sjostrom et al. 2001): post-pre
    # pairings depress at 1-20 Hz and potentiate at 40-50 Hz (measured per pairing:
    # -4.9e-6, -6.1e-6, -2.6e-6, +4.0e-5, +7.3e-5); pre-post pairings do next to nothing
    # at 1 Hz and potentiate more and more with frequency
    assert np.array_equal(np.sign(post_pre), [-1, -1, -1, 1, 1])
    assert post_pre[-1] > 10 * abs(post_pre[0])
    assert np.all(np.diff(pre_post) > 0) and pre_post[0] < 1e-3 * pre_post[-1]
    # at 1 Hz post-pre is nearly the pair term alone (triplets add 2e-5 of it)
    np.testing.assert_allclose(
        post_pre[0], -8 * 1e-3 * rule.a2Minus * np.exp(-10 / rule.tauMinus), rtol=1e-4)
    # trace time constants are in ms: r2 (tauX) decays over 1 s of the 1 Hz protocol
    r2 = data["r2"][:, 0]
    s = pre_a[0][0]
    np.testing.assert_allclose(r2[s + 500], np.exp(-500 / rule.tauX), rtol=1e-12)


def test_triplet_without_triplet_terms_is_pair_stdp():
    pre = [[20, 45, 70, 130]]
    post = [[30, 40, 90, 131]]
    triplet = TripletSTDP(a3Plus=0, a3Minus=0, tauPlus=16.8, tauMinus=33.7, learning_rate=0.5)
    pair = STDP(learning_rate=0.5, a_plus=5e-3, a_minus=5e-3, tau_plus=0.0168,
                tau_minus=0.0337)
    w_triplet = run_pairs(pre, post, triplet, 160)["weights"]
    w_pair = run_pairs(pre, post, pair, 160)["weights"]
    np.testing.assert_allclose(w_triplet, w_pair, rtol=1e-13, atol=1e-18)


def test_triplet_decay_and_homeostasis_formulas():
    W0 = np.array([[0.2, -0.1, 0.05], [0.0, 0.0, 0.0], [0.01, 0.02, -0.03]])

    def weights(rule, n_steps=30):
        with nefsim.Network(seed=0) as net:
            a = nefsim.Ensemble(3, 1, gain=np.ones(3), bias=np.zeros(3))  # silent
            b = nefsim.Ensemble(3, 1, gain=np.ones(3), bias=np.zeros(3))
            conn = nefsim.Connection(a.neurons, b.neurons, transform=W0,
                                     learning_rule_type=rule)
            probe = nefsim.Probe(conn, "weights")
        with nefsim.Simulator(net, progress_bar=False) as sim:
            sim.run(n_steps * DT)
        return sim.data[probe]

    k = np.arange(30)[:, None, None]
    np.testing.assert_allclose(weights(TripletSTDP(decay=0.01, learning_rate=0.5)),
                               W0 * (1 - 0.005) ** k, rtol=1e-12)
    # homeostasis moves each row's L1 norm a fraction learning_rate of the way to v
    v, rate = 0.1, 0.25
    w = weights(TripletSTDP(homeostasis=v, learning_rate=rate))
    norms = np.abs(w).sum(axis=2)
    s0 = np.abs(W0).sum(axis=1)
    expected = v + (s0 - v) * (1 - rate) ** np.arange(30)[:, None]
    expected[:, 1] = 0  # a row of zeros stays zero
    np.testing.assert_allclose(norms, expected, rtol=1e-12, atol=1e-15)
    assert np.all(np.sign(w) == np.sign(W0))  # rows are rescaled, not reshaped


def test_modulated_triplet_scales_rows_by_the_projected_error():
    pre = [[20, 60]] * 2
    post = [[30, 70], [25, 50]]
    m = [0.5]  # the post ensemble is 1-D

    def connect_error(conn):
        nefsim.Connection(nefsim.Node(m), conn.learning_rule, synapse=None)

    rule = TripletSTDP(learning_rate=0.1, modulated=True, **PG2006)
    data = run_pairs(pre, post, rule, 100, extra=connect_error, probe_rule=("modulation",))
    plain = run_pairs(pre, post, TripletSTDP(learning_rate=0.1, **PG2006), 100)
    built = data["sim"].data[data["post_ens"]]
    factor = built.gain * (built.encoders @ m)
    np.testing.assert_allclose(data["weights"][-1], factor[:, None] * plain["weights"][-1],
                               rtol=1e-12)
    assert np.allclose(data["modulation"], m)


# ------------------------------------------------------------------- errors, params
def test_stdp_parameters_are_checked():
    with pytest.raises(ValidationError, match=r"STDP\.tau_plus: .*> 0"):
        STDP(tau_plus=0)
    with pytest.raises(ValidationError, match=r"STDP\.a_minus: .*>= 0"):
        STDP(a_minus=-1e-3)
    with pytest.raises(ValidationError, match=r"TripletSTDP\.min_weight: must not exceed"):
        TripletSTDP(min_weight=1.0, max_weight=0.5)
    with pytest.raises(ValidationError, match=r"TripletSTDP\.homeostasis: .*> 0"):
        TripletSTDP(homeostasis=0)
    with pytest.raises(ValidationError, match=r"TripletSTDP\.modulated: must be True"):
        TripletSTDP(modulated=1)
    with pytest.raises(ValidationError, match=r"PES14\.tau: .*> 0"):
        PES14(tau=-0.005)
    assert repr(TripletSTDP(tauX=101)) == "TripletSTDP(tauX=101.0)"
    assert STDP() == STDP() and STDP(a_plus=1e-3) != STDP()
    assert TripletSTDP(modulated=True).probeable[-1] == "modulation"


def test_stdp_needs_neurons_on_both_sides():
    with nefsim.Network():
        a, b = nefsim.Ensemble(5, 1, label="a"), nefsim.Ensemble(5, 1, label="b")
        with pytest.raises(ValidationError, match=r"'learned'\.learning_rule_type: .*neurons"):
            nefsim.Connection(a, b, label="learned", learning_rule_type=STDP())


def test_stdp_between_neurons_needs_a_weight_matrix():
    with nefsim.Network() as net:
        a, b = nefsim.Ensemble(5, 1, label="a"), nefsim.Ensemble(5, 1, label="b")
        nefsim.Connection(a.neurons, b.neurons, label="learned",
                          learning_rule_type=TripletSTDP())
    with pytest.raises(BuildError, match=r"'learned'.*2-D transform"):
        nefsim.Simulator(net, progress_bar=False)


def test_stdp_on_sliced_neurons_uses_the_slices():
    rule = STDP(learning_rate=1e-2)
    with nefsim.Network(seed=0) as net:
        a = nefsim.Ensemble(4, 1, gain=np.ones(4), bias=np.zeros(4))
        b = nefsim.Ensemble(3, 1, gain=np.ones(3), bias=np.zeros(3))
        nefsim.Connection(_driver([[], [], [40], []], 100), a.neurons, synapse=None)
        nefsim.Connection(_driver([[], [50], []], 100), b.neurons, synapse=None)
        conn = nefsim.Connection(a.neurons[2:], b.neurons[1:], transform=np.zeros((2, 2)),
                                 learning_rule_type=rule)
        weights = nefsim.Probe(conn, "weights")
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(0.1)
    expected = np.zeros((2, 2))
    expected[0, 0] = pair_window(rule, 0.010)  # a[2] -> b[1], 10 ms apart
    np.testing.assert_allclose(sim.data[weights][-1], expected, rtol=1e-12, atol=1e-20)


# ------------------------------------------------------------------ 1.4's PES rule
def pes14_model(neuron_type, oja, rate=1e-3, tau=0.005):
    with nefsim.Network(seed=3) as net:
        stim = nefsim.Node(lambda t: [np.sin(2 * np.pi * t), np.cos(2 * np.pi * t)])
        pre = nefsim.Ensemble(12, 2, neuron_type=neuron_type)
        post = nefsim.Ensemble(9, 2, radius=1.5)
        nefsim.Connection(stim, pre)
        W0 = np.random.RandomState(0).uniform(-1e-3, 1e-3, (9, 12))
        conn = nefsim.Connection(pre.neurons, post.neurons, transform=W0,
                                 learning_rule_type=PES14(rate, tau=tau, oja=oja))
        error = nefsim.Node(lambda t, x: [1.0, -0.5] - x, size_in=2)  # target - actual
        nefsim.Connection(post, error)
        nefsim.Connection(error, conn.learning_rule)
        probes = {k: nefsim.Probe(conn.learning_rule, k) for k in conn.learning_rule.probeable}
        probes["weights"] = nefsim.Probe(conn, "weights")
        probes["pre"] = nefsim.Probe(pre.neurons)
        probes["decoded"] = nefsim.Probe(post, synapse=None)
    return net, post, probes


@pytest.mark.parametrize("neuron_type, oja", [(LIF(), True), (LIFRate(), False)])
def test_pes14_matches_its_equations(neuron_type, oja):
    net, post, probes = pes14_model(neuron_type, oja, tau=0.02)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(0.3)
    data = {k: sim.data[p] for k, p in probes.items()}
    built = sim.data[post]
    alpha_e = built.gain[:, None] * built.encoders  # gain times unit encoder
    d = np.exp(-0.001 / 0.02)
    unit = 0.001 * DT  # a spike counts as 0.001; rates are put on the same scale
    e_bar, a_hat = np.zeros(2), np.zeros(12)
    for k in range(len(data["weights"])):
        e_bar = d * e_bar + (1 - d) * data["error"][k]
        a_hat = d * a_hat + (1 - d) * unit * data["pre"][k]
        delta = 1e-3 * np.outer(alpha_e @ e_bar, a_hat)
        if oja:
            y = data["post_decoded"][k]
            delta -= 1e-3 * (y @ y) * data["weights"][k]
        np.testing.assert_allclose(data["error_filtered"][k], e_bar, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(data["pre_filtered"][k], a_hat, rtol=1e-12, atol=1e-18)
        np.testing.assert_allclose(data["delta"][k], delta, rtol=1e-10, atol=1e-20)
    # the delta of step k is in the weights of step k + 1
    W = data["weights"]
    np.testing.assert_allclose(np.diff(W, axis=0), data["delta"][:-1], rtol=0,
                               atol=1e-14 * np.abs(W).max())
    assert np.abs(data["delta"]).max() > 0
    if oja:  # y is post's decoded value, unfiltered (the default decoders)
        np.testing.assert_allclose(data["post_decoded"], data["decoded"], atol=1e-12)


def test_pes14_learns_a_channel():
    """1.4's demo setting (rate 5e-4, error = target - actual, weights from zero)."""
    with nefsim.Network(seed=1) as net:
        stim = nefsim.Node(lambda t: 0.8 * np.sin(2 * np.pi * t))
        pre, post = nefsim.Ensemble(60, 1), nefsim.Ensemble(60, 1)
        nefsim.Connection(stim, pre)
        conn = nefsim.Connection(pre.neurons, post.neurons, transform=np.zeros((60, 60)),
                                 learning_rule_type=PES14(5e-4, oja=False))
        error = nefsim.Node(size_in=1)
        nefsim.Connection(pre, error, synapse=0.01)
        nefsim.Connection(post, error, transform=-1)
        nefsim.Connection(error, conn.learning_rule)
        probe = nefsim.Probe(error, synapse=0.01)
    with nefsim.Simulator(net, progress_bar=False) as sim:
        sim.run(3.0)
    t, e = sim.trange(), sim.data[probe][:, 0]
    first, last = (np.sqrt(np.mean(e[w] ** 2)) for w in (t <= 0.5, t > 2.5))
    assert last < 0.1 and first > 4 * last
