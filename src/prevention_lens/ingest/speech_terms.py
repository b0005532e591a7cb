"""The hate-speech lexicon imports (``speech-terms-csv``, ``speech-hurtlex``): terms read by
``sources.speech_lexicon``, checked as lexicon drafts, and stored as drafts for admin review,
all or nothing. Importing terms needs an admin (the ``speech_term`` policy's ``import``).

The readers collect every problem a file has on its own, every one of each row (a bad sense, a
severity of 4, an unknown targeted group, a term given twice); the loaders add what only the
store knows (unknown countries, a term already in the lexicon), again all of them, before
anything is written. When the reader found problems, the runner asks the CSV format's store
check for the rest (``check_speech_terms``), so that one run reports both.

HurtLex lists a lemma once per category; its rows are merged into one term per language and
normalised form (groups joined, the highest severity kept). A HurtLex term already in the
lexicon, from any origin, is left as it is, so the same file imports again without harm.

Public API::

    ImportedTerm
    read_speech_terms_csv(path) -> (terms, problems);  read_speech_hurtlex(path) -> (...)
    check_speech_terms(session, principal, path) -> problems    (what only the store knows)
    load_speech_terms(session, terms, data_import) -> LoadCounts      (CSV: a stored term is
    load_hurtlex_terms(session, terms, data_import) -> LoadCounts      refused; HurtLex: kept)
    SPEECH_TERMS_CSV, SPEECH_HURTLEX                the ImportFormats (registered in formats.py)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.errors import ValidationError
from prevention_lens.ingest.library import importing_principal
from prevention_lens.ingest.registry import ImportFormat
from prevention_lens.ingest.rejections import rejected_import
from prevention_lens.sources.speech_lexicon import (
    HURTLEX_LICENCE,
    HURTLEX_URL,
    TermRow,
    hurtlex_language,
    read_hurtlex,
    read_terms_rows,
)
from prevention_lens.speech.lexicon import add_terms, stored_keys
from prevention_lens.speech.matching import TermSense
from prevention_lens.speech.terms import TermDraft
from prevention_lens.store.access import LOCAL_OPERATOR, Principal, allowed, require
from prevention_lens.store.imports import LoadCounts
from prevention_lens.store.models import DataImport, User
from prevention_lens.store.reference import unresolved_countries


@dataclass(frozen=True)
class ImportedTerm:
    """A checked draft and the row it came from (the first row, for merged HurtLex lemmas)."""

    file: str
    line: int
    draft: TermDraft


def _draft_values(row: TermRow) -> dict[str, Any]:
    return {
        "term": row.term,
        "language": row.language,
        "senses": tuple(
            TermSense(sense.kind, sense.meaning, sense.phrases, sense.cues, sense.examples)
            for sense in row.senses
        ),
        "script_variants": row.script_variants,
        "countries": row.countries,
        "targeted_groups": row.targeted_groups,
        "severity": row.severity,
        "why_inflames": row.why_inflames,
        "alternatives": row.alternatives,
        "first_seen": row.first_seen,
        "last_seen": row.last_seen,
        "licence": row.licence,
        "source_url": row.source_url,
        "example": row.example,
        "notes": row.notes,
    }


_DEFAULTS = {item.name: item.default for item in fields(TermDraft)}
# What a field the draft refused stands in for it with, so that the draft checks the fields
# after it: a term and a language it accepts, one plain hateful sense; the rest their default.
_STAND_INS: dict[str, Any] = {
    **_DEFAULTS,
    "term": "x",
    "language": "und",
    "senses": (TermSense("hateful"),),
}
# Phrases must contain the term or a script variant, so a stand-in for either would make
# every phrase look wrong: the senses are stood in for too, and checked once the term is right.
_SENSES_DEPEND_ON = ("term", "script_variants")


def _draft_field(field: str | None) -> str | None:
    """The draft field a problem's field belongs to ("senses[2].phrases" -> "senses")."""
    if field is None:
        return None
    if field.startswith("senses") or field in ("meaning", "example", "kind"):
        return "senses"
    return field if field in _DEFAULTS else None


def _draft(row: TermRow) -> tuple[TermDraft | None, list[ValidationError]]:
    """The row as a checked draft, or every problem the draft finds in it. A draft stops at its
    first problem; each refused field is replaced by a stand-in and the draft tried again, so
    that one run names every field that is wrong (a field at most once)."""
    values = _draft_values(row)
    problems: list[ValidationError] = []
    replaced: set[str] = set()
    while True:
        try:
            draft = TermDraft(**values)
        except ValidationError as error:
            problems.append(error)
            name = _draft_field(error.field)
            if name is None or name in replaced:
                return None, problems
            for stood_in in (name, "senses") if name in _SENSES_DEPEND_ON else (name,):
                replaced.add(stood_in)
                values[stood_in] = _STAND_INS[stood_in]
            continue
        return (None, problems) if problems else (draft, [])


