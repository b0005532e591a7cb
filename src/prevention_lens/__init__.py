"""Prevention Lens: early warning, documentation, mapping and advice for atrocity prevention.

The package is layered (see docs/architecture.md): sources → store → domain → briefs → interfaces.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("prevention-lens")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
