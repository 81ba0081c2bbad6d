"""Tests of the symbolic SPA layer: algebra, Semantic Pointers, vocabularies, parsing.

Binding is checked against an FFT reference, the O(d^2) circular-convolution sum and
(when importable) Nengo's legacy ``nengo.spa``; the rest against algebraic identities.
"""

import os
import warnings

import numpy as np
import pytest

from nefsim.exceptions import NefsimWarning, ValidationError
from nefsim.spa.algebras import HrrAlgebra
from nefsim.spa.exceptions import SpaKeyError, SpaParseError, SpaTypeError
from nefsim.spa.parse import PointerSymbol, sym
from nefsim.spa.pointer import AbsorbingElement, Identity, SemanticPointer, Zero
from nefsim.spa.vector_generation import (AxisAlignedVectors, OrthonormalVectors,
                                          UnitaryVectors, UnitLengthVectors)
from nefsim.spa.vocabulary import Vocabulary, VocabularyMap, pairs, similarity


def rand_sp(d, rng, vocab=None, name=None):
    v = rng.standard_normal(d)
    return SemanticPointer(v / np.linalg.norm(v), vocab=vocab, name=name)


def circconv_direct(a, b):
    d = len(a)
    return np.array([sum(a[j] * b[(i - j) % d] for j in range(d)) for i in range(d)])


# -- algebra -------------------------------------------------------------------------

@pytest.mark.parametrize("d", [1, 7, 16, 33])
def test_bind_equals_fft_reference_and_direct_sum(d):
    rng = np.random.RandomState(d)
    a, b = rng.randn(d), rng.randn(d)
    bound = (SemanticPointer(a) * SemanticPointer(b)).v
    reference = np.real(np.fft.ifft(np.fft.fft(a) * np.fft.fft(b)))
    assert np.allclose(bound, reference, atol=1e-12)
    assert np.allclose(bound, circconv_direct(a, b), atol=1e-12)


def test_algebra_works_on_batches():
    rng = np.random.RandomState(0)
    a, b = rng.randn(3, 2, 10), rng.randn(3, 2, 10)
    alg = HrrAlgebra()
    bound = alg.bind(a, b)
    assert bound.shape == (3, 2, 10)
    assert np.allclose(bound[1, 0], circconv_direct(a[1, 0], b[1, 0]))
    assert np.allclose(alg.invert(a)[2, 1], a[2, 1][-np.arange(10)])


def test_matches_legacy_nengo_spa():
    pytest.importorskip("nengo")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        legacy = pytest.importorskip("nengo.spa")
    rng = np.random.RandomState(3)
    a, b = rng.randn(12), rng.randn(12)
    theirs = legacy.SemanticPointer(a) * legacy.SemanticPointer(b)
    assert np.allclose((SemanticPointer(a) * SemanticPointer(b)).v, theirs.v, atol=1e-12)
    assert np.allclose((~SemanticPointer(a)).v, (~legacy.SemanticPointer(a)).v)
    unitary = legacy.SemanticPointer(a.copy())
    unitary.make_unitary()
    assert np.allclose(SemanticPointer(a).unitary().v, unitary.v, atol=1e-12)


def test_binding_commutes_and_associates():
    rng = np.random.RandomState(1)
    a, b, c = (rand_sp(64, rng) for _ in range(3))
    assert np.allclose((a * b).v, (b * a).v, atol=1e-12)
    assert np.allclose(((a * b) * c).v, (a * (b * c)).v, atol=1e-12)
    assert np.allclose((a * (b + c)).v, (a * b + a * c).v, atol=1e-12)


def test_unbinding_with_inverse_recovers_pointer():
    # in 64-D, (a * b) * ~b is a plus noise of about its size: similarity ~0.73 on average
    rng = np.random.RandomState(0)
    recovered, unrelated = [], []
    for _ in range(50):
        a, b, other = (rand_sp(64, rng) for _ in range(3))
        estimate = (a * b) * ~b
        recovered.append(estimate.compare(a))
        unrelated.append(abs(estimate.compare(other)))
    assert np.mean(recovered) > 0.7 and np.min(recovered) > 0.5
    assert np.max(unrelated) < 0.4  # recovery is specific, not generic


