"""Build an Ensemble: sample its NEF parameters and add its neuron ops.

Sampling order follows Nengo with ``RandomState(seed)``: eval points, encoders, then
max_rates and intercepts (or gain and bias); the initial neuron state comes from
``RandomState(seed + 1)``.  Per step the ensemble computes
``J = bias + scaled_encoders @ x_in (+ neuron-level inputs)`` and steps its neurons.
"""

import warnings

import numpy as np

from ..dists import Distribution, get_samples
from ..ensemble import Ensemble
from ..exceptions import BuildError, ValidationError
from ..neurons import Direct, PoissonSpiking, StochasticSpiking
from .ir import Copy, DotInc, LearnedDotInc, NeuronStep, ProcessStep, Reset
from .model import BuiltEnsemble, register
from .params import ENSEMBLE_KEYS, check_shape


def default_n_eval_points(n_neurons, dimensions):
    """Nengo's heuristic: ``max(clip(500 d, 750, 2500), 2 n)``."""
    return max(int(np.clip(500 * dimensions, 750, 2500)), 2 * n_neurons)


def sample_eval_points(ens, eval_points, rng, scale=True, n_points=None):
    """Sample (or take) eval points for ``ens``, multiplied by its radius when ``scale``."""
    if isinstance(eval_points, Distribution):
        n = n_points or ens.n_eval_points or default_n_eval_points(ens.n_neurons,
                                                                    ens.dimensions)
        points = eval_points.sample(n, ens.dimensions, rng=rng)
    else:
        points = np.array(eval_points, dtype=np.float64)
        if points.ndim == 1:
            points = points[:, None]
        if ens.n_eval_points is not None and ens.n_eval_points != points.shape[0]:
            warnings.warn(f"{ens}: n_eval_points={ens.n_eval_points} is ignored because "
                          f"{points.shape[0]} eval points were given explicitly")
    return points * ens.radius if scale else points


@register(Ensemble)
def build_ensemble(model, ens):
    name = model.name_of(ens)
    seed = model.seeds[ens]
    rng = np.random.RandomState(seed)
    if isinstance(ens.neuron_type, Direct):
        loaded = model.load(f"{name}:eval_points")
        _build_direct(model, ens, name, sample_eval_points(ens, ens.eval_points, rng)
                      if loaded is None else np.asarray(loaded, dtype=np.float64))
        return
    n, d = ens.n_neurons, ens.dimensions
    saved = (None if model.loaded is None
             else model.loaded.group(name, ENSEMBLE_KEYS, f"Ensemble {name!r}", True))
    if saved is not None:
        gain, bias, encoders, max_rates, intercepts, eval_points = _loaded_params(
            saved, n, d, name)
    else:
        gain, bias, encoders, max_rates, intercepts, eval_points = _sampled_params(
            ens, name, rng)
    _build_neurons(model, ens, name, seed, gain, bias, encoders, max_rates, intercepts,
                   eval_points)


