"""ACLED imports: current, older (upper-case headers, GWNO codes, two-digit years) and
deleted-event files; re-imports apply changes and deletions; every date layout ACLED writes;
and bad rows, missing columns or a file of another format named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.incidents.records import IncidentFilter, list_incidents
from prevention_lens.ingest import run_import
from prevention_lens.ingest.runner import ImportRejectedError
from prevention_lens.settings import Settings
from prevention_lens.sources.acled import acled_day
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR
from prevention_lens.store.models import (
    Country,
    Incident,
)
from tests.incidents.test_importers import (
    ACLED,
    FIXTURES,
    GED_HEADER,
    _count,
    _incident,
    ged_row,
    write_csv,
)


def test_a_current_acled_export_maps_onto_incident_fields(
    sqlite_store: Store, settings: Settings
) -> None:
    path = FIXTURES / "acled_synthetic_current.csv"
    report = run_import(sqlite_store, settings, LOCAL_OPERATOR, ACLED, path)
    assert (report.rows_read, report.rows_created) == (6, 6)
    shooting = _incident(sqlite_store, "acled", "MMRSYN001")
    assert shooting.category == "one_sided_violence" and shooting.target_groups == []
    assert (shooting.perpetrator_kind, shooting.location_precision) == ("state", "exact")
    assert "ACLED codes this event as civilian targeting." in shooting.narrative
    clash = _incident(sqlite_store, "acled", "MMRSYN002")
    assert (clash.category, clash.date_start, clash.location_precision) == (
        "armed_clash",
        date(2021, 4, 2),
        "near",
    )
    protest = _incident(sqlite_store, "acled", "MMRSYN003")
    # A peaceful protest has no perpetrator: the protesters are not one.
    assert (protest.category, protest.date_precision, protest.perpetrator_kind) == (
        "protest",
        "week",
        "unknown",
    )
    assert protest.perpetrator_name == ""
    strike = _incident(sqlite_store, "acled", "MMRSYN004")
    assert strike.location_precision == "admin2" and "air strike hit a village;\ntwo" in (
        strike.narrative
    )
    abduction = _incident(sqlite_store, "acled", "NGASYN001")
    assert (abduction.category, abduction.acled_sub_event_type) == (
        "abduction_disappearance",
        "Abduction/forced disappearance",
    )
    with sqlite_store.session() as session:
        country = session.get(Country, abduction.country_id)
        assert country is not None and country.key == "NGA"
    again = run_import(sqlite_store, settings, LOCAL_OPERATOR, ACLED, path)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 6)


def test_an_older_acled_export_with_upper_case_headers_imports(
    sqlite_store: Store, settings: Settings
) -> None:
    path = FIXTURES / "acled_synthetic_legacy.csv"
    report = run_import(sqlite_store, settings, LOCAL_OPERATOR, ACLED, path)
    assert report.rows_created == 6
    expected = {
        "MMRSYN101": ("one_sided_violence", "Violence against civilians", date(2017, 8, 25)),
        "MMRSYN102": ("armed_clash", "Battles", date(2017, 8, 26)),
        "MMRSYN103": ("riot_mob_violence", "Riots", date(2017, 8, 27)),
        "MMRSYN104": ("protest", "Protests", date(2017, 8, 28)),
        "MMRSYN105": ("remote_violence", "Explosions/Remote violence", date(2017, 8, 29)),
        "MMRSYN106": ("strategic_development", "Strategic developments", date(2017, 8, 30)),
    }
    for external_id, (category, event_type, day) in expected.items():
        incident = _incident(sqlite_store, "acled", external_id)
        assert (incident.category, incident.acled_event_type, incident.date_start) == (
            category,
            event_type,
            day,
        )
    legacy = _incident(sqlite_store, "acled", "MMRSYN103")
    assert "Event type as exported: Riots/Protests" in legacy.narrative
    assert _incident(sqlite_store, "acled", "MMRSYN101").perpetrator_kind == "state"


def test_acled_reimports_apply_changes_and_deletions(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    current = FIXTURES / "acled_synthetic_current.csv"
    run_import(store, settings, LOCAL_OPERATOR, ACLED, current)
    changed = tmp_path / "acled_changed.csv"
    changed.write_text(
        current.read_text(encoding="utf-8")
        .replace('5 fighters killed.",5,,1700000100', '7 fighters killed.",7,,1700090000')
        .replace("NGASYN002,2022-02-10", "NGASYN002,2022-02-11"),
        encoding="utf-8",
    )
    report = run_import(store, settings, LOCAL_OPERATOR, ACLED, changed)
    assert (report.rows_created, report.rows_updated, report.rows_unchanged) == (0, 2, 4)
    assert _incident(store, "acled", "MMRSYN002").fatalities_best == 7
    deleted = FIXTURES / "acled_synthetic_deleted.csv"
    withdrawals = run_import(store, settings, LOCAL_OPERATOR, ACLED, deleted)
    assert (withdrawals.rows_updated, withdrawals.rows_unchanged) == (1, 1)
    gone = _incident(store, "acled", "MMRSYN003")
    assert gone.withdrawn and gone.withdrawn_reason == "deleted by ACLED on 2024-03-09"
    with store.session() as session:
        shown = list_incidents(session, LOCAL_OPERATOR, IncidentFilter(dataset="acled"))
        assert shown.total == 5
    again = run_import(store, settings, LOCAL_OPERATOR, ACLED, deleted)
    assert (again.rows_updated, again.rows_unchanged) == (0, 2)
    assert _count(store, Incident) == 6


def test_bad_acled_rows_are_each_named(
    tmp_path: Path, sqlite_store: Store, settings: Settings
) -> None:
    lines = (FIXTURES / "acled_synthetic_current.csv").read_text(encoding="utf-8").splitlines()
    header, first, second = lines[0], lines[1], lines[2]
    rows = [
        first,
        first,  # the same event twice
        second.replace("02 April 2021", "31 April 2021"),
        second.replace("MMRSYN002", "MMRSYN010").replace("Battles,Armed clash", "Parades,"),
        second.replace("MMRSYN002", "MMRSYN011").replace(",1,Political", ",9,Political"),
        second.replace("MMRSYN002", "MMRSYN012").replace('killed.",5,', 'killed.",five,'),
    ]
    path = tmp_path / "acled_bad.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejectedError) as caught:
        run_import(sqlite_store, settings, LOCAL_OPERATOR, ACLED, path)
    assert [(p.row, p.field) for p in caught.value.problems] == [
        (3, "event_id_cnty"),
        (4, "event_date"),
        (5, "event_type"),
        (6, "time_precision"),
        (7, "fatalities"),
    ]
    assert "id 'MMRSYN001' appears in rows 2 and 3" in str(caught.value)
    assert _count(sqlite_store, Incident) == 0


def test_acled_perpetrators_follow_the_event_type_and_inter_codes(
    tmp_path: Path, sqlite_store: Store, settings: Settings
) -> None:
    lines = (FIXTURES / "acled_synthetic_current.csv").read_text(encoding="utf-8").splitlines()
    header, peaceful, attack = lines[0], lines[3], lines[1]
    excessive = peaceful.replace("MMRSYN003", "MMRSYN501").replace(
        "Peaceful protest,Protesters (Myanmar),,Protesters,,,,Protesters only",
        "Excessive force against protesters,Protesters (Myanmar),,Protesters,"
        "Police Forces of Myanmar (2021-),,State forces,State forces-Protesters",
    )
    foreign = attack.replace("MMRSYN001", "MMRSYN502").replace(
        "Military Forces of Myanmar (2021-),,State forces",
        "Military Forces of China (1949-),,External/Other forces",
    )
    path = tmp_path / "acled_roles.csv"
    path.write_text("\n".join([header, excessive, foreign]) + "\n", encoding="utf-8")
    report = run_import(sqlite_store, settings, LOCAL_OPERATOR, ACLED, path)
    assert report.rows_created == 2
    force = _incident(sqlite_store, "acled", "MMRSYN501")
    assert (force.category, force.perpetrator_kind, force.perpetrator_name) == (
        "excessive_force_protest",
        "state",
        "Police Forces of Myanmar (2021-)",
    )
    assert "Target (ACLED): Protesters (Myanmar), protesters" in force.narrative
    assert force.target_groups == []  # protesters are not an identity group
    assert _incident(sqlite_store, "acled", "MMRSYN502").perpetrator_kind == "state"
    again = run_import(sqlite_store, settings, LOCAL_OPERATOR, ACLED, path)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 2)


def test_older_acled_files_resolve_countries_by_gwno_or_name(tmp_path: Path) -> None:
    path = tmp_path / "acled_africa_synthetic.csv"
    path.write_text(
        "GWNO,EVENT_ID_CNTY,EVENT_DATE,TIME_PRECISION,EVENT_TYPE,ACTOR1,INTER1,COUNTRY,"
        "LATITUDE,LONGITUDE,GEO_PRECISION,FATALITIES\n"
        "475,NIGSYN1,2009-07-28,1,Violence against civilians,Synthetic Group,2,Nigeria,"
        "11.8,13.15,1,3\n"
        ",NIGSYN2,2009-07-29,1,Battle-No change of territory,Synthetic Group,2,Nigeria,"
        "11.8,13.15,1,0\n"
        ",NIGSYN3,2009-07-30,1,Battles,Synthetic Group,2,Atlantis,11.8,13.15,1,0\n",
        encoding="utf-8",
    )
    records, problems = ACLED.read(path)
    assert [r.draft.country for r in records] == ["NGA", "NGA"]
    assert [(p.row, p.field) for p in problems] == [(4, "COUNTRY")]


def test_a_deleted_events_file_with_a_bad_timestamp_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "acled_deleted.csv"
    path.write_text("event_id_cnty,deleted_timestamp\nA1,1710000000\nA2,yesterday\n,1\n")
    records, problems = ACLED.read(path)
    assert len(records) == 1
    assert [(p.row, p.field) for p in problems] == [
        (3, "deleted_timestamp"),
        (4, "event_id_cnty"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-08-25", date(2017, 8, 25)),
        ("25 August 2017", date(2017, 8, 25)),
        ("25-August-2017", date(2017, 8, 25)),
        ("25-Aug-2017", date(2017, 8, 25)),
        ("5 Sept 2017", date(2017, 9, 5)),
        ("25/08/2017", date(2017, 8, 25)),
        ("31/02/2017", None),
        ("2017-13-01", None),
        ("25 Foo 2017", None),
        ("08/25/2017", None),
        ("", None),
        # Exports of 2020 and earlier, saved through a spreadsheet: day-Mon-two-digit year.
        ("9-May-20", date(2020, 5, 9)),
        ("09-May-2020", date(2020, 5, 9)),
        ("30-Sept-24", date(2024, 9, 30)),
        ("1-Jan-97", date(1997, 1, 1)),
        ("31-Dec-99", date(1999, 12, 31)),
        ("1-Jan-00", date(2000, 1, 1)),
        ("09 May 2023", date(2023, 5, 9)),
        ("09-05-2020", date(2020, 5, 9)),
        ("31-Apr-20", None),
        ("9/5/20", None),  # a numeric two-digit year is not a layout ACLED writes
        ("0025-05-09", None),  # before ACLED's data begin (1997)
        ("1996-12-31", None),
        ("9-May-2020x", None),
    ],
)
def test_acled_dates_in_each_layout(text: str, expected: date | None) -> None:
    assert acled_day(text) == expected


def test_an_acled_export_of_2020_with_two_digit_years_imports_every_row(
    tmp_path: Path, sqlite_store: Store, settings: Settings
) -> None:
    lines = (FIXTURES / "acled_synthetic_current.csv").read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1]
    rows = [
        first.replace("MMRSYN001,2021-03-14", f"MMRSYN3{day:02d},{day}-May-20")
        for day in range(1, 31)
    ]
    path = tmp_path / "acled_2020.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    report = run_import(sqlite_store, settings, LOCAL_OPERATOR, ACLED, path)
    assert (report.rows_read, report.rows_created, report.rows_rejected) == (30, 30, 0)
    assert _incident(sqlite_store, "acled", "MMRSYN309").date_start == date(2020, 5, 9)


def test_an_acled_date_that_is_not_a_layout_acled_writes_names_file_row_and_field(
    tmp_path: Path,
) -> None:
    lines = (FIXTURES / "acled_synthetic_current.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "acled_odd.csv"
    path.write_text(
        "\n".join([lines[0], lines[1].replace("2021-03-14", "9/5/20")]) + "\n", encoding="utf-8"
    )
    records, problems = ACLED.read(path)
    assert records == []
    assert [(p.file, p.row, p.field) for p in problems] == [("acled_odd.csv", 2, "event_date")]
    assert "'9/5/20' is not a date in a layout ACLED writes" in problems[0].problem


def test_numeric_acled_dates_written_month_first_are_refused_as_ambiguous(
    tmp_path: Path,
) -> None:
    """A file re-saved with US date settings writes 05/09/2020; day first would misread it."""
    lines = (FIXTURES / "acled_synthetic_current.csv").read_text(encoding="utf-8").splitlines()
    rows = [
        lines[1].replace("MMRSYN001,2021-03-14", "MMRSYN401,05/09/2020"),
        lines[1].replace("MMRSYN001,2021-03-14", "MMRSYN402,05/25/2020"),
        lines[1].replace("MMRSYN001,2021-03-14", "MMRSYN403,2020-05-26"),
    ]
    path = tmp_path / "acled_us.csv"
    path.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    records, problems = ACLED.read(path)
    assert [r.external_id for r in records] == ["MMRSYN403"]
    assert [(p.row, p.field) for p in problems] == [(2, "event_date"), (3, "event_date")]
    assert "month first" in problems[0].problem and "row 3" in problems[0].problem


@pytest.mark.parametrize(
    ("header", "layout"),
    [
        # A current export cut down by hand: event_date and time_precision dropped.
        (
            "event_id_cnty,year,disorder_type,event_type,sub_event_type,actor1,inter1,country,"
            "latitude,longitude,geo_precision,fatalities",
            "a current ACLED export (lower-case headers)",
        ),
        (
            "EVENT_ID_CNTY,EVENT_DATE,YEAR,EVENT_TYPE,ACTOR1,INTER1,COUNTRY,LATITUDE,LONGITUDE",
            "an older ACLED export (upper-case headers)",
        ),
        (",".join(GED_HEADER), "a UCDP GED file"),
        ("report_no,reported,country,where,what,killed", "none of the layouts Prevention Lens"),
    ],
)
def test_an_acled_file_without_required_columns_says_which_layout_it_looks_like(
    tmp_path: Path, header: str, layout: str
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(header + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        ACLED.read(path)
    message = str(caught.value)
    assert message.startswith("events.csv, row 1, field ")
    assert "missing column(s) " in message
    assert f"the header looks like {layout}" in message
    assert "lens incidents import incident-csv events.csv" in message
    assert "events.mapping.yaml" in message


def test_a_ged_file_given_to_the_acled_importer_points_to_ucdp_ged(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ged.csv", GED_HEADER, [ged_row()])
    with pytest.raises(ValidationError, match=r"lens incidents import ucdp-ged ged\.csv"):
        ACLED.read(path)
