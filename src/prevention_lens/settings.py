"""One declared table of settings, read from LENS_* environment variables and a .env file.

Every setting is typed and validated when the program starts; a bad value is one clear line.
The table is a plain pydantic model and `load_settings` reads the variables itself: the
pydantic-settings package cost every `lens` command a tenth of a second to load (issue 11, item 3).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from prevention_lens.errors import SettingsError

_PACKAGE_FILE = Path(__file__).resolve()
_SOURCE_TREE_ROOT = _PACKAGE_FILE.parents[2]
ENV_FILE = ".env"
ENV_PREFIX = "LENS_"


def source_checkout() -> Path | None:
    """The checkout this package runs from, or None when it is installed.

    A checkout holds the package in src/ beside pyproject.toml (an editable install, as `make`
    does, or PYTHONPATH=src); a wheel puts it in site-packages, where no pyproject.toml sits
    two levels up.
    """
    package = _PACKAGE_FILE.parent
    root = package.parents[1]
    if package.parent.name == "src" and (root / "pyproject.toml").is_file():
        return root
    return None


def per_user_home() -> Path:
    """The per-user data folder: $XDG_DATA_HOME/prevention-lens or ~/.local/share/…."""
    data = os.environ.get("XDG_DATA_HOME", "")
    base = Path(data) if data and Path(data).is_absolute() else Path.home() / ".local" / "share"
    return base / "prevention-lens"


def _default_home() -> Path:
    # One store per checkout: `make demo` fills <checkout>/.lens, and every `lens` command run
    # from that checkout's venv reads the same store without any setting, from any folder.
    checkout = source_checkout()
    return checkout / ".lens" if checkout is not None else per_user_home()


def default_sources() -> Path | None:
    """The shared data folder beside the checkout (../shared/data), when it exists."""
    for base in (Path.cwd(), _SOURCE_TREE_ROOT):
        candidate = (base.parent / "shared" / "data").resolve()
        if candidate.is_dir():
            return candidate
    return None


def free_cores() -> int:
    """The cores this process may use less the machine's 1-minute load, at least 1.

    OpenMP and BLAS start one thread per core whatever else runs; on a busy machine that
    oversubscribes the cores and a minute's work takes a quarter of an hour (issue 11, item 2).
    """
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    usable = usable or 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # no load figure on this system
        return usable
    return max(1, min(usable, round(usable - load)))


class Settings(BaseModel):
    """The settings table. Field descriptions are the documentation (docs/settings.md).

    `load_settings` fills it from LENS_<FIELD> variables; constructing it directly reads none.
    """

    model_config = ConfigDict(extra="ignore", validate_default=True)

    home: Path = Field(
        default_factory=_default_home,
        description=(
            "Folder for the embedded SQLite store, the secret key file and uploads "
            "(default: .lens in the checkout when running from one, else the per-user folder)."
        ),
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the store. Empty: a SQLite file lens.db in LENS_HOME. "
            "For PostgreSQL: postgresql+psycopg://user:password@host:5432/dbname."
        ),
    )
    sources: Path | None = Field(
        default_factory=default_sources,
        description=(
            "Folder of source data files that `lens data import` reads "
            "(default: ../shared/data beside the checkout, when present)."
        ),
    )
    secret_key: str | None = Field(
        default=None,
        description=(
            "Key that signs CSRF tokens; at least 32 characters. Empty: a random key is created "
            "once in LENS_HOME/secret_key."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address `lens serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `lens serve` listens on.")
    workers: int = Field(
        default=1, ge=1, le=64, description="Web worker processes for `lens serve`."
    )
    session_hours: int = Field(
        default=12, ge=1, le=24 * 30, description="Hours a web login session stays valid."
    )
    cookie_secure: Literal["auto", "always", "never"] = Field(
        default="auto",
        description=(
            "Mark login cookies Secure: auto = when the request came over HTTPS "
            "(directly or through a proxy's X-Forwarded-Proto), always, or never."
        ),
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="Logging level of the web server."
    )
    forwarded_allow_ips: str = Field(
        default="",
        description=(
            "Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto headers `lens serve` "
            "trusts: comma-separated addresses or networks, or * for any. Empty (the default): "
            "nobody's, so no client can fake its address; behind a proxy, set it to the proxy's "
            "address or every client shares the proxy's address for rate limits."
        ),
    )
    login_free_failures: int = Field(
        default=5,
        ge=1,
        le=1_000_000,
        description="Wrong logins to one account before each further try must wait.",
    )
    login_delay_seconds: float = Field(
        default=1.0,
        gt=0,
        le=3600,
        description=(
            "Wait after the first throttled wrong login; it doubles with each further one."
        ),
    )
    login_max_delay_seconds: float = Field(
        default=60.0,
        gt=0,
        le=86_400,
        description="Longest wait between wrong logins before the lockout.",
    )
    login_lockout_failures: int = Field(
        default=20,
        ge=2,
        le=1_000_000,
        description="Wrong logins to one account that lock it for LENS_LOGIN_LOCKOUT_MINUTES.",
    )
    login_lockout_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="How long a locked account refuses logins."
    )
    login_client_free_failures: int = Field(
        default=20,
        ge=1,
        le=1_000_000,
        description=(
            "Wrong logins from one client address (any accounts) before it must wait; higher "
            "than the per-account figure because offices share an address."
        ),
    )
    login_client_lockout_failures: int = Field(
        default=100,
        ge=2,
        le=1_000_000,
        description="Wrong logins from one client address that lock it out.",
    )
    login_forget_minutes: int = Field(
        default=60,
        ge=1,
        le=7 * 24 * 60,
        description="Wrong logins older than this (and past any lockout) are forgotten.",
    )
    login_hash_threads: int = Field(
        default=0,
        ge=0,
        le=64,
        description=(
            "Password checks that may run at once per worker; 0: half the CPU cores (at least "
            "1), so a flood of logins leaves the rest of the app a core."
        ),
    )
    login_refusal_pause_seconds: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description=(
            "Pause before answering a refused (429) login, without holding a thread, so a client "
            "that retries in a tight loop gets at most about one answer per pause."
        ),
    )
    threads: int = Field(
        default=0,
        ge=0,
        le=256,
        description=(
            "Threads the numerical libraries (OpenMP, BLAS) of one `lens` command may use; 0: "
            "the cores free when it starts (CPU cores less the 1-minute load, at least 1)."
        ),
    )
    login_code_minutes: int = Field(
        default=5,
        ge=1,
        le=60,
        description="How long the second step of a two-factor login stays open after the password.",
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if len(value) < 32:
            raise ValueError(f"must be at least 32 characters, got {len(value)}")
        return value

    @field_validator("login_lockout_failures")
    @classmethod
    def _lockout_after_free(cls, value: int, info: ValidationInfo) -> int:
        free = info.data.get("login_free_failures")
        if free is not None and value <= free:
            raise ValueError(f"must be greater than LENS_LOGIN_FREE_FAILURES ({free})")
        return value

    @field_validator("login_client_lockout_failures")
    @classmethod
    def _client_lockout_after_free(cls, value: int, info: ValidationInfo) -> int:
        free = info.data.get("login_client_free_failures")
        if free is not None and value <= free:
            raise ValueError(f"must be greater than LENS_LOGIN_CLIENT_FREE_FAILURES ({free})")
        return value

    @field_validator("sources")
    @classmethod
    def _existing_folder(cls, value: Path | None) -> Path | None:
        if value is not None and str(value) != "" and not value.is_dir():
            raise ValueError(f"folder {str(value)!r} does not exist")
        return value

    @property
    def native_threads(self) -> int:
        """LENS_THREADS in force: the setting, or the cores free now (see `free_cores`)."""
        return self.threads or free_cores()

    @property
    def hash_threads(self) -> int:
        """LENS_LOGIN_HASH_THREADS in force: the setting, or half the CPU cores (at least 1)."""
        return self.login_hash_threads or max(1, (os.cpu_count() or 2) // 2)

    @property
    def store_url(self) -> str:
        """The database URL in force: LENS_DATABASE_URL or the SQLite file in LENS_HOME."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'lens.db'}"

    def origin(self, name: str) -> str:
        """Where the value of setting `name` came from, for `lens db status` and messages."""
        variable = f"LENS_{name.upper()}"
        # `configured_values` reads LENS_* case-insensitively and the environment over .env.
        if variable in {key.upper() for key in os.environ}:
            return f"{variable} environment variable"
        env_file = Path(ENV_FILE)
        if env_file.is_file() and variable in {key.upper() for key in dotenv_values(env_file)}:
            return f"{variable} in {env_file.resolve()}"
        if name in self.model_fields_set:
            return "given by the program"
        if name == "home":
            if source_checkout() is not None:
                return "default: this checkout's .lens folder"
            return "default: the per-user folder"
        if name == "database_url":
            return "default: the SQLite file in LENS_HOME"
        return "default"

    def require_sources(self) -> Path:
        """The sources folder, or a clear error when none is configured."""
        if self.sources is None:
            raise SettingsError(
                "LENS_SOURCES is not set and ../shared/data was not found: "
                "point LENS_SOURCES at the folder of source files."
            )
        return self.sources

    def signing_key(self) -> bytes:
        """LENS_SECRET_KEY, or the key kept in LENS_HOME/secret_key (created once)."""
        if self.secret_key:
            return self.secret_key.encode()
        path = self.home / "secret_key"
        if not path.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip().encode()


def _by_lowercase_name(variables: Mapping[str, str | None]) -> dict[str, str]:
    # A variable without a value (a bare `LENS_PORT` line in .env) counts as unset.
    return {name.lower(): value for name, value in variables.items() if value is not None}


def configured_values() -> dict[str, str]:
    """The settings given as LENS_<FIELD> variables, by field name: the environment's over
    those of the .env file in the working folder, names in any case (`lens_port` too)."""
    env_file = Path(ENV_FILE)
    found = (
        _by_lowercase_name(dotenv_values(env_file, encoding="utf-8")) if env_file.is_file() else {}
    )
    found.update(_by_lowercase_name(os.environ))
    prefix = ENV_PREFIX.lower()
    return {name: found[prefix + name] for name in Settings.model_fields if prefix + name in found}


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings (`overrides` over the LENS_* variables over the defaults);
    raise SettingsError with one line per bad value."""
    try:
        return Settings.model_validate({**configured_values(), **overrides})
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = "LENS_" + "_".join(str(part) for part in item["loc"]).upper()
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}: {message} (got {item.get('input')!r})")
        raise SettingsError("; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
