"""Quick plots of simulation results (needs matplotlib: ``pip install nefsim[plot]``)."""

import os
import tempfile

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


def _atomic_text(path, text):
    """Write ``text`` to ``path`` through a temporary file and an atomic rename."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def save_figure(fig, path):
    """Write ``fig`` as a PNG to ``path`` through a temporary file in the same folder and
    an atomic rename, so an existing plot is never left half-written."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(suffix=".png", dir=directory)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=100, format="png")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a plot is not
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


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
