"""Settings: read from LENS_* and .env, validated with one clear line per bad value."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from prevention_lens import settings as settings_module
from prevention_lens.errors import SettingsError
from prevention_lens.settings import FIELDS, Settings, load_settings


def test_defaults_put_the_sqlite_store_in_home(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path)
    assert settings.store_url == f"sqlite:///{tmp_path / 'lens.db'}"
    assert settings.port == 8000 and settings.host == "127.0.0.1"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LENS_HOME", str(tmp_path))
    monkeypatch.setenv("LENS_PORT", "9001")
    monkeypatch.setenv("LENS_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/lens")
    settings = load_settings()
    assert settings.home == tmp_path and settings.port == 9001
    assert settings.store_url == "postgresql+psycopg://u@127.0.0.1/lens"


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("LENS_PORT=8123\n")
    assert load_settings().port == 8123


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("LENS_PORT", "eighty", "LENS_PORT: Input should be a valid integer"),
        ("LENS_PORT", "70000", "LENS_PORT: Input should be less than or equal to 65535"),
        ("LENS_DATABASE_URL", "mysql://x", "LENS_DATABASE_URL: must start with sqlite://"),
        ("LENS_SECRET_KEY", "short", "LENS_SECRET_KEY: must be at least 32 characters, got 5"),
        ("LENS_SOURCES", "/no/such/folder", "LENS_SOURCES: folder '/no/such/folder' does not"),
        ("LENS_LOG_LEVEL", "loud", "LENS_LOG_LEVEL: Input should be 'debug'"),
    ],
)
def test_bad_values_give_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)


def test_secret_key_is_created_once_and_kept(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path)
    first = settings.signing_key()
    assert len(first) >= 32
    assert load_settings(home=tmp_path).signing_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_every_setting_is_documented() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "settings.md").read_text()
    # The table's rows: | `LENS_NAME` | type, default | what it does |
    rows = dict(re.findall(r"^\| `(LENS_\w+)` \| ([^|]*) \|", docs, re.MULTILINE))
    # Every field of Settings (but its private record of what was given) is in the table.
    declared = [field.name for field in fields(Settings) if field.name != "_given"]
    assert [field.name for field in FIELDS] == declared
    for field in FIELDS:
        assert field.description, f"{field.name} has no description"
        cell = rows.get(field.variable)
        assert cell is not None, f"{field.variable} is not in the table of docs/settings.md"
        # What the docs say of the type, the limits and the default is what is checked.
        if field.choices:
            assert cell.startswith(", ".join(field.choices) + ";"), field.variable
        if field.ge is not None and field.le is not None and field.check is None:
            assert cell.startswith(f"{field.ge}–{field.le}"), field.variable
        if field.factory is None and field.default in (None, ""):
            assert cell.endswith("empty"), field.variable
        elif isinstance(field.default, int | float):
            assert cell.endswith(f"`{field.default:g}`"), field.variable
        elif field.factory is None:
            assert cell.endswith(f"`{field.default}`"), field.variable


def test_forwarded_headers_are_trusted_from_nobody_by_default(tmp_path: Path) -> None:
    assert load_settings(home=tmp_path).forwarded_allow_ips == ""


def test_login_throttle_has_sane_defaults(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path)
    assert 1 <= settings.login_free_failures < settings.login_lockout_failures
    assert settings.login_client_free_failures >= settings.login_free_failures
    assert settings.login_lockout_minutes >= 1 and settings.login_delay_seconds > 0


def test_lockout_must_come_after_the_free_failures(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="LENS_LOGIN_LOCKOUT_FAILURES: must be greater"):
        load_settings(home=tmp_path, login_free_failures=10, login_lockout_failures=5)


def test_a_source_checkout_keeps_its_store_in_its_own_lens_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # `make demo` fills <checkout>/.lens; the README's commands, run from anywhere, must read
    # that same store rather than an empty per-user one.
    monkeypatch.delenv("LENS_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    checkout = Path(__file__).resolve().parents[1]
    assert settings_module.source_checkout() == checkout
    settings = load_settings()
    assert settings.home == checkout / ".lens"
    assert settings.origin("home") == "default: this checkout's .lens folder"


def test_an_installed_package_keeps_its_store_in_the_per_user_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    installed = tmp_path / "site-packages" / "prevention_lens" / "settings.py"
    monkeypatch.setattr(settings_module, "_PACKAGE_FILE", installed)
    monkeypatch.delenv("LENS_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    assert settings_module.source_checkout() is None
    settings = load_settings()
    assert settings.home == tmp_path / "data" / "prevention-lens"
    assert settings.origin("home") == "default: the per-user folder"


def test_origin_names_the_environment_variable_or_the_dotenv_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("LENS_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"LENS_HOME={tmp_path / 'from-file'}\n")
    settings = load_settings()
    assert settings.home == tmp_path / "from-file"
    assert settings.origin("home") == f"LENS_HOME in {tmp_path / '.env'}"
    monkeypatch.setenv("LENS_HOME", str(tmp_path / "from-env"))
    settings = load_settings()
    assert settings.home == tmp_path / "from-env"
    assert settings.origin("home") == "LENS_HOME environment variable"
    assert settings.origin("database_url") == "default: the SQLite file in LENS_HOME"


def test_variables_are_read_in_any_case_and_over_the_dotenv_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("LENS_PORT", "LENS_WORKERS", "LENS_HOST"):
        monkeypatch.delenv(name, raising=False)
    # A bare name in .env sets nothing; names match in any case, as LENS_* always did.
    (tmp_path / ".env").write_text("lens_port=8124\nLENS_WORKERS\nLENS_HOST=0.0.0.0\nOTHER=1\n")
    monkeypatch.setenv("Lens_Host", "10.0.0.1")
    settings = load_settings()
    assert settings.port == 8124 and settings.workers == 1 and settings.host == "10.0.0.1"
    assert {"port", "host"} <= settings.given and "workers" not in settings.given
    # What the program passes wins over both.
    assert load_settings(port=8200).port == 8200


def test_only_load_settings_reads_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LENS_PORT", "9001")
    assert settings_module.configured_values()["port"] == "9001"
    assert Settings().port == 8000
    assert load_settings().port == 9001


def test_settings_load_without_pydantic() -> None:
    # pydantic-settings took a tenth of a second of every command's start, pydantic itself
    # 45-70 ms more (issue 11, item 3).
    probe = (
        "import sys; from prevention_lens.settings import get_settings; get_settings(); "
        "print(sorted({'pydantic', 'pydantic_settings', 'pydantic_core'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("LENS_PORT", " 8001 ", 8001),  # spaces around a number are dropped
        ("LENS_PORT", "8_002", 8002),
        ("LENS_PORT", "8003.0", 8003),
        ("LENS_LOGIN_DELAY_SECONDS", "2.5", 2.5),
        ("LENS_LOGIN_DELAY_SECONDS", "1e2", 100.0),
        ("LENS_LOGIN_REFUSAL_PAUSE_SECONDS", "0", 0.0),
        ("LENS_DATABASE_URL", "", None),  # empty: the SQLite file in LENS_HOME
        ("LENS_SECRET_KEY", "", None),  # empty: the key file in LENS_HOME
        ("LENS_HOST", " 0.0.0.0", " 0.0.0.0"),  # text is taken as it is
        ("LENS_COOKIE_SECURE", "never", "never"),
        ("LENS_FORWARDED_ALLOW_IPS", "*", "*"),
    ],
)
def test_values_are_read_as_their_type(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, expected: object
) -> None:
    monkeypatch.setenv(variable, value)
    read = getattr(load_settings(home=tmp_path), variable.removeprefix("LENS_").lower())
    assert read == expected and type(read) is type(expected)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("LENS_PORT", "8000.5", "Input should be a valid integer, unable to parse string as an"),
        ("LENS_PORT", "", "Input should be a valid integer, unable to parse string as an"),
        ("LENS_PORT", "٨٠", "Input should be a valid integer, unable to parse string as an"),
        ("LENS_PORT", "0", "Input should be greater than or equal to 1 (got '0')"),
        ("LENS_LOGIN_DELAY_SECONDS", "x", "Input should be a valid number, unable to parse"),
        ("LENS_LOGIN_DELAY_SECONDS", "0", "Input should be greater than 0 (got '0')"),
        ("LENS_LOGIN_DELAY_SECONDS", "nan", "Input should be less than or equal to 3600"),
        ("LENS_LOGIN_DELAY_SECONDS", "inf", "Input should be less than or equal to 3600"),
        ("LENS_COOKIE_SECURE", "Always", "Input should be 'auto', 'always' or 'never'"),
        ("LENS_LOGIN_LOCKOUT_FAILURES", "1", "Input should be greater than or equal to 2"),
    ],
)
def test_values_that_are_not_of_their_type_are_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(home=tmp_path)
    assert str(caught.value).startswith(f"{variable}: {expected}")


def test_every_bad_value_is_one_part_in_the_order_of_the_table(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LENS_LOG_LEVEL", "loud")
    monkeypatch.setenv("LENS_PORT", "x")
    monkeypatch.setenv("LENS_DATABASE_URL", "mysql://x")
    # A bad LENS_LOGIN_FREE_FAILURES is reported once, not again in the rule that uses it.
    monkeypatch.setenv("LENS_LOGIN_FREE_FAILURES", "many")
    monkeypatch.setenv("LENS_LOGIN_LOCKOUT_FAILURES", "3")
    with pytest.raises(SettingsError) as caught:
        load_settings(home=tmp_path)
    assert str(caught.value).split("; ") == [
        "LENS_DATABASE_URL: must start with sqlite:// or postgresql+psycopg:// (got 'mysql://x')",
        "LENS_PORT: Input should be a valid integer, unable to parse string as an integer "
        "(got 'x')",
        "LENS_LOG_LEVEL: Input should be 'debug', 'info', 'warning' or 'error' (got 'loud')",
        "LENS_LOGIN_FREE_FAILURES: Input should be a valid integer, unable to parse string as an "
        "integer (got 'many')",
    ]


def test_values_the_program_gives_are_checked_too(tmp_path: Path) -> None:
    assert load_settings(home=str(tmp_path), port=8100.0, login_delay_seconds=3).port == 8100
    with pytest.raises(SettingsError) as caught:
        load_settings(home=tmp_path, port=8100.5, host=None)
    assert str(caught.value) == (
        "LENS_HOST: Input should be a valid string (got None); "
        "LENS_PORT: Input should be a valid integer, got a number with a fractional part "
        "(got 8100.5)"
    )
    with pytest.raises(SettingsError, match="LENS_PORT: Input should be less than or equal"):
        Settings(port=70000)


def test_replace_checks_the_changes_and_counts_them_as_given(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path)
    changed = settings.replace(port="8300", database_url="")
    assert changed.port == 8300 and changed.database_url is None
    assert changed.home == settings.home and changed.sources == settings.sources
    assert changed.given == {"home", "port", "database_url"}
    assert changed.origin("port") == "given by the program"
    assert settings.port == 8000 and settings.origin("port") == "default"  # a copy
    with pytest.raises(SettingsError, match="LENS_LOGIN_LOCKOUT_FAILURES: must be greater"):
        settings.replace(login_free_failures=30)
    with pytest.raises(TypeError, match="no such setting: prot"):
        settings.replace(prot=8300)


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path)
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]
