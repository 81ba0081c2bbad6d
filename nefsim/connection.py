"""``Connection``: sends the output of one object to the input of another.

A connection reads ``pre`` (an Ensemble, Neurons, Node or a slice of one), optionally
computes ``function`` of it, multiplies by ``transform``, filters the result with
``synapse`` and adds it to ``post``'s input.  From an ensemble (not ``Direct``) the
function is approximated by decoders that the builder solves with ``solver``; from
anything else it is computed exactly every step.

Sizes: ``size_in`` is the (sliced) pre size, ``size_mid`` the function's output size (or
``size_in``), ``size_out`` the (sliced) post size.  ``transform`` is always a Transform
object of shape ``(size_out, size_mid)``: ``NoTransform`` when none was given.
"""

import collections
import warnings

import numpy as np

from ._validation import Default, check_bool, check_instance
from .base import NefsimObject, ObjView, check_dist_or_array
from .dists import Distribution
from .ensemble import Ensemble, Neurons
from .exceptions import ValidationError
from .learning_rules import LearningRule, LearningRuleType
from .node import Node, _accepts_n_args
from .solvers import LstsqL2, Solver
from .synapses import Lowpass, as_synapse
from .transforms import Dense, NoTransform, Transform

FunctionInfo = collections.namedtuple("FunctionInfo", ["function", "size"])


def _base(obj):
    """The object behind a view (or the object itself)."""
    return obj.obj if isinstance(obj, ObjView) else obj


def _has_repeats(key):
    return isinstance(key, np.ndarray) and len(np.unique(key)) < len(key)


