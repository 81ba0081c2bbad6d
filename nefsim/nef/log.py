"""``nef.Log``: Nengo 1.4's CSV logger, written on nefsim probes.

This module owns :class:`Log` (what ``net.log(...)`` returns) and its CSV format, which
follows Nengo 1.4's (shared/reference/nef14.md §14):

- a header line ``time,<col1>,<col2>,...`` (one column per logged item, in the order
  added), then one line per ``interval`` of simulated time;
- the time printed as ``%1.3f`` (more decimals when ``interval`` needs them);
- one cell per item: its filtered vector, each component ``%1.3f``, joined by ``;``
  (``add_spikes``: integer spike counts; ``add_vocab``: ``0.87A;0.31B``).

How it runs on nefsim.  The Network wrapper calls :meth:`Log.attach` before it builds
the simulator (the log adds one nefsim ``Probe`` per item: the origin's signal through a
``Lowpass(tau)`` synapse, or the neurons' spikes) and :meth:`Log.after_run` after every
``run``; that appends the rows of the newly simulated time.  Rows are stamped with
nefsim's step-end times (``interval, 2*interval, ...``), so ``run(T)`` writes
``T/interval`` rows and a second ``run`` continues the clock.  After ``reset()`` logging
starts a new block: a new header line (and a new file when the name template holds
``%(time)s`` and the wall clock moved on).

Every write goes to a temporary file in the same folder that is then renamed over the
log file, so a crash never leaves a half-written CSV or a partial row.
"""

import csv
import io
import os
import shutil
import time as _time

import numpy as np

from .._io import atomic_write
from .._validation import check_bool, check_int, check_number
from ..exceptions import ValidationError
from .terms import Origin

_DEFAULT = "default"  # 1.4's marker for "use the log's tau"
_EPS = 1e-9  # slack when deciding whether a row is due at a step time


class _Item:
    """One logged column: how to probe it and how to turn samples into cells."""

    def __init__(self, kind, column, target, synapse=None, skip=0, vocab_options=None,
                 spiking=True):
        self.kind = kind  # "value", "spikes" or "vocab"
        self.column = column
        self.target = target  # an Origin, or (spikes) a list of nefsim Neurons
        self.synapse = synapse
        self.skip = skip
        self.vocab_options = vocab_options or {}
        self.spiking = spiking
        self.probe = None  # made by Log.attach
        self.rows = []  # the values of the rows written in this block


