"""``Oscillator``: a two-dimensional ensemble that rotates its state at a fixed frequency.

NEF dynamics (see :mod:`nefsim.networks.integrator`): the rotation
``dx/dt = [[0, -w], [w, 0]] x`` becomes the recurrent transform
``[[1, -w tau], [w tau, 1]]`` through a synapse of time constant ``tau``.  (Nengo 4 moved
this network out of its core; nefsim keeps it.)
"""

import numpy as np

from .._validation import check_int, check_number
from ..connection import Connection
from ..ensemble import Ensemble
from ..network import Network
from ..node import Node


class Oscillator(Network):
    """A stable oscillator: once kicked, its 2-D state circles at ``frequency``.

    Parameters
    ----------
    recurrent_tau : float
        Time constant (s) of the recurrent synapse and of the input synapse; the input is
        scaled by it (so an input ``u`` adds ``u`` per second to the state).
    frequency : float
        Angular frequency ``w`` in radians per second (``2 * pi * f`` for ``f`` Hz);
        positive values rotate counter-clockwise.
    n_neurons : int
        Number of neurons in the 2-D ensemble.
    **kwargs
        ``label`` (default ``"Oscillator"``), ``seed``, ``add_to_container``.

    Attributes
    ----------
    input : Node
        Size 2.
    ensemble : Ensemble
        The oscillating ensemble (also ``output``).
    """

    def __init__(self, recurrent_tau, frequency, n_neurons, **kwargs):
        kwargs.setdefault("label", "Oscillator")
        self.label = kwargs["label"]  # lets the checks below name the network
        recurrent_tau = check_number(recurrent_tau, "recurrent_tau", self, low=0,
                                     low_open=True)
        frequency = check_number(frequency, "frequency", self)
        n_neurons = check_int(n_neurons, "n_neurons", self, low=1)
        super().__init__(**kwargs)
        self.recurrent_tau, self.frequency = recurrent_tau, frequency
        rotation = frequency * recurrent_tau
        with self:
            self.input = Node(size_in=2, label="input")
            self.ensemble = Ensemble(n_neurons, dimensions=2, label="ensemble")
            Connection(self.ensemble, self.ensemble, synapse=recurrent_tau,
                       transform=np.array([[1.0, -rotation], [rotation, 1.0]]))
            Connection(self.input, self.ensemble, transform=recurrent_tau,
                       synapse=recurrent_tau)
        self.output = self.ensemble
