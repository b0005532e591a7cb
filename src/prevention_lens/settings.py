"""One declared table of settings, read from LENS_* environment variables and a .env file.

Every setting is typed and validated when the program starts; a bad value is one clear line.
`Settings` is a frozen dataclass whose fields declare the table (type, default, limits, further
checks, description); this module reads and checks the values itself, so that no `lens` command
pays at start for pydantic (45–70 ms) or pydantic-settings (a tenth of a second; issue 11, item 3).
The messages keep pydantic's wording, which docs/settings.md quotes.

Public API: `Settings` (`replace`, `origin`, `given`, `store_url`, `native_threads`,
`hash_threads`, `require_sources`, `signing_key`), `SettingField` and `FIELDS` (the table),
`load_settings`, `get_settings`, `configured_values`, `source_checkout`, `per_user_home`,
`default_sources`, `free_cores`, `ENV_FILE`, `ENV_PREFIX`.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Literal, get_args, get_origin, get_type_hints

from dotenv import dotenv_values

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


# --- reading one value: a LENS_* string, or a value the program gives -----------------------

# Digits with single underscores between them, and a zero fraction ("8000.0"); ASCII only.
_INTEGER = re.compile(r"[+-]?[0-9]+(?:_[0-9]+)*(?:\.0+)?")


def _integer(value: object) -> int:
    if isinstance(value, int):  # bool too: True is 1
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("Input should be a finite number")
        if not value.is_integer():
            raise ValueError("Input should be a valid integer, got a number with a fractional part")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER.fullmatch(text) and len(text) <= 4300:  # int()'s limit on digits
            return int(text.partition(".")[0])
        raise ValueError("Input should be a valid integer, unable to parse string as an integer")
    raise ValueError("Input should be a valid integer")


def _number(value: object) -> float:
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:
            raise ValueError("Input should be a valid number") from None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii():  # float() would read other scripts' digits too
            try:
                return float(text)  # also inf and nan, which the limits then refuse
            except ValueError:
                pass
        raise ValueError("Input should be a valid number, unable to parse string as a number")
    raise ValueError("Input should be a valid number")


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    raise ValueError("Input should be a valid string")


def _path(value: object) -> Path:
    if isinstance(value, Path):
        return value
    if isinstance(value, str):
        return Path(value)  # "" is the working folder, as it always was
    raise ValueError(f"Input is not a valid path for {Path!r}")


_READERS: dict[type, Callable[[object], object]] = {
    int: _integer,
    float: _number,
    str: _text,
    Path: _path,
}

Check = Callable[[Any, Mapping[str, object]], Any]
"""A further rule: (value, the settings before it that are valid) → value, or ValueError."""


@dataclass(frozen=True)
class SettingField:
    """One row of the settings table: what `load_settings` checks and docs/settings.md documents."""

    name: str
    kind: type  # int, float, str or Path: what a LENS_* string is read as
    description: str
    default: object = None  # unless `factory` makes the default when it is needed
    factory: Callable[[], object] | None = None
    optional: bool = False  # None (no value) is allowed
    choices: tuple[str, ...] = ()  # when not empty, the only values allowed
    ge: int | float | None = None
    gt: int | float | None = None
    le: int | float | None = None
    check: Check | None = None

    @property
    def variable(self) -> str:
        """The environment variable: LENS_ and the name in capitals."""
        return ENV_PREFIX + self.name.upper()

    def default_value(self) -> object:
        """The default, made now when a factory makes it (it may depend on the folders)."""
        return self.factory() if self.factory is not None else self.default

    def read(self, value: object, earlier: Mapping[str, object]) -> object:
        """`value` as this setting, checked; ValueError in the words pydantic used."""
        if value is None and self.optional:
            checked: object = None
        elif self.choices:
            if not (isinstance(value, str) and value in self.choices):
                raise ValueError(f"Input should be {_either(self.choices)}")
            checked = value
        else:
            checked = _READERS[self.kind](value)
            if isinstance(checked, int | float):
                _within(checked, self)
        return self.check(checked, earlier) if self.check is not None else checked


def _either(choices: tuple[str, ...]) -> str:
    quoted = [repr(choice) for choice in choices]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _within(number: float, limits: SettingField) -> None:
    # The order pydantic checks them in; `not <=` also refuses nan.
    if limits.le is not None and not number <= limits.le:
        raise ValueError(f"Input should be less than or equal to {limits.le}")
    if limits.ge is not None and not number >= limits.ge:
        raise ValueError(f"Input should be greater than or equal to {limits.ge}")
    if limits.gt is not None and not number > limits.gt:
        raise ValueError(f"Input should be greater than {limits.gt}")


def _setting(
    description: str,
    default: object = None,
    *,
    factory: Callable[[], object] | None = None,
    ge: int | None = None,
    gt: int | None = None,
    le: int | None = None,
    check: Check | None = None,
) -> Any:
    """Declare a field of `Settings`; `FIELDS` reads its type from the annotation."""
    rule = {"description": description, "ge": ge, "gt": gt, "le": le, "check": check}
    if factory is not None:
        return field(default_factory=factory, metadata=rule)
    return field(default=default, metadata=rule)


# --- the further checks ----------------------------------------------------------------------


def _known_database(value: str | None, _earlier: Mapping[str, object]) -> str | None:
    if not value:  # None or empty: not set
        return None
    if not value.startswith(("sqlite", "postgresql")):
        raise ValueError("must start with sqlite:// or postgresql+psycopg://")
    return value


def _long_enough(value: str | None, _earlier: Mapping[str, object]) -> str | None:
    if not value:  # None or empty: not set
        return None
    if len(value) < 32:
        raise ValueError(f"must be at least 32 characters, got {len(value)}")
    return value


def _existing_folder(value: Path | None, _earlier: Mapping[str, object]) -> Path | None:
    if value is not None and not value.is_dir():
        raise ValueError(f"folder {str(value)!r} does not exist")
    return value


def _more_than(other: str) -> Check:
    """The rule that a setting exceed the setting `other` (when that one is valid)."""

    def check(value: int, earlier: Mapping[str, object]) -> int:
        below = earlier.get(other)
        if isinstance(below, int) and value <= below:
            raise ValueError(f"must be greater than {ENV_PREFIX}{other.upper()} ({below})")
        return value

    return check


@dataclass(frozen=True, init=False)
class Settings:
    """The settings table. Field descriptions are the documentation (docs/settings.md).

    `Settings(**values)` checks the values it is given (a setting's name → a value of its type
    or a LENS_* string; other names are ignored) and fills in the defaults, raising
    SettingsError with one part per bad value; it reads no variable: `load_settings` does.
    """

    home: Path = _setting(  # noqa: RUF009 (it returns a dataclasses.field)
        "Folder for the embedded SQLite store, the secret key file and uploads "
        "(default: .lens in the checkout when running from one, else the per-user folder).",
        factory=_default_home,
    )
    database_url: str | None = _setting(
        "SQLAlchemy URL of the store. Empty: a SQLite file lens.db in LENS_HOME. "
        "For PostgreSQL: postgresql+psycopg://user:password@host:5432/dbname.",
        check=_known_database,
    )
    sources: Path | None = _setting(  # noqa: RUF009 (it returns a dataclasses.field)
        "Folder of source data files that `lens data import` reads "
        "(default: ../shared/data beside the checkout, when present).",
        factory=default_sources,
        check=_existing_folder,
    )
    secret_key: str | None = _setting(
        "Key that signs CSRF tokens; at least 32 characters. Empty: a random key is created "
        "once in LENS_HOME/secret_key.",
        check=_long_enough,
    )
    host: str = _setting("Address `lens serve` listens on.", "127.0.0.1")
    port: int = _setting("Port `lens serve` listens on.", 8000, ge=1, le=65535)
    workers: int = _setting("Web worker processes for `lens serve`.", 1, ge=1, le=64)
    session_hours: int = _setting("Hours a web login session stays valid.", 12, ge=1, le=24 * 30)
    cookie_secure: Literal["auto", "always", "never"] = _setting(
        "Mark login cookies Secure: auto = when the request came over HTTPS "
        "(directly or through a proxy's X-Forwarded-Proto), always, or never.",
        "auto",
    )
    log_level: Literal["debug", "info", "warning", "error"] = _setting(
        "Logging level of the web server.", "info"
    )
    forwarded_allow_ips: str = _setting(
        "Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto headers `lens serve` "
        "trusts: comma-separated addresses or networks, or * for any. Empty (the default): "
        "nobody's, so no client can fake its address; behind a proxy, set it to the proxy's "
        "address or every client shares the proxy's address for rate limits.",
        "",
    )
    login_free_failures: int = _setting(
        "Wrong logins to one account before each further try must wait.",
        5,
        ge=1,
        le=1_000_000,
    )
    login_delay_seconds: float = _setting(
        "Wait after the first throttled wrong login; it doubles with each further one.",
        1.0,
        gt=0,
        le=3600,
    )
    login_max_delay_seconds: float = _setting(
        "Longest wait between wrong logins before the lockout.", 60.0, gt=0, le=86_400
    )
    login_lockout_failures: int = _setting(
        "Wrong logins to one account that lock it for LENS_LOGIN_LOCKOUT_MINUTES.",
        20,
        ge=2,
        le=1_000_000,
        check=_more_than("login_free_failures"),
    )
    login_lockout_minutes: int = _setting(
        "How long a locked account refuses logins.", 15, ge=1, le=24 * 60
    )
    login_client_free_failures: int = _setting(
        "Wrong logins from one client address (any accounts) before it must wait; higher "
        "than the per-account figure because offices share an address.",
        20,
        ge=1,
        le=1_000_000,
    )
    login_client_lockout_failures: int = _setting(
        "Wrong logins from one client address that lock it out.",
        100,
        ge=2,
        le=1_000_000,
        check=_more_than("login_client_free_failures"),
    )
    login_forget_minutes: int = _setting(
        "Wrong logins older than this (and past any lockout) are forgotten.",
        60,
        ge=1,
        le=7 * 24 * 60,
    )
    login_hash_threads: int = _setting(
        "Password checks that may run at once per worker; 0: half the CPU cores (at least "
        "1), so a flood of logins leaves the rest of the app a core.",
        0,
        ge=0,
        le=64,
    )
    login_refusal_pause_seconds: float = _setting(
        "Pause before answering a refused (429) login, without holding a thread, so a client "
        "that retries in a tight loop gets at most about one answer per pause.",
        1.0,
        ge=0,
        le=10,
    )
    threads: int = _setting(
        "Threads the numerical libraries (OpenMP, BLAS) of one `lens` command may use; 0: "
        "the cores free when it starts (CPU cores less the 1-minute load, at least 1).",
        0,
        ge=0,
        le=256,
    )
    login_code_minutes: int = _setting(
        "How long the second step of a two-factor login stays open after the password.",
        5,
        ge=1,
        le=60,
    )
    # The settings given rather than defaulted (pydantic's `model_fields_set`), for `origin`.
    _given: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def __init__(self, **values: object) -> None:
        self._fill(values, frozenset(values).intersection(_NAMES))

    def _fill(self, values: Mapping[str, object], given: frozenset[str]) -> None:
        valid: dict[str, object] = {}
        problems = []
        for setting in FIELDS:
            value = values[setting.name] if setting.name in values else setting.default_value()
            try:
                valid[setting.name] = setting.read(value, valid)
            except ValueError as error:
                problems.append(f"{setting.variable}: {error} (got {value!r})")
        if problems:
            raise SettingsError("; ".join(problems))
        for name, value in valid.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_given", given)

    def replace(self, **changes: object) -> Settings:
        """A copy with `changes` (setting name → value), checked as `load_settings` checks;
        the changed settings count as given by the program (see `origin`)."""
        unknown = sorted(set(changes) - set(_NAMES))
        if unknown:
            raise TypeError(f"no such setting: {', '.join(unknown)}")
        values = {name: getattr(self, name) for name in _NAMES}
        copy = object.__new__(Settings)
        copy._fill({**values, **changes}, self._given | changes.keys())
        return copy

    @property
    def given(self) -> frozenset[str]:
        """The names of the settings given (by a variable, .env or the program), not defaulted."""
        return self._given

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
        variable = f"{ENV_PREFIX}{name.upper()}"
        # `configured_values` reads LENS_* case-insensitively and the environment over .env.
        if variable in {key.upper() for key in os.environ}:
            return f"{variable} environment variable"
        env_file = Path(ENV_FILE)
        if env_file.is_file() and variable in {key.upper() for key in dotenv_values(env_file)}:
            return f"{variable} in {env_file.resolve()}"
        if name in self._given:
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
            import secrets  # only here: it costs every command's start a few milliseconds

            self.home.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip().encode()


def _table() -> tuple[SettingField, ...]:
    types = get_type_hints(Settings)
    rows = []
    for item in fields(Settings):
        if "description" not in item.metadata:
            continue  # `_given`
        kind, optional = types[item.name], False
        if isinstance(kind, UnionType) and NoneType in get_args(kind):
            (kind,) = (part for part in get_args(kind) if part is not NoneType)
            optional = True
        choices: tuple[str, ...] = ()
        if get_origin(kind) is Literal:
            kind, choices = str, get_args(kind)
        if kind not in _READERS:
            raise TypeError(f"setting {item.name}: no reader for {kind!r}")
        has_factory = callable(item.default_factory)
        rows.append(
            SettingField(
                name=item.name,
                kind=kind,
                description=item.metadata["description"],
                default=None if has_factory else item.default,
                factory=item.default_factory if has_factory else None,  # type: ignore[arg-type]
                optional=optional,
                choices=choices,
                ge=item.metadata["ge"],
                gt=item.metadata["gt"],
                le=item.metadata["le"],
                check=item.metadata["check"],
            )
        )
    return tuple(rows)


FIELDS: tuple[SettingField, ...] = _table()
"""The settings table, in the order the settings are checked (and documented)."""
_NAMES = tuple(setting.name for setting in FIELDS)


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
    return {name: found[prefix + name] for name in _NAMES if prefix + name in found}


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings (`overrides` over the LENS_* variables over the defaults);
    raise SettingsError with one `LENS_NAME: message (got value)` part per bad value."""
    return Settings(**{**configured_values(), **overrides})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
