"""nefsim: a fast, Nengo-compatible simulator for Neural Engineering Framework models.

``import nefsim as nengo`` runs typical Nengo 4 scripts: the names below follow Nengo's
modelling API.  Internals live in :mod:`nefsim.build` (NEF maths → IR) and
:mod:`nefsim.backends` (the IR's interpreters).
"""

__version__ = "0.1.0"

from . import (dists, exceptions, learning_rules, networks, neurons, presets, processes,
               solvers, synapses, transforms, utils)
from ._validation import Default
from .config import Config
from .connection import Connection
from .dists import (
    Choice,
    Exponential,
    Gaussian,
    Samples,
    ScatteredHypersphere,
    Uniform,
    UniformHypersphere,
)
from .ensemble import Ensemble, Neurons
from .learning_rules import BCM, PES, RLS, LearningRule, Oja, Voja
from .network import Network
from .neurons import (
    LIF,
    AdaptiveLIF,
    AdaptiveLIFRate,
    Direct,
    Izhikevich,
    LIFRate,
    PoissonSpiking,
    RectifiedLinear,
    RegularSpiking,
    Sigmoid,
    SpikingRectifiedLinear,
    StochasticSpiking,
    Tanh,
)
from .node import Node
from .probe import Probe
from .processes import (
    BrownNoise,
    FilteredNoise,
    Piecewise,
    PresentInput,
    Process,
    WhiteNoise,
    WhiteSignal,
)
from .simulator import Simulator
from .params_io import load_params
from .synapses import Alpha, LinearFilter, Lowpass, Synapse, Triangle
from .transforms import Convolution, Dense, NoTransform, Sparse

__all__ = [
    "load_params", "AdaptiveLIF", "AdaptiveLIFRate", "Alpha", "BCM", "BrownNoise", "Choice", "Config",
    "Connection", "Convolution", "Default", "Dense", "Direct", "Ensemble", "Exponential",
    "FilteredNoise", "Gaussian", "Izhikevich", "LIF", "LIFRate", "LearningRule",
    "LinearFilter", "Lowpass", "Network", "Neurons", "NoTransform", "Node", "Oja", "PES",
    "Piecewise", "PoissonSpiking", "PresentInput", "Probe", "Process", "RLS",
    "RectifiedLinear", "RegularSpiking", "Samples", "ScatteredHypersphere", "Sigmoid",
    "Simulator", "Sparse", "SpikingRectifiedLinear", "StochasticSpiking", "Synapse", "Tanh",
    "Triangle", "Uniform", "UniformHypersphere", "Voja", "WhiteNoise", "WhiteSignal",
    "dists", "exceptions", "learning_rules", "networks", "neurons", "presets", "processes", "solvers", "synapses",
    "transforms", "utils",
]
