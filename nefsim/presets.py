"""Configuration presets under Nengo's ``nengo.presets`` names."""

from .networks.presets import ThresholdingEnsembles

__all__ = ["ThresholdingEnsembles"]
