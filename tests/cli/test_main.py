"""The entry point: --help everywhere, one-line settings and database errors, the CLI doc."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prevention_lens.cli import context
from prevention_lens.cli.main import THREAD_VARIABLES, app, cap_native_threads
from prevention_lens.cli.reference import render_cli_reference
from prevention_lens.settings import free_cores, get_settings
from prevention_lens.store.engine import declared_head
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
    monkeypatch.setattr("uvicorn.run", lambda app, **options: started.append(options))
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


# Libraries that take seconds to load; a command that needs one imports it inside itself.
HEAVY = ("sklearn", "scipy", "pandas", "igraph")


def test_importing_the_entry_point_loads_no_heavy_library() -> None:
    # A fresh interpreter: this test process has long since loaded everything.
    probe = (
        "import json, sys, prevention_lens.cli.main; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = json.loads(done.stdout)
    assert loaded == [], (
        f"`import prevention_lens.cli.main` loads {sorted({m.split('.')[0] for m in loaded})}"
    )


def test_native_thread_pools_are_capped_to_the_free_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    # A busy 2-core machine: OpenMP would start 2 threads per process and oversubscribe it.
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr("os.getloadavg", lambda: (1.2, 1.0, 1.0))
    monkeypatch.delenv("LENS_THREADS", raising=False)
    for variable in THREAD_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")  # the user's own choice stands
    get_settings.cache_clear()
    try:
        assert cap_native_threads() == 1
        assert os.environ["OMP_NUM_THREADS"] == "1" and os.environ["MKL_NUM_THREADS"] == "1"
        assert os.environ["OPENBLAS_NUM_THREADS"] == "2"
        monkeypatch.setenv("LENS_THREADS", "3")
        monkeypatch.delenv("OMP_NUM_THREADS")
        get_settings.cache_clear()
        assert cap_native_threads() == 3 and os.environ["OMP_NUM_THREADS"] == "3"
        monkeypatch.setenv("LENS_THREADS", "many")
        get_settings.cache_clear()
        assert cap_native_threads() is None
    finally:
        get_settings.cache_clear()


def test_an_idle_machine_gets_every_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr("os.getloadavg", lambda: (0.1, 0.1, 0.1))
    assert free_cores() == 4
    monkeypatch.setattr("os.getloadavg", lambda: (9.0, 9.0, 9.0))
    assert free_cores() == 1


def test_a_command_on_a_current_store_does_not_load_alembic(lens: Lens) -> None:
    # Alembic takes a quarter of a second to load: a store already at the latest migration is
    # recognised from the migration files' revision lines and one plain query.
    assert lens("db", "upgrade").code == 0
    assert declared_head() == context.store().head_revision()
    probe = (
        "import sys; from prevention_lens.cli.main import main; "
        "code = main(['countries', 'resolve', 'Burma', '--json']); "
        "print(code, 'alembic' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.splitlines()[-1] == "0 False"
