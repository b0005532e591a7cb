"""Reading monitored posts from a CSV or JSON Lines file, each problem named by file, row and
field; the rules for each field are here too, so a post typed in meets the same ones.

One post a row (CSV, header first) or a line (JSONL, one JSON object a line): ``id``, ``time``
(ISO 8601 with a UTC offset or ``Z``), ``country`` (any name or code the country reference
accepts; resolved when loading), ``admin1``, ``place`` (exact place: confidential),
``language``, ``speaker_type`` (SPEAKER_TYPES), ``speaker`` (confidential), ``platform``,
``text``, and ``dataset`` (the feed the post belongs to; the file's name when absent).
``docs/speech-monitoring.md`` shows an example.

Public API::

    COLUMNS, REQUIRED, SPEAKER_TYPES, LIMITS, EXAMPLE_DATASET, FILE_FIELDS
    PostRow                                       # one valid row, with its row number
    read_speech_posts(path) -> (rows, problems)   # problems: every bad field of every row
    read_countries(path) -> [(row, country), ...] # every row's country, whatever else is wrong
    parse_time(value) -> datetime                 # aware, in UTC; naive times refused
    check_language(value) -> str, check_speaker_type(value) -> str,
    check_dataset(value) -> str, dataset_from_file(path) -> str
    check_text(value, field, limit, required=False) -> str
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from prevention_lens.csvsafe import csv_unquote
from prevention_lens.errors import ValidationError
from prevention_lens.sources.files import read_csv_rows

COLUMNS = (
    "id",
    "time",
    "country",
    "admin1",
    "place",
    "language",
    "speaker_type",
    "speaker",
    "platform",
    "text",
    "dataset",
)
REQUIRED = ("id", "time", "country", "language", "text")
# Who spoke, as the Dangerous Speech Project's "speaker" element asks: an influential speaker
# makes speech more dangerous. The person's identity goes in ``speaker`` (confidential).
SPEAKER_TYPES: dict[str, str] = {
    "politician": "Politician or candidate",
    "state_official": "State official (government, police, military)",
    "religious_leader": "Religious leader",
    "community_leader": "Community or traditional leader",
    "media": "Journalist or media outlet",
    "public_figure": "Other public figure or influencer",
    "armed_group": "Armed group or its spokesperson",
    "ordinary_user": "Ordinary user",
    "unknown": "Unknown",
}
# Longest value of each field, in characters (the store's columns, or a generous bound).
LIMITS = {
    "external_id": 128,
    "admin1": 120,
    "exact_place": 500,
    "language": 16,
    "speaker": 300,
    "platform": 64,
    "text": 20_000,
    "dataset": 48,
}
# The draft's field names as the file spells them, for messages that name the file's column.
FILE_FIELDS = {"external_id": "id", "posted_at": "time", "exact_place": "place"}
# The generated example feed's dataset: labelled as an example wherever it shows, and refused
# in imports so that real posts never join it.
EXAMPLE_DATASET = "example"
# A post may be dated up to a day ahead of this machine's clock (time zones, skewed clocks).
FUTURE_GRACE = timedelta(days=1)
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_DATASET = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_NOT_SLUG = re.compile(r"[^a-z0-9_-]+")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
_T = TypeVar("_T")


@dataclass(frozen=True)
class PostRow:
    """One valid post of a file: its row (CSV row, header = 1; JSONL line) and its values."""

    row: int
    dataset: str
    external_id: str
    posted_at: datetime
    country: str
    admin1: str | None
    exact_place: str
    language: str
    speaker_type: str
    speaker: str
    platform: str
    text: str


def check_text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    """The value as trimmed text, at most ``limit`` characters (and not empty if required)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"must be text, got {value!r}", field=field)
    text = value.strip()
    if required and not text:
        raise ValidationError("is required", field=field)
    if len(text) > limit:
        raise ValidationError(f"is {len(text)} characters long; at most {limit}", field=field)
    return text


