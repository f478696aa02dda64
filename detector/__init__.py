"""detector: find cellular base stations and handset activity with an RTL-SDR, flag cross-border signals.

See ``DESIGN.md`` in the project's shared notes for the layout and the public contracts.
"""

from ._version import __version__

__all__ = ["__version__"]