def _checked(
    file: str, read: Sequence[tuple[TermRow, Sequence[ValidationError]]]
) -> tuple[list[ImportedTerm], list[ValidationError]]:
    """Rows as drafts; each row that fails gives every problem of its cells and its draft,
    each naming the file, the row, the term and the field."""
    terms: list[ImportedTerm] = []
    found: list[ValidationError] = []
    for row, row_problems in read:
        draft, problems = _draft(row)
        # The term as the first problem named it: a stand-in term must not name later ones.
        entry = problems[0].entry if problems else None
        found += row_problems
        found += [
            ValidationError(error.problem, file=file, row=row.line, field=error.field, entry=entry)
            for error in problems
        ]
        if draft is not None and not row_problems:
            terms.append(ImportedTerm(file, row.line, draft))
    return terms, found


def _read_csv(
    path: Path,
) -> tuple[list[ImportedTerm], list[ValidationError], list[tuple[TermRow, list[ValidationError]]]]:
    read, problems = read_terms_rows(path)
    terms, found = _checked(path.name, read)
    problems += found
    first: dict[tuple[str, str], int] = {}
    kept: list[ImportedTerm] = []
    for term in terms:
        key = (term.draft.language, term.draft.normalized)
        if key in first:
            problems.append(
                ValidationError(
                    f"is also given on row {first[key]} (in {term.draft.language})",
                    file=path.name,
                    row=term.line,
                    field="term",
                    entry=term.draft.term,
                )
            )
            continue
        first[key] = term.line
        kept.append(term)
    problems.sort(key=lambda problem: problem.row or 0)
    return kept, problems, read


def read_speech_terms_csv(path: Path) -> tuple[list[ImportedTerm], list[ValidationError]]:
    """Our CSV layout as drafts; a term given twice in the file is a problem on its second row."""
    terms, problems, _ = _read_csv(path)
    return terms, problems


def _merged(first: TermDraft, other: TermDraft) -> TermDraft:
    """Two HurtLex rows of one lemma as one term: categories and groups joined."""
    prefix = "HurtLex categories: "
    labels = first.senses[0].meaning.split(": ", 1)[-1].split("; ")
    for label in other.senses[0].meaning.split(": ", 1)[-1].split("; "):
        if label not in labels:
            labels.append(label)
    groups = tuple(dict.fromkeys((*first.targeted_groups, *other.targeted_groups)))
    return replace(
        first,
        senses=(TermSense("hateful", prefix + "; ".join(labels)),),
        targeted_groups=groups,
        severity=max(first.severity, other.severity),
        notes=f"{first.notes}; {other.notes}"[:4000],
    )


def read_speech_hurtlex(path: Path) -> tuple[list[ImportedTerm], list[ValidationError]]:
    """A HurtLex TSV (hurtlex_XX.tsv) as drafts, one per lemma."""
    rows, problems = read_hurtlex(path)
    terms, found = _checked(path.name, [(row, []) for row in rows])
    problems += found
    merged: dict[tuple[str, str], ImportedTerm] = {}
    for term in terms:
        key = (term.draft.language, term.draft.normalized)
        held = merged.get(key)
        merged[key] = term if held is None else replace(held, draft=_merged(held.draft, term.draft))
    return list(merged.values()), problems


def _importer(session: Session, data_import: DataImport) -> Principal:
    """Who runs the import: the stored user with their role; the local operator at the
    terminal (no account) is the admin they are everywhere else."""
    stored = session.scalar(select(User.id).where(User.username == data_import.imported_by))
    if stored is None and data_import.imported_by == LOCAL_OPERATOR.username:
        return LOCAL_OPERATOR
    return importing_principal(session, data_import)


def _country_problems(
    session: Session, rows: Sequence[tuple[str, int, str | None, Sequence[str]]]
) -> list[ValidationError]:
    """A problem for each country the reference (with imported aliases) cannot resolve, with
    the nearest names; ``rows`` are (file, row, term, countries)."""
    unknown = unresolved_countries(session, (c for *_, countries in rows for c in countries))
    return [
        ValidationError(unknown[country], file=file, row=line, field="countries", entry=entry)
        for file, line, entry, countries in rows
        for country in countries
        if country in unknown
    ]


def _term_countries(
    terms: Sequence[ImportedTerm],
) -> list[tuple[str, int, str | None, Sequence[str]]]:
    return [(term.file, term.line, term.draft.term, term.draft.countries) for term in terms]


def _already_stored(session: Session, terms: Sequence[ImportedTerm]) -> list[ValidationError]:
    """A problem for each term already in the lexicon in its language."""
    stored = stored_keys(session, [(term.draft.language, term.draft.normalized) for term in terms])
    return [
        ValidationError(
            f"is already in the lexicon in {term.draft.language} (term {stored[key]})",
            file=term.file,
            row=term.line,
            field="term",
            entry=term.draft.term,
        )
        for term in terms
        if (key := (term.draft.language, term.draft.normalized)) in stored
    ]


