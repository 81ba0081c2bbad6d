"""``CircularConvolution``: binds two vectors by circular convolution, with spiking neurons.

Circular convolution is element-wise multiplication in the Fourier domain:
``c = IDFT(DFT(a) * DFT(b))``.  The network applies fixed linear maps (no neurons) that
take ``a`` and ``b`` to the real and imaginary parts of their DFT coefficients, multiplies
those with a :class:`~nefsim.networks.Product`, and maps the products back with the
inverse DFT.  Since the inputs are real, only the coefficients ``k = 0 .. D // 2`` are
needed (the others are their complex conjugates).

Each complex product ``A_k B_k`` needs four real products::

    Re(A_k B_k) = Re A_k Re B_k - Im A_k Im B_k
    Im(A_k B_k) = Re A_k Im B_k + Im A_k Re B_k

so the product network has ``4 * (D // 2 + 1)`` dimensions, laid out per coefficient as
``[Re A Re B, Im A Im B, Re A Im B, Im A Re B]``.  This module also holds the NumPy
reference :func:`circconv` and the transform helpers.
"""

import numpy as np

from .._validation import check_bool, check_int, check_number
from ..connection import Connection
from ..exceptions import ValidationError
from ..network import Network
from ..node import Node
from .product import Product, TwoInputs


