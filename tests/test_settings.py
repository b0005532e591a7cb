"""Settings: read from LENS_* and .env, validated with one clear line per bad value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from prevention_lens import settings as settings_module
from prevention_lens.errors import SettingsError
from prevention_lens.settings import Settings, load_settings


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
    for name, field in Settings.model_fields.items():
        assert f"LENS_{name.upper()}" in docs, f"LENS_{name.upper()} is not in docs/settings.md"
        assert field.description, f"{name} has no description"


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
    assert {
        "port",
        "host",
    } <= settings.model_fields_set and "workers" not in settings.model_fields_set
    # What the program passes wins over both.
    assert load_settings(port=8200).port == 8200


def test_only_load_settings_reads_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LENS_PORT", "9001")
    assert settings_module.configured_values()["port"] == "9001"
    assert Settings().port == 8000
    assert load_settings().port == 9001


def test_settings_load_without_pydantic_settings() -> None:
    # pydantic-settings took a tenth of a second of every command's start (issue 11, item 3).
    probe = (
        "import sys; from prevention_lens.settings import get_settings; get_settings(); "
        "print('pydantic_settings' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"
