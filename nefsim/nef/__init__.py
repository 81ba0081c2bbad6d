"""Nengo 1.4's classic scripting API on nefsim: ``from nefsim import nef``.

A 1.4 script runs after changing ``import nef`` to ``from nefsim import nef``::

    from nefsim import nef

    net = nef.Network('Test Network')
    net.make_input('input', [0.5])
    net.make('A', 100, 1)
    net.make('B', 100, 1)
    net.connect('input', 'A')
    net.connect('A', 'B', func=lambda x: x[0] ** 2)
    net.run(1.0)

Names: :class:`Network`, :class:`SimpleNode`, :func:`compute_transform` and ``Log``
(from :mod:`nefsim.nef.log`).  The behaviour follows the 1.4 documentation (seed 003)
and shared/reference/nef14.md; each place where 1.4 was buggy and this layer does what
1.4 meant is stated in the docstring concerned.
"""

from .network import Network, Projection, compute_transform
from .simplenode import SimpleNode

__all__ = ["Log", "Network", "Projection", "SimpleNode", "compute_transform"]


def __getattr__(name):
    if name == "Log":  # its own module, imported on first use
        from .log import Log

        return Log
    raise AttributeError(f"module 'nefsim.nef' has no attribute {name!r}")
