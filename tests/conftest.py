"""Shared fixtures: settings in a temp home, stores on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from prevention_lens.settings import Settings, load_settings
from prevention_lens.store import Store, open_store
from tests.pg_server import PostgresServer, start_postgres

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
IN_CI = os.environ.get("CI", "").lower() == "true"
_backend_counts: dict[str, int] = {}


def sources_folder() -> Path:
    """The real data folder, or a skip naming why it is missing."""
    configured = os.environ.get("LENS_SOURCES")
    folder = Path(configured) if configured else SHARED_DATA
    if not folder.is_dir():
        pytest.skip(f"real data folder {folder} is absent (set LENS_SOURCES to run this test)")
    return folder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        home=tmp_path / "home",
        database_url=None,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        sources=SHARED_DATA if SHARED_DATA.is_dir() else None,
    )


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | None]:
    try:
        server = start_postgres()
    except RuntimeError as error:
        if IN_CI:
            raise
        pytest.skip(f"PostgreSQL could not be started: {error}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Iterator[Store]:
    """A migrated store with the country reference, once on each backend."""
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres")
        url = server.create_database()
    else:
        url = f"sqlite:///{tmp_path / 'lens.db'}"
    _backend_counts[request.param] = _backend_counts.get(request.param, 0) + 1
    opened = open_store(settings.replace(database_url=url))
    yield opened
    opened.dispose()


@pytest.fixture
def sqlite_store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings)
    yield opened
    opened.dispose()


@pytest.fixture(scope="module", autouse=True)
def no_event_loop_left_running(request: pytest.FixtureRequest) -> None:
    """Each test file starts with no asyncio loop running in this thread.

    pytest-xdist gives a worker test files in any order, so a loop one file leaves running
    (Playwright's sync API keeps one while it is started) breaks `asyncio.run` in the next.
    """
    if asyncio._get_running_loop() is not None:
        pytest.fail(
            f"an asyncio loop is still running in this thread as {request.node.name} starts: "
            "a fixture of an earlier test file left it (a session-wide Playwright?)"
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    # Under pytest-xdist each worker counts its own tests; the controller adds them up.
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["backend_counts"] = dict(_backend_counts)


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: absent when it is not installed
def pytest_testnodedown(node: object, error: object) -> None:
    counts = getattr(node, "workeroutput", {}).get("backend_counts", {})
    for name, count in counts.items():
        _backend_counts[name] = _backend_counts.get(name, 0) + count


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _backend_counts:
        runs = ", ".join(
            f"{name}: {count} tests" for name, count in sorted(_backend_counts.items())
        )
        terminalreporter.write_line(f"store backends exercised: {runs}")
