"""Reading hate-speech lexicon files: our CSV layout (one term a row, its senses as a JSON list
or in hateful_*/neutral_* columns) and HurtLex's TSV (one lemma a row, by category); writing our
CSV back. Readers return every problem with its file, row and field; they check the layout and
the values' types, and the speech lexicon checks what the values mean.

HurtLex (Bassignana, Basile and Patti 2018) is licensed CC BY-NC-SA 4.0: non-commercial use
only, share-alike. Every term read from it carries ``HURTLEX_LICENCE``, so that the licence
shows wherever the term does.

Public API::

    CSV_COLUMNS, SENSE_COLUMNS, SENSE_FIELDS, HURTLEX_LICENCE, HURTLEX_URL, HURTLEX_CATEGORIES
    SenseRow, TermRow                                 frozen; what the readers return
    read_terms_csv(path) -> (rows, problems);  parse_terms_csv(text, *, file) -> (rows, problems)
    read_terms_rows(path), parse_terms_rows(text, *, file) -> ([(row, its problems)], problems)
    write_terms_csv(rows) -> str                      read back unchanged by parse_terms_csv
    read_hurtlex(path, language=None) -> (rows, problems)   language from hurtlex_XX.tsv
    parse_hurtlex(text, *, file, language) -> (rows, problems);  hurtlex_language(path) -> str
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from prevention_lens.csvsafe import csv_safe_row, read_table
from prevention_lens.errors import ValidationError

CSV_COLUMNS = (
    "term",
    "language",
    "senses",
    "script_variants",
    "countries",
    "targeted_groups",
    "severity",
    "why_inflames",
    "alternatives",
    "first_seen",
    "last_seen",
    "licence",
    "source_url",
    "example",
    "notes",
)
REQUIRED_COLUMNS = ("term", "language")
SENSE_KINDS = ("hateful", "neutral")
SENSE_FIELDS = ("meaning", "phrases", "cues", "examples")
# For sheets written by hand: one hateful and one neutral sense, lists separated by ";".
SENSE_COLUMNS = tuple(f"{kind}_{name}" for kind in SENSE_KINDS for name in SENSE_FIELDS)
LIST_COLUMNS = ("script_variants", "countries", "targeted_groups", "alternatives")
_TRUE, _FALSE = ("yes", "true", "1", "y"), ("no", "false", "0", "n", "")

HURTLEX_LICENCE = "CC BY-NC-SA 4.0 (HurtLex v1.2, non-commercial)"
HURTLEX_URL = "https://github.com/valeriobasile/hurtlex"
HURTLEX_COLUMNS = ("id", "pos", "category", "stereotype", "lemma", "level")
HURTLEX_LEVELS = ("conservative", "inclusive")
# HurtLex's 17 categories: label, and the targeted group when the category names one.
HURTLEX_CATEGORIES: dict[str, tuple[str, str | None]] = {
    "ps": ("negative stereotypes, ethnic slurs", "origin"),
    "rci": ("locations and demonyms", "origin"),
    "pa": ("professions and occupations", None),
    "ddf": ("physical disabilities and diversity", "disability"),
    "ddp": ("cognitive disabilities and diversity", "disability"),
    "dmc": ("moral and behavioural defects", None),
    "is": ("social and economic disadvantage", "other"),
    "or": ("plants", None),
    "an": ("animals", None),
    "asm": ("male genitalia", None),
    "asf": ("female genitalia", "gender"),
    "pr": ("prostitution", "gender"),
    "om": ("homosexuality", "sexual_orientation"),
    "qas": ("potential negative connotations", None),
    "cds": ("derogatory words", None),
    "re": ("felonies, crime and immoral behaviour", None),
    "svp": ("the seven deadly sins", None),
}
_HURTLEX_FILE = re.compile(r"hurtlex_([A-Za-z]{2,8})\.tsv", re.IGNORECASE)


@dataclass(frozen=True)
class SenseRow:
    kind: str
    meaning: str = ""
    phrases: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class TermRow:
    """One term as a file gives it; ``line`` is its row in the file (the header is row 1)."""

    line: int
    term: str
    language: str
    senses: tuple[SenseRow, ...] = ()
    script_variants: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    targeted_groups: tuple[str, ...] = ()
    severity: int = 2
    why_inflames: str = ""
    alternatives: tuple[str, ...] = ()
    first_seen: date | None = None
    last_seen: date | None = None
    licence: str = ""
    source_url: str = ""
    example: bool = False
    notes: str = ""


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def _strings(value: Any, field: str, where: dict[str, Any]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(f"{field} must be a list of texts", field="senses", **where)
    return tuple(item for item in value if item.strip())


def _senses_from_json(cell: str, where: dict[str, Any]) -> tuple[SenseRow, ...]:
    try:
        value = json.loads(cell)
    except json.JSONDecodeError as error:
        raise ValidationError(
            f"is not JSON ({error.msg} at character {error.pos + 1}); write a list such as "
            '[{"kind": "hateful", "meaning": "..."}]',
            field="senses",
            **where,
        ) from None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise ValidationError("must be a JSON list of senses", field="senses", **where)
    senses = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ValidationError(f"sense {number} is not a JSON object", field="senses", **where)
        unknown = sorted(set(item) - {"kind", *SENSE_FIELDS})
        if unknown:
            raise ValidationError(
                f"sense {number} has unknown key(s) {', '.join(unknown)}; the keys are "
                f"kind, {', '.join(SENSE_FIELDS)}",
                field="senses",
                **where,
            )
        kind = item.get("kind")
        if kind not in SENSE_KINDS:
            raise ValidationError(
                f"sense {number}: kind must be {' or '.join(SENSE_KINDS)}, not {kind!r}",
                field="senses",
                **where,
            )
        meaning = item.get("meaning", "")
        if not isinstance(meaning, str):
            raise ValidationError(
                f"sense {number}: meaning must be a text", field="senses", **where
            )
        senses.append(
            SenseRow(
                kind=kind,
                meaning=meaning.strip(),
                phrases=_strings(item.get("phrases", []), f"sense {number}: phrases", where),
                cues=_strings(item.get("cues", []), f"sense {number}: cues", where),
                examples=_strings(item.get("examples", []), f"sense {number}: examples", where),
            )
        )
    return tuple(senses)


def _senses_from_columns(values: dict[str, str]) -> tuple[SenseRow, ...]:
    senses = []
    for kind in SENSE_KINDS:
        cells = {name: values.get(f"{kind}_{name}", "") for name in SENSE_FIELDS}
        if not any(cells.values()):
            continue
        senses.append(
            SenseRow(
                kind=kind,
                meaning=cells["meaning"],
                phrases=_split(cells["phrases"]),
                cues=_split(cells["cues"]),
                examples=_split(cells["examples"]),
            )
        )
    return tuple(senses)


def _date(cell: str, field: str, where: dict[str, Any]) -> date | None:
    if not cell:
        return None
    try:
        return date.fromisoformat(cell)
    except ValueError:
        raise ValidationError(
            f"{cell!r} is not a date; write YYYY-MM-DD", field=field, **where
        ) from None


def _row(values: dict[str, str], *, file: str, line: int) -> tuple[TermRow, list[ValidationError]]:
    """The row read as far as it goes (a bad cell left at its default), and every problem of
    its cells."""
    where: dict[str, Any] = {"file": file, "row": line}
    problems: list[ValidationError] = []
    flat = [name for name in SENSE_COLUMNS if values.get(name)]
    senses: tuple[SenseRow, ...] = ()
    if values.get("senses") and flat:
        problems.append(
            ValidationError(
                f"gives senses both as JSON and in {', '.join(flat)}; use one or the other",
                field="senses",
                **where,
            )
        )
    elif values.get("senses"):
        try:
            senses = _senses_from_json(values["senses"], where)
        except ValidationError as error:
            problems.append(error)
    else:
        senses = _senses_from_columns(values)
    severity_cell = values.get("severity", "")
    severity = 2
    try:
        severity = int(severity_cell) if severity_cell else 2
    except ValueError:
        problems.append(
            ValidationError(
                f"{severity_cell!r} is not a whole number; write 1, 2 or 3",
                field="severity",
                **where,
            )
        )
    example_cell = values.get("example", "").casefold()
    if example_cell not in _TRUE + _FALSE:
        problems.append(
            ValidationError(f"{values['example']!r} is not yes or no", field="example", **where)
        )
    seen: dict[str, date | None] = {}
    for name in ("first_seen", "last_seen"):
        try:
            seen[name] = _date(values.get(name, ""), name, where)
        except ValidationError as error:
            problems.append(error)
            seen[name] = None
    row = TermRow(
        line=line,
        term=values.get("term", ""),
        language=values.get("language", ""),
        senses=senses,
        script_variants=_split(values.get("script_variants", "")),
        countries=_split(values.get("countries", "")),
        targeted_groups=_split(values.get("targeted_groups", "")),
        severity=severity,
        why_inflames=values.get("why_inflames", ""),
        alternatives=_split(values.get("alternatives", "")),
        first_seen=seen["first_seen"],
        last_seen=seen["last_seen"],
        licence=values.get("licence", ""),
        source_url=values.get("source_url", ""),
        example=example_cell in _TRUE,
        notes=values.get("notes", ""),
    )
    return row, problems


def parse_terms_rows(
    text: str, *, file: str
) -> tuple[list[tuple[TermRow, list[ValidationError]]], list[ValidationError]]:
    """Every data row of our CSV layout read as far as it goes, each with the problems of its
    cells, and the problems of the file itself (its header, a row of the wrong length, a quote
    never closed): for checks that go on to report what else a bad row has wrong."""
    known = (*CSV_COLUMNS, *SENSE_COLUMNS)
    table = read_table(text, file=file, columns=known, required=REQUIRED_COLUMNS)
    rows = [
        _row({name: cell.strip() for name, cell in cells.items()}, file=file, line=line)
        for line, cells in table.rows
    ]
    problems = list(table.problems)
    if not rows and not problems:
        problems.append(ValidationError("has a header but no terms", file=file))
    return rows, problems


def read_terms_rows(
    path: Path,
) -> tuple[list[tuple[TermRow, list[ValidationError]]], list[ValidationError]]:
    """``parse_terms_rows`` of a file (UTF-8, with or without a byte-order mark)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [], [ValidationError("is not UTF-8 text; save it as CSV UTF-8", file=path.name)]
    return parse_terms_rows(text, file=path.name)


