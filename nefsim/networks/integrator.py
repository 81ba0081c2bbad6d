"""``Integrator``: an ensemble whose recurrent connection makes it integrate its input.

NEF dynamics: to implement ``dx/dt = A x + B u`` with a first-order synapse of time
constant ``tau``, use the recurrent transform ``tau * A + I`` and the input transform
``tau * B`` through the same synapse.  An integrator is ``A = 0``, ``B = I``.  (Nengo 4
moved this network out of its core; nefsim keeps it.)
"""

from .._validation import check_int, check_number
from ..connection import Connection
from ..ensemble import Ensemble
from ..network import Network
from ..node import Node


class Integrator(Network):
    """Integrates its input over time: ``output(t) ~ integral of input``.

    Parameters
    ----------
    recurrent_tau : float
        Time constant (s) of the recurrent synapse and the input synapse; the input is
        scaled by it.  Longer values give a more stable memory.
    n_neurons : int
        Number of neurons in the ensemble.
    dimensions : int
        Number of integrated dimensions.
    **kwargs
        ``label`` (default ``"Integrator"``), ``seed``, ``add_to_container``.

    Attributes
    ----------
    input : Node
    ensemble : Ensemble
        The integrating ensemble (also ``output``).
    """

    def __init__(self, recurrent_tau, n_neurons, dimensions, **kwargs):
        kwargs.setdefault("label", "Integrator")
        self.label = kwargs["label"]  # lets the checks below name the network
        recurrent_tau = check_number(recurrent_tau, "recurrent_tau", self, low=0,
                                     low_open=True)
        n_neurons = check_int(n_neurons, "n_neurons", self, low=1)
        dimensions = check_int(dimensions, "dimensions", self, low=1)
        super().__init__(**kwargs)
        self.recurrent_tau = recurrent_tau
        with self:
            self.input = Node(size_in=dimensions, label="input")
            self.ensemble = Ensemble(n_neurons, dimensions=dimensions, label="ensemble")
            Connection(self.ensemble, self.ensemble, synapse=recurrent_tau)
            Connection(self.input, self.ensemble, transform=recurrent_tau,
                       synapse=recurrent_tau)
        self.output = self.ensemble
