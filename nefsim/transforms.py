"""Connection transforms: the linear maps applied between a connection's pre and post.

A :class:`Transform` knows its ``size_in``/``size_out``, draws its initial weights with
``sample(rng)``, and computes its output with the pure function
``apply(weights, x, xp=np)`` for inputs of shape ``(..., size_in)``.  The weights are
passed in rather than read from the object because they are model state (they can be
learned or overwritten); ``xp`` is the array module (NumPy or ``jax.numpy``).

Provided: :class:`Dense`, :class:`Sparse` (with :class:`SparseMatrix`),
:class:`NoTransform`, :class:`Convolution` and :class:`ConvolutionTranspose` (on
:class:`ChannelShape` images, TensorFlow's "valid"/"same" conventions), with Nengo 4.1's
names, signatures and defaults.
"""

import numpy as np
import scipy.sparse

from ._base import FrozenObject
from ._validation import check_array, check_bool, check_choice, check_int, is_integer
from .dists import Distribution, Uniform
from .exceptions import ValidationError


def _check_shape(value, attr, obj, length=None, low=1):
    """Return ``value`` as a tuple of integers ``>= low`` (of ``length`` items if given)."""
    try:
        items = tuple(value)
    except TypeError:
        raise ValidationError(f"must be a tuple of integers (got {value!r})", attr, obj) \
            from None
    if length is not None and len(items) != length:
        raise ValidationError(f"must have {length} items (got {len(items)}: {items})",
                              attr, obj)
    for i, item in enumerate(items):
        if not is_integer(item) or item < low:
            raise ValidationError(f"item {i} must be an integer >= {low} (got {item!r})",
                                  attr, obj)
    return tuple(int(item) for item in items)


class Transform(FrozenObject):
    """Base class of connection transforms.

    Subclasses define ``size_in``, ``size_out``, :meth:`sample` (the initial weights) and
    :meth:`apply` (the output for given weights and input).
    """

    @property
    def size_in(self):
        """Length of the input vector."""
        raise NotImplementedError

    @property
    def size_out(self):
        """Length of the output vector."""
        raise NotImplementedError

    def sample(self, rng=np.random):
        """Return the initial weights, drawing any random ones from ``rng``."""
        raise NotImplementedError

    def apply(self, weights, x, xp=np):
        """Return the output for input ``x`` of shape ``(..., size_in)`` given ``weights``."""
        raise NotImplementedError


class Dense(Transform):
    """A dense matrix ``W`` of ``shape = (size_out, size_in)``: ``y = W x``.

    Parameters
    ----------
    shape : tuple of 2 ints
        ``(size_out, size_in)``.
    init : float, array-like or Distribution, optional
        A scalar ``s`` (the map ``y = s x``; square shape only), a vector ``v`` (the
        diagonal map ``y = v * x``; square shape only), a full ``shape`` matrix, or a
        :class:`~nefsim.dists.Distribution` sampled for every matrix entry.
        :meth:`sample` returns it in that form (0-d, 1-d or 2-d array); it is not expanded.
    """

    def __init__(self, shape, init=1.0):
        self.shape = _check_shape(shape, "shape", self, length=2)
        if isinstance(init, Distribution):
            self.init = init
            return
        init = check_array(init, "init", self)
        square = self.shape[0] == self.shape[1]
        expected = {0: (), 1: self.shape[:1], 2: self.shape}.get(init.ndim, self.shape)
        if init.shape != expected or (init.ndim < 2 and not square):
            what = {0: "a scalar", 1: "a diagonal"}.get(init.ndim, "a matrix")
            hint = (f"; {what} init needs a square shape, give a {self.shape} matrix instead"
                    if init.ndim < 2 and not square else "")
            raise ValidationError(
                f"shape {init.shape} does not match transform shape {self.shape}{hint}",
                "init", self)
        self.init = float(init) if init.ndim == 0 else init

    @property
    def init_shape(self):
        """Shape of the weights :meth:`sample` returns: ``()``, ``(n,)`` or ``shape``."""
        return self.shape if isinstance(self.init, Distribution) else np.shape(self.init)

    @property
    def size_in(self):
        return self.shape[1]

    @property
    def size_out(self):
        return self.shape[0]

    def sample(self, rng=np.random):
        if isinstance(self.init, Distribution):
            return self.init.sample(self.shape[0], self.shape[1], rng=rng)
        return np.array(self.init)

    def apply(self, weights, x, xp=np):
        """``x * w`` for 0-d/1-d weights, ``x @ W.T`` for a matrix."""
        if weights.ndim < 2:
            return x * weights
        return x @ weights.T


