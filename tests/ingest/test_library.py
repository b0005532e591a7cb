"""The evidence-library imports through the import runner: drafts with provenance, or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from prevention_lens.errors import ValidationError
from prevention_lens.ingest import get_format, run_import
from prevention_lens.ingest.library import importing_principal
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Role
from prevention_lens.store.models import DataImport, LibraryEntry, User

ZOTERO = Path(__file__).parents[1] / "whatworks" / "fixtures" / "zotero.bib"


def _counts(store: Store) -> tuple[int, int]:
    with store.session() as session:
        entries = session.scalar(select(func.count(LibraryEntry.id)))
        imports = session.scalar(select(func.count(DataImport.id)))
    return int(entries or 0), int(imports or 0)


def test_a_zotero_file_imports_as_drafts_with_provenance(store: Store, settings: Settings) -> None:
    report = run_import(store, settings, LOCAL_OPERATOR, get_format("evidence-bibtex"), ZOTERO)
    assert (report.rows_read, report.rows_created) == (3, 3)
    with store.session() as session:
        rows = session.scalars(select(LibraryEntry).order_by(LibraryEntry.year)).all()
        data_import = session.get(DataImport, report.import_id)
        assert data_import is not None
        assert data_import.source_format == "evidence-bibtex"
        assert data_import.file_name == "zotero.bib"
        assert {(row.status, row.origin, row.import_id, row.created_by) for row in rows} == {
            ("draft", "import", report.import_id, "local-operator")
        }
        assert [row.year for row in rows] == [2009, 2014, 2019]
    # The same file again: every DOI and key is already there, so nothing more is written.
    with pytest.raises(ValidationError, match=r"zotero\.bib.*already in the library"):
        run_import(store, settings, LOCAL_OPERATOR, get_format("evidence-bibtex"), ZOTERO)
    assert _counts(store) == (3, 1)


GOOD = "author = {Smith, Jane}, title = {A study}, year = {2020},"
BAD_BIBTEX = {
    "no_title": ("author = {Smith, Jane}, year = {2020},", "title", "title is required"),
    "no_year": ("author = {Smith, Jane}, title = {A study},", "year", "year is required"),
    "bad_doi": (GOOD + " doi = {10.abc/1},", "doi", "is not a DOI"),
    "unknown_intervention": (GOOD + " lens-interventions = {prayer},", "lens-interventions", ""),
    "unknown_country": (GOOD + " lens-countries = {Atlantis},", "countries", "Atlantis"),
}


@pytest.mark.parametrize("case", sorted(BAD_BIBTEX))
def test_bad_bibtex_names_file_entry_and_field_and_writes_nothing(
    case: str, store: Store, settings: Settings, tmp_path: Path
) -> None:
    fields, field, words = BAD_BIBTEX[case]
    path = tmp_path / f"{case}.bib"
    path.write_text(f"@article{{fine2020, {GOOD}}}\n@article{{smith2020, {fields}}}\n")
    before = _counts(store)
    with pytest.raises(ValidationError) as caught:
        run_import(store, settings, LOCAL_OPERATOR, get_format("evidence-bibtex"), path)
    message = str(caught.value)
    assert f"{case}.bib" in message
    assert f"entry 'smith2020', field '{field}'" in message
    assert words in message
    assert _counts(store) == before


def test_a_doi_twice_in_a_file_or_already_stored_is_rejected(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    twice = tmp_path / "twice.ris"
    twice.write_text(
        "TY  - JOUR\nID  - a\nAU  - A, B\nTI  - One\nPY  - 2020\nDO  - 10.1000/xyz\nER  - \n"
        "TY  - JOUR\nID  - b\nAU  - C, D\nTI  - Two\nPY  - 2021\nDO  - 10.1000/XYZ\nER  - \n"
    )
    with pytest.raises(ValidationError, match=r"twice\.ris.*entry 'b', field 'doi'.*also given"):
        run_import(store, settings, LOCAL_OPERATOR, get_format("evidence-ris"), twice)
    assert _counts(store) == (0, 0)
    run_import(store, settings, LOCAL_OPERATOR, get_format("evidence-bibtex"), ZOTERO)
    stored = tmp_path / "stored.csv"
    stored.write_text(
        "key,title,authors,year,doi\r\n"
        'contact-again,The contact hypothesis,"Paluck, E",2019,https://doi.org/10.1017/BPP.2018.25\r\n'
    )
    with pytest.raises(
        ValidationError, match=r"stored\.csv.*entry 'contact-again', field 'doi'.*already in the"
    ):
        run_import(store, settings, LOCAL_OPERATOR, get_format("evidence-csv"), stored)
    assert _counts(store) == (3, 1)


def test_entries_are_created_by_the_importing_user(store: Store) -> None:
    with store.session() as session:
        user = User(username="amina", display_name="", password_hash="x", role="analyst")
        session.add(user)
        session.flush()
        principal = importing_principal(session, DataImport(imported_by="amina"))
        assert (principal.username, principal.role, principal.user_id) == (
            "amina",
            Role.ANALYST,
            user.id,
        )
        operator = importing_principal(session, DataImport(imported_by="local-operator"))
        assert (operator.role, operator.user_id) == (Role.ANALYST, None)


def test_the_evidence_formats_are_registered() -> None:
    for name in ("evidence-csv", "evidence-bibtex", "evidence-ris"):
        assert get_format(name).name == name
