"""Ensembles and ensemble arrays of the Nengo 1.4 layer (``nef.Network.make`` and
``make_array``).

1.4 built an ensemble's NEF parameters when it was made, and scripts rely on that
(``weight_func`` receives the weight matrix inside ``connect``; a lookup-table
``func`` is solved against the ensemble's own eval points).  So this module samples
every parameter itself, following 1.4's rules (shared/reference/nef14.md §2-§4):

* max rates and intercepts from a ``(low, high)`` tuple (uniform) or a list (cycled);
* encoders ±1 in 1-D, uniform on the sphere otherwise, or the given rows normalised and
  cycled;
* eval points uniform *in* the unit ball (1000 for 1-D and 2-D, ``500 d`` up to 5000),
  or exactly the given ones, scaled by the radius;
* gain and bias from the neuron type's ``gain_bias`` (1.4's LIF formulas);
* decoders solved here for every origin: ``decoder_noise`` is the regulariser of
  :class:`~nefsim.solvers.LstsqL2` (``reg = decoder_noise``: the expected value of 1.4's
  noise-added solve, without its random draw), ``decoder_sign`` uses
  :class:`~nefsim.solvers.NnlsL2` on sign-flipped targets.

The results go into a nefsim ``Ensemble`` with explicit ``encoders``, ``gain`` and
``bias``; decoded origins are connections from its neurons (see
:mod:`nefsim.nef.terms`).  Quick mode keeps these parameters in an on-disk cache.
"""

import hashlib
import inspect
import os
import tempfile
import warnings

import numpy as np

from ..dists import Choice
from ..ensemble import Ensemble
from ..exceptions import ValidationError
from ..neurons import (LIF, AdaptiveLIF, AdaptiveLIFRate, Direct, LIFRate, NeuronType,
                       RatesToSpikesNeuronType, RectifiedLinear, SpikingRectifiedLinear)
from ..processes import Process
from ..solvers import Lstsq, LstsqL2, NnlsL2
from .terms import AxonOrigin, DecodedOrigin, _Piece

MODES = ("spike", "rate", "direct")
QUICK_DIR_ENV = "NEFSIM_NEF14_QUICK_DIR"

# rate-mode counterparts of spiking node_factory neuron types
_RATE_OF = {LIF: LIFRate, AdaptiveLIF: AdaptiveLIFRate, SpikingRectifiedLinear: RectifiedLinear}


# ------------------------------------------------------------------------------ noise


class HeldUniformNoise(Process):
    """1.4's neuron current noise: uniform on ``(-amplitude, amplitude)``, one value per
    neuron, redrawn when at least ``1 / frequency`` seconds have passed since the last
    draw (checked at step ends) and held in between.

    Parameters
    ----------
    amplitude : float
        Half-width of the uniform distribution, in units of the input current.
    frequency : float
        How often (Hz) a new value is drawn.
    """

    def __init__(self, amplitude, frequency=1000, seed=None):
        super().__init__(default_size_in=0, seed=seed)
        self.amplitude = float(amplitude)
        self.frequency = float(frequency)

    def make_state(self, shape_in, shape_out, dt, dtype=None):
        return {"value": np.zeros(shape_out), "next_draw": np.zeros(1)}

    def make_step(self, shape_in, shape_out, dt, rng, state):
        period, amplitude = 1.0 / self.frequency, self.amplitude
        value, next_draw = state["value"], state["next_draw"]
        next_draw[0] = 0.0  # a reset starts with a draw

        def step(t):
            if t + 1e-9 >= next_draw[0]:
                value[...] = rng.uniform(-amplitude, amplitude, size=value.shape)
                next_draw[0] = t + period
            return value.copy()

        return step


# --------------------------------------------------------------------------- sampling


def default_n_eval_points(dimensions):
    """1.4's count: 1000 points in 1-D and 2-D, ``500 d`` (at most 5000) above."""
    return 1000 if dimensions <= 2 else min(500 * dimensions, 5000)