def circconv(a, b, invert_a=False, invert_b=False, axis=-1):
    """Circular convolution of ``a`` and ``b`` along ``axis`` (NumPy reference).

    ``invert_a`` / ``invert_b`` use the approximate inverse (involution)
    ``x'[i] = x[-i mod D]`` of that operand, whose DFT is the complex conjugate; binding
    with an inverse is how a bound vector is unbound.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    n = a.shape[axis]
    if b.shape[axis] != n:
        raise ValidationError(f"must have the same length as a along axis {axis} (got "
                              f"{b.shape[axis]}, a has {n})", "circconv.b")
    fa, fb = np.fft.rfft(a, axis=axis), np.fft.rfft(b, axis=axis)
    if invert_a:
        fa = fa.conj()
    if invert_b:
        fb = fb.conj()
    return np.fft.irfft(fa * fb, n=n, axis=axis)


def dft_half(n):
    """The first ``n // 2 + 1`` rows of the ``n``-point DFT matrix, ``exp(-2 pi i k j / n)``."""
    k = np.arange(n // 2 + 1)[:, np.newaxis]
    j = np.arange(n)[np.newaxis, :]
    return np.exp((-2j * np.pi / n) * (k * j))


def transform_in(dims, align, invert):
    """Map from one input vector to its four DFT factors per coefficient.

    Parameters
    ----------
    dims : int
        Vector length ``D``.
    align : {"A", "B"}
        Which operand: rows follow ``[Re, Im, Re, Im]`` for A and ``[Re, Im, Im, Re]`` for
        B, so that row ``r`` of the two maps gives the two factors of product ``r``.
    invert : bool
        Use the operand's inverse (conjugate its spectrum).

    Returns
    -------
    (4 * (dims // 2 + 1), dims) array
    """
    if align not in ("A", "B"):
        raise ValidationError(f"must be 'A' or 'B' (got {align!r})", "transform_in.align")
    spectrum = dft_half(dims)
    re, im = spectrum.real, (-spectrum.imag if invert else spectrum.imag)
    rows = (re, im, re, im) if align == "A" else (re, im, im, re)
    return np.stack(rows, axis=1).reshape(-1, dims)


def transform_out(dims):
    """Map from the ``4 * (dims // 2 + 1)`` products back to the convolved vector.

    The real inverse DFT of the half spectrum ``C``:
    ``c[j] = (1/D) sum_k m_k (Re C_k cos(2 pi k j / D) - Im C_k sin(2 pi k j / D))`` with
    ``m_k = 2`` for the coefficients that stand for a conjugate pair, and ``m_k = 1`` for
    ``k = 0`` and (for even ``D``) ``k = D / 2``.
    """
    spectrum = dft_half(dims).conj()  # exp(+2 pi i k j / D): cos and sin of the phases
    multiplicity = np.full((spectrum.shape[0], 1), 2.0)
    multiplicity[0] = 1.0
    if dims % 2 == 0:
        multiplicity[-1] = 1.0
    cos, sin = multiplicity * spectrum.real, multiplicity * spectrum.imag
    # columns per coefficient: [Re A Re B, Im A Im B, Re A Im B, Im A Re B]
    cols = np.stack((cos, -cos, -sin, -sin), axis=1).reshape(-1, dims) / dims
    return cols.T


def remove_imag_rows(tr):
    """Drop the product rows of a ``transform_in`` matrix that are zero for any input.

    The DFT coefficients ``k = 0`` and (for even ``D``) ``k = D / 2`` of a real vector are
    real, so the three products of each that involve an imaginary part are always zero:
    the ``4 * (D // 2 + 1)`` products shrink to ``2 * D - 2`` (even ``D``) or
    ``2 * D - 1`` (odd ``D``).  Apply it to both
    ``transform_in`` maps, and to the columns of ``transform_out`` with
    ``remove_imag_rows(tr_out.T).T``.

    Nengo has a helper of this name that leaves its argument unchanged (a known slip), so
    Nengo's network keeps those rows; :class:`CircularConvolution` keeps them too (see
    its Notes).  This function really removes them.
    """
    tr = np.asarray(tr)
    dims = tr.shape[1]
    n_coeffs = dims // 2 + 1
    if tr.shape[0] != 4 * n_coeffs:
        raise ValidationError(f"must have 4 * (D // 2 + 1) = {4 * n_coeffs} rows for "
                              f"D = {dims} columns (got {tr.shape[0]})", "remove_imag_rows.tr")
    real_coeffs = [0, n_coeffs - 1] if dims % 2 == 0 else [0]
    drop = [4 * k + i for k in real_coeffs for i in (1, 2, 3)]
    return np.delete(tr, drop, axis=0)


class CircularConvolution(TwoInputs, Network):
    """Computes the circular convolution of ``input_a`` and ``input_b``.

    Parameters
    ----------
    n_neurons : int
        Neurons per product dimension (see :class:`~nefsim.networks.Product`): the
        network has ``4 * (dimensions // 2 + 1)`` product dimensions, each with two
        ensembles of ``n_neurons // 2`` neurons.
    dimensions : int
        Length ``D`` of the vectors.
    invert_a, invert_b : bool, optional
        Convolve with the inverse (involution) of that input instead; e.g.
        ``invert_b=True`` unbinds ``b`` from ``a``.  Default False.
    input_magnitude : float, optional
        Expected magnitude of the input vectors (default 1.0); the product network is
        sized for DFT factors up to twice this.
    **kwargs
        ``label`` (default ``"Circular convolution"``), ``seed``, ``add_to_container``.

    Attributes
    ----------
    input_a, input_b : Node
        The two inputs (also ``A`` and ``B``).
    output : Node
        The convolution.
    product : Product
        The product network working on the DFT factors.

    Notes
    -----
    The network keeps the rows that :func:`remove_imag_rows` would drop (6 of 132 product
    dimensions for ``D = 64``; they carry a constant zero), exactly as Nengo's network
    does, so it has Nengo's neuron count and object order and a seeded model gives
    Nengo's results.
    """

    def __init__(self, n_neurons, dimensions, invert_a=False, invert_b=False,
                 input_magnitude=1.0, **kwargs):
        kwargs.setdefault("label", "Circular convolution")
        self.label = kwargs["label"]  # lets the checks below name the network
        n_neurons = check_int(n_neurons, "n_neurons", self, low=2)
        dimensions = check_int(dimensions, "dimensions", self, low=1)
        invert_a = check_bool(invert_a, "invert_a", self)
        invert_b = check_bool(invert_b, "invert_b", self)
        input_magnitude = check_number(input_magnitude, "input_magnitude", self, low=0,
                                       low_open=True)
        super().__init__(**kwargs)
        self.dimensions = dimensions
        self.invert_a, self.invert_b = invert_a, invert_b
        self.input_magnitude = input_magnitude

        tr_a = transform_in(dimensions, "A", invert_a)
        tr_b = transform_in(dimensions, "B", invert_b)
        tr_out = transform_out(dimensions)
        with self:
            self.input_a = Node(size_in=dimensions, label="input_a")
            self.input_b = Node(size_in=dimensions, label="input_b")
            self.product = Product(n_neurons, tr_out.shape[1],
                                   input_magnitude=2 * input_magnitude)
            self.output = Node(size_in=dimensions, label="output")
            Connection(self.input_a, self.product.input_a, transform=tr_a, synapse=None)
            Connection(self.input_b, self.product.input_b, transform=tr_b, synapse=None)
            Connection(self.product.output, self.output, transform=tr_out, synapse=None)
