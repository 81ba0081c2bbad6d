"""``nef.Network``: Nengo 1.4's scripting API on nefsim's engine.

A :class:`Network` wraps a nefsim :class:`~nefsim.Network` (``net.model``) and offers
1.4's calls (seed 003 documents them; shared/reference/nef14.md fills the gaps):
``make``, ``make_array``, ``make_input``, ``make_fourier_input``, ``make_subnetwork``,
``compute_transform``, ``connect``, ``learn``, ``learn_array``, ``add``, ``remove``,
``get``, ``set_alias``, ``releaseMemory``, ``getNeuronCount``, ``run``, ``reset``,
``log``, ``view``, ``set_layout`` and ``set_view_function_1d``.  It uses only nefsim's
modelling API (no builder or backend internals).

1.4 defaults are kept where they differ from Nengo 4 (``pstc=0.01``,
``intercept=(-1, 1)``, ``decoder_noise=0.1``, LIF neurons starting at V = 0, 1000 eval
points).  Where 1.4 had a bug this layer does what 1.4 meant, and says so in the
docstring of the method concerned.  Timing and filters are nefsim's (Nengo 4's): a
``pstc`` is an exact exponential synapse where 1.4 used forward Euler, LIF neurons are
integrated exactly, and a connection without a synapse (into a SimpleNode, out of an
input) adds no delay.

Hooks for the logging and viewing modules (``nefsim.nef.log``, ``nefsim.nef.view``):
``net.model`` is the nefsim network; ``net.get(name)`` returns node wrappers whose
``origin[name].node_or_view`` is a probeable nefsim object; ``net._logs`` lists the
network's logs (each gets ``log.attach(net)`` before the simulator is built,
``log.after_run(net, sim)`` after every run, and ``log.on_reset(net)`` -- or, lacking
that, ``log.reset()`` -- after ``net.reset()``); ``net._view_settings`` is a dict for
layouts and view functions.
"""

import inspect
import random
import warnings

import numpy as np

from ..base import ObjView
from ..ensemble import Neurons
from ..exceptions import ValidationError
from ..learning_rules import PES14, LearningRule, TripletSTDP
from ..network import Network as NefsimNetwork
from ..simulator import Simulator
from .ensemble import NEFArray, NEFEnsemble, _Node, build_ensemble
from .inputs import (InputNode, fourier_components, fourier_output, input_output)
from .simplenode import SimpleNode
from .terms import (ArrayTermination, AxonOrigin, CurrentTermination, DecodedOrigin,
                    DecodedTermination, Origin, Termination, WeightTermination)

_LIF_DEFAULTS = {"tau_rc": 0.02, "tau_ref": 0.002, "max_rate": (200, 400),
                 "intercept": (-1, 1)}
_STDP_KWARGS = ("a2Minus", "a3Minus", "tauMinus", "tauX", "a2Plus", "a3Plus", "tauPlus",
                "tauY", "decay", "homeostasis", "min_weight", "max_weight")
_MAX_SEED = 2 ** 31 - 1


def compute_transform(dim_pre, dim_post, weight=1, index_pre=None, index_post=None):
    """A ``dim_post x dim_pre`` routing matrix (a list of lists) of zeros and ``weight``.

    For ``i`` up to the longer index list, ``T[index_post[i]][index_pre[i]] = weight``,
    the shorter list being cycled; ``None`` means all indices, an int a one-element
    list.  So ``compute_transform(2, 3)`` is ``[[1, 0], [0, 1], [1, 0]]`` (as in 1.4;
    seed 003's phrase "dim_pre by dim_post" has the shape the wrong way round, its own
    example is right).
    """
    def as_list(index, n, attr):
        if index is None:
            return list(range(n))
        items = [index] if np.ndim(index) == 0 else list(index)
        for i in items:
            if not (isinstance(i, (int, np.integer)) and -n <= i < n):
                raise ValidationError(f"index {i!r} is not an integer in [0, {n})", attr,
                                      None)
        if not items:
            raise ValidationError("is empty", attr, None)
        return [int(i) for i in items]

    pre = as_list(index_pre, dim_pre, "index_pre")
    post = as_list(index_post, dim_post, "index_post")
    T = [[0] * dim_pre for _ in range(dim_post)]
    for i in range(max(len(pre), len(post))):
        T[post[i % len(post)]][pre[i % len(pre)]] = weight
    return T


class Projection:
    """What ``connect`` returns: an origin joined to a termination.

    Attributes
    ----------
    origin : Origin
    termination : Termination
    connections : list of nefsim Connection
    """

    def __init__(self, origin, termination, connections):
        self.origin, self.termination, self.connections = origin, termination, connections

    def getOrigin(self):  # noqa: N802
        return self.origin

    def getTermination(self):  # noqa: N802
        return self.termination

    def __repr__(self):
        return (f"<Projection {self.origin.owner.name}.{self.origin.name} -> "
                f"{self.termination.owner.name}.{self.termination.name}>")


