"""`check_store` names what is wrong with the database itself: unreachable or absent, schema
behind the migrations or drifted from the models, damaged pages, rows that point nowhere."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from prevention_lens.store import Store
from prevention_lens.store.engine import alembic_config
from prevention_lens.store.integrity import StoreProblem, check_store
from prevention_lens.store.models import IncidentSource


def _problems(url: str) -> list[StoreProblem]:
    checked = check_store(url)
    if checked.store is not None:
        checked.store.dispose()
    return checked.problems


def test_a_sound_store_has_no_problems(store: Store) -> None:
    checked = check_store(store.url)
    assert checked.problems == []
    assert checked.store is not None and checked.revision == store.head_revision()
    checked.store.dispose()


def test_a_schema_behind_the_migrations_is_named(store: Store) -> None:
    config = alembic_config(store.url)
    head = ScriptDirectory.from_config(config).get_current_head()
    previous = ScriptDirectory.from_config(config).get_revision(head).down_revision
    assert isinstance(previous, str)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection  # the store's own, so none is left open
        command.stamp(config, previous)
    checked = check_store(store.url)
    assert [(p.check, p.message) for p in checked.problems] == [
        (
            "schema",
            f"the schema is at revision {previous}; the latest is {head}: run `lens db upgrade`",
        )
    ]
    assert checked.store is None  # the other checks would read tables that may not exist


def _orphan_source(store: Store) -> None:
    row = {
        "incident_id": 999_999,
        "url": "",
        "publisher": "",
        "own_confidentiality": 0,
        "added_by": "mallory",
        "added_at": datetime(2024, 1, 1, tzinfo=UTC),
    }
    table = IncidentSource.__table__
    if store.backend == "sqlite":
        with store.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.execute(sa.insert(table).values(row))
            connection.commit()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    else:
        with store.engine.begin() as connection:
            # Skips the triggers that enforce foreign keys, as a restore with them off would.
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            connection.execute(sa.insert(table).values(row))


def test_a_row_pointing_nowhere_is_named(store: Store) -> None:
    _orphan_source(store)
    problems = _problems(store.url)
    assert [(p.check, p.message) for p in problems] == [
        (
            "foreign-key",
            "incident_sources row 1: incident_id 999999 points to no row of incidents",
        )
    ]


def test_a_column_added_behind_the_migrations_is_named(store: Store) -> None:
    with store.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE incident_sources ADD COLUMN note TEXT")
    problems = _problems(store.url)
    assert [(p.check, p.message) for p in problems] == [
        ("schema", "incident_sources.note is in the database but not in the models")
    ]


def test_damaged_sqlite_pages_are_named(sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as connection:
        connection.exec_driver_sql("CREATE INDEX ix_scratch ON country_aliases (normalized, alias)")
    sqlite_store.dispose()
    # Dropping an index from the schema by hand leaves its pages in the file, used by nothing.
    database = sa.make_url(sqlite_store.url).database
    assert database is not None
    raw = sa.create_engine(sqlite_store.url)
    with raw.connect() as connection:
        connection.exec_driver_sql("PRAGMA writable_schema=ON")
        connection.exec_driver_sql("DELETE FROM sqlite_master WHERE name = 'ix_scratch'")
        connection.commit()
    raw.dispose()
    problems = _problems(sqlite_store.url)
    assert problems and {p.check for p in problems} == {"integrity"}
    assert all(p.message.startswith("SQLite: Page ") for p in problems)


def test_an_absent_sqlite_file_is_named_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "home" / "lens.db"
    assert [(p.check, p.message) for p in _problems(f"sqlite:///{path}")] == [
        ("connection", f"there is no store at {path}: run `lens db upgrade` to create it")
    ]
    assert not path.parent.exists()


def test_an_unreachable_server_is_one_line() -> None:
    problems = _problems("postgresql+psycopg://lens:secret@127.0.0.1:1/nothing")
    assert [p.check for p in problems] == ["connection"]
    assert problems[0].message.startswith("Cannot reach the database postgresql+psycopg://lens:***")
    assert "\n" not in problems[0].message


def test_postgresql_indexes_are_checked_with_amcheck_when_it_is_there(store: Store) -> None:
    if store.backend != "postgresql":
        pytest.skip("amcheck is a PostgreSQL extension")
    with store.engine.begin() as connection:
        available = connection.scalar(
            sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'amcheck'")
        )
        if not available:
            pytest.skip("this PostgreSQL has no amcheck")
        connection.exec_driver_sql("CREATE EXTENSION amcheck")
    checked = check_store(store.url)
    assert checked.problems == [] and "amcheck" in checked.checks
    assert checked.store is not None
    checked.store.dispose()
