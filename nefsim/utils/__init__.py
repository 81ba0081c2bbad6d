"""Helpers for analysing and plotting models, under Nengo's ``nengo.utils`` names."""

from . import ensemble, matplotlib

__all__ = ["ensemble", "matplotlib"]