class SparseMatrix(FrozenObject):
    """A sparse matrix in coordinate form: ``data[i]`` sits at row/column ``indices[i]``.

    Parameters
    ----------
    indices : (nnz, 2) array of int
        Row and column of each stored value; each position at most once.
    data : (nnz,) array
        The stored values.
    shape : tuple of 2 ints
        The matrix shape.
    """

    def __init__(self, indices, data, shape):
        self.shape = _check_shape(shape, "shape", self, length=2)
        self.indices = _check_indices(indices, self.shape, self)
        self.data = check_array(data, "data", self, shape=(self.indices.shape[0],))

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return 2

    @property
    def size(self):
        """Number of stored values."""
        return self.data.size

    def tocsr(self):
        """The matrix as a :class:`scipy.sparse.csr_matrix`."""
        return scipy.sparse.csr_matrix(
            (self.data, (self.indices[:, 0], self.indices[:, 1])), shape=self.shape)

    def toarray(self):
        """The matrix as a dense array."""
        return self.tocsr().toarray()


def _check_indices(indices, shape, obj):
    """(nnz, 2) integer positions inside ``shape``, without repeats."""
    idx = check_array(indices, "indices", obj, dtype=np.int64)
    if idx.ndim != 2 or idx.shape[1] != 2:
        raise ValidationError(f"must be an (nnz, 2) array of (row, column) pairs "
                              f"(got shape {idx.shape})", "indices", obj)
    if idx.size and (idx.min() < 0 or np.any(idx.max(axis=0) >= shape)):
        raise ValidationError(f"must lie inside the matrix shape {shape}", "indices", obj)
    if len(np.unique(idx, axis=0)) != len(idx):
        raise ValidationError("must not repeat a (row, column) position", "indices", obj)
    return idx


class Sparse(Transform):
    """A sparse matrix of ``shape = (size_out, size_in)``: ``y = W x``.

    Parameters
    ----------
    shape : tuple of 2 ints
        ``(size_out, size_in)``.
    indices : (nnz, 2) array of int, optional
        Row and column of each nonzero weight; required unless ``init`` is a
        ``scipy.sparse`` matrix (then it must be None).
    init : float, array-like, Distribution or scipy.sparse matrix, optional
        The nonzero values: one scalar for all, one value per index, a distribution
        sampled once per index, or a whole ``scipy.sparse`` matrix of ``shape``.

    Notes
    -----
    :meth:`sample` returns a :class:`scipy.sparse.csr_matrix` of ``shape`` (Nengo returns
    its own ``SparseMatrix`` for ``indices`` inits; both have ``toarray()``).
    """

    def __init__(self, shape, indices=None, init=1.0):
        self.shape = _check_shape(shape, "shape", self, length=2)
        if scipy.sparse.issparse(init):
            if indices is not None:
                raise ValidationError("must be None when init is a scipy.sparse matrix "
                                      "(its own indices are used)", "indices", self)
            if init.shape != self.shape:
                raise ValidationError(f"shape {init.shape} does not match transform shape "
                                      f"{self.shape}", "init", self)
            self.indices = None
            self.init = scipy.sparse.csr_matrix(init, copy=True)
            return
        if indices is None:
            raise ValidationError("indices must be given unless init is a scipy.sparse "
                                  "matrix", "indices", self)
        self.indices = _check_indices(indices, self.shape, self)
        if isinstance(init, Distribution):
            self.init = init
        else:
            init = check_array(init, "init", self)
            if init.ndim > 1 or (init.ndim == 1 and init.size != len(self.indices)):
                raise ValidationError(
                    f"must be a scalar or one value per index ({len(self.indices)}; got "
                    f"shape {init.shape})", "init", self)
            self.init = init

    @property
    def size_in(self):
        return self.shape[1]

    @property
    def size_out(self):
        return self.shape[0]

    def sample(self, rng=np.random):
        if self.indices is None:
            return self.init.copy()
        nnz = len(self.indices)
        if isinstance(self.init, Distribution):
            data = self.init.sample(nnz, rng=rng)
        else:
            data = np.broadcast_to(self.init, (nnz,)).astype(float)
        return SparseMatrix(self.indices, data, self.shape).tocsr()

    def apply(self, weights, x, xp=np):
        """``y = W x`` for a scipy.sparse ``W`` (NumPy only), for any leading shape of x."""
        x2 = np.reshape(x, (-1, self.size_in))
        y = np.asarray((weights @ x2.T).T)
        return y.reshape(x.shape[:-1] + (self.size_out,))