def test_unitary_pointers_unbind_exactly():
    rng = np.random.RandomState(2)
    a = rand_sp(64, rng)
    u = rand_sp(64, rng).unitary()
    assert np.allclose(np.abs(np.fft.fft(u.v)), 1.0, atol=1e-12)
    assert u.length() == pytest.approx(1.0, abs=1e-12)
    assert np.allclose(((a * u) * ~u).v, a.v, atol=1e-12)
    assert (a * u).length() == pytest.approx(a.length(), abs=1e-12)
    assert np.allclose((u * ~u).v, Identity(64).v, atol=1e-12)
    assert np.allclose(u.linv().v, (~u).v) and np.allclose(u.rinv().v, (~u).v)


def test_special_elements():
    rng = np.random.RandomState(4)
    x = rand_sp(32, rng)
    assert np.allclose((x * Identity(32)).v, x.v, atol=1e-12)
    assert np.allclose((Identity(32) * x).v, x.v, atol=1e-12)
    assert np.allclose((x * Zero(32)).v, 0) and np.allclose((x + Zero(32)).v, x.v)
    absorbing = AbsorbingElement(32)
    bound = x * absorbing
    assert abs(bound.compare(absorbing)) == pytest.approx(1.0, abs=1e-12)
    assert Identity(5).name == "Identity" and np.allclose(Identity(5).v, [1, 0, 0, 0, 0])


def test_binding_and_inversion_matrices():
    rng = np.random.RandomState(5)
    a, b = rng.randn(9), rng.randn(9)
    alg = HrrAlgebra()
    assert np.allclose(alg.get_binding_matrix(a) @ b, alg.bind(a, b), atol=1e-12)
    assert np.allclose(alg.get_inversion_matrix(9) @ a, alg.invert(a))
    assert np.allclose(alg.get_swapping_matrix(9), np.eye(9))
    assert HrrAlgebra() == HrrAlgebra() and hash(HrrAlgebra()) == hash(HrrAlgebra())


# -- SemanticPointer -----------------------------------------------------------------

def test_pointer_arithmetic_and_similarity():
    a = SemanticPointer([1.0, 2.0, 2.0], name="A")
    b = SemanticPointer([0.0, 3.0, 4.0], name="B")
    assert np.allclose((a + b).v, [1, 5, 6]) and np.allclose((a - b).v, [1, -1, -2])
    assert np.allclose((-a).v, [-1, -2, -2]) and np.allclose((2 * a).v, (a * 2).v)
    assert np.allclose((a / 2).v, [0.5, 1, 1])
    assert np.allclose((np.float64(3.0) * a).v, [3, 6, 6])  # NumPy scalars defer to us
    assert a.dot(b) == 14.0 and a @ b == 14.0 and a @ np.ones(3) == 5.0
    assert np.ones(3) @ a == 5.0
    assert a.length() == 3.0 and b.normalized().length() == pytest.approx(1.0)
    assert a.compare(b) == pytest.approx(14 / 15)
    assert a.distance(b) == pytest.approx(1 - 14 / 15)
    assert a.mse(b) == pytest.approx(np.mean((a.v - b.v) ** 2))
    assert Zero(3).compare(a) == 0.0 and Zero(3).normalized().length() == 0.0
    assert len(a) == 3 and a.dimensions == 3
    with pytest.raises(ValueError):
        a.v[0] = 5.0  # read-only


def test_pointer_names_track_expressions():
    a, b, c = (SemanticPointer(np.eye(4)[i], name=n) for i, n in enumerate("ABC"))
    assert (a * b + ~c).name == "A * B + ~C"
    assert (a * (b + c)).name == "A * (B + C)"
    assert (a - (b - c)).name == "A - (B - C)"
    assert (0.5 * (a + b)).normalized().name == "(0.5 * (A + B)).normalized()"
    assert (-a).unitary().name == "(-A).unitary()"
    assert (a + SemanticPointer(np.ones(4))).name is None  # unnamed operand