def _valid(
    read: list[tuple[TermRow, list[ValidationError]]], problems: list[ValidationError]
) -> tuple[list[TermRow], list[ValidationError]]:
    """The rows without a problem, and every problem in the order of the rows."""
    found = [*problems, *(problem for _, row_problems in read for problem in row_problems)]
    found.sort(key=lambda problem: problem.row or 0)
    return [row for row, row_problems in read if not row_problems], found


def parse_terms_csv(text: str, *, file: str) -> tuple[list[TermRow], list[ValidationError]]:
    """Every valid row of our CSV layout as a TermRow, and every problem (all of each row's)."""
    return _valid(*parse_terms_rows(text, file=file))


def read_terms_csv(path: Path) -> tuple[list[TermRow], list[ValidationError]]:
    """Our CSV layout from a file (UTF-8, with or without a byte-order mark)."""
    return _valid(*read_terms_rows(path))


def _senses_json(senses: Sequence[SenseRow]) -> str:
    if not senses:
        return ""
    return json.dumps(
        [
            {
                "kind": sense.kind,
                "meaning": sense.meaning,
                "phrases": list(sense.phrases),
                "cues": list(sense.cues),
                "examples": list(sense.examples),
            }
            for sense in senses
        ],
        ensure_ascii=False,
    )


