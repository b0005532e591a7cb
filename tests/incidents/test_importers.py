"""Incident importers: UCDP GED and mapped CSVs import every row once, re-imports update instead
of duplicating, and a bad file writes nothing. ACLED's are in test_import_acled.py, which shares
this file's helpers."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.incidents.records import set_status
from prevention_lens.ingest import get_format, run_import
from prevention_lens.ingest.incidents import ImportedIncident, read_ged
from prevention_lens.ingest.runner import ImportRejectedError
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Principal, Role
from prevention_lens.store.models import (
    CustodyEntry,
    DataImport,
    Incident,
    IncidentRevision,
)
from tests.conftest import sources_folder

FIXTURES = Path(__file__).parent / "fixtures"
GED = get_format("ucdp-ged")
ACLED = get_format("acled")
INCIDENT_CSV = get_format("incident-csv")
MYANMAR_GED = Path("ucdp") / "ged" / "ged_myanmar_1989-2022.csv"
REVIEWER = Principal("ana", Role.ANALYST, 11)

GED_HEADER = [
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
]


def ged_row(**changes: str) -> dict[str, str]:
    """A valid, invented GED row (one-sided violence in Myanmar); ``changes`` override cells."""
    row = dict.fromkeys(GED_HEADER, "")
    row.update(
        id="900001",
        year="2021",
        type_of_violence="3",
        conflict_name="Government of Myanmar (Burma) - Civilians",
        dyad_name="Government of Myanmar (Burma) - Civilians",
        side_a="Government of Myanmar (Burma)",
        side_b="Civilians",
        source_article='"Synthetic Wire,2021-04-10,Invented headline"',
        source_office="Synthetic Wire",
        source_date="2021-04-10",
        where_prec="1",
        where_coordinates="Synthetic village",
        adm_1="Sagaing region",
        latitude="22.1",
        longitude="95.1",
        country="Myanmar (Burma)",
        country_id="775",
        date_prec="1",
        date_start="2021-04-09",
        date_end="2021-04-09",
        deaths_civilians="4",
        best="4",
        high="5",
        low="4",
    )
    row.update(changes)
    return row


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _real_rows(count: int) -> tuple[list[str], list[dict[str, str]]]:
    with (sources_folder() / MYANMAR_GED).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = [row for _, row in zip(range(count), reader, strict=False)]
        return list(reader.fieldnames or ()), rows


def _count(store: Store, model: type) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _footprint(store: Store) -> tuple[int, int, int]:
    return _count(store, Incident), _count(store, CustodyEntry), _count(store, DataImport)


def _incident(store: Store, dataset: str, external_id: str) -> Incident:
    with store.session() as session:
        incident = session.scalar(
            select(Incident).where(Incident.dataset == dataset, Incident.external_id == external_id)
        )
        assert incident is not None
        session.expunge(incident)
        return incident


# --- UCDP GED ---------------------------------------------------------------------------------


@pytest.mark.shared_data
def test_the_myanmar_ged_file_imports_every_event_once(
    sqlite_store: Store, settings: Settings
) -> None:
    folder = sources_folder()
    configured = settings.replace(sources=folder)
    with (folder / MYANMAR_GED).open(newline="", encoding="utf-8") as handle:
        events = sum(1 for _ in csv.DictReader(handle))
    assert events == 5289
    first = run_import(sqlite_store, configured, LOCAL_OPERATOR, GED)
    assert (first.rows_read, first.rows_created, first.rows_rejected) == (events, events, 0)
    again = run_import(sqlite_store, configured, LOCAL_OPERATOR, GED)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, events)
    assert _count(sqlite_store, Incident) == events
    assert _count(sqlite_store, CustodyEntry) == events


@pytest.mark.shared_data
def test_ged_events_map_onto_incident_fields() -> None:
    records, problems = read_ged(sources_folder() / MYANMAR_GED)
    assert problems == [] and len(records) == 5289
    by_id = {r.external_id: r.draft for r in records if isinstance(r, ImportedIncident)}
    knu_attack = by_id["500491"]
    assert knu_attack.category == "one_sided_violence"
    assert (knu_attack.perpetrator_kind, knu_attack.perpetrator_name) == ("non_state", "KNU")
    assert knu_attack.target_groups == ()
    assert (knu_attack.date_start, knu_attack.date_end) == (date(1989, 2, 6), date(1989, 2, 12))
    assert (knu_attack.date_precision, knu_attack.location_precision) == ("week", "near")
    assert (knu_attack.admin1, knu_attack.admin2) == ("Karen state", "Myawaddy district")
    assert knu_attack.country == "MMR" and knu_attack.ucdp_type_of_violence == 3
    assert (knu_attack.fatalities_low, knu_attack.fatalities_best) == (7, 7)
    assert "Reuters News,1989-02-14,BURMA REBELS SHELL VILLAGE" in knu_attack.narrative
    assert [(s.publisher, s.published_on) for s in knu_attack.sources] == [
        ("Reuters News", date(1989, 2, 14))
    ]
    battle = by_id["49166"]
    assert (battle.category, battle.perpetrator_kind) == ("state_based_conflict", "state")
    aggregated = by_id["71686"]  # GED gives low 0 and high 0 around a best of 3
    assert (aggregated.fatalities_low, aggregated.fatalities_best, aggregated.fatalities_high) == (
        0,
        3,
        3,
    )
    assert (aggregated.date_precision, aggregated.location_precision) == ("year", "country")


@pytest.mark.shared_data
def test_a_changed_ged_event_updates_and_a_verified_one_is_reopened(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    header, rows = _real_rows(25)
    path = write_csv(tmp_path / "ged_slice.csv", header, rows)
    assert run_import(store, settings, LOCAL_OPERATOR, GED, path).rows_created == 25
    verified_id = rows[3]["id"]
    record_id = _incident(store, "ucdp-ged", verified_id).id
    with store.session() as session:
        set_status(session, REVIEWER, record_id, "in_review")
        set_status(session, REVIEWER, record_id, "verified")
    rows[3]["best"] = rows[3]["high"] = str(int(rows[3]["best"]) + 10)
    rows[7]["where_description"] = "Corrected description"
    write_csv(path, header, rows)
    again = run_import(store, settings, LOCAL_OPERATOR, GED, path)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 2, 23)
    assert _count(store, Incident) == 25
    reopened = _incident(store, "ucdp-ged", verified_id)
    assert (reopened.status, reopened.revision) == ("in_review", 2)
    assert reopened.fatalities_best == int(rows[3]["best"])
    assert reopened.import_id == again.import_id
    with store.session() as session:
        kept = session.scalars(
            select(IncidentRevision).where(IncidentRevision.incident_id == reopened.id)
        ).all()
        assert [(r.revision, r.status) for r in kept] == [(1, "verified")]


def test_a_bad_ged_file_is_rejected_whole_naming_each_row(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    good = [ged_row(id=str(900001 + n)) for n in range(4)]
    run_import(
        store, settings, LOCAL_OPERATOR, GED, write_csv(tmp_path / "g.csv", GED_HEADER, good)
    )
    before = _footprint(store)
    rows = [
        ged_row(id="900001", best="9", high="9"),  # a valid change: must not be written either
        ged_row(id="900010", date_start="2021-02-30"),
        ged_row(id="900011", best="many"),
        ged_row(id="900001"),
        ged_row(id="900012", latitude="95.1"),
        ged_row(id="900013", type_of_violence="4"),
    ]
    path = write_csv(tmp_path / "bad.csv", GED_HEADER, rows)
    with pytest.raises(ImportRejectedError) as caught:
        run_import(store, settings, LOCAL_OPERATOR, GED, path)
    assert [(p.row, p.field) for p in caught.value.problems] == [
        (3, "date_start"),
        (4, "best"),
        (5, "id"),
        (6, "latitude"),
        (7, "type_of_violence"),
    ]
    message = str(caught.value)
    assert message.startswith("bad.csv: 5 invalid row(s), nothing imported")
    assert "row 5, field 'id': id '900001' appears in rows 2 and 5" in message
    assert "row 4, field 'best': 'many' is not a count" in message
    assert _footprint(store) == before
    assert _incident(store, "ucdp-ged", "900001").fatalities_best == 4


def test_a_failure_while_loading_rolls_the_whole_file_back(
    store: Store, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prevention_lens.ingest import incidents

    real_upsert = incidents.upsert_imported
    calls: list[str] = []

    def failing_upsert(*args: Any, **kwargs: Any) -> str:
        calls.append(kwargs["external_id"])
        if len(calls) == 3:
            raise NotFoundError("Country XYZ is not in the store.")
        return real_upsert(*args, **kwargs)

    monkeypatch.setattr(incidents, "upsert_imported", failing_upsert)
    before = _footprint(store)
    rows = [ged_row(id=str(920001 + n)) for n in range(4)]
    with pytest.raises(ImportRejectedError, match=r"row 4: Country XYZ is not in the store"):
        run_import(
            store, settings, LOCAL_OPERATOR, GED, write_csv(tmp_path / "g.csv", GED_HEADER, rows)
        )
    assert len(calls) == 4 and _footprint(store) == before


def test_a_ged_file_without_a_needed_column_names_it(tmp_path: Path) -> None:
    header = [name for name in GED_HEADER if name != "best"]
    path = write_csv(tmp_path / "old.csv", header, [])
    with pytest.raises(ValidationError, match=r"old\.csv, row 1, field 'best': missing column"):
        read_ged(path)


def test_ged_country_codes_resolve_on_the_event_date(tmp_path: Path) -> None:
    rows = [
        ged_row(
            id="1",
            country="Serbia (Yugoslavia)",
            country_id="345",
            date_start="1995-06-01",
            date_end="1995-06-01",
        ),
        ged_row(
            id="2",
            country="Serbia (Yugoslavia)",
            country_id="345",
            date_start="2010-06-01",
            date_end="2010-06-01",
        ),
        ged_row(id="3", country_id="9999", country="Atlantis"),
    ]
    records, problems = read_ged(write_csv(tmp_path / "g.csv", GED_HEADER, rows))
    countries = [r.draft.country for r in records if isinstance(r, ImportedIncident)]
    assert countries == ["YUG", "SRB"]
    assert [(p.row, p.field) for p in problems] == [(4, "country_id")]


def test_a_ged_country_name_that_contradicts_its_code_is_rejected(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    rows = [
        ged_row(id="1", country="Nigeria", country_id="775"),
        # GED's own spellings agree with their codes, however historical the state.
        ged_row(id="2", country="Serbia (Yugoslavia)", country_id="345", date_start="1995-06-01"),
        ged_row(id="3", country="Serbia (Yugoslavia)", country_id="345", date_start="2010-06-01"),
        ged_row(id="4", country="DR Congo (Zaire)", country_id="490"),
        ged_row(id="5", country="Yemen (North Yemen)", country_id="678"),
        ged_row(id="6", country="Narnia", country_id="775"),  # no name to contradict the code
    ]
    for row in rows[1:]:
        row["date_end"] = row["date_start"]
    path = write_csv(tmp_path / "g.csv", GED_HEADER, rows)
    records, problems = read_ged(path)
    assert [r.external_id for r in records] == ["2", "3", "4", "5", "6"]
    assert [(p.file, p.row, p.field) for p in problems] == [("g.csv", 2, "country")]
    assert problems[0].problem == (
        "'Nigeria' is Nigeria (NGA), but country_id 775 is Myanmar (MMR) on 2021-04-09"
    )
    report = run_import(store, settings, LOCAL_OPERATOR, GED, path, skip_invalid=True)
    assert (report.rows_created, report.rows_rejected) == (5, 1)
    assert report.rejected[0].field == "country"


@pytest.mark.shared_data
def test_every_real_ged_file_reads_without_a_country_contradiction() -> None:
    folder = sources_folder() / "ucdp" / "ged"
    counts = {}
    for path in sorted(folder.glob("*.csv")):
        records, problems = read_ged(path)
        assert problems == [], f"{path.name}: {problems[:3]}"
        counts[path.name] = len(records)
    assert sum(counts.values()) == 5289 + 2085 + 1848 + 1000


# --- a CSV with a column mapping ---------------------------------------------------------------


def _desk_copy(folder: Path, mapping: str | None = None) -> Path:
    path = folder / "desk.csv"
    shutil.copyfile(FIXTURES / "incidents_synthetic_desk.csv", path)
    text = (FIXTURES / "incidents_synthetic_desk.mapping.yaml").read_text(encoding="utf-8")
    (folder / "desk.mapping.yaml").write_text(mapping or text, encoding="utf-8")
    return path


def test_a_csv_with_a_mapping_file_imports_into_its_own_dataset(
    sqlite_store: Store, settings: Settings
) -> None:
    path = FIXTURES / "incidents_synthetic_desk.csv"
    report = run_import(sqlite_store, settings, LOCAL_OPERATOR, INCIDENT_CSV, path)
    assert (report.rows_read, report.rows_created) == (3, 3)
    burned = _incident(sqlite_store, "csv:desk-reports", "SYN-1")
    assert (burned.category, burned.date_start, burned.admin1) == (
        "one_sided_violence",
        date(2022, 2, 3),
        "Sagaing",
    )
    assert burned.target_groups == [{"dimension": "ethnicity", "name": "Bamar"}]
    assert burned.identity_targeted and burned.confidentiality == 1
    assert burned.location_precision == "admin1"
    again = run_import(sqlite_store, settings, LOCAL_OPERATOR, INCIDENT_CSV, path)
    assert (again.rows_created, again.rows_unchanged) == (0, 3)


MAPPING_BASE = (
    "dataset: desk\nid_column: report_no\ndate_format: '%d/%m/%Y'\n"
    "columns:\n  date_start: reported\n  country: country\n  category: what\n"
)


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        (MAPPING_BASE + "  victims: killed\n", "field 'columns.victims': is not a field"),
        (MAPPING_BASE + "  narrative: synopsis\n", "field 'columns.narrative': names column"),
        (MAPPING_BASE.replace("report_no", "number"), "field 'id_column': names column 'number'"),
        (MAPPING_BASE.replace("dataset: desk\n", ""), "field 'dataset': is required"),
        (MAPPING_BASE + "constants:\n  category: other\n", "field 'constants.category': is also"),
        (MAPPING_BASE.replace("  category: what\n", ""), "field 'columns.category': is required"),
        (MAPPING_BASE + "sheet: 1\n", "field 'sheet': is not a mapping key"),
        (MAPPING_BASE + "country_scheme: fips\n", "field 'country_scheme': must be one of"),
        ("columns: [\n", "desk.mapping.yaml: is not valid YAML"),
    ],
)
def test_mapping_problems_name_the_mapping_file_and_key(
    tmp_path: Path, mapping: str, expected: str
) -> None:
    path = _desk_copy(tmp_path, mapping)
    with pytest.raises(ValidationError) as caught:
        INCIDENT_CSV.read(path)
    assert str(caught.value).startswith("desk.mapping.yaml")
    assert expected in str(caught.value)


def test_a_csv_without_its_mapping_file_says_where_it_belongs(tmp_path: Path) -> None:
    path = tmp_path / "reports.csv"
    path.write_text("id,date\n1,2020-01-01\n")
    with pytest.raises(ValidationError, match=r"reports\.mapping\.yaml: file does not exist"):
        INCIDENT_CSV.read(path)


def test_bad_rows_of_a_mapped_csv_name_their_columns(tmp_path: Path) -> None:
    path = _desk_copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("03/02/2022", "2022-02-03")
        .replace("MMR,Magway", "Narnia,Magway")
        .replace("abduction_disappearance,0", "abduction_disappearance,-2"),
        encoding="utf-8",
    )
    records, problems = INCIDENT_CSV.read(path)
    assert records == []
    assert [(p.row, p.field) for p in problems] == [
        (2, "reported"),
        (3, "country"),
        (4, "killed"),
    ]


def test_the_incident_formats_are_registered_with_their_citations() -> None:
    assert GED.default_path == "ucdp/ged/ged_myanmar_1989-2022.csv"
    assert "Sundberg" in GED.citation and "CC BY 4.0" in GED.citation
    assert "Raleigh" in ACLED.citation and "terms of use" in ACLED.citation
    assert ACLED.default_path is None and INCIDENT_CSV.default_path is None
