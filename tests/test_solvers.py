"""Tests for nefsim.solvers and nefsim.lstsq: Nengo parity, weights, batching, bad inputs."""

import inspect
import sys

import numpy as np
import pytest

from nefsim import lstsq as L
from nefsim import solvers as S
from nefsim.exceptions import BuildError, ReadonlyError, ValidationError

SOLVER_NAMES = ["Lstsq", "LstsqL2", "LstsqL2nz", "LstsqNoise", "LstsqMultNoise", "LstsqL1",
                "LstsqDrop", "Nnls", "NnlsL2", "NnlsL2nz", "NoSolver"]
BACKEND_NAMES = ["Cholesky", "ConjgradScipy", "LSMRScipy", "Conjgrad", "BlockConjgrad",
                 "SVD", "RandomizedSVD"]


def lif_rates(J, tau_rc=0.02, tau_ref=0.002):
    """Steady-state LIF rates (Hz) for input currents ``J``."""
    out = np.zeros_like(J)
    on = J > 1
    out[on] = 1.0 / (tau_ref + tau_rc * np.log1p(1.0 / (J[on] - 1)))
    return out


def make_problem(m=400, n=60, d=2, seed=0):
    """Activities of a small LIF ensemble at ``m`` eval points, and two targets."""
    rng = np.random.RandomState(seed)
    enc = rng.randn(n, d)
    enc /= np.linalg.norm(enc, axis=1, keepdims=True)
    max_rates = rng.uniform(200, 400, n)
    intercepts = rng.uniform(-0.9, 0.9, n)
    j_max = 1.0 / (1.0 - np.exp((0.002 - 1.0 / max_rates) / 0.02))
    gain = (j_max - 1) / (1 - intercepts)
    bias = 1 - gain * intercepts
    X = rng.uniform(-1, 1, (m, d))
    A = lif_rates((X @ enc.T) * gain + bias)
    Y = np.column_stack([X[:, 0], X[:, 0] * X[:, 1], np.sin(X[:, 1])])
    return A, Y


A_MAIN, Y_MAIN = make_problem()
A_WIDE, Y_WIDE = make_problem(m=40, n=60, seed=1)  # fewer eval points than neurons


def assert_same(X, Xref, rtol=1e-8):
    """Equal up to ``rtol`` of the largest reference entry."""
    assert X.shape == Xref.shape
    np.testing.assert_allclose(X, Xref, rtol=0, atol=rtol * np.abs(Xref).max())


# -- Nengo parity --------------------------------------------------------------------

DETERMINISTIC = [
    ("Lstsq", {}), ("Lstsq", {"rcond": 0.2}), ("LstsqL2", {}), ("LstsqL2", {"reg": 0.01}),
    ("LstsqL2nz", {}), ("LstsqDrop", {}), ("LstsqDrop", {"drop": 0.33}), ("Nnls", {}),
    ("NnlsL2", {}), ("NnlsL2nz", {"reg": 0.05}),
]


@pytest.mark.nengo
@pytest.mark.parametrize("A, Y", [(A_MAIN, Y_MAIN), (A_WIDE, Y_WIDE)], ids=["tall", "wide"])
@pytest.mark.parametrize("name, kwargs", DETERMINISTIC)
def test_solver_matches_nengo(name, kwargs, A, Y):
    nengo = pytest.importorskip("nengo")
    X, info = getattr(S, name)(**kwargs)(A, Y)
    Xn, infon = getattr(nengo.solvers, name)(**kwargs)(A, Y)
    assert_same(X, Xn)
    np.testing.assert_allclose(info["rmses"], infon["rmses"], rtol=1e-10)
    assert set(info) == set(infon)
    # 1-D targets give 1-D decoders, as in Nengo
    X1, _ = getattr(S, name)(**kwargs)(A, Y[:, 1])
    assert_same(X1, np.reshape(getattr(nengo.solvers, name)(**kwargs)(A, Y[:, 1])[0], -1))


VECTOR_SIGMA_BACKENDS = ["Cholesky", "ConjgradScipy", "Conjgrad", "BlockConjgrad"]


@pytest.mark.nengo
@pytest.mark.parametrize("backend, nonzero", [(b, False) for b in BACKEND_NAMES]
                         + [(b, True) for b in VECTOR_SIGMA_BACKENDS])
