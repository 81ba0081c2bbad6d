"""``spa.Scalar``: an ensemble representing one number."""

from ..._validation import Default, check_int
from ...ensemble import Ensemble
from ..network import Network


class Scalar(Network):
    """Represents a scalar with one ensemble (both ``input`` and ``output``).

    Parameters
    ----------
    n_neurons : int, optional
        Neurons of the ensemble.  Default 50.
    **kwargs
        ``label``, ``seed``, ``add_to_container``, ``vocabs`` of :class:`spa.Network`.

    Attributes
    ----------
    scalar : Ensemble
        The one-dimensional ensemble; ``input`` and ``output`` are this ensemble.
    """

    _param_defaults = {"n_neurons": 50}

    def __init__(self, n_neurons=Default, **kwargs):
        super().__init__(**kwargs)
        n_neurons = check_int(self._arg("n_neurons", n_neurons), "n_neurons", self, low=1)
        with self:
            self.scalar = Ensemble(n_neurons, 1, label="scalar")
        self.input = self.declare_input(self.scalar, None)
        self.output = self.declare_output(self.scalar, None)