def per_neuron(spec, n, rng, attr, owner):
    """1.4's rule for ``max_rate``/``intercept``: a 2-tuple is a uniform range, anything
    else a list of values used in order and cycled."""
    if isinstance(spec, tuple) and len(spec) == 2:
        low, high = (float(v) for v in spec)
        if high < low:
            raise ValidationError(f"range {spec} has high < low", attr, owner)
        return rng.uniform(low, high, size=n)
    try:
        values = np.asarray(spec, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValidationError(f"must be a (low, high) tuple or a list of numbers (got "
                              f"{spec!r})", attr, owner) from None
    if values.size == 0:
        raise ValidationError("must not be empty", attr, owner)
    return np.resize(values, n)


def sample_encoders(encoders, n, d, rng, owner):
    """Unit encoders, one row per neuron."""
    if encoders is None:
        if d == 1:
            return np.where(rng.uniform(size=(n, 1)) < 0.5, -1.0, 1.0)
        E = rng.normal(size=(n, d))
    else:
        E = np.array(encoders, dtype=np.float64)
        if E.ndim == 1:
            E = E.reshape(-1, 1) if d == 1 else E.reshape(1, -1)
        if E.ndim != 2 or E.shape[1] != d:
            raise ValidationError(f"rows must have {d} value(s), one per dimension (got "
                                  f"shape {np.shape(encoders)})", "encoders", owner)
        E = E[np.arange(n) % E.shape[0]]
    norms = np.linalg.norm(E, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValidationError("contains an all-zero row, which cannot be normalised",
                              "encoders", owner)
    return E / norms


def sample_eval_points(eval_points, d, rng, owner):
    """Eval points in units of the radius: the given ones, or uniform in the unit ball."""
    if eval_points is not None:
        P = np.array(eval_points, dtype=np.float64)
        if P.ndim == 1:
            P = P.reshape(-1, 1) if d == 1 else P.reshape(1, -1)
        if P.ndim != 2 or P.shape[1] != d or P.shape[0] == 0:
            raise ValidationError(f"must be a list of points with {d} value(s) each (got "
                                  f"shape {np.shape(eval_points)})", "eval_points", owner)
        return P
    m = default_n_eval_points(d)
    if d == 1:
        return rng.uniform(-1, 1, size=(m, 1))
    directions = rng.normal(size=(m, d))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return directions * rng.uniform(size=(m, 1)) ** (1.0 / d)


def as_radii(radius, d, owner):
    """``radius`` as one value per dimension (1.4 accepts a scalar or a list)."""
    r = np.array(radius, dtype=np.float64).ravel()
    if r.size == 1:
        r = np.full(d, r[0])
    if r.size != d or np.any(~(r > 0)):
        raise ValidationError(f"must be a positive number or a list of {d} positive numbers "
                              f"(got {radius!r})", "radius", owner)
    return r


def neuron_type_for(mode, tau_rc, tau_ref, node_factory, owner):
    """The nefsim neuron type of a 1.4 ensemble.

    LIF neurons start at V = 0 (1.4's initial state and state after a reset) rather
    than Nengo 4's random voltages.  ``node_factory`` is a nefsim neuron type; in rate
    mode a spiking one is replaced by its rate counterpart.
    """
    if mode == "direct":
        return Direct()
    if node_factory is None:
        if mode == "rate":
            return LIFRate(tau_rc=tau_rc, tau_ref=tau_ref)
        return LIF(tau_rc=tau_rc, tau_ref=tau_ref, initial_state={"voltage": Choice([0.0])})
    if isinstance(node_factory, type) and issubclass(node_factory, NeuronType):
        node_factory = node_factory()
    if not isinstance(node_factory, NeuronType):
        raise ValidationError("must be a nefsim neuron type such as nefsim.neurons."
                              f"AdaptiveLIF() (got {node_factory!r})", "node_factory", owner)
    if mode == "rate" and getattr(node_factory, "spiking", False):
        if isinstance(node_factory, RatesToSpikesNeuronType):
            return node_factory.base_type
        rate_type = _RATE_OF.get(type(node_factory))
        if rate_type is None:
            raise ValidationError(f"{node_factory!r} is spiking and has no rate version; use "
                                  "mode='spike' or a rate neuron type", "node_factory", owner)
        params = inspect.signature(rate_type).parameters
        return rate_type(**{k: v for k, v in vars(node_factory).items() if k in params})
    return node_factory


def clip_max_rates(max_rates, neuron_type, owner):
    """1.4 cuts max rates above ``1/tau_ref`` to ``1/tau_ref - 0.001`` with a warning."""
    tau_ref = getattr(neuron_type, "tau_ref", 0)
    if tau_ref and np.any(max_rates >= 1.0 / tau_ref):
        warnings.warn(f"{owner.name}: max_rate above 1/tau_ref = {1 / tau_ref:g} Hz; cut to "
                      f"{1 / tau_ref - 0.001:g}")
        max_rates = np.minimum(max_rates, 1.0 / tau_ref - 0.001)
    return max_rates


# ----------------------------------------------------------------------- quick cache


def quick_dir():
    """Directory of the quick-mode cache (``$NEFSIM_NEF14_QUICK_DIR`` or
    ``~/.cache/nefsim/nef14-quick``)."""
    return os.environ.get(QUICK_DIR_ENV) or os.path.join(
        os.path.expanduser("~"), ".cache", "nefsim", "nef14-quick")


def _key_part(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value, dtype=object if isinstance(value, (list, tuple)) else None)
        if arr.dtype != object:
            return f"array{arr.shape}{arr.dtype}:{hashlib.sha1(arr.tobytes()).hexdigest()}"
        return type(value).__name__ + "(" + ",".join(_key_part(v) for v in value) + ")"
    return repr(value)


def quick_path(key_items):
    """Cache file for the ensemble described by ``key_items`` (name -> value)."""
    text = ";".join(f"{k}={_key_part(v)}" for k, v in sorted(key_items.items()))
    digest = hashlib.sha1(text.encode()).hexdigest()
    code = "".join(c if c.isalnum() or c in "-_" else "_" for c in
                   str(key_items.get("storage_code", "")))[:40]
    return os.path.join(quick_dir(), f"{code}{'-' if code else ''}{digest}.npz")


_QUICK_FIELDS = ("encoders", "gain", "bias", "max_rates", "intercepts", "eval_points",
                 "decoders")


def quick_load(path):
    """The saved parameters, or None when absent or unreadable."""
    try:
        with np.load(path) as data:
            return {k: np.array(data[k]) for k in _QUICK_FIELDS}
    except (OSError, KeyError, ValueError):
        return None


def quick_save(path, params):
    """Write atomically (a temporary file renamed into place); failures only warn."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **{k: params[k] for k in _QUICK_FIELDS})
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    except OSError as err:
        warnings.warn(f"nef quick mode: could not save {path} ({err})")


# ---------------------------------------------------------------------- the ensembles


class _Node:
    """What the ensemble, array, input and SimpleNode wrappers share: a name, origins
    and terminations, and the nef network they belong to."""

    def __init__(self, name):
        self.name = name
        self.label = name
        self.origin = {}
        self.termination = {}
        self._network = None  # the nef.Network wrapper holding it

    def getName(self):  # noqa: N802 - 1.4's Java-style accessors
        return self.name

    def getOrigin(self, name):  # noqa: N802
        try:
            return self.origin[name]
        except KeyError:
            raise ValidationError(f"{self.name!r} has no origin {name!r} (its origins: "
                                  f"{', '.join(map(repr, self.origin)) or 'none'})",
                                  "origin", self) from None

    def getTermination(self, name):  # noqa: N802
        try:
            return self.termination[name]
        except KeyError:
            raise ValidationError(
                f"{self.name!r} has no termination {name!r} (its terminations: "
                f"{', '.join(map(repr, self.termination)) or 'none'})", "termination",
                self) from None

    def getOrigins(self):  # noqa: N802
        return list(self.origin.values())

    def getTerminations(self):  # noqa: N802
        return list(self.termination.values())

    def _changed(self):
        if self._network is not None:
            self._network._changed()

    def _require_container(self):
        container = getattr(self, "_container", None)
        if container is None:
            raise ValidationError(f"{self.name!r} is not in a network yet (it was made with "
                                  "add_to_network=False); add it with net.add(...) first",
                                  "add_to_network", self)
        return container

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}>"


class NEFEnsemble(_Node):
    """A 1.4 ensemble (``nef.Network.make``) over a nefsim :class:`~nefsim.Ensemble`.

    Attributes
    ----------
    name : str
    neurons, dimensions : int
    mode : str
        ``'spike'``, ``'rate'`` or ``'direct'``.
    ensemble : nefsim.Ensemble
        The underlying ensemble.
    encoders : (neurons, dimensions) array
        Unit encoders.
    gain, bias, max_rates, intercepts : (neurons,) arrays
    eval_points : (m, dimensions) array
        Eval points in represented units (already multiplied by the radius).
    radii : (dimensions,) array
    origin, termination : dict
        Name -> :class:`~nefsim.nef.terms.Origin` / ``Termination``.  Every ensemble has
        ``'X'`` (its decoded value) and, unless direct, ``'AXON'`` (its spikes).
    """

    def __init__(self, name, neurons, dimensions, params, radii, mode, neuron_type,
                 solver, sign, seed, noise, container=None):
        super().__init__(name)
        self.neurons = int(neurons)
        self.dimensions = self.dimension = int(dimensions)
        self.mode = mode
        self.radii = radii
        self.seed = seed
        self.neuron_type = neuron_type
        self._solver, self._sign = solver, sign
        self._activities = None
        for key in ("encoders", "gain", "bias", "max_rates", "intercepts", "eval_points"):
            setattr(self, key, params.get(key))
        self.ensemble = self._make_ensemble(noise)
        self._container = None
        x_decoders = params.get("decoders")
        if mode != "direct" and x_decoders is None:
            x_decoders = self.solve(self.eval_points)
        self.origin["X"] = DecodedOrigin(self, "X", [_Piece(
            self, slice(0, self.dimensions), x_decoders)])
        if mode != "direct":
            self.origin["AXON"] = AxonOrigin(self, [self])
        if container is not None:
            self._attach(container)

    # -- construction --------------------------------------------------------------

    def _make_ensemble(self, noise):
        r = self.radii
        kwargs = {"label": self.name, "seed": self.seed, "add_to_container": False,
                  "neuron_type": self.neuron_type}
        if self.mode == "direct":
            return Ensemble(self.neurons, self.dimensions, radius=float(r.max()), **kwargs)
        if np.all(r == r[0]):  # a nefsim radius scales encoders and eval points
            enc, radius, normalize = self.encoders, float(r[0]), True
        else:  # per-dimension radii: the neurons see x / r elementwise
            enc, radius, normalize = self.encoders / r, 1.0, False
        if noise:
            kwargs["noise"] = noise
        return Ensemble(self.neurons, self.dimensions, radius=radius, encoders=enc,
                        gain=self.gain, bias=self.bias, normalize_encoders=normalize,
                        eval_points=self.eval_points / r, **kwargs)

    def _attach(self, container):
        container.add(self.ensemble)
        self.ensemble._nef_container = container
        self._container = container

    @property
    def decoders(self):
        """Decoders of ``'X'``."""
        return self.origin["X"].decoders

    # -- decoding ------------------------------------------------------------------

    def activities(self):
        """Steady-state rates (Hz) at the eval points, ``(m, neurons)`` (kept until
        :meth:`release_memory`)."""
        if self._activities is None:
            x = (self.eval_points / self.radii) @ self.encoders.T
            self._activities = self.neuron_type.rates(x, self.gain, self.bias)
        return self._activities

    def release_memory(self):
        self._activities = None

    def solve(self, targets):
        """Decoders ``(neurons, k)`` for ``targets`` ``(m, k)`` at the eval points."""
        A = self.activities()
        Y = np.asarray(targets, dtype=np.float64)
        rng = np.random.RandomState(self.seed)
        if self._sign is None:
            return self._solver(A, Y, rng=rng)[0].reshape(A.shape[1], -1)
        D = self._solver(A, self._sign * Y, rng=rng)[0].reshape(A.shape[1], -1)
        return self._sign * D

    def function_values(self, func, attr="func"):
        """``func`` at every eval point, ``(m, k)``: 1.4 calls it with one point."""
        rows = [np.atleast_1d(np.asarray(func(p.copy()), dtype=np.float64)).ravel()
                for p in self.eval_points]
        sizes = {r.size for r in rows}
        if len(sizes) != 1:
            raise ValidationError(f"{func!r} returns values of different lengths "
                                  f"{sorted(sizes)} at different points", attr, self)
        return np.array(rows)

    def _piece(self, func, table, out):
        """A decoded (or, in direct mode, exact) piece computing ``func`` or ``table``."""
        if self.mode == "direct":
            if table is not None:
                func = _nearest_lookup(self.eval_points, table)
            return _Piece(self, out, None, func)
        if table is not None:
            targets = table
        else:
            targets = self.eval_points if func is None else self.function_values(func)
        return _Piece(self, out, self.solve(targets))

    def add_origin(self, name, func=None, table=None):
        """The origin ``name`` computing ``func`` (or the lookup ``table``); an existing
        origin of that name is reused (1.4), with a warning when it computes a different
        function."""
        existing = self.origin.get(name)
        if existing is not None:
            _warn_if_different(self, existing, func, table)
            return existing
        if table is not None:
            table = _check_table(self, table)
            k = table.shape[1]
        else:
            k = _output_size(func, self.dimensions, self)
        origin = DecodedOrigin(self, name, [self._piece(func, table, slice(0, k))],
                               function=table if table is not None else func)
        self.origin[name] = origin
        return origin

    # -- 1.4 accessors ---------------------------------------------------------------

    @property
    def members(self):
        """The ensembles this node is made of (itself)."""
        return [self]

    def getEncoders(self):  # noqa: N802
        return self.encoders

    def getNeuronCount(self):  # noqa: N802
        return self.neurons

    def getDimension(self):  # noqa: N802
        return self.dimensions

    def getMode(self):  # noqa: N802
        return self.mode


def _nearest_lookup(points, table):
    """Direct-mode lookup table: the row of the nearest eval point.  (1.4 returned the
    rows in eval-point order, one per call, whatever the input; a fixed bug.)"""
    points, table = np.array(points), np.array(table)

    def lookup(x):
        return table[np.argmin(np.sum((points - np.asarray(x)) ** 2, axis=1))]

    return lookup


def _check_table(ens, table):
    T = np.array(table, dtype=np.float64)
    if T.ndim == 1:
        T = T.reshape(-1, 1)
    if T.ndim != 2 or T.shape[0] != len(ens.eval_points):
        raise ValidationError(
            f"a lookup table needs one row per eval point of {ens.name!r} "
            f"({len(ens.eval_points)}), got shape {np.shape(table)}", "func", ens)
    return T


def _output_size(func, dimensions, owner):
    """1.4 calls ``func`` once with zeros: a float is 1-D, a sequence has its length."""
    if func is None:
        return dimensions
    if not callable(func):
        raise ValidationError(f"must be a function of x or a lookup table (got {func!r})",
                              "func", owner)
    try:
        value = func(np.zeros(dimensions))
    except Exception as err:  # noqa: BLE001 - report what the user function raised
        raise ValidationError(f"{func!r} failed when called with x = zeros({dimensions}): "
                              f"{err!r}", "func", owner) from err
    size = np.atleast_1d(np.asarray(value, dtype=np.float64)).size
    if size == 0:
        raise ValidationError(f"{func!r} returned an empty value", "func", owner)
    return size


def _warn_if_different(owner, origin, func, table):
    old = origin.function
    same = (old is func or (table is not None and isinstance(old, np.ndarray)
                            and np.array_equal(old, np.asarray(table, dtype=float)))
            or (callable(old) and callable(func)
                and getattr(old, "__code__", None) is getattr(func, "__code__", 1)))
    if not same and not (old is None and func is None and table is None):
        warnings.warn(f"{owner.name}: origin {origin.name!r} already exists and is reused, "
                      "although a different function was given (1.4 reuses origins by "
                      "name; pass origin_name= to make a new one)")


class NEFArray(_Node):
    """A 1.4 network array (``nef.Network.make_array``): ``length`` ensembles in a nefsim
    subnetwork, ensemble ``i`` representing dimensions ``i*d ... i*d+d-1``.

    Attributes
    ----------
    name : str
    ensembles : list of NEFEnsemble
        Named ``'0'``, ``'1'``, ... (``get('A.2')`` reaches them).
    length, dimensions_per_ensemble : int
    dimensions, neurons : int
        Totals over the ensembles.
    mode : str
        The mode of ensemble 0.
    model : nefsim.Network
        The subnetwork holding the ensembles.
    """

    def __init__(self, name, ensembles, model):
        super().__init__(name)
        self.ensembles = list(ensembles)
        self.length = len(self.ensembles)
        self.dimensions_per_ensemble = self.ensembles[0].dimensions
        self.dimensions = self.dimension = sum(e.dimensions for e in self.ensembles)
        self.neurons = sum(e.neurons for e in self.ensembles)
        self.mode = self.ensembles[0].mode
        self.model = model
        self._container = None
        self.origin["X"] = self._array_origin("X", None, None)
        if all(e.mode != "direct" for e in self.ensembles):
            self.origin["AXON"] = AxonOrigin(self, self.ensembles)

    @property
    def members(self):
        return list(self.ensembles)

    def _attach(self, container):
        container.add(self.model)
        self._container = self.model
        for ens in self.ensembles:
            ens._attach(self.model)

    def _array_origin(self, name, func, table):
        """Concatenate the ensembles' origins ``name`` (each computes ``func`` of its own
        sub-vector), making them where needed."""
        pieces, start = [], 0
        for ens in self.ensembles:
            sub = ens.origin[name] if name == "X" else ens.add_origin(name, func, table)
            for p in sub.pieces:
                k = p.out.stop - p.out.start
                pieces.append(_Piece(ens, slice(start, start + k), p.decoders, p.function))
                start += k
        return DecodedOrigin(self, name, pieces, function=table if table is not None
                             else func)

    def add_origin(self, name, func=None, table=None):
        existing = self.origin.get(name)
        if existing is not None:
            _warn_if_different(self, existing, func, table)
            return existing
        if func is not None:
            _output_size(func, self.dimensions_per_ensemble, self)
        origin = self._array_origin(name, func, table)
        self.origin[name] = origin
        return origin

    def getNodes(self):  # noqa: N802
        return list(self.ensembles)

    def getNeuronCount(self):  # noqa: N802
        return self.neurons

    def getDimension(self):  # noqa: N802
        return self.dimensions

    def release_memory(self):
        for ens in self.ensembles:
            ens.release_memory()


# ----------------------------------------------------------------------- make()


def make_solver(decoder_noise, decoder_sign, owner):
    """The decoder solver of a 1.4 ensemble and the sign its decoders are forced to."""
    if decoder_sign not in (None, 1, -1):
        raise ValidationError(f"must be None, +1 or -1 (got {decoder_sign!r})",
                              "decoder_sign", owner)
    noise = float(decoder_noise)
    if noise < 0:
        raise ValidationError(f"must be >= 0 (got {decoder_noise})", "decoder_noise", owner)
    if decoder_sign is not None:
        # 1.4 ran a projected gradient descent; non-negative least squares on the
        # sign-flipped targets gives the same constrained optimum (regularised here).
        return NnlsL2(reg=noise), decoder_sign
    return (LstsqL2(reg=noise) if noise > 0 else Lstsq()), None


def build_ensemble(name, neurons, dimensions, *, tau_rc, tau_ref, max_rate, intercept,
                   radius, encoders, decoder_noise, eval_points, noise, noise_frequency,
                   mode, node_factory, decoder_sign, seed, quick, storage_code, owner):
    """Sample (or load from the quick cache) a 1.4 ensemble; return an NEFEnsemble that
    is not yet in any network."""
    radii = as_radii(radius, dimensions, owner)
    neuron_type = neuron_type_for(mode, tau_rc, tau_ref, node_factory, owner)
    solver, sign = make_solver(decoder_noise, decoder_sign, owner)
    noise_process = None
    if noise:
        if not noise_frequency or noise_frequency <= 0:
            raise ValidationError(f"must be > 0 (got {noise_frequency!r})",
                                  "noise_frequency", owner)
        # unseeded: each ensemble's stream derives from the simulator's seed (distinct
        # per ensemble even with fixed_seed; restarted identically by a reset)
        noise_process = HeldUniformNoise(noise, noise_frequency)
    args = dict(radii=radii, mode=mode, neuron_type=neuron_type, solver=solver, sign=sign,
                seed=seed, noise=noise_process)
    rng = np.random.RandomState(seed)
    if mode == "direct":
        params = {"eval_points": sample_eval_points(eval_points, dimensions, rng, owner)
                  * radii}
        return NEFEnsemble(name, neurons, dimensions, params, **args)

    path = None
    if quick:
        path = quick_path(dict(
            storage_code=storage_code, neurons=neurons, dimensions=dimensions,
            tau_rc=tau_rc, tau_ref=tau_ref, max_rate=max_rate, intercept=intercept,
            radius=radii, decoder_noise=decoder_noise, encoders=encoders,
            decoder_sign=decoder_sign, eval_points=eval_points, seed=seed,
            node_factory=repr(neuron_type)))
        params = quick_load(path)
        if params is not None and params["encoders"].shape == (neurons, dimensions):
            return NEFEnsemble(name, neurons, dimensions, params, **args)

    max_rates = per_neuron(max_rate, neurons, rng, "max_rate", owner)
    intercepts = per_neuron(intercept, neurons, rng, "intercept", owner)
    params = {"max_rates": clip_max_rates(max_rates, neuron_type, owner),
              "intercepts": intercepts,
              "encoders": sample_encoders(encoders, neurons, dimensions, rng, owner),
              "eval_points": sample_eval_points(eval_points, dimensions, rng, owner) * radii}
    try:
        gain, bias = neuron_type.gain_bias(params["max_rates"], intercepts)
    except ValidationError as err:
        raise ValidationError(f"cannot reach these rates/intercepts with {neuron_type!r}: "
                              f"{err}", "max_rate", owner) from None
    params.update(gain=np.asarray(gain, float), bias=np.asarray(bias, float))
    ens = NEFEnsemble(name, neurons, dimensions, params, **args)
    if path is not None:
        params["decoders"] = ens.decoders
        quick_save(path, params)
    return ens