def test_pointer_copy_reinterpret_translate():
    v1 = Vocabulary(16, pointer_gen=np.random.RandomState(0))
    v2 = Vocabulary(16, pointer_gen=np.random.RandomState(1))
    v1.populate("A; B")
    a = v1["A"]
    assert a.copy().vocab is v1 and np.array_equal(a.copy().v, a.v)
    moved = a.reinterpret(v2)
    assert moved.vocab is v2 and np.array_equal(moved.v, a.v)
    v3 = Vocabulary(32, pointer_gen=np.random.RandomState(2))
    v3.populate("A; B")
    translated = a.translate(v3)
    assert translated.vocab is v3 and translated.dimensions == 32
    assert translated.compare(v3["A"]) > 0.9 and abs(translated.compare(v3["B"])) < 0.5


# -- Vocabulary ----------------------------------------------------------------------

def test_populate_and_parse_semantics():
    vocab = Vocabulary(64, pointer_gen=np.random.RandomState(7))
    vocab.populate("A; B; C=A*B; D.normalized(); E.unitary() ;; F = (A + B).normalized()")
    assert vocab.keys() == ("A", "B", "C", "D", "E", "F")
    assert vocab.vectors.shape == (6, 64) and len(vocab) == 6 and "C" in vocab
    a, b = vocab["A"], vocab["B"]
    assert np.allclose(vocab["C"].v, HrrAlgebra().bind(a.v, b.v))
    assert vocab["D"].length() == pytest.approx(1.0)
    assert np.allclose(np.abs(np.fft.fft(vocab["E"].v)), 1.0)
    assert np.allclose(vocab["F"].v, (a.v + b.v) / np.linalg.norm(a.v + b.v))
    parsed = vocab.parse("A*B + ~C")
    assert np.allclose(parsed.v, (a * b + ~vocab["C"]).v)
    assert parsed.vocab is vocab and parsed.name == "A * B + ~C"
    assert np.allclose(vocab.parse("0").v, 0) and np.allclose(vocab.parse("2").v,
                                                              2 * Identity(64).v)
    assert np.allclose(vocab.parse("A * Identity").v, a.v)
    assert np.allclose(vocab.parse("-0.5 * (A - B) / 2").v, -0.25 * (a.v - b.v))
    assert np.allclose(vocab.parse(sym.A * ~sym.B).v, (a * ~b).v)
    assert [p.name for p in vocab.parse_n("A", "B")] == ["A", "B"]
    assert np.allclose(vocab.dot(a), vocab.vectors @ a.v)
    with pytest.raises(ValueError):
        vocab.vectors[0, 0] = 1.0


def test_sym_builds_expressions():
    expr = sym.A * sym.B + ~sym.C
    assert isinstance(expr, PointerSymbol) and expr.expr == "A * B + ~C"
    assert (0.5 * (sym.A - sym.B)).normalized().expr == "(0.5 * (A - B)).normalized()"
    assert sym("A*B").expr == "A*B" and (-sym.A).unitary().expr == "(-A).unitary()"
    vocab = Vocabulary(16, strict=False, pointer_gen=np.random.RandomState(0))
    result = expr.evaluate(vocab)
    assert vocab.keys() == ("A", "B", "C")
    assert np.allclose(result.v, (vocab["A"] * vocab["B"] + ~vocab["C"]).v)
    with pytest.raises(SpaParseError):
        sym("__import__('os')")


