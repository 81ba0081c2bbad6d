"""Selection networks behind the SPA associative memories: Thresholding, WTA and IA.

Each network has ``n_ensembles`` channels, one per stored item; ``input`` receives each
item's similarity with the memory's input and ``output`` gives each item's activation.
They are plain :class:`nefsim.Network` objects built on
:class:`nefsim.networks.EnsembleArray`.

- :class:`Thresholding`: channel ``i`` represents ``x_i = s_i - threshold`` with
  positive-only encoders and intercepts just above 0, so it is silent (outputs exactly
  0) for ``s_i <= threshold`` and outputs ``function(x_i)`` above (by default
  ``x_i + threshold``, i.e. the similarity itself).
- :class:`WTA`: thresholding plus lateral inhibition: each channel's output is
  subtracted (times ``inhibit_scale``) from the input of every other channel, so one
  clearly best item silences the rest.
- :class:`IA` (independent accumulators, a simplified version): each channel
  integrates its similarity in a rectified integrator; the first accumulator to pass
  ``accum_threshold`` switches on its output (1) and drives the other accumulators
  down.  The winner is kept until ``input_reset`` (1 = reset) clears the accumulators.
"""

import numpy as np

from ..._validation import check_int, check_number
from ...connection import Connection
from ...dists import Choice, Exponential, Uniform
from ...network import Network
from ...networks import EnsembleArray
from ...node import Node

INTERCEPT_WIDTH = 0.15  # spread of the thresholding intercepts above 0
RESET_INHIBITION = 3.0  # weight of input_reset on every accumulator neuron


class Thresholding(Network):
    """Channels that pass their input only above ``threshold``.

    Parameters
    ----------
    n_neurons : int
        Neurons per channel.
    n_ensembles : int
        Number of channels.
    threshold : float
        Input value at which a channel starts to respond.
    function : callable, optional
        Output of a channel as a function of ``x = input - threshold`` (``x > 0``);
        default ``x + threshold``.
    intercept_width : float, optional
        Scale of the exponential distribution of intercepts above 0.  Default 0.15.
    **kwargs
        ``label``, ``seed``, ``add_to_container``.

    Attributes
    ----------
    input, output : Node
    thresholded : EnsembleArray
    """

    def __init__(self, n_neurons, n_ensembles, threshold, function=None,
                 intercept_width=INTERCEPT_WIDTH, **kwargs):
        super().__init__(**kwargs)
        self.threshold = check_number(threshold, "threshold", self, low=-1, high=1,
                                      high_open=True)
        n_ensembles = check_int(n_ensembles, "n_ensembles", self, low=1)
        threshold = self.threshold
        if function is None:
            def function(x):
                return x + threshold
        with self:
            self.bias = Node([1.0], label="bias")
            self.thresholded = EnsembleArray(
                n_neurons, n_ensembles, label="thresholded", encoders=Choice([[1.0]]),
                intercepts=Exponential(intercept_width, 0.0, 1.0),
                eval_points=Uniform(0.0, 1.1 - threshold))
            self.input = self.thresholded.input
            Connection(self.bias, self.input, transform=np.full((n_ensembles, 1), -threshold),
                       synapse=None)
            self.output = self.thresholded.add_output("thresholded_output", function)


class WTA(Thresholding):
    """Thresholding channels that inhibit each other (winner take all).

    Parameters
    ----------
    n_neurons, n_ensembles, threshold, function, intercept_width
        As for :class:`Thresholding`.
    inhibit_scale : float, optional
        Weight of each channel's output on every other channel's input.  Default 1.
    inhibit_synapse : float, optional
        Synapse of the lateral inhibition.  Default 0.005.
    """

    def __init__(self, n_neurons, n_ensembles, threshold, function=None,
                 intercept_width=INTERCEPT_WIDTH, inhibit_scale=1.0, inhibit_synapse=0.005,
                 **kwargs):
        super().__init__(n_neurons, n_ensembles, threshold, function=function,
                         intercept_width=intercept_width, **kwargs)
        self.inhibit_scale = check_number(inhibit_scale, "inhibit_scale", self, low=0)
        lateral = -self.inhibit_scale * (1.0 - np.eye(n_ensembles))
        with self:
            Connection(self.output, self.input, transform=lateral, synapse=inhibit_synapse)


class IA(Network):
    """Independent accumulators: the first item to accumulate enough evidence wins.

    Parameters
    ----------
    n_neurons : int
        Neurons per thresholding (output) channel.
    n_ensembles : int
        Number of items.
    accum_threshold : float, optional
        Accumulated evidence at which an item wins.  Default 0.8.
    accum_neurons : int, optional
        Neurons per accumulator.  Default ``n_neurons``.
    accum_timescale : float, optional
        Time (s) a constant input of 1 takes to accumulate 1.  Default 0.2.
    accum_synapse : float, optional
        Synapse of the accumulators' recurrent connections.  Default 0.1.
    inhibit_scale : float, optional
        Weight of a winner's output on the other accumulators' inputs.  Default 1.
    **kwargs
        ``label``, ``seed``, ``add_to_container``.

    Attributes
    ----------
    input, output, input_reset : Node
    accumulators, thresholded : EnsembleArray
    """

    def __init__(self, n_neurons, n_ensembles, accum_threshold=0.8, accum_neurons=None,
                 accum_timescale=0.2, accum_synapse=0.1, inhibit_scale=1.0, **kwargs):
        super().__init__(**kwargs)
        n_ensembles = check_int(n_ensembles, "n_ensembles", self, low=1)
        self.accum_threshold = check_number(accum_threshold, "accum_threshold", self, low=0,
                                            high=1, low_open=True, high_open=True)
        accum_neurons = n_neurons if accum_neurons is None else accum_neurons
        self.accum_timescale = check_number(accum_timescale, "accum_timescale", self, low=0,
                                            low_open=True)
        self.accum_synapse = check_number(accum_synapse, "accum_synapse", self, low=0,
                                          low_open=True)
        self.inhibit_scale = check_number(inhibit_scale, "inhibit_scale", self, low=0)
        with self:
            self.input = Node(size_in=n_ensembles, label="input")
            self.input_reset = Node(size_in=1, label="input_reset")
            # rectified integrators: positive encoders, so they never go below 0
            self.accumulators = EnsembleArray(
                accum_neurons, n_ensembles, label="accumulators", encoders=Choice([[1.0]]),
                intercepts=Uniform(0.0, 0.1), eval_points=Uniform(0.0, 1.0))
            Connection(self.accumulators.output, self.accumulators.input,
                       synapse=self.accum_synapse)
            Connection(self.input, self.accumulators.input, synapse=self.accum_synapse,
                       transform=self.accum_synapse / self.accum_timescale)
            neuron_input = self.accumulators.add_neuron_input()
            Connection(self.input_reset, neuron_input, synapse=None,
                       transform=np.full((neuron_input.size_in, 1), -RESET_INHIBITION))
            self.thresholded = EnsembleArray(
                n_neurons, n_ensembles, label="thresholded", encoders=Choice([[1.0]]),
                intercepts=Exponential(INTERCEPT_WIDTH, self.accum_threshold, 1.0),
                eval_points=Uniform(self.accum_threshold, 1.1))
            Connection(self.accumulators.output, self.thresholded.input)
            self.output = self.thresholded.add_output("winner", np.ones_like)
            lateral = -self.inhibit_scale * (1.0 - np.eye(n_ensembles))
            Connection(self.output, self.accumulators.input, transform=lateral)
