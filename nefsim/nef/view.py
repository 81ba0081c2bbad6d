"""The 1.4 interactive-plots calls (``view``, ``set_layout``, ``set_view_function_1d``)
without a GUI.

Nengo 1.4 opened a Java window of live plots.  nefsim has no such viewer (yet), so:

- :func:`set_layout` and :func:`set_view_function_1d` only store their settings on the
  network (``net._view_settings``), where a future viewer, or a script, can read them;
- :func:`view` draws the values the network's logs recorded (every ``net.log`` column)
  into a PNG with matplotlib; with ``play=T`` it first runs the network for ``T``
  seconds, recording every node's value when nothing else is logged.  A node with a
  1-D view function also gets a panel with the function its final value represents.

These functions take the ``nef.Network`` first; the Network's methods of the same names
call them.
"""

import os
import re
import warnings

import numpy as np

from .._validation import check_number
from ..exceptions import ValidationError
from .log import Log

VIEW_TAU = 0.01  # low-pass of the values view() records itself (1.4's plots filtered too)


# ----------------------------------------------------------------------- settings
def set_layout(net, view, layout, control):
    """Store a 1.4 interactive-plots layout on ``net`` (``net._view_settings['layout']``).

    Parameters
    ----------
    net : nef.Network
    view : dict
        Window position and size.
    layout : list
        The components shown and their parameters (1.4 ``.layout`` file entries).
    control : dict
        Simulation control settings (e.g. ``dt``, ``rcn``).
    """
    if not isinstance(view, dict):
        raise ValidationError(f"must be a dict (got {type(view).__name__})", "view", net)
    if not isinstance(layout, (list, tuple)):
        raise ValidationError(f"must be a list (got {type(layout).__name__})", "layout", net)
    if not isinstance(control, dict):
        raise ValidationError(f"must be a dict (got {type(control).__name__})", "control",
                              net)
    net._view_settings["layout"] = {"view": dict(view), "layout": list(layout),
                                    "control": dict(control)}


def set_view_function_1d(net, node, basis, label="1D function", minx=-1, maxx=1, miny=-1,
                         maxy=1):
    """Store a 1-D function view of ``node`` on ``net``.

    The vector ``v`` the node represents stands for the function
    ``f(x) = sum_i v[i] * basis(i, x)``; :func:`view` plots ``f`` over ``[minx, maxx]``
    for the node's last logged value.  Settings go to
    ``net._view_settings['function_1d'][<node name>]``.

    Parameters
    ----------
    net : nef.Network
    node : str or node
        The node (or its name, or an alias set with ``set_alias``).
    basis : callable
        ``basis(index, x) -> float``.
    label : str, optional
        The title of the panel (1.4: the pop-up menu entry).
    minx, maxx, miny, maxy : float, optional
        The plotted ranges.
    """
    if not callable(basis):
        raise ValidationError(f"must be callable as basis(index, x) (got {basis!r})",
                              "basis", net)
    if not isinstance(label, str):
        raise ValidationError(f"must be a string (got {label!r})", "label", net)
    bounds = {k: check_number(v, k, net) for k, v in
              dict(minx=minx, maxx=maxx, miny=miny, maxy=maxy).items()}
    for low, high in (("minx", "maxx"), ("miny", "maxy")):
        if not bounds[low] < bounds[high]:
            raise ValidationError(f"must be greater than {low}={bounds[low]} (got "
                                  f"{bounds[high]})", high, net)
    name = _node_name(net, node)
    net._view_settings.setdefault("function_1d", {})[name] = {
        "basis": basis, "label": label, **bounds}


def _node_name(net, node):
    if isinstance(node, str):
        aliases = getattr(net, "_aliases", None) or getattr(net, "aliases", None) or {}
        target = aliases.get(node, node)
        name = target if isinstance(target, str) else getattr(target, "name", None)
        try:
            net.get(name)
        except Exception:
            raise ValidationError(f"no node named {node!r} in the network", "node",
                                  net) from None
        return name
    name = getattr(node, "name", None)
    if not isinstance(name, str):
        raise ValidationError(f"must be a node of the network or its name (got {node!r})",
                              "node", net)
    return name


