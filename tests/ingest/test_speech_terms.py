"""The lexicon imports through the import runner: CSV and HurtLex terms stored as drafts with
provenance and licence, all or nothing, by admins only; HurtLex re-imports leave terms alone."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest
from sqlalchemy import func, select

from prevention_lens.errors import ImportRejectedError, PermissionDeniedError, ValidationError
from prevention_lens.ingest import run_import
from prevention_lens.ingest.speech_terms import (
    SPEECH_HURTLEX,
    SPEECH_TERMS_CSV,
    read_speech_terms_csv,
)
from prevention_lens.settings import Settings
from prevention_lens.sources.speech_lexicon import HURTLEX_LICENCE
from prevention_lens.speech import text as speech_text
from prevention_lens.speech.lexicon import list_terms
from prevention_lens.speech.shipped_terms import load_shipped_terms
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Principal, Role
from prevention_lens.store.models import DataImport, SpeechTerm, User
from tests.conftest import sources_folder

CSV = (
    "term,language,senses,countries,targeted_groups,severity,why_inflames\n"
    'madoadoa,sw,"[{""kind"": ""hateful"", ""meaning"": ""outsiders"", '
    '""phrases"": [""kuondoa madoadoa""]}, {""kind"": ""neutral"", ""meaning"": ""spots""}]",'
    "Kenya,origin,3,Used to call for driving people out.\n"
    "mende,sw,,Kenya,origin,2,\n"
)
CSV_FLAT = "term,language,hateful_meaning,neutral_meaning\nmende,sw,people as vermin,cockroach\n"
HURTLEX = (
    "id\tpos\tcategory\tstereotype\tlemma\tlevel\n"
    "XX1\tn\tps\tyes\tslurword\tconservative\n"
    "XX1\tn\tcds\tyes\tslurword\tinclusive\n"
    "XX2\tn\tan\tno\tinyenzi\tinclusive\n"
    "XX3\tn\tom\tno\tother-word\tinclusive\n"
)


@pytest.fixture(autouse=True, scope="module")
def _zawgyi_detector() -> None:
    # myanmartools 1.2 opens its model with a deprecated importlib call when first loaded.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        speech_text._detector()


def _counts(store: Store) -> tuple[int, int]:
    with store.session() as session:
        terms = session.scalar(select(func.count(SpeechTerm.id)))
        imports = session.scalar(select(func.count(DataImport.id)))
    return int(terms or 0), int(imports or 0)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_imports_as_drafts_with_provenance(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = _write(tmp_path, "kenya terms.csv", CSV_FLAT.replace("mende", "kwekwe"))
    report = run_import(store, settings, LOCAL_OPERATOR, SPEECH_TERMS_CSV, path)
    assert (report.rows_read, report.rows_created) == (1, 1)
    with store.session() as session:
        row = session.scalar(select(SpeechTerm))
        assert row is not None
        assert (row.status, row.origin, row.import_id, row.created_by) == (
            "draft",
            "csv:kenya terms",
            report.import_id,
            "local-operator",
        )
        assert [(sense.kind, sense.meaning) for sense in row.senses] == [
            ("hateful", "people as vermin"),
            ("neutral", "cockroach"),
        ]


def test_the_same_terms_again_are_refused_by_row_and_nothing_is_written(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = _write(
        tmp_path, "terms.csv", CSV.replace("mende,sw,,", 'mende,sw,"{""kind"": ""hateful""}",')
    )
    run_import(store, settings, LOCAL_OPERATOR, SPEECH_TERMS_CSV, path)
    assert _counts(store) == (2, 1)
    with pytest.raises(ImportRejectedError) as caught:
        run_import(store, settings, LOCAL_OPERATOR, SPEECH_TERMS_CSV, path)
    message = str(caught.value)
    assert "terms.csv" in message
    assert "row 2, entry 'madoadoa', field 'term': is already in the lexicon in sw" in message
    assert {problem.row for problem in caught.value.problems} == {2, 3}
    assert _counts(store) == (2, 1)


BAD_ROWS = {
    "no hateful sense": ("mende,sw,,Kenya,origin,2,\n", "senses", "needs a hateful sense"),
    "unknown country": (
        'mende,sw,"{""kind"": ""hateful""}",Kenia,origin,2,\n',
        "countries",
        "unknown country 'Kenia'",
    ),
    "severity": ('mende,sw,"{""kind"": ""hateful""}",Kenya,origin,5,\n', "severity", "1, 2 or 3"),
    "group": ('mende,sw,"{""kind"": ""hateful""}",Kenya,kikuyu,2,\n', "targeted_groups", "kikuyu"),
    "twice": (
        'Madoadoa,sw,"{""kind"": ""hateful""}",Kenya,origin,2,\n',
        "term",
        "also given on row 2",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_a_bad_row_names_file_row_and_field_and_nothing_is_written(
    case: str, store: Store, settings: Settings, tmp_path: Path
) -> None:
    line, field, words = BAD_ROWS[case]
    good = CSV.splitlines(keepends=True)[:2]
    path = _write(tmp_path, f"{case.replace(' ', '_')}.csv", "".join(good) + line)
    with pytest.raises(ValidationError) as caught:
        run_import(store, settings, LOCAL_OPERATOR, SPEECH_TERMS_CSV, path)
    (problem,) = caught.value.problems if isinstance(caught.value, ImportRejectedError) else ()
    assert (problem.file, problem.row, problem.field) == (path.name, 3, field)
    assert words in problem.problem
    assert _counts(store) == (0, 0)


def test_only_admins_import_terms(store: Store, settings: Settings, tmp_path: Path) -> None:
    with store.session() as session:
        session.add(User(username="ana", display_name="", password_hash="x", role="analyst"))
    analyst = Principal(username="ana", role=Role.ANALYST, user_id=None)
    path = _write(tmp_path, "terms.csv", CSV_FLAT)
    with pytest.raises(PermissionDeniedError, match="import speech_term"):
        run_import(store, settings, analyst, SPEECH_TERMS_CSV, path)
    assert _counts(store) == (0, 0)


def test_hurtlex_lemmas_become_drafts_with_its_licence_one_per_lemma(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = _write(tmp_path, "hurtlex_XX.tsv", HURTLEX)
    report = run_import(store, settings, LOCAL_OPERATOR, SPEECH_HURTLEX, path)
    assert (report.rows_read, report.rows_created, report.rows_unchanged) == (3, 3, 0)
    with store.session() as session:
        rows = {row.term: row for row in session.scalars(select(SpeechTerm))}
        assert set(rows) == {"slurword", "inyenzi", "other-word"}
        assert {(row.licence, row.origin, row.status) for row in rows.values()} == {
            (HURTLEX_LICENCE, "hurtlex:XX", "draft")
        }
        merged = rows["slurword"]
        assert merged.senses[0].meaning == (
            "HurtLex categories: negative stereotypes, ethnic slurs; derogatory words"
        )
        assert (merged.targeted_groups, merged.severity, merged.language) == (["origin"], 2, "xx")
        assert merged.notes.count("HurtLex XX1") == 2


def test_a_hurtlex_reimport_leaves_every_stored_term_alone(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    with store.session() as session:
        load_shipped_terms(session)
    # inyenzi in Kinyarwanda is a shipped term; this HurtLex file is in Kinyarwanda too.
    path = _write(tmp_path, "hurtlex_RW.tsv", HURTLEX)
    first = run_import(store, settings, LOCAL_OPERATOR, SPEECH_HURTLEX, path)
    assert (first.rows_created, first.rows_unchanged) == (2, 1)
    again = run_import(store, settings, LOCAL_OPERATOR, SPEECH_HURTLEX, path)
    assert (again.rows_created, again.rows_unchanged) == (0, 3)
    with store.session() as session:
        inyenzi = session.scalar(
            select(SpeechTerm).where(
                SpeechTerm.language == "rw", SpeechTerm.normalized == "inyenzi"
            )
        )
        assert inyenzi is not None and inyenzi.origin == "shipped"
        assert inyenzi.status == "published"


def test_hurtlex_licence_shows_on_every_term_it_gave(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = _write(tmp_path, "hurtlex_XX.tsv", HURTLEX)
    run_import(store, settings, LOCAL_OPERATOR, SPEECH_HURTLEX, path)
    assert "non-commercial" in SPEECH_HURTLEX.citation
    with store.session() as session:
        records = list_terms(session, LOCAL_OPERATOR, language="xx")
    assert {record.licence for record in records} == {HURTLEX_LICENCE}


@pytest.mark.shared_data
def test_the_real_hurtlex_english_file_imports(sqlite_store: Store, settings: Settings) -> None:
    path = sources_folder() / SPEECH_HURTLEX.default_path  # type: ignore[operator]
    started = time.perf_counter()
    report = run_import(sqlite_store, settings, LOCAL_OPERATOR, SPEECH_HURTLEX, path)
    elapsed = time.perf_counter() - started
    assert report.rows_rejected == 0
    assert report.rows_created > 5000
    assert elapsed < 120


def test_every_problem_of_a_row_is_reported_in_one_run_with_the_store_checks(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    # A user needed four runs for this row: blank language, then the phrase, the group, and
    # only once the file itself was right, the country.
    senses = '"{""kind"": ""hateful"", ""phrases"": [""no such words""]}"'
    row = f"mende,,{senses},Narnia,aliens,2,\n"
    path = _write(tmp_path, "terms.csv", CSV.splitlines(keepends=True)[0] + row)
    with pytest.raises(ImportRejectedError) as caught:
        run_import(store, settings, LOCAL_OPERATOR, SPEECH_TERMS_CSV, path)
    problems = caught.value.problems
    assert [(p.file, p.row, p.field) for p in problems] == [
        ("terms.csv", 2, "language"),
        ("terms.csv", 2, "senses[1].phrases"),
        ("terms.csv", 2, "targeted_groups"),
        ("terms.csv", 2, "countries"),
    ]
    assert all(p.entry == "mende" for p in problems)
    assert "unknown country 'Narnia'" in problems[-1].problem
    assert _counts(store) == (0, 0)


def test_a_bad_term_stands_in_so_its_other_fields_are_still_checked(tmp_path: Path) -> None:
    path = _write(tmp_path, "terms.csv", "term,language,severity,source_url\n!!!,xx-?,7,ftp://x\n")
    terms, problems = read_speech_terms_csv(path)
    assert terms == []
    assert [p.field for p in problems] == ["term", "language", "severity", "source_url"]


def test_cell_problems_and_draft_problems_of_a_row_come_together(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "terms.csv", "term,language,severity,targeted_groups\nmende,,x,aliens\n"
    )
    terms, problems = read_speech_terms_csv(path)
    assert terms == []
    assert sorted(p.field or "" for p in problems) == [
        "language",
        "senses",
        "severity",
        "targeted_groups",
    ]
