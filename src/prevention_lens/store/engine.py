"""Opening the store: engine set-up (WAL and foreign keys on SQLite), migrations, sessions.

The same code path serves the embedded SQLite file and a PostgreSQL server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from prevention_lens.errors import StoreError
from prevention_lens.settings import Settings, get_settings

if TYPE_CHECKING:
    from alembic.config import Config

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


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite store (None for PostgreSQL, in-memory or a malformed URL)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


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


_REVISION_LINE = re.compile(
    r"""^(revision|down_revision)\b[^=\n]*=\s*(?:"([^"\n]*)"|'([^'\n]*)'|(None))\s*$""", re.M
)


@lru_cache(maxsize=1)
def declared_head() -> str | None:
    """The latest migration, read from the `revision = "…"` and `down_revision = "…"` lines of
    the migration files without loading Alembic; None when any file declares them otherwise
    (a merge, say) or there is not exactly one head: Alembic then decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = {
            match[1]: match[2] or match[3] or None
            for match in _REVISION_LINE.finditer(path.read_text(encoding="utf-8"))
        }
        if found.get("revision") is None or "down_revision" not in found:
            return None
        revisions.add(str(found["revision"]))
        if found["down_revision"] is not None:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def alembic_config(url: str) -> Config:
    # Alembic is imported only where a migration is looked at: it takes longer to load than
    # a whole command that reads the store should (issue 11, item 3).
    from alembic.config import Config

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
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str | None:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(alembic_config(self.url)).get_current_head()

    def _stored_revision(self) -> str | None:
        """The revision in alembic_version by plain SQL (None: no table, none or several)."""
        with self.engine.connect() as connection:
            try:
                rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            except SQLAlchemyError:
                return None
        return str(rows[0][0]) if len(rows) == 1 else None

    def migrate(self) -> None:
        """Bring the schema to the latest migration (idempotent)."""
        self.check_connection()
        # The usual case, a store already current, without loading Alembic (a quarter of a
        # second, more than the rest of a command that reads the store).
        head = declared_head()
        if head is not None and self._stored_revision() == head:
            return
        if self.current_revision() == self.head_revision():
            return
        from alembic import command

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
