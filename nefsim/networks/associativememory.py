"""``AssociativeMemory``: a clean-up memory mapping noisy input vectors to stored ones.

One small ensemble per stored item.  Ensemble ``i`` receives the similarity (dot product)
of the input with input vector ``i``, minus ``threshold``; its neurons have positive
encoders and intercepts near 0, so it is silent for dissimilar inputs.  It decodes a
saturating step of its input (0 below 0, quickly rising to 1 above), its *utility*, and
the output is the sum of the output vectors weighted by these utilities.

Options add: more input/output mappings, a default output when nothing matches,
winner-take-all competition between items, a sharper threshold on the utilities, and an
``inhibit`` input that silences the whole memory.
"""

import numpy as np

from .._validation import check_bool, check_int, check_number
from ..config import Config
from ..connection import Connection
from ..dists import Choice, Uniform
from ..ensemble import Ensemble
from ..exceptions import ValidationError
from ..network import Network
from ..node import Node
from ._util import check_vectors, is_iterable, remove_connection
from .ensemblearray import EnsembleArray
from .presets import ThresholdingEnsembles

INHIBIT_SCALE = 1.5  # inhibition of each item per unit of the `inhibit` input
STEP_RATE = 15.0  # utility = 1 - exp(-STEP_RATE * x) above 0: ~1 once x exceeds ~0.2


def filtered_step(x):
    """The utility an item ensemble decodes: 0 for ``x <= 0``, ``1 - exp(-15 x)`` above."""
    return np.where(x > 0, 1.0 - np.exp(-STEP_RATE * np.maximum(x, 0)), 0.0)


