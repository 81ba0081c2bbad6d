"""``spa.Network``: a nefsim Network with vocabularies, declared inputs/outputs and operators.

Every SPA module (``State``, ``Bind``, ...) is a ``spa.Network``.  What it adds to
:class:`nefsim.Network`:

- ``vocabs``: a :class:`~nefsim.spa.vocabulary.VocabularyMap` giving one default
  vocabulary per dimensionality.  A network created inside another ``spa.Network``
  shares its parent's map, so ``spa.State(16)`` and ``spa.Bind(16)`` in one model use
  the same 16-D vocabulary.  A top-level network seeds its map from ``seed``.
- ``declare_input``/``declare_output``: register which nefsim objects carry values of
  which vocabulary (``None`` means a scalar).  Routing with ``>>`` reads these.
- The expression operators (``+ - * ~ >>``), acting on the module's ``output`` (as a
  source) or ``input`` (as a target).
- A config that also configures SPA modules: ``net.config[spa.State].vocab = vocab``
  sets a default, resolved when a module argument is left at ``Default``.
"""

import numpy as np

from .._validation import check_instance, is_integer
from ..config import resolve_default
from ..exceptions import ValidationError
from ..network import Network as _Network
from .actions import ExprOperators, declare_input, declare_output
from .vocabulary import Vocabulary, VocabularyMap


def _innermost_spa_network():
    for net in reversed(_Network.context):
        if isinstance(net, Network):
            return net
    return None


class Network(ExprOperators, _Network):
    """A network of SPA modules; the base class of every module.

    Parameters
    ----------
    label : str, optional
    seed : int, optional
    add_to_container : bool, optional
    vocabs : VocabularyMap, optional
        Default vocabulary per dimensionality.  By default the enclosing
        ``spa.Network``'s map, or a new one (seeded with ``seed``) at the top level.
    """

    _param_defaults = {}

    def __init__(self, label=None, seed=None, add_to_container=None, vocabs=None):
        parent = _innermost_spa_network()
        super().__init__(label=label, seed=seed, add_to_container=add_to_container)
        if vocabs is None:
            if parent is not None:
                vocabs = parent.vocabs
            else:
                rng = None if self.seed is None else np.random.RandomState(self.seed)
                vocabs = VocabularyMap(rng=rng)
        self._vocabs = check_instance(vocabs, "vocabs", self, VocabularyMap)

    @staticmethod
    def default_config():
        config = _Network.default_config()
        config.configures(Network)  # defaults of SPA modules, e.g. config[State].vocab
        return config

    @property
    def vocabs(self):
        """The :class:`VocabularyMap` of this network."""
        return self._vocabs

    # -- module helpers ----------------------------------------------------------------

    def _arg(self, name, value):
        """``value``, or the configured default of argument ``name`` when it is Default."""
        return resolve_default(type(self), name, value)

    def get_vocab(self, vocab, attr="vocab", optional=False):
        """``vocab`` as a Vocabulary: an int picks this network's default of that size."""
        if vocab is None:
            if optional:
                return None
            raise ValidationError("must be given: a Vocabulary or a dimensionality (int)",
                                  attr, self)
        if isinstance(vocab, Vocabulary):
            return vocab
        if is_integer(vocab) and vocab >= 1:
            return self.vocabs.get_or_create(int(vocab))
        raise ValidationError(f"must be a Vocabulary or a positive int (got {vocab!r})",
                              attr, self)

    def declare_input(self, obj, vocab):
        """Declare ``obj`` as an input for values of ``vocab`` (None: scalar)."""
        return declare_input(obj, vocab)

    def declare_output(self, obj, vocab):
        """Declare ``obj`` as an output of values of ``vocab`` (None: scalar)."""
        return declare_output(obj, vocab)