class Log:
    """Writes logged values of a running ``nef.Network`` to a CSV file (Nengo 1.4's ``nef.Log``).

    Usually made with ``net.log(...)``; add columns with :meth:`add`, :meth:`add_spikes`
    and :meth:`add_vocab` before the first ``net.run``.

    Parameters
    ----------
    network : nef.Network
        The network whose runs are logged.
    name : str, optional
        Used only in the file name template; default: the network's name.
    dir : str, optional
        Folder of the file (created when missing); default: the current folder.
    filename : str, optional
        A ``%`` template with ``%(name)s`` and ``%(time)s`` (the wall-clock time when
        logging starts, ``%Y%m%d-%H%M%S``); ``.csv`` is added when missing.
    interval : float, optional
        Simulated seconds between rows.
    tau : float, optional
        Default low-pass time constant (s) of the logged values; 0 logs them unfiltered.
    auto_flush : bool, optional
        Accepted for 1.4 scripts.  nefsim writes (atomically) at the end of every
        ``run`` either way.

    Attributes
    ----------
    path : str or None
        The file being written (None until the first run).
    """

    def __init__(self, network, name=None, dir=None, filename="%(name)s-%(time)s.csv",
                 interval=0.001, tau=0.01, auto_flush=True):
        if not (hasattr(network, "model") and hasattr(network, "get")):
            raise ValidationError(
                f"must be a nef.Network (got {type(network).__name__} {network!r})",
                "network", self)
        if name is None:
            name = getattr(network, "name", None) or getattr(network.model, "label", None)
        self.label = self.name = _check_text(name, "name", self)
        self.network = network
        self.dir = None if dir is None else os.fspath(_check_path(dir, "dir", self))
        self.filename = _check_template(filename, self)
        self.interval = check_number(interval, "interval", self, low=0, low_open=True)
        self.tau = check_number(tau, "tau", self, low=0)
        self.auto_flush = check_bool(auto_flush, "auto_flush", self)
        self.path = None
        self._items = []
        self._attached = False  # probes made (the Network calls attach before building)
        self._new_block = True  # the next run starts a block: header line, file name
        self._t_seen = 0.0  # simulated time already turned into rows
        self._last_row_time = 0.0  # time of the last row (spike counts restart there)
        self._block_times = []
        self._pending_header = None
        logs = getattr(network, "_logs", None)
        if logs is not None and not any(log is self for log in logs):
            logs.append(self)

    def __repr__(self):
        return f"<Log {self.name!r}: {', '.join(self.columns) or 'no columns'}>"

    @property
    def columns(self):
        """The column names after ``time``, in order."""
        return [item.column for item in self._items]

    # ------------------------------------------------------------------ adding items
    def add(self, source, name=None, tau=_DEFAULT, origin="X"):
        """Log the (filtered) value of ``source``'s origin ``origin`` as one column.

        Parameters
        ----------
        source : str or node
            A node of the network or its (dotted) name, e.g. ``'B'`` or ``'sub.D'``.
        name : str, optional
            Column name; default: the source's name.
        tau : float, optional
            Low-pass time constant (s); default: the log's ``tau``.  0 (or less) logs the
            raw value.
        origin : str, optional
            Which origin: ``'X'`` (the decoded value), a function origin's name, or
            ``'origin'`` for an input.  When the node has no ``'X'`` origin but exactly
            one origin, that one is used (1.4 raised an error).
        """
        wrapper = self._resolve(source)
        column = self._column(name, source, "")
        if tau is None or (isinstance(tau, str) and tau == _DEFAULT):
            tau = self.tau
        tau = check_number(tau, "tau", self)
        if not isinstance(origin, str):
            raise ValidationError(f"must be an origin name (got {origin!r})", "origin", self)
        target = self._origin_of(wrapper, origin, source)
        synapse = _lowpass(tau) if tau > 0 else None
        self._add_item(_Item("value", column, target, synapse=synapse))

    def add_spikes(self, source, name=None, skip=0):
        """Log the spike count of every neuron of ``source`` since the previous row.

        Parameters
        ----------
        source : str or node
            An ensemble or array of the network, or its (dotted) name.
        name : str, optional
            Column name; default: ``source + '_spikes'``.
        skip : int, optional
            Keep every ``(skip + 1)``-th neuron.
        """
        wrapper = self._resolve(source)
        column = self._column(name, source, "_spikes")
        skip = check_int(skip, "skip", self, low=0)
        neurons, spiking = self._neurons_of(wrapper, source)
        self._add_item(_Item("spikes", column, neurons, skip=skip, spiking=spiking))

    def add_vocab(self, source, vocab=None, name=None, tau=_DEFAULT, terms=None, pairs=False,
                  threshold=0.1, normalize=False):
        """Log the similarity of ``source``'s value to the terms of a vocabulary.

        Each cell lists the most similar terms, best first: those above ``threshold``
        (at least 1, at most 5), each as ``%0.2f`` followed by the key, e.g. ``0.87A;0.31B``.

        Parameters
        ----------
        source : str or node
            The node whose ``'X'`` value is compared.
        vocab : nefsim.spa.Vocabulary
            The vocabulary.  Required: nefsim keeps no registry of "the last vocabulary
            made with this dimension" as 1.4 did.
        name : str, optional
            Column name; default: ``source + '_vocab'``.
        tau : float, optional
            Low-pass time constant (s); default: the log's ``tau``.
        terms : list of str, optional
            Compare with these keys only; default: all keys.
        pairs : bool, optional
            Also compare with every pair ``A*B`` of the terms.
        threshold : float, optional
            Show only terms whose similarity is above this (the best one is always shown).
        normalize : bool, optional
            Normalise the value to unit length before comparing.
        """
        wrapper = self._resolve(source)
        column = self._column(name, source, "_vocab")
        if vocab is None or not hasattr(vocab, "parse") or not hasattr(vocab, "keys"):
            raise ValidationError(
                f"must be a nefsim.spa.Vocabulary (got {vocab!r}); nefsim has no default "
                "vocabulary per dimension, so pass the one the model uses", "vocab", self)
        if tau is None or (isinstance(tau, str) and tau == _DEFAULT):
            tau = self.tau
        tau = check_number(tau, "tau", self)
        threshold = check_number(threshold, "threshold", self)
        pairs = check_bool(pairs, "pairs", self)
        normalize = check_bool(normalize, "normalize", self)
        keys = _vocab_keys(vocab, terms, pairs, self)
        matrix = np.array([np.asarray(vocab.parse(k).v, dtype=float) for k in keys])
        target = self._origin_of(wrapper, "X", source)
        if matrix.shape[1] != target.dimensions:
            raise ValidationError(
                f"has {matrix.shape[1]} dimensions but {source!r} represents "
                f"{target.dimensions}", "vocab", self)
        options = dict(keys=keys, matrix=matrix, threshold=threshold, normalize=normalize)
        synapse = _lowpass(tau) if tau > 0 else None
        self._add_item(_Item("vocab", column, target, synapse=synapse, vocab_options=options))

    def _column(self, name, source, suffix):
        if name is None:
            name = (source if isinstance(source, str) else _node_name(source)) + suffix
        name = _check_text(name, "name", self)
        if any(c in name for c in ",\r\n"):
            raise ValidationError(f"column names cannot hold commas or line breaks (got "
                                  f"{name!r})", "name", self)
        return name

    def _add_item(self, item):
        if self._block_times:
            raise ValidationError(
                "cannot add a column to a log that has written rows (the header is fixed); "
                "add every column before the first net.run(), or after net.reset()",
                "source", self)
        self._items.append(item)
        if self._attached:  # the Network rebuilds its simulator when the model changes
            self._make_probe(item)

    # ------------------------------------------------------------ resolving sources
    def _resolve(self, source):
        if isinstance(source, str):
            try:
                found = self.network.get(source)
            except Exception as err:  # the wrapper raises its own error type
                raise ValidationError(f"no node named {source!r} in the network ({err})",
                                      "source", self) from None
            if not (isinstance(found, Origin) or hasattr(found, "origin")):
                raise ValidationError(f"{source!r} is not a node or an origin (got {found!r}); "
                                      "log the node, or one of its origins", "source", self)
            return found
        if isinstance(source, Origin) or hasattr(source, "origin"):
            return source
        raise ValidationError(
            f"must be a node of the network or its name (got {type(source).__name__} "
            f"{source!r})", "source", self)

    def _origin_of(self, wrapper, origin, source):
        """The origin object (its nefsim ``node_or_view`` is fetched in :meth:`attach`,
        because asking for it may add a node to the model)."""
        if isinstance(wrapper, Origin):
            return wrapper  # an origin was passed (or named, as 'A.X')
        origins = getattr(wrapper, "origin", None) or {}
        if origin in origins:
            return origins[origin]
        value_origins = [k for k in origins if k != "AXON"]
        if origin == "X" and len(value_origins) == 1:
            return origins[value_origins[0]]
        raise ValidationError(
            f"{source!r} has no origin {origin!r} (it has {sorted(origins) or 'none'})",
            "origin", self)

    def _neurons_of(self, wrapper, source):
        """The nefsim objects whose spikes make up ``source``'s ``'AXON'`` origin."""
        from ..ensemble import Neurons

        axon = (getattr(wrapper, "origin", None) or {}).get("AXON")
        targets = getattr(axon, "ensembles", None) or _ensembles_of(wrapper)
        targets = targets if isinstance(targets, (list, tuple)) else [targets]

        neurons = []
        for target in targets:
            target = getattr(target, "ensemble", target)  # a 1.4 ensemble wrapper
            target = getattr(target, "neurons", target)
            if not isinstance(target, Neurons) or target.size_out == 0:
                raise ValidationError(f"{source!r} has no neurons to count spikes of (it "
                                      "must be a spiking or rate-mode ensemble or array)",
                                      "source", self)
            neurons.append(target)
        if not neurons:
            raise ValidationError(f"{source!r} has no neurons to count spikes of",
                                  "source", self)
        spiking = all(getattr(n.ensemble.neuron_type, "spiking", False) for n in neurons)
        return neurons, spiking

    # ------------------------------------------------------------------ Network hooks
    def attach(self, network=None):
        """Add this log's probes to the nefsim model (called before the simulator is built).

        Logging starts at the network's current time: a log made after a run logs from
        there on, as in 1.4.
        """
        if self._attached:
            return
        self._attached = True
        for item in self._items:
            self._make_probe(item)
        sim = getattr(self.network, "simulator", None)
        self._t_seen = sim.time if sim is not None else 0.0
        self._last_row_time = self._t_seen

    def _make_probe(self, item):
        from ..probe import Probe

        with self.network.model:
            if item.kind == "spikes":
                item.probe = [Probe(n, "output", synapse=None) for n in item.target]
            else:
                item.probe = Probe(item.target.node_or_view, synapse=item.synapse)

    def after_run(self, network, sim):
        """Append the rows of the time simulated since the last call (atomically).

        A rebuilt simulator that was re-simulated up to the current time (the Network
        does that when the model changed between runs) simply continues the clock.
        """
        if not self._attached or not self._items:
            return
        if sim.time < self._t_seen - sim.dt / 2:  # time went back without on_reset
            self.on_reset()
        if self._new_block:
            self._start_block()
        first = int(round(self._t_seen / sim.dt)) + 1
        if first > sim.n_steps:
            return
        lines = self._new_rows(sim, np.arange(first, sim.n_steps + 1))
        self._t_seen = sim.time
        if lines:
            self._append(lines)

    def on_reset(self, network=None):
        """After ``net.reset()``: the next run starts a new block (header line, file name)
        at time 0, as in 1.4."""
        self._new_block = True
        self._t_seen = self._last_row_time = 0.0

    reset = on_reset

    # ----------------------------------------------------------------- making rows
    def _start_block(self):
        self._new_block = False
        for item in self._items:
            item.rows = []
        self._block_times = []
        values = {"name": self.name, "time": _time.strftime("%Y%m%d-%H%M%S")}
        filename = self.filename % values
        if not filename.endswith(".csv"):
            filename += ".csv"
        if self.dir is not None:
            os.makedirs(self.dir, exist_ok=True)
            filename = os.path.join(self.dir, filename)
        self.path = filename
        self._pending_header = "time," + ",".join(self.columns) + "\n"

    def _new_rows(self, sim, steps):
        """The text lines of the rows due in ``steps`` (step numbers, 1-based).

        Row k is the first step whose end time reaches ``k * interval``.
        """
        dt = sim.dt
        row_index = np.floor(steps * dt / self.interval + _EPS).astype(np.int64)
        last = int(np.floor(self._last_row_time / self.interval + _EPS))
        previous = np.concatenate([[last], row_index[:-1]])
        row_steps = steps[row_index > previous]
        if len(row_steps) == 0:
            return []
        cells = [self._cells(item, sim, row_steps) for item in self._items]
        digits = _time_digits(self.interval)
        times = row_steps * dt
        lines = [",".join([f"{t:1.{digits}f}", *(c[k] for c in cells)]) + "\n"
                 for k, t in enumerate(times)]
        self._block_times.extend(times.tolist())
        self._last_row_time = float(times[-1])
        return lines

    def _cells(self, item, sim, row_steps):
        if item.kind == "spikes":
            counts = self._spike_counts(item, sim, row_steps)
            item.rows.extend(counts)
            if item.spiking:
                return [";".join(str(int(c)) for c in np.rint(row)) for row in counts]
            return [";".join(f"{c:1.3f}" for c in row) for row in counts]
        data = np.asarray(sim.data[item.probe]).reshape(sim.n_steps, -1)
        values = data[row_steps - 1]
        item.rows.extend(values)
        if item.kind == "vocab":
            return [_vocab_cell(v, item.vocab_options) for v in values]
        return [";".join(f"{x:1.3f}" for x in row) for row in values]

    def _spike_counts(self, item, sim, row_steps):
        """Spikes per neuron from the step after the previous row to each row's step."""
        data = np.concatenate(
            [np.asarray(sim.data[p]).reshape(sim.n_steps, -1) for p in item.probe], axis=1)
        data = data[:, :: item.skip + 1] * sim.dt  # a spike has amplitude 1/dt
        cumulative = np.concatenate([np.zeros((1, data.shape[1])), np.cumsum(data, axis=0)])
        bounds = np.concatenate([[int(round(self._last_row_time / sim.dt))], row_steps])
        return list(cumulative[bounds[1:]] - cumulative[bounds[:-1]])

    # ------------------------------------------------------------------ the file
    def _append(self, lines):
        header, self._pending_header = self._pending_header, None
        text = (header or "") + "".join(lines)
        _atomic_append(self.path, text)

    def data(self):
        """The rows written in the current block: ``(times, {column: (n_rows, d) array})``."""
        values = {}
        for item in self._items:
            rows = item.rows
            if item.kind == "vocab":
                rows = [np.asarray(r) @ item.vocab_options["matrix"].T for r in rows]
            values[item.column] = np.array(rows, dtype=float).reshape(len(rows), -1)
        return np.array(self._block_times), values

    def read(self):
        """A ``csv.reader`` over the file written so far (empty before the first run)."""
        if self.path is None or not os.path.exists(self.path):
            return csv.reader(io.StringIO(""))
        with open(self.path, newline="") as f:
            return csv.reader(io.StringIO(f.read()))

    def record(self, **items):
        """Append ``key=repr(value)`` lines to the sibling ``.data`` file of the log."""
        if self.path is None:
            raise ValidationError("nothing has been logged yet: call record() after "
                                  "net.run()", "record", self)
        base = self.path[:-4] if self.path.endswith(".csv") else self.path
        _atomic_append(base + ".data", "".join(f"{k}={v!r}\n" for k, v in items.items()))


