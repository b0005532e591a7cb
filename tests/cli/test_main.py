"""The entry point: --help everywhere, one-line settings and database errors, the CLI doc."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevention_lens.cli.main import app
from prevention_lens.cli.reference import render_cli_reference
from prevention_lens.settings import get_settings
from tests.cli.conftest import Lens

COMMANDS = [
    ["countries", "resolve"],
    ["countries", "list"],
    ["users", "add"],
    ["users", "list"],
    ["users", "set-role"],
    ["users", "disable"],
    ["users", "enable"],
    ["users", "set-password"],
    ["users", "token", "create"],
    ["users", "token", "list"],
    ["users", "token", "revoke"],
    ["data", "import"],
    ["data", "formats"],
    ["data", "imports"],
    ["data", "pull"],
    ["db", "upgrade"],
    ["db", "status"],
    ["serve"],
    ["risk", "framework"],
    ["risk", "assess"],
    ["risk", "assessments"],
    ["risk", "correct-indicator"],
    ["risk", "backtest"],
    ["risk", "forecast"],
    ["risk", "explain"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(lens: Lens, command: list[str]) -> None:
    result = lens(*command, "--help")
    assert result.code == 0 and "Usage:" in result.out


def test_serve_trusts_forwarded_headers_only_from_the_configured_proxies(
    lens: Lens, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[dict[str, object]] = []
    monkeypatch.setattr(
        "prevention_lens.cli.serve.uvicorn.run", lambda app, **options: started.append(options)
    )
    assert lens("serve").code == 0
    # Nothing is trusted by default: a client's own X-Forwarded-For is never believed.
    assert started[-1]["proxy_headers"] is False
    assert started[-1]["forwarded_allow_ips"] is None
    monkeypatch.setenv("LENS_FORWARDED_ALLOW_IPS", "10.0.0.0/8")
    get_settings.cache_clear()
    assert lens("serve", "--port", "8010").code == 0
    assert started[-1]["proxy_headers"] is True
    assert started[-1]["forwarded_allow_ips"] == "10.0.0.0/8" and started[-1]["port"] == 8010
    assert lens("serve", "--forwarded-allow-ips", "*").code == 0
    assert started[-1]["forwarded_allow_ips"] == "*"


def test_malformed_setting_is_one_line(lens: Lens, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LENS_PORT", "eighty")
    result = lens("db", "status")
    assert result.code == 2
    assert result.err.startswith("Error: LENS_PORT: Input should be a valid integer")
    assert "Traceback" not in result.err


def test_unreachable_database_is_one_line(lens: Lens, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LENS_DATABASE_URL", "postgresql+psycopg://lens:pw@127.0.0.1:1/lens")
    result = lens("countries", "list")
    assert result.code == 2
    assert result.err.startswith("Error: Cannot reach the database postgresql+psycopg://lens:***@")


def test_db_status_reports_the_embedded_store(lens: Lens) -> None:
    assert lens("db", "upgrade").code == 0
    status = lens("db", "status", "--json").json()
    assert isinstance(status, dict)
    assert status["backend"] == "sqlite" and status["up_to_date"] is True


def test_version(lens: Lens) -> None:
    result = lens("--version")
    assert result.code == 0 and result.out.startswith("prevention-lens ")


def test_cli_reference_in_docs_is_current() -> None:
    path = Path(__file__).parents[2] / "docs" / "cli.md"
    assert path.read_text() == render_cli_reference(app), (
        "run `make docs` to regenerate docs/cli.md"
    )
