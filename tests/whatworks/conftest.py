"""Fixtures for the evidence library: a store holding the shipped real entries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from prevention_lens.store import Store
from prevention_lens.whatworks.packaged import load_packaged


@pytest.fixture
def library(store: Store) -> Iterator[Store]:
    """A store (SQLite and PostgreSQL) with the shipped entries loaded."""
    with store.session() as session:
        load_packaged(session)
    yield store


@pytest.fixture
def sqlite_library(sqlite_store: Store) -> Iterator[Store]:
    with sqlite_store.session() as session:
        load_packaged(session)
    yield sqlite_store
