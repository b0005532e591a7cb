"""RIS in and out for the evidence library: what EndNote, Zotero and Mendeley export, read into
drafts with every problem of a file collected, and entries written back as RIS text.

Our classification travels in notes (``N1  - lens-kind: impact_evaluation``), one per field:
reference managers keep notes when they import RIS, so it survives a trip through them.
An ``AB`` abstract fills the summary only when asked (summaries are in our own words).

Public API::

    read_ris(path, *, summary_from_abstract=False) -> (entries, problems)
    parse_ris(text, *, file, summary_from_abstract=False) -> (entries, problems)
    write_ris(entries) -> str
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import rispy

from prevention_lens.errors import ValidationError
from prevention_lens.whatworks.bibtex import FIELD_NAMES, REPORT_KINDS
from prevention_lens.whatworks.interchange import (
    KEY_FORM,
    Exportable,
    ImportedEntry,
    checked_entries,
    draft_from_text,
    text_values,
)

NOTE_PREFIX = "lens-"
_NOTE = re.compile(r"^(lens-[a-z-]+):\s?(.*)$", re.DOTALL)
_LIBRARY_NAMES = {note: name for name, note in FIELD_NAMES.items()}
# Library fields named as an RIS file names them, for errors.
_RIS_NAMES = {
    **{name: f"N1 {note}" for name, note in FIELD_NAMES.items()},
    "title": "TI",
    "authors": "AU",
    "year": "PY",
    "venue": "T2",
    "doi": "DO",
    "url": "UR",
    "tags": "KW",
    "language": "LA",
    "key": "ID",
}
_RECORD_START = re.compile(r"^TY  -", re.MULTILINE)


def _first(record: dict[str, Any], *names: str) -> str:
    for name in names:
        value = record.get(name)
        if isinstance(value, list):
            value = value[0] if value else ""
        if value:
            return str(value).strip()
    return ""


def _year(record: dict[str, Any]) -> str:
    text = _first(record, "year", "publication_year", "date")
    match = re.match(r"^\s*(\d{4})", text)
    return match.group(1) if match else text


def _entry(
    record: dict[str, Any], number: int, file: str, summary_from_abstract: bool
) -> ImportedEntry:
    label = _first(record, "id") or f"record {number}"
    cells: dict[str, str] = {}
    for note in record.get("notes", []):
        match = _NOTE.match(str(note).strip())
        if not match:
            continue  # an ordinary note, not ours
        name = _LIBRARY_NAMES.get(match.group(1))
        if name is None:
            raise ValidationError(
                f"unknown note field; ours are {', '.join(FIELD_NAMES.values())}",
                file=file,
                field=f"N1 {match.group(1)}",
                entry=label,
            )
        cells[name] = match.group(2)
    cells.update(
        title=_first(record, "title", "primary_title"),
        year=_year(record),
        venue=_first(record, "alternate_title3", "secondary_title", "journal_name", "publisher"),
        doi=_first(record, "doi"),
        url=_first(record, "urls"),
        language=_first(record, "language"),
    )
    if summary_from_abstract and not cells.get("summary"):
        cells["summary"] = _first(record, "abstract", "notes_abstract")
    if KEY_FORM.match(label):
        cells["key"] = label
    authors = [str(name) for name in (record.get("authors") or record.get("first_authors") or [])]
    tags = [str(tag) for tag in record.get("keywords", [])]
    try:
        draft = draft_from_text(
            cells, file=file, entry=label, lists={"authors": authors, "tags": tags}
        )
    except ValidationError as error:
        field = _RIS_NAMES.get(error.field or "", error.field)
        raise ValidationError(error.problem, file=file, field=field, entry=label) from None
    return ImportedEntry(label, draft)


def parse_ris(
    text: str, *, file: str, summary_from_abstract: bool = False
) -> tuple[list[ImportedEntry], list[ValidationError]]:
    """Every record of an RIS text and every problem found; nothing is written on a problem."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    records = rispy.loads(text, delimiter_tags_mapping={}, skip_unknown_tags=True)
    problems: list[ValidationError] = []
    started = len(_RECORD_START.findall(text))
    if started > len(records):
        problems.append(
            ValidationError(
                f"record {len(records) + 1} has no end line (ER  -); the file may be cut short",
                file=file,
            )
        )
    entries: list[ImportedEntry] = []
    for number, record in enumerate(records, start=1):
        try:
            entries.append(_entry(record, number, file, summary_from_abstract))
        except ValidationError as error:
            problems.append(error)
    if not records and not problems:
        problems.append(ValidationError("no RIS records found (TY  - ... ER  -)", file=file))
    return checked_entries(file, entries, problems)


def read_ris(
    path: Path, *, summary_from_abstract: bool = False
) -> tuple[list[ImportedEntry], list[ValidationError]]:
    """The reader for ``lens data import evidence-ris``: (entries, problems)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [], [ValidationError("is not UTF-8 text; export it as UTF-8", file=path.name)]
    return parse_ris(text, file=path.name, summary_from_abstract=summary_from_abstract)


def _line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(value.split())}"


def _record(entry: Exportable) -> list[str]:
    values = text_values(entry)
    kind = "RPRT" if entry.kind in REPORT_KINDS else "JOUR" if entry.venue else "GEN"
    lines = [_line("TY", kind)]
    if entry.key:
        lines.append(_line("ID", entry.key))
    lines.append(_line("TI", entry.title))
    lines.extend(_line("AU", name) for name in entry.authors)
    lines.append(_line("PY", values["year"]))
    if entry.venue:
        lines.append(_line("PB" if kind == "RPRT" else "T2", entry.venue))
    for tag, name in (("DO", "doi"), ("UR", "url"), ("LA", "language")):
        if values[name]:
            lines.append(_line(tag, values[name]))
    lines.extend(_line("KW", tag) for tag in entry.tags)
    for name, note in FIELD_NAMES.items():
        if values[name]:
            lines.append(_line("N1", f"{note}: {values[name]}"))
    lines.append("ER  - ")
    return lines


def write_ris(entries: Sequence[Exportable]) -> str:
    """The entries as RIS text (one value a line), classification in ``N1  - lens-...`` notes."""
    return "".join("\n".join(_record(entry)) + "\n\n" for entry in entries)