# ---------------------------------------------------------------------------- view
class _Recorder(Log):
    """A Log that keeps its rows in memory only (what ``view(play=...)`` records)."""

    def _append(self, lines):
        self._pending_header = None

    def _start_block(self):
        super()._start_block()
        self.path = None


def view(net, play=False, path=None, title=None):
    """Plot the logged values of ``net`` into a PNG (nefsim's stand-in for 1.4's viewer).

    Parameters
    ----------
    net : nef.Network
    play : False or float, optional
        If a time, run the network that long first.  When the network has not run yet
        and has no log columns, every top-level node's value is recorded for the plot.
    path : str, optional
        Where to write the PNG; default ``'<network name>.png'`` in the current folder.
    title : str, optional
        Figure title; default: the network's name.

    Returns
    -------
    str or None
        The path of the PNG, or None (with a warning) when nothing has been recorded.
    """
    if play is not False and play is not None:
        play = check_number(play, "play", net, low=0, low_open=True)
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise ValidationError(f"must be a file path (got {path!r})", "path", net)
    name = getattr(net, "name", None) or "network"
    if play:
        if not _has_columns(net) and not _has_run(net):
            _record_everything(net)
        net.run(play)
    panels = _panels(net)
    if not panels:
        warnings.warn(f"view(): nothing to plot for {name!r}: nefsim has no live viewer; "
                      "call view(play=<seconds>) or add columns with net.log().add(...) "
                      "and run first")
        return None
    path = os.fspath(path) if path is not None else _safe_filename(name) + ".png"
    _draw(net, panels, path, title or name)
    return path


def _has_columns(net):
    return any(log._items for log in getattr(net, "_logs", []))


def _has_run(net):
    return any(log._sim is not None for log in getattr(net, "_logs", [])) or \
        getattr(net, "_sim", None) is not None


def _top_level_nodes(net):
    """Names of the top-level nodes of ``net`` with a value origin to record."""
    for attr in ("nodes", "_nodes"):
        nodes = getattr(net, attr, None)
        if isinstance(nodes, dict):
            return list(nodes)
        if isinstance(nodes, (list, tuple)):
            return [getattr(n, "name", n) for n in nodes]
    return []


def _record_everything(net):
    recorder = _Recorder(net, name=getattr(net, "name", None) or "view", tau=VIEW_TAU)
    for name in _top_level_nodes(net):
        try:
            recorder.add(name)
        except ValidationError:  # e.g. a SimpleNode with several origins and no 'X'
            continue
    return recorder


def _panels(net):
    """``[(column, times, values)]`` from every log of ``net`` with rows."""
    panels = []
    for log in getattr(net, "_logs", []):
        times, values = log.data()
        if len(times) == 0:
            continue
        for column, data in values.items():
            panels.append((column, times, data))
    return panels


def _draw(net, panels, path, title):
    from ..plot import _pyplot, save_figure

    functions = net._view_settings.get("function_1d", {})
    extra = [(c, d[-1], functions[c]) for c, _, d in panels if c in functions and len(d)]
    n = len(panels) + len(extra)
    plt = _pyplot()
    fig, axes = plt.subplots(n, 1, figsize=(8, 2.2 * n + 0.6), squeeze=False)
    axes = axes[:, 0]
    for ax, (column, times, data) in zip(axes, panels):
        for i in range(data.shape[1]):
            ax.plot(times, data[:, i], lw=1,
                    label=column if data.shape[1] == 1 else f"{column}[{i}]")
        ax.set_ylabel(column)
        ax.set_xlabel("time (s)")
        if data.shape[1] <= 8:
            ax.legend(loc="upper right", fontsize="small")
    for ax, (column, value, setting) in zip(axes[len(panels):], extra):
        x = np.linspace(setting["minx"], setting["maxx"], 200)
        y = sum(v * np.array([setting["basis"](i, xi) for xi in x], dtype=float)
                for i, v in enumerate(value))
        ax.plot(x, y)
        ax.set_xlim(setting["minx"], setting["maxx"])
        ax.set_ylim(setting["miny"], setting["maxy"])
        ax.set_title(f"{setting['label']}: {column} at the last row", fontsize="small")
    fig.suptitle(title)
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)


def _safe_filename(name):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "network"