def test_strict_and_non_strict_lookup():
    strict = Vocabulary(16, pointer_gen=np.random.RandomState(0))
    strict.populate("A")
    with pytest.raises(SpaKeyError, match="'B'.*strict=True") as info:
        strict["B"]
    assert isinstance(info.value, KeyError)
    with pytest.raises(SpaParseError, match="'B'"):
        strict.parse("A + B")
    assert strict.keys() == ("A",)

    loose = Vocabulary(16, strict=False, pointer_gen=np.random.RandomState(0))
    first = loose["B"]
    assert loose.keys() == ("B",) and np.array_equal(loose["B"].v, first.v)
    loose.parse("B * C")
    assert loose.keys() == ("B", "C")
    with pytest.raises(ValidationError, match="capital letter"):
        loose["lower"]
    with pytest.raises(SpaParseError, match="capital letter"):
        loose.parse("lower + B")


def test_max_similarity_respected_across_30_pointers():
    d, n, limit = 64, 30, 0.2
    vocab = Vocabulary(d, max_similarity=limit, pointer_gen=np.random.RandomState(11))
    with warnings.catch_warnings():
        warnings.simplefilter("error", NefsimWarning)
        vocab.populate(";".join(f"P{i}" for i in range(n)))
    sims = vocab.vectors @ vocab.vectors.T
    assert np.allclose(np.diag(sims), 1.0)
    assert np.max(sims[~np.eye(n, dtype=bool)]) < limit
    # without the check, 30 random vectors in 64-D are usually more similar than that
    gen = UnitLengthVectors(d, np.random.RandomState(11))
    free = np.array([next(gen) for _ in range(n)])
    assert np.max((free @ free.T)[~np.eye(n, dtype=bool)]) > limit


def test_impossible_max_similarity_warns_and_still_adds():
    # no three unit vectors can all have pairwise dot products below -0.5
    vocab = Vocabulary(4, max_similarity=-0.6, pointer_gen=np.random.RandomState(0))
    with pytest.warns(NefsimWarning, match="max_similarity=-0.6"):
        vocab.populate("A; B; C")
    assert vocab.keys() == ("A", "B", "C")


def test_seeded_vocabularies_are_reproducible():
    def build(gen):
        vocab = Vocabulary(32, pointer_gen=gen)
        vocab.populate("A; B; C.unitary()")
        return vocab.vectors.copy()

    assert np.array_equal(build(np.random.RandomState(3)), build(np.random.RandomState(3)))
    assert not np.allclose(build(np.random.RandomState(3)), build(np.random.RandomState(4)))
    assert np.array_equal(build(np.random.default_rng(3)), build(np.random.default_rng(3)))
    np.random.seed(9)
    first = build(None)
    np.random.seed(9)
    assert np.array_equal(first, build(None))


def test_pointer_gen_iterables():
    vocab = Vocabulary(3, pointer_gen=AxisAlignedVectors(3))
    vocab.populate("A; B; C")
    assert np.array_equal(vocab.vectors, np.eye(3))
    with pytest.raises(ValidationError, match="pointer_gen.*ran out"):
        vocab.populate("D")
    listed = Vocabulary(2, pointer_gen=[[0.0, 1.0], [1.0, 0.0]])
    listed.populate("X; Y")
    assert np.array_equal(listed.vectors, [[0, 1], [1, 0]])
    basis = np.array([next(it) for it in [OrthonormalVectors(8, np.random.RandomState(0))]
                      for _ in range(8)])
    assert np.allclose(basis @ basis.T, np.eye(8), atol=1e-12)
    u = next(UnitaryVectors(16, rng=np.random.RandomState(0)))
    assert np.allclose(np.abs(np.fft.fft(u)), 1.0)


