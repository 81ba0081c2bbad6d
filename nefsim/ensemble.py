"""``Ensemble`` (a population of neurons representing a vector) and its ``Neurons``.

The description only: the builder samples encoders, intercepts, max rates and eval
points from what is stored here (``nefsim.build.ensemble``).
"""

import numpy as np

from ._validation import Default, check_bool, check_instance, check_int, check_number
from .base import NefsimObject, ObjView, check_dist_or_array
from .dists import ScatteredHypersphere, Uniform
from .exceptions import ValidationError
from .neurons import LIF, Direct, NeuronType
from .processes import Process


class Ensemble(NefsimObject):
    """A group of neurons that collectively represent a vector.

    Parameters
    ----------
    n_neurons : int
        Number of neurons (>= 1).
    dimensions : int
        Number of represented dimensions (>= 1).
    radius : float, optional
        The representational radius; eval points are scaled up and encoders down by it.
        Default 1.0.
    encoders : Distribution or (n_neurons, dimensions) array, optional
        Preferred directions.  Default ``ScatteredHypersphere(surface=True)``.
    intercepts : Distribution or (n_neurons,) array, optional
        Where each neuron starts firing along its encoder, in [-1, 1].
        Default ``Uniform(-1.0, 0.9)``.
    max_rates : Distribution or (n_neurons,) array, optional
        Firing rate at the radius.  Default ``Uniform(200, 400)``.
    eval_points : Distribution or (n, dimensions) array, optional
        Points used to solve for decoders.  Default ``ScatteredHypersphere()``.
    n_eval_points : int, optional
        Number of eval points to sample; by default chosen from the dimensions.
    neuron_type : NeuronType, optional
        Default ``LIF()``.
    gain, bias : Distribution or (n_neurons,) array, optional
        Give both to set the neurons' gain and bias directly (then ``max_rates`` and
        ``intercepts`` are not used).
    noise : Process, optional
        Noise current added to every neuron.
    normalize_encoders : bool, optional
        Whether encoders are scaled to unit length.  Default True.
    label : str, optional
    seed : int, optional
    """

    _param_defaults = {
        **NefsimObject._param_defaults,
        "radius": 1.0,
        "encoders": ScatteredHypersphere(surface=True),
        "intercepts": Uniform(-1.0, 0.9),
        "max_rates": Uniform(200, 400),
        "eval_points": ScatteredHypersphere(),
        "n_eval_points": None,
        "neuron_type": LIF(),
        "gain": None,
        "bias": None,
        "noise": None,
        "normalize_encoders": True,
    }
    _readonly = ("n_neurons", "dimensions")
    probeable = ("decoded_output", "input", "scaled_encoders")

    def __init__(self, n_neurons, dimensions, radius=Default, encoders=Default,
                 intercepts=Default, max_rates=Default, eval_points=Default,
                 n_eval_points=Default, neuron_type=Default, gain=Default, bias=Default,
                 noise=Default, normalize_encoders=Default, label=Default, seed=Default,
                 add_to_container=None):
        super().__init__(label=label, seed=seed)
        self.n_neurons = n_neurons
        self.dimensions = dimensions
        self.radius = radius
        self.encoders = encoders
        self.intercepts = intercepts
        self.max_rates = max_rates
        self.eval_points = eval_points
        self.n_eval_points = n_eval_points
        self.neuron_type = neuron_type
        self.gain = gain
        self.bias = bias
        self.noise = noise
        self.normalize_encoders = normalize_encoders
        self._check_gain_and_bias()
        self._neurons = Neurons(self)
        self._add_to_network(add_to_container)

    # -- validation --------------------------------------------------------------------

    def _check_n_neurons(self, value):
        return check_int(value, "n_neurons", self, low=1)

    def _check_dimensions(self, value):
        return check_int(value, "dimensions", self, low=1)

    def _check_radius(self, value):
        return check_number(value, "radius", self, low=1e-10)

    def _check_encoders(self, value):
        return check_dist_or_array(value, "encoders", self, (self.n_neurons, self.dimensions),
                                   "(n_neurons, dimensions)")

    def _check_intercepts(self, value):
        value = self._per_neuron(value, "intercepts")
        if isinstance(value, np.ndarray) and np.any(np.abs(value) > 1):
            raise ValidationError(
                "must lie in [-1, 1]: an intercept is where a neuron starts firing along "
                "its encoder, in units of the radius (got values from "
                f"{value.min():g} to {value.max():g}); change the radius instead",
                "intercepts", self)
        return value

    def _check_max_rates(self, value):
        value = self._per_neuron(value, "max_rates")
        if isinstance(value, np.ndarray) and np.any(value < 0):
            raise ValidationError(f"must be non-negative firing rates in Hz (got minimum "
                                  f"{value.min():g})", "max_rates", self)
        return value

    def _check_eval_points(self, value):
        return check_dist_or_array(value, "eval_points", self, (None, self.dimensions),
                                   "(n_points, dimensions)")

    def _check_n_eval_points(self, value):
        return check_int(value, "n_eval_points", self, low=1, optional=True)

    def _check_neuron_type(self, value):
        if isinstance(value, type) and issubclass(value, NeuronType):
            raise ValidationError(f"must be a NeuronType instance, not the class (use "
                                  f"{value.__name__}())", "neuron_type", self)
        return check_instance(value, "neuron_type", self, NeuronType,
                              what="a NeuronType such as LIF()")

    def _check_gain(self, value):
        return self._per_neuron(value, "gain", optional=True)

    def _check_bias(self, value):
        return self._per_neuron(value, "bias", optional=True)

    def _check_noise(self, value):
        return check_instance(value, "noise", self, Process, optional=True,
                              what="a Process (e.g. WhiteNoise()) or None")

    def _check_normalize_encoders(self, value):
        return check_bool(value, "normalize_encoders", self)

    def _per_neuron(self, value, attr, optional=False):
        return check_dist_or_array(value, attr, self, (self.n_neurons,), "(n_neurons,)",
                                   optional=optional)

    def _check_gain_and_bias(self):
        if (self.gain is None) != (self.bias is None):
            given, missing = ("gain", "bias") if self.bias is None else ("bias", "gain")
            raise ValidationError(
                f"is None but {given} is given: set both gain and bias (they replace "
                "max_rates and intercepts), or neither", missing, self)

    # -- description -------------------------------------------------------------------

    @property
    def neurons(self):
        """The neurons of this ensemble (the same :class:`Neurons` object every time)."""
        return self._neurons

    @property
    def size_in(self):
        return self.dimensions

    @property
    def size_out(self):
        return self.dimensions

    def _after_copy(self):
        object.__setattr__(self, "_neurons", Neurons(self))

    def __getitem__(self, key):
        return ObjView(self, key)

    def __len__(self):
        return self.dimensions


