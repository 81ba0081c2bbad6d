"""``spa.Compare``: the dot product of two Semantic Pointers, computed with neurons."""

import numpy as np

from ..._validation import Default, check_int, check_number
from ...connection import Connection
from ...networks import Product
from ...node import Node
from ..network import Network


class Compare(Network):
    """Outputs the scalar ``dot(input_a, input_b)`` of two pointers of ``vocab``.

    The element-wise products come from a :class:`nefsim.networks.Product` and are summed
    by the connection into ``output``.

    Parameters
    ----------
    vocab : Vocabulary or int
        Vocabulary of both inputs.
    neurons_per_multiply : int, optional
        Neurons per element-wise product.  Default 200.
    input_magnitude : float, optional
        Largest expected magnitude of an input element.  Default 1.
    **kwargs
        ``label``, ``seed``, ``add_to_container``, ``vocabs`` of :class:`spa.Network`.

    Attributes
    ----------
    input_a, input_b : Node
        Inputs (values of ``vocab``).
    output : Node
        The dot product (a scalar).
    """

    _param_defaults = {"vocab": None, "neurons_per_multiply": 200, "input_magnitude": 1.0}

    def __init__(self, vocab=Default, neurons_per_multiply=Default, input_magnitude=Default,
                 **kwargs):
        super().__init__(**kwargs)
        self.vocab = self.get_vocab(self._arg("vocab", vocab))
        self.neurons_per_multiply = check_int(
            self._arg("neurons_per_multiply", neurons_per_multiply), "neurons_per_multiply",
            self, low=2)
        self.input_magnitude = check_number(self._arg("input_magnitude", input_magnitude),
                                            "input_magnitude", self, low=0, low_open=True)
        d = self.vocab.dimensions
        with self:
            self.product = Product(self.neurons_per_multiply, d,
                                   input_magnitude=self.input_magnitude, label="product")
            self.output = Node(size_in=1, label="output")
            Connection(self.product.output, self.output, transform=np.ones((1, d)),
                       synapse=None)
        self.input_a = self.declare_input(self.product.input_a, self.vocab)
        self.input_b = self.declare_input(self.product.input_b, self.vocab)
        self.declare_output(self.output, None)