def test_create_subset_and_transform_to():
    vocab = Vocabulary(32, pointer_gen=np.random.RandomState(0), name="big")
    vocab.populate("A; B; C; D")
    subset = vocab.create_subset(["C", "A"])
    assert subset.keys() == ("C", "A") and subset.vectors.shape == (2, 32)
    assert np.array_equal(subset.vectors, vocab.vectors[[2, 0]])
    assert subset.dimensions == 32 and subset.strict == vocab.strict

    other = Vocabulary(48, pointer_gen=np.random.RandomState(1))
    other.populate("A; B")
    with pytest.warns(NefsimWarning, match="'C', 'D'"):
        matrix = vocab.transform_to(other)
    assert matrix.shape == (48, 32)
    assert np.allclose(matrix, np.outer(other["A"].v, vocab["A"].v)
                       + np.outer(other["B"].v, vocab["B"].v))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert vocab.transform_to(other, populate=False, keys=["B"]).shape == (48, 32)
    vocab.transform_to(other, populate=True)
    assert other.keys() == ("A", "B", "C", "D")

    def lstsq(a, y):
        return np.linalg.lstsq(a, y, rcond=None)[0], {}

    exact = vocab.transform_to(other, solver=lstsq)
    assert np.allclose(exact @ vocab["D"].v, other["D"].v, atol=1e-10)


def test_similarity_and_pairs():
    vocab = Vocabulary(16, pointer_gen=np.random.RandomState(0))
    vocab.populate("A; B; C")
    data = np.stack([vocab["A"].v, 2 * vocab["B"].v, np.zeros(16)])
    sims = similarity(data, vocab)
    assert sims.shape == (3, 3) and sims[1, 1] == pytest.approx(2.0)
    cosine = similarity(data, vocab, normalize=True)
    assert cosine[1, 1] == pytest.approx(1.0) and np.all(cosine[2] == 0)
    assert np.allclose(similarity(vocab["A"], vocab.vectors), vocab.vectors @ vocab["A"].v)
    assert pairs(vocab) == {"A*B", "A*C", "B*C"}
    with pytest.raises(ValidationError, match="similarity.data"):
        similarity(np.zeros((3, 5)), vocab)


def test_vocabulary_map():
    vocab = Vocabulary(8)
    vocabs = VocabularyMap([vocab], rng=np.random.RandomState(0))
    assert vocabs[8] is vocab and vocab in vocabs and 8 in vocabs and len(vocabs) == 1
    created = vocabs.get_or_create(16)
    assert created.dimensions == 16 and not created.strict
    assert vocabs.get_or_create(16) is created and set(vocabs) == {vocab, created}
    vocabs.discard(8)
    assert 8 not in vocabs


# -- bad inputs ----------------------------------------------------------------------

@pytest.mark.parametrize("dimensions", [0, -3, 2.5, "64"])
def test_bad_dimensions(dimensions):
    with pytest.raises(ValidationError, match="dimensions"):
        Vocabulary(dimensions)
    with pytest.raises(ValidationError, match="dimensions"):
        Identity(dimensions)


@pytest.mark.parametrize("key", ["lower", "1A", "A-B", "None", "Identity", "", 3])
def test_bad_names_rejected(key):
    vocab = Vocabulary(8, pointer_gen=np.random.RandomState(0))
    with pytest.raises(ValidationError, match="key"):
        vocab.add(key, np.ones(8))
    assert len(vocab) == 0


def test_bad_populate_entries():
    vocab = Vocabulary(8, pointer_gen=np.random.RandomState(0))
    with pytest.raises(ValidationError, match="capital letter"):
        vocab.populate("good")
    with pytest.raises(SpaParseError, match="only .normalized"):
        vocab.populate("A.linv()")
    with pytest.raises(SpaParseError, match="NAME"):
        vocab.populate("A + B")
    vocab.populate("A")
    with pytest.raises(ValidationError, match="already"):
        vocab.populate("A")
    with pytest.raises(ValidationError, match="already"):
        vocab.add("A", np.ones(8))
    with pytest.raises(ValidationError, match="pointers"):
        vocab.populate(["A"])


@pytest.mark.parametrize("expr", [
    "__import__('os')", "A.__class__", "A.__class__.__bases__", "open('x')", "A[0]",
    "lambda: A", "[A]", "A if A else A", "A.dot(B)", "'A'", "True", "A and B", "A +",
    "x := A", "A.normalized(1)", "A ** 2", "1j * A", "A + 1", "(2).unitary()",
    "~2", "A / 0", "1 / 0",
])
def test_unsafe_or_invalid_expressions_rejected(expr):
    vocab = Vocabulary(8, strict=False, pointer_gen=np.random.RandomState(0))
    vocab.populate("A; B")
    with pytest.raises(SpaParseError, match="Semantic Pointer"):
        vocab.parse(expr)
    assert vocab.keys() == ("A", "B")


