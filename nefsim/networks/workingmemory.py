"""``InputGatedMemory``: a vector memory that follows its input while the gate is open.

Two ensemble arrays: ``mem`` holds the value through a recurrent connection, ``diff``
represents ``input - mem`` and feeds it into ``mem``, pulling the memory towards the
input.  Closing the gate (``gate`` = 1) inhibits every ``diff`` neuron, so the memory
holds; ``reset`` = 1 inhibits the ``mem`` neurons, which lets the memory decay to zero.
"""

import numpy as np

from .._validation import check_int, check_number
from ..connection import Connection
from ..network import Network
from ..node import Node
from ..synapses import Synapse
from .ensemblearray import EnsembleArray

GATE_INHIBITION = -10.0  # current into each diff neuron per unit of gate (silences them)
RESET_INHIBITION = -3.0  # current into each mem neuron per unit of reset


class InputGatedMemory(Network):
    """Stores a vector; loads it from ``input`` while ``gate`` is 0, holds it at 1.

    Parameters
    ----------
    n_neurons : int
        Neurons per dimension in each of ``mem`` and ``diff``.
    dimensions : int
        Length of the stored vector.
    feedback : float, optional
        Gain of the memory's recurrent connection (1.0: no decay).
    difference_gain : float, optional
        Gain of ``diff`` into ``mem``: how fast the memory follows the input.
    recurrent_synapse : Synapse or float, optional
        Synapse of the recurrent connection (default 0.1 s).
    difference_synapse : Synapse or float, optional
        Synapse of ``diff`` into ``mem``; default: ``recurrent_synapse``.
    **kwargs
        ``label`` (default ``"Input gated memory"``), ``seed``, ``add_to_container``.

    Attributes
    ----------
    input : Node
        Vector to load (``diff.input``).
    gate : Node
        Size 1; 1 closes the gate (hold), 0 opens it (follow the input).
    reset : Node
        Size 1; 1 clears the memory.
    output : Node
        The stored vector (``mem.output``).
    mem, diff : EnsembleArray
    """

    def __init__(self, n_neurons, dimensions, feedback=1.0, difference_gain=1.0,
                 recurrent_synapse=0.1, difference_synapse=None, **kwargs):
        kwargs.setdefault("label", "Input gated memory")
        self.label = kwargs["label"]  # lets the checks below name the network
        n_neurons = check_int(n_neurons, "n_neurons", self, low=1)
        dimensions = check_int(dimensions, "dimensions", self, low=1)
        feedback = check_number(feedback, "feedback", self)
        difference_gain = check_number(difference_gain, "difference_gain", self)
        if difference_synapse is None:
            difference_synapse = recurrent_synapse
        for name, value in (("recurrent_synapse", recurrent_synapse),
                            ("difference_synapse", difference_synapse)):
            if not isinstance(value, Synapse):
                check_number(value, name, self, low=0)
        super().__init__(**kwargs)

        n_total = n_neurons * dimensions
        with self:
            self.mem = EnsembleArray(n_neurons, dimensions, label="mem")
            Connection(self.mem.output, self.mem.input, transform=feedback,
                       synapse=recurrent_synapse)
            self.diff = EnsembleArray(n_neurons, dimensions, label="diff")
            Connection(self.mem.output, self.diff.input, transform=-1)
            Connection(self.diff.output, self.mem.input, transform=difference_gain,
                       synapse=difference_synapse)

            self.gate = Node(size_in=1)
            self.diff.add_neuron_input()
            Connection(self.gate, self.diff.neuron_input, synapse=None,
                       transform=np.full((n_total, 1), GATE_INHIBITION))

            self.reset = Node(size_in=1)
            self.mem.add_neuron_input()
            Connection(self.reset, self.mem.neuron_input, synapse=None,
                       transform=np.full((n_total, 1), RESET_INHIBITION))
        self.input = self.diff.input
        self.output = self.mem.output
