"""SPA associative memories: ThresholdingAssocMem, WTAAssocMem and IAAssocMem.

An associative memory compares its input (a pointer of ``input_vocab``) with a list of
keys, lets a selection network (:mod:`.selection`) decide which keys are active, and
outputs the sum of the active keys' values (pointers of ``output_vocab``) weighted by
their activations.  ``mapping`` says which keys map to which values:

- a dict ``{input_expr: output_expr}``;
- a sequence of keys, each mapped to the pointer of the same name in the output vocabulary
  (``vocab.keys()`` gives a clean-up memory);
- ``"by-key"``: every key of ``input_vocab``, mapped by name;
- None: like ``"by-key"``, allowed only without a separate output vocabulary.
"""

import numpy as np

from ..._validation import check_int, check_number
from ...connection import Connection
from ...exceptions import ValidationError
from ...node import Node
from ..network import Network
from .selection import IA, WTA, Thresholding


class AssociativeMemory(Network):
    """Base class: maps ``input`` to ``output`` through a selection network.

    Parameters
    ----------
    selection_net : callable
        ``selection_net(n_neurons=..., n_ensembles=..., label=..., **selection_args)``
        returns a network with ``input`` and ``output`` of size ``n_ensembles``.
    input_vocab : Vocabulary or int
    output_vocab : Vocabulary or int, optional
        Default: ``input_vocab``.
    mapping : dict, sequence of str, "by-key" or None
        See the module docstring.
    n_neurons : int, optional
        Neurons per item.  Default 50.
    selection_args : dict, optional
        Extra arguments of ``selection_net``.
    **kwargs
        ``label``, ``seed``, ``add_to_container``, ``vocabs`` of :class:`spa.Network`.

    Attributes
    ----------
    input, output : Node
    selection : Network
    utilities : Node
        Each item's activation (the selection network's output).
    keys, values : list of str
        The item expressions in the input and output vocabularies.
    """

    def __init__(self, selection_net, input_vocab, output_vocab=None, mapping=None,
                 n_neurons=50, selection_args=None, **kwargs):
        super().__init__(**kwargs)
        self.input_vocab = self.get_vocab(input_vocab, "input_vocab")
        self.output_vocab = self.get_vocab(output_vocab, "output_vocab", optional=True)
        separate_output = self.output_vocab is not None
        if self.output_vocab is None:
            self.output_vocab = self.input_vocab
        n_neurons = check_int(n_neurons, "n_neurons", self, low=1)
        self.keys, self.values = self._items(mapping, separate_output)
        in_vectors = np.array([self.input_vocab.parse(k).v for k in self.keys])
        out_vectors = np.array([self.output_vocab.parse(v).v for v in self.values])
        n_items = len(self.keys)
        with self:
            self.selection = selection_net(n_neurons=n_neurons, n_ensembles=n_items,
                                           label="selection", **(selection_args or {}))
            self.input = Node(size_in=self.input_vocab.dimensions, label="input")
            self.output = Node(size_in=self.output_vocab.dimensions, label="output")
            Connection(self.input, self.selection.input, transform=in_vectors, synapse=None)
            Connection(self.selection.output, self.output, transform=out_vectors.T,
                       synapse=None)
        self.utilities = self.selection.output
        self.declare_input(self.input, self.input_vocab)
        self.declare_output(self.output, self.output_vocab)

    def _items(self, mapping, separate_output):
        """``(keys, values)`` expression lists from ``mapping``."""
        if mapping is None or (isinstance(mapping, str) and mapping == "by-key"):
            if mapping is None and separate_output:
                raise ValidationError(
                    "must be given when output_vocab differs from input_vocab: a dict, a "
                    "list of keys, or 'by-key'", "mapping", self)
            keys = list(self.input_vocab.keys())
            if not keys:
                raise ValidationError("the input vocabulary has no pointers to map; "
                                      "populate it first or give a mapping", "mapping", self)
            return keys, keys
        if isinstance(mapping, str):
            raise ValidationError(f"must be a dict, a list of keys, 'by-key' or None (got "
                                  f"the string {mapping!r})", "mapping", self)
        if isinstance(mapping, dict):
            items = [(str(k), str(v)) for k, v in mapping.items()]
        else:
            try:
                items = [(str(k), str(k)) for k in mapping]
            except TypeError:
                raise ValidationError(f"must be a dict, a list of keys, 'by-key' or None "
                                      f"(got {mapping!r})", "mapping", self) from None
        if not items:
            raise ValidationError("must map at least one key", "mapping", self)
        return [k for k, _ in items], [v for _, v in items]


class ThresholdingAssocMem(AssociativeMemory):
    """Associative memory whose items respond when their similarity exceeds ``threshold``.

    Parameters
    ----------
    threshold : float
        Similarity above which an item is output.
    input_vocab, output_vocab, mapping, n_neurons, **kwargs
        As for :class:`AssociativeMemory`.
    function : callable, optional
        Output of an item as a function of ``x = similarity - threshold`` (``x > 0``);
        default ``x + threshold`` (the similarity).  ``lambda x: x > 0`` gives 1.
    """

    def __init__(self, threshold, input_vocab, output_vocab=None, mapping=None,
                 n_neurons=50, function=None, **kwargs):
        self.threshold = check_number(threshold, "threshold", self)
        super().__init__(Thresholding, input_vocab, output_vocab, mapping, n_neurons,
                         selection_args={"threshold": self.threshold, "function": function},
                         **kwargs)


class WTAAssocMem(AssociativeMemory):
    """Thresholding associative memory whose items inhibit each other (winner take all).

    Parameters
    ----------
    threshold, input_vocab, output_vocab, mapping, n_neurons, function
        As for :class:`ThresholdingAssocMem`.
    inhibit_scale : float, optional
        Weight of each item's output on the other items' inputs.  Default 1.
    inhibit_synapse : float, optional
        Synapse of that inhibition.  Default 0.005.
    """

    def __init__(self, threshold, input_vocab, output_vocab=None, mapping=None,
                 n_neurons=50, function=None, inhibit_scale=1.0, inhibit_synapse=0.005,
                 **kwargs):
        self.threshold = check_number(threshold, "threshold", self)
        super().__init__(WTA, input_vocab, output_vocab, mapping, n_neurons,
                         selection_args={"threshold": self.threshold, "function": function,
                                         "inhibit_scale": inhibit_scale,
                                         "inhibit_synapse": inhibit_synapse},
                         **kwargs)


class IAAssocMem(AssociativeMemory):
    """Associative memory with independent accumulators (a simplified version).

    Each item accumulates its similarity over time; the first to reach
    ``accum_threshold`` is output (with weight 1) and suppresses the others, and stays
    selected until ``input_reset`` is driven to 1.  See :class:`.selection.IA`.

    Parameters
    ----------
    input_vocab, output_vocab, mapping, n_neurons, **kwargs
        As for :class:`AssociativeMemory`.
    accum_threshold : float, optional
        Default 0.8.
    accum_timescale : float, optional
        Seconds for a similarity of 1 to accumulate 1.  Default 0.2.

    Attributes
    ----------
    input_reset : Node
        Scalar input; 1 clears the accumulated evidence.
    """

    def __init__(self, input_vocab, output_vocab=None, mapping=None, n_neurons=50,
                 accum_threshold=0.8, accum_timescale=0.2, **kwargs):
        super().__init__(IA, input_vocab, output_vocab, mapping, n_neurons,
                         selection_args={"accum_threshold": accum_threshold,
                                         "accum_timescale": accum_timescale},
                         **kwargs)
        self.input_reset = self.declare_input(self.selection.input_reset, None)