class Neurons:
    """The neurons of an ensemble, as a connection endpoint or probe target.

    Connections into ``ens.neurons`` add to each neuron's input current (times its gain);
    connections from it carry the neurons' outputs (spikes or rates).

    Attributes
    ----------
    ensemble : Ensemble
    size_in, size_out : int
        ``n_neurons`` (0 for ``Direct`` neurons, which do not exist as neurons).
    probeable : tuple of str
        ``"output"``, ``"input"`` and the neuron type's state variables.
    """

    def __init__(self, ensemble):
        self._ensemble = ensemble

    @property
    def ensemble(self):
        return self._ensemble

    @property
    def label(self):
        return None

    @property
    def size_in(self):
        ens = self._ensemble
        return 0 if isinstance(ens.neuron_type, Direct) else ens.n_neurons

    size_out = size_in

    @property
    def probeable(self):
        names = tuple(getattr(self._ensemble.neuron_type, "probeable", ("output",)))
        names = names if "input" in names else names + ("input",)
        # "spikes" is the Nengo 2 name of a spiking population's output; keep it working
        if getattr(self._ensemble.neuron_type, "spiking", False):
            names = names + ("spikes",)
        return names

    def __getitem__(self, key):
        return ObjView(self, key)

    def __len__(self):
        return self._ensemble.n_neurons

    def __repr__(self):
        return f"<Neurons at 0x{id(self):x} of {self._ensemble!r}>"

    def __str__(self):
        return f"<Neurons of {self._ensemble}>"

