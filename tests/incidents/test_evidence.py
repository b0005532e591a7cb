"""Evidence files stream to disk while hashed: an upload over the limit is refused without being
read whole, and a refused or failed upload leaves no file and no row behind."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from prevention_lens.errors import ValidationError
from prevention_lens.incidents.drafts import SourceDraft, draft_from_mapping
from prevention_lens.incidents.evidence import (
    CHUNK_BYTES,
    DESCRIPTION_MAX_CHARS,
    add_attachment,
    add_source,
    original_path,
    read_original,
)
from prevention_lens.incidents.records import create_incident
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR
from prevention_lens.store.models import CustodyEntry, IncidentAttachment, IncidentSource


class Endless(io.RawIOBase):
    """A stream that never ends and counts what was read from it, like a hostile upload."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.given = 0
        self.fail_after = fail_after

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.fail_after is not None and self.given >= self.fail_after:
            raise OSError("the connection dropped")
        size = len(buffer)
        buffer[:size] = b"x" * size
        self.given += size
        return size


@pytest.fixture
def incident(sqlite_store: Store) -> Iterator[tuple[Store, int]]:
    with sqlite_store.session() as session:
        draft = draft_from_mapping(
            {"category": "forced_displacement", "date_start": "2024-01-05", "country": "MMR"}
        )
        incident_id = create_incident(session, LOCAL_OPERATOR, draft).id
    yield sqlite_store, incident_id


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _rows(store: Store) -> tuple[int, int]:
    with store.session() as session:
        attachments = session.scalar(select(func.count()).select_from(IncidentAttachment))
        custody = session.scalar(
            select(func.count()).select_from(CustodyEntry).where(CustodyEntry.action == "attach")
        )
    return int(attachments or 0), int(custody or 0)


def test_an_upload_over_the_limit_is_refused_without_being_read_whole(
    incident: tuple[Store, int], tmp_path: Path
) -> None:
    store, incident_id = incident
    root = tmp_path / "evidence"
    stream = Endless()
    limit = 3 * CHUNK_BYTES
    with pytest.raises(ValidationError, match="over"), store.session() as session:
        add_attachment(
            session, LOCAL_OPERATOR, root, incident_id, "huge.bin", stream, max_bytes=limit
        )
    assert limit < stream.given <= limit + CHUNK_BYTES
    assert _files(root) == [] and _rows(store) == (0, 0)


def test_an_upload_that_fails_midway_leaves_nothing(
    incident: tuple[Store, int], tmp_path: Path
) -> None:
    store, incident_id = incident
    root = tmp_path / "evidence"
    with pytest.raises(OSError, match="dropped"), store.session() as session:
        add_attachment(
            session, LOCAL_OPERATOR, root, incident_id, "cut.bin", Endless(fail_after=CHUNK_BYTES)
        )
    assert _files(root) == [] and _rows(store) == (0, 0)


def test_an_empty_file_is_refused_and_leaves_nothing(
    incident: tuple[Store, int], tmp_path: Path
) -> None:
    store, incident_id = incident
    root = tmp_path / "evidence"
    with pytest.raises(ValidationError, match="empty"), store.session() as session:
        add_attachment(session, LOCAL_OPERATOR, root, incident_id, "none.txt", io.BytesIO())
    assert _files(root) == [] and _rows(store) == (0, 0)


@pytest.mark.parametrize("kind", ["stream", "path", "bytes"])
def test_a_file_is_kept_by_hash_from_a_stream_a_path_or_bytes(
    incident: tuple[Store, int], tmp_path: Path, kind: str
) -> None:
    store, incident_id = incident
    root = tmp_path / "evidence"
    content = bytes(range(256)) * (CHUNK_BYTES // 256 * 2 + 3)  # several chunks and a bit
    given: object = {"stream": io.BytesIO(content), "bytes": content}.get(kind)
    if kind == "path":
        given = tmp_path / "statement.pdf"
        given.write_bytes(content)
    with store.session() as session:
        shown = add_attachment(
            session,
            LOCAL_OPERATOR,
            root,
            incident_id,
            "statement.pdf",
            given,  # type: ignore[arg-type]
        )
    digest = hashlib.sha256(content).hexdigest()
    assert shown["sha256"] == digest and shown["size_bytes"] == len(content)
    assert original_path(root, digest).read_bytes() == content
    assert (root / "working" / str(shown["id"]) / "statement.pdf").read_bytes() == content
    assert sorted(p.name for p in _files(root)) == sorted([digest, "statement.pdf"])
    with store.session() as session:
        assert read_original(session, LOCAL_OPERATOR, root, shown["id"])[1] == content


def test_the_same_bytes_twice_share_one_original(
    incident: tuple[Store, int], tmp_path: Path
) -> None:
    store, incident_id = incident
    root = tmp_path / "evidence"
    with store.session() as session:
        for name in ("a.txt", "b.txt"):
            add_attachment(session, LOCAL_OPERATOR, root, incident_id, name, io.BytesIO(b"same"))
    assert len(list((root / "originals").rglob("*"))) == 2  # one folder, one file
    assert not any(path.suffix == ".part" for path in _files(root))


def test_a_long_description_is_refused(incident: tuple[Store, int], tmp_path: Path) -> None:
    store, incident_id = incident
    root = tmp_path / "evidence"
    with pytest.raises(ValidationError) as caught, store.session() as session:
        add_attachment(
            session,
            LOCAL_OPERATOR,
            root,
            incident_id,
            "a.txt",
            b"x",
            description="d" * (DESCRIPTION_MAX_CHARS + 1),
        )
    assert caught.value.field == "description"
    assert _files(root) == []


def test_add_source_checks_the_link_even_when_the_draft_skipped_it(
    incident: tuple[Store, int], tmp_path: Path
) -> None:
    store, incident_id = incident
    with pytest.raises(ValidationError, match="http"), store.session() as session:
        add_source(
            session,
            LOCAL_OPERATOR,
            tmp_path,
            incident_id,
            SourceDraft(url="javascript:alert(1)", publisher="x"),
        )
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(IncidentSource)) == 0