def check_speech_terms(session: Session, principal: Principal, path: Path) -> list[ValidationError]:
    """What only the store can tell about a CSV of terms: an unknown country on any row (also
    one with other problems) and a valid term already in the lexicon. The runner adds these to
    the reader's problems, so that a rejected file names them all in one run."""
    if not allowed(principal, "import", "speech_term"):
        return []  # the loader refuses the principal; the reader's problems come first
    terms, _, read = _read_csv(path)
    countries = [(path.name, row.line, row.term[:60] or None, row.countries) for row, _ in read]
    problems = _country_problems(session, countries) + _already_stored(session, terms)
    problems.sort(key=lambda problem: problem.row or 0)
    return problems


def _store(
    session: Session,
    principal: Principal,
    terms: Sequence[ImportedTerm],
    data_import: DataImport,
    origin: str,
) -> LoadCounts:
    add_terms(
        session,
        principal,
        [term.draft for term in terms],
        origin=origin,
        import_id=data_import.id,
        file=data_import.file_name,
    )
    return LoadCounts(created=len(terms))


def load_speech_terms(
    session: Session, terms: Sequence[ImportedTerm], data_import: DataImport
) -> LoadCounts:
    """Store the CSV's terms as drafts (origin "csv:FILE"), or none: a term already in the
    lexicon in its language is refused, like an unknown country, naming its row."""
    principal = _importer(session, data_import)
    require(principal, "import", "speech_term")
    problems = _country_problems(session, _term_countries(terms))
    problems += _already_stored(session, terms)
    problems.sort(key=lambda problem: problem.row or 0)
    if problems:
        raise rejected_import(Path(data_import.file_name), problems)
    origin = f"csv:{Path(data_import.file_name).stem}"[:64]
    return _store(session, principal, terms, data_import, origin)


def load_hurtlex_terms(
    session: Session, terms: Sequence[ImportedTerm], data_import: DataImport
) -> LoadCounts:
    """Store HurtLex's lemmas as drafts (origin "hurtlex:XX", its licence on each); a lemma
    already in the lexicon is left as it is and counted unchanged."""
    principal = _importer(session, data_import)
    require(principal, "import", "speech_term")
    stored = stored_keys(session, [(term.draft.language, term.draft.normalized) for term in terms])
    fresh = [term for term in terms if (term.draft.language, term.draft.normalized) not in stored]
    problems = _country_problems(session, _term_countries(fresh))
    if problems:
        raise rejected_import(Path(data_import.file_name), problems)
    code = hurtlex_language(Path(data_import.file_name))
    counts = _store(session, principal, fresh, data_import, f"hurtlex:{code}")
    return LoadCounts(created=counts.created, unchanged=len(terms) - len(fresh))


CSV_DESCRIPTION = (
    "Hate-speech terms, one a row: term, language, senses (a JSON list of {kind, meaning, "
    "phrases, cues, examples}, or the hateful_*/neutral_* columns), script_variants, countries, "
    'targeted_groups, severity 1-3, why_inflames, alternatives (lists separated by ";"), '
    "first_seen, last_seen, licence, source_url, example, notes; the layout `lens speech terms "
    "export` writes. Imported as drafts for admin review, all or nothing (docs/speech-lexicon.md)."
)
SPEECH_TERMS_CSV = ImportFormat(
    name="speech-terms-csv",
    title="Hate-speech lexicon: CSV",
    description=CSV_DESCRIPTION,
    citation="Cite each term's source (its source_url); the file's provenance is kept.",
    default_path=None,
    read=read_speech_terms_csv,
    load=load_speech_terms,
    check=check_speech_terms,
)
SPEECH_HURTLEX = ImportFormat(
    name="speech-hurtlex",
    title="Hate-speech lexicon: HurtLex (TSV; non-commercial licence)",
    description=(
        "A HurtLex v1.2 lexicon file, hurtlex_XX.tsv (id, pos, category, stereotype, lemma, "
        "level), the language from the file name. Each lemma becomes a draft with one hateful "
        "sense naming its categories, groups and severity from them, and HurtLex's licence, "
        f"{HURTLEX_LICENCE}, shown wherever the term is."
    ),
    citation=(
        "Bassignana, E., Basile, V. & Patti, V. (2018), Hurtlex: A Multilingual Lexicon of Words "
        "to Hurt, Proceedings of the Fifth Italian Conference on Computational Linguistics "
        f"(CLiC-it 2018). {HURTLEX_URL}. Licence: {HURTLEX_LICENCE}: no commercial use; share "
        "adaptations alike."
    ),
    default_path="speech/hurtlex/hurtlex_EN.tsv",
    read=read_speech_hurtlex,
    load=load_hurtlex_terms,
)
