"""The custody chain: every action is an entry, and rows altered, deleted or inserted directly
in the database are each named by verify()."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from prevention_lens.errors import StoreError
from prevention_lens.incidents import custody
from prevention_lens.incidents.drafts import SourceDraft, draft_from_mapping
from prevention_lens.incidents.evidence import add_attachment, add_source, read_original
from prevention_lens.incidents.exports import export_incidents
from prevention_lens.incidents.records import create_incident, set_status, update_incident
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Principal, Role
from prevention_lens.store.models import (
    Base,
    CustodyEntry,
    DataImport,
    Incident,
    IncidentAttachment,
    IncidentRevision,
    IncidentSource,
)

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
        assert set(entry.detail) == {"attachment_id", "digest_version"}


# --- what the record digest covers -------------------------------------------------------

ANA = Principal("ana", Role.ADMIN, 3)
# The digests of the record built by _sealed_incident() under each digest version. Stores hold
# records sealed with each: these must never change (a new digest is a new version).
VERSION_1_DIGEST = "c489ccd903dbb0eb8a38bf2ed4feb7807498a0fe4e1923ce083009fb5600ff13"
VERSION_2_DIGEST = "302000d0fec630da17f1acabc637ef8a997a7b1f8b64da8ed068b84c8e617d6a"


def _sealed_incident() -> Incident:
    at = datetime(2024, 3, 2, 10, 0, tzinfo=UTC)
    incident = Incident(
        id=7,
        dataset="manual",
        external_id=None,
        revision=2,
        status="in_review",
        confidentiality=1,
        withdrawn=False,
        withdrawn_reason="",
        category="hate_crime",
        ucdp_type_of_violence=None,
        acled_event_type=None,
        acled_sub_event_type=None,
        title="Attack on a market",
        narrative="",
        date_start=date(2024, 3, 1),
        date_end=None,
        date_precision="day",
        country_id=12,
        admin1="Bangui",
        admin2=None,
        place_name="",
        latitude=4.3612,
        longitude=18.5550,
        location_precision="exact",
        exact_place="",
        perpetrator_kind="unknown",
        perpetrator_name="",
        target_groups=[{"dimension": "religion", "name": "Muslim"}],
        identity_targeted=True,
        fatalities_best=3,
        fatalities_low=None,
        fatalities_high=None,
        witness_identity="W",
        witness_contact="",
        source_identity="",
        import_id=None,
        created_by="ben",
        created_by_id=4,
        created_at=at,
        updated_by="ben",
        updated_at=datetime(2024, 3, 3, 11, 30, tzinfo=UTC),
        verified_by=None,
        verified_at=None,
        digest_salt="0123456789abcdef0123456789abcdef",
    )
    incident.sources = [
        IncidentSource(
            id=3,
            incident_id=7,
            url="https://example.org/a",
            publisher="Radio",
            archived_sha256="ab" * 32,
            archived_size=10,
            own_confidentiality=2,
            added_by="ben",
            added_at=at,
        )
    ]
    incident.attachments = [
        IncidentAttachment(
            id=5,
            incident_id=7,
            filename="photo.jpg",
            media_type="image/jpeg",
            sha256="cd" * 32,
            size_bytes=1234,
            description="",
            own_confidentiality=1,
            added_by="ben",
            added_at=at,
        )
    ]
    incident.revisions = []
    return incident


def test_each_digest_version_is_kept_for_the_records_sealed_with_it() -> None:
    incident = _sealed_incident()
    assert custody.record_digest(incident, version=1) == VERSION_1_DIGEST
    assert custody.record_digest(incident, version=2) == VERSION_2_DIGEST
    assert custody.record_digest(incident) == VERSION_2_DIGEST
    assert custody.DIGEST_VERSION == 2
    with pytest.raises(StoreError, match="unknown custody digest version 3"):
        custody.record_digest(incident, version=3)


def test_empty_values_are_left_out_so_an_added_column_keeps_every_digest() -> None:
    incident = _sealed_incident()
    incident.revisions = []  # an empty collection counts as nothing, as NULL does
    assert custody.record_digest(incident) == VERSION_2_DIGEST
    incident.sources[0].archived_size = None
    assert custody.record_digest(incident) != VERSION_2_DIGEST


def _draft(title: str, **extra: object) -> Any:
    return draft_from_mapping(
        {"category": "hate_crime", "date_start": "2024-03-01", "country": "CAF", "title": title}
        | extra
    )


@pytest.fixture
def documented(store: Store, tmp_path: Path) -> Store:
    """Record 1 with every kind of child row (sources, an archived source, an attachment, a
    revision); record 2 bare. Every nullable column the sweep needs filled has a value."""
    root = tmp_path / "evidence"
    with store.session() as session:
        session.add(
            DataImport(
                source_format="csv",
                file_path="/data/x.csv",
                file_name="x.csv",
                sha256="ef" * 32,
                size_bytes=1,
                rows_read=0,
                rows_created=0,
                rows_updated=0,
                rows_unchanged=0,
                imported_by="ben",
                code_version="test",
            )
        )
        draft = _draft(
            "Full",
            sources=[
                SourceDraft(url="https://example.org/1", publisher="Radio", confidential=True)
            ],
        )
        full = create_incident(session, LOCAL_OPERATOR, draft)
        create_incident(session, LOCAL_OPERATOR, _draft("Bare"))
        add_source(
            session,
            LOCAL_OPERATOR,
            root,
            full.id,
            SourceDraft(url="https://example.org/2", publisher="Paper", published_on=None),
            archived=b"<html>archived</html>",
        )
        add_attachment(
            session, LOCAL_OPERATOR, root, full.id, "photo.jpg", b"\xff\xd8 bytes", description="d"
        )
        set_status(session, LOCAL_OPERATOR, full.id, "in_review")
        set_status(session, BEN, full.id, "verified")
        update_incident(session, ANA, full.id, {"fatalities_best": 4})
    with store.session() as session:
        assert custody.verify(session).intact
        assert session.scalar(select(func.count()).select_from(IncidentRevision)) == 1
    return store


def _chained_tables() -> list[sa.Table]:
    """incidents and every table that hangs off it: a table added later is swept too."""
    incidents = Incident.__table__
    assert isinstance(incidents, sa.Table)
    children = [
        table
        for table in Base.metadata.sorted_tables
        if any(key.column.table is incidents for key in table.foreign_keys)
    ]
    return [incidents, *children]


def _another_value(connection: sa.Connection, column: sa.Column[Any], current: Any) -> Any:
    """A valid value for the column that differs from ``current``."""
    if column.primary_key:
        return current + 1000
    if column.foreign_keys:
        (key,) = column.foreign_keys
        query = select(key.column).order_by(key.column).limit(1)
        if current is not None:
            query = query.where(key.column != current)
        other = connection.scalar(query)
        assert other is not None, f"add a {key.column.table.name} row to the fixture"
        return other
    kind = column.type
    kind = getattr(kind, "impl_instance", kind)
    if isinstance(kind, sa.Boolean):
        return not current
    if isinstance(kind, sa.Integer):
        return 1 if current is None else current + 1
    if isinstance(kind, sa.Float):
        return 1.5 if current is None else current + 0.5
    if isinstance(kind, sa.DateTime):
        return datetime(2020, 1, 1, tzinfo=UTC) if current is None else current + timedelta(1)
    if isinstance(kind, sa.Date):
        return date(2020, 1, 1) if current is None else current + timedelta(1)
    if isinstance(kind, sa.JSON):
        if isinstance(current, list):
            return [*current, {"dimension": "ethnicity", "name": "forged"}]
        return {**(current or {}), "title": "forged"}
    if isinstance(kind, sa.String):
        if not current:
            return "x"
        return ("b" if current[0] == "a" else "a") + current[1:]
    raise AssertionError(f"the sweep does not know how to change {column} ({kind!r})")


@pytest.mark.parametrize("table", _chained_tables(), ids=lambda table: table.name)
def test_a_direct_change_to_any_column_breaks_the_chain(documented: Store, table: sa.Table) -> None:
    (key,) = table.primary_key.columns
    # Record 2 is bare, so its own id can change without moving rows that point at it.
    row_id = 2 if table.name == "incidents" else 1
    undetected = []
    for column in table.columns:
        with documented.engine.connect() as connection:
            transaction = connection.begin()
            current = connection.scalar(select(column).where(key == row_id))
            assert connection.scalar(select(func.count()).where(key == row_id)) == 1, (
                f"add a {table.name} row to the fixture"
            )
            changed = _another_value(connection, column, current)
            connection.execute(table.update().where(key == row_id).values({column.name: changed}))
            with Session(bind=connection) as session:
                report = custody.verify(session)
            transaction.rollback()
        if report.intact:
            undetected.append(column.name)
    assert undetected == []


def test_a_source_made_public_is_named(documented: Store) -> None:
    _run(documented, "UPDATE incident_sources SET own_confidentiality = 0 WHERE id = 1")
    with documented.session() as session:
        problems = custody.verify(session).problems
    assert [(p.kind, p.incident_id) for p in problems] == [("record-changed", 1)]


def test_a_revision_snapshot_rewritten_is_named(documented: Store) -> None:
    with documented.engine.begin() as connection:
        connection.execute(sa.update(IncidentRevision).values(snapshot={"title": "Something else"}))
    assert [(kind, seq) for kind, seq in _problems(documented)] == [("record-changed", None)]


def test_a_deleted_record_is_named(documented: Store) -> None:
    with documented.engine.begin() as connection:
        for statement in (
            "DELETE FROM incident_sources WHERE incident_id = 1",
            "DELETE FROM incident_attachments WHERE incident_id = 1",
            "DELETE FROM incident_revisions WHERE incident_id = 1",
            "DELETE FROM incidents WHERE id = 1",
        ):
            connection.execute(text(statement))
    with documented.session() as session:
        problems = custody.verify(session).problems
    assert [(p.kind, p.incident_id) for p in problems] == [("record-deleted", 1)]
    assert "incident 1 was deleted outside the application" in problems[0].message


def test_verify_reads_children_in_a_fixed_number_of_queries(store: Store) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def queries_for(records: int) -> int:
        with store.session() as session:
            for number in range(records):
                draft = _draft(
                    f"R{number}", sources=[SourceDraft(url=f"https://example.org/{number}")]
                )
                create_incident(session, LOCAL_OPERATOR, draft)
        statements.clear()
        sa.event.listen(store.engine, "before_cursor_execute", count)
        try:
            with store.session() as session:
                assert custody.verify(session).intact
        finally:
            sa.event.remove(store.engine, "before_cursor_execute", count)
        return len(statements)

    assert queries_for(2) == queries_for(6)


# --- records sealed with the first digest ------------------------------------------------


def _seal_with_version_1(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(custody, "DIGEST_VERSION", 1)
        with store.session() as session:
            for title in ("One", "Two", "Three"):
                draft = _draft(
                    title, sources=[SourceDraft(url="https://example.org/", publisher="P")]
                )
                create_incident(session, LOCAL_OPERATOR, draft)
            set_status(session, LOCAL_OPERATOR, 3, "in_review")
    with store.session() as session:
        details = [e.detail for e in session.scalars(select(CustodyEntry))]
    assert all("digest_version" not in detail for detail in details)  # as old stores hold


def test_records_sealed_with_the_first_digest_still_verify(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seal_with_version_1(store, monkeypatch)
    assert _problems(store) == []
    _run(store, "UPDATE incidents SET title = 'Forged' WHERE id = 1")
    assert _problems(store) == [("record-changed", None)]


def test_reseal_moves_old_records_to_the_current_digest(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seal_with_version_1(store, monkeypatch)
    _run(store, "UPDATE incidents SET title = 'Forged' WHERE id = 1")
    with store.session() as session:
        report = custody.reseal(session, "local-operator")
    assert report.resealed == [2, 3]
    assert [(p.kind, p.incident_id) for p in report.refused] == [("record-changed", 1)]
    with store.session() as session:
        last = session.scalars(select(CustodyEntry).order_by(CustodyEntry.seq.desc())).first()
        assert last is not None and last.action == "reseal" and last.incident_id == 3
        assert last.detail == {"from_version": 1, "digest_version": 2}
        problems = custody.verify(session).problems
    assert [(p.kind, p.incident_id) for p in problems] == [("record-changed", 1)]
    # Resealed records are now covered in full: a source's publisher shows.
    _run(store, "UPDATE incident_sources SET publisher = 'Forged' WHERE incident_id = 2")
    assert [(p.kind, p.incident_id) for p in _verify(store)] == [
        ("record-changed", 1),
        ("record-changed", 2),
    ]
    with store.session() as session:  # a second run has nothing left to reseal
        again = custody.reseal(session, "local-operator")
    assert again.resealed == [] and [p.incident_id for p in again.refused] == [1]


def _verify(store: Store) -> list[custody.CustodyProblem]:
    with store.session() as session:
        return custody.verify(session).problems
