"""``Product``: the element-wise product of two vectors, computed by spiking neurons.

Uses ``a * b = ((a + b)^2 - (a - b)^2) / 4``: two ensemble arrays represent
``(a + b) / sqrt(2)`` and ``(a - b) / sqrt(2)``, each decodes its square, and the output is
half the difference of the squares.  Squaring one-dimensional values is far easier for
neurons than representing the two-dimensional ``(a, b)`` and decoding its product.
"""

import numpy as np

from .._validation import check_int, check_number
from ..connection import Connection
from ..network import Network
from ..node import Node
from .ensemblearray import EnsembleArray


class TwoInputs:
    """Nengo's ``A``/``B`` aliases of a network's ``input_a``/``input_b``."""

    @property
    def A(self):  # noqa: N802 - Nengo's name
        """Alias of ``input_a``."""
        return self.input_a

    @property
    def B(self):  # noqa: N802 - Nengo's name
        """Alias of ``input_b``."""
        return self.input_b


class Product(TwoInputs, Network):
    """Computes the element-wise product of ``input_a`` and ``input_b``.

    Parameters
    ----------
    n_neurons : int
        Neurons per product dimension; each of the two squaring ensembles gets
        ``n_neurons // 2``.
    dimensions : int
        Length of the two input vectors (and of the output).
    input_magnitude : float, optional
        Largest expected magnitude of an input element; the squaring ensembles get
        radius ``sqrt(2) * input_magnitude``.  Default 1.0.
    **kwargs
        ``label`` (default ``"Product"``), ``seed``, ``add_to_container``.

    Attributes
    ----------
    input_a, input_b : Node
        The two inputs (also available as ``A`` and ``B``).
    output : Node
        The product.
    sq1, sq2 : EnsembleArray
        The arrays squaring ``(a + b) / sqrt(2)`` and ``(a - b) / sqrt(2)``.
    """

    def __init__(self, n_neurons, dimensions, input_magnitude=1.0, **kwargs):
        kwargs.setdefault("label", "Product")
        self.label = kwargs["label"]  # lets the checks below name the network
        n_neurons = check_int(n_neurons, "n_neurons", self, low=2)
        dimensions = check_int(dimensions, "dimensions", self, low=1)
        input_magnitude = check_number(input_magnitude, "input_magnitude", self, low=0,
                                       low_open=True)
        super().__init__(**kwargs)
        self.dimensions = dimensions
        self.input_magnitude = input_magnitude

        scale = 1.0 / np.sqrt(2.0)
        with self:
            self.input_a = Node(size_in=dimensions, label="input_a")
            self.input_b = Node(size_in=dimensions, label="input_b")
            self.output = Node(size_in=dimensions, label="output")
            radius = input_magnitude * np.sqrt(2.0)
            self.sq1 = EnsembleArray(n_neurons // 2, n_ensembles=dimensions, radius=radius)
            self.sq2 = EnsembleArray(n_neurons // 2, n_ensembles=dimensions, radius=radius)
            Connection(self.input_a, self.sq1.input, transform=scale, synapse=None)
            Connection(self.input_b, self.sq1.input, transform=scale, synapse=None)
            Connection(self.input_a, self.sq2.input, transform=scale, synapse=None)
            Connection(self.input_b, self.sq2.input, transform=-scale, synapse=None)
            square1 = self.sq1.add_output("square", np.square)
            Connection(square1, self.output, transform=0.5, synapse=None)
            square2 = self.sq2.add_output("square", np.square)
            Connection(square2, self.output, transform=-0.5, synapse=None)
