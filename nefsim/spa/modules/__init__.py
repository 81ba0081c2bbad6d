"""SPA modules: ``spa.Network`` subclasses with declared, vocabulary-typed inputs/outputs.

One file per module: State, Transcode, Bind, Compare, Product, Scalar and the
associative memories (with their selection networks in ``selection.py``).
"""

from .assoc_mem import AssociativeMemory, IAAssocMem, ThresholdingAssocMem, WTAAssocMem
from .bind import Bind
from .compare import Compare
from .product import Product
from .scalar import Scalar
from .state import State
from .transcode import Transcode

__all__ = [
    "AssociativeMemory", "Bind", "Compare", "IAAssocMem", "Product", "Scalar", "State",
    "ThresholdingAssocMem", "Transcode", "WTAAssocMem",
]
