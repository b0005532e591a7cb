"""The evidence-library imports (``evidence-csv``, ``evidence-bibtex``, ``evidence-ris``):
entries read by ``whatworks`` and stored as drafts for admin review, all or nothing.

The readers collect every problem a file has on its own (a missing title, a bad DOI, an unknown
code, a DOI given twice); the loader adds what only the store knows (unknown countries, a DOI
or key already in the library), again all of them, before anything is written.

Public API::

    load_library_entries(session, records, data_import) -> LoadCounts
    EVIDENCE_CSV, EVIDENCE_BIBTEX, EVIDENCE_RIS     the ImportFormats (registered in formats.py)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from prevention_lens.errors import ValidationError
from prevention_lens.ingest.registry import ImportFormat
from prevention_lens.ingest.rejections import rejected_import
from prevention_lens.store.access import Principal, Role, require
from prevention_lens.store.imports import LoadCounts
from prevention_lens.store.models import DataImport, LibraryEntry, User
from prevention_lens.store.reference import unresolved_countries
from prevention_lens.whatworks.bibtex import read_bibtex
from prevention_lens.whatworks.interchange import ImportedEntry
from prevention_lens.whatworks.library import add_entries
from prevention_lens.whatworks.ris import read_ris
from prevention_lens.whatworks.tables import read_csv

CITATION = "Cite each entry's own authors; the file's provenance is kept with every entry."


def importing_principal(session: Session, data_import: DataImport) -> Principal:
    """Who runs the import, as the library's functions need them: the user recorded on the
    import, with their stored role and id (so entries carry ``created_by_id``). The runner has
    already required the analyst role, so the local operator (no account) acts as an analyst."""
    user = session.execute(
        select(User.id, User.role).where(User.username == data_import.imported_by)
    ).first()
    if user is None:
        return Principal(data_import.imported_by, Role.ANALYST)
    return Principal(data_import.imported_by, Role.parse(user.role), user.id)


def _store_problems(
    session: Session, records: Sequence[ImportedEntry], file: str
) -> list[ValidationError]:
    """Every unknown country, and every DOI or key the library already holds."""
    unknown = unresolved_countries(session, (c for r in records for c in r.draft.countries))
    problems = [
        ValidationError(unknown[value], file=file, field="countries", entry=record.label)
        for record in records
        for value in record.draft.countries
        if value in unknown
    ]
    dois = {record.draft.doi: record.label for record in records if record.draft.doi}
    keys = {str(record.draft.key): record.label for record in records}
    stored = session.execute(
        select(LibraryEntry.key, LibraryEntry.doi).where(
            or_(LibraryEntry.doi.in_(dois), LibraryEntry.key.in_(keys))
        )
    ).all()
    for key, doi in stored:
        if doi in dois:
            problems.append(
                ValidationError(
                    f"DOI {doi} is already in the library as entry {key!r}",
                    file=file,
                    field="doi",
                    entry=dois[doi],
                )
            )
        if key in keys:
            problems.append(
                ValidationError(
                    f"key {key!r} is already in the library; give this entry another key",
                    file=file,
                    field="key",
                    entry=keys[key],
                )
            )
    return problems


def load_library_entries(
    session: Session, records: Sequence[ImportedEntry], data_import: DataImport
) -> LoadCounts:
    """Store the entries as drafts (origin "import", linked to the import), or none of them."""
    principal = importing_principal(session, data_import)
    require(principal, "import", "library_entry")
    problems = _store_problems(session, records, data_import.file_name)
    if problems:
        raise rejected_import(Path(data_import.file_name), problems)
    rows = add_entries(
        session,
        principal,
        [record.draft for record in records],
        origin="import",
        file=data_import.file_name,
        import_id=data_import.id,
    )
    return LoadCounts(created=len(rows))


EVIDENCE_CSV = ImportFormat(
    name="evidence-csv",
    title="Evidence library: CSV",
    description=(
        "Entries of the evidence library, one a row; the header is the library's field names "
        "(title, authors, year, ... as `lens evidence export --format csv` writes them), lists "
        'separated by ";". Imported as drafts for admin review, all or nothing.'
    ),
    citation=CITATION,
    default_path=None,
    read=read_csv,
    load=load_library_entries,
)
EVIDENCE_BIBTEX = ImportFormat(
    name="evidence-bibtex",
    title="Evidence library: BibTeX (Zotero, JabRef, EndNote)",
    description=(
        "A .bib file as reference managers export it; our classification, where present, in "
        "lens-* fields. An abstract is not taken as our summary. Imported as drafts for admin "
        "review, all or nothing."
    ),
    citation=CITATION,
    default_path=None,
    read=read_bibtex,
    load=load_library_entries,
)
EVIDENCE_RIS = ImportFormat(
    name="evidence-ris",
    title="Evidence library: RIS (EndNote, Zotero, Mendeley)",
    description=(
        "An .ris file as reference managers export it; our classification, where present, in "
        '"N1  - lens-...: value" notes. Imported as drafts for admin review, all or nothing.'
    ),
    citation=CITATION,
    default_path=None,
    read=read_ris,
    load=load_library_entries,
)
