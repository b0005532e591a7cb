"""The store opens, migrates idempotently, enforces keys, and names an unreachable database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from prevention_lens.errors import StoreError
from prevention_lens.settings import Settings
from prevention_lens.store import Store, open_store
from prevention_lens.store.models import Country, CountryAlias


def test_migrated_store_is_at_head_with_the_country_reference(store: Store) -> None:
    assert store.current_revision() == store.head_revision()
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Country)) > 200
        myanmar = session.scalar(select(Country).where(Country.key == "MMR"))
        assert myanmar is not None and myanmar.cow == 775


def test_migrating_twice_changes_nothing(store: Store, settings: Settings) -> None:
    with store.session() as session:
        before = session.scalar(select(func.count()).select_from(CountryAlias))
    again = open_store(settings.model_copy(update={"database_url": store.url}))
    with again.session() as session:
        assert session.scalar(select(func.count()).select_from(CountryAlias)) == before
    again.dispose()


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(IntegrityError), store.session() as session:
        session.add(CountryAlias(country_id=999_999, alias="Nowhere", normalized="nowhere"))
        session.flush()


def test_a_failed_unit_of_work_writes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session() as session:
        country = session.scalar(select(Country).where(Country.key == "MMR"))
        assert country is not None
        session.add(CountryAlias(country_id=country.id, alias="Test land", normalized="test land"))
        session.flush()
        raise RuntimeError("boom")
    with store.session() as session:
        found = session.scalar(select(CountryAlias).where(CountryAlias.alias == "Test land"))
        assert found is None


def test_sqlite_store_uses_wal(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_unreachable_database_is_one_clear_error(settings: Settings) -> None:
    url = "postgresql+psycopg://lens:secret@127.0.0.1:1/nothing"
    with pytest.raises(StoreError) as caught:
        open_store(settings.model_copy(update={"database_url": url}))
    message = str(caught.value)
    assert message.startswith("Cannot reach the database postgresql+psycopg://lens:***@127.0.0.1:1")
    assert "secret" not in message
    assert "\n" not in message


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(StoreError, match="Unsupported database 'mysql'"):
        Store("mysql://localhost/lens")
