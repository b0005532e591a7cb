"""The store: one database (SQLite file or PostgreSQL), its migrations and its access policy.

`Store` and `open_store` load SQLAlchemy on first use, not when any module of the package is
imported, so that a light module here costs a command's start nothing (issue 11, item 3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prevention_lens.store.engine import Store, open_store

__all__ = ["Store", "open_store"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from prevention_lens.store import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
