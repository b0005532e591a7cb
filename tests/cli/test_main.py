"""The entry point: --help everywhere, one-line settings and database errors, the CLI doc."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from prevention_lens.cli import context
from prevention_lens.cli.main import COMMANDS as COMMAND_TABLE
from prevention_lens.cli.main import THREAD_VARIABLES, app, cap_native_threads, finish
from prevention_lens.cli.reference import render_cli_reference
from prevention_lens.settings import free_cores, get_settings
from prevention_lens.store.engine import declared_head
from tests.cli.conftest import Lens


def every_command() -> list[list[str]]:
    """Every command of `lens`, walked from the app itself (so a new command cannot be left
    out), each as the words that run it."""
    import typer.main
    from typer._click.core import Context

    def walk(command: Any, words: list[str]) -> list[list[str]]:
        if not hasattr(command, "list_commands"):
            return [words]
        context = Context(command)
        found = []
        for name in command.list_commands(context):
            found.extend(walk(command.get_command(context, name), [*words, name]))
        return found

    return walk(typer.main.get_command(app), [])


COMMANDS = every_command()


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


def _loaded_after(code: str, home: Path) -> tuple[int, set[str]]:
    """Run `code` (which sets `code`) in a fresh interpreter; its result and the modules loaded."""
    probe = (
        "import json, sys; from prevention_lens.cli.main import main; "
        f"{code}; print(json.dumps([code, sorted(sys.modules)]))"
    )
    env = {**os.environ, "LENS_HOME": str(home)}
    env.pop("LENS_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    result, modules = json.loads(done.stdout.splitlines()[-1])
    return int(result), set(modules)


COMMAND_MODULES = {module for module, _ in COMMAND_TABLE.values()}


def test_a_command_loads_its_own_group_and_no_other(lens: Lens, tmp_path: Path) -> None:
    assert lens("db", "upgrade").code == 0
    code, loaded = _loaded_after(
        "code = main(['countries', 'resolve', 'Burma', '--json'])", tmp_path / "home"
    )
    assert code == 0
    assert COMMAND_MODULES & loaded == {"prevention_lens.cli.countries"}
    # Nor the libraries only other commands or other cases need: a name that resolves needs
    # no fuzzy matching, a current store no Alembic, the settings no pydantic-settings.
    heavy = {*HEAVY, "rapidfuzz", "alembic", "pydantic_settings", "fastapi", "uvicorn"}
    assert not {name.split(".")[0] for name in loaded} & heavy


def test_version_and_help_load_no_store(tmp_path: Path) -> None:
    code, loaded = _loaded_after("code = main(['--version'])", tmp_path)
    assert code == 0 and not COMMAND_MODULES & loaded
    assert not {"sqlalchemy", "rich"} & {name.split(".")[0] for name in loaded}
    code, loaded = _loaded_after("code = main(['countries', '--help'])", tmp_path)
    assert code == 0 and COMMAND_MODULES & loaded == {"prevention_lens.cli.countries"}
    assert "sqlalchemy" not in loaded


def test_help_lists_every_command_in_the_table_order(lens: Lens) -> None:
    result = lens("--help")
    lines = result.out.split("Commands:")[1].splitlines()
    # A command's line starts with its name; wrapped descriptions start with spaces only.
    listed = [line.split()[0] for line in lines if line[2:3].strip()]
    assert listed == list(COMMAND_TABLE)


def test_a_mistyped_command_is_refused_with_suggestions(lens: Lens) -> None:
    # The suggestions come from every command, although none was loaded before the typo.
    result = lens("countrie", "list")
    assert result.code == 2
    assert "No such command 'countrie'. Did you mean 'countries'?" in result.err
    assert "Did you mean" not in lens("zzzz").err


def test_finish_closes_the_store_and_exempts_the_heap_from_collection(
    lens: Lens, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert lens("countries", "resolve", "Burma").code == 0
    opened = context.store()
    assert opened.engine.pool.checkedin() == 1
    frozen: list[bool] = []
    # Recorded, not done: a frozen heap would stay uncollected for the rest of the tests.
    monkeypatch.setattr("gc.freeze", lambda: frozen.append(True))
    finish()
    assert frozen == [True]
    assert opened.engine.pool.checkedin() == 0 and context.store.cache_info().currsize == 0
    finish()  # nothing opened: nothing to close
    assert context.store.cache_info().currsize == 0


@pytest.mark.parametrize(("query", "code"), [("Burma", 0), ("Atlantis", 2)])
def test_the_entry_point_exits_with_the_command_code_and_its_whole_output(
    lens: Lens, tmp_path: Path, query: str, code: int
) -> None:
    assert lens("db", "upgrade").code == 0
    probe = (
        "import sys; from prevention_lens.cli.main import run; "
        f"sys.argv = ['lens', 'countries', 'resolve', {query!r}, '--json']; run()"
    )
    env = {**os.environ, "LENS_HOME": str(tmp_path / "home")}
    env.pop("LENS_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == code
    if code == 0:
        assert json.loads(done.stdout)["key"] == "MMR" and done.stderr == ""
    else:
        assert done.stderr.startswith("Error: Unknown country 'Atlantis'")


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
