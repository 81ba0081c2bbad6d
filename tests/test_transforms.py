"""Tests for nefsim.transforms: shapes, sampling, validation, and outputs vs Nengo."""

import numpy as np
import pytest
import scipy.sparse

from nefsim.dists import Gaussian, Uniform
from nefsim.exceptions import ValidationError
from nefsim.transforms import (
    ChannelShape,
    Conv,
    Convolution,
    ConvolutionTranspose,
    ConvTranspose,
    Dense,
    NoTransform,
    Sparse,
    SparseMatrix,
    Transform,
)


def rng(seed=0):
    return np.random.RandomState(seed)


def nengo_output(transform, x):
    """Run Node(x) -> Connection(transform) -> Node for one step in Nengo."""
    nengo = pytest.importorskip("nengo")
    with nengo.Network() as net:
        a = nengo.Node(x)
        b = nengo.Node(size_in=transform.size_out)
        nengo.Connection(a, b, transform=transform, synapse=None)
        p = nengo.Probe(b)
    with nengo.Simulator(net, progress_bar=False, optimize=False) as sim:
        sim.step()
    return sim.data[p][0]


# -- Dense ----------------------------------------------------------------------------------

def test_dense_scalar_diagonal_matrix():
    x = rng().randn(5, 3)
    t = Dense((3, 3), init=2.0)
    w = t.sample()
    assert w.shape == () and t.init_shape == () and (t.size_in, t.size_out) == (3, 3)
    assert np.array_equal(t.apply(w, x), 2.0 * x)

    t = Dense((3, 3), init=[1.0, -2.0, 3.0])
    w = t.sample()
    assert w.shape == (3,) and t.init_shape == (3,)
    assert np.allclose(t.apply(w, x), x @ np.diag(w).T, atol=1e-15)

    m = rng(1).randn(2, 3)
    t = Dense((2, 3), init=m)
    assert (t.size_in, t.size_out, t.init_shape) == (3, 2, (2, 3))
    assert np.allclose(t.apply(t.sample(), x), x @ m.T, atol=1e-14)
    # any leading batch shape
    assert t.apply(m, rng().randn(4, 5, 3)).shape == (4, 5, 2)


def test_dense_distribution_matches_nengo_sample():
    nengo = pytest.importorskip("nengo")
    t = Dense((4, 3), init=Gaussian(0, 1))
    ref = nengo.transforms.Dense((4, 3), init=nengo.dists.Gaussian(0, 1))
    assert t.init_shape == (4, 3)
    assert np.array_equal(t.sample(rng=rng(5)), ref.sample(rng=rng(5)))


def test_dense_sample_is_a_copy_and_init_readonly():
    t = Dense((2, 2), init=[[1.0, 2.0], [3.0, 4.0]])
    w = t.sample()
    w[0, 0] = 9
    assert t.init[0, 0] == 1 and not t.init.flags.writeable


def test_dense_equality_and_repr():
    assert Dense((2, 2)) == Dense((2, 2), init=1.0)
    assert Dense((2, 2), init=[1, 2]) != Dense((2, 2), init=[1, 3])
    assert repr(Dense((2, 2))) == "Dense(shape=(2, 2))"
    assert isinstance(Dense((1, 1)), Transform)


@pytest.mark.parametrize("make, attr, words", [
    (lambda: Dense((2, 3), init=np.ones((3, 2))), "init",
     "shape (3, 2) does not match transform shape (2, 3)"),
    (lambda: Dense((2, 3), init=[1.0, 2.0]), "init", "square"),
    (lambda: Dense((2, 3)), "init", "square"),
    (lambda: Dense((2, 2), init=[1.0, 2.0, 3.0]), "init", "(3,)"),
    (lambda: Dense((2, 3), init=np.ones((2, 3, 1))), "init", "(2, 3, 1)"),
    (lambda: Dense((-1, 2)), "shape", ">= 1"),
    (lambda: Dense((3,)), "shape", "2 items"),
    (lambda: Dense(3), "shape", "tuple"),
    (lambda: Dense((2, 2), init=[[np.nan, 0], [0, 1]]), "init", "finite"),
])
def test_dense_bad_inputs(make, attr, words):
    with pytest.raises(ValidationError) as info:
        make()
    assert info.value.attr == attr
    assert str(info.value).startswith(f"Dense.{attr}:") and words in str(info.value)


# -- Sparse ---------------------------------------------------------------------------------

def test_sparse_equals_dense():
    indices = [[0, 1], [2, 3], [1, 0]]
    t = Sparse((3, 4), indices=indices, init=[5.0, 6.0, -1.0])
    w = t.sample()
    assert scipy.sparse.issparse(w) and w.format == "csr" and w.shape == (3, 4)
    dense = np.zeros((3, 4))
    dense[0, 1], dense[2, 3], dense[1, 0] = 5.0, 6.0, -1.0
    assert np.array_equal(w.toarray(), dense)
    x = rng().randn(7, 2, 4)
    assert np.allclose(t.apply(w, x), Dense((3, 4), init=dense).apply(dense, x), atol=1e-14)
    assert (t.size_in, t.size_out) == (4, 3)


