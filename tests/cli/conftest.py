"""Running the real `lens` entry point in-process against a temp home."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from prevention_lens.cli import context
from prevention_lens.cli.main import main
from prevention_lens.settings import get_settings, load_settings
from prevention_lens.store import open_store


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


Lens = Callable[..., Result]


@pytest.fixture
def lens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Lens:
    monkeypatch.setenv("LENS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("LENS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    context.store.cache_clear()

    def run(*args: str, stdin: str | None = None) -> Result:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", _Stdin(stdin))
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    yield run  # type: ignore[misc]
    context.store.cache_clear()
    get_settings.cache_clear()


class _Stdin:
    def __init__(self, text: str) -> None:
        self._lines = text.splitlines(keepends=True)

    def readline(self) -> str:
        return self._lines.pop(0) if self._lines else ""

    def isatty(self) -> bool:
        return False


SECRET = "test-secret-key-that-is-long-enough-0123456789"


@dataclass
class Outcome:
    """What one command of a group, run through typer's CliRunner, gave: the exit code, what it
    printed, and the exception it raised (None for a plain exit)."""

    code: int
    out: str
    err: str
    error: BaseException | None

    def json(self) -> dict[str, object]:
        payload = json.loads(self.out)
        assert isinstance(payload, dict)
        return payload


def seeded_store(home: Path, seed: Callable[[Session], object]) -> Path:
    """A migrated SQLite store in ``home``, filled by ``seed``: built once per module and copied
    for each test, since loading the shipped content takes a second or more."""
    store = open_store(load_settings(home=home, database_url=None, secret_key=SECRET))
    with store.session() as session:
        seed(session)
    store.dispose()
    return home / "lens.db"


def group_runner(
    app: typer.Typer, store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Outcome]]:
    """Run one command group's app on a copy of ``store_file`` (for `yield from` in fixtures)."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(store_file, home / "lens.db")
    monkeypatch.setenv("LENS_HOME", str(home))
    monkeypatch.setenv("LENS_SECRET_KEY", SECRET)
    monkeypatch.delenv("LENS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    context.store.cache_clear()
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> Outcome:
        result = runner.invoke(app, list(args), input=stdin)
        error = None if isinstance(result.exception, SystemExit) else result.exception
        return Outcome(result.exit_code, result.stdout, result.stderr, error)

    yield run
    context.store.cache_clear()
    get_settings.cache_clear()
