"""``Thalamus``: turns the basal ganglia's output into a clean one-hot action signal.

One ensemble per action, all starting from a bias of 1: the basal ganglia's output
(about 0 for the selected action, strongly negative for the others) leaves only the
winner active.  Positive-only encoders with intercepts above ``threshold`` make each
ensemble a rectifier, and mutual inhibition between the actions suppresses the rest.
"""

import numpy as np

from .._validation import check_int, check_number
from ..connection import Connection
from ..dists import Choice, Uniform
from ..network import Network
from ..node import Node
from .ensemblearray import EnsembleArray


class Thalamus(Network):
    """Passes through the action the basal ganglia selected, as a value near 1.

    Parameters
    ----------
    dimensions : int
        Number of actions.
    n_neurons_per_ensemble : int, optional
        Neurons per action (default 50).
    mutual_inhib : float, optional
        Strength of the inhibition each action's output exerts on the others (default 1).
    threshold : float, optional
        Lower bound of the neurons' intercepts (default 0): inputs below it give 0.
    **kwargs
        ``label`` (default ``"Thalamus"``), ``seed``, ``add_to_container``.

    Attributes
    ----------
    input, output : Node
        ``actions.input`` and ``actions.output``.
    actions : EnsembleArray
    bias : Node
        The constant 1 added to every action.
    """

    def __init__(self, dimensions, n_neurons_per_ensemble=50, mutual_inhib=1.0,
                 threshold=0.0, **kwargs):
        kwargs.setdefault("label", "Thalamus")
        self.label = kwargs["label"]  # lets the checks below name the network
        dimensions = check_int(dimensions, "dimensions", self, low=1)
        n = check_int(n_neurons_per_ensemble, "n_neurons_per_ensemble", self, low=1)
        mutual_inhib = check_number(mutual_inhib, "mutual_inhib", self)
        threshold = check_number(threshold, "threshold", self, low=-1, high=1, high_open=True)
        super().__init__(**kwargs)
        self.dimensions = dimensions

        with self:
            self.actions = EnsembleArray(n, dimensions, label="actions",
                                         encoders=Choice([[1.0]]),
                                         intercepts=Uniform(threshold, 1))
            Connection(self.actions.output, self.actions.input,
                       transform=(np.eye(dimensions) - 1) * mutual_inhib)
            self.bias = Node([1], label="thalamus bias")
            Connection(self.bias, self.actions.input, transform=np.ones((dimensions, 1)))
        self.input = self.actions.input
        self.output = self.actions.output
