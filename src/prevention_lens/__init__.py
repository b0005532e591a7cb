"""Prevention Lens: early warning, documentation, mapping and advice for atrocity prevention.

The package is layered (see docs/architecture.md): sources → store → domain → application
(ingest/, briefs/) → interfaces (cli/, web/).
"""

from __future__ import annotations

from functools import cache

__all__ = ["__version__"]


@cache
def _installed_version() -> str:
    # importlib.metadata loads the email package and scans the installed distributions: done
    # on first use, not by every `lens` start (issue 11, item 3).
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("prevention-lens")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+source"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _installed_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