@pytest.mark.parametrize("A, Y", [(A_MAIN, Y_MAIN), (A_WIDE, Y_WIDE)], ids=["tall", "wide"])
def test_backends_match_nengo(backend, nonzero, A, Y):
    nengo = pytest.importorskip("nengo")
    if backend == "RandomizedSVD":
        pytest.importorskip("sklearn")
    cls = S.LstsqL2nz if nonzero else S.LstsqL2
    ncls = nengo.solvers.LstsqL2nz if nonzero else nengo.solvers.LstsqL2
    mine = cls(solver=getattr(L, backend)())
    theirs = ncls(solver=getattr(nengo.utils.least_squares_solvers, backend)())
    X, info = mine(A, Y, rng=np.random.RandomState(5))
    Xn, infon = theirs(A, Y, rng=np.random.RandomState(5))
    assert_same(X, Xn)
    np.testing.assert_allclose(info["rmses"], infon["rmses"], rtol=1e-10)
    if "iterations" in infon:
        np.testing.assert_array_equal(info["iterations"], infon["iterations"])


@pytest.mark.nengo
@pytest.mark.parametrize("backend, kwargs", [
    (backend, kwargs) for backend in ["Conjgrad", "BlockConjgrad"]
    for kwargs in [{"tol": 1e-5}, {"tol": 1e-12}, {"tol": 1e-30}, {"maxiters": 4},
                   {"X0": "guess"}]
    if not (backend == "BlockConjgrad" and "maxiters" in kwargs)])
def test_conjgrad_options_match_nengo(backend, kwargs):
    nengo = pytest.importorskip("nengo")
    A, Y = A_MAIN, Y_MAIN
    if kwargs.get("X0") == "guess":
        kwargs = {"X0": np.full((A.shape[1], Y.shape[1]), 1e-4)}
    sigma = 0.1 * A.max()
    X, info = getattr(L, backend)(**kwargs)(A, Y, sigma)
    Xn, infon = getattr(nengo.utils.least_squares_solvers, backend)(**kwargs)(A, Y, sigma)
    assert_same(X, Xn)
    np.testing.assert_array_equal(info["iterations"], infon["iterations"])


@pytest.mark.nengo
@pytest.mark.parametrize("name", ["LstsqNoise", "LstsqMultNoise"])
def test_noise_solvers_match_nengo_with_same_seed(name):
    nengo = pytest.importorskip("nengo")
    rng, rngn = np.random.RandomState(9), np.random.RandomState(9)
    X, info = getattr(S, name)(noise=0.05)(A_MAIN, Y_MAIN, rng=rng)
    Xn, infon = getattr(nengo.solvers, name)(noise=0.05)(A_MAIN, Y_MAIN, rng=rngn)
    assert_same(X, Xn)
    np.testing.assert_allclose(info["rmses"], infon["rmses"], rtol=1e-10)
    assert rng.rand() == rngn.rand()  # the same numbers were drawn
    assert np.all(info["rmses"] != S.LstsqNoise(noise=0.05)(
        A_MAIN, Y_MAIN, rng=np.random.RandomState(10))[1]["rmses"])


@pytest.mark.nengo
@pytest.mark.filterwarnings("ignore:Objective did not converge")
@pytest.mark.parametrize("kwargs", [{}, {"l1": 1e-3, "l2": 0.0}])
def test_lstsql1_matches_nengo(kwargs):
    nengo = pytest.importorskip("nengo")
    pytest.importorskip("sklearn")
    X, info = S.LstsqL1(**kwargs)(A_MAIN, Y_MAIN)
    Xn, infon = nengo.solvers.LstsqL1(**kwargs)(A_MAIN, Y_MAIN)
    assert_same(X, Xn)
    np.testing.assert_allclose(info["rmses"], infon["rmses"], rtol=1e-10)


@pytest.mark.nengo
def test_randomized_svd_truncated_matches_nengo():
    nengo = pytest.importorskip("nengo")
    pytest.importorskip("sklearn")
    kwargs = {"n_components": 12, "n_iter": 2}
    sigma = 0.1 * A_MAIN.max()
    X, _ = L.RandomizedSVD(**kwargs)(A_MAIN, Y_MAIN, sigma, rng=np.random.RandomState(2))
    Xn, _ = nengo.utils.least_squares_solvers.RandomizedSVD(**kwargs)(
        A_MAIN, Y_MAIN, sigma, rng=np.random.RandomState(2))
    assert_same(X, Xn)


@pytest.mark.nengo
@pytest.mark.parametrize("name", ["LstsqL2nz", "NnlsL2nz"])
def test_nonzero_regulariser_counts_every_nonzero_activity(name):
    """Per-neuron sigma uses the fraction of eval points with a_j != 0 (signs included)."""
    nengo = pytest.importorskip("nengo")
    A = A_MAIN - 0.5  # small and negative activities
    A[:, :5] = 0.0  # and silent neurons
    X, _ = getattr(S, name)()(A, Y_MAIN)
    assert_same(X, getattr(nengo.solvers, name)()(A, Y_MAIN)[0])


