"""Running the real `lens` entry point in-process against a temp home."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from prevention_lens.cli import context
from prevention_lens.cli.main import main
from prevention_lens.settings import get_settings


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
