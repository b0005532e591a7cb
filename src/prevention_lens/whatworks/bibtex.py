"""BibTeX in and out for the evidence library: what Zotero, EndNote and JabRef export, read
into drafts (every problem of a file collected), and entries written back as ``.bib`` text.

Our classification travels in ``lens-*`` fields (``lens-kind``, ``lens-interventions``, ...;
docs/evidence.md lists them), so an export re-imports without loss. An ``abstract`` is the
authors' text, not a summary in our own words: it fills the summary only when asked.

Public API::

    read_bibtex(path, *, summary_from_abstract=False) -> (entries, problems)
    parse_bibtex(text, *, file, summary_from_abstract=False) -> (entries, problems)
    write_bibtex(entries) -> str
    FIELD_NAMES   library field → BibTeX field for the classification
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from bibtexparser.entrypoint import parse_string
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock
from bibtexparser.model import Entry as BibtexEntry
from pylatexenc.latex2text import LatexNodes2Text

from prevention_lens.errors import ValidationError
from prevention_lens.whatworks.entries import make_key
from prevention_lens.whatworks.interchange import (
    CODE_LANGUAGES,
    KEY_FORM,
    Exportable,
    ImportedEntry,
    checked_entries,
    draft_from_text,
    split_list,
    text_values,
)

# Library fields carried in our own BibTeX fields: "lens-" and the field name, "_" as "-".
FIELD_NAMES = {
    name: "lens-" + name.replace("_", "-")
    for name in (
        "kind",
        "design",
        "strength",
        "summary",
        "interventions",
        "outcomes",
        "countries",
        "regions",
        "conflict_phase",
        "regime_type",
        "period",
        "effect",
        "harm",
        "emmie",
        "verified_at",
        "verification_note",
    )
}
_LIBRARY_NAMES = {bib: name for name, bib in FIELD_NAMES.items()}
# Fields written as they are, as reference managers write web addresses and DOIs (BibLaTeX
# reads url and doi verbatim) and as codes read best; on import only "\_", "\%", "\&", "\#"
# and "\$" are unescaped, since some tools escape them.
VERBATIM_FIELDS = frozenset(
    {
        "url",
        "doi",
        *(
            FIELD_NAMES[name]
            for name in (
                "kind",
                "design",
                "strength",
                "interventions",
                "outcomes",
                "regions",
                "conflict_phase",
                "regime_type",
                "effect",
                "emmie",
                "verified_at",
            )
        ),
    }
)
_VERBATIM_ESCAPES = {"{": "%7B", "}": "%7D", "\\": "%5C"}
# Where a reference manager puts the venue, most specific first.
VENUE_FIELDS = ("journal", "journaltitle", "booktitle", "institution", "publisher", "organization")
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
}
# Pairs that LaTeX reads as one character ("--" an en dash, "''" a closing quote): an empty
# group between them keeps both characters.
_LIGATURE = re.compile(r"([-'`!?<>,])(?=[-'`<>,])")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
# Library fields named as a BibTeX file names them, for errors.
_BIBTEX_NAMES = {
    **FIELD_NAMES,
    "authors": "author",
    "venue": "journal",
    "tags": "keywords",
    "language": "langid",
    "key": "key",
}
REPORT_KINDS = frozenset({"practitioner_report", "guidance"})


@lru_cache(maxsize=1)
def _decoder() -> LatexNodes2Text:
    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def latex_to_text(value: str) -> str:
    """A field's text with LaTeX escapes, accents and case-protecting braces resolved."""
    return " ".join(_decoder().latex_to_text(value).split())


def text_to_latex(value: str) -> str:
    """Text as a BibTeX value that ``latex_to_text`` reads back unchanged (one line)."""
    escaped = "".join(_SPECIAL.get(char, char) for char in " ".join(value.split()))
    return _LIGATURE.sub(r"\1{}", escaped)


def verbatim(value: str) -> str:
    """A web address, DOI or code as written in a verbatim field (braces percent-encoded)."""
    return "".join(_VERBATIM_ESCAPES.get(char, char) for char in " ".join(value.split()))


