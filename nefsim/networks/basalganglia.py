"""``BasalGanglia``: action selection by the Gurney, Prescott & Redgrave (2001) model.

Each dimension of the input is the utility of one action.  Five populations (one
ensemble per action in each) implement the model's circuit:

- striatum D1 (``strD1``) and D2 (``strD2``) get the utilities, with gains ``1 + lg`` and
  ``1 - le``; D1 inhibits GPi, D2 inhibits GPe, action by action;
- the subthalamic nucleus (``stn``) gets the utilities and excites GPi and GPe
  *diffusely* (every action drives every other);
- GPe inhibits GPi and STN action by action;
- GPi is the output: it is inhibited only for the best action, so after the output
  weight (-3 by default) the winner's output is near 0 and the losers' strongly negative.

Each population decodes a rectified-linear function ``m * max(x - e, 0)`` of its input,
with the threshold ``e`` and the intercepts of its neurons set to the model's values
(:class:`Weights`).  Their encoders are all +1 and the decoders are non-negative
(``NnlsL2nz``), as for real excitatory or inhibitory projections.  Following Stewart,
Choo & Eliasmith (2010), excitatory (AMPA) connections use a 2 ms synapse and inhibitory
(GABA-A) ones an 8 ms synapse.
"""

import numpy as np

from .._validation import check_int, check_number
from ..config import Config
from ..connection import Connection
from ..dists import Choice, Uniform
from ..ensemble import Ensemble
from ..exceptions import ValidationError
from ..network import Network
from ..node import Node
from ..solvers import NnlsL2nz
from ..synapses import Lowpass
from ._util import default_synapse
from .ensemblearray import EnsembleArray


def _rectified(x, slope, threshold):
    """``slope * max(x - threshold, 0)``: the output function of one population."""
    return np.where(x < threshold, 0.0, slope * (x - threshold))


class Weights:
    """Parameters of the Gurney, Prescott & Redgrave basal ganglia model.

    ``m*``: slopes of the populations' output functions; ``w*``: connection weights;
    ``e*``: thresholds (and intercept lower bounds) of the populations; ``lg``/``le``:
    dopamine-like gains on the D1/D2 striatal input.
    """

    mm, mp, me, mg = 1, 1, 1, 1  # slopes: striatum, STN, GPe, GPi
    ws = 1  # input -> striatum
    wt = 1  # input -> STN
    wm = 1  # striatum -> GPi/GPe (inhibitory)
    wg = 1  # GPe -> STN (inhibitory)
    wp = 0.9  # STN -> GPi/GPe (excitatory, diffuse)
    we = 0.3  # GPe -> GPi (inhibitory)
    e = 0.2  # striatum threshold
    ep = -0.25  # STN threshold
    ee = -0.2  # GPe threshold
    eg = -0.2  # GPi threshold
    le = 0.2  # D2 striatum input gain reduction
    lg = 0.2  # D1 striatum input gain increase

    @classmethod
    def str_func(cls, x):
        return _rectified(x, cls.mm, cls.e)

    @classmethod
    def stn_func(cls, x):
        return _rectified(x, cls.mp, cls.ep)

    @classmethod
    def gpe_func(cls, x):
        return _rectified(x, cls.me, cls.ee)

    @classmethod
    def gpi_func(cls, x):
        return _rectified(x, cls.mg, cls.eg)


def _population_config():
    """Radius 1.5, positive encoders and non-negative decoders for all five populations."""
    config = Config(Ensemble, Connection)
    config[Ensemble].radius = 1.5
    config[Ensemble].encoders = Choice([[1.0]])
    config[Connection].solver = NnlsL2nz()
    return config


