"""The build layer: turns a network description into the IR that backends run.

``build(network, dt)`` returns a :class:`~nefsim.build.model.Model` whose ``to_ir()`` is
the backend input.  Modules mirror the description layer: ``ensemble.py`` builds
``nefsim.ensemble``, ``connection.py`` builds ``nefsim.connection``, and so on.
"""

from .model import BuiltConnection, BuiltEnsemble, Model, register


def build(network, dt=0.001, decoder_cache=None):
    """Build ``network`` into a new :class:`Model`."""
    from . import connection, ensemble, network as network_builder, node, probe  # noqa: F401 (registers builders)

    model = Model(dt=dt, decoder_cache=decoder_cache)
    model.build(network)
    return model


__all__ = ["build", "Model", "BuiltEnsemble", "BuiltConnection", "register"]