def parse_time(value: object, field: str = "posted_at") -> datetime:
    """An ISO 8601 time with its UTC offset (``2024-03-05T14:20:00+06:30`` or ``...Z``), in
    UTC. A time without an offset is refused: the week it falls in would be a guess."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = check_text(value, field, 64, required=True)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                f"{text!r} is not an ISO 8601 time like 2024-03-05T14:20:00+06:30",
                field=field,
            ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(
            f"{moment.isoformat()!r} has no UTC offset; add one, e.g. "
            f"{moment.isoformat()}+00:00 or {moment.isoformat()}Z",
            field=field,
        )
    moment = moment.astimezone(UTC)
    if moment > datetime.now(UTC) + FUTURE_GRACE:
        raise ValidationError(f"{moment.isoformat()} is in the future", field=field)
    return moment


def check_language(value: object) -> str:
    """A language tag such as ``en``, ``my`` or ``pt-br`` (BCP 47 shape), lower case."""
    text = check_text(value, "language", LIMITS["language"], required=True).lower()
    if not _LANGUAGE.match(text):
        raise ValidationError(
            f"{text!r} is not a language code like en, fr, ar or my", field="language"
        )
    return text


def check_speaker_type(value: object) -> str:
    """One of SPEAKER_TYPES; empty means "unknown"."""
    text = check_text(value, "speaker_type", 64).lower() or "unknown"
    if text not in SPEAKER_TYPES:
        raise ValidationError(
            f"unknown speaker type {text!r}; choose from {', '.join(SPEAKER_TYPES)}",
            field="speaker_type",
        )
    return text


def check_dataset(value: object) -> str:
    """A dataset name: lower-case letters, digits, "-" and "_", at most 48 characters."""
    text = check_text(value, "dataset", LIMITS["dataset"], required=True)
    if not _DATASET.match(text):
        raise ValidationError(
            f"{text!r} is not a dataset name (lower-case letters, digits, '-' and '_')",
            field="dataset",
        )
    return text


def dataset_from_file(path: Path) -> str:
    """The dataset a file's posts join when it has no ``dataset`` column: its name, as a slug
    (``Posts March 2024.csv`` -> ``posts-march-2024``)."""
    slug = _NOT_SLUG.sub("-", path.stem.lower()).strip("-_")[: LIMITS["dataset"]]
    return slug or "posts"


class _Problems:
    """The problems of one row, each field checked whatever the others have wrong."""

    def __init__(self) -> None:
        self.found: list[ValidationError] = []

    def check(self, check: Callable[..., _T], *args: Any, **options: Any) -> _T | None:
        try:
            return check(*args, **options)
        except ValidationError as error:
            self.found.append(error)
            return None


def _post(row: int, cells: dict[str, Any], default_dataset: str) -> PostRow | list[ValidationError]:
    """The row as a post, or every problem its fields have (each naming its field only)."""
    problems = _Problems()
    dataset = problems.check(check_dataset, cells.get("dataset") or default_dataset)
    if dataset == EXAMPLE_DATASET:
        problems.found.append(
            ValidationError(
                f"dataset {EXAMPLE_DATASET!r} is kept for the generated example feed; name yours",
                field="dataset",
            )
        )
    external_id = cells.get("id")
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    values: dict[str, Any] = {
        "external_id": problems.check(
            check_text, external_id, "id", LIMITS["external_id"], required=True
        ),
        "posted_at": problems.check(parse_time, cells.get("time"), "time"),
        "country": problems.check(check_text, cells.get("country"), "country", 200, required=True),
        "admin1": problems.check(check_text, cells.get("admin1"), "admin1", LIMITS["admin1"]),
        "exact_place": problems.check(
            check_text, cells.get("place"), "place", LIMITS["exact_place"]
        ),
        "language": problems.check(check_language, cells.get("language")),
        "speaker_type": problems.check(check_speaker_type, cells.get("speaker_type")),
        "speaker": problems.check(check_text, cells.get("speaker"), "speaker", LIMITS["speaker"]),
        "platform": problems.check(
            check_text, cells.get("platform"), "platform", LIMITS["platform"]
        ),
        "text": problems.check(
            check_text, cells.get("text"), "text", LIMITS["text"], required=True
        ),
    }
    if problems.found:
        return problems.found
    values["admin1"] = values["admin1"] or None
    return PostRow(row=row, dataset=str(dataset), **values)


def _csv_cells(path: Path) -> Iterator[tuple[int, dict[str, Any] | ValidationError]]:
    rows = read_csv_rows(path, REQUIRED)
    while True:
        try:
            number, row = next(rows)
        except StopIteration:
            return
        except ValidationError as error:
            # A fault of the header is the file's; one of a row (too many cells, a quote never
            # closed) is reported with the rows before it, and ends the reading.
            if error.row is None or error.row <= 1:
                raise
            yield error.row, error
            return
        yield number, {name: csv_unquote(value) for name, value in row.items()}


def _jsonl_cells(path: Path) -> Iterator[tuple[int, dict[str, Any] | ValidationError]]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise ValidationError("is not UTF-8 text", file=path.name) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, ValidationError(f"is not JSON: {error.msg}", file=path.name, line=number)
            continue
        if not isinstance(value, dict):
            yield number, ValidationError("is not a JSON object", file=path.name, line=number)
            continue
        yield number, value


def _cells(path: Path) -> Iterator[tuple[int, dict[str, Any] | ValidationError]]:
    if not path.is_file():
        raise ValidationError("file does not exist", file=str(path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_cells(path)
    if suffix in JSONL_SUFFIXES:
        return _jsonl_cells(path)
    raise ValidationError(
        f"is neither CSV (.csv) nor JSON Lines ({', '.join(JSONL_SUFFIXES)})", file=path.name
    )


def read_countries(path: Path) -> list[tuple[int, str]]:
    """The country of every row (CSV) or line (JSONL) that gives one, whatever else the row has
    wrong: for the checks only the store can make, reported with the reader's problems."""
    countries = []
    for number, item in _cells(path):
        if isinstance(item, dict):
            country = item.get("country")
            if isinstance(country, str) and country.strip():
                countries.append((number, country.strip()))
    return countries


