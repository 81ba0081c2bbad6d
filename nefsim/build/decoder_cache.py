"""On-disk cache of decoder solves, keyed by a hash of everything a solve depends on.

A decoder solve is a pure function of the solver, the neuron type, the pre ensemble's
gains and biases, the eval points in neuron space ``x``, the targets, the post encoders
``E`` (weight solves) and, for stochastic solvers, the random state.  The cache hashes
all of these (SHA-256) and stores the result as ``<key>.npz`` in the cache directory, so
rebuilding an unchanged model skips its solves.

Safety rules:

* Entries are written to a temporary file in the same directory and moved into place
  with :func:`os.replace`, which is atomic: a concurrent reader (in any process) sees the
  old entry, the new one or none, never half a file.  No lock is needed.
* A file that cannot be parsed (truncated, corrupt, old format) counts as a miss and is
  deleted.
* Any other I/O problem issues a :class:`~nefsim.exceptions.CacheIOWarning` and the
  solve runs normally: the cache never makes a build fail.
* A hit on a stochastic solve also restores the random state the solve left behind, so
  cached and uncached builds draw the same numbers afterwards.

Least-recently-used entries (by modification time, refreshed on every hit) are evicted
by :meth:`DecoderCache.shrink` once the directory exceeds its size limit.
"""

import hashlib
import json
import os
import re
import sys
import tempfile
import time
import warnings

import numpy as np

from .._base import FrozenObject
from .._validation import check_bool, check_int
from ..exceptions import CacheIOWarning
from ..solvers import NoSolver

FORMAT = "nefsim-decoder-cache-1"
_ENTRY_NAME = re.compile(r"^[0-9a-f]{64}\.npz$")
_TMP_PREFIX = ".tmp-"
_STALE_TMP_SECONDS = 3600  # temp files this old were left by a writer that died
_DISABLE_VALUES = ("0", "false", "off", "no")