class NoTransform(Transform):
    """The identity map on ``size_in`` dimensions (a connection's default; no weights)."""

    size_in = None  # a plain attribute here, replacing the base-class property

    def __init__(self, size_in):
        self.size_in = check_int(size_in, "size_in", self, low=0)

    @property
    def size_out(self):
        return self.size_in

    def sample(self, rng=np.random):
        raise TypeError("NoTransform has no weights to sample; it passes its input through")

    def apply(self, weights, x, xp=np):
        return x


class ChannelShape(FrozenObject):
    """The shape of an image-like signal: spatial dimensions plus a channel dimension.

    Parameters
    ----------
    shape : tuple of int
        Full shape, channels last (``(rows, cols, channels)``) or first.
    channels_last : bool, optional
        Where the channel dimension is.
    """

    def __init__(self, shape, channels_last=True):
        self.shape = _check_shape(shape, "shape", self)
        if len(self.shape) < 2:
            raise ValidationError(f"needs at least one spatial and one channel dimension "
                                  f"(got {self.shape})", "shape", self)
        self.channels_last = check_bool(channels_last, "channels_last", self)

    @classmethod
    def from_space_and_channels(cls, spatial_shape, channels, channels_last=True):
        """Build the shape from its spatial part and the number of channels."""
        spatial = tuple(spatial_shape)
        shape = spatial + (channels,) if channels_last else (channels,) + spatial
        return cls(shape, channels_last=channels_last)

    @property
    def spatial_shape(self):
        return self.shape[:-1] if self.channels_last else self.shape[1:]

    @property
    def n_channels(self):
        return self.shape[-1] if self.channels_last else self.shape[0]

    @property
    def dimensions(self):
        """Number of spatial dimensions."""
        return len(self.shape) - 1

    @property
    def size(self):
        return int(np.prod(self.shape))

    def __repr__(self):
        return f"ChannelShape(shape={self.shape}, channels_last={self.channels_last})"

    def __str__(self):
        spatial = ", ".join(str(s) for s in self.spatial_shape)
        ch = f"ch={self.n_channels}"
        return f"({spatial}, {ch})" if self.channels_last else f"({ch}, {spatial})"


def _as_channel_shape(value, channels_last, attr, obj):
    if isinstance(value, ChannelShape):
        return value
    try:
        return ChannelShape(value, channels_last=channels_last)
    except ValidationError as err:
        raise ValidationError(str(err).split(": ", 1)[-1], attr, obj) from None