def read_speech_posts(path: Path) -> tuple[list[PostRow], list[ValidationError]]:
    """Every valid post of the file and every problem of the others: each bad field of each
    row (CSV) or line (JSONL). A file-level fault (missing columns, not UTF-8, unknown suffix)
    raises."""
    cells = _cells(path)
    lines = path.suffix.lower() in JSONL_SUFFIXES
    default_dataset = dataset_from_file(path)
    rows: list[PostRow] = []
    problems: list[ValidationError] = []
    first_row: dict[tuple[str, str], int] = {}

    def problem(number: int, error: ValidationError) -> ValidationError:
        if lines:
            return ValidationError(error.problem, file=path.name, line=number, field=error.field)
        return ValidationError(error.problem, file=path.name, row=number, field=error.field)

    for number, item in cells:
        if isinstance(item, ValidationError):
            problems.append(item)
            continue
        missing = [name for name in REQUIRED if name not in item] if lines else []
        if missing:
            # A JSON line without a key: one problem naming them all, not one "is required" each.
            problems.append(
                problem(number, ValidationError(f"has no {', '.join(missing)}", field=missing[0]))
            )
        post = _post(number, item, default_dataset)
        if isinstance(post, list):
            problems += [problem(number, error) for error in post if error.field not in missing]
            continue
        if missing:
            continue
        key = (post.dataset, post.external_id)
        if key in first_row:
            unit = "line" if lines else "row"
            problems.append(
                problem(
                    number,
                    ValidationError(
                        f"id {post.external_id!r} is also on {unit} {first_row[key]}", field="id"
                    ),
                )
            )
            continue
        first_row[key] = number
        rows.append(post)
    if not rows and not problems:
        raise ValidationError("has no posts", file=path.name)
    return rows, problems