def test_sparse_scalar_distribution_and_scipy_init():
    nengo = pytest.importorskip("nengo")
    indices = [[0, 0], [1, 2]]
    assert np.array_equal(Sparse((2, 3), indices=indices, init=2.0).sample().data, [2, 2])
    ours = Sparse((2, 3), indices=indices, init=Uniform(0, 1)).sample(rng=rng(3))
    ref = nengo.transforms.Sparse((2, 3), indices=indices, init=nengo.dists.Uniform(0, 1))
    assert np.array_equal(ours.toarray(), ref.sample(rng=rng(3)).toarray())

    m = scipy.sparse.csr_matrix(np.array([[0, 1.0, 0], [2.0, 0, 0]]))
    t = Sparse((2, 3), init=m)
    assert t.indices is None and np.array_equal(t.sample().toarray(), m.toarray())


def test_sparse_matches_nengo_simulation():
    indices = np.array([[0, 1], [2, 3], [1, 0], [2, 2]])
    data = np.array([0.5, -1.5, 2.0, 3.0])
    t = Sparse((3, 4), indices=indices, init=data)
    nengo = pytest.importorskip("nengo")
    ref = nengo.transforms.Sparse((3, 4), indices=indices, init=data)
    x = rng().randn(4)
    assert np.allclose(t.apply(t.sample(), x), nengo_output(ref, x), atol=1e-12)


def test_sparse_matrix_helper():
    m = SparseMatrix([[0, 1], [1, 0]], [3.0, 4.0], (2, 2))
    assert np.array_equal(m.toarray(), [[0, 3], [4, 0]])
    assert (m.ndim, m.size, m.shape) == (2, 2, (2, 2))


@pytest.mark.parametrize("make, attr", [
    (lambda: Sparse((2, 3)), "indices"),
    (lambda: Sparse((2, 3), indices=[0, 1]), "indices"),
    (lambda: Sparse((2, 3), indices=[[0, 5]]), "indices"),
    (lambda: Sparse((2, 3), indices=[[0, 1], [0, 1]]), "indices"),
    (lambda: Sparse((2, 3), indices=[[0, 1], [1, 2]], init=[1.0, 2.0, 3.0]), "init"),
    (lambda: Sparse((2, 3), indices=[[0, 1]], init=scipy.sparse.eye(2, 3)), "indices"),
    (lambda: Sparse((3, 3), init=scipy.sparse.eye(2, 3)), "init"),
    (lambda: Sparse((0, 3), indices=[[0, 0]]), "shape"),
])
def test_sparse_bad_inputs(make, attr):
    with pytest.raises(ValidationError) as info:
        make()
    assert info.value.attr == attr and f".{attr}:" in str(info.value)


# -- NoTransform ----------------------------------------------------------------------------

def test_no_transform():
    t = NoTransform(3)
    assert (t.size_in, t.size_out) == (3, 3)
    x = rng().randn(2, 3)
    assert t.apply(None, x) is x
    assert repr(t) == "NoTransform(size_in=3)" and t == NoTransform(3)
    with pytest.raises(TypeError, match="no weights"):
        t.sample()
    with pytest.raises(ValidationError, match=r"NoTransform.size_in:"):
        NoTransform(-1)


# -- ChannelShape ---------------------------------------------------------------------------

def test_channel_shape():
    s = ChannelShape((5, 6, 2))
    assert (s.spatial_shape, s.n_channels, s.dimensions, s.size) == ((5, 6), 2, 2, 60)
    assert str(s) == "(5, 6, ch=2)"
    f = ChannelShape((2, 5, 6), channels_last=False)
    assert (f.spatial_shape, f.n_channels, str(f)) == ((5, 6), 2, "(ch=2, 5, 6)")
    assert ChannelShape.from_space_and_channels((5, 6), 2, channels_last=False) == f
    assert repr(s) == "ChannelShape(shape=(5, 6, 2), channels_last=True)"


# -- Convolution ----------------------------------------------------------------------------

CONV_CASES = [
    dict(n_filters=4, input_shape=(5, 6, 2)),
    dict(n_filters=4, input_shape=(5, 6, 2), strides=(2, 3), padding="same"),
    dict(n_filters=4, input_shape=(2, 7, 6), channels_last=False, kernel_size=(2, 3),
         strides=(2, 2), padding="same", groups=2),
    dict(n_filters=3, input_shape=(8, 3), kernel_size=(3,), strides=(2,)),
    dict(n_filters=4, input_shape=(6, 6, 4), kernel_size=(4, 4), strides=(2, 2), groups=4),
]


