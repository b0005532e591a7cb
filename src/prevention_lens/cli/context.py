"""What every command needs: the settings and the opened store, created once per run."""

from __future__ import annotations

from functools import lru_cache

from prevention_lens.settings import Settings, get_settings
from prevention_lens.store import Store, open_store
from prevention_lens.store.access import LOCAL_OPERATOR, Principal


def settings() -> Settings:
    return get_settings()


@lru_cache(maxsize=1)
def store() -> Store:
    return open_store(settings())


def operator() -> Principal:
    """The person at the terminal: they hold the store file, so they act as its admin."""
    return LOCAL_OPERATOR