@pytest.mark.nengo
def test_api_matches_nengo():
    nengo = pytest.importorskip("nengo")

    def params(cls):
        return [(p.name, repr(p.default))
                for p in inspect.signature(cls.__init__).parameters.values()]

    for name in SOLVER_NAMES:
        assert params(getattr(S, name)) == params(getattr(nengo.solvers, name)), name
        assert getattr(S, name).compositional == getattr(nengo.solvers, name).compositional
    for name in BACKEND_NAMES:
        theirs = getattr(nengo.utils.least_squares_solvers, name)
        assert params(getattr(L, name)) == params(theirs), name
    for mine, theirs in [(S.LstsqDrop(drop=0.3), nengo.solvers.LstsqDrop(drop=0.3)),
                         (S.LstsqL2(weights=True, solver=L.SVD()),
                          nengo.solvers.LstsqL2(weights=True,
                                                solver=nengo.utils.least_squares_solvers.SVD()))]:
        assert repr(mine) == repr(theirs)


@pytest.mark.nengo
def test_nengo_backend_object_accepted():
    nengo = pytest.importorskip("nengo")
    solver = S.LstsqL2(solver=nengo.utils.least_squares_solvers.Cholesky())
    assert_same(solver(A_MAIN, Y_MAIN)[0], S.LstsqL2()(A_MAIN, Y_MAIN)[0], rtol=1e-14)


def test_l2_is_ridge_regression():
    """Analytic check, independent of Nengo: (A^T A + m sigma^2 I) X = A^T Y."""
    A, Y = A_MAIN, Y_MAIN
    m, n = A.shape
    sigma = 0.1 * A.max()
    X, info = S.LstsqL2()(A, Y)
    assert_same(X, np.linalg.solve(A.T @ A + m * sigma ** 2 * np.eye(n), A.T @ Y), 1e-12)
    np.testing.assert_allclose(info["rmses"], np.sqrt(np.mean((A @ X - Y) ** 2, axis=0)))
    assert info["rmses"].max() < 0.1  # the targets are decodable from 60 LIF neurons
    assert info["time"] >= 0


def test_nonnegative_solvers_give_nonnegative_decoders():
    for solver in [S.Nnls(), S.NnlsL2(), S.NnlsL2nz()]:
        X, _ = solver(A_MAIN, Y_MAIN)
        assert X.min() >= 0 and X.max() > 0


def test_lstsqdrop_drops_the_requested_fraction():
    X, info = S.LstsqDrop(drop=0.4)(A_MAIN, Y_MAIN)
    assert np.sum(X == 0) == round(0.4 * X.size)
    assert len(info["info1s"]) == Y_MAIN.shape[1]


def test_missing_sklearn_gives_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.linear_model", None)
    monkeypatch.setitem(sys.modules, "sklearn.utils.extmath", None)
    for call in [lambda: S.LstsqL1()(A_MAIN, Y_MAIN),
                 lambda: S.LstsqL2(solver=L.RandomizedSVD())(A_MAIN, Y_MAIN)]:
        with pytest.raises(ImportError, match="scikit-learn") as err:
            call()
        assert isinstance(err.value, L.MissingDependencyError)


# -- weights (E) -----------------------------------------------------------------------

@pytest.mark.nengo
@pytest.mark.parametrize("name", ["LstsqL2", "Nnls", "LstsqDrop"])
def test_weight_solve_matches_nengo_builder(name):
    """``solver(A, Y, E=E).T`` equals the weights Nengo builds for weights=True."""
    nengo = pytest.importorskip("nengo")
    T = np.array([[1.0, 0.5], [0.0, -1.0], [0.3, 0.2]])
    with nengo.Network(seed=3) as net:
        a = nengo.Ensemble(50, 2, radius=1.5)
        b = nengo.Ensemble(40, 3, radius=2.0)
        conn = nengo.Connection(a, b, function=lambda x: [x[0] * x[1], x[1]], transform=T,
                                solver=getattr(nengo.solvers, name)(weights=True))
    with nengo.Simulator(net, progress_bar=False) as sim:
        pass
    X = sim.data[conn].eval_points
    A = lif_rates(sim.data[a].gain * (X @ sim.data[a].encoders.T / a.radius)
                  + sim.data[a].bias)
    Y = np.column_stack([X[:, 0] * X[:, 1], X[:, 1]])
    E = T.T @ sim.data[b].scaled_encoders.T
    W, _ = getattr(S, name)(weights=True)(A, Y, E=E)
    assert_same(W.T, sim.data[conn].weights)


