"""The country reference: one packaged table of countries with their codes in every scheme.

Resolves names, aliases and COW, Gleditsch–Ward, ISO and V-Dem codes, historical states by date.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources

from prevention_lens.errors import UnknownCountryError, ValidationError

SCHEMES = ("cow", "gw", "iso3", "iso_numeric", "iso2", "vdem")
COLUMNS = (
    "key",
    "name",
    "iso2",
    "iso3",
    "iso_numeric",
    "cow",
    "gw",
    "vdem",
    "region",
    "subregion",
    "start_date",
    "end_date",
    "successor_key",
    "aliases",
)
ALIAS_SEPARATOR = "|"
TABLE_FILE = "countries.csv"

_NUMERIC_SCHEMES = frozenset({"cow", "gw", "iso_numeric", "vdem"})
# Apostrophes vanish rather than split words, so "Côte d’Ivoire" and "Cote dIvoire" agree.
_APOSTROPHES = str.maketrans("", "", "'’‘`´ʼ")
_NOT_WORD = re.compile(r"[\W_]+")
_SCHEME_PREFIX = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*:\s*(.+?)\s*$")
# Below this rapidfuzz WRatio a "suggestion" is noise rather than a likely typo.
_SUGGESTION_CUTOFF = 70.0
# A chain of successors longer than this would be a loop in a malformed table.
_MAX_SUCCESSION = 8


def normalize_name(text: str) -> str:
    """Casefolded, accent-free, punctuation-free form of a name, for matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = stripped.casefold().replace("&", " and ").translate(_APOSTROPHES)
    words = _NOT_WORD.sub(" ", folded).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class CountryRecord:
    """One row of the reference: a country, territory or historical state."""

    key: str
    name: str
    iso2: str | None
    iso3: str | None
    iso_numeric: int | None
    cow: int | None
    gw: int | None
    vdem: int | None
    region: str
    subregion: str
    start_date: date | None
    end_date: date | None
    successor_key: str | None
    aliases: tuple[str, ...] = field(default=())

    def existed_on(self, day: date) -> bool:
        """Whether the day falls within this row's dates (open ends are unbounded)."""
        return (self.start_date is None or self.start_date <= day) and (
            self.end_date is None or day <= self.end_date
        )

    def code(self, scheme: str) -> str | int | None:
        """This row's code in one of SCHEMES."""
        if scheme not in SCHEMES:
            raise _unknown_scheme(scheme)
        value: str | int | None = getattr(self, scheme)
        return value

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: dates as ISO strings, aliases as a list."""
        return {
            "key": self.key,
            "name": self.name,
            "iso2": self.iso2,
            "iso3": self.iso3,
            "iso_numeric": self.iso_numeric,
            "cow": self.cow,
            "gw": self.gw,
            "vdem": self.vdem,
            "region": self.region,
            "subregion": self.subregion,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "successor_key": self.successor_key,
            "aliases": list(self.aliases),
        }


def _days_outside(record: CountryRecord, day: date) -> int:
    if record.start_date is not None and day < record.start_date:
        return (record.start_date - day).days
    if record.end_date is not None and day > record.end_date:
        return (day - record.end_date).days
    return 0


def _unknown_scheme(scheme: str) -> ValidationError:
    return ValidationError(f"unknown scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")


def _describe(records: Iterable[CountryRecord]) -> str:
    return " and ".join(f"{record.name} ({record.key})" for record in records)


class CountryReference:
    """Looks countries up by key, by code in any scheme, or by name, alias and date.

    Several rows may share a code or a name when their dates do not overlap (Yugoslavia and
    Serbia share COW 345). A date picks the row that existed then; without one, the row that
    exists today wins, else the most recent. A code asked for after its state ended resolves to
    the state's successor when that existed on the day (UCDP keeps GW 345 for Serbia).
    """

    def __init__(
        self, records: Iterable[CountryRecord], extra_aliases: Iterable[tuple[str, str]] = ()
    ) -> None:
        base = list(records)
        by_key: dict[str, CountryRecord] = {}
        for record in base:
            if record.key in by_key:
                raise ValidationError(f"country key {record.key!r} appears twice", field="key")
            by_key[record.key] = record
        added: dict[str, list[str]] = {}
        for alias, key in extra_aliases:
            if key not in by_key:
                raise UnknownCountryError(key)
            added.setdefault(key, []).append(alias)
        self.records: tuple[CountryRecord, ...] = tuple(
            _with_aliases(record, added.get(record.key, ())) for record in base
        )
        self._by_key = {record.key: record for record in self.records}
        self._by_code: dict[str, dict[str | int, list[CountryRecord]]] = {
            scheme: {} for scheme in SCHEMES
        }
        self._by_name: dict[str, list[CountryRecord]] = {}
        self._choices: list[str] = []
        self._choice_names: list[str] = []
        for record in self.records:
            for scheme in SCHEMES:
                value = record.code(scheme)
                if value is not None:
                    self._by_code[scheme].setdefault(value, []).append(record)
            for text in (record.name, *record.aliases):
                normalized = normalize_name(text)
                if not normalized:
                    continue
                found = self._by_name.setdefault(normalized, [])
                if record not in found:
                    found.append(record)
                    self._choices.append(normalized)
                    self._choice_names.append(record.name)

    def by_key(self, key: str) -> CountryRecord:
        """The row with this key (case-insensitive)."""
        record = self._by_key.get(key.strip().upper())
        if record is None:
            raise UnknownCountryError(key)
        return record

    def by_code(self, scheme: str, code: str | int, on: date | None = None) -> CountryRecord:
        """The row with this code in one scheme; ``on`` chooses among rows sharing the code."""
        if scheme not in SCHEMES:
            raise _unknown_scheme(scheme)
        label = f"{scheme}:{code}"
        value = _parse_code(scheme, code)
        if value is None:
            raise UnknownCountryError(label)
        candidates = self._by_code[scheme].get(value)
        if not candidates:
            raise UnknownCountryError(label)
        return self._pick(candidates, on, label)

    def resolve(
        self, query: str | int, *, scheme: str | None = None, on: date | None = None
    ) -> CountryRecord:
        """One row for a name, alias or code.

        Accepted: a name or alias in any case, with or without accents and punctuation; an
        ISO3 or ISO2 code; a key; ``scheme:code`` such as ``cow:775`` or ``iso3:MMR``; or a
        number. A bare number is read as a COW code, and as a Gleditsch–Ward code only when no
        row has that COW code; give ``scheme`` (or ``gw:``) to say which. Unknown queries raise
        UnknownCountryError with the nearest names; a name shared by two rows that both exist
        on the day raises ValidationError naming both.
        """
        if scheme is not None:
            return self.by_code(scheme, query, on)
        if isinstance(query, bool):
            raise UnknownCountryError(str(query))
        if isinstance(query, int):
            return self._by_number(query, on)
        text = query.strip()
        prefixed = _SCHEME_PREFIX.match(text)
        if prefixed:
            prefix = prefixed.group(1).casefold()
            if prefix not in SCHEMES:
                raise _unknown_scheme(prefix)
            return self.by_code(prefix, prefixed.group(2), on)
        if text.isascii() and text.isdigit():
            return self._by_number(int(text), on)
        if text.isascii() and text.isalpha() and len(text) in (2, 3):
            code_scheme = "iso2" if len(text) == 2 else "iso3"
            candidates = self._by_code[code_scheme].get(text.upper())
            if candidates:
                return self._pick(candidates, on, text)
            if text.upper() in self._by_key:
                return self._by_key[text.upper()]
        named = self._by_name.get(normalize_name(text))
        if named:
            return self._pick(named, on, text)
        raise UnknownCountryError(query, self.suggest(text))

    def suggest(self, query: str, limit: int = 5) -> list[str]:
        """Up to ``limit`` country names nearest to the query, best first."""
        wanted = normalize_name(query)
        if not wanted or limit <= 0:
            return []
        # Imported here: only a name that does not resolve needs it, and every command that
        # reads the store loads this module (issue 11, item 3).
        from rapidfuzz import fuzz, process

        matches = process.extract(
            wanted,
            self._choices,
            scorer=fuzz.WRatio,
            limit=None,
            score_cutoff=_SUGGESTION_CUTOFF,
        )
        # Equal scores keep the order of the table, which is alphabetical by key.
        ranked = sorted(matches, key=lambda match: (-float(match[1]), int(match[2])))
        names: list[str] = []
        for _choice, _score, index in ranked:
            name = self._choice_names[int(index)]
            if name not in names:
                names.append(name)
            if len(names) == limit:
                break
        return names

    def unknown(self, query: str) -> str:
        """What an import or a form says of a country it cannot resolve, with the three nearest
        names: "unknown country 'Narnia'; did you mean Armenia, Tanzania, Lithuania?"."""
        suggestions = self.suggest(query, limit=3)
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        return f"unknown country {query!r}{hint}"

    def _by_number(self, number: int, on: date | None) -> CountryRecord:
        scheme = "cow" if number in self._by_code["cow"] else "gw"
        return self.by_code(scheme, number, on)

    def _pick(
        self, candidates: Sequence[CountryRecord], on: date | None, query: str
    ) -> CountryRecord:
        day = on if on is not None else date.today()
        alive = [record for record in candidates if record.existed_on(day)]
        if len(alive) == 1:
            return alive[0]
        if len(alive) > 1:
            when = f"on {on.isoformat()}" if on is not None else "today"
            raise ValidationError(f"{query!r} is ambiguous {when}: it names {_describe(alive)}")
        if on is None:
            return max(
                candidates,
                key=lambda record: (record.end_date or date.max, record.start_date or date.min),
            )
        successors = {
            successor.key: successor
            for record in candidates
            if (successor := self._successor_on(record, on)) is not None
        }
        if len(successors) == 1:
            return next(iter(successors.values()))
        return min(
            candidates,
            key=lambda record: (
                _days_outside(record, on),
                -(record.end_date or date.max).toordinal(),
            ),
        )

    def _successor_on(self, record: CountryRecord, day: date) -> CountryRecord | None:
        current = record
        for _ in range(_MAX_SUCCESSION):
            if current.end_date is None or day <= current.end_date or not current.successor_key:
                return None
            following = self._by_key.get(current.successor_key)
            if following is None:
                return None
            if following.existed_on(day):
                return following
            current = following
        return None


def _with_aliases(record: CountryRecord, extra: Iterable[str]) -> CountryRecord:
    known = {normalize_name(text) for text in (record.name, *record.aliases)}
    new: list[str] = []
    for alias in extra:
        normalized = normalize_name(alias)
        if normalized and normalized not in known:
            known.add(normalized)
            new.append(alias)
    return replace(record, aliases=(*record.aliases, *new)) if new else record


def _parse_code(scheme: str, code: str | int) -> str | int | None:
    if isinstance(code, bool):
        return None
    if scheme in _NUMERIC_SCHEMES:
        if isinstance(code, int):
            return code
        text = code.strip()
        return int(text) if text.isascii() and text.isdigit() else None
    if isinstance(code, int):
        return None
    return code.strip().upper() or None


def _optional_int(value: str, row: int, column: str) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise ValidationError(
            f"{value!r} is not a whole number", file=TABLE_FILE, row=row, field=column
        )
    return int(value)


def _optional_date(value: str, row: int, column: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"{value!r} is not a date like 1990-05-22", file=TABLE_FILE, row=row, field=column
        ) from None


def parse_table(text: str) -> tuple[CountryRecord, ...]:
    """Rows of a countries.csv text; a malformed cell raises ValidationError naming it."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValidationError(f"the header must be {','.join(COLUMNS)}", file=TABLE_FILE, row=1)
    records: list[CountryRecord] = []
    for number, row in enumerate(reader, start=2):
        for column in ("key", "name", "region"):
            if not row[column]:
                raise ValidationError("is empty", file=TABLE_FILE, row=number, field=column)
        aliases = row["aliases"]
        records.append(
            CountryRecord(
                key=row["key"],
                name=row["name"],
                iso2=row["iso2"] or None,
                iso3=row["iso3"] or None,
                iso_numeric=_optional_int(row["iso_numeric"], number, "iso_numeric"),
                cow=_optional_int(row["cow"], number, "cow"),
                gw=_optional_int(row["gw"], number, "gw"),
                vdem=_optional_int(row["vdem"], number, "vdem"),
                region=row["region"],
                subregion=row["subregion"],
                start_date=_optional_date(row["start_date"], number, "start_date"),
                end_date=_optional_date(row["end_date"], number, "end_date"),
                successor_key=row["successor_key"] or None,
                aliases=tuple(aliases.split(ALIAS_SEPARATOR)) if aliases else (),
            )
        )
    return tuple(records)


@functools.cache
def load_reference_records() -> tuple[CountryRecord, ...]:
    """The packaged table, read once per process."""
    table = resources.files("prevention_lens") / "data" / TABLE_FILE
    return parse_table(table.read_text(encoding="utf-8"))


@functools.cache
def reference() -> CountryReference:
    """The reference built from the packaged table, without imported aliases."""
    return CountryReference(load_reference_records())
