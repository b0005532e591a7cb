"""What every command needs: the settings and the opened store, created once per run.

The store modules (SQLAlchemy, the models, the access policy) are imported when a command first
asks for them, so that `lens --version` and `--help` start at once (issue 11, item 3).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from prevention_lens.settings import Settings, get_settings

if TYPE_CHECKING:
    from prevention_lens.store import Store
    from prevention_lens.store.access import Principal


def settings() -> Settings:
    return get_settings()


@lru_cache(maxsize=1)
def store() -> Store:
    from prevention_lens.store import open_store

    return open_store(settings())


def close_store() -> None:
    """Close the store's connections if a command opened it (the next `store()` opens it anew)."""
    if store.cache_info().currsize:
        store().dispose()
        store.cache_clear()


def operator() -> Principal:
    """The person at the terminal: they hold the store file, so they act as its admin."""
    from prevention_lens.store.access import LOCAL_OPERATOR

    return LOCAL_OPERATOR


def describe_store() -> str:
    """Which store the commands use and why, for messages about empty results: "the store at
    /path/lens.db (default: this checkout's .lens folder)"."""
    from prevention_lens.store.engine import describe_url, sqlite_file

    current = settings()
    url = current.store_url
    file = sqlite_file(url)
    where = str(file) if file is not None else describe_url(url)
    chosen = current.origin("database_url" if current.database_url else "home")
    return f"the store at {where} ({chosen})"