@pytest.mark.parametrize("kwargs", CONV_CASES)
def test_convolution_matches_nengo(kwargs):
    nengo = pytest.importorskip("nengo")
    ours = Convolution(**kwargs)
    w = ours.sample(rng=rng(1))
    ref = nengo.Convolution(**kwargs)
    assert ours.output_shape.shape == ref.output_shape.shape
    assert ours.kernel_shape == ref.kernel_shape
    assert (ours.size_in, ours.size_out) == (ref.size_in, ref.size_out)
    assert np.array_equal(w, ref.sample(rng=rng(1)))  # same kernel draw order
    x = rng(2).randn(ours.size_in)
    y_ref = nengo_output(nengo.Convolution(init=w, **kwargs), x)
    assert np.allclose(ours.apply(w, x), y_ref, atol=1e-12, rtol=0)


TRANSPOSE_CASES = [
    dict(n_filters=3, input_shape=(4, 4, 2)),
    dict(n_filters=3, input_shape=(4, 5, 2), strides=(2, 2), padding="same"),
    dict(n_filters=2, input_shape=(2, 4, 4), channels_last=False, strides=(2, 3),
         kernel_size=(3, 2)),
    dict(n_filters=2, input_shape=(4, 4, 1), output_shape=(8, 8, 2), strides=(2, 2),
         padding="same"),
    dict(n_filters=2, input_shape=(5, 3), kernel_size=(4,), strides=(3,)),
]


@pytest.mark.parametrize("kwargs", TRANSPOSE_CASES)
def test_convolution_transpose_matches_nengo(kwargs):
    nengo = pytest.importorskip("nengo")
    ours = ConvolutionTranspose(**kwargs)
    w = ours.sample(rng=rng(1))
    ref = nengo.transforms.ConvolutionTranspose(**kwargs)
    assert ours.output_shape.shape == ref.output_shape.shape
    assert ours.kernel_shape == ref.kernel_shape
    x = rng(2).randn(ours.size_in)
    y_ref = nengo_output(nengo.transforms.ConvolutionTranspose(init=w, **kwargs), x)
    assert np.allclose(ours.apply(w, x), y_ref, atol=1e-12, rtol=0)


@pytest.mark.parametrize("size, k, s, padding, expected", [
    (4, 3, 2, "valid", 9), (4, 3, 2, "same", 7), (5, 2, 3, "valid", 14), (4, 3, 1, "same", 4),
])
def test_convolution_transpose_default_output_shape(size, k, s, padding, expected):
    t = ConvTranspose(2, (size, size, 1), kernel_size=(k, k), strides=(s, s),
                      padding=padding)
    assert t.output_shape.shape == (expected, expected, 2)


def test_convolution_transpose_is_adjoint_of_convolution():
    """<conv(x), y> == <x, conv_T(y)> with the kernel's channel axes swapped."""
    conv = Convolution(3, (7, 6, 2), kernel_size=(3, 2), strides=(2, 2), padding="same")
    w = conv.sample(rng=rng(4))
    convt = ConvolutionTranspose(2, conv.output_shape.shape, output_shape=(7, 6, 2),
                                 kernel_size=(3, 2), strides=(2, 2), padding="same")
    x, y = rng(5).randn(conv.size_in), rng(6).randn(conv.size_out)
    lhs = conv.apply(w, x) @ y
    rhs = x @ convt.apply(np.swapaxes(w, -1, -2), y)
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_convolution_batch_and_defaults():
    c = Conv(2, (5, 5, 1), init=np.ones((3, 3, 1, 2)))
    assert Conv is Convolution
    assert c.output_shape.shape == (3, 3, 2) and c.dimensions == 2
    x = np.ones((4, 3, 25))
    y = c.apply(c.sample(), x)
    assert y.shape == (4, 3, 18) and np.all(y == 9)
    assert isinstance(Convolution(1, (3, 3, 1)).init, Uniform)


@pytest.mark.parametrize("make, attr", [
    (lambda: Convolution(0, (5, 5, 2)), "n_filters"),
    (lambda: Convolution(2, (5, 2)), "kernel_size"),
    (lambda: Convolution(2, (5, 2), kernel_size=(3,)), "strides"),
    (lambda: Convolution(2, (5, 5, 2), strides=(0, 1)), "strides"),
    (lambda: Convolution(2, (5, 5, 2), kernel_size=(0, 1)), "kernel_size"),
    (lambda: Convolution(2, (5, 5, 2), padding="full"), "padding"),
    (lambda: Convolution(4, (2, 2, 2)), "padding"),
    (lambda: Convolution(3, (5, 5, 2), groups=2), "groups"),
    (lambda: Convolution(4, (5, 5, 2), init=np.ones((3, 3, 2))), "init"),
    (lambda: Convolution(4, (5,)), "input_shape"),
    (lambda: ConvolutionTranspose(2, (4, 4, 1), output_shape=(12, 12, 2)), "output_shape"),
    (lambda: ConvolutionTranspose(2, (4, 4, 1), output_shape=(6, 6, 3)), "output_shape"),
])
def test_convolution_bad_inputs(make, attr):
    with pytest.raises(ValidationError) as info:
        make()
    assert info.value.attr == attr and f".{attr}:" in str(info.value)
