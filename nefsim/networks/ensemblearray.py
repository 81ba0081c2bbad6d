"""``EnsembleArray``: many small ensembles that together represent one long vector.

An array of ``n_ensembles`` ensembles, each representing ``ens_dimensions`` of the
vector, is far cheaper to build and simulate than one big ensemble when the dimensions
need not interact (decoder solves scale with the cube of the neuron count).  Values go in
through the passthrough node ``input`` and come out of ``output``; ``add_output`` adds
more outputs computing a function of each sub-vector.
"""

import warnings

import numpy as np

from .._validation import check_int
from ..connection import Connection
from ..dists import Samples
from ..ensemble import Ensemble
from ..exceptions import ValidationError
from ..network import Network
from ..neurons import Direct
from ..node import Node
from ._util import is_iterable


class EnsembleArray(Network):
    """An array of ensembles that acts like one ensemble of ``n_ensembles * ens_dimensions``.

    Parameters
    ----------
    n_neurons : int
        Number of neurons in *each* ensemble.
    n_ensembles : int
        Number of ensembles.
    ens_dimensions : int, optional
        Dimensions represented by each ensemble (default 1).
    label : str, optional
        Name of the network; the ensembles are labelled ``"<label>_<i>"`` (just ``"<i>"``
        without a label).
    seed : int, optional
    add_to_container : bool, optional
    **ens_kwargs
        Ensemble parameters (``radius``, ``intercepts``, ``neuron_type``, ...) applied to
        every ensemble through this network's config.  A list or array value becomes a
        ``Samples`` distribution, so every ensemble gets the same per-neuron values.

    Attributes
    ----------
    input, output : Node
        Passthrough nodes of size ``dimensions``.
    ea_ensembles : list of Ensemble
    neuron_input, neuron_output : Node or None
        Set by :meth:`add_neuron_input` / :meth:`add_neuron_output`.
    n_ensembles, dimensions_per_ensemble, n_neurons_per_ensemble : int
    """

    def __init__(self, n_neurons, n_ensembles, ens_dimensions=1, label=None, seed=None,
                 add_to_container=None, **ens_kwargs):
        self.label = label  # lets the checks below name the network
        n_neurons = check_int(n_neurons, "n_neurons", self, low=1)
        n_ensembles = check_int(n_ensembles, "n_ensembles", self, low=1)
        ens_dimensions = check_int(ens_dimensions, "ens_dimensions", self, low=1)
        ens_kwargs = self._check_ens_kwargs(ens_kwargs)
        super().__init__(label=label, seed=seed, add_to_container=add_to_container)
        self.config[Ensemble].update(ens_kwargs)

        self.n_neurons_per_ensemble = n_neurons
        self.n_ensembles = n_ensembles
        self.dimensions_per_ensemble = ens_dimensions
        self.ea_ensembles = []
        self.neuron_input = None
        self.neuron_output = None

        prefix = "" if label is None else f"{label}_"
        with self:
            self.input = Node(size_in=self.dimensions, label="input")
            for i in range(n_ensembles):
                ens = Ensemble(n_neurons, ens_dimensions, label=f"{prefix}{i}")
                Connection(self.input[i * ens_dimensions:(i + 1) * ens_dimensions], ens,
                           synapse=None)
                self.ea_ensembles.append(ens)
        self.add_output("output", function=None)

    def _check_ens_kwargs(self, ens_kwargs):
        # label and seed are the array's own arguments, so they never reach ens_kwargs
        configurable = [k for k in Ensemble._param_defaults if k not in ("label", "seed")]
        checked = {}
        for key, value in ens_kwargs.items():
            if key == "dimensions":
                raise ValidationError(
                    "cannot be given: each ensemble represents ens_dimensions dimensions, "
                    "and the array n_ensembles * ens_dimensions", key, self)
            if key not in configurable:
                raise ValidationError(
                    f"is not an Ensemble parameter that can be set for all ensembles "
                    f"(settable: {', '.join(sorted(configurable))})", key, self)
            checked[key] = Samples(value) if is_iterable(value) else value
        return checked

    @property
    def dimensions(self):
        """Total dimensionality: ``n_ensembles * dimensions_per_ensemble``."""
        return self.n_ensembles * self.dimensions_per_ensemble

    # -- outputs -----------------------------------------------------------------------

    def add_output(self, name, function, synapse=None, **conn_kwargs):
        """Add a passthrough node ``name`` that gathers ``function`` of every ensemble.

        Parameters
        ----------
        name : str
            Attribute name of the new output node (must not already exist).
        function : callable, list of callables, or None
            One function for all ensembles, one per ensemble, or None for the identity.
        synapse : Synapse or float, optional
            Synapse of the ensemble-to-node connections (default None: no filter).
        **conn_kwargs
            Further Connection arguments (e.g. ``solver``).

        Returns
        -------
        Node
            The new output node; its size is the sum of the functions' output sizes.
        """
        functions = self._per_ensemble_functions(function)
        if not isinstance(name, str) or not name.isidentifier():
            raise ValidationError(f"must be a valid attribute name (got {name!r})",
                                  "name", self)
        if hasattr(self, name):
            raise ValidationError(f"cannot add output {name!r}: the network already has "
                                  "an attribute with this name", "name", self)
        sizes = [self._output_size(f) for f in functions]
        with self:
            output = Node(size_in=sum(sizes), label=name)
        setattr(self, name, output)
        start = 0
        with self:
            for ens, func, size in zip(self.ea_ensembles, functions, sizes):
                Connection(ens, output[start:start + size], function=func, synapse=synapse,
                           **conn_kwargs)
                start += size
        return output

    def _per_ensemble_functions(self, function):
        if function is None or callable(function):
            return [function] * self.n_ensembles
        if not is_iterable(function):
            raise ValidationError(f"must be None, a callable or a list of one callable per "
                                  f"ensemble (got {function!r})", "function", self)
        functions = list(function)
        if len(functions) != self.n_ensembles:
            raise ValidationError(f"must have one function per ensemble: got "
                                  f"{len(functions)} for {self.n_ensembles} ensembles",
                                  "function", self)
        for func in functions:
            if func is not None and not callable(func):
                raise ValidationError(f"list entries must be callables or None (got "
                                      f"{func!r})", "function", self)
        return functions

    def _output_size(self, function):
        """Output size of ``function`` on one ensemble's sub-vector."""
        if function is None:
            return self.dimensions_per_ensemble
        with np.errstate(all="ignore"):
            value = function(np.zeros(self.dimensions_per_ensemble))
        return np.asarray(value, dtype=np.float64).size

    # -- neuron-level access -----------------------------------------------------------

    def _check_neurons(self, what):
        if isinstance(self.ea_ensembles[0].neuron_type, Direct):
            raise ValidationError(f"is Direct: the ensembles have no neurons to {what}",
                                  "ea_ensembles[0].neuron_type", self)

    def add_neuron_input(self):
        """Add (once) the node ``neuron_input`` that feeds every neuron's input current."""
        if self.neuron_input is not None:
            warnings.warn("neuron_input already exists; returning it", stacklevel=2)
            return self.neuron_input
        self._check_neurons("give input to")
        n = self.n_neurons_per_ensemble
        with self:
            self.neuron_input = Node(size_in=n * self.n_ensembles, label="neuron_input")
            for i, ens in enumerate(self.ea_ensembles):
                Connection(self.neuron_input[i * n:(i + 1) * n], ens.neurons, synapse=None)
        return self.neuron_input

    def add_neuron_output(self):
        """Add (once) the node ``neuron_output`` that collects every neuron's output."""
        if self.neuron_output is not None:
            warnings.warn("neuron_output already exists; returning it", stacklevel=2)
            return self.neuron_output
        self._check_neurons("take output from")
        n = self.n_neurons_per_ensemble
        with self:
            self.neuron_output = Node(size_in=n * self.n_ensembles, label="neuron_output")
            for i, ens in enumerate(self.ea_ensembles):
                Connection(ens.neurons, self.neuron_output[i * n:(i + 1) * n], synapse=None)
        return self.neuron_output
