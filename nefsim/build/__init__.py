"""The build layer: turns a network description into the IR that backends run.

``build(network, dt)`` returns a :class:`~nefsim.build.model.Model` whose ``to_ir()`` is
the backend input.  Modules mirror the description layer: ``ensemble.py`` builds
``nefsim.ensemble``, ``connection.py`` builds ``nefsim.connection``, and so on.
"""

from .model import BuiltConnection, BuiltEnsemble, Model, register


def build(network, dt=0.001, decoder_cache=None, progress_bar=False, params=None):
    """Build ``network`` into a new :class:`Model`.

    With ``progress_bar`` a tqdm bar counts built objects (on a terminal only).
    ``params`` (a :class:`~nefsim.build.params.LoadedParams`) supplies saved parameters
    by stable name instead of sampling and solving them.
    """
    from . import connection, ensemble, network as network_builder, node, probe  # noqa: F401 (registers builders)

    model = Model(dt=dt, decoder_cache=decoder_cache, loaded=params)
    bar = _progress_bar(network) if progress_bar else None
    model.progress = bar.update if bar is not None else None
    try:
        model.build(network)
    finally:
        if bar is not None:
            bar.close()
    model.memo.clear()  # build-time scratch (activity matrices) is not needed to run
    if decoder_cache is not None:
        decoder_cache.shrink()  # keep the on-disk cache within its size limit
    return model


def _progress_bar(network, min_objects=200):
    """A tqdm bar for big builds when stderr is a terminal, else None."""
    import sys

    n = sum(len(objs) for objs in (network.all_ensembles, network.all_nodes,
                                   network.all_connections, network.all_probes))
    if n < min_objects or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=n, desc="Building", unit="obj")


__all__ = ["build", "Model", "BuiltEnsemble", "BuiltConnection", "register"]
