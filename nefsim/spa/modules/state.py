"""``spa.State``: neurons representing a Semantic Pointer, optionally with feedback memory.

A State splits its ``d`` dimensions into ``d / subdimensions`` pieces, each represented by
one ensemble of an :class:`nefsim.networks.EnsembleArray`.  The pieces of a random unit
vector are short (about ``sqrt(subdimensions / d)``), so the ensembles are tuned to that
range instead of to the unit ball: evaluation points are pieces of points drawn uniformly
from the ``d``-dimensional unit ball (:class:`SubvectorPoints`), and intercepts follow the
distribution of one coordinate of such points (``CosineSimilarity(d + 2)``).

The circular-convolution identity ``[1, 0, ..., 0]`` breaks that assumption: its first
piece has length 1.  With ``represent_cc_identity=True`` (and more than one piece), the
first coordinate is represented by its own one-dimensional ensemble (tuned to [-1, 1])
and removed from the array's input and output, so the identity is represented as well
as any random pointer.
"""

import numpy as np

from ..._validation import Default, check_bool, check_int, check_number
from ...connection import Connection
from ...dists import CosineSimilarity, Distribution
from ...ensemble import Ensemble
from ...exceptions import ValidationError
from ...networks import EnsembleArray
from ...node import Node
from ..network import Network


class SubvectorPoints(Distribution):
    """The first ``subdimensions`` coordinates of points uniform in the unit ``dimensions``-ball.

    Parameters
    ----------
    dimensions : int
        Dimensionality of the full vectors.
    subdimensions : int
        Number of leading coordinates kept (``d`` passed to :meth:`sample` must match).
    """

    def __init__(self, dimensions, subdimensions):
        self.dimensions = check_int(dimensions, "dimensions", self, low=1)
        self.subdimensions = check_int(subdimensions, "subdimensions", self, low=1,
                                       high=self.dimensions)

    def sample(self, n, d=None, rng=np.random):
        d = self.subdimensions if d is None else d
        if d != self.subdimensions:
            raise ValidationError(f"samples have {self.subdimensions} dimensions (asked for "
                                  f"{d})", "d", self)
        directions = rng.standard_normal((n, self.dimensions))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        radii = rng.uniform(0, 1, size=(n, 1)) ** (1.0 / self.dimensions)
        return (radii * directions)[:, :d]


def default_subdimensions(dimensions, largest=16):
    """The largest divisor of ``dimensions`` that is at most ``largest``."""
    return max(s for s in range(1, min(largest, dimensions) + 1) if dimensions % s == 0)


class State(Network):
    """Represents a Semantic Pointer with neurons; a memory when ``feedback`` is 1.

    Parameters
    ----------
    vocab : Vocabulary or int
        The vocabulary (an int picks the network's default vocabulary of that size).
    subdimensions : int, optional
        Dimensions per ensemble; must divide the vocabulary's dimensions.  Default 16.
    neurons_per_dimension : int, optional
        Neurons per represented dimension.  Default 50.
    feedback : float, optional
        Gain of the recurrent connection from output to input (1 makes a memory).
        Default 0.
    feedback_synapse : float or Synapse, optional
        Synapse of the recurrent connection.  Default 0.1.
    represent_cc_identity : bool, optional
        Represent the first coordinate separately, so that the circular-convolution
        identity is represented accurately (see the module docstring).  Default True.
    **kwargs
        ``label``, ``seed``, ``add_to_container``, ``vocabs`` of :class:`spa.Network`.

    Attributes
    ----------
    input, output : Node
        Declared input and output (values of ``vocab``).
    state_ensembles : EnsembleArray
    identity_ensemble : Ensemble or None
        The first-coordinate ensemble when ``represent_cc_identity`` applies.
    """

    _param_defaults = {"vocab": None, "subdimensions": 16, "neurons_per_dimension": 50,
                       "feedback": 0.0, "feedback_synapse": 0.1,
                       "represent_cc_identity": True}

    def __init__(self, vocab=Default, subdimensions=Default, neurons_per_dimension=Default,
                 feedback=Default, feedback_synapse=Default, represent_cc_identity=Default,
                 **kwargs):
        if "represent_identity" in kwargs:  # the older nengo_spa name of the same option
            if represent_cc_identity is not Default:
                raise ValidationError("give represent_cc_identity or its older name "
                                      "represent_identity, not both",
                                      "represent_identity", self)
            represent_cc_identity = kwargs.pop("represent_identity")
        super().__init__(**kwargs)
        self.vocab = self.get_vocab(self._arg("vocab", vocab))
        d = self.vocab.dimensions
        self.subdimensions = check_int(self._arg("subdimensions", subdimensions),
                                       "subdimensions", self, low=1)
        if d % self.subdimensions != 0:
            divisors = [s for s in range(1, d + 1) if d % s == 0]
            raise ValidationError(
                f"must divide the vocabulary's {d} dimensions (got {self.subdimensions}); "
                f"use one of {divisors}", "subdimensions", self)
        self.neurons_per_dimension = check_int(
            self._arg("neurons_per_dimension", neurons_per_dimension),
            "neurons_per_dimension", self, low=1)
        self.feedback = check_number(self._arg("feedback", feedback), "feedback", self)
        self.feedback_synapse = self._arg("feedback_synapse", feedback_synapse)
        self.represent_cc_identity = check_bool(
            self._arg("represent_cc_identity", represent_cc_identity),
            "represent_cc_identity", self)

        n_ensembles = d // self.subdimensions
        with self:
            self.state_ensembles = EnsembleArray(
                self.neurons_per_dimension * self.subdimensions, n_ensembles,
                ens_dimensions=self.subdimensions,
                eval_points=SubvectorPoints(d, self.subdimensions),
                intercepts=CosineSimilarity(d + 2), label="state")
            if self.represent_cc_identity and n_ensembles > 1:
                self._split_identity(d)
            else:
                self.identity_ensemble = None
                self.input = self.state_ensembles.input
                self.output = self.state_ensembles.output
            if self.feedback != 0:
                Connection(self.output, self.input, transform=self.feedback,
                           synapse=self.feedback_synapse)
        self.declare_input(self.input, self.vocab)
        self.declare_output(self.output, self.vocab)

    def _split_identity(self, d):
        """Represent coordinate 0 in its own ensemble, the rest in the array."""
        rest = np.ones(d)
        rest[0] = 0.0
        self.input = Node(size_in=d, label="input")
        self.output = Node(size_in=d, label="output")
        self.identity_ensemble = Ensemble(self.neurons_per_dimension, 1, label="identity")
        Connection(self.input, self.state_ensembles.input, transform=rest, synapse=None)
        Connection(self.state_ensembles.output, self.output, transform=rest, synapse=None)
        Connection(self.input[0], self.identity_ensemble, synapse=None)
        Connection(self.identity_ensemble, self.output[0], synapse=None)