# ------------------------------------------------------------------------- helpers
def _lowpass(tau):
    from ..synapses import Lowpass

    return Lowpass(tau)


def _check_text(value, attr, obj):
    if not isinstance(value, str) or not value:
        raise ValidationError(f"must be a non-empty string (got {value!r})", attr, obj)
    return value


def _check_path(value, attr, obj):
    if not isinstance(value, (str, os.PathLike)):
        raise ValidationError(f"must be a folder path (got {value!r})", attr, obj)
    return value


def _check_template(filename, obj):
    if not isinstance(filename, str) or not filename:
        raise ValidationError(f"must be a non-empty string (got {filename!r})", "filename",
                              obj)
    try:
        name = filename % {"name": "n", "time": "t"}
    except (KeyError, ValueError, TypeError) as err:
        raise ValidationError(
            f"must be a %-template using only %(name)s and %(time)s (got {filename!r}: "
            f"{type(err).__name__} {err})", "filename", obj) from None
    if os.sep in name or (os.altsep and os.altsep in name):
        raise ValidationError(f"must be a file name, not a path (got {filename!r}); put the "
                              "folder in dir=", "filename", obj)
    return filename


def _time_digits(interval):
    """Decimals for the time column: 1.4's 3, or more when ``interval`` needs them."""
    digits = 3
    while digits < 9 and abs(interval * 10**digits - round(interval * 10**digits)) > 1e-6:
        digits += 1
    return digits


