"""The store: one database (SQLite file or PostgreSQL), its migrations and its access policy."""

from prevention_lens.store.engine import Store, open_store

__all__ = ["Store", "open_store"]
