"""The hate-speech lexicon imports (``speech-terms-csv``, ``speech-hurtlex``): terms read by
``sources.speech_lexicon``, checked as lexicon drafts, and stored as drafts for admin review,
all or nothing. Importing terms needs an admin (the ``speech_term`` policy's ``import``).

The readers collect every problem a file has on its own (a bad sense, a severity of 4, a term
given twice); the loaders add what only the store knows (unknown countries, a term already in
the lexicon), again all of them, before anything is written.

HurtLex lists a lemma once per category; its rows are merged into one term per language and
normalised form (groups joined, the highest severity kept). A HurtLex term already in the
lexicon, from any origin, is left as it is, so the same file imports again without harm.

Public API::

    ImportedTerm
    read_speech_terms_csv(path) -> (terms, problems);  read_speech_hurtlex(path) -> (...)
    load_speech_terms(session, terms, data_import) -> LoadCounts      (CSV: a stored term is
    load_hurtlex_terms(session, terms, data_import) -> LoadCounts      refused; HurtLex: kept)
    SPEECH_TERMS_CSV, SPEECH_HURTLEX                the ImportFormats (registered in formats.py)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

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
    read_terms_csv,
)
from prevention_lens.speech.lexicon import TermDraft, add_terms, resolve_countries, stored_keys
from prevention_lens.speech.matching import TermSense
from prevention_lens.store.access import LOCAL_OPERATOR, Principal, require
from prevention_lens.store.imports import LoadCounts
from prevention_lens.store.models import DataImport, User


@dataclass(frozen=True)
class ImportedTerm:
    """A checked draft and the row it came from (the first row, for merged HurtLex lemmas)."""

    file: str
    line: int
    draft: TermDraft


def _draft(row: TermRow) -> TermDraft:
    return TermDraft(
        term=row.term,
        language=row.language,
        senses=tuple(
            TermSense(sense.kind, sense.meaning, sense.phrases, sense.cues, sense.examples)
            for sense in row.senses
        ),
        script_variants=row.script_variants,
        countries=row.countries,
        targeted_groups=row.targeted_groups,
        severity=row.severity,
        why_inflames=row.why_inflames,
        alternatives=row.alternatives,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        licence=row.licence,
        source_url=row.source_url,
        example=row.example,
        notes=row.notes,
    )


def _checked(
    file: str, rows: Sequence[TermRow], problems: Sequence[ValidationError]
) -> tuple[list[ImportedTerm], list[ValidationError]]:
    """Rows as drafts; each one that fails names the file, its row and the field."""
    terms: list[ImportedTerm] = []
    found = list(problems)
    for row in rows:
        try:
            terms.append(ImportedTerm(file, row.line, _draft(row)))
        except ValidationError as error:
            found.append(
                ValidationError(
                    error.problem, file=file, row=row.line, field=error.field, entry=error.entry
                )
            )
    return terms, found


def read_speech_terms_csv(path: Path) -> tuple[list[ImportedTerm], list[ValidationError]]:
    """Our CSV layout as drafts; a term given twice in the file is a problem on its second row."""
    terms, problems = _checked(path.name, *read_terms_csv(path))
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
    return kept, problems


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
    terms, problems = _checked(path.name, *read_hurtlex(path))
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


def _country_problems(session: Session, terms: Sequence[ImportedTerm]) -> list[ValidationError]:
    problems = []
    for term in terms:
        try:
            resolve_countries(session, term.draft.countries, entry=term.draft.term)
        except ValidationError as error:
            problems.append(
                ValidationError(
                    error.problem,
                    file=term.file,
                    row=term.line,
                    field="countries",
                    entry=term.draft.term,
                )
            )
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
    problems = _country_problems(session, terms)
    stored = stored_keys(session, [(term.draft.language, term.draft.normalized) for term in terms])
    for term in terms:
        key = (term.draft.language, term.draft.normalized)
        if key in stored:
            problems.append(
                ValidationError(
                    f"is already in the lexicon in {term.draft.language} (term {stored[key]})",
                    file=term.file,
                    row=term.line,
                    field="term",
                    entry=term.draft.term,
                )
            )
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
    problems = _country_problems(session, fresh)
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
