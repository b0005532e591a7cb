"""Checks of the database itself for `lens db check`: reachable, at the latest migration and
matching the models, its pages sound (SQLite) or its indexes valid (PostgreSQL), no row pointing
to a row that is gone.

Public API::

    check_store(url) -> StoreCheck
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, and_, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from prevention_lens.errors import StoreError
from prevention_lens.store.engine import Store
from prevention_lens.store.models import Base
from prevention_lens.store.models.whatworks import FULLTEXT_INDEX, FULLTEXT_TABLE

# Rows named one by one per broken foreign key; beyond this a count says how many more.
MAX_ROWS_NAMED = 20


@dataclass(frozen=True)
class StoreProblem:
    check: str  # connection | schema | integrity | foreign-key | index | constraint
    message: str


@dataclass
class StoreCheck:
    """What was found. ``store`` is open when the database is reachable and at the latest
    migration, so that checks of its contents can read it; the caller disposes of it."""

    problems: list[StoreProblem] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    store: Store | None = None
    backend: str | None = None
    revision: str | None = None


def _absent_sqlite_file(url: str) -> Path | None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # Store() names a malformed URL
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path


def check_store(url: str) -> StoreCheck:
    """Check the database at ``url`` without creating or migrating anything."""
    result = StoreCheck()
    absent = _absent_sqlite_file(url)
    if absent is not None:
        message = f"there is no store at {absent}: run `lens db upgrade` to create it"
        result.problems.append(StoreProblem("connection", message))
        return result
    try:
        store = Store(url)
        store.check_connection()
    except StoreError as error:
        result.problems.append(StoreProblem("connection", str(error)))
        return result
    result.checks.append("connection")
    result.backend = store.backend
    try:
        at_head = _check_schema(store, result)
        with store.engine.connect() as connection:
            if store.backend == "sqlite":
                _check_sqlite(connection, result)
            else:
                _check_postgresql(connection, result)
            if at_head:
                _check_drift(connection, result)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        result.problems.append(StoreProblem("integrity", f"the database cannot be read: {reason}"))
        at_head = False
    if at_head:
        result.store = store
    else:
        store.dispose()
    return result


def _check_schema(store: Store, result: StoreCheck) -> bool:
    result.checks.append("schema")
    current, head = store.current_revision(), store.head_revision()
    result.revision = current
    if current is None:
        message = "the database has no schema: run `lens db upgrade`"
    elif current != head:
        message = (
            f"the schema is at revision {current}; the latest is {head}: run `lens db upgrade`"
        )
    else:
        return True
    result.problems.append(StoreProblem("schema", message))
    return False


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _check_sqlite(connection: Connection, result: StoreCheck) -> None:
    result.checks += ["integrity_check", "foreign_key_check"]
    for (report,) in connection.exec_driver_sql("PRAGMA integrity_check"):
        for line in str(report).splitlines():
            if line != "ok" and not line.startswith("*** in database"):
                result.problems.append(StoreProblem("integrity", f"SQLite: {line}"))
    broken: dict[tuple[str, int], list[int]] = {}
    for table, rowid, _parent, key_id in connection.exec_driver_sql("PRAGMA foreign_key_check"):
        broken.setdefault((table, key_id), []).append(rowid)
    for (table, key_id), rowids in broken.items():
        keys = connection.exec_driver_sql(f"PRAGMA foreign_key_list({_quoted(table)})").all()
        pairs = sorted((row[1], row[3], row[2]) for row in keys if row[0] == key_id)
        columns, parent = [pair[1] for pair in pairs], pairs[0][2]
        listed = ", ".join(_quoted(column) for column in columns)
        # The names come from SQLite's own schema, quoted; the row is a bound parameter.
        query = f"SELECT {listed} FROM {_quoted(table)} WHERE rowid = ?"  # noqa: S608
        for rowid in rowids[:MAX_ROWS_NAMED]:
            values = connection.exec_driver_sql(query, (rowid,)).one()
            _orphan(result, table, rowid, columns, tuple(values), parent)
        _more(result, table, columns, parent, len(rowids))


def _orphan(
    result: StoreCheck,
    table: str,
    row: object,
    columns: list[str],
    values: tuple[Any, ...],
    parent: str,
) -> None:
    named = ", ".join(f"{column} {value}" for column, value in zip(columns, values, strict=True))
    message = f"{table} row {row}: {named} points to no row of {parent}"
    result.problems.append(StoreProblem("foreign-key", message))


def _more(result: StoreCheck, table: str, columns: list[str], parent: str, count: int) -> None:
    if count > MAX_ROWS_NAMED:
        message = (
            f"{table}: {count - MAX_ROWS_NAMED} more rows whose {', '.join(columns)} "
            f"point to no row of {parent}"
        )
        result.problems.append(StoreProblem("foreign-key", message))


def _check_postgresql(connection: Connection, result: StoreCheck) -> None:
    """PostgreSQL enforces keys and checks pages itself; what can still be wrong is rows
    loaded with the key triggers off, indexes left invalid by a failed build, constraints
    added NOT VALID, and (with the amcheck extension) index pages that disagree with their
    tables."""
    result.checks += ["foreign keys", "indexes", "constraints"]
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_key_constraints:
            parent = key.referred_table.alias("parent")
            columns = list(key.columns)
            referred = [parent.c[element.column.name] for element in key.elements]
            joined = table.outerjoin(
                parent, and_(*(p == c for p, c in zip(referred, columns, strict=True)))
            )
            missing = and_(*(column.is_not(None) for column in columns), referred[0].is_(None))
            primary = list(table.primary_key.columns)
            rows = connection.execute(
                select(*primary, *columns).select_from(joined).where(missing).order_by(*primary)
            ).all()
            names = [column.name for column in columns]
            width = len(primary)
            for row in rows[:MAX_ROWS_NAMED]:
                label = row[0] if width == 1 else tuple(row[:width])
                values = tuple(row[width:])
                _orphan(result, table.name, label, names, values, key.referred_table.name)
            _more(result, table.name, names, key.referred_table.name, len(rows))
    invalid = connection.execute(
        text(
            "SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE NOT i.indisvalid AND c.relnamespace = current_schema()::regnamespace"
        )
    )
    for index, table_name in invalid:
        message = f"index {index} on {table_name} is invalid: rebuild it with REINDEX"
        result.problems.append(StoreProblem("index", message))
    unchecked = connection.execute(
        text(
            "SELECT conname, conrelid::regclass::text FROM pg_constraint"
            " WHERE NOT convalidated AND connamespace = current_schema()::regnamespace"
        )
    )
    for name, table_name in unchecked:
        message = (
            f"constraint {name} on {table_name} was never validated: existing rows may break it"
        )
        result.problems.append(StoreProblem("constraint", message))
    _check_amcheck(connection, result)


def _check_amcheck(connection: Connection, result: StoreCheck) -> None:
    installed = connection.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'"))
    if not installed:
        return  # it needs a superuser to install; the checks above still ran
    result.checks.append("amcheck")
    indexes = connection.execute(
        text(
            "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' AND i.indisvalid"
            " AND c.relnamespace = current_schema()::regnamespace ORDER BY c.relname"
        )
    ).all()
    for oid, name in indexes:
        try:
            with connection.begin_nested():
                connection.execute(text("SELECT bt_index_check(:oid)"), {"oid": oid})
        except SQLAlchemyError as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            result.problems.append(StoreProblem("index", f"index {name}: {reason}"))


def _check_drift(connection: Connection, result: StoreCheck) -> None:
    """The tables as they stand against the models: a change made by hand shows here."""
    result.checks.append("schema drift")
    context = MigrationContext.configure(connection, opts={"include_name": _mapped_name})
    for difference in compare_metadata(context, Base.metadata):
        result.problems.append(StoreProblem("schema", _describe(difference)))


def _mapped_name(name: str | None, kind: str, _parent: Mapping[str, str | None]) -> bool:
    """Leave the evidence library's full-text index out: backend-specific, made by migration."""
    if name is None:
        return True
    if kind == "table":
        return not name.startswith(FULLTEXT_TABLE)
    return not (kind == "index" and name == FULLTEXT_INDEX)


def _describe(difference: Any) -> str:
    if isinstance(difference, list):  # modify_* come as a list of column changes
        return "; ".join(_describe_change(change) for change in difference)
    operation, *rest = difference
    if operation in ("add_column", "remove_column"):
        _schema, table, column = rest
        subject = f"{table}.{column.name}"
    elif operation in ("add_table", "remove_table"):
        subject = f"table {rest[0].name}"
    elif operation in ("add_index", "remove_index"):
        subject = f"index {rest[0].name} on {rest[0].table.name}"
    elif operation in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        subject = f"constraint {rest[0].name} on {rest[0].table.name}"
    else:
        return f"the database differs from the models: {difference!r}"
    if operation.startswith("add"):
        return f"{subject} is missing from the database"
    return f"{subject} is in the database but not in the models"


def _describe_change(change: Any) -> str:
    operation, _schema, table, column, _options, in_database, in_models = change
    what = operation.removeprefix("modify_")
    return f"{table}.{column}: {what} is {in_database} in the database, {in_models} in the models"
