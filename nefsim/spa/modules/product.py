"""``spa.Product``: the product of two scalars, computed with neurons."""

from ..._validation import Default, check_int
from ...networks import Product as ProductNetwork
from ..network import Network


class Product(Network):
    """Outputs ``input_a * input_b`` for two scalar inputs.

    Parameters
    ----------
    n_neurons : int, optional
        Neurons of the underlying :class:`nefsim.networks.Product`.  Default 200.
    **kwargs
        ``label``, ``seed``, ``add_to_container``, ``vocabs`` of :class:`spa.Network`.

    Attributes
    ----------
    input_a, input_b, output : Node
        Scalar inputs and output.
    """

    _param_defaults = {"n_neurons": 200}

    def __init__(self, n_neurons=Default, **kwargs):
        super().__init__(**kwargs)
        n_neurons = check_int(self._arg("n_neurons", n_neurons), "n_neurons", self, low=2)
        with self:
            self.product = ProductNetwork(n_neurons, 1, label="product")
        self.input_a = self.declare_input(self.product.input_a, None)
        self.input_b = self.declare_input(self.product.input_b, None)
        self.output = self.declare_output(self.product.output, None)
