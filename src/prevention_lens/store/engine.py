"""Opening the store: engine set-up (WAL and foreign keys on SQLite), migrations, sessions.

The same code path serves the embedded SQLite file and a PostgreSQL server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from prevention_lens.errors import StoreError
from prevention_lens.settings import Settings, get_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def describe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<malformed database URL>"


def create_store_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StoreError(f"LENS_DATABASE_URL is not a database URL: {error}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    raise StoreError(
        f"Unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql."
    )


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class Store:
    """A migrated database and a session factory over it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_store_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def check_connection(self) -> None:
        try:
            with self.engine.connect():
                pass
        except OperationalError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            raise StoreError(
                f"Cannot reach the database {describe_url(self.url)}: {reason}"
            ) from None

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(alembic_config(self.url)).get_current_head()

    def migrate(self) -> None:
        """Bring the schema to the latest migration (idempotent)."""
        self.check_connection()
        if self.current_revision() == self.head_revision():
            return
        try:
            with self.engine.begin() as connection:
                config = alembic_config(self.url)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except SQLAlchemyError as error:
            raise StoreError(f"Migrating {describe_url(self.url)} failed: {error}") from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back whole on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(settings: Settings | None = None, *, migrate: bool = True) -> Store:
    """Open the configured store, migrated to the latest schema and with the country reference."""
    from prevention_lens.store.reference import sync_country_reference

    settings = settings or get_settings()
    store = Store(settings.store_url)
    if migrate:
        store.migrate()
        with store.session() as session:
            sync_country_reference(session)
    else:
        store.check_connection()
    return store