class Network:
    """A Nengo 1.4 ``nef.Network``.

    Parameters
    ----------
    name : str or nefsim.Network
        Name of a new network, or an existing nefsim network to wrap.
    quick : bool, optional
        Default of ``make``'s ``quick``.  Default: True when ``seed`` or ``fixed_seed`` is
        given (as 1.4), else False.
    seed : int, optional
        Starts one random stream from which every ``make`` draws its own seed, in
        creation order: the same script rebuilds the same model, and every ensemble
        differs.
    fixed_seed : int, optional
        The seed of every ``make``: ensembles with the same parameters are identical.

    Attributes
    ----------
    name : str
    model : nefsim.Network
        The underlying nefsim network (also ``network``).
    seed, fixed_seed : int or None

    Notes
    -----
    1.4 also reset Python's global ``random`` (and its Java RNG) at every seeded
    ``make``; this layer keeps its randomness private and leaves global state alone.
    """

    def __init__(self, name, quick=None, seed=None, fixed_seed=None, _parent=None):
        if isinstance(name, NefsimNetwork):
            self.model = name
            name = name.label or "Network"
        else:
            if not isinstance(name, str) or not name:
                raise ValidationError(f"must be a non-empty string or a nefsim Network (got "
                                      f"{name!r})", "name", self)
            self.model = NefsimNetwork(label=name, add_to_container=False,
                                       seed=seed if seed is not None else fixed_seed)
        self.name = self.label = name
        self.network = self.model
        self.seed = seed
        self.fixed_seed = fixed_seed
        self._quick_arg = quick
        self.quick = bool(quick) if quick is not None else (
            seed is not None or fixed_seed is not None)
        self._rng = random.Random(seed) if seed is not None else None
        self._nodes = {}
        self._aliases = {}
        self._logs = []
        self._view_settings = {}
        self._parent = _parent
        self._root = self if _parent is None else _parent._root
        if _parent is None:
            self._sim = None
            self._sim_key = None
            self._version = 0
            self._attached_logs = set()

    def __repr__(self):
        return f"<nef.Network {self.name!r}>"

    # ================================================================== bookkeeping

    def _changed(self):
        """Note that the model changed: the next run rebuilds the simulator."""
        self._root._version += 1

    def _register(self, node):
        if node.name in self._nodes:
            raise ValidationError(f"there is already a node named {node.name!r} in network "
                                  f"{self.name!r}", "name", self)
        self._nodes[node.name] = node
        node._network = self
        self._changed()

    def _check_name(self, name):
        if not isinstance(name, str) or not name:
            raise ValidationError(f"must be a non-empty string (got {name!r})", "name", self)
        if "." in name or ":" in name:
            raise ValidationError(f"{name!r} may not contain '.' or ':' (dotted names "
                                  "address subnetworks)", "name", self)
        if name in self._nodes:
            raise ValidationError(f"there is already a node named {name!r} in network "
                                  f"{self.name!r}", "name", self)

    def _split_path(self, name):
        """``('sub.E')`` -> (subnetwork wrapper, 'E'); plain names stay here."""
        if isinstance(name, str) and "." in name:
            path, _, last = name.rpartition(".")
            sub = self.get(path, default=None)
            if not isinstance(sub, Network):
                raise ValidationError(f"{path!r} is not a subnetwork of {self.name!r}",
                                      "name", self)
            return sub, last
        return self, name

    def _next_seed(self, seed):
        """1.4's seed order: the explicit seed, else fixed_seed, else the next draw of
        the network's stream (if it has a seed), else None (random)."""
        if seed is not None:
            return int(seed)
        if self.fixed_seed is not None:
            return int(self.fixed_seed)
        if self._rng is not None:
            return self._rng.randrange(_MAX_SEED)
        return None

    # ======================================================================== make

    def make(self, name, neurons, dimensions, tau_rc=0.02, tau_ref=0.002,
             max_rate=(200, 400), intercept=(-1, 1), radius=1, encoders=None,
             decoder_noise=0.1, eval_points=None, noise=None, noise_frequency=1000,
             mode="spike", add_to_network=True, node_factory=None, decoder_sign=None,
             seed=None, quick=None, storage_code=""):
        """Create an ensemble of ``neurons`` LIF neurons representing ``dimensions`` values.

        See seed 003 for the arguments.  Notes on this implementation:

        * ``max_rate``/``intercept``: a 2-tuple is a uniform range, a list is used in
          order and cycled;
        * ``radius`` may be a list (one value per dimension);
        * ``decoder_noise`` is the regularisation of the decoder solve
          (``LstsqL2(reg=decoder_noise)``, which is what 1.4's added noise does on
          average; 0 gives an unregularised pseudo-inverse);
        * ``noise`` adds uniform current noise in (-noise, noise), redrawn every
          ``1/noise_frequency`` s;
        * ``mode``: ``'spike'`` (LIF), ``'rate'`` (LIFRate) or ``'direct'`` (exact);
        * ``node_factory`` is a nefsim neuron type (e.g. ``nefsim.neurons.AdaptiveLIF()``)
          replacing LIF; the LIF arguments must then keep their defaults;
        * ``decoder_sign`` +1/-1 gives non-negative/non-positive decoders
          (``NnlsL2(reg=decoder_noise)`` on sign-flipped targets);
        * ``quick`` (default: the network's) saves the built parameters in an on-disk
          cache (``$NEFSIM_NEF14_QUICK_DIR``, default ``~/.cache/nefsim/nef14-quick``)
          keyed by all the arguments that shape them, including ``seed`` and
          ``storage_code``, and reloads them when an ensemble with the same key is made;
        * ``'sub.E'`` makes ``E`` inside subnetwork ``sub``.
        """
        net, name = self._split_path(name)
        if net is not self:
            return net.make(name, neurons, dimensions, tau_rc, tau_ref, max_rate, intercept,
                            radius, encoders, decoder_noise, eval_points, noise,
                            noise_frequency, mode, add_to_network, node_factory,
                            decoder_sign, seed, quick, storage_code)
        ens = self._build(name, neurons, dimensions, tau_rc=tau_rc, tau_ref=tau_ref,
                          max_rate=max_rate, intercept=intercept, radius=radius,
                          encoders=encoders, decoder_noise=decoder_noise,
                          eval_points=eval_points, noise=noise,
                          noise_frequency=noise_frequency, mode=mode,
                          node_factory=node_factory, decoder_sign=decoder_sign, seed=seed,
                          quick=quick, storage_code=storage_code,
                          check_unique=add_to_network)
        ens._network = self
        if add_to_network:
            ens._attach(self.model)
            self._register(ens)
        return ens

    def _build(self, name, neurons, dimensions, check_unique=True, **kw):
        if check_unique:
            self._check_name(name)
        elif not isinstance(name, str) or "." in name or ":" in name:
            raise ValidationError(f"must be a string without '.' or ':' (got {name!r})",
                                  "name", self)
        if not isinstance(neurons, (int, np.integer)) or neurons < 1:
            raise ValidationError(f"must be an integer >= 1 (got {neurons!r})", "neurons",
                                  self)
        if not isinstance(dimensions, (int, np.integer)) or dimensions < 1:
            raise ValidationError(f"must be an integer >= 1 (got {dimensions!r})",
                                  "dimensions", self)
        if kw["mode"] not in ("spike", "rate", "direct"):
            raise ValidationError(f"must be 'spike', 'rate' or 'direct' (got "
                                  f"{kw['mode']!r})", "mode", self)
        if kw["node_factory"] is not None:
            changed = [k for k, v in _LIF_DEFAULTS.items() if kw[k] != v]
            if changed:
                raise ValidationError(f"is given, so the LIF parameters must keep their "
                                      f"defaults (got {', '.join(changed)})", "node_factory",
                                      self)
        quick = kw.pop("quick")
        quick = self.quick if quick is None else bool(quick)
        seed = self._next_seed(kw.pop("seed"))
        return build_ensemble(name, int(neurons), int(dimensions), seed=seed, quick=quick,
                              owner=self, **kw)

    def make_array(self, name, neurons, length, dimensions=1, **args):
        """Create an array of ``length`` ensembles of ``neurons`` neurons, each
        representing ``dimensions`` values; ensemble ``i`` holds dimensions
        ``i*dimensions`` to ``i*dimensions + dimensions - 1``.

        Takes every argument of :meth:`make`.  ``storage_code`` may contain ``%d`` (or
        ``%02d``...), replaced by the ensemble's index; ``encoders`` may be one list of
        encoders for all ensembles or a list of such lists, one per ensemble (cycled).
        The ensembles are named ``'0'``, ``'1'``, ... (``net.get('A.1')``).  A function
        computed from the array is computed by every ensemble on its own sub-vector and
        the results are concatenated.
        """
        net, name = self._split_path(name)
        if net is not self:
            return net.make_array(name, neurons, length, dimensions, **args)
        add = args.pop("add_to_network", True)
        if add:
            self._check_name(name)
        if not isinstance(length, (int, np.integer)) or length < 1:
            raise ValidationError(f"must be an integer >= 1 (got {length!r})", "length", self)
        unknown = set(args) - set(inspect.signature(self.make).parameters)
        if unknown:
            raise ValidationError(f"unknown argument(s) {sorted(unknown)}; make_array takes "
                                  "the arguments of make", sorted(unknown)[0], self)
        kw = {k: p.default for k, p in inspect.signature(self.make).parameters.items()
              if p.default is not inspect.Parameter.empty}
        kw.pop("add_to_network")
        kw.update(args)
        encoders, code = kw.pop("encoders"), kw.pop("storage_code")
        per_ensemble = (encoders is not None and len(encoders) > 0
                        and np.ndim(encoders[0]) >= 1 and len(encoders[0]) > 0
                        and np.ndim(encoders[0][0]) >= 1)
        ensembles = []
        for i in range(length):
            enc = encoders[i % len(encoders)] if per_ensemble else encoders
            sub_code = code % i if isinstance(code, str) and "%" in code else code
            ens = self._build(str(i), neurons, dimensions, check_unique=False, encoders=enc,
                              storage_code=sub_code, **kw)
            ens._network = self
            ensembles.append(ens)
        model = NefsimNetwork(label=name, add_to_container=False)
        array = NEFArray(name, ensembles, model)
        array._network = self
        if add:
            array._attach(self.model)
            self._register(array)
        return array

    def make_input(self, name, values, zero_after_time=None):
        """Create an input node (1.4's ``FunctionInput``) with one origin, ``'origin'``.

        ``values``: a list of numbers and functions of t; a function of t returning a
        float or a list; a dict ``{time: value}`` (held from each time on; 0 before and
        at the first); or the name of a CSV file of ``t,v1,v2,...`` rows, read like the
        dict (1.4's CSV input was broken; this is its documented meaning).  With
        ``zero_after_time=T`` the numbers of a list become 0 after ``T`` seconds.
        """
        net, name = self._split_path(name)
        if net is not self:
            return net.make_input(name, values, zero_after_time)
        self._check_name(name)
        output, dims = input_output(values, zero_after_time, self)
        node = InputNode(name, output, dims)
        node._attach(self.model)
        self._register(node)
        return node

    def make_fourier_input(self, name, dimensions=None, base=1, high=10, power=0.5,
                           seed=None):
        """Create an input of random sums of sines: harmonics of ``base`` Hz up to
        ``high`` Hz with amplitudes falling as 1/f, scaled to an RMS of ``power``.

        ``base``, ``high``, ``power`` and ``seed`` may be lists (cycled over
        dimensions); ``dimensions=None`` means the longest list's length (1 without
        lists).  A ``None`` seed is drawn from the network's stream when the network has
        a seed (so seeded scripts are reproducible), else at random.
        """
        net, name = self._split_path(name)
        if net is not self:
            return net.make_fourier_input(name, dimensions, base, high, power, seed)
        self._check_name(name)
        params = {"base": base, "high": high, "power": power, "seed": seed}
        lists = [len(v) for v in params.values() if isinstance(v, (list, tuple))]
        if dimensions is None:
            dimensions = max(lists) if lists else 1
        if not isinstance(dimensions, (int, np.integer)) or dimensions < 1:
            raise ValidationError(f"must be an integer >= 1 or None (got {dimensions!r})",
                                  "dimensions", self)

        def pick(key, i):
            value = params[key]
            if isinstance(value, (list, tuple)):
                if not value:
                    raise ValidationError("is an empty list", key, self)
                return value[i % len(value)]
            return value

        components = []
        for i in range(dimensions):
            s = pick("seed", i)
            if s is None:
                s = (self._rng.randrange(_MAX_SEED) if self._rng is not None
                     else random.randrange(_MAX_SEED))
            components.append(fourier_components(float(pick("base", i)),
                                                 float(pick("high", i)),
                                                 float(pick("power", i)), s, self))
        node = InputNode(name, fourier_output(components), dimensions)
        node._attach(self.model)
        self._register(node)
        return node

    def make_subnetwork(self, name):
        """Create and return a subnetwork (a ``Network`` inside this one).  It draws its
        seed from this network's stream and shares its ``fixed_seed``; from here its
        nodes are ``'name.node'``."""
        net, name = self._split_path(name)
        if net is not self:
            return net.make_subnetwork(name)
        self._check_name(name)
        seed = self._rng.randrange(_MAX_SEED) if self._rng is not None else None
        sub = Network(name, quick=self._quick_arg, seed=seed, fixed_seed=self.fixed_seed,
                      _parent=self)
        self.model.add(sub.model)
        self._register(sub)
        return sub

    compute_transform = staticmethod(compute_transform)

    # ================================================================= lookups

    def _children(self, node):
        if isinstance(node, Network):
            return node._nodes
        if isinstance(node, NEFArray):
            return {str(i): e for i, e in enumerate(node.ensembles)}
        return {}

    def get(self, name, default=Exception, require_origin=False):
        """The node (or origin/termination) at the dotted path ``name``.

        ``'sub.C'`` walks into subnetworks and arrays (``'A.0'``); a last part that is
        not a node names an origin, else a termination (``'A.X'``).  On failure the
        ``default`` is returned if one was given, else a ValidationError is raised.
        With ``require_origin`` a node resolves to its only origin, or its ``'X'``.
        """
        try:
            found = self._walk(name)
            if require_origin and isinstance(found, _Node):
                found = self._default_origin(found, name)
            return found
        except ValidationError:
            if default is Exception:
                raise
            return default

    def _walk(self, name):
        if not isinstance(name, str) or not name:
            raise ValidationError(f"must be a node name (got {name!r})", "name", self)
        parts = name.split(".")
        node = self
        for i, part in enumerate(parts):
            children = self._children(node)
            if part in children:
                node = children[part]
                continue
            if i == len(parts) - 1 and isinstance(node, _Node):
                if part in node.origin:
                    return node.origin[part]
                if part in node.termination:
                    return node.termination[part]
            where = "this network" if node is self else repr(node.name)
            known = ", ".join(repr(k) for k in children) or "none"
            raise ValidationError(f"{name!r}: no node {part!r} in {where} (nodes: {known})",
                                  "name", self)
        return node

    def _default_origin(self, node, name):
        if len(node.origin) == 1:
            return next(iter(node.origin.values()))
        if "X" in node.origin:
            return node.origin["X"]
        raise ValidationError(f"{name!r} has origins {sorted(node.origin)}; say which "
                              "one (e.g. 'node.origin_name')", "name", self)

    def set_alias(self, alias, node):
        """Let ``connect`` accept ``alias`` (a string) for ``node`` (a node or a name).
        Only ``connect`` (and the view functions) use aliases; ``get`` does not."""
        if not isinstance(alias, str):
            raise ValidationError(f"must be a string (got {alias!r})", "alias", self)
        self._aliases[alias] = node

    def _resolve(self, item, attr):
        """A connect argument as a node wrapper, Origin or Termination of this model."""
        if isinstance(item, str):
            item = self._aliases.get(item, item)
        if isinstance(item, str):
            try:
                return self.get(item)
            except ValidationError as err:
                raise ValidationError(err.args[0], attr, self) from None
        if isinstance(item, (_Node, Origin, Termination)):
            node = item if isinstance(item, _Node) else item.owner
            net = node._network
            if net is None or net._root is not self._root:
                raise ValidationError(f"{node.name!r} is not in this model; add it with "
                                      "net.add(...) first", attr, self)
            if isinstance(item, _Node) and getattr(item, "_container", None) is None:
                raise ValidationError(f"{node.name!r} was made with add_to_network=False; "
                                      "add it with net.add(...) first", attr, self)
            return item
        raise ValidationError(f"must be a node name, a node made by this network, an "
                              f"origin or a termination (got {item!r})", attr, self)

    # ================================================================= connect

    def connect(self, pre, post, transform=None, weight=1, index_pre=None, index_post=None,
                pstc=0.01, func=None, weight_func=None, expose_weights=False,
                origin_name=None, modulatory=False, plastic_array=False,
                create_projection=True, encoders=None):
        """Connect ``pre`` (a name, node or origin) to ``post`` (a name, node or
        termination); see seed 003 for the arguments.  Returns a :class:`Projection`, or
        ``(origin, termination)`` with ``create_projection=False``.

        Decisions where 1.4 was buggy or silent:

        * ``plastic_array`` works on plain ensembles as well as arrays, and without a
          ``weight_func`` (1.4 raised TypeError/AttributeError); it honours
          ``create_projection=False``;
        * weight matrices (``weight_func``, ``expose_weights``, ``plastic_array``) are
          1.4's ``(post neurons, pre neurons)`` ``W = (E/r) T D^T`` without the post gain,
          using every post radius (1.4 used the first one); a ``weight_func`` of two
          arguments gets ``(E/r, T D^T)``; for arrays, the whole block matrix;
        * ``encoders=e`` (a number, one row, or one row per post neuron) sends the
          (transformed) decoded value into the post neurons' currents through ``e``;
          it returns None, as in 1.4;
        * reusing an origin name with a different function warns (1.4 was silent);
        * with ``post`` None or an int only the origin is made; with
          ``create_projection=False`` the pair ``(origin, None)`` is returned.
        """
        pre_obj = self._resolve(pre, "pre")
        if isinstance(pre_obj, Termination):
            raise ValidationError(f"{pre!r} is a termination; pre must be a node or an "
                                  "origin", "pre", self)
        if post is None or (isinstance(post, (int, np.integer)) and not isinstance(post, bool)):
            if post is None and create_projection:
                raise ValidationError("is None, which only makes sense with "
                                      "create_projection=False", "post", self)
            origin = self._origin_for(pre_obj, func, origin_name)
            return (origin, None) if not create_projection else None
        post_obj = self._resolve(post, "post")
        if isinstance(post_obj, Origin):
            raise ValidationError(f"{post!r} is an origin; post must be a node or a "
                                  "termination", "post", self)
        if isinstance(post_obj, SimpleNode):
            post_obj = self._only_termination(post_obj)
        if isinstance(post_obj, InputNode):
            raise ValidationError(f"input {post_obj.name!r} has no terminations", "post",
                                  self)
        if isinstance(post_obj, Network):
            raise ValidationError(f"{post_obj.name!r} is a subnetwork; connect to a node "
                                  "inside it ('sub.node')", "post", self)

        if isinstance(post_obj, Termination):
            self._check_plain(transform, weight, index_pre, index_post, pstc, weight_func,
                              expose_weights, modulatory, plastic_array, encoders)
            origin = self._origin_for(pre_obj, func, origin_name)
            return self._finish(origin, post_obj, create_projection)

        axon_needed = plastic_array or weight_func is not None or expose_weights
        origin = self._origin_for(pre_obj, func, origin_name)
        pre_node = pre_obj if isinstance(pre_obj, _Node) else pre_obj.owner
        if axon_needed and "AXON" not in pre_node.origin:
            raise ValidationError(f"{pre_node.name!r} has no neurons (an input or a direct-"
                                  "mode ensemble), so it cannot connect through weights",
                                  "weight_func" if not plastic_array else "plastic_array",
                                  self)
        base = pre_obj.name if isinstance(pre_obj, _Node) else origin.name
        name = self._termination_name(post_obj, base)

        if encoders is not None:
            term = self._current_termination(post_obj, name, origin, encoders, transform,
                                             weight, index_pre, index_post, pstc)
            result = self._finish(origin, term, create_projection)
            return result if not create_projection else None

        T = self._transform(origin, pre_obj, post_obj, transform, weight, index_pre,
                            index_post)
        if axon_needed:
            if T.shape != (post_obj.dimensions, origin.dimensions):
                raise ValidationError(f"must map the {origin.dimensions} pre dimension(s) to "
                                      f"the {post_obj.dimensions} of post for a weight "
                                      f"matrix (got shape {T.shape})", "transform", self)
            W = self._weights(origin, post_obj, T, weight_func, expose_weights)
            axon = pre_node.origin["AXON"]
            term = self._split_termination(post_obj, name, "neurons", lambda m, rows: (
                WeightTermination(m, name, W[rows], pstc, plastic=plastic_array)))
            return self._finish(axon, term, create_projection)

        rows, cols = T.shape
        if cols != origin.dimensions:  # one column per pre neuron: from the spikes
            origin = pre_node.origin["AXON"]
        if rows == post_obj.dimensions:
            term = self._split_termination(post_obj, name, "dimensions", lambda m, r: (
                DecodedTermination(m, name, T[r], pstc, modulatory)))
        else:  # one row per post neuron: straight into the currents
            if modulatory:
                raise ValidationError("a modulatory termination takes decoded values: give "
                                      "a transform with one row per post dimension",
                                      "modulatory", self)
            if cols != origin.dimensions or isinstance(origin, AxonOrigin):
                term = self._split_termination(post_obj, name, "neurons", lambda m, r: (
                    WeightTermination(m, name, T[r], pstc)))
            else:
                term = self._split_termination(post_obj, name, "neurons", lambda m, r: (
                    CurrentTermination(m, name, T[r], pstc)))
        return self._finish(origin, term, create_projection)

    def _check_plain(self, transform, weight, index_pre, index_post, pstc, weight_func,
                     expose_weights, modulatory, plastic_array, encoders):
        given = {"transform": transform is not None, "weight": weight != 1,
                 "index_pre": index_pre is not None, "index_post": index_post is not None,
                 "pstc": pstc != 0.01, "weight_func": weight_func is not None,
                 "expose_weights": bool(expose_weights), "modulatory": bool(modulatory),
                 "plastic_array": bool(plastic_array), "encoders": encoders is not None}
        for attr, is_given in given.items():
            if is_given:
                raise ValidationError("cannot be given when post is an existing termination "
                                      "(it already fixes its transform and pstc)", attr, self)

    def _only_termination(self, node):
        if len(node.termination) == 1:
            return next(iter(node.termination.values()))
        raise ValidationError(
            f"SimpleNode {node.name!r} has terminations {sorted(node.termination)}; pass one "
            "of them (node.getTermination(name) or 'node.name')", "post", self)

    def _origin_for(self, pre, func, origin_name):
        """The origin a connection reads (made, or reused by name)."""
        if isinstance(pre, Origin):
            if func is not None:
                raise ValidationError("cannot be given when pre is an origin", "func", self)
            return pre
        if isinstance(pre, Network):
            raise ValidationError(f"{pre.name!r} is a subnetwork; connect from a node "
                                  "inside it ('sub.node')", "pre", self)
        if isinstance(pre, (InputNode, SimpleNode)):
            if func is not None:
                raise ValidationError(f"{pre.name!r} is not an ensemble, so it cannot compute "
                                      "a function; connect it to an ensemble first", "func",
                                      self)
            if origin_name is not None:
                return pre.getOrigin(origin_name)
            return self._default_origin(pre, pre.name)
        table = None
        if func is not None and not callable(func):
            table = func
        if origin_name is not None:
            name = origin_name
        elif callable(func):
            name = getattr(func, "__name__", None) or type(func).__name__
        else:
            name = "lookup" if table is not None else "X"
        if name == "AXON":
            if func is not None:
                raise ValidationError("the 'AXON' origin carries spikes and cannot compute "
                                      "a function", "func", self)
            return pre.getOrigin("AXON")
        return pre.add_origin(name, func, table)

    def _termination_name(self, post, base):
        """``base``, or ``base(2)``, ``base(3)``... when taken (on post or its members)."""
        def taken(n):
            return n in post.termination or any(n in m.termination for m in post.members)

        name, i = base, 2
        while taken(name):
            name, i = f"{base}({i})", i + 1
        return name

    def _split_termination(self, post, name, by, make):
        """One termination per member ensemble of ``post``, each taking its block of rows
        (of dimensions or of neurons); an ArrayTermination for arrays."""
        parts, start = [], 0
        for member in post.members:
            size = member.dimensions if by == "dimensions" else member.neurons
            if member.mode == "direct" and by == "neurons":
                raise ValidationError(f"{member.name!r} is in direct mode and has no neurons "
                                      "to take weights or currents", "post", self)
            parts.append(make(member, slice(start, start + size)))
            start += size
        if not isinstance(post, NEFArray):
            term = parts[0]
        else:
            term = ArrayTermination(post, name, parts)
            for member, part in zip(post.members, parts):
                member.termination[name] = part
        post.termination[name] = term
        return term

    def _transform(self, origin, pre, post, transform, weight, index_pre, index_post):
        dim_pre, dim_post = origin.dimensions, post.dimensions
        if transform is None:
            return np.array(compute_transform(dim_pre, dim_post, weight, index_pre,
                                              index_post), dtype=np.float64)
        try:
            T = np.array(transform, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValidationError(f"must be a matrix of numbers (got {transform!r})",
                                  "transform", self) from None
        if T.ndim == 0:
            if dim_pre != dim_post:
                raise ValidationError(f"is a number, but pre has {dim_pre} dimension(s) and "
                                      f"post {dim_post}; give a {dim_post}x{dim_pre} matrix",
                                      "transform", self)
            return T * np.eye(dim_pre)
        if T.ndim == 1:
            if dim_pre == 1:
                T = T.reshape(-1, 1)
            elif dim_post == 1:
                T = T.reshape(1, -1)
            else:
                raise ValidationError(f"is 1-D, which needs pre or post to be 1-D (they have "
                                      f"{dim_pre} and {dim_post} dimensions)", "transform",
                                      self)
        pre_n = getattr(pre, "neurons", None) if isinstance(pre, _Node) else None
        post_n = getattr(post, "neurons", None)
        rows_ok = T.shape[0] in (dim_post, post_n)
        cols_ok = T.shape[1] == dim_pre or (pre_n is not None and T.shape[1] == pre_n
                                            and "AXON" in pre.origin)
        if T.ndim != 2 or not rows_ok or not cols_ok:
            raise ValidationError(
                f"has shape {T.shape}; expected ({dim_post} post dimensions"
                + (f" or {post_n} post neurons" if post_n else "") + f", {dim_pre} pre "
                "dimensions" + (f" or {pre_n} pre neurons" if pre_n else "") + ")",
                "transform", self)
        return T

    def _weights(self, origin, post, T, weight_func, expose_weights):
        """1.4's weight matrix (post neurons x pre neurons), passed through weight_func."""
        if not isinstance(origin, DecodedOrigin) or any(
                p.decoders is None for p in origin.pieces):
            raise ValidationError(f"needs a decoded origin of an ensemble in spike or rate "
                                  f"mode (got {origin!r})", "weight_func", self)
        if post.mode == "direct":
            raise ValidationError(f"post {post.name!r} is in direct mode and has no neurons",
                                  "weight_func", self)
        E = _block_encoders(post)
        TD = T @ origin.decoders.T
        if weight_func is None:
            return E @ TD
        n_args = _n_positional(weight_func)
        W = weight_func(E, TD) if n_args == 2 else weight_func(E @ TD)
        if W is None:
            raise ValidationError("returned None; it must return the weight matrix to use "
                                  "(e.g. `return w`)", "weight_func", self)
        W = np.array(W, dtype=np.float64)
        want = (post.neurons, origin.owner.neurons)
        if W.shape != want:
            raise ValidationError(f"returned shape {W.shape}; the weights must be (post "
                                  f"neurons, pre neurons) = {want}", "weight_func", self)
        return W

    def _current_termination(self, post, name, origin, encoders, transform, weight,
                             index_pre, index_post, pstc):
        e = np.array(encoders, dtype=np.float64)
        n = post.neurons
        if e.ndim == 0:
            e = np.full((n, origin.dimensions), float(e))
        elif e.ndim == 1:
            e = np.tile(e, (n, 1))
        if e.ndim != 2 or e.shape[0] != n:
            raise ValidationError(f"must be a number, one row, or one row per post neuron "
                                  f"({n}); got shape {np.shape(encoders)}", "encoders", self)
        k = e.shape[1]
        if transform is None:
            T = np.array(compute_transform(origin.dimensions, k, weight, index_pre,
                                           index_post), dtype=np.float64)
        else:
            T = np.array(transform, dtype=np.float64).reshape(k, origin.dimensions)
        M = e @ T
        return self._split_termination(post, name, "neurons", lambda m, r: (
            CurrentTermination(m, name, M[r], pstc)))

    def _finish(self, origin, term, create_projection):
        if not create_projection:
            return origin, term
        conns = term._project(origin, self.model)
        self._changed()
        return Projection(origin, term, conns)

    # ================================================================== learning

    def learn(self, post, learn_term, mod_term, rate=5e-7, stdp=False, **kwargs):
        """Learn the weights of the plastic termination ``learn_term`` of ``post`` (made
        with ``connect(..., plastic_array=True)``), driven by the modulatory termination
        ``mod_term`` (``connect(error, post, modulatory=True)``; the error must be
        *target - actual*).

        * ``stdp=False``: 1.4's error-minimising rule
          (:class:`~nefsim.learning_rules.PES14`, per-step rate ``rate``, its filters
          using the learned termination's ``pstc``); keyword ``oja`` (default True, as
          in 1.4) adds the Oja normalisation term.  1.4's default ``rate=5e-7`` learns
          very slowly; its demos use 5e-4.
        * ``stdp=True``: triplet STDP (:class:`~nefsim.learning_rules.TripletSTDP`) with
          keywords ``a2Minus=5e-3, a3Minus=5e-3, tauMinus=70, tauX=70, a2Plus=5e-3,
          a3Plus=5e-3, tauPlus=70, tauY=70`` (ms), ``decay=None`` and ``homeostasis=None``
          (also spelt ``homeostatis``, as in seed 003), scaled by ``rate``; ``mod_term``
          (optional here) modulates it.  1.4 could not run this branch.

        ``post`` may be an array: every ensemble learns (1.4 silently did nothing).
        """
        post_obj = self._resolve(post, "post")
        if isinstance(post_obj, Termination):
            post_obj = post_obj.owner
        if not isinstance(post_obj, (NEFEnsemble, NEFArray)):
            raise ValidationError(f"must be an ensemble or array (got {post!r})", "post", self)
        kwargs = dict(kwargs)
        if stdp:
            if "homeostatis" in kwargs:
                kwargs["homeostasis"] = kwargs.pop("homeostatis")
            unknown = set(kwargs) - set(_STDP_KWARGS)
            if unknown:
                raise ValidationError(f"unknown STDP parameter(s) {sorted(unknown)}; known: "
                                      f"{', '.join(_STDP_KWARGS)}", sorted(unknown)[0], self)
        else:
            oja = kwargs.pop("oja", True)
            if kwargs:
                raise ValidationError(f"unknown argument(s) {sorted(kwargs)}; the "
                                      "error-minimising rule takes only oja=", sorted(kwargs)[0],
                                      self)
        for member in post_obj.members:
            term = self._member_term(member, learn_term, "learn_term")
            if not isinstance(term, WeightTermination) or not term.plastic:
                raise ValidationError(f"termination {term.name!r} of {member.name!r} is not "
                                      "plastic; make it with connect(..., plastic_array=True)",
                                      "learn_term", self)
            mod = None
            if mod_term is not None:
                mod = self._member_term(member, mod_term, "mod_term")
                if not getattr(mod, "modulatory", False) or not isinstance(
                        mod, DecodedTermination):
                    raise ValidationError(f"termination {mod.name!r} of {member.name!r} is not "
                                          "modulatory; make it with connect(..., "
                                          "modulatory=True)", "mod_term", self)
            if stdp:
                rule = TripletSTDP(learning_rate=rate, modulated=mod is not None, **kwargs)
                if mod is not None and mod.transform.shape[0] != member.dimensions:
                    self._bad_mod(mod, member)
            else:
                if mod is None:
                    raise ValidationError("is needed by the error-minimising rule (it carries "
                                          "the error)", "mod_term", self)
                if mod.transform.shape[0] != member.dimensions:
                    self._bad_mod(mod, member)
                rule = PES14(learning_rate=rate, tau=term.pstc if term.pstc else 0.005,
                             oja=oja)
            term._set_rule(rule, mod)
        self._changed()

    def _bad_mod(self, mod, member):
        raise ValidationError(f"termination {mod.name!r} carries {mod.transform.shape[0]} "
                              f"value(s) but {member.name!r} represents {member.dimensions}",
                              "mod_term", self)

    def _member_term(self, member, term, attr):
        if isinstance(term, ArrayTermination):
            parts = [p for p in term.parts if p.owner is member]
            if parts:
                return parts[0]
        if isinstance(term, Termination):
            if term.owner is not member:
                raise ValidationError(f"termination {term.name!r} belongs to "
                                      f"{term.owner.name!r}, not {member.name!r}", attr, self)
            return term
        if term not in member.termination:
            raise ValidationError(f"{member.name!r} has no termination {term!r} (its "
                                  f"terminations: {sorted(member.termination)})", attr, self)
        return member.termination[term]

    def learn_array(self, array, learn_term, mod_term, rate=5e-7, **kwargs):
        """:meth:`learn` for every ensemble of an array (``oja`` defaults to True; 1.4
        could not switch it off)."""
        arr = self._resolve(array, "array")
        if not isinstance(arr, NEFArray):
            raise ValidationError(f"must be an array made by make_array (got {array!r})",
                                  "array", self)
        return self.learn(arr, learn_term, mod_term, rate=rate, **kwargs)

    # ============================================================ add / remove

    def add(self, node):
        """Add a node made outside this network: a :class:`~nefsim.nef.SimpleNode`, or an
        ensemble/array made with ``add_to_network=False``.  Returns it."""
        if not isinstance(node, (SimpleNode, NEFEnsemble, NEFArray, InputNode)):
            raise ValidationError(f"can add a SimpleNode or a node made with "
                                  f"add_to_network=False (got {node!r})", "node", self)
        if getattr(node, "_container", None) is not None:
            raise ValidationError(f"{node.name!r} is already in a network", "node", self)
        self._check_name(node.name)
        node._attach(self.model)
        self._register(node)
        return node

    def remove(self, node):
        """Remove a node (or the node of that name) with everything connected to it;
        returns its name (as 1.4)."""
        name = node if isinstance(node, str) else getattr(node, "name", None)
        net, last = self._split_path(name) if isinstance(name, str) else (self, name)
        found = net._nodes.get(last)
        if found is None or (not isinstance(node, str) and found is not node):
            raise ValidationError(f"there is no node {name!r} in {self.name!r}", "node", self)
        del net._nodes[last]
        objects = _nefsim_objects(found)
        _prune(self._root.model, objects)
        for other in self._root._all_nodes():
            for term in other.termination.values():
                term.connections = [c for c in term.connections if id(c) not in objects]
        self._changed()
        return name

    def _all_nodes(self):
        for node in self._nodes.values():
            if isinstance(node, Network):
                yield from node._all_nodes()
            else:
                yield node
                if isinstance(node, NEFArray):
                    yield from node.ensembles

    def _all_networks(self):
        yield self
        for node in self._nodes.values():
            if isinstance(node, Network):
                yield from node._all_networks()

    # ================================================================== misc

    def releaseMemory(self):  # noqa: N802 - 1.4's name
        """Drop the cached activity matrices used to solve new origins' decoders.  Nothing
        about the model changes; an origin made later recomputes them (as in 1.4)."""
        for node in self._all_nodes():
            release = getattr(node, "release_memory", None)
            if release is not None:
                release()

    def getNeuronCount(self):  # noqa: N802
        """Total number of neurons, in arrays and subnetworks included."""
        return self.model.n_neurons

    def add_to_nengo(self):
        """1.4 added the network to its GUI.  There is no GUI here: does nothing."""

    def add_to_world(self, world=None):
        """Deprecated in 1.4 (use add_to_nengo); does nothing here."""

    # ================================================================= running

    @property
    def simulator(self):
        """The nefsim Simulator of the last run (None before the first run)."""
        return self._root._sim

    def _logs_everywhere(self):
        for net in self._root._all_networks():
            for log in net._logs:
                yield net, log

    def _model_key(self):
        return self._version, tuple(map(id, self.model.all_objects))

    def _prepare(self, dt):
        """The simulator for the next run: built (again) only when the model changed."""
        root = self._root
        for owner, log in list(root._logs_everywhere()):
            if id(log) not in root._attached_logs:
                log.attach(owner)
                root._attached_logs.add(id(log))
        sim = root._sim
        key = root._model_key()
        if sim is None or key != root._sim_key or not np.isclose(sim.dt, dt):
            elapsed = sim.time if sim is not None else 0.0
            if sim is not None:
                sim.close()
            sim = Simulator(root.model, dt=dt, progress_bar=False)
            if elapsed > 0:
                warnings.warn(f"{root.name}: the model changed after it ran; it is rebuilt and "
                              f"re-simulated from 0 to t = {elapsed:g} s so that time "
                              "continues")
                sim.run(elapsed)
            root._sim, root._sim_key = sim, root._model_key()
        return sim

    def run(self, time, dt=0.001):
        """Simulate ``time`` more seconds with step ``dt``.  Calls continue the same clock
        (one nefsim Simulator is kept; it is rebuilt only when the model has changed, and
        then re-simulated up to the current time); :meth:`reset` goes back to 0."""
        if not (isinstance(time, (int, float, np.number)) and time >= 0):
            raise ValidationError(f"must be a number of seconds >= 0 (got {time!r})", "time",
                                  self)
        if not (isinstance(dt, (int, float, np.number)) and dt > 0):
            raise ValidationError(f"must be a positive number of seconds (got {dt!r})", "dt",
                                  self)
        root = self._root
        sim = root._prepare(dt)
        sim.run(time)
        for owner, log in list(root._logs_everywhere()):
            log.after_run(owner, sim)

    def reset(self):
        """Back to time 0: neurons at V = 0, filters and inputs cleared, learned weights
        reverted, SimpleNodes re-initialised, noise streams restarted."""
        root = self._root
        if root._sim is not None:
            root._sim.reset()
        for node in root._all_nodes():
            if isinstance(node, SimpleNode):
                node._reset()
        for owner, log in list(root._logs_everywhere()):
            on_reset = getattr(log, "on_reset", None)
            if on_reset is not None:
                on_reset(owner)
            elif callable(getattr(log, "reset", None)):
                log.reset()

    # ============================================================= logs and views

    def log(self, *args, **kwargs):
        """A :class:`nefsim.nef.Log` writing this network's values to a CSV file as it
        runs: ``log(name=None, dir=None, filename='%(name)s-%(time)s.csv',
        interval=0.001, tau=0.01, auto_flush=True)``."""
        from .log import Log

        log = Log(self, *args, **kwargs)
        if not any(x is log for x in self._logs):
            self._logs.append(log)
        return log

    def view(self, play=False, *args, **kwargs):
        """1.4's interactive viewer; here, plots of the logged/probed values (see
        :mod:`nefsim.nef.view`)."""
        from .view import view

        return view(self, play, *args, **kwargs)

    def set_layout(self, view, layout, control):
        """Store a 1.4 viewer layout (kept in ``_view_settings``)."""
        from .view import set_layout

        return set_layout(self, view, layout, control)

    def set_view_function_1d(self, node, basis, label="1D function", minx=-1, maxx=1,
                             miny=-1, maxy=1):
        """Define how the vector of ``node`` is drawn as a function of x (kept in
        ``_view_settings``)."""
        from .view import set_view_function_1d

        return set_view_function_1d(self, node, basis, label, minx, maxx, miny, maxy)


# ------------------------------------------------------------------------ helpers


def _n_positional(func):
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return 1
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
               and p.default is p.empty for p in params)