def _node_name(node):
    for attr in ("name", "label"):
        value = getattr(node, attr, None)
        if isinstance(value, str) and value:
            return value
    raise ValidationError(f"cannot tell the name of {node!r}; pass name=", "name", None)


def _ensembles_of(wrapper):
    for attr in ("ensembles", "ensemble"):
        value = getattr(wrapper, attr, None)
        if value is not None:
            return value
    return []


def _vocab_keys(vocab, terms, pairs, obj):
    keys = list(vocab.keys() if callable(vocab.keys) else vocab.keys)
    if terms is not None:
        terms = [terms] if isinstance(terms, str) else list(terms)
        missing = [t for t in terms if t not in keys]
        if missing:
            raise ValidationError(f"{missing} are not keys of the vocabulary", "terms", obj)
        keys = terms
    if pairs:
        keys = keys + [f"{a}*{b}" for i, a in enumerate(keys) for b in keys[i + 1:]]
    if not keys:
        raise ValidationError("the vocabulary has no terms to compare with", "vocab", obj)
    return keys


def _vocab_cell(value, options):
    value = np.asarray(value, dtype=float)
    if options["normalize"]:
        norm = np.linalg.norm(value)
        value = value / norm if norm > 0 else value
    similarity = options["matrix"] @ value
    order = np.argsort(-similarity, kind="stable")
    shown = [k for k in order[:5] if similarity[k] > options["threshold"]] or [order[0]]
    return ";".join(f"{similarity[k]:0.2f}{options['keys'][k]}" for k in shown)


def _atomic_append(path, text):
    """Write ``old contents + text`` to ``path`` atomically (temporary file + rename)."""
    def write(out):
        if os.path.exists(path):
            with open(path, newline="") as old:
                shutil.copyfileobj(old, out)
        out.write(text)

    atomic_write(path, write, prefix=".nef-log-")


__all__ = ["Log"]
