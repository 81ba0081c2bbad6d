"""Safe file writing: nothing a user saved is ever left half-written.

Every file nefsim writes for the user (plots, logs, benchmark tables) goes through
:func:`atomic_write`: the content is written to a temporary file in the same folder,
flushed to disk, given the usual permissions, and renamed over the target in one step.
A crash at any point leaves either the old file or the new one, never a mixture.
"""

import os
import tempfile


def atomic_write(path, write, binary=False, prefix=".nefsim-"):
    """Create or replace ``path`` with what ``write(file)`` writes to an open file."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"newline": ""})) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; ours are not
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def atomic_text(path, text):
    """Create or replace ``path`` with ``text``."""
    atomic_write(path, lambda f: f.write(text))