def _block_encoders(post):
    """``E / r`` of every post neuron, block-diagonal over an array's ensembles."""
    E = np.zeros((post.neurons, post.dimensions))
    row = col = 0
    for m in post.members:
        E[row:row + m.neurons, col:col + m.dimensions] = m.encoders / m.radii
        row, col = row + m.neurons, col + m.dimensions
    return E


def _nefsim_objects(node):
    """The ids of every nefsim object a wrapper owns."""
    found = set()
    if isinstance(node, (Network, NEFArray)):
        found.add(id(node.model))
        found.update(id(o) for o in node.model.all_objects)
        if isinstance(node, Network):
            return found
    for attr in ("ensemble", "node", "_node"):
        obj = node.__dict__.get(attr)
        if obj is not None:
            found.add(id(obj))
    for member in [node] + list(getattr(node, "ensembles", [])):
        found.update(id(o._node) for o in member.origin.values() if o._node is not None)
        found.update(id(t._node) for t in member.termination.values()
                     if getattr(t, "_node", None) is not None)
    return found


def _endpoint(obj):
    obj = obj.obj if isinstance(obj, ObjView) else obj
    if isinstance(obj, Neurons):
        return obj.ensemble
    if isinstance(obj, LearningRule):
        return obj.connection
    return obj


def _prune(model, objects):
    """Remove the objects with ids in ``objects``, and every connection and probe that
    touches them, from ``model`` and its subnetworks."""
    changed = True
    while changed:
        changed = False
        for net in [model] + model.all_networks:
            for kind in (net.ensembles, net.nodes, net.networks):
                for obj in [o for o in kind if id(o) in objects]:
                    kind.remove(obj)
                    changed = True
            for conn in list(net.connections):
                if (id(conn) in objects or id(_endpoint(conn.pre)) in objects
                        or id(_endpoint(conn.post)) in objects):
                    net.connections.remove(conn)
                    objects.add(id(conn))
                    changed = True
            for probe in list(net.probes):
                if id(_endpoint(probe.target)) in objects:
                    net.probes.remove(probe)
                    changed = True