def test_weights_semantics():
    rng = np.random.RandomState(0)
    E = rng.randn(3, 7)
    W, info = S.LstsqL2()(A_MAIN, Y_MAIN, E=E)  # compositional: decoders times E
    assert_same(W, S.LstsqL2()(A_MAIN, Y_MAIN)[0] @ E, 1e-14)
    assert info["rmses"].shape == (3,)
    W, _ = S.Nnls()(A_MAIN, Y_MAIN, E=E)  # not compositional: solve for Y @ E
    assert_same(W, S.Nnls()(A_MAIN, Y_MAIN @ E)[0], 1e-14)
    W, _ = S.LstsqL2()(A_MAIN, Y_MAIN[:, 0], E=E[:1])  # 1-D targets with E
    assert W.shape == (A_MAIN.shape[1], 7)


def test_nosolver():
    values = np.random.RandomState(1).randn(60, 3)
    X, info = S.NoSolver(values)(A_MAIN, Y_MAIN)
    np.testing.assert_array_equal(X, values)
    assert X is not S.NoSolver(values).values
    X, _ = S.NoSolver()(A_MAIN, Y_MAIN)
    np.testing.assert_array_equal(X, np.zeros((60, 3)))
    E = np.ones((3, 4))
    W, _ = S.NoSolver(values, weights=True)(A_MAIN, Y_MAIN, E=E)
    assert_same(W, values @ E, 1e-15)
    X, info = S.NoSolver(values)(None, None)  # no activities needed
    assert info == {}
    with pytest.raises(ValidationError, match=r"NoSolver\.values.*\(60, 2\)"):
        S.NoSolver(values)(A_MAIN, Y_MAIN[:, :2])
    with pytest.raises(ValidationError, match=r"NoSolver\.values.*2-D"):
        S.NoSolver(np.ones(3))


def test_frozen_value_semantics():
    assert S.LstsqL2() == S.LstsqL2() and hash(S.LstsqL2()) == hash(S.LstsqL2())
    assert S.LstsqL2(reg=0.2) != S.LstsqL2()
    assert S.LstsqL2(solver=L.SVD()) != S.LstsqL2()
    assert S.LstsqL2().weights is False and S.LstsqL2(weights=True).weights is True
    with pytest.raises(ReadonlyError, match="reg"):
        S.LstsqL2().reg = 0.3
    assert S.LstsqNoise().uses_rng and not S.LstsqL2().uses_rng
    assert S.LstsqL2(solver=L.RandomizedSVD()).uses_rng


# -- batched solving -------------------------------------------------------------------

class CountingCholesky(L.Cholesky):
    calls = []

    def __call__(self, A, Y, sigma, rng=None):
        CountingCholesky.calls.append(np.shape(Y))
        return super().__call__(A, Y, sigma, rng=rng)


@pytest.mark.parametrize("solver", [
    S.LstsqL2(), S.LstsqL2nz(), S.Lstsq(), S.LstsqL2(solver=L.SVD()),
    S.LstsqL2(solver=L.LSMRScipy()), S.LstsqL2(solver=L.Cholesky(transpose=True)),
    S.LstsqL2(solver=L.Conjgrad()), S.Nnls(), S.LstsqNoise(),
], ids=repr)
def test_solve_many_equals_separate_solves(solver):
    rng = np.random.RandomState(3)
    Ys = [Y_MAIN[:, :2], Y_MAIN[:, 2], Y_MAIN[:, [1]] ** 2, Y_MAIN[:, 0]]
    Es = [None, None, rng.randn(1, 5), rng.randn(1, 4)]
    results = S.solve_many(solver, A_MAIN, Ys, rng=np.random.RandomState(4), Es=Es)
    sequential_rng = np.random.RandomState(4)
    for (X, info), Y, E in zip(results, Ys, Es):
        kwargs = {} if E is None else {"E": E}
        Xs, infos = solver(A_MAIN, Y, rng=sequential_rng, **kwargs)
        assert_same(X, Xs, 1e-10)
        np.testing.assert_allclose(info["rmses"], infos["rmses"], rtol=1e-10)
        assert set(info) == set(infos)
        for key in ("rmses", "residuals", "iterations"):
            assert np.shape(info.get(key)) == np.shape(infos.get(key))


