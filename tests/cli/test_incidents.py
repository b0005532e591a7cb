"""`lens incidents`: list, show, review as named users, attach, export, verify the custody chain."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import text

from prevention_lens.cli import context
from prevention_lens.incidents.drafts import IncidentDraft, draft_from_mapping
from prevention_lens.incidents.records import create_incident
from prevention_lens.store.access import LOCAL_OPERATOR
from tests.cli.conftest import Lens

MARKER = "SECRET-WITNESS-c0ff"


def _seed(lens: Lens) -> None:
    assert lens("db", "upgrade").code == 0
    for name in ("ana", "ben"):
        added = lens(
            "users",
            "add",
            name,
            "--role",
            "analyst",
            "--password-stdin",
            stdin="correct horse battery\n",
        )
        assert added.code == 0, added.err
    with context.store().session() as session:
        for title, country, level in (
            ("Village burned", "Myanmar", "public"),
            ("Market attack", "CAF", "public"),
            ("Detention camp", "Myanmar", "restricted"),
        ):
            draft = draft_from_mapping(
                {
                    "category": "one_sided_violence",
                    "date_start": "2017-08-26",
                    "country": country,
                    "title": title,
                    "latitude": "20.654321",
                    "longitude": "92.456789",
                    "witness_identity": MARKER,
                    "confidentiality": level,
                }
            )
            create_incident(session, LOCAL_OPERATOR, draft)


def test_list_filters_and_show(lens: Lens) -> None:
    _seed(lens)
    listed = lens("incidents", "list", "--country", "Burma", "--json").json()
    assert isinstance(listed, dict) and listed["total"] == 2
    assert {row["title"] for row in listed["incidents"]} == {"Village burned", "Detention camp"}
    found = lens("incidents", "list", "--search", "market", "--json").json()
    assert isinstance(found, dict) and [r["id"] for r in found["incidents"]] == [2]
    shown = lens("incidents", "show", "1")
    assert shown.code == 0 and "Village burned" in shown.out and "Custody log" in shown.out
    missing = lens("incidents", "show", "99")
    assert missing.code == 2 and "No incident 99" in missing.err
    bad = lens("incidents", "list", "--since", "26/08/2017")
    assert bad.code == 2 and "--since" in bad.err


def test_review_as_named_users_follows_the_rules(lens: Lens) -> None:
    _seed(lens)
    assert lens("incidents", "status", "1", "in_review", "--as", "ana").code == 0
    verified = lens("incidents", "status", "1", "verified", "--as", "ben", "--note", "2 sources")
    assert verified.code == 0 and "verified (by ben)" in verified.out
    # The local operator created the records, so it may not verify them itself.
    assert lens("incidents", "status", "2", "in_review").code == 0
    own = lens("incidents", "status", "2", "verified")
    assert own.code == 2 and "someone else must review it" in own.err
    record = lens("incidents", "show", "1", "--json").json()
    assert isinstance(record, dict)
    assert [(e["actor"], e["action"]) for e in record["custody"]] == [
        ("local-operator", "create"),
        ("ana", "status"),
        ("ben", "status"),
    ]


def test_attach_export_and_verify_custody(lens: Lens, tmp_path: Path) -> None:
    _seed(lens)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff evidence")
    attached = lens("incidents", "attach", "1", str(photo), "--description", "houses")
    assert attached.code == 0 and "sha256" in attached.out
    public = lens("incidents", "export", "--format", "csv", "--public")
    rows = list(csv.DictReader(io.StringIO(public.out)))
    assert [row["title"] for row in rows] == ["Market attack", "Village burned"]
    assert MARKER not in public.out and "20.654321" not in public.out
    assert rows[0]["latitude"] == "20.65"
    full = tmp_path / "all.geojson"
    assert lens("incidents", "export", "--format", "geojson", "--output", str(full)).code == 0
    assert len(json.loads(full.read_text())["features"]) == 3
    intact = lens("incidents", "verify-custody", "--json")
    report = intact.json()
    assert intact.code == 0 and isinstance(report, dict)
    assert report["intact"] is True and report["entries"] == 6 and report["problems"] == []
    with context.store().engine.begin() as connection:
        connection.execute(text("UPDATE custody_log SET actor = 'mallory' WHERE seq = 2"))
        connection.execute(text("DELETE FROM custody_log WHERE seq = 5"))
    broken = lens("incidents", "verify-custody")
    assert broken.code == 1
    assert "entry 2 (create by mallory) was altered" in broken.out
    assert "entry 5 was removed" in broken.out


def test_categories_and_unknown_import_format(lens: Lens) -> None:
    listed = lens("incidents", "categories", "--json").json()
    assert isinstance(listed, list)
    codes = {row["code"]: row for row in listed}
    assert codes["one_sided_violence"]["ucdp"] == 3 and codes["hate_crime"]["against_civilians"]
    wrong = lens("incidents", "import", "country-names")
    assert wrong.code == 2 and "unknown incident format 'country-names'" in wrong.err


def test_an_acled_file_with_no_valid_row_fails_even_with_skip_invalid(
    lens: Lens, tmp_path: Path
) -> None:
    fixture = Path(__file__).parents[1] / "incidents" / "fixtures" / "acled_synthetic_current.csv"
    header, first = fixture.read_text(encoding="utf-8").splitlines()[:2]
    rows = [first.replace("MMRSYN001,2021-03-14", f"MMRSYN6{n},9/5/2{n}") for n in range(3)]
    path = tmp_path / "acled_bad_dates.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = lens("incidents", "import", "acled", str(path), "--skip-invalid")
    assert result.code == 2
    assert result.err.count("\n") == 1  # one line, not one per row
    assert "all 3 row(s) are invalid, nothing imported" in result.err
    assert "and 2 more row(s) like it (rows 3, 4)" in result.err


def test_an_empty_list_says_why(lens: Lens) -> None:
    assert lens("db", "upgrade").code == 0
    empty = lens("incidents", "list")
    assert empty.code == 0
    assert "nothing imported yet" in empty.out and "lens incidents import ucdp-ged" in empty.out
    _seed(lens)
    narrowed = lens("incidents", "list", "--country", "Chad", "--search", "market")
    assert narrowed.code == 0
    assert "0 incidents match --country TCD, --search market" in narrowed.out
    assert "the store holds 3" in narrowed.out


def test_signals_say_why_there_are_none_and_page_newest_first(lens: Lens) -> None:
    assert lens("db", "upgrade").code == 0
    nothing = lens("signals")
    assert nothing.code == 0 and "no incidents in this store yet" in nothing.out
    with context.store().session() as session:
        for month in range(1, 13):
            for year in (2015, 2016):
                create_incident(session, LOCAL_OPERATOR, _event(f"{year}-{month:02d}-10"))
        for day in range(1, 11):
            create_incident(session, LOCAL_OPERATOR, _event(f"2016-03-{day:02d}", "state"))
        for day in range(1, 13):
            create_incident(session, LOCAL_OPERATOR, _event(f"2016-11-{day:02d}"))
    recent = lens("signals", "--json").json()
    assert isinstance(recent, list)
    months = [alert["month"] for alert in recent]
    assert months[0] == "2016-11" and months == sorted(months, reverse=True)
    strongest = lens("signals", "--order", "strength", "--json").json()
    assert isinstance(strongest, list)
    scores = [alert["score"] for alert in strongest]
    assert scores == sorted(scores, reverse=True)
    second = lens("signals", "--top", "1", "--page", "2", "--json").json()
    assert second == recent[1:2]
    table = lens("signals")
    assert table.code == 0 and "newest month first" in table.out and "perpetrators" in table.out
    quiet = lens("signals", "--since", "2030-01")
    assert quiet.code == 0 and "0 alerts for --since 2030-01 among" in quiet.out
    assert lens("signals", "--order", "loudest").code == 2


def _event(day: str, perpetrator: str = "unknown") -> IncidentDraft:
    return draft_from_mapping(
        {
            "category": "one_sided_violence",
            "date_start": day,
            "country": "Myanmar",
            "title": f"Attack {day}",
            "perpetrator_kind": perpetrator,
            "confidentiality": "public",
        }
    )
