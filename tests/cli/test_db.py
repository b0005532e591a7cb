"""`lens db`: upgrade (with the custody reseal), status, and check of the whole store."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from prevention_lens.cli import context
from prevention_lens.incidents import custody
from prevention_lens.incidents.drafts import draft_from_mapping
from prevention_lens.incidents.evidence import add_attachment, evidence_root, original_path
from prevention_lens.incidents.records import create_incident
from prevention_lens.store.access import LOCAL_OPERATOR
from prevention_lens.whatworks.packaged import packaged_drafts
from tests.cli.conftest import Lens
from tests.pg_server import PostgresServer

PHOTO = b"\xff\xd8 photo"


def _record(lens: Lens, title: str = "Market attack") -> None:
    root = evidence_root(context.settings().home)
    with context.store().session() as session:
        draft = draft_from_mapping(
            {"category": "hate_crime", "date_start": "2024-03-01", "country": "CAF", "title": title}
        )
        incident = create_incident(session, LOCAL_OPERATOR, draft)
        add_attachment(session, LOCAL_OPERATOR, root, incident.id, "photo.jpg", PHOTO)


def test_check_of_a_sound_store_exits_0(lens: Lens) -> None:
    assert lens("db", "upgrade").code == 0
    _record(lens)
    checked = lens("db", "check")
    assert checked.code == 0, checked.out
    assert checked.out.startswith("No problems: sqlite:///")
    report = lens("db", "check", "--json").json()
    assert isinstance(report, dict)
    assert report["ok"] is True and report["problems"] == []
    assert report["custody"]["entries"] == 2 and report["evidence_files"] == 1


def test_check_names_each_problem_on_one_line_and_exits_1(lens: Lens) -> None:
    assert lens("db", "upgrade").code == 0
    _record(lens, "One")
    _record(lens, "Two")
    with context.store().engine.begin() as connection:
        connection.execute(text("UPDATE incident_attachments SET description = 'x' WHERE id = 1"))
    original = original_path(
        evidence_root(context.settings().home), hashlib.sha256(PHOTO).hexdigest()
    )
    original.chmod(0o644)
    original.write_bytes(b"edited")
    checked = lens("db", "check")
    assert checked.code == 1
    lines = checked.out.splitlines()
    assert lines == [
        "custody record-changed: incident 1 was changed outside the application since its "
        "last custody entry (2)",
        f"evidence changed: {original}: the original of attachments 1 and 2 no longer matches "
        f"its SHA-256 (the file's is {hashlib.sha256(b'edited').hexdigest()})",
    ]
    report = lens("db", "check", "--json").json()
    assert isinstance(report, dict) and report["ok"] is False
    assert [(p["check"], p["kind"]) for p in report["problems"]] == [
        ("custody", "record-changed"),
        ("evidence", "changed"),
    ]


def test_check_of_a_store_not_yet_created(lens: Lens) -> None:
    checked = lens("db", "check")
    home = context.settings().home
    assert checked.code == 1
    assert checked.out.splitlines() == [
        f"connection: there is no store at {home / 'lens.db'}: run `lens db upgrade` to create it"
    ]
    assert not (home / "lens.db").exists()


def test_check_on_postgresql(
    lens: Lens, postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LENS_DATABASE_URL", postgres.create_database())
    assert lens("db", "upgrade").code == 0
    _record(lens)
    checked = lens("db", "check", "--json").json()
    assert isinstance(checked, dict) and checked["ok"] is True
    assert checked["backend"] == "postgresql" and "foreign keys" in checked["checks"]
    with context.store().engine.begin() as connection:
        connection.execute(text("DELETE FROM incidents WHERE id = 1"))
    broken = lens("db", "check")
    root = evidence_root(context.settings().home)
    assert broken.code == 1
    assert broken.out.splitlines() == [
        "custody record-deleted: incident 1 was deleted outside the application (its last "
        "custody entry is 2)",
        f"evidence orphaned: {original_path(root, hashlib.sha256(PHOTO).hexdigest())}: "
        "no attachment or archived source refers to this original",
        f"evidence orphaned: {root / 'working' / '1'}: "
        "a working copy of attachment 1, which does not exist",
    ]
    context.store().dispose()  # the fixture forgets it; a server connection must be closed


def test_upgrade_reseals_records_sealed_with_the_first_digest(
    lens: Lens, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert lens("db", "upgrade").code == 0
    with monkeypatch.context() as patched:
        patched.setattr(custody, "DIGEST_VERSION", 1)
        _record(lens, "One")
        _record(lens, "Two")
    with context.store().engine.begin() as connection:
        connection.execute(text("UPDATE incidents SET title = 'Forged' WHERE id = 2"))
    upgraded = lens("db", "upgrade")
    assert upgraded.code == 0
    assert "Resealed 1 incident record with custody digest version 2." in upgraded.out
    assert (
        "not resealed: incident 2 was changed outside the application since its last custody "
        "entry (4)" in upgraded.err
    )
    again = lens("db", "upgrade")
    assert "Resealed" not in again.out and "not resealed: incident 2" in again.err
    with context.store().session() as session:
        last = session.scalars(text("SELECT action FROM custody_log ORDER BY seq")).all()
    assert last == ["create", "attach", "create", "attach", "reseal"]


def test_upgrade_loads_the_shipped_evidence_library_once(lens: Lens) -> None:
    first = lens("db", "upgrade")
    assert first.code == 0
    assert f"Evidence library: {len(packaged_drafts())} shipped entries added" in first.out
    again = lens("db", "upgrade")
    assert again.code == 0 and "Evidence library" not in again.out


def test_status_names_the_store_where_it_came_from_and_what_it_holds(lens: Lens) -> None:
    assert lens("db", "upgrade").code == 0
    _record(lens)
    status = lens("db", "status", "--json").json()
    home = context.settings().home
    assert isinstance(status, dict)
    assert status["database"] == f"sqlite:///{home / 'lens.db'}"
    assert status["chosen_by"] == "LENS_HOME environment variable"
    assert status["home"] == str(home) and status["up_to_date"] is True
    assert status["incidents"] == 1 and status["forecast_runs"] == 0
    assert status["actors"] == 0 and status["example_actors"] == 0
    assert status["library_entries"] == len(packaged_drafts())
    shown = lens("db", "status")
    assert shown.code == 0
    assert "LENS_HOME environment variable" in shown.out and "incidents" in shown.out


def test_status_of_a_store_not_yet_created_says_so_and_creates_nothing(lens: Lens) -> None:
    shown = lens("db", "status")
    home = context.settings().home
    assert shown.code == 0
    assert f"There is no store at {home / 'lens.db'} yet" in " ".join(shown.out.split())
    assert lens("db", "status", "--json").json() == {
        "database": f"sqlite:///{home / 'lens.db'}",
        "chosen_by": "LENS_HOME environment variable",
        "home": str(home),
        "exists": False,
    }
    assert not (home / "lens.db").exists()
