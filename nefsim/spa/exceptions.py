"""Errors raised by nefsim's Semantic Pointer Architecture layer (``nefsim.spa``).

They mirror the names nengo_spa users catch (``SpaParseError``, ``SpaTypeError``, ...)
and derive from :class:`nefsim.exceptions.NefsimError` and the matching builtins, so
``except ValueError`` and ``except nefsim.exceptions.NefsimError`` both keep working.
"""

from ..exceptions import NefsimError


class SpaException(NefsimError):
    """Base class of every SPA-specific error."""


class SpaParseError(SpaException, ValueError):
    """A Semantic Pointer expression could not be parsed or evaluated safely."""


class SpaTypeError(SpaException, TypeError, ValueError):
    """Semantic Pointers that cannot be combined (other vocabulary, algebra or size)."""


class SpaConstructionError(SpaException, ValueError):
    """An SPA network or module cannot be constructed as requested."""


class SpaKeyError(SpaException, KeyError):
    """A strict vocabulary has no Semantic Pointer of the requested name."""

    def __str__(self):  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""
