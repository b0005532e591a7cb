"""Fuzzing the incident importers: files with valid headers and malformed cells either import
(and then re-import unchanged) or are rejected naming rows, and a rejection writes nothing."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from prevention_lens.errors import ValidationError
from prevention_lens.ingest import ImportFormat, get_format, run_import
from prevention_lens.ingest.runner import ImportRejectedError
from prevention_lens.settings import Settings
from prevention_lens.sources.acled import acled_day
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR
from prevention_lens.store.models import CustodyEntry, DataImport, Incident, IncidentRevision
from tests.incidents.test_importers import FIXTURES, GED_HEADER, ged_row

FUZZ = hypothesis_settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=24)
MALFORMED = st.sampled_from(
    [
        "",
        " ",
        "abc",
        "-3",
        "1.5",
        "1e400",
        "nan",
        "inf",
        "9" * 30,
        "2021-02-30",
        "31/04/2021",
        "25 Smarch 2021",
        "31-Apr-20",
        "9/5/20",
        "1-Jan-96",
        "0025-05-09",
        "05/25/2020",
        "0",
        "7",
        "999",
        "١٢",
        "Ünïcødé ✓ 漢字",
        "line\nbreak",
        '"',
        ",",
        "\x00",
        "x" * 400,
    ]
)
CELL = st.one_of(MALFORMED, TEXT)
# How a row's length is spoiled: 0 leaves it, 1 adds a value, -1 drops one.
SHIFT = st.sampled_from([0, 0, 0, 0, 0, 0, 1, -1])


def _footprint(store: Store) -> tuple[int, ...]:
    with store.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Incident, CustodyEntry, DataImport, IncidentRevision)
        )


def _write(
    path: Path, header: list[str], rows: list[tuple[dict[str, str], int]], spelled: list[str]
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(spelled)
        for cells, shift in rows:
            values = [cells.get(name, "") for name in header]
            if shift > 0:
                values.append("surplus")
            elif shift < 0:
                values.pop()
            writer.writerow(values)
    return path


def _import_or_reject(
    store: Store, settings: Settings, import_format: ImportFormat, path: Path, rows: int
) -> None:
    """Either the file imports and re-imports unchanged, or nothing at all is written."""
    before = _footprint(store)
    try:
        report = run_import(store, settings, LOCAL_OPERATOR, import_format, path)
    except ImportRejectedError as rejected:
        event("rejected")
        assert rejected.problems
        assert all(p.row is not None and 2 <= p.row <= rows + 1 for p in rejected.problems)
        assert _footprint(store) == before
        return
    except ValidationError as problem:  # a problem with the whole file
        event("file refused")
        assert problem.row is not None, str(problem)
        assert _footprint(store) == before
        return
    event("imported")
    assert report.rows_created + report.rows_updated + report.rows_unchanged == rows
    assert _footprint(store)[0] - before[0] == report.rows_created
    again = run_import(store, settings, LOCAL_OPERATOR, import_format, path)
    assert (again.rows_created, again.rows_updated) == (0, 0)


def _rows(
    base: st.SearchStrategy[dict[str, str]], columns: list[str]
) -> st.SearchStrategy[list[tuple[dict[str, str], int]]]:
    """Rows built from a valid base with up to two cells spoiled, and sometimes a bad length."""
    spoiled = st.dictionaries(st.sampled_from(columns), CELL, max_size=2)
    row = st.tuples(st.builds(lambda valid, bad: {**valid, **bad}, base, spoiled), SHIFT)
    return st.lists(row, min_size=1, max_size=4)


GED_FUZZED = [
    "id",
    "type_of_violence",
    "date_start",
    "date_end",
    "date_prec",
    "where_prec",
    "country_id",
    "latitude",
    "longitude",
    "best",
    "low",
    "high",
    "dyad_name",
    "side_a",
    "adm_1",
    "source_date",
]
GED_IDS = st.sampled_from(["910001", "910002", "910003"])


@FUZZ
@given(rows=_rows(st.builds(lambda i: ged_row(id=i), GED_IDS), GED_FUZZED))
def test_ged_import_never_crashes_nor_half_writes(
    sqlite_store: Store, settings: Settings, tmp_path: Path, rows: list[tuple[dict[str, str], int]]
) -> None:
    path = _write(tmp_path / "ged_fuzz.csv", GED_HEADER, rows, GED_HEADER)
    _import_or_reject(sqlite_store, settings, get_format("ucdp-ged"), path, len(rows))


def _acled_base() -> tuple[list[str], dict[str, str]]:
    with (FIXTURES / "acled_synthetic_current.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        first = next(reader)
        return list(reader.fieldnames or ()), first


ACLED_HEADER, ACLED_ROW = _acled_base()
ACLED_FUZZED = [
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "inter1",
    "actor2",
    "inter2",
    "iso",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
    "notes",
]
ACLED_VALID = {
    "event_id_cnty": st.sampled_from(["FUZ1", "FUZ2", "FUZ3"]),
    "event_date": st.sampled_from(
        [
            "2021-03-14",
            "14 March 2021",
            "14/03/2021",
            "14-03-2021",
            "14-March-2021",
            "14-Mar-2021",
            "9-May-20",
            "30-Sept-98",
        ]
    ),
    "sub_event_type": st.sampled_from(
        ["", "Attack", "Excessive force against protesters", "Peaceful protest", "Mob violence"]
    ),
    "event_type": st.sampled_from(
        [
            "Battles",
            "Riots",
            "Protests",
            "Violence against civilians",
            "Riots/Protests",
            "Remote violence",
            "Battle-No change of territory",
            "Strategic development",
        ]
    ),
    "inter1": st.sampled_from(["1", "2", "5", "8", "State forces", "Rioters", ""]),
    "inter2": st.sampled_from(["0", "6", "7", "Protesters", "External/Other forces", ""]),
}


@FUZZ
@given(
    rows=_rows(st.fixed_dictionaries(ACLED_VALID).map(lambda v: {**ACLED_ROW, **v}), ACLED_FUZZED),
    upper=st.booleans(),
)
def test_acled_import_never_crashes_nor_half_writes(
    sqlite_store: Store,
    settings: Settings,
    tmp_path: Path,
    rows: list[tuple[dict[str, str], int]],
    upper: bool,
) -> None:
    spelled = [name.upper() for name in ACLED_HEADER] if upper else ACLED_HEADER
    path = _write(tmp_path / "acled_fuzz.csv", ACLED_HEADER, rows, spelled)
    _import_or_reject(sqlite_store, settings, get_format("acled"), path, len(rows))


DELETION_ROW = st.fixed_dictionaries(
    {
        "event_id_cnty": st.one_of(st.sampled_from(["FUZ1", "FUZ2", "MMRSYN001"]), CELL),
        "deleted_timestamp": st.one_of(
            st.integers(min_value=0, max_value=2 * 10**9).map(str),
            st.integers(min_value=-(10**20), max_value=10**20).map(str),
            CELL,
        ),
    }
)


@FUZZ
@given(rows=st.lists(st.tuples(DELETION_ROW, SHIFT), min_size=1, max_size=4))
def test_acled_deletions_never_crash_nor_half_write(
    sqlite_store: Store, settings: Settings, tmp_path: Path, rows: list[tuple[dict[str, str], int]]
) -> None:
    acled = get_format("acled")
    run_import(
        sqlite_store, settings, LOCAL_OPERATOR, acled, FIXTURES / "acled_synthetic_current.csv"
    )
    header = ["event_id_cnty", "deleted_timestamp"]
    path = _write(tmp_path / "acled_deleted_fuzz.csv", header, rows, header)
    _import_or_reject(sqlite_store, settings, acled, path, len(rows))


DESK_HEADER = ["report_no", "reported", "country", "where", "what", "killed", "summary", "group"]
DESK_VALID = st.fixed_dictionaries(
    {
        "report_no": st.sampled_from(["F-1", "F-2", "F-3"]),
        "reported": st.sampled_from(["03/02/2022", "29/02/2024"]),
        "country": st.sampled_from(["Burma", "MMR", "Nigeria", "775"]),
        "where": TEXT,
        "what": st.sampled_from(["one_sided_violence", "hate_crime", "arbitrary_detention"]),
        "killed": st.sampled_from(["", "0", "12"]),
        "summary": TEXT,
        "group": st.sampled_from(["", "ethnicity: Rohingya", "religion: Muslim; caste: Dalit"]),
    }
)


@FUZZ
@given(rows=_rows(DESK_VALID, DESK_HEADER))
def test_mapped_csv_import_never_crashes_nor_half_writes(
    sqlite_store: Store, settings: Settings, tmp_path: Path, rows: list[tuple[dict[str, str], int]]
) -> None:
    mapping = (FIXTURES / "incidents_synthetic_desk.mapping.yaml").read_text(encoding="utf-8")
    (tmp_path / "desk_fuzz.mapping.yaml").write_text(mapping, encoding="utf-8")
    path = _write(tmp_path / "desk_fuzz.csv", DESK_HEADER, rows, DESK_HEADER)
    _import_or_reject(sqlite_store, settings, get_format("incident-csv"), path, len(rows))


ACLED_LAYOUTS = ["%Y-%m-%d", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y", "%d/%m/%Y", "%d-%m-%Y"]


@FUZZ
@given(
    day=st.dates(min_value=date(1997, 1, 1), max_value=date.today()),
    layout=st.sampled_from(ACLED_LAYOUTS),
    unpadded=st.booleans(),
)
def test_acled_dates_in_every_layout_read_back(day: date, layout: str, unpadded: bool) -> None:
    text = day.strftime(layout)
    if unpadded and text[0] == "0":
        text = text[1:]  # exports write 9-May-20 as well as 09-May-20
    assert acled_day(text) == day


@FUZZ
@given(text=st.one_of(TEXT, MALFORMED))
def test_acled_dates_never_crash_and_stay_in_acled_years(text: str) -> None:
    day = acled_day(text)
    assert day is None or date(1997, 1, 1) <= day <= date.today() + timedelta(days=1)