def test_mixing_vocabularies_and_dimensions_rejected():
    v16 = Vocabulary(16, pointer_gen=np.random.RandomState(0))
    v16b = Vocabulary(16, pointer_gen=np.random.RandomState(1))
    v32 = Vocabulary(32, pointer_gen=np.random.RandomState(2))
    for vocab in (v16, v16b, v32):
        vocab.populate("A")
    with pytest.raises(SpaTypeError, match="different vocabularies"):
        v16["A"] + v16b["A"]
    with pytest.raises(SpaTypeError, match="16 and 32 dimensions"):
        v16["A"] * v32["A"]
    with pytest.raises(SpaTypeError, match="dimensions"):
        SemanticPointer(np.ones(3)).dot(SemanticPointer(np.ones(4)))
    with pytest.raises(ValidationError, match="p: .*another vocabulary"):
        v16b.add("B", v16["A"])
    with pytest.raises(ValidationError, match="p: has 32 dimensions"):
        v16.add("B", np.ones(32))
    with pytest.raises(ValidationError, match="vocab: has 32 dimensions"):
        v16["A"].reinterpret(v32)
    with pytest.raises(ValidationError, match="data: has 8 dimensions"):
        SemanticPointer(np.ones(8), vocab=v16)
    # a pointer without a vocabulary combines with one that has it
    assert (v16["A"] + SemanticPointer(np.ones(16))).vocab is v16


def test_bad_pointer_and_vocab_arguments():
    with pytest.raises(ValidationError, match="data"):
        SemanticPointer([])
    with pytest.raises(ValidationError, match="data"):
        SemanticPointer(np.ones((2, 2)))
    with pytest.raises(ValidationError, match="data"):
        SemanticPointer([1.0, np.nan])
    with pytest.raises(ValidationError, match="pointer_gen"):
        Vocabulary(8, pointer_gen=42)
    with pytest.raises(ValidationError, match="pointer_gen"):
        Vocabulary(8, pointer_gen=[[1.0, 0.0]]).populate("A")
    with pytest.raises(ValidationError, match="strict"):
        Vocabulary(8, strict="yes")
    with pytest.raises(ValidationError, match="max_similarity"):
        Vocabulary(8, max_similarity="0.1")
    with pytest.raises(ValidationError, match="transform"):
        Vocabulary(8).create_pointer(transform="linv")
    with pytest.raises(ValidationError, match="keys"):
        Vocabulary(8).create_subset(["A"])
    with pytest.raises(SpaTypeError, match="vocabulary"):
        SemanticPointer(np.ones(4)).translate(Vocabulary(4))
    with pytest.raises(TypeError):
        SemanticPointer(np.ones(4)) + 1.0


# -- plotting ------------------------------------------------------------------------

def test_plot_similarity_writes_png(tmp_path):
    pytest.importorskip("matplotlib")
    from nefsim.spa.plot import plot_similarity

    vocab = Vocabulary(16, pointer_gen=np.random.RandomState(0))
    vocab.populate("A; B; C")
    t = np.linspace(0, 1, 50)
    data = np.outer(t, vocab["A"].v) + np.outer(1 - t, vocab["B"].v)
    path = tmp_path / "sim.png"
    fig = plot_similarity(t, data, vocab, keys=["A", "B"], path=str(path))
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["A", "B"]
    assert np.allclose(fig.axes[0].get_lines()[0].get_ydata(), data @ vocab["A"].v)
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert os.listdir(tmp_path) == ["sim.png"]  # no temporary file left behind
    with pytest.raises(ValidationError, match="data"):
        plot_similarity(t[:10], data, vocab)
