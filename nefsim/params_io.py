"""Files of saved parameters and checkpoints: one ``.npz`` archive with a JSON header.

Entries are stored under their stable names; the header records the nefsim version,
``dt``, what the file is (``"params"`` or ``"checkpoint"``) and a fingerprint of the
model structure.  Files are written through :func:`nefsim._io.atomic_write`, so a crash
or a kill during a save leaves the previous file intact; the temporary file a killed
writer leaves behind is removed by the next save to the same path.
"""

import hashlib
import io
import os
import json
import zipfile
from collections.abc import Mapping

import numpy as np

from ._io import atomic_write
from .exceptions import ValidationError

HEADER = "__header__.json"


class Params(Mapping):
    """Saved parameters, read-only: ``name -> ndarray``, plus the file's ``header``.

    ``nefsim.load_params(path)`` returns one; ``Simulator(net, params=...)`` accepts it,
    a path, or a plain dict.
    """

    def __init__(self, values, header=None):
        self._values = dict(values)
        self.header = dict(header or {})

    def __getitem__(self, name):
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def __repr__(self):
        return f"Params({len(self)} entries, {self.header.get('kind', 'params')})"


def fingerprint(shapes):
    """A short hash of ``shapes`` (``name -> shape tuple``)."""
    text = ";".join(f"{name}:{tuple(shape)}" for name, shape in sorted(shapes.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_archive(path, header, arrays):
    """Write ``arrays`` (``name -> array``) and ``header`` (JSON-able) to ``path``."""
    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(HEADER, json.dumps(header, indent=1, sort_keys=True))
            for name, value in arrays.items():
                buffer = io.BytesIO()
                np.save(buffer, np.asarray(value), allow_pickle=False)
                archive.writestr(f"{name}.npy", buffer.getvalue())
    path = str(path)
    _remove_dead_temporaries(path)
    atomic_write(path, write, binary=True, prefix=f"{_temporary_stem(path)}{os.getpid()}.")


def _temporary_stem(path):
    """Temporary files for ``path`` are ``.<name>.<writer pid>.<random>.tmp``."""
    return f".{os.path.basename(path)}."


def _remove_dead_temporaries(path):
    """Remove the temporary files for ``path`` left by writers that were killed
    mid-save (their process is gone), so at most one per running writer exists."""
    if os.name != "posix":  # os.kill(pid, 0) only tests for a process on POSIX
        return
    directory, stem = os.path.dirname(os.path.abspath(path)), _temporary_stem(path)
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        pid = name[len(stem):].split(".", 1)[0]
        if not (name.startswith(stem) and name.endswith(".tmp") and pid.isdigit()):
            continue
        try:
            os.kill(int(pid), 0)
            continue  # its writer still runs
        except ProcessLookupError:
            pass
        except OSError:  # e.g. another user's process: not ours to judge
            continue
        try:
            os.remove(os.path.join(directory, name))
        except OSError:
            pass


def read_archive(path, kind, owner="load_params"):
    """``(header, arrays)`` of a file written by :func:`write_archive` of ``kind``."""
    try:
        with zipfile.ZipFile(path) as archive:
            header = json.loads(archive.read(HEADER))
            arrays = {}
            for member in archive.namelist():
                if member == HEADER:
                    continue
                with archive.open(member) as f:
                    arrays[member[:-len(".npy")]] = np.load(io.BytesIO(f.read()),
                                                            allow_pickle=False)
    except FileNotFoundError:
        raise ValidationError(f"no file {str(path)!r}", "path", owner) from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise ValidationError(f"{str(path)!r} is not a nefsim {kind} file ({err})", "path",
                              owner) from None
    if header.get("kind") != kind:
        raise ValidationError(f"{str(path)!r} is a nefsim {header.get('kind')!r} file, "
                              f"expected a {kind!r} file", "path", owner)
    return header, arrays


def load_params(path):
    """The parameters saved by ``sim.save_params(path)``, as a :class:`Params`."""
    header, arrays = read_archive(path, "params")
    return Params(arrays, header)
