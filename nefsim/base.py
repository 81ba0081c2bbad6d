"""Base class of the model objects a network contains, and views (slices) of them.

:class:`NefsimObject` is the base of ``Ensemble``, ``Node``, ``Connection`` and ``Probe``.
It gives them a label and a seed, resolves ``Default`` arguments through the active
configs (:mod:`nefsim.config`), validates every assignment, and adds the new object to
the innermost ``with Network():`` block once its constructor has checked everything.

How an assignment ``obj.name = value`` is handled (``NefsimObject.__setattr__``):

1. ``Default`` is replaced by ``Config.default(type(obj), name)``;
2. if the class defines ``_check_<name>(self, value)``, it validates the value and
   returns the canonical form (or raises a ValidationError naming object and parameter);
3. names listed in ``_readonly`` cannot be assigned a second time.

:class:`ObjView` is what ``ens[0]``, ``node[1:3]`` or ``ens.neurons[[0, 2]]`` return.
"""

import copy as copy_module
import warnings

import numpy as np

from ._validation import Default, check_array, check_seed, check_str, is_integer
from .config import Config, _builtin_params
from .dists import Distribution
from .exceptions import NetworkContextError, ReadonlyError, ValidationError


class InvalidSliceError(ValidationError, IndexError):
    """A slice of an object is malformed or out of range (also an ``IndexError``)."""


def check_dist_or_array(value, attr, obj, shape, shape_text, optional=False):
    """Return ``value`` if it is a Distribution, else as a read-only array of ``shape``.

    ``shape_text`` names the expected shape in words, e.g. ``"(n_neurons,)"``.
    """
    if value is None and optional:
        return None
    if isinstance(value, Distribution):
        return value
    if isinstance(value, type) and issubclass(value, Distribution):
        raise ValidationError(f"must be a Distribution instance, not the class "
                              f"(use {value.__name__}(...))", attr, obj)
    arr = check_array(value, attr, obj, ndim=len(shape))
    if any(want is not None and want != got for want, got in zip(shape, arr.shape)):
        want = tuple("*" if s is None else s for s in shape)
        want = str(want).replace("'", "")
        raise ValidationError(f"must be a Distribution or an array of shape {shape_text} "
                              f"= {want} (got shape {arr.shape})", attr, obj)
    return arr


class NefsimObject:
    """Base class of objects that live in a network (ensembles, nodes, connections, probes).

    Parameters
    ----------
    label : str, optional
        A name for the object; it appears in error messages and in state names.
    seed : int, optional
        Seed for the object's random parameters; by default derived from the network's.

    Notes
    -----
    Subclasses list their configurable parameters and class defaults in
    ``_param_defaults``, validate each parameter in ``_check_<name>``, and finish their
    ``__init__`` with ``self._add_to_network(add_to_container)``.
    """

    _param_defaults = {"label": None, "seed": None}
    _readonly = ()
    probeable = ()

    def __init__(self, label=Default, seed=Default):
        object.__setattr__(self, "_initialized", False)
        self.label = label
        self.seed = seed

    # -- validation of assignments -----------------------------------------------------

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        if name in self._readonly and name in self.__dict__:
            raise ReadonlyError(name, self, "is fixed once the object is created; create a "
                                            "new object instead")
        if value is Default:
            value = Config.default(type(self), name)
        check = getattr(type(self), "_check_" + name, None)
        if check is not None:
            value = check(self, value)
        elif (self._initialized and name not in self.__dict__
              and not hasattr(type(self), name)):
            warnings.warn(SyntaxWarning(
                f"Creating new attribute {name!r} on {self}. "
                "Did you mean to change an existing attribute?"), stacklevel=2)
        object.__setattr__(self, name, value)

    def _check_label(self, value):
        return check_str(value, "label", self)

    def _check_seed(self, value):
        return check_seed(value, "seed", self)

    # -- network membership ------------------------------------------------------------

    def _add_to_network(self, add_to_container):
        """Add ``self`` to the innermost network (unless ``add_to_container`` is False)."""
        from .network import Network  # imported here: network.py imports this module

        if add_to_container is None or add_to_container:
            if not Network.context:
                raise NetworkContextError(
                    f"{self} must be created inside a `with network:` block (for example "
                    f"`with nefsim.Network() as net: ...`), or be created with "
                    f"add_to_container=False and added later with `net.add(obj)`")
            Network.context[-1].add(self)
        object.__setattr__(self, "_initialized", True)

    # -- description -------------------------------------------------------------------

    @property
    def params(self):
        """Names of this object's parameters."""
        return _builtin_params(type(self))

    def copy(self, add_to_container=True):
        """Return a copy of this object (with the same pre/post/target references)."""
        new = copy_module.copy(self)
        new._after_copy()
        object.__setattr__(new, "_initialized", False)
        new._add_to_network(add_to_container)
        return new

    def _after_copy(self):
        """Hook to re-create helper objects that point back to ``self``."""

    def _name(self):
        label = self.label
        return f"{type(self).__name__} {label!r}" if label is not None else None

    def __repr__(self):
        name = self._name()
        if name is None:
            name = f"{type(self).__name__} (unlabeled)"
        return f"<{name} at 0x{id(self):x}>"

    def __str__(self):
        name = self._name()
        return repr(self) if name is None else f"<{name}>"

    # Identity semantics: two objects are equal only if they are the same object.
    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __getstate__(self):
        return self.__dict__.copy()

    def __setstate__(self, state):
        self.__dict__.update(state)