def _unverbatim(value: str) -> str:
    return " ".join(re.sub(r"\\([_%&#$])", r"\1", value).split())


def _decode(field: str, value: str) -> str:
    return _unverbatim(value) if field in VERBATIM_FIELDS else latex_to_text(value)


def _split_top(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split on a pattern only outside braces (so "{Smith and Sons}" stays whole)."""
    parts, depth, start, position = [], 0, 0, 0
    while position < len(text):
        char = text[position]
        if char == "\\":  # an escaped character ("\{") never opens or closes a group
            position += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0:
            match = pattern.match(text, position)
            if match and position > 0:
                parts.append(text[start:position])
                start = position = match.end()
                continue
        position += 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def _wholly_braced(text: str) -> bool:
    if not (text.startswith("{") and text.endswith("}")):
        return False
    depth, position = 0, 0
    while position < len(text):
        if text[position] == "\\":
            position += 2
            continue
        depth += {"{": 1, "}": -1}.get(text[position], 0)
        if depth == 0 and position < len(text) - 1:
            return False
        position += 1
    return True


def parse_name(raw: str) -> str:
    """One BibTeX name as "Family, Given"; an organisation (in braces) as written."""
    if _wholly_braced(raw):
        return latex_to_text(raw[1:-1])
    parts = _split_top(raw, re.compile(r","))
    if len(parts) >= 2:
        family = " ".join([parts[0], *parts[1:-1]]) if len(parts) > 2 else parts[0]
        return f"{latex_to_text(family)}, {latex_to_text(parts[-1])}"
    words = _split_top(raw, re.compile(r"\s+"))
    if len(words) == 1:
        return latex_to_text(words[0])
    # "First von Last": the family name starts at the first lower-case word, else the last word.
    start = next(
        (i for i, word in enumerate(words[:-1]) if i > 0 and word[:1].islower()), len(words) - 1
    )
    given, family = " ".join(words[:start]), " ".join(words[start:])
    return f"{latex_to_text(family)}, {latex_to_text(given)}"


def _name_to_bibtex(name: str) -> str:
    family, comma, given = name.partition(",")
    if not comma or "," in given or _AND.search(f" {name} ") or not given.strip():
        return "{" + text_to_latex(name) + "}"
    return f"{text_to_latex(family)}, {text_to_latex(given)}"


def _year(fields: dict[str, str]) -> str:
    if fields.get("year"):
        return fields["year"]
    match = re.match(r"^\s*(\d{4})", fields.get("date", ""))
    return match.group(1) if match else fields.get("date", "")


def _entry(block: BibtexEntry, file: str, summary_from_abstract: bool) -> ImportedEntry:
    raw = {field.key.lower(): str(field.value) for field in block.fields}
    label = block.key

    def bad(name: str, problem: str) -> ValidationError:
        return ValidationError(problem, file=file, field=name, entry=label)

    unknown = sorted(key for key in raw if key.startswith("lens-") and key not in _LIBRARY_NAMES)
    if unknown:
        raise bad(unknown[0], f"unknown field; ours are {', '.join(FIELD_NAMES.values())}")
    cells = {
        _LIBRARY_NAMES[key]: _decode(key, value)
        for key, value in raw.items()
        if key in _LIBRARY_NAMES
    }
    cells["title"] = latex_to_text(raw.get("title", ""))
    cells["year"] = latex_to_text(_year(raw))
    cells["venue"] = next((latex_to_text(raw[k]) for k in VENUE_FIELDS if raw.get(k)), "")
    cells["doi"] = _unverbatim(raw.get("doi", ""))
    cells["url"] = _unverbatim(raw.get("url", ""))
    cells["language"] = latex_to_text(raw.get("langid") or raw.get("language") or "")
    if summary_from_abstract and not cells.get("summary") and raw.get("abstract"):
        cells["summary"] = latex_to_text(raw["abstract"])
    if KEY_FORM.match(label):
        cells["key"] = label
    authors = [parse_name(name) for name in _split_top(raw.get("author", ""), _AND)]
    if not authors and raw.get("editor"):
        authors = [parse_name(name) for name in _split_top(raw["editor"], _AND)]
    tags = split_list(latex_to_text(raw.get("keywords", "")), ",;")
    try:
        draft = draft_from_text(
            cells, file=file, entry=label, lists={"authors": authors, "tags": tags}
        )
    except ValidationError as error:
        # Name the field as the file names it.
        raise bad(_BIBTEX_NAMES.get(error.field or "", error.field or ""), error.problem) from None
    return ImportedEntry(label, draft)


def parse_bibtex(
    text: str, *, file: str, summary_from_abstract: bool = False
) -> tuple[list[ImportedEntry], list[ValidationError]]:
    """Every entry of a BibTeX text, and every problem found (parse errors, repeated keys,
    missing or malformed fields); callers write nothing when there is any problem."""
    library = parse_string(text)
    problems: list[ValidationError] = []
    for failed in library.failed_blocks:
        line = (failed.start_line or 0) + 1
        if isinstance(failed, DuplicateBlockKeyBlock):
            problems.append(
                ValidationError(
                    f"the key is used twice (again on line {line})", file=file, entry=failed.key
                )
            )
        elif isinstance(failed, DuplicateFieldKeyBlock):
            names = ", ".join(sorted(failed.duplicate_keys))
            block = failed.ignore_error_block
            problems.append(
                ValidationError(
                    f"the field(s) {names} are given twice",
                    file=file,
                    field=sorted(failed.duplicate_keys)[0],
                    entry=block.key if isinstance(block, BibtexEntry) else None,
                )
            )
        else:
            problems.append(
                ValidationError(f"line {line}: not a well-formed BibTeX entry", file=file)
            )
    entries: list[ImportedEntry] = []
    for block in library.entries:
        try:
            entries.append(_entry(block, file, summary_from_abstract))
        except ValidationError as error:
            problems.append(error)
    if not entries and not problems:
        problems.append(ValidationError("no BibTeX entries found", file=file))
    return checked_entries(file, entries, problems)


def read_bibtex(
    path: Path, *, summary_from_abstract: bool = False
) -> tuple[list[ImportedEntry], list[ValidationError]]:
    """The reader for ``lens data import evidence-bibtex``: (entries, problems)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [], [ValidationError("is not UTF-8 text; export it as UTF-8", file=path.name)]
    return parse_bibtex(text, file=path.name, summary_from_abstract=summary_from_abstract)


def _entry_type(entry: Exportable) -> tuple[str, str]:
    """The BibTeX type and the field that holds the venue."""
    if entry.kind in REPORT_KINDS:
        return "techreport", "institution"
    if entry.venue:
        return "article", "journal"
    return "misc", "publisher"


def _bibtex_block(entry: Exportable) -> str:
    values = text_values(entry)
    entry_type, venue_field = _entry_type(entry)
    key = entry.key or make_key(entry.authors, entry.year or 0, entry.title)
    lines: list[tuple[str, str]] = [
        ("title", text_to_latex(entry.title)),
        ("author", " and ".join(_name_to_bibtex(name) for name in entry.authors)),
        ("year", values["year"]),
    ]
    if entry.venue:
        lines.append((venue_field, text_to_latex(entry.venue)))
    if entry.doi:
        lines.append(("doi", verbatim(entry.doi)))
    if entry.url:
        lines.append(("url", verbatim(entry.url)))
    if entry.language in CODE_LANGUAGES:
        lines.append(("langid", CODE_LANGUAGES[entry.language]))
    elif entry.language:
        lines.append(("language", text_to_latex(entry.language)))
    if entry.tags:
        lines.append(("keywords", ", ".join(text_to_latex(tag) for tag in entry.tags)))
    for name, bib_name in FIELD_NAMES.items():
        if values[name]:
            encode = verbatim if bib_name in VERBATIM_FIELDS else text_to_latex
            lines.append((bib_name, encode(values[name])))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in lines)
    return f"@{entry_type}{{{key},\n{body},\n}}\n"


def write_bibtex(entries: Sequence[Exportable]) -> str:
    """The entries as a UTF-8 BibTeX text, with our classification in ``lens-*`` fields."""
    return "\n".join(_bibtex_block(entry) for entry in entries)