class Connection(NefsimObject):
    """Connects two objects, optionally through a function, a transform and a synapse.

    Parameters
    ----------
    pre : Ensemble, Neurons, Node or a slice of one
        The source.
    post : Ensemble, Neurons, Node, LearningRule or a slice of one
        The destination.
    synapse : Synapse or float or None, optional
        Filter on the connection; a number is a Lowpass time constant; None means no
        filter and no delay.  Default ``Lowpass(0.005)``.
    function : callable or (n_points, size_mid) array, optional
        Function of the pre value to compute.  An array gives the function's values at
        ``eval_points`` (which must then be an array too).
    transform : scalar, array, Distribution or Transform, optional
        Linear map applied after the function; shape ``(size_out, size_mid)``.  A scalar
        or 1-D array is a diagonal (only when ``size_out == size_mid``).
    solver : Solver, optional
        How decoders are found (only for connections from ensembles).  Default
        ``LstsqL2()``.
    learning_rule_type : LearningRuleType or list or dict of them, optional
        Learning rules that modify this connection online.
    eval_points : Distribution or (n_points, size_in) array, optional
        Points at which the decoders are fit (only for connections from ensembles);
        default: the pre ensemble's.
    scale_eval_points : bool, optional
        Whether ``eval_points`` are multiplied by the pre ensemble's radius.  Default True.
    label : str, optional
    seed : int, optional
    """

    _param_defaults = {
        **NefsimObject._param_defaults,
        "synapse": Lowpass(tau=0.005),
        "function": None,
        "transform": None,
        "solver": LstsqL2(),
        "learning_rule_type": None,
        "eval_points": None,
        "scale_eval_points": True,
    }
    _readonly = ("pre", "post")
    probeable = ("output", "input", "weights")

    def __init__(self, pre, post, synapse=Default, function=Default, transform=Default,
                 solver=Default, learning_rule_type=Default, eval_points=Default,
                 scale_eval_points=Default, label=Default, seed=Default,
                 add_to_container=None):
        super().__init__(label=label, seed=seed)
        self._learning_rule = None
        self.pre = pre
        self.post = post
        self.synapse = synapse
        self.eval_points = eval_points  # before function: function points need them
        self.function = function
        self.transform = transform  # after function: its shape depends on size_mid
        self.solver = solver
        self.scale_eval_points = scale_eval_points
        self.learning_rule_type = learning_rule_type  # last: checks all of the above
        self._add_to_network(add_to_container)

    # -- messages ----------------------------------------------------------------------

    def _error(self, msg, attr):
        """A ValidationError that also says which connection, when it has no label."""
        pre, post = self.__dict__.get("pre"), self.__dict__.get("post")
        if self.label is None and pre is not None:
            where = f"from {pre}" + ("" if post is None else f" to {post}")
            msg = f"{msg} [connection {where}]"
        return ValidationError(msg, attr, self)

    # -- endpoints ---------------------------------------------------------------------

    def _check_pre(self, pre):
        obj = _base(pre)
        if not isinstance(obj, (Ensemble, Neurons, Node)):
            raise self._error(
                "must be an Ensemble, Neurons or Node, or a slice of one (got "
                f"{type(pre).__name__} {pre!r})" + _network_hint(obj, "output"), "pre")
        if pre.size_out == 0:
            why = ("its ensemble uses Direct neurons, which have no neuron output"
                   if isinstance(obj, Neurons) else "it has size_out 0")
            raise self._error(f"{pre} produces no output to connect from: {why}", "pre")
        return pre

    def _check_post(self, post):
        obj = _base(post)
        if not isinstance(obj, (Ensemble, Neurons, Node, LearningRule)):
            raise self._error(
                "must be an Ensemble, Neurons, Node or LearningRule, or a slice of one "
                f"(got {type(post).__name__} {post!r})" + _network_hint(obj, "input"), "post")
        if not post.size_in:
            raise self._error(f"{post} has no input to connect to (its size_in is 0)", "post")
        return post

    @property
    def pre_obj(self):
        """The object behind ``pre`` (the sliced object when ``pre`` is a view)."""
        return _base(self.pre)

    @property
    def post_obj(self):
        return _base(self.post)

    @property
    def pre_slice(self):
        """``pre``'s selection: a slice (``slice(None)`` when unsliced) or index array."""
        return self.pre.slice if isinstance(self.pre, ObjView) else slice(None)

    @property
    def post_slice(self):
        return self.post.slice if isinstance(self.post, ObjView) else slice(None)

    @property
    def size_in(self):
        """Number of pre dimensions read (after slicing)."""
        return self.pre.size_out

    @property
    def size_mid(self):
        """Output size of the function (``size_in`` without one)."""
        return self._size_mid

    @property
    def size_out(self):
        """Number of post dimensions written (after slicing)."""
        return self.post.size_in

    # -- simple parameters -------------------------------------------------------------

    def _check_synapse(self, value):
        return as_synapse(value, "synapse", self)

    def _check_scale_eval_points(self, value):
        return check_bool(value, "scale_eval_points", self)

    def _check_eval_points(self, value):
        if value is None:
            return None
        if not isinstance(self.pre_obj, Ensemble):
            raise self._error(
                "can only be given for connections from an Ensemble (got pre "
                f"{type(self.pre_obj).__name__}): they are the points at which decoders "
                "are fit", "eval_points")
        value = check_dist_or_array(value, "eval_points", self, (None, self.size_in),
                                    "(n_points, size_in)")
        function = self.__dict__.get("function")
        if isinstance(function, np.ndarray):
            self._check_function_points(function, value)
        return value

    # -- function ----------------------------------------------------------------------

    def _check_function(self, function):
        size = self._function_size(function)
        if self._initialized:
            # Changing the function after creation changes size_mid: keep the default
            # transform in step, and check a given one still fits.
            new_transform = (NoTransform(size) if isinstance(self.transform, NoTransform)
                             else self.transform)
            self._check_transform_sizes(new_transform, size)
            object.__setattr__(self, "transform", new_transform)
        self._size_mid = size
        return function

    def _function_size(self, function):
        if function is None:
            return self.size_in
        pre = self.pre_obj
        if isinstance(pre, Neurons):
            raise self._error(
                "cannot be applied to a connection from Neurons: a function is defined on "
                "the represented value; connect from the Ensemble to compute a function, or "
                "use a transform on the neuron outputs", "function")
        if isinstance(pre, Node) and pre.output is None:
            raise self._error(
                f"cannot be applied to a connection from the passthrough node {pre} "
                "(output=None). A passthrough node only routes values, so the function "
                "would be computed exactly rather than approximated by decoders, which is "
                "rarely intended (e.g. the product of an EnsembleArray's outputs cannot be "
                "decoded from its separate ensembles). To compute the function exactly, "
                "make the node non-passthrough first (`node.output = lambda t, x: x`); to "
                "approximate it, connect from the ensembles themselves (for an "
                "EnsembleArray, use its add_output method)", "function")
        if callable(function):
            return self._callable_size(function)
        if isinstance(function, (list, tuple, np.ndarray)):
            return self._function_points_size(function)
        raise self._error(
            "must be a callable f(x), an array of function values at eval_points, or "
            f"None (got {type(function).__name__} {function!r})", "function")

    def _callable_size(self, function):
        if _accepts_n_args(function, 1) is False:
            raise self._error(
                f"{function!r} must accept a single argument x (an array of the "
                f"{self.size_in} pre values)", "function")
        points = self.eval_points
        x = points[0] if isinstance(points, np.ndarray) else np.zeros(self.size_in)
        with np.errstate(all="ignore"):  # a function may be singular at the probe point
            value = function(x)
        if value is None:
            raise self._error(
                f"{function!r} returned None at x={x}; it must return a number or array",
                "function")
        try:
            size = np.asarray(value, dtype=np.float64).size
        except (TypeError, ValueError):
            raise self._error(f"{function!r} returned {value!r} at x={x}, which is not a "
                              "number or array of numbers", "function") from None
        if size == 0:
            raise self._error(f"{function!r} returned an empty array", "function")
        return size

    def _function_points_size(self, function):
        if not isinstance(self.pre_obj, Ensemble):
            raise self._error(
                "can only be an array of function values on connections from an "
                "Ensemble; from a Node use a callable", "function")
        values = check_dist_or_array(function, "function", self, (None, None),
                                     "(n_points, size_mid)")
        self._check_function_points(values, self.eval_points)
        return values.shape[1]

    def _check_function_points(self, values, eval_points):
        if not isinstance(eval_points, np.ndarray):
            raise self._error(
                "is an array of function values, so eval_points must also be an array "
                "of the points where those values hold", "function")
        if eval_points.shape[0] != values.shape[0]:
            raise self._error(
                f"has {values.shape[0]} function values but eval_points has "
                f"{eval_points.shape[0]} points; they must match one to one", "function")

    @property
    def function_info(self):
        return FunctionInfo(self.function, None if self.function is None else self.size_mid)

    # -- transform ---------------------------------------------------------------------

    def _check_transform(self, value):
        size_mid, size_out = self.size_mid, self.size_out
        if value is None:
            transform = NoTransform(size_mid)
            self._check_transform_sizes(transform, size_mid)
        elif isinstance(value, Transform):
            self._check_transform_sizes(value, size_mid)
            transform = value
        elif isinstance(value, Distribution):
            transform = Dense((size_out, size_mid), init=value)
        else:
            transform = Dense((size_out, size_mid), init=self._transform_array(value))
        self._check_repeated_indices(transform)
        return transform

    def _transform_array(self, value):
        size_mid, size_out = self.size_mid, self.size_out
        try:
            arr = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise self._error(
                "must be a number, an array, a Distribution or a Transform (got "
                f"{type(value).__name__} {value!r})", "transform") from None
        if not np.all(np.isfinite(arr)):
            raise self._error("must contain only finite values", "transform")
        want = f"({size_out}, {size_mid}) = (size_out, size_mid)"
        if arr.ndim in (0, 1) and size_out != size_mid:
            kind = "scalar" if arr.ndim == 0 else "1-D (diagonal)"
            raise self._error(
                f"is {kind}, which needs size_out == size_mid, but the connection maps "
                f"{size_mid} to {size_out} dimensions; give a 2-D array of shape {want}",
                "transform")
        if arr.ndim == 1 and arr.size != size_mid:
            raise self._error(f"is 1-D with {arr.size} values, but size_mid is {size_mid}; "
                              f"give {size_mid} values or a 2-D array of shape {want}",
                              "transform")
        if arr.ndim == 2 and arr.shape != (size_out, size_mid):
            raise self._error(f"has shape {arr.shape}, expected {want}", "transform")
        if arr.ndim > 2:
            raise self._error(f"must be at most 2-D (got shape {arr.shape}); use a "
                              "Convolution transform for multi-dimensional maps", "transform")
        return float(arr) if arr.ndim == 0 else arr

    def _check_transform_sizes(self, transform, size_mid):
        if transform.size_in != size_mid:
            source = "the function's output" if self.function is not None else "pre"
            raise self._error(
                f"input size ({transform.size_in}) does not match the size of {source} "
                f"({size_mid})", "transform")
        if transform.size_out != self.size_out and isinstance(transform, NoTransform):
            raise self._error(
                f"is None, so the {size_mid} dimension(s) of pre (or of the function's "
                f"output) go unchanged to post, but post has {self.size_out}; give a "
                f"transform of shape ({self.size_out}, {size_mid}) or slice pre/post to "
                "match", "transform")
        if transform.size_out != self.size_out:
            raise self._error(f"output size ({transform.size_out}) does not match the size "
                              f"of post ({self.size_out})", "transform")

    def _check_repeated_indices(self, transform):
        if isinstance(transform, NoTransform):
            return
        if isinstance(transform, Dense) and np.ndim(transform.init) < 2 and not isinstance(
                transform.init, Distribution):
            return
        for key, which in ((self.pre_slice, "pre"), (self.post_slice, "post")):
            if _has_repeats(key):
                raise self._error(
                    f"is a full matrix, so the {which} selection cannot repeat indices; "
                    "select each index once and put the repetition into the matrix",
                    "transform")

    # -- solver ------------------------------------------------------------------------

    def _check_solver(self, value):
        check_instance(value, "solver", self, Solver, what="a Solver such as LstsqL2()")
        if getattr(value, "weights", False):
            if not isinstance(self.pre_obj, Ensemble):
                warnings.warn("For connections from objects other than Ensembles, setting "
                              "the solver has no effect", stacklevel=3)
            elif not isinstance(self.post_obj, Ensemble):
                warnings.warn("For connections to objects other than Ensembles, setting "
                              "`weights=True` on a solver has no effect", stacklevel=3)
        return value

    # -- learning ----------------------------------------------------------------------

    def _check_learning_rule_type(self, value):
        if value is None:
            rules = []
        elif isinstance(value, LearningRuleType):
            rules = [value]
        elif isinstance(value, (list, tuple)):
            rules = list(value)
        elif isinstance(value, dict):
            rules = list(value.values())
        else:
            rules = [value]
        for rule in rules:
            self._check_rule(rule, value)
        self._learning_rule = self._make_learning_rules(value)
        return list(value) if isinstance(value, tuple) else value

    def _check_rule(self, rule, value):
        if not isinstance(rule, LearningRuleType):
            hint = (f" (use {rule.__name__}())" if isinstance(rule, type)
                    and issubclass(rule, LearningRuleType) else "")
            raise self._error(
                "must be a LearningRuleType (e.g. PES()), or a list or dict of them "
                f"(got {value!r}){hint}", "learning_rule_type")
        pre, post = self.pre_obj, self.post_obj
        if not isinstance(pre, (Ensemble, Neurons)):
            raise self._error(f"{rule} needs a pre that is an Ensemble or Neurons (got "
                              f"{type(pre).__name__})", "learning_rule_type")
        if not isinstance(self.transform, (Dense, NoTransform)):
            raise self._error(f"{rule} can only modify connections with a Dense transform "
                              f"or none (got {type(self.transform).__name__})",
                              "learning_rule_type")
        if rule.modifies == "weights":
            to_neurons = getattr(self.solver, "weights", False) or (
                isinstance(pre, Neurons) and isinstance(post, Neurons))
            if not to_neurons:
                raise self._error(
                    f"{rule} modifies neuron-to-neuron weights, so it needs a connection to "
                    "neurons: set `weights=True` on the solver or connect Neurons to "
                    "Neurons", "learning_rule_type")
        if rule.modifies == "encoders" and not isinstance(post, Ensemble):
            raise self._error(f"{rule} modifies the encoders of the post Ensemble, so post "
                              f"must be an Ensemble (got {type(post).__name__})",
                              "learning_rule_type")

    def _make_learning_rules(self, value):
        if value is None:
            return None
        if isinstance(value, LearningRuleType):
            return LearningRule(self, value)
        if isinstance(value, dict):
            return {key: LearningRule(self, rule) for key, rule in value.items()}
        return [LearningRule(self, rule) for rule in value]

    @property
    def learning_rule(self):
        """The :class:`LearningRule` (or list/dict of them) to connect error signals to."""
        return self._learning_rule

    # -- derived properties ------------------------------------------------------------

    @property
    def is_decoded(self):
        """Whether the connection carries vectors, not neuron-to-neuron weights.

        As in Nengo: False for weight-mode solvers and for Neurons->Neurons connections.
        """
        return not (getattr(self.solver, "weights", False) or (
            isinstance(self.pre_obj, Neurons) and isinstance(self.post_obj, Neurons)))

    @property
    def has_weights(self):
        """Whether the connection has a weights signal (decoders or a transform)."""
        from .neurons import Direct

        decoded = isinstance(self.pre_obj, Ensemble) and not isinstance(
            self.pre_obj.neuron_type, Direct)
        return decoded or not isinstance(self.transform, NoTransform)

    def _after_copy(self):
        object.__setattr__(self, "_learning_rule",
                           self._make_learning_rules(self.learning_rule_type))

    def _description(self):
        if self.label is not None:
            return self.label
        text = f"from {self.pre} to {self.post}"
        name = getattr(self.function, "__name__", None)
        if name is not None:
            text += f" computing {name!r}"
        return text

    def __repr__(self):
        return f"<Connection at 0x{id(self):x} {self._description()}>"

    def __str__(self):
        return f"<Connection {self._description()}>"


def _network_hint(obj, side):
    from .network import Network

    if isinstance(obj, Network):
        return (f"; to connect a network, connect to one of its nodes or ensembles "
                f"(e.g. net.{side})")
    return ""