# --------------------------------------------------------------------------------------
# Views


def _primary_size(obj):
    """The size a view's key indexes: the output size, else the input size."""
    return obj.size_out if obj.size_out else obj.size_in


def _slice_part_ok(part):
    return part is None or is_integer(part)


def normalize_key(key, size, obj):
    """Check a key for slicing ``obj`` (of ``size`` elements); return the canonical key.

    Integers become slices (``i -> slice(i, i + 1)``, ``-1 -> slice(-1, None)``); lists,
    integer arrays and boolean masks become read-only arrays of non-negative indices.
    """
    def fail(why):
        return InvalidSliceError(f"invalid slice {key!r} of {obj}: {why}", "slice", obj)

    if is_integer(key):
        i = int(key)
        if not -size <= i < size:
            raise fail(f"index out of range for size {size} (valid: {-size} to {size - 1})")
        return slice(-1, None) if i == -1 else slice(i, i + 1)
    if isinstance(key, slice):
        if not all(_slice_part_ok(p) for p in (key.start, key.stop, key.step)):
            raise fail("slice start, stop and step must be integers or None")
        if key.step == 0:
            raise fail("slice step cannot be zero")
        return slice(*(None if p is None else int(p) for p in (key.start, key.stop, key.step)))
    if isinstance(key, (list, np.ndarray)):
        arr = np.asarray(key)
        if arr.ndim != 1:
            raise fail("index arrays must be 1-D")
        if arr.dtype == bool:
            if arr.size != size:
                raise fail(f"a boolean mask must have length {size} (got {arr.size})")
            arr = np.flatnonzero(arr)
        elif arr.size > 0 and not np.issubdtype(arr.dtype, np.integer):
            raise fail("index lists must contain integers or booleans")
        arr = arr.astype(np.int64)
        if np.any((arr < -size) | (arr >= size)):
            raise fail(f"index out of range for size {size}")
        arr = np.where(arr < 0, arr + size, arr)
        arr.setflags(write=False)
        return arr
    raise fail("use an integer, a slice, a list or array of integers, or a boolean mask "
               "(tuples and other types are not supported)")


def selection_size(key, size):
    """Number of elements ``key`` (as returned by :func:`normalize_key`) selects."""
    if size == 0:
        return 0
    if isinstance(key, slice):
        return len(range(size)[key])
    if np.any(key >= size):
        return 0
    return len(key)


def slice_text(key):
    """``key`` written as it would appear inside ``[...]``."""
    if isinstance(key, slice):
        parts = ["" if p is None else str(p) for p in (key.start, key.stop)]
        if key.step is not None:
            parts.append(str(key.step))
        return ":".join(parts)
    return str(list(int(i) for i in key))


class ObjView:
    """A selection of the dimensions of an Ensemble, Node, Neurons or LearningRule.

    Parameters
    ----------
    obj : object
        The viewed object.
    key : int, slice, list, array or boolean mask
        The selection.

    Attributes
    ----------
    obj : object
        The viewed object.
    slice : slice or ndarray
        The selection: a slice, or an array of non-negative indices.
    size_in, size_out : int
        Number of selected inputs and outputs (0 where ``obj`` has none).
    """

    def __init__(self, obj, key=slice(None)):
        self.obj = obj
        size = _primary_size(obj)
        self.slice = normalize_key(key, size, obj)
        self.size_out = selection_size(self.slice, obj.size_out)
        self.size_in = selection_size(self.slice, obj.size_in)
        if self.size_out == 0 and self.size_in == 0:
            raise InvalidSliceError(f"slice {key!r} of {obj} selects no elements",
                                    "slice", obj)

    @property
    def label(self):
        return None

    @property
    def probeable(self):
        return self.obj.probeable

    def __getitem__(self, key):
        """A view of a view: the composed selection of the underlying object."""
        size = _primary_size(self.obj)
        selected = np.arange(size)[self.slice]
        inner = normalize_key(key, len(selected), self)
        return ObjView(self.obj, selected[inner])

    def __len__(self):
        return self.size_out

    def __repr__(self):
        return f"{self.obj!r}[{slice_text(self.slice)}]"

    def __str__(self):
        return f"{self.obj}[{slice_text(self.slice)}]"

