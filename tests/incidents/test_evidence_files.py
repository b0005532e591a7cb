"""The evidence folder against the store: every original referenced, present and unchanged,
nothing else in it, and working copies only of attachments that exist."""

from __future__ import annotations

import hashlib
from pathlib import Path

from prevention_lens.incidents.drafts import SourceDraft, draft_from_mapping
from prevention_lens.incidents.evidence import add_attachment, add_source, original_path
from prevention_lens.incidents.evidence_files import check_evidence_files
from prevention_lens.incidents.records import create_incident
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR

PHOTO = b"\xff\xd8 photo bytes"
PAGE = b"<html>archived page</html>"


def _filled(store: Store, root: Path) -> None:
    with store.session() as session:
        draft = draft_from_mapping(
            {"category": "hate_crime", "date_start": "2024-03-01", "country": "CAF"}
        )
        incident_id = create_incident(session, LOCAL_OPERATOR, draft).id
        add_attachment(session, LOCAL_OPERATOR, root, incident_id, "photo.jpg", PHOTO)
        add_source(
            session,
            LOCAL_OPERATOR,
            root,
            incident_id,
            SourceDraft(url="https://example.org/a"),
            archived=PAGE,
        )


def _check(store: Store, root: Path) -> list[tuple[str, str]]:
    with store.session() as session:
        return [(p.kind, p.message) for p in check_evidence_files(session, root).problems]


def test_a_sound_evidence_folder_has_no_problems(store: Store, tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    assert _check(store, root) == []  # nothing kept yet, no folder
    _filled(store, root)
    with store.session() as session:
        report = check_evidence_files(session, root)
    assert report.problems == [] and report.originals == 2


def _writable(path: Path) -> Path:
    path.chmod(0o644)  # originals are kept read-only
    return path


def test_each_kind_of_problem_is_named(store: Store, tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    _filled(store, root)
    photo = original_path(root, hashlib.sha256(PHOTO).hexdigest())
    page = original_path(root, hashlib.sha256(PAGE).hexdigest())
    _writable(photo).unlink()
    _writable(page).write_bytes(b"<html>rewritten</html>")
    orphan_hash = hashlib.sha256(b"left over").hexdigest()
    orphan = original_path(root, orphan_hash)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left over")
    stray = root / "originals" / "zz" / "notes.txt"
    stray.parent.mkdir(parents=True)
    stray.write_text("?")
    unknown = root / "working" / "99" / "copy.jpg"
    unknown.parent.mkdir(parents=True)
    unknown.write_bytes(PHOTO)
    rewritten = hashlib.sha256(b"<html>rewritten</html>").hexdigest()
    assert sorted(_check(store, root)) == sorted(
        [
            ("missing", f"{photo}: the original of attachment 1 is missing"),
            (
                "changed",
                f"{page}: the archived copy of source 1 no longer matches its SHA-256 "
                f"(the file's is {rewritten})",
            ),
            ("orphaned", f"{orphan}: no attachment or archived source refers to this original"),
            ("stray", f"{stray}: not an original (its name is not its SHA-256)"),
            (
                "orphaned",
                f"{unknown.parent}: a working copy of attachment 99, which does not exist",
            ),
        ]
    )


def test_one_original_shared_by_two_attachments_is_named_once(store: Store, tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    _filled(store, root)
    with store.session() as session:
        add_attachment(session, LOCAL_OPERATOR, root, 1, "again.jpg", PHOTO)
    photo = original_path(root, hashlib.sha256(PHOTO).hexdigest())
    _writable(photo).unlink()
    assert _check(store, root) == [
        ("missing", f"{photo}: the original of attachments 1 and 2 is missing")
    ]