class AssociativeMemory(Network):
    """Maps an input similar to one of ``input_vectors`` to the matching output vector.

    Parameters
    ----------
    input_vectors : (n_items, d_in) array_like
        The stored keys.
    output_vectors : (n_items, d_out) array_like, optional
        The values returned for each key (default: the keys, a clean-up memory).
    n_neurons : int, optional
        Neurons per item (default 50).
    threshold : float, optional
        Similarity an input needs before its item responds (default 0.3).
    input_scales : float or (n_items,) array_like, optional
        Gain on each item's similarity (default 1.0).
    inhibitable : bool, optional
        Add the ``inhibit`` input node (default False).
    label : str, optional
    seed : int, optional
    add_to_container : bool, optional

    Attributes
    ----------
    input, output : Node
    utilities : Node
        Each item's utility (``elem_output``).
    thresholded_utilities : Node or None
        Set by :meth:`add_threshold_to_outputs`.
    inhibit : Node or None
        Size 1 when ``inhibitable``; 1 silences every item.
    am_ensembles : list of Ensemble
        One per item.
    n_items : int
    """

    exp_scale = 0.15  # spread of the item ensembles' intercepts above 0
    n_eval_points = 5000

    def __init__(self, input_vectors, output_vectors=None, n_neurons=50, threshold=0.3,
                 input_scales=1.0, inhibitable=False, label=None, seed=None,
                 add_to_container=None):
        self.label = label  # lets the checks below name the network
        input_vectors = check_vectors(input_vectors, "input_vectors", self)
        if output_vectors is None:
            output_vectors = input_vectors
        output_vectors = check_vectors(output_vectors, "output_vectors", self)
        if output_vectors.shape[0] != input_vectors.shape[0]:
            raise ValidationError(
                f"has {output_vectors.shape[0]} vectors but input_vectors has "
                f"{input_vectors.shape[0]}: give one output vector per input vector",
                "output_vectors", self)
        n_items = input_vectors.shape[0]
        n_neurons = check_int(n_neurons, "n_neurons", self, low=1)
        threshold = check_number(threshold, "threshold", self)
        input_scales = self._check_scales(input_scales, n_items)
        inhibitable = check_bool(inhibitable, "inhibitable", self)
        super().__init__(label=label, seed=seed, add_to_container=add_to_container)

        self.n_items = n_items
        self.threshold = threshold
        self.is_wta = False
        self.thresh_bias = self.thresh_ens = self.thresholded_utilities = None
        self.out_conns = []
        self.default_vector_inhibit_conns = []
        self.am_ensembles = []
        self._make_configs()

        prefix = "" if label is None else f"{label}_"
        with self:
            self.bias_node = Node(output=1)
            self.elem_input = Node(size_in=n_items, label="element input")
            self.elem_output = Node(size_in=n_items, label="element output")
            self.utilities = self.elem_output
            with self.am_ens_config:
                for i in range(n_items):
                    ens = Ensemble(n_neurons, 1, label=f"{prefix}{i}")
                    Connection(self.bias_node, ens, transform=-threshold)
                    Connection(self.elem_input[i], ens)
                    Connection(ens, self.elem_output[i], function=filtered_step)
                    self.am_ensembles.append(ens)
            self.inhibit = None
            if inhibitable:
                self.inhibit = Node(size_in=1, label="inhibit")
                Connection(self.inhibit, self.elem_input, synapse=None,
                           transform=np.full((n_items, 1), -INHIBIT_SCALE))
        self.add_input_mapping("input", input_vectors, input_scales)
        self.add_output_mapping("output", output_vectors)

    def _make_configs(self):
        self.default_ens_config = ThresholdingEnsembles(0.0, intercept_width=self.exp_scale)
        self.default_ens_config[Ensemble].n_eval_points = self.n_eval_points
        self.am_ens_config = ThresholdingEnsembles(0.0, intercept_width=self.exp_scale)
        self.am_ens_config[Ensemble].n_eval_points = self.n_eval_points
        self.am_ens_config.configures(Connection)
        self.am_ens_config[Connection].synapse = None
        # thresholding ensembles: silent below 0.5, decoded accurately near 1
        self.thresh_ens_config = Config(Ensemble)
        self.thresh_ens_config[Ensemble].radius = 1
        self.thresh_ens_config[Ensemble].intercepts = Uniform(0.5, 1.0)
        self.thresh_ens_config[Ensemble].encoders = Choice([[1]])
        self.thresh_ens_config[Ensemble].eval_points = Uniform(0.75, 1.1)
        self.thresh_ens_config[Ensemble].n_eval_points = self.n_eval_points

    # -- checks ------------------------------------------------------------------------

    def _check_scales(self, input_scales, n_items, attr="input_scales"):
        if is_iterable(input_scales):
            scales = check_vectors(input_scales, attr, self, ndim=1)
            if scales.size != n_items:
                raise ValidationError(f"has {scales.size} values but there are {n_items} "
                                      "items: give one scale per item or a single number",
                                      attr, self)
            return scales
        return check_number(input_scales, attr, self)

    def _check_new_name(self, name):
        if not isinstance(name, str) or not name.isidentifier():
            raise ValidationError(f"must be a valid attribute name (got {name!r})",
                                  "name", self)
        if hasattr(self, name):
            raise ValidationError(f"{name!r} already exists in the associative memory; "
                                  "choose another name", "name", self)

    def _check_item_vectors(self, vectors, attr):
        vectors = check_vectors(vectors, attr, self)
        if vectors.shape[0] != self.n_items:
            raise ValidationError(f"has {vectors.shape[0]} vectors but the memory has "
                                  f"{self.n_items} items: give one vector per item",
                                  attr, self)
        return vectors

    def _output_node(self, output_name):
        node = getattr(self, output_name, None) if isinstance(output_name, str) else None
        if not any(conn.post is node for conn in self.out_conns):
            names = [conn.post.label for conn in self.out_conns]
            raise ValidationError(f"must name an output mapping ({', '.join(names)}; got "
                                  f"{output_name!r})", "output_name", self)
        return node

    # -- mappings ----------------------------------------------------------------------

    def add_input_mapping(self, name, input_vectors, input_scales=1.0):
        """Add an input node ``name`` whose similarity to ``input_vectors`` drives the items.

        Parameters
        ----------
        name : str
            Attribute name of the new input node.
        input_vectors : (n_items, d) array_like
            One key per item.
        input_scales : float or (n_items,) array_like, optional
            Gain on each item's similarity.
        """
        self._check_new_name(name)
        input_vectors = self._check_item_vectors(input_vectors, "input_vectors")
        scales = self._check_scales(input_scales, self.n_items)
        scales = scales[:, np.newaxis] if isinstance(scales, np.ndarray) else scales
        with self:
            node = Node(size_in=input_vectors.shape[1], label=name)
            setattr(self, name, node)
            Connection(node, self.elem_input, synapse=None,
                       transform=input_vectors * scales)

    def add_output_mapping(self, name, output_vectors):
        """Add an output node ``name`` giving the sum of ``output_vectors`` by utility.

        Parameters
        ----------
        name : str
            Attribute name of the new output node.
        output_vectors : (n_items, d) array_like
            One value per item.
        """
        self._check_new_name(name)
        output_vectors = self._check_item_vectors(output_vectors, "output_vectors")
        source = (self.elem_output if self.thresholded_utilities is None
                  else self.thresholded_utilities)
        with self:
            node = Node(size_in=output_vectors.shape[1], label=name)
            setattr(self, name, node)
            self.out_conns.append(Connection(source, node, synapse=None,
                                             transform=output_vectors.T))

    def add_default_output_vector(self, output_vector, output_name="output", n_neurons=50,
                                  min_activation_value=0.5):
        """Output ``output_vector`` on ``output_name`` whenever no item is active.

        An extra ensemble, driven by a constant 1, adds the vector; the items' utilities
        inhibit it, fully once their sum reaches ``min_activation_value``.
        """
        node = self._output_node(output_name)
        vector = check_vectors(output_vector, "output_vector", self, ndim=1)
        if vector.size != node.size_in:
            raise ValidationError(f"has {vector.size} values but output {output_name!r} "
                                  f"has {node.size_in} dimensions", "output_vector", self)
        n_neurons = check_int(n_neurons, "n_neurons", self, low=1)
        min_activation_value = check_number(min_activation_value, "min_activation_value",
                                            self, low=0, low_open=True)
        utilities = (self.elem_output if self.thresholded_utilities is None
                     else self.thresholded_utilities)
        with self, self.default_ens_config:
            ens = Ensemble(n_neurons, 1, label=f"Default {output_name} vector")
            Connection(self.bias_node, ens, synapse=None)
            inhibit = Connection(utilities, ens,
                                 transform=-np.ones((1, self.n_items)) / min_activation_value)
            Connection(ens, node, transform=vector[:, np.newaxis], synapse=None)
            if self.inhibit is not None:
                Connection(self.inhibit, ens, transform=-INHIBIT_SCALE, synapse=None)
        self.default_vector_inhibit_conns.append(inhibit)

    def add_wta_network(self, inhibit_scale=1.5, inhibit_synapse=0.005):
        """Make the items compete: each item's utility inhibits all the others.

        Parameters
        ----------
        inhibit_scale : float, optional
            Strength of the mutual inhibition.
        inhibit_synapse : Synapse or float, optional
            Synapse of the inhibitory connection.
        """
        inhibit_scale = check_number(inhibit_scale, "inhibit_scale", self)
        with self:
            Connection(self.elem_output, self.elem_input, synapse=inhibit_synapse,
                       transform=(np.eye(self.n_items) - 1) * inhibit_scale)
        self.is_wta = True

    def add_threshold_to_outputs(self, n_neurons=50, inhibit_scale=10):
        """Pass the utilities through a sharp threshold (at about 0.5) before the outputs.

        Two ensemble arrays, both driven by a constant 1: ``thresh_bias`` is inhibited by
        the utilities and in turn inhibits ``thresh_ens``, whose output (about 1 for an
        item whose utility is high, else 0) replaces the utilities in every output.
        """
        n_neurons = check_int(n_neurons, "n_neurons", self, low=1)
        inhibit_scale = check_number(inhibit_scale, "inhibit_scale", self)
        ones = np.ones((self.n_items, 1))
        with self:
            with self.thresh_ens_config:
                self.thresh_bias = EnsembleArray(n_neurons, self.n_items, label="thresh_bias")
                self.thresh_ens = EnsembleArray(n_neurons, self.n_items, label="thresh_ens")
            Connection(self.bias_node, self.thresh_bias.input, transform=ones, synapse=None)
            Connection(self.bias_node, self.thresh_ens.input, transform=ones, synapse=None)
            Connection(self.elem_output, self.thresh_bias.input, transform=-inhibit_scale)
            Connection(self.thresh_bias.output, self.thresh_ens.input,
                       transform=-inhibit_scale)
            self.thresholded_utilities = self.thresh_ens.output
            self.default_vector_inhibit_conns = [
                self._rewire(conn, conn.synapse) for conn in self.default_vector_inhibit_conns]
            self.out_conns = [self._rewire(conn, None) for conn in self.out_conns]
            if self.inhibit is not None:
                for ens in self.thresh_ens.ea_ensembles:
                    Connection(self.inhibit, ens, transform=-INHIBIT_SCALE, synapse=None)

    def _rewire(self, conn, synapse):
        """Replace ``conn`` by the same connection from the thresholded utilities."""
        new = Connection(self.thresholded_utilities, conn.post, transform=conn.transform,
                         synapse=synapse)
        remove_connection(self, conn)
        return new
