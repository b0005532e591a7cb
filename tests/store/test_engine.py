"""The store opens, migrates idempotently, enforces keys, and names an unreachable database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from prevention_lens.errors import StoreError
from prevention_lens.settings import Settings
from prevention_lens.store import Store, open_store
from prevention_lens.store.engine import alembic_config
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
    again = open_store(settings.replace(database_url=store.url))
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
        open_store(settings.replace(database_url=url))
    message = str(caught.value)
    assert message.startswith("Cannot reach the database postgresql+psycopg://lens:***@127.0.0.1:1")
    assert "secret" not in message
    assert "\n" not in message


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(StoreError, match="Unsupported database 'mysql'"):
        Store("mysql://localhost/lens")


def test_backtests_kept_before_0003_move_to_their_own_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0002")
    engine = sa.create_engine(url)
    kept = {"models": {"ensemble": {"auc": 0.84}}, "default_model": "ensemble"}
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO forecast_runs (model_name, model_params, panel_spec, data_sha256,"
                " code_version, origin_year, metrics, created_by, created_at) VALUES ('ensemble',"
                " '{}', 'ewp2025', :sha, '0.1.0', 2024, :metrics, 'ana', '2026-01-02 03:04:05')"
            ),
            {"sha": "b" * 64, "metrics": json.dumps({"backtest": kept})},
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        moved = connection.execute(sa.text("SELECT * FROM backtest_runs")).mappings().all()
    engine.dispose()
    assert len(moved) == 1
    assert moved[0]["default_model"] == "ensemble" and moved[0]["forecast_run_id"] == 1
    assert json.loads(moved[0]["models"]) == ["ensemble"] and moved[0]["created_by"] == "ana"
    assert json.loads(moved[0]["table"]) == kept