def test_solve_many_factors_once():
    CountingCholesky.calls.clear()
    solver = S.LstsqL2(solver=CountingCholesky())
    S.solve_many(solver, A_MAIN, [Y_MAIN[:, :1], Y_MAIN[:, 1:], Y_MAIN[:, 0]])
    assert CountingCholesky.calls == [(A_MAIN.shape[0], 4)]


# -- bad inputs --------------------------------------------------------------------------

@pytest.mark.parametrize("make, match", [
    (lambda: S.LstsqL2(reg=-0.1), r"LstsqL2\.reg: must be a number >= 0"),
    (lambda: S.NnlsL2(reg="big"), r"NnlsL2\.reg: must be a number"),
    (lambda: S.Lstsq(rcond=-1), r"Lstsq\.rcond"),
    (lambda: S.LstsqNoise(noise=-1), r"LstsqNoise\.noise"),
    (lambda: S.LstsqDrop(drop=1.5), r"LstsqDrop\.drop: .*<= 1"),
    (lambda: S.LstsqDrop(solver1=L.Cholesky()), r"LstsqDrop\.solver1: must be a Solver"),
    (lambda: S.LstsqL1(l1=0, l2=0), r"LstsqL1\.l1: .*Lstsq\(\)"),
    (lambda: S.LstsqL1(max_iter=0), r"LstsqL1\.max_iter"),
    (lambda: S.LstsqL2(solver="cholesky"), r"LstsqL2\.solver: must be a least-squares"),
    (lambda: S.LstsqL2(solver=S.LstsqL2()), r"LstsqL2\.solver"),
    (lambda: S.LstsqL2(weights=1.0), r"LstsqL2\.weights: must be True or False"),
    (lambda: L.Cholesky(transpose=1), r"Cholesky\.transpose"),
    (lambda: L.Conjgrad(maxiters=0), r"Conjgrad\.maxiters"),
    (lambda: L.Conjgrad(X0=np.ones(3)), r"Conjgrad\.X0: must be a 2-D"),
    (lambda: L.RandomizedSVD(n_components=0), r"RandomizedSVD\.n_components"),
])
def test_bad_parameters(make, match):
    with pytest.raises(ValidationError, match=match):
        make()


def test_bad_call_inputs():
    A, Y = A_MAIN, Y_MAIN
    with pytest.raises(ValidationError, match=r"LstsqL2\.Y: .*399 rows.*400"):
        S.LstsqL2()(A, Y[:-1])
    with pytest.raises(ValidationError, match=r"Nnls\.A: .*2-D"):
        S.Nnls()(A[0], Y)
    A_nan = A.copy()
    A_nan[3, 4] = np.nan
    with pytest.raises(ValidationError, match=r"LstsqL2\.A: the activities contain NaN"):
        S.LstsqL2()(A_nan, Y)
    with pytest.raises(ValidationError, match=r"Lstsq\.Y: .*NaN"):
        S.Lstsq()(A, np.full_like(Y, np.nan))
    with pytest.raises(ValidationError, match=r"LstsqL2\.E: .*3 rows"):
        S.LstsqL2()(A, Y, E=np.ones((2, 5)))
    with pytest.raises(ValidationError, match=r"LstsqL2\.A: .*at least one eval point"):
        S.LstsqL2()(A[:0], Y[:0])
    with pytest.raises(BuildError, match=r"LstsqL2: the activities are all zero.*intercepts"):
        S.LstsqL2()(np.zeros_like(A), Y)
    with pytest.raises(ValidationError, match=r"Conjgrad\.X0: must have shape \(60, 3\)"):
        S.LstsqL2(solver=L.Conjgrad(X0=np.zeros((60, 2))))(A, Y)
    with pytest.raises(ValidationError, match=r"SVD\.sigma: must be a scalar"):
        S.LstsqL2nz(solver=L.SVD())(A, Y)
    with pytest.raises(ValidationError, match=r"Cholesky\.transpose: .*scalar sigma"):
        S.LstsqL2nz(solver=L.Cholesky(transpose=True))(A, Y)
    duplicate = np.column_stack([A[:, :5], A[:, :5]])
    with pytest.raises(BuildError, match=r"Cholesky: the least-squares system is singular"):
        S.LstsqNoise(noise=0)(duplicate, Y)
    with pytest.raises(ValidationError, match=r"LstsqL2\.Es"):
        S.solve_many(S.LstsqL2(), A, [Y, Y], Es=[None])


def test_no_target_columns():
    X, info = S.LstsqL2()(A_MAIN, Y_MAIN[:, :0])
    assert X.shape == (A_MAIN.shape[1], 0) and info["rmses"].shape == (0,)