def _loaded_params(saved, n, d, name):
    owner = f"Ensemble {name!r}"
    shapes = {"gain": (n,), "bias": (n,), "encoders": (n, d), "max_rates": (n,),
              "intercepts": (n,)}
    values = {k: check_shape(saved[k], shape, f"{name}:{k}", owner)
              for k, shape in shapes.items()}
    points = np.asarray(saved["eval_points"], dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != d:
        raise BuildError(f"{owner}: the loaded entry '{name}:eval_points' has shape "
                         f"{points.shape}, but this network needs (n_points, {d})")
    return (values["gain"], values["bias"], values["encoders"], values["max_rates"],
            values["intercepts"], points)


def _sampled_params(ens, name, rng):
    """Sample the NEF parameters in Nengo's order (see the module docstring)."""
    n, d = ens.n_neurons, ens.dimensions
    eval_points = sample_eval_points(ens, ens.eval_points, rng)
    encoders = np.array(get_samples(ens.encoders, n, d, rng=rng), dtype=np.float64)
    if ens.normalize_encoders:
        norms = np.linalg.norm(encoders, axis=1, keepdims=True)
        if np.any(norms == 0):
            raise BuildError(f"Ensemble {name!r}: encoders contain an all-zero row, which "
                             "cannot be normalized; give every neuron a nonzero encoder")
        encoders = encoders / norms

    if ens.gain is not None and ens.bias is not None:
        gain = np.array(get_samples(ens.gain, n, rng=rng), dtype=np.float64).reshape(n)
        bias = np.array(get_samples(ens.bias, n, rng=rng), dtype=np.float64).reshape(n)
        max_rates, intercepts = ens.neuron_type.max_rates_intercepts(gain, bias)
    else:
        max_rates = np.array(get_samples(ens.max_rates, n, rng=rng), dtype=np.float64)
        intercepts = np.array(get_samples(ens.intercepts, n, rng=rng), dtype=np.float64)
        try:
            gain, bias = ens.neuron_type.gain_bias(max_rates.reshape(n), intercepts.reshape(n))
        except ValidationError as err:
            # Re-raise against the ensemble, which is what the user can find and fix.
            raise ValidationError(f"{err.args[0]} (neuron type {ens.neuron_type!r})",
                                  err.attr, ens) from None
    gain = np.asarray(gain, dtype=np.float64)
    bias = np.asarray(bias, dtype=np.float64)
    if np.any(~np.isfinite(gain)) or np.any(gain <= 0):
        bad = np.flatnonzero(~np.isfinite(gain) | (gain <= 0))
        raise BuildError(
            f"Ensemble {name!r}: {bad.size} neuron(s) (e.g. index {bad[0]}) got a gain that "
            "is not positive and finite; intercepts must be below 1 and max_rates "
            f"achievable by {ens.neuron_type!r}")
    return gain, bias, encoders, max_rates, intercepts, eval_points


def _build_neurons(model, ens, name, seed, gain, bias, encoders, max_rates, intercepts,
                   eval_points):
    """Signals and ops of an ensemble with neurons, from its NEF parameters."""
    n, d = ens.n_neurons, ens.dimensions
    scaled_encoders = encoders * (gain / ens.radius)[:, None]
    learned_encoders = model.load(f"{name}:scaled_encoders")
    if learned_encoders is not None:  # as a Voja rule left them
        scaled_encoders = check_shape(learned_encoders, (n, d), f"{name}:scaled_encoders",
                                      f"Ensemble {name!r}")
    silenced = model.load(f"{name}.neurons:silenced")
    if silenced is not None:
        silenced = check_shape(silenced, (n,), f"{name}.neurons:silenced",
                               f"Ensemble {name!r}")

    sig_in = model.add_signal(f"{name}:in", np.zeros(d))
    J = model.add_signal(f"{name}.neurons:input", np.zeros(n))
    bias_sig = model.add_signal(f"{name}.neurons:bias", bias, kind="const")
    out = model.add_signal(f"{name}.neurons:output", np.zeros(n))
    # One generator for the initial state and, for stochastic types, their spikes later
    # (as in Nengo, so seeded models draw the same spikes; reset does not rewind it).
    neuron_rng = np.random.RandomState(seed + 1)
    state0 = ens.neuron_type.make_state(n, rng=neuron_rng)
    state = {k: model.add_signal(f"{name}.neurons:{k}", v) for k, v in state0.items()}

    model.add_op(Reset(sig_in, tag=f"{name}: reset input"))
    model.add_op(Copy(bias_sig.ref(), J.ref(), tag=f"{name}: bias"))
    if ens in model.memo.get("voja_posts", ()):
        # Voja learns these encoders: they are state, updated while the model runs
        encoders_sig = model.add_signal(f"{name}:encoders", scaled_encoders.ravel(),
                                        kind="learned")
        model.add_op(LearnedDotInc(encoders_sig, scaled_encoders.shape, sig_in.ref(),
                                   J.ref(), tag=f"{name}: encode (learned)"))
        model.sig[ens]["encoders_signal"] = encoders_sig
    else:
        enc_name = model.add_array(f"{name}:encoders", scaled_encoders)
        model.add_op(DotInc(enc_name, sig_in.ref(), J.ref(), tag=f"{name}: encode"))
    stochastic = isinstance(ens.neuron_type, (PoissonSpiking, StochasticSpiking))
    model.add_op(NeuronStep(ens.neuron_type, J, out, state,
                            rng=neuron_rng if stochastic else None, tag=f"{name}: neurons",
                            out_scale=None if silenced is None else 1.0 - silenced))
    if ens.noise is not None:
        model.add_op(ProcessStep(ens.noise, J.ref(), mode="inc", owner=f"{name}.noise",
                                 tag=f"{name}: noise"))

    model.sig[ens].update({"in": sig_in, "out": out})
    model.sig[ens.neurons].update({"in": J, "out": out, "bias": bias_sig, **state})
    model.params[ens] = BuiltEnsemble(
        eval_points=_readonly(eval_points), encoders=_readonly(encoders),
        intercepts=_readonly(intercepts), max_rates=_readonly(max_rates),
        scaled_encoders=_readonly(scaled_encoders), gain=_readonly(gain),
        bias=_readonly(bias))
    model.params[ens.neurons] = None


def _build_direct(model, ens, name, eval_points):
    """A Direct ensemble is a passthrough of its decoded input (no neurons)."""
    sig_in = model.add_signal(f"{name}:in", np.zeros(ens.dimensions))
    model.add_op(Reset(sig_in, tag=f"{name}: reset input"))
    model.sig[ens].update({"in": sig_in, "out": sig_in})
    model.sig[ens.neurons].update({"in": None, "out": None})
    model.params[ens] = BuiltEnsemble(
        eval_points=_readonly(eval_points), encoders=_readonly(np.eye(ens.dimensions)),
        intercepts=None, max_rates=None, scaled_encoders=_readonly(np.eye(ens.dimensions)),
        gain=None, bias=None)
    model.params[ens.neurons] = None


def _readonly(arr):
    arr = np.array(arr)
    arr.setflags(write=False)
    return arr
