"""Library networks with Nengo 4.1's names, arguments and behaviour (``nengo.networks``).

Built only from nefsim's public modelling API (Network, Ensemble, Node, Connection,
Config, distributions, solvers, synapses), never from the builder or backends.
``Integrator`` and ``Oscillator`` left Nengo's core in 4.0; nefsim keeps them.
"""

from .associativememory import AssociativeMemory
from .basalganglia import BasalGanglia
from .circularconvolution import CircularConvolution, circconv
from .ensemblearray import EnsembleArray
from .integrator import Integrator
from .oscillator import Oscillator
from .presets import ThresholdingEnsembles
from .product import Product
from .thalamus import Thalamus
from .workingmemory import InputGatedMemory

__all__ = [
    "AssociativeMemory", "BasalGanglia", "CircularConvolution", "EnsembleArray",
    "InputGatedMemory", "Integrator", "Oscillator", "Product", "Thalamus",
    "ThresholdingEnsembles", "circconv",
]