def _conv_out_size(size, kernel, stride, padding):
    """Output length of a strided convolution along one axis (TensorFlow convention)."""
    if padding == "valid":
        return -(-(size - kernel + 1) // stride)
    return -(-size // stride)


def _pad_before(size_in, size_out, kernel, stride, padding):
    """Zeros added before the input along one axis ("same" splits the padding evenly)."""
    if padding == "valid":
        return 0
    return max((size_out - 1) * stride + kernel - size_in, 0) // 2


class _ConvolutionBase(Transform):
    """Shared parameters, checks and kernel machinery of the convolution transforms."""

    def _init_common(self, n_filters, input_shape, kernel_size, strides, padding,
                     channels_last, init):
        self.n_filters = check_int(n_filters, "n_filters", self, low=1)
        self.input_shape = _as_channel_shape(input_shape, channels_last, "input_shape", self)
        self.channels_last = check_bool(channels_last, "channels_last", self)
        if self.input_shape.channels_last != self.channels_last:
            raise ValidationError("input_shape.channels_last must equal channels_last",
                                  "input_shape", self)
        dims = self.input_shape.dimensions
        self.kernel_size = _check_shape(kernel_size, "kernel_size", self)
        self.strides = _check_shape(strides, "strides", self)
        for attr, value in (("kernel_size", self.kernel_size), ("strides", self.strides)):
            if len(value) != dims:
                raise ValidationError(
                    f"has {len(value)} items but input_shape {self.input_shape} has {dims} "
                    f"spatial dimensions", attr, self)
        self.padding = check_choice(padding, "padding", self, ("same", "valid"))

    def _check_init(self, init):
        """A distribution, or the kernel as a read-only array of ``kernel_shape``."""
        if isinstance(init, Distribution):
            return init
        init = check_array(init, "init", self)
        if init.shape != self.kernel_shape:
            raise ValidationError(f"shape {init.shape} does not match kernel_shape "
                                  f"{self.kernel_shape}", "init", self)
        return init

    @property
    def dimensions(self):
        """Number of spatial dimensions."""
        return self.input_shape.dimensions

    @property
    def size_in(self):
        return self.input_shape.size

    @property
    def size_out(self):
        return self.output_shape.size

    def sample(self, rng=np.random):
        """The kernel, shape ``kernel_size + (in_channels_per_group, n_filters)``.

        A distribution is sampled one kernel position at a time, each as an
        ``(in_channels, n_filters)`` block (the order Nengo uses).
        """
        if not isinstance(self.init, Distribution):
            return np.array(self.init)
        *spatial, c, f = self.kernel_shape
        blocks = [self.init.sample(c, f, rng=rng) for _ in range(int(np.prod(spatial)))]
        return np.reshape(blocks, self.kernel_shape)

    def _to_channels_last(self, x, shape, xp):
        """(..., size) -> (..., spatial_size, channels)."""
        lead = x.shape[:-1]
        n_spatial = int(np.prod(shape.spatial_shape))
        if shape.channels_last:
            return xp.reshape(x, lead + (n_spatial, shape.n_channels))
        x = xp.reshape(x, lead + (shape.n_channels, n_spatial))
        return xp.swapaxes(x, -1, -2)

    def _from_channels_last(self, y, shape, xp):
        """(..., spatial_size, channels) -> (..., size)."""
        if not shape.channels_last:
            y = xp.swapaxes(y, -1, -2)
        return xp.reshape(y, y.shape[:-2] + (shape.size,))

    def _gather(self, x, index, xp):
        """``x[..., index, :]`` with ``index == len`` meaning a zero (padding) row."""
        zeros = xp.zeros(x.shape[:-2] + (1, x.shape[-1]), dtype=x.dtype)
        return xp.concatenate([x, zeros], axis=-2)[..., index, :]


def _window_index(out_spatial, kernel, in_spatial, position_fn):
    """Flat input index for each (output position, kernel offset) pair, or a sentinel.

    ``position_fn(axis, out, k)`` gives the (possibly fractional or out-of-range) input
    coordinate along ``axis`` for output coordinates ``out`` and kernel offsets ``k`` (a
    broadcast pair of integer arrays). Returns an int array ``(n_out, n_kernel)`` whose
    invalid entries equal ``prod(in_spatial)``, the index of an appended zero row.
    """
    n = len(out_spatial)
    flat = 0
    valid = True
    stride = 1
    for axis in reversed(range(n)):
        o_shape, k_shape = [1] * (2 * n), [1] * (2 * n)
        o_shape[axis], k_shape[n + axis] = out_spatial[axis], kernel[axis]
        o = np.arange(out_spatial[axis]).reshape(o_shape)
        k = np.arange(kernel[axis]).reshape(k_shape)
        num, den = position_fn(axis, o, k)
        pos = num // den
        ok = (num % den == 0) & (pos >= 0) & (pos < in_spatial[axis])
        flat = flat + pos * stride
        valid = valid & ok
        stride *= in_spatial[axis]
    full = tuple(out_spatial) + tuple(kernel)
    index = np.where(np.broadcast_to(valid, full), np.broadcast_to(flat, full), stride)
    return index.reshape(int(np.prod(out_spatial)), int(np.prod(kernel)))


class Convolution(_ConvolutionBase):
    """An N-D convolution (correlation, as in TensorFlow) applied to an image signal.

    ``y[p, f] = sum_{k, c} x[p * strides + k - pad, c] * kernel[k, c, f]`` over kernel
    offsets ``k`` and the input channels ``c`` of the group of filter ``f``.

    Parameters
    ----------
    n_filters : int
        Number of output channels.
    input_shape : tuple of int or ChannelShape
        Shape of the input image (spatial dimensions plus channels).
    kernel_size : tuple of int, optional
        Spatial size of the kernel; one item per spatial dimension.
    strides : tuple of int, optional
        Step between output positions; one item per spatial dimension.
    padding : "valid" or "same", optional
        "valid": only positions where the kernel fits inside the image; "same": zero-pad so
        the output has ``ceil(input / stride)`` positions per dimension.
    channels_last : bool, optional
        Whether channels are the last (True) or first dimension of the flattened signals.
    init : Distribution or array, optional
        The kernel, or a distribution to sample it from; shape ``kernel_shape``.
    groups : int, optional
        Split the input channels and filters into this many independent groups.
    """

    def __init__(self, n_filters, input_shape, kernel_size=(3, 3), strides=(1, 1),
                 padding="valid", channels_last=True, init=Uniform(-1, 1), groups=1):
        self._init_common(n_filters, input_shape, kernel_size, strides, padding,
                          channels_last, init)
        self.groups = check_int(groups, "groups", self, low=1)
        channels = self.input_shape.n_channels
        if channels % self.groups or self.n_filters % self.groups:
            raise ValidationError(
                f"must divide both the input channels ({channels}) and n_filters "
                f"({self.n_filters}) (got {self.groups})", "groups", self)
        if self.padding == "valid":
            for axis, (size, k) in enumerate(zip(self.input_shape.spatial_shape,
                                                 self.kernel_size)):
                if k > size:
                    raise ValidationError(
                        f"'valid' gives an empty output: kernel_size[{axis}] = {k} exceeds "
                        f"the input size {size}; use padding='same' or a smaller kernel",
                        "padding", self)
        self.init = self._check_init(init)

    @property
    def kernel_shape(self):
        """``kernel_size + (input channels per group, n_filters)``."""
        return self.kernel_size + (self.input_shape.n_channels // self.groups,
                                   self.n_filters)

    @property
    def output_shape(self):
        """The :class:`ChannelShape` of the output image."""
        spatial = tuple(_conv_out_size(s, k, st, self.padding) for s, k, st in zip(
            self.input_shape.spatial_shape, self.kernel_size, self.strides))
        return ChannelShape.from_space_and_channels(spatial, self.n_filters,
                                                    self.channels_last)

    def _index(self):
        if getattr(self, "_index_cache", None) is None:
            ins, outs = self.input_shape.spatial_shape, self.output_shape.spatial_shape
            pads = [_pad_before(i, o, k, s, self.padding) for i, o, k, s in zip(
                ins, outs, self.kernel_size, self.strides)]

            def position(axis, o, k):
                return o * self.strides[axis] + k - pads[axis], 1

            self._index_cache = _window_index(outs, self.kernel_size, ins, position)
        return self._index_cache

    def apply(self, weights, x, xp=np):
        """Convolve ``x`` (shape ``(..., size_in)``, flattened images) with ``weights``."""
        g = self.groups
        cg, f = self.kernel_shape[-2:]
        patches = self._gather(self._to_channels_last(x, self.input_shape, xp),
                               self._index(), xp)              # (..., P, K, C)
        patches = xp.reshape(patches, patches.shape[:-1] + (g, cg))
        w = xp.reshape(weights, (-1, cg, g, f // g))           # (K, Cg, G, F/G)
        y = xp.einsum("...pkgc,kcgf->...pgf", patches, w)
        y = xp.reshape(y, y.shape[:-2] + (f,))
        return self._from_channels_last(y, self.output_shape, xp)


class ConvolutionTranspose(_ConvolutionBase):
    """The transpose (adjoint) of :class:`Convolution`: an up-sampling convolution.

    The output is the image that a forward convolution with the same ``kernel_size``,
    ``strides`` and ``padding`` would map onto ``input_shape``; each input pixel spreads
    its channels, weighted by the kernel, over a ``kernel_size`` patch of the output.

    Parameters are as for :class:`Convolution` (without ``groups``), plus
    ``output_shape`` (tuple or ChannelShape, optional): needed when several output sizes
    convolve down to ``input_shape``; by default the smallest ("same":
    ``(input - 1) * stride + 1``) or exact ("valid": ``(input - 1) * stride + kernel``).
    The kernel has shape ``kernel_size + (input channels, n_filters)``.
    """

    def __init__(self, n_filters, input_shape, output_shape=None, kernel_size=(3, 3),
                 strides=(1, 1), padding="valid", channels_last=True, init=Uniform(-1, 1)):
        self._init_common(n_filters, input_shape, kernel_size, strides, padding,
                          channels_last, init)
        if output_shape is None:
            spatial = tuple(
                (i - 1) * s + (k if self.padding == "valid" else 1) for i, k, s in zip(
                    self.input_shape.spatial_shape, self.kernel_size, self.strides))
            output_shape = ChannelShape.from_space_and_channels(spatial, self.n_filters,
                                                                self.channels_last)
        self.output_shape = _as_channel_shape(output_shape, self.channels_last,
                                              "output_shape", self)
        self._check_output_shape()
        self.init = self._check_init(init)

    def _check_output_shape(self):
        out = self.output_shape
        if out.n_channels != self.n_filters or out.dimensions != self.dimensions:
            raise ValidationError(
                f"{out} must have {self.dimensions} spatial dimensions and n_filters = "
                f"{self.n_filters} channels", "output_shape", self)
        forward = tuple(_conv_out_size(o, k, s, self.padding) for o, k, s in zip(
            out.spatial_shape, self.kernel_size, self.strides))
        if forward != self.input_shape.spatial_shape:
            raise ValidationError(
                f"{out} would not convolve to input_shape {self.input_shape} (it gives "
                f"{forward}); choose an output_shape that does, or leave it None",
                "output_shape", self)

    @property
    def kernel_shape(self):
        """``kernel_size + (input channels, n_filters)``."""
        return self.kernel_size + (self.input_shape.n_channels, self.n_filters)

    def _index(self):
        if getattr(self, "_index_cache", None) is None:
            ins, outs = self.input_shape.spatial_shape, self.output_shape.spatial_shape
            pads = [_pad_before(o, i, k, s, self.padding) for i, o, k, s in zip(
                ins, outs, self.kernel_size, self.strides)]

            def position(axis, o, k):
                # output o receives input i where i * stride + k - pad == o
                return o + pads[axis] - k, self.strides[axis]

            self._index_cache = _window_index(outs, self.kernel_size, ins, position)
        return self._index_cache

    def apply(self, weights, x, xp=np):
        """Transposed convolution of ``x`` (shape ``(..., size_in)``) with ``weights``."""
        patches = self._gather(self._to_channels_last(x, self.input_shape, xp),
                               self._index(), xp)              # (..., P, K, C)
        c, f = self.kernel_shape[-2:]
        y = xp.einsum("...pkc,kcf->...pf", patches, xp.reshape(weights, (-1, c, f)))
        return self._from_channels_last(y, self.output_shape, xp)


Conv = Convolution
ConvTranspose = ConvolutionTranspose