def default_cache_dir():
    """``$NEFSIM_CACHE_DIR`` if set, else ``~/.cache/nefsim/decoders``."""
    return os.environ.get("NEFSIM_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "nefsim", "decoders")


class DecoderCache:
    """Cache decoder solves on disk, keyed by a content hash of their inputs.

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        Directory of the entries; see :func:`default_cache_dir`.  Only files named
        ``<64 hex digits>.npz`` (and the cache's own temporary files) are ever touched.
    size_limit_bytes : int, optional
        :meth:`shrink` evicts least-recently-used entries until the total size is at most
        this (512 MiB by default).  Writes call it after every tenth of the limit.
    enabled : bool or None, optional
        None (default) reads the environment on every use: the cache is off when
        ``NEFSIM_DECODER_CACHE`` is ``0`` (or ``false``/``off``/``no``).

    Attributes
    ----------
    hits, misses : int
        Counts of lookups in this object that found / did not find an entry.
    """

    def __init__(self, cache_dir=None, size_limit_bytes=512 * 2 ** 20, enabled=None):
        self.cache_dir = os.fspath(cache_dir) if cache_dir is not None else default_cache_dir()
        self.size_limit_bytes = check_int(size_limit_bytes, "size_limit_bytes", self, low=0)
        self._enabled = check_bool(enabled, "enabled", self, optional=True)
        self._written_since_shrink = 0
        self.hits = 0
        self.misses = 0

    def __repr__(self):
        return f"DecoderCache(cache_dir={self.cache_dir!r})"

    @property
    def enabled(self):
        """Whether lookups and writes happen (see the ``enabled`` parameter)."""
        if self._enabled is not None:
            return self._enabled
        value = os.environ.get("NEFSIM_DECODER_CACHE", "1").strip().lower()
        return value not in _DISABLE_VALUES

    # -- solving -------------------------------------------------------------------

    def solve(self, solver, neuron_type, gain, bias, x, targets, rng=None, E=None,
              solve_fn=None):
        """Return ``(decoders, info)`` from the cache, or solve and store them.

        Parameters
        ----------
        solver : Solver
        neuron_type : NeuronType
            Turns ``x`` into activities with ``rates(x, gain, bias)``.
        gain, bias : (n,) arrays
            The pre ensemble's neuron parameters.
        x : (m, n) array
            Eval points in neuron space (``eval_points @ encoders.T / radius``).
        targets : (m, d) array
        rng : numpy.random.RandomState or Generator, optional
            Passed to the solver; part of the key when the solver is stochastic.
        E : (d, n_post) array, optional
            Post encoders of a weight solve (passed to the solver as ``E=``).
        solve_fn : callable, optional
            ``solve_fn() -> (decoders, info)`` doing the actual solve on a miss (the
            builder passes one that reuses activities it already computed); the inputs
            above must determine its result.  By default the activities are computed
            from ``neuron_type.rates`` and ``solver`` is called.
        """
        if solve_fn is None:
            def solve_fn():
                return _solve_directly(solver, neuron_type, gain, bias, x, targets, rng, E)
        if not self.enabled or isinstance(solver, NoSolver):
            return solve_fn()
        stochastic = getattr(solver, "uses_rng", True)
        key = self.key(solver, neuron_type, gain, bias, x, targets, rng=rng, E=E)
        if key is None:
            return solve_fn()
        path = os.path.join(self.cache_dir, key + ".npz")
        entry = self._read(path)
        if entry is not None:
            decoders, info, rng_state = entry
            if stochastic and rng_state is not None:
                _set_rng_state(rng, rng_state)
            self.hits += 1
            return decoders, info
        self.misses += 1
        decoders, info = solve_fn()
        self._write(path, decoders, info, _get_rng_state(rng) if stochastic else None)
        return decoders, info

    def key(self, solver, neuron_type, gain, bias, x, targets, rng=None, E=None):
        """The hex SHA-256 key of a solve, or None when it cannot be fingerprinted.

        The key covers the nefsim version, the solver and neuron type (class and every
        parameter), the bytes, shape and dtype of each array, and the full random state
        when the solver uses random numbers.
        """
        parts = [FORMAT, _nefsim_version(), fingerprint(solver), fingerprint(neuron_type)]
        if any(part is None for part in parts):
            return None
        digest = hashlib.sha256()
        for part in parts:
            _update(digest, part.encode())
        for name, array in (("gain", gain), ("bias", bias), ("x", x), ("targets", targets),
                            ("E", E)):
            _update(digest, name.encode())
            _update_array(digest, array)
        if getattr(solver, "uses_rng", True):
            state = _get_rng_state(rng)
            if state is None:
                return None
            _update(digest, json.dumps(_encode(state), sort_keys=True).encode())
        return digest.hexdigest()

    # -- maintenance ---------------------------------------------------------------

    def shrink(self, limit=None):
        """Delete least-recently-used entries until the cache holds at most ``limit`` bytes.

        ``limit`` defaults to ``size_limit_bytes``.  Also removes temporary files left
        by writers that died.
        """
        limit = self.size_limit_bytes if limit is None else check_int(limit, "limit", self,
                                                                      low=0)
        self._written_since_shrink = 0
        self._remove_stale_temporaries()
        entries = sorted(self._entries())  # oldest first
        total = sum(size for _, size, _ in entries)
        for _, size, path in entries:
            if total <= limit:
                break
            if self._remove(path):
                total -= size

    def invalidate(self):
        """Delete every entry (and temporary file) of this cache."""
        for _, _, path in self._entries():
            self._remove(path)
        self._remove_stale_temporaries(max_age=0)

    @property
    def size_bytes(self):
        """Total size of the entries on disk, in bytes."""
        return sum(size for _, size, _ in self._entries())

    def __len__(self):
        return len(self._entries())

    # -- file handling -------------------------------------------------------------

    def _read(self, path):
        """``(decoders, info, rng_state)`` of the entry at ``path``, or None on a miss."""
        try:
            with np.load(path, allow_pickle=False) as data:
                decoders = data["decoders"]
                meta = json.loads(str(data["meta"][()]))
            if meta.get("format") != FORMAT:
                raise ValueError("entry written by another cache format")
            info, rng_state = _decode(meta["info"]), _decode(meta.get("rng_state"))
        except FileNotFoundError:
            return None
        except PermissionError as err:
            self._warn(f"could not read {path} ({err})")
            return None
        except Exception:  # truncated, corrupt or foreign file: a miss, and clean it up
            self._remove(path, quiet=True)
            return None
        try:
            os.utime(path)  # mark as recently used for the LRU eviction
        except OSError:
            pass
        return decoders, info, rng_state

    def _write(self, path, decoders, info, rng_state):
        try:
            meta = json.dumps({"format": FORMAT, "info": _encode(info),
                               "rng_state": _encode(rng_state)})
        except TypeError:
            return  # info holds something we cannot store faithfully: just don't cache
        tmp = None
        try:
            os.makedirs(self.cache_dir, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".npz", dir=self.cache_dir)
            with os.fdopen(fd, "wb") as f:
                np.savez(f, decoders=np.asarray(decoders), meta=np.array(meta))
            size = os.path.getsize(tmp)
            os.replace(tmp, path)
            tmp = None
        except OSError as err:
            self._warn(f"could not write to {self.cache_dir} ({err})")
            return
        finally:
            if tmp is not None:
                self._remove(tmp, quiet=True)
        self._written_since_shrink += size
        if self._written_since_shrink > self.size_limit_bytes / 10:
            self.shrink()

    def _entries(self):
        """``(mtime, size, path)`` of every entry; [] when the directory is missing."""
        entries = []
        try:
            with os.scandir(self.cache_dir) as it:
                for item in it:
                    if not _ENTRY_NAME.match(item.name):
                        continue
                    try:
                        st = item.stat()
                    except FileNotFoundError:  # removed by another process meanwhile
                        continue
                    entries.append((st.st_mtime, st.st_size, item.path))
        except (FileNotFoundError, NotADirectoryError):  # nothing was ever stored there
            return []
        except OSError as err:
            self._warn(f"could not list {self.cache_dir} ({err})")
            return []
        return entries

    def _remove_stale_temporaries(self, max_age=_STALE_TMP_SECONDS):
        now = time.time()
        try:
            with os.scandir(self.cache_dir) as it:
                stale = [item.path for item in it if item.name.startswith(_TMP_PREFIX)
                         and now - item.stat().st_mtime >= max_age]
        except OSError:
            return
        for path in stale:
            self._remove(path, quiet=True)

    def _remove(self, path, quiet=False):
        """Delete ``path``; True if this call removed it."""
        try:
            os.remove(path)
            return True
        except FileNotFoundError:
            return False
        except OSError as err:
            if not quiet:
                self._warn(f"could not delete {path} ({err})")
            return False

    def _warn(self, what):
        warnings.warn(CacheIOWarning(f"decoder cache: {what}; continuing without the "
                                     "cache for this solve"), stacklevel=3)


def _solve_directly(solver, neuron_type, gain, bias, x, targets, rng, E):
    A = neuron_type.rates(x, gain, bias)
    rng = np.random if rng is None else rng
    if E is None:
        return solver(A, targets, rng=rng)
    return solver(A, targets, rng=rng, E=E)


def _nefsim_version():
    return str(getattr(sys.modules.get("nefsim"), "__version__", "unknown"))


# -- fingerprints and hashing ---------------------------------------------------------

def fingerprint(obj):
    """A deterministic text describing ``obj`` by value, or None if there is none.

    Description objects (:class:`~nefsim._base.FrozenObject`) give their class and every
    public parameter; arrays give a hash of their contents.  Other objects use ``repr``
    unless it shows a memory address (then None: such a solve is not cached).
    """
    if obj is None or isinstance(obj, (bool, int, float, complex, str)):
        return f"{type(obj).__name__}:{obj!r}"
    if isinstance(obj, np.generic):
        return f"{obj.dtype.str}:{obj.item()!r}"
    if isinstance(obj, np.ndarray):
        digest = hashlib.sha256()
        _update_array(digest, obj)
        return f"ndarray:{digest.hexdigest()}"
    if isinstance(obj, (list, tuple)):
        items = [fingerprint(item) for item in obj]
        return None if None in items else f"{type(obj).__name__}[{','.join(items)}]"
    if isinstance(obj, dict):
        items = [(fingerprint(k), fingerprint(v)) for k, v in sorted(obj.items(), key=repr)]
        if any(None in pair for pair in items):
            return None
        return "dict{" + ",".join(f"{k}={v}" for k, v in items) + "}"
    name = f"{type(obj).__module__}.{type(obj).__qualname__}"
    if isinstance(obj, FrozenObject):
        params = [(k, fingerprint(v)) for k, v in sorted(obj._public_params().items())]
        if any(v is None for _, v in params):
            return None
        return f"{name}(" + ",".join(f"{k}={v}" for k, v in params) + ")"
    text = repr(obj)
    return None if " at 0x" in text else f"{name}:{text}"


def _update(digest, data):
    """Add ``data`` with a length prefix, so that concatenations cannot collide."""
    digest.update(len(data).to_bytes(8, "little"))
    digest.update(data)


def _update_array(digest, array):
    if array is None:
        _update(digest, b"None")
        return
    array = np.ascontiguousarray(array)
    _update(digest, f"{array.dtype.str}{array.shape}".encode())
    _update(digest, array.tobytes())


# -- random states ----------------------------------------------------------------------

def _resolve_rng(rng):
    return np.random.mtrand._rand if rng is None or rng is np.random else rng


def _get_rng_state(rng):
    """A JSON-able snapshot of ``rng``'s state, or None for an unknown kind of rng."""
    rng = _resolve_rng(rng)
    if isinstance(rng, np.random.RandomState):
        return {"kind": "RandomState", "state": list(rng.get_state())}
    if isinstance(rng, np.random.Generator):
        return {"kind": "Generator", "state": rng.bit_generator.state}
    return None


def _set_rng_state(rng, snapshot):
    rng = _resolve_rng(rng)
    if snapshot["kind"] == "RandomState" and isinstance(rng, np.random.RandomState):
        rng.set_state(tuple(snapshot["state"]))
    elif snapshot["kind"] == "Generator" and isinstance(rng, np.random.Generator):
        rng.bit_generator.state = snapshot["state"]


# -- faithful JSON for info dicts and states -------------------------------------------

def _encode(value):
    """Turn ``value`` into JSON-able data that :func:`_decode` restores exactly."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"cannot store arrays of dtype {value.dtype}")
        return {"__ndarray__": value.tolist(), "dtype": value.dtype.str,
                "shape": list(value.shape)}
    if isinstance(value, np.generic):
        return {"__scalar__": value.item(), "dtype": value.dtype.str}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("only string keys can be stored")
        return {"__dict__": {k: _encode(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"__list__" if isinstance(value, list) else "__tuple__":
                [_encode(v) for v in value]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot store {type(value).__name__}")


def _decode(value):
    if not isinstance(value, dict):
        return value
    if "__ndarray__" in value:
        return np.array(value["__ndarray__"], dtype=value["dtype"]).reshape(value["shape"])
    if "__scalar__" in value:
        return np.dtype(value["dtype"]).type(value["__scalar__"])
    if "__dict__" in value:
        return {k: _decode(v) for k, v in value["__dict__"].items()}
    if "__list__" in value:
        return [_decode(v) for v in value["__list__"]]
    if "__tuple__" in value:
        return tuple(_decode(v) for v in value["__tuple__"])
    raise ValueError("unknown entry in cached metadata")


__all__ = ["DecoderCache", "default_cache_dir", "fingerprint"]
