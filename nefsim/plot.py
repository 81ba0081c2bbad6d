"""Quick plots of simulation results (needs matplotlib: ``pip install nefsim[plot]``)."""

import os

from ._io import atomic_write
from .exceptions import ValidationError


def _pyplot():
    try:
        import matplotlib

        if not os.environ.get("DISPLAY") and not os.environ.get("MPLBACKEND"):
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plotting needs matplotlib: pip install 'nefsim[plot]'") from None
    return plt


def save_figure(fig, path):
    """Write ``fig`` as a PNG to ``path`` atomically (see :func:`nefsim._io.atomic_write`)."""
    atomic_write(path, lambda f: fig.savefig(f, dpi=100, format="png"), binary=True)


def plot_probes(t, traces, path=None, title=None):
    """Plot ``{name: (n_steps, d) array}`` against ``t``; save to ``path`` if given.

    The PNG is written to a temporary file and renamed, so an existing plot is never left
    half-written.  Returns the matplotlib Figure.
    """
    if not traces:
        raise ValidationError("must contain at least one trace", "traces", "plot_probes")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4))
    for name, data in traces.items():
        data = data.reshape(len(t), -1)
        for i in range(data.shape[1]):
            ax.plot(t, data[:, i], label=name if data.shape[1] == 1 else f"{name}[{i}]")
    return finish_figure(fig, ax, title, path)


def finish_figure(fig, ax, title=None, path=None):
    """Label the time axis, add legend and title; save (and close) when ``path`` is given."""
    ax.set_xlabel("time (s)")
    ax.legend(loc="upper right", fontsize="small")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
        _pyplot().close(fig)
    return fig
