"""Plotting helpers under Nengo's ``nengo.utils.matplotlib`` names."""

import numpy as np


def rasterplot(time, spikes, ax=None, use_eventplot=True, **kwargs):
    """Spike raster of ``spikes`` (``(n_steps, n_neurons)``, nonzero where a neuron
    spiked) against ``time``; returns the matplotlib Axes."""
    from ..plot import _pyplot

    plt = _pyplot()
    ax = plt.gca() if ax is None else ax
    spikes = np.asarray(spikes)
    events = [np.asarray(time)[spikes[:, i] != 0] for i in range(spikes.shape[1])]
    ax.eventplot(events, colors=kwargs.pop("color", "k"), linelengths=0.8, **kwargs)
    ax.set_ylim(len(events) - 0.5, -0.5)
    ax.set_ylabel("neuron")
    ax.set_xlabel("time (s)")
    return ax
