"""Config presets used by the library networks (Nengo's ``nengo.presets``).

:func:`ThresholdingEnsembles` configures ensembles that output 0 below a threshold and
grow linearly above it: positive encoders, intercepts just above the threshold, and
evaluation points only where the output is non-zero.
"""

from .._validation import check_number
from ..config import Config
from ..dists import Choice, Exponential, Uniform
from ..ensemble import Ensemble


def ThresholdingEnsembles(threshold, intercept_width=0.15, radius=1.0):  # noqa: N802
    """A Config for 1-D ensembles that are silent below ``threshold``.

    Parameters
    ----------
    threshold : float
        Input value below which the ensembles are silent.
    intercept_width : float, optional
        Scale of the exponential spread of the intercepts above the threshold (most
        neurons start firing just above it).
    radius : float, optional
        Ensemble radius.

    Returns
    -------
    Config
        Configures ``Ensemble``: ``radius``, ``encoders = Choice([[1]])``,
        ``intercepts = Exponential(intercept_width, threshold, radius)`` and
        ``eval_points = Uniform(threshold / radius, 1)`` (eval points are scaled by the
        radius when the ensemble is built, so they cover ``[threshold, radius]``).
    """
    what = "ThresholdingEnsembles"
    threshold = check_number(threshold, f"{what}.threshold", None)
    intercept_width = check_number(intercept_width, f"{what}.intercept_width", None, low=0,
                                   low_open=True)
    radius = check_number(radius, f"{what}.radius", None, low=0, low_open=True)
    config = Config(Ensemble)
    config[Ensemble].radius = radius
    config[Ensemble].intercepts = Exponential(intercept_width, threshold, radius)
    config[Ensemble].encoders = Choice([[1]])
    config[Ensemble].eval_points = Uniform(threshold / radius, 1)
    return config
