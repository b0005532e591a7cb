"""The custody chain: every action is an entry, and rows altered, deleted or inserted directly
in the database are each named by verify()."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from prevention_lens.incidents import custody
from prevention_lens.incidents.drafts import draft_from_mapping
from prevention_lens.incidents.evidence import add_attachment, read_original
from prevention_lens.incidents.exports import export_incidents
from prevention_lens.incidents.records import create_incident, set_status, update_incident
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Principal, Role
from prevention_lens.store.models import CustodyEntry

BEN = Principal("ben", Role.ANALYST, 2)


def _history(store: Store, tmp_path_root: object) -> None:
    with store.session() as session:
        for title in ("First", "Second"):
            draft = draft_from_mapping(
                {
                    "category": "hate_crime",
                    "date_start": "2024-03-01",
                    "country": "CAF",
                    "title": title,
                }
            )
            create_incident(session, LOCAL_OPERATOR, draft)
        set_status(session, LOCAL_OPERATOR, 1, "in_review")
        set_status(session, BEN, 1, "verified")
        update_incident(session, BEN, 2, {"fatalities_best": 3})
        export_incidents(session, LOCAL_OPERATOR, "json")


def _problems(store: Store) -> list[tuple[str, int | None]]:
    with store.session() as session:
        return [(p.kind, p.seq) for p in custody.verify(session).problems]


@pytest.fixture
def chained(store: Store, tmp_path: object) -> Store:
    _history(store, tmp_path)
    with store.session() as session:
        report = custody.verify(session)
        assert report.intact and report.entries == 6 and report.head_seq == 6
        actions = [e.action for e in session.query(CustodyEntry).order_by(CustodyEntry.seq)]
        assert actions == ["create", "create", "status", "status", "edit", "export"]
    return store


def _run(store: Store, sql: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(text(sql))


def test_an_altered_entry_is_named(chained: Store) -> None:
    _run(chained, "UPDATE custody_log SET actor = 'mallory' WHERE seq = 3")
    assert _problems(chained) == [("altered", 3)]


def test_a_removed_entry_is_named(chained: Store) -> None:
    _run(chained, "DELETE FROM custody_log WHERE seq = 4")
    assert ("removed", 4) in _problems(chained)


def test_entries_removed_from_the_end_are_named(chained: Store) -> None:
    _run(chained, "DELETE FROM custody_log WHERE seq >= 5")
    assert _problems(chained) == [("removed", 5), ("record-changed", None)]


def test_an_inserted_entry_is_named(chained: Store) -> None:
    _run(
        chained,
        "INSERT INTO custody_log (seq, incident_id, action, actor, at, detail, record_sha256,"
        " previous_hash, entry_hash) SELECT 7, 1, 'status', 'mallory', at, detail,"
        " record_sha256, entry_hash, entry_hash FROM custody_log WHERE seq = 6",
    )
    problems = _problems(chained)
    assert ("inserted", 7) in problems and ("altered", 7) in problems


def test_a_record_changed_behind_the_applications_back_is_named(chained: Store) -> None:
    _run(chained, "UPDATE incidents SET fatalities_best = 300 WHERE id = 1")
    with chained.session() as session:
        problems = custody.verify(session).problems
    assert [(p.kind, p.incident_id) for p in problems] == [("record-changed", 1)]
    assert "incident 1 was changed outside the application" in problems[0].message


def test_attachments_and_downloads_are_in_the_chain(store: Store, tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path)) / "evidence"
    with store.session() as session:
        draft = draft_from_mapping(
            {"category": "forced_displacement", "date_start": "2024-01-05", "country": "MMR"}
        )
        incident_id = create_incident(session, LOCAL_OPERATOR, draft).id
        shown = add_attachment(
            session, LOCAL_OPERATOR, root, incident_id, "../photo 1.jpg", b"\xff\xd8 bytes"
        )
    assert shown["filename"] == "photo 1.jpg" and shown["size_bytes"] == 8
    with store.session() as session:
        _, content = read_original(session, BEN, root, shown["id"])
        assert content == b"\xff\xd8 bytes"
        report = custody.verify(session)
        assert report.intact
        assert [e.action for e in session.query(CustodyEntry).order_by(CustodyEntry.seq)] == [
            "create",
            "attach",
            "download",
        ]


def test_digests_are_salted_so_they_cannot_confirm_a_guess(store: Store, tmp_path: object) -> None:
    from pathlib import Path

    from prevention_lens.store.access import Confidentiality

    values = {
        "category": "hate_crime",
        "date_start": "2024-03-01",
        "country": "IND",
        "witness_identity": "Guessable Name",
    }
    with store.session() as session:
        first = create_incident(session, LOCAL_OPERATOR, draft_from_mapping(values))
        second = create_incident(session, LOCAL_OPERATOR, draft_from_mapping(values))
        first.id = second.id  # the same content in every column but the salt
        assert custody.record_digest(first) != custody.record_digest(second)
        session.rollback()
    root = Path(str(tmp_path)) / "evidence"
    with store.session() as session:
        incident_id = create_incident(session, LOCAL_OPERATOR, draft_from_mapping(values)).id
        add_attachment(
            session,
            LOCAL_OPERATOR,
            root,
            incident_id,
            "statement.pdf",
            b"%PDF secret",
            confidentiality=Confidentiality.CONFIDENTIAL,
        )
        entry = session.query(CustodyEntry).order_by(CustodyEntry.seq.desc()).first()
        assert entry is not None and entry.action == "attach"
        assert set(entry.detail) == {"attachment_id"}
