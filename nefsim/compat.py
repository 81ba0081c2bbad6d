"""Serve ``import nengo`` and ``import nengo_spa`` (and their submodules) from nefsim.

``install_nengo_alias()`` makes an unmodified Nengo script use nefsim: ``import nengo``
returns the ``nefsim`` package and ``from nengo.dists import Uniform`` returns
``nefsim.dists.Uniform`` itself, not a second copy of the module (a second copy would have
its own classes, and ``isinstance`` checks would fail).  ``nefsim run SCRIPT`` uses it.
"""

import importlib
import importlib.abc
import importlib.util
import sys


ALIASES = {"nengo": "nefsim", "nengo_spa": "nefsim.spa"}


def _target(fullname):
    """``nefsim...`` name served for ``fullname``, or None if it is not an alias."""
    for alias, target in ALIASES.items():
        if fullname == alias or fullname.startswith(alias + "."):
            return target + fullname[len(alias):]
    return None


class _NengoAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``nengo.X`` as the already-importable ``nefsim.X`` (and nengo_spa)."""

    def find_spec(self, fullname, path=None, target=None):
        target_name = _target(fullname)
        if target_name is None or importlib.util.find_spec(target_name) is None:
            return None  # not an alias, or an unknown submodule: fail as usual
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        return importlib.import_module(_target(spec.name))

    def exec_module(self, module):
        pass  # the nefsim module is already executed


def install_nengo_alias():
    """Make ``import nengo``/``nengo_spa`` and submodules resolve to nefsim (idempotent)."""
    if not any(isinstance(f, _NengoAliasFinder) for f in sys.meta_path):
        for name in [n for n in sys.modules if _target(n) is not None]:
            del sys.modules[name]  # a real Nengo imported earlier would shadow nefsim
        sys.meta_path.insert(0, _NengoAliasFinder())
