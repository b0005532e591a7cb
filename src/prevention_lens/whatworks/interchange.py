"""What the evidence library's file formats share: the library's fields written as text (lists
joined by "; ", EMMIE as "effect=3; mechanism=2"), read back typed, and problems collected
for a whole file rather than stopping at the first.

Public API::

    ImportedEntry(label, draft)           one entry read from a file, named as the file names it
    FIELDS, LIST_FIELDS, LIST_SEPARATOR   the library's field names, in export order
    text_values(draft) -> {field: text}   a draft's fields as text cells (lists joined by "; ";
                                          verified_at's web addresses may be split by spaces)
    draft_from_text(cells, *, file, row=None, entry=None) -> EntryDraft   (ValidationError)
    language_code(value) -> str           "english" → "en" (ValueError)
    batch_problems(file, entries) -> [ValidationError]   a DOI or key given twice in one file
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from prevention_lens.errors import ValidationError
from prevention_lens.whatworks.entries import Entry, EntryDraft
from prevention_lens.whatworks.vocabulary import EMMIE

FIELDS = tuple(item.name for item in fields(EntryDraft))
LIST_FIELDS = frozenset(
    {"authors", "interventions", "outcomes", "countries", "regions", "tags", "verified_at"}
)
INT_FIELDS = frozenset({"year", "strength"})
# Fields whose absence is None rather than an empty text.
OPTIONAL_FIELDS = frozenset(
    {"doi", "key", "kind", "design", "conflict_phase", "regime_type", "effect"}
)
LIST_SEPARATOR = ";"
# Language names that reference managers write (BibLaTeX's langid, Zotero's "language").
LANGUAGE_NAMES = {
    "english": "en",
    "american": "en",
    "british": "en",
    "french": "fr",
    "francais": "fr",
    "français": "fr",
    "spanish": "es",
    "español": "es",
    "arabic": "ar",
    "burmese": "my",
    "german": "de",
    "portuguese": "pt",
    "russian": "ru",
    "chinese": "zh",
}
CODE_LANGUAGES = {"en": "english", "fr": "french", "es": "spanish", "ar": "arabic"}
# A file's own label (a BibTeX key, an RIS ID) becomes the entry's key only when it has the
# form of ours; otherwise a key is made from the first author, year and title.
KEY_FORM = re.compile(r"^[a-z0-9][a-z0-9-]{1,118}[a-z0-9]$")
_LANGUAGE_CODE = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2,4}))?$")

Exportable = Entry | EntryDraft


@dataclass(frozen=True)
class ImportedEntry:
    """An entry read from a file: ``label`` is how the file names it (a BibTeX key, an RIS ID
    or record number, a CSV row), so errors found later still point into the file."""

    label: str
    draft: EntryDraft


def language_code(value: str) -> str:
    """A language code from a code or a name: "english" → "en", "en-GB" stays "en-GB"."""
    text = value.strip()
    named = LANGUAGE_NAMES.get(text.casefold())
    if named:
        return named
    match = _LANGUAGE_CODE.match(text)
    if not match:
        raise ValueError(
            f"{value!r} is not a language code (en, fr, es, ar, ...) or a known language name "
            f"({', '.join(sorted(LANGUAGE_NAMES))})"
        )
    region = match.group(2)
    return match.group(1).lower() + (f"-{region.upper()}" if region else "")


def split_list(text: str, separators: str = LIST_SEPARATOR) -> tuple[str, ...]:
    parts = re.split(f"[{re.escape(separators)}]", text)
    return tuple(part.strip() for part in parts if part.strip())


def emmie_text(ratings: Mapping[str, int]) -> str:
    return f"{LIST_SEPARATOR} ".join(f"{name}={value}" for name, value in ratings.items())


def parse_emmie(text: str) -> dict[str, int]:
    """EMMIE ratings from "effect=3; mechanism=2"; ValueError naming what is wrong."""
    ratings: dict[str, int] = {}
    for part in split_list(text):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not (value.strip().isascii() and value.strip().isdigit()):
            raise ValueError(f"{part!r} is not a rating such as effect=3")
        if name not in EMMIE:
            raise ValueError(f"unknown dimension {name!r}; choose from {', '.join(EMMIE)}")
        if name in ratings:
            raise ValueError(f"{name} is rated twice")
        ratings[name] = int(value)
    return ratings


def text_values(entry: Exportable) -> dict[str, str]:
    """Every library field of an entry or draft as text (empty where there is nothing)."""
    out: dict[str, str] = {}
    for name in FIELDS:
        value: Any = getattr(entry, name)
        if value is None:
            out[name] = ""
        elif name == "emmie":
            out[name] = emmie_text(value)
        elif name in LIST_FIELDS:
            out[name] = f"{LIST_SEPARATOR} ".join(value)
        else:
            out[name] = str(value)
    return out


def draft_from_text(
    cells: Mapping[str, str],
    *,
    file: str | None,
    row: int | None = None,
    entry: str | None = None,
    lists: Mapping[str, Sequence[str]] | None = None,
) -> EntryDraft:
    """A checked draft from text cells named by library fields; ``lists`` gives list fields
    that the format has already split (BibTeX authors, RIS keywords). Empty cells are absent."""

    def bad(name: str, problem: str) -> ValidationError:
        return ValidationError(problem, file=file, row=row, field=name, entry=entry)

    unknown = sorted(set(cells) - set(FIELDS))
    if unknown:
        raise bad(unknown[0], f"unknown field; the fields are {', '.join(FIELDS)}")
    values: dict[str, Any] = {"title": "", "authors": (), "year": None}
    for name, cell in cells.items():
        text = cell.strip()
        if not text:
            continue
        if name in INT_FIELDS:
            if not re.fullmatch(r"\d+", text):
                raise bad(name, f"{text!r} is not a whole number")
            values[name] = int(text)
        elif name == "emmie":
            try:
                values[name] = parse_emmie(text)
            except ValueError as error:
                raise bad(name, str(error)) from None
        elif name == "language":
            try:
                values[name] = language_code(text)
            except ValueError as error:
                raise bad(name, str(error)) from None
        elif name == "verified_at":
            # A web address may hold ";" (";jsessionid=") but never a space.
            values[name] = tuple(part for part in re.split(r";?\s+", text) if part)
        elif name in LIST_FIELDS:
            values[name] = split_list(text)
        else:
            values[name] = text
    for name, items in (lists or {}).items():
        values[name] = tuple(item for item in items if item.strip())
    return EntryDraft(**values).checked(file=file, row=row, entry=entry)


def batch_problems(file: str | None, entries: Iterable[ImportedEntry]) -> list[ValidationError]:
    """A DOI or key given to two entries of the same file: one problem per repeat."""
    problems = []
    seen: dict[tuple[str, str], str] = {}
    for item in entries:
        for name in ("doi", "key"):
            value = getattr(item.draft, name)
            if not value:
                continue
            first = seen.setdefault((name, value), item.label)
            if first != item.label:
                what = "DOI" if name == "doi" else "key"
                problems.append(
                    ValidationError(
                        f"{what} {value} is also given for entry {first!r} in this file",
                        file=file,
                        field=name,
                        entry=item.label,
                    )
                )
    return problems


def checked_entries(
    file: str | None, entries: list[ImportedEntry], problems: list[ValidationError]
) -> tuple[list[ImportedEntry], list[ValidationError]]:
    """The reader contract's answer: the entries, and every problem including repeats."""
    problems.extend(batch_problems(file, entries))
    return entries, problems