class BasalGanglia(Network):
    """Selects the largest of ``dimensions`` utilities (winner's output ~0, others < 0).

    Parameters
    ----------
    dimensions : int
        Number of actions.
    n_neurons_per_ensemble : int, optional
        Neurons per action in each of the five populations (default 100).
    output_weight : float, optional
        Scale of the GPi output (default -3.0): the losers' outputs are about this times
        their GPi activity.
    input_bias : float, optional
        Constant added to every utility (default 0.0; the model works best for utilities
        between about 0.5 and 1).
    ampa_config, gaba_config : Config, optional
        Configs for the excitatory / inhibitory connections; their Connection ``synapse``
        defaults to ``Lowpass(0.002)`` / ``Lowpass(0.008)`` unless they set one.
    **kwargs
        ``label`` (default ``"Basal Ganglia"``), ``seed``, ``add_to_container``.

    Attributes
    ----------
    input, output : Node
    strD1, strD2, stn, gpi, gpe : EnsembleArray
    bias_input : Node or None
        The constant ``input_bias`` source (None when the bias is 0).
    """

    def __init__(self, dimensions, n_neurons_per_ensemble=100, output_weight=-3.0,
                 input_bias=0.0, ampa_config=None, gaba_config=None, **kwargs):
        kwargs.setdefault("label", "Basal Ganglia")
        self.label = kwargs["label"]  # lets the checks below name the network
        dimensions = check_int(dimensions, "dimensions", self, low=1)
        n = check_int(n_neurons_per_ensemble, "n_neurons_per_ensemble", self, low=1)
        output_weight = check_number(output_weight, "output_weight", self)
        input_bias = check_number(input_bias, "input_bias", self)
        for name, config in (("ampa_config", ampa_config), ("gaba_config", gaba_config)):
            if config is not None and not isinstance(config, Config):
                raise ValidationError(f"must be a Config or None (got {config!r})", name,
                                      self)
        super().__init__(**kwargs)
        self.dimensions = dimensions

        with self, _population_config():
            self.strD1 = EnsembleArray(n, dimensions, label="Striatal D1 neurons",
                                       intercepts=Uniform(Weights.e, 1))
            self.strD2 = EnsembleArray(n, dimensions, label="Striatal D2 neurons",
                                       intercepts=Uniform(Weights.e, 1))
            self.stn = EnsembleArray(n, dimensions, label="Subthalamic nucleus",
                                     intercepts=Uniform(Weights.ep, 1))
            self.gpi = EnsembleArray(n, dimensions, label="Globus pallidus internus",
                                     intercepts=Uniform(Weights.eg, 1))
            self.gpe = EnsembleArray(n, dimensions, label="Globus pallidus externus",
                                     intercepts=Uniform(Weights.ee, 1))
            self.input = Node(size_in=dimensions, label="input")
            self.output = Node(size_in=dimensions, label="output")
            self.bias_input = None
            if input_bias != 0:
                self.bias_input = Node(np.ones(dimensions) * input_bias,
                                       label="basal ganglia bias")
                Connection(self.bias_input, self.input)
            self._wire(dimensions, output_weight, ampa_config, gaba_config)

    def _wire(self, dimensions, output_weight, ampa_config, gaba_config):
        W = Weights
        Connection(self.input, self.strD1.input, transform=W.ws * (1 + W.lg), synapse=None)
        Connection(self.input, self.strD2.input, transform=W.ws * (1 - W.le), synapse=None)
        Connection(self.input, self.stn.input, transform=W.wt, synapse=None)

        str1 = self.strD1.add_output("func_str", W.str_func)
        str2 = self.strD2.add_output("func_str", W.str_func)
        with default_synapse(gaba_config, Lowpass(0.008)) as gaba:
            with gaba:
                Connection(str1, self.gpi.input, transform=-W.wm)
                Connection(str2, self.gpe.input, transform=-W.wm)

        diffuse = W.wp * np.ones((dimensions, dimensions))
        stn = self.stn.add_output("func_stn", W.stn_func)
        with default_synapse(ampa_config, Lowpass(0.002)) as ampa:
            with ampa:
                Connection(stn, self.gpi.input, transform=diffuse)
                Connection(stn, self.gpe.input, transform=diffuse)

        gpe = self.gpe.add_output("func_gpe", W.gpe_func)
        with default_synapse(gaba_config, Lowpass(0.008)) as gaba:
            with gaba:
                Connection(gpe, self.gpi.input, transform=-W.we)
                Connection(gpe, self.stn.input, transform=-W.wg)

        gpi = self.gpi.add_output("func_gpi", W.gpi_func)
        Connection(gpi, self.output, synapse=None, transform=output_weight)
