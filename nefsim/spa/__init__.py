"""nefsim's Semantic Pointer Architecture layer, with nengo_spa 2.x's names.

``import nefsim.spa as spa`` runs typical nengo_spa scripts.  It has two parts:

- the symbolic layer: vocabularies, Semantic Pointers, algebras, parsing (``sym``),
  ``similarity`` and plotting;
- the modelling layer: ``spa.Network`` and the modules (``State``, ``Transcode``,
  ``Bind``, ``Compare``, ``Scalar``, ``Product``, the associative memories), routing
  with ``>>``, ``dot``/``translate``/``reinterpret``, and action selection
  (``ActionSelection``, ``ifmax``), all built from public nefsim objects and
  :mod:`nefsim.networks`.
"""

from . import vector_generation
from .actions import ActionSelection, dot, ifmax, reinterpret, translate
from .algebras import AbstractAlgebra, ElementSidedness, HrrAlgebra
from .exceptions import (SpaConstructionError, SpaException, SpaKeyError, SpaParseError,
                         SpaTypeError)
from .modules import (Bind, Compare, IAAssocMem, Product, Scalar, State,
                      ThresholdingAssocMem, Transcode, WTAAssocMem)
from .network import Network
from .parse import PointerSymbol, sym
from .plot import plot_similarity
from .pointer import AbsorbingElement, Identity, SemanticPointer, Zero
from .vocabulary import Vocabulary, VocabularyMap, pairs, similarity

__all__ = [
    "AbsorbingElement", "AbstractAlgebra", "ActionSelection", "Bind", "Compare",
    "ElementSidedness", "HrrAlgebra", "IAAssocMem", "Identity", "Network",
    "PointerSymbol", "Product", "Scalar", "SemanticPointer", "SpaConstructionError",
    "SpaException", "SpaKeyError", "SpaParseError", "SpaTypeError", "State",
    "ThresholdingAssocMem", "Transcode", "Vocabulary", "VocabularyMap", "WTAAssocMem",
    "Zero", "dot", "ifmax", "pairs", "plot_similarity", "reinterpret", "similarity", "sym",
    "translate", "vector_generation",
]
