"""Tuning and response curves of a built ensemble (``nengo.utils.ensemble`` names)."""

import numpy as np

from ..exceptions import ValidationError


def _built(ens, sim):
    built = sim.data[ens]
    if built.gain is None:
        raise ValidationError("has no neurons (Direct mode) and so no tuning curves",
                              "neuron_type", ens)
    return built


def tuning_curves(ens, sim, inputs=None):
    """Firing rates of every neuron of ``ens`` as a function of the represented value.

    ``inputs`` defaults to a grid of 50 points per dimension over ``[-radius, radius]``
    (shape ``(50,) * d + (d,)``).  Returns ``(inputs, activities)`` with activities of
    shape ``inputs.shape[:-1] + (n_neurons,)``.
    """
    built = _built(ens, sim)
    if inputs is None:
        axis = np.linspace(-ens.radius, ens.radius, 50)
        grids = np.meshgrid(*[axis] * ens.dimensions, indexing="ij")
        inputs = np.stack(grids, axis=-1)
    inputs = np.asarray(inputs, dtype=np.float64)
    if inputs.shape[-1] != ens.dimensions:
        raise ValidationError(f"last axis must have {ens.dimensions} values (got shape "
                              f"{inputs.shape})", "inputs", ens)
    flat = inputs.reshape(-1, ens.dimensions)
    x = flat @ built.encoders.T / ens.radius
    rates = ens.neuron_type.rates(x, built.gain, built.bias)
    return inputs, rates.reshape(*inputs.shape[:-1], ens.n_neurons)


def response_curves(ens, sim, inputs=None):
    """Firing rates against the input along each neuron's own preferred direction.

    ``inputs`` (1-D, default 50 points in ``[-1, 1]``) are in radius-normalised units.
    Returns ``(inputs, activities)`` with activities of shape ``(len(inputs), n)``.
    """
    built = _built(ens, sim)
    inputs = np.linspace(-1.0, 1.0, 50) if inputs is None else np.asarray(inputs, float)
    return inputs, ens.neuron_type.rates(inputs, built.gain, built.bias)