def write_terms_csv(rows: Sequence[TermRow]) -> str:
    """The terms in our CSV layout (senses as JSON); cells are safe to open in a spreadsheet."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = {
            "term": row.term,
            "language": row.language,
            "senses": _senses_json(row.senses),
            "severity": str(row.severity),
            "why_inflames": row.why_inflames,
            "first_seen": row.first_seen.isoformat() if row.first_seen else "",
            "last_seen": row.last_seen.isoformat() if row.last_seen else "",
            "licence": row.licence,
            "source_url": row.source_url,
            "example": "yes" if row.example else "no",
            "notes": row.notes,
        }
        for name in LIST_COLUMNS:
            values[name] = "; ".join(getattr(row, name))
        writer.writerow(csv_safe_row(values[name] for name in CSV_COLUMNS))
    return out.getvalue()


def hurtlex_language(path: Path) -> str:
    """The language code in a HurtLex file name (hurtlex_EN.tsv -> "EN")."""
    matched = _HURTLEX_FILE.fullmatch(path.name)
    if matched is None:
        raise ValidationError(
            "cannot tell the language from the file name; name it hurtlex_XX.tsv as HurtLex "
            "does (XX the language code, e.g. hurtlex_EN.tsv)",
            file=path.name,
        )
    return matched.group(1).upper()


def _hurtlex_row(
    values: dict[str, str], *, code: str, language: str, where: dict[str, Any]
) -> TermRow:
    category = values["category"].casefold()
    if category not in HURTLEX_CATEGORIES:
        raise ValidationError(
            f"unknown category {values['category']!r}; HurtLex's are "
            f"{', '.join(HURTLEX_CATEGORIES)}",
            field="category",
            **where,
        )
    stereotype = values["stereotype"].casefold()
    if stereotype not in ("yes", "no"):
        raise ValidationError(
            f"{values['stereotype']!r} is not yes or no", field="stereotype", **where
        )
    level = values["level"].casefold()
    if level not in HURTLEX_LEVELS:
        raise ValidationError(
            f"unknown level {values['level']!r}; HurtLex's are {', '.join(HURTLEX_LEVELS)}",
            field="level",
            **where,
        )
    lemma = values["lemma"]
    if code == "SIMPLE":
        lemma = lemma.removesuffix(" simple")
    if not lemma:
        raise ValidationError("the lemma is empty", field="lemma", **where)
    label, group = HURTLEX_CATEGORIES[category]
    # A slur naming a group, in HurtLex's high-confidence level, is hateful; the rest offensive.
    severity = 2 if group is not None and level == "conservative" else 1
    return TermRow(
        line=int(where["row"]),
        term=lemma,
        language=language,
        senses=(SenseRow("hateful", f"HurtLex category: {label}"),),
        targeted_groups=(group,) if group else (),
        severity=severity,
        licence=HURTLEX_LICENCE,
        source_url=f"{HURTLEX_URL}/tree/master/lexica/{code}/1.2",
        notes=(
            f"HurtLex {values['id']}: {values['pos']}, category {category}, "
            f"stereotype {stereotype}, level {level}"
        ),
    )


def parse_hurtlex(
    text: str, *, file: str, language: str
) -> tuple[list[TermRow], list[ValidationError]]:
    """Every row of a HurtLex TSV as a TermRow (one hateful sense naming its category)."""
    code = language.upper()
    language_tag = "en-simple" if code == "SIMPLE" else code.lower()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
    try:
        header = [name.strip().casefold() for name in next(reader)]
    except StopIteration:
        return [], [ValidationError("the file is empty", file=file)]
    if tuple(header) != HURTLEX_COLUMNS:
        return [], [
            ValidationError(
                f"the header is {', '.join(header) or 'empty'}; HurtLex's is "
                f"{', '.join(HURTLEX_COLUMNS)} (tab-separated)",
                file=file,
                row=1,
            )
        ]
    rows: list[TermRow] = []
    problems: list[ValidationError] = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        where: dict[str, Any] = {"file": file, "row": line}
        if len(cells) != len(HURTLEX_COLUMNS):
            problems.append(
                ValidationError(f"has {len(cells)} cells; HurtLex rows have 6", **where)
            )
            continue
        values = {name: cell.strip() for name, cell in zip(HURTLEX_COLUMNS, cells, strict=True)}
        try:
            rows.append(_hurtlex_row(values, code=code, language=language_tag, where=where))
        except ValidationError as error:
            problems.append(error)
    if not rows and not problems:
        problems.append(ValidationError("has a header but no lemmas", file=file))
    return rows, problems


def read_hurtlex(
    path: Path, language: str | None = None
) -> tuple[list[TermRow], list[ValidationError]]:
    """A HurtLex TSV; the language is the one given, or the code in the file name."""
    try:
        code = language or hurtlex_language(path)
    except ValidationError as error:
        return [], [error]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [], [ValidationError("is not UTF-8 text", file=path.name)]
    return parse_hurtlex(text, file=path.name, language=code)
