"""Evidence files: originals kept unchanged under their SHA-256, working copies apart.

Layout under ``LENS_HOME/evidence``::

    originals/ab/abcdef...    the bytes as received, read-only, named by their SHA-256
    working/<attachment id>/<file name>   a copy people may open, annotate or redact

An original is written once (a second upload of the same bytes reuses it) and checked against
its hash whenever it is read. With PostgreSQL and several workers, ``LENS_HOME`` must be on
storage every worker shares.

Public API::

    add_attachment(session, principal, root, incident_id, filename, content, ...) -> dict
        (content: a binary file object, a path or bytes; streamed, never read whole)
    add_source(session, principal, root, incident_id, source, archived=None) -> dict
    read_original(session, principal, root, attachment_id) -> tuple[dict, bytes]
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from prevention_lens.errors import NotFoundError, StoreError, ValidationError
from prevention_lens.incidents import custody
from prevention_lens.incidents.drafts import SourceDraft, check_length
from prevention_lens.store.access import (
    Confidentiality,
    Principal,
    audit,
    project,
    require,
)
from prevention_lens.store.models import Incident, IncidentAttachment, IncidentSource

MAX_BYTES = 512 * 1024 * 1024
DESCRIPTION_MAX_CHARS = 2_000  # what an evidence file shows, in the uploader's words
CHUNK_BYTES = 1024 * 1024  # uploads are read, hashed and written this much at a time
# What an evidence file may be given as: a binary file object (an upload, an open file), a path,
# or bytes already in memory (small files, tests).
Upload = BinaryIO | Path | bytes
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def evidence_root(home: Path) -> Path:
    return home / "evidence"


def original_path(root: Path, sha256: str) -> Path:
    return root / "originals" / sha256[:2] / sha256


def _chunks(content: Upload) -> Iterator[bytes]:
    """The upload in pieces of at most CHUNK_BYTES, whatever form it was given in."""
    if isinstance(content, bytes | bytearray | memoryview):
        view = memoryview(content)
        for start in range(0, len(view), CHUNK_BYTES):
            yield bytes(view[start : start + CHUNK_BYTES])
        return
    if isinstance(content, Path):
        with content.open("rb") as handle:
            yield from _chunks(handle)
        return
    while chunk := content.read(CHUNK_BYTES):
        yield chunk


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Received:
    """An upload written to a temporary file under the evidence root, hashed on the way."""

    partial: Path
    sha256: str
    size: int


def _receive(root: Path, content: Upload, filename: str, max_bytes: int) -> _Received:
    """Stream the upload to ``root/incoming`` while hashing it; refuse it (and delete what was
    written) as soon as it passes ``max_bytes``, or if it is empty, or if reading it fails."""
    incoming = root / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=incoming, suffix=".part")
    partial = Path(name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(handle, "wb") as output:
            for chunk in _chunks(content):
                size += len(chunk)
                if size > max_bytes:
                    raise ValidationError(
                        f"the file is over {max_bytes / 2**20:g} MiB, the most kept", file=filename
                    )
                digest.update(chunk)
                output.write(chunk)
        if size == 0:
            raise ValidationError("the file is empty", file=filename)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return _Received(partial, digest.hexdigest(), size)


def _keep_original(root: Path, received: _Received) -> None:
    """Move a received file into place under its hash (or drop it when that original exists)."""
    target = original_path(root, received.sha256)
    if target.exists():
        received.partial.unlink(missing_ok=True)
        if _file_sha256(target) != received.sha256:
            raise StoreError(
                f"the stored original {received.sha256[:12]}… no longer matches its hash"
            )
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    received.partial.chmod(0o444)
    received.partial.replace(target)


def _visible_incident(session: Session, principal: Principal, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None or project(principal, "incident", incident) is None:
        raise NotFoundError(f"No incident {incident_id}.")
    return incident


def _file_detail(detail: dict[str, object], level: int) -> dict[str, object]:
    """A custody detail; a confidential file's hash and size stay out of it (analysts read the
    log), and the record's salted digest still covers them."""
    if level < Confidentiality.CONFIDENTIAL:
        return detail
    return {key: value for key, value in detail.items() if key.endswith("_id")}


def safe_filename(name: str) -> str:
    cleaned = _SAFE_NAME.sub("_", Path(name).name).strip(" .")
    return cleaned[:200] or "file"


def add_attachment(
    session: Session,
    principal: Principal,
    root: Path,
    incident_id: int,
    filename: str,
    content: Upload,
    *,
    media_type: str | None = None,
    description: str = "",
    confidentiality: Confidentiality = Confidentiality.RESTRICTED,
    max_bytes: int = MAX_BYTES,
) -> dict[str, Any]:
    """Keep an evidence file with an incident: the original by hash, a working copy apart.

    ``content`` is a binary file object (read in chunks, never whole), a path, or bytes. It is
    streamed to a temporary file under ``root`` while hashed; the files are moved into place
    only after every check has passed and every row is written, so a refused or failed upload
    leaves neither a file nor a row (the caller's session rolls the rows back)."""
    require(principal, "create", "incident_attachment")
    incident = _visible_incident(session, principal, incident_id)
    check_length(description, DESCRIPTION_MAX_CHARS, "description", file=filename)
    name = safe_filename(filename)
    received = _receive(root, content, filename, max_bytes)
    working = root / "working"
    try:
        attachment = IncidentAttachment(
            incident_id=incident.id,
            filename=name,
            media_type=media_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
            sha256=received.sha256,
            size_bytes=received.size,
            description=description,
            own_confidentiality=int(confidentiality),
            added_by=principal.username,
        )
        session.add(attachment)
        session.flush()
        session.refresh(incident)
        custody.append(
            session,
            action="attach",
            actor=principal.username,
            incident=incident,
            detail=_file_detail(
                {"attachment_id": attachment.id, "sha256": received.sha256, "size": received.size},
                attachment.confidentiality,
            ),
        )
        working = root / "working" / str(attachment.id)
        working.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(received.partial, working / name)
        _keep_original(root, received)
    except BaseException:
        received.partial.unlink(missing_ok=True)
        if working != root / "working":
            shutil.rmtree(working, ignore_errors=True)
        raise
    shown = project(principal, "incident_attachment", attachment)
    return shown or {"id": attachment.id, "sha256": received.sha256}


def add_source(
    session: Session,
    principal: Principal,
    root: Path,
    incident_id: int,
    source: SourceDraft,
    archived: Upload | None = None,
) -> dict[str, Any]:
    """Add a source to an incident, with an archived copy of it (kept by hash) if given."""
    require(principal, "create", "incident_source")
    incident = _visible_incident(session, principal, incident_id)
    source.check()
    if not source.url and not source.publisher:
        raise ValidationError("give the source's URL or publisher", field="url")
    received = _receive(root, archived, "archived copy", MAX_BYTES) if archived else None
    try:
        row = _source_row(session, principal, incident, source, received)
        if received is not None:
            _keep_original(root, received)
    except BaseException:
        if received is not None:
            received.partial.unlink(missing_ok=True)
        raise
    return project(principal, "incident_source", row) or {"id": row.id}


def _source_row(
    session: Session,
    principal: Principal,
    incident: Incident,
    source: SourceDraft,
    received: _Received | None,
) -> IncidentSource:
    digest = received.sha256 if received else None
    row = IncidentSource(
        incident_id=incident.id,
        url=source.url,
        publisher=source.publisher,
        published_on=source.published_on,
        archived_sha256=digest,
        archived_size=received.size if received else None,
        own_confidentiality=int(
            Confidentiality.CONFIDENTIAL if source.confidential else Confidentiality.PUBLIC
        ),
        added_by=principal.username,
    )
    session.add(row)
    session.flush()
    session.refresh(incident)
    custody.append(
        session,
        action="add-source",
        actor=principal.username,
        incident=incident,
        detail=_file_detail({"source_id": row.id, "archived_sha256": digest}, row.confidentiality),
    )
    return row


def read_original(
    session: Session, principal: Principal, root: Path, attachment_id: int
) -> tuple[dict[str, Any], bytes]:
    """An attachment's original bytes, checked against its hash; restricted reads audited."""
    attachment = session.get(IncidentAttachment, attachment_id)
    shown = None if attachment is None else project(principal, "incident_attachment", attachment)
    if attachment is None or shown is None:
        raise NotFoundError(f"No attachment {attachment_id}.")
    path = original_path(root, attachment.sha256)
    if not path.is_file():
        raise StoreError(f"the original of attachment {attachment_id} is missing from {root}")
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != attachment.sha256:
        raise StoreError(f"the original of attachment {attachment_id} no longer matches its hash")
    if attachment.confidentiality >= Confidentiality.RESTRICTED:
        # Who opened restricted evidence is part of its custody; public files are published
        # material, and logging every anonymous download would let crawlers grow the chain.
        audit(session, principal, "read", "incident_attachment", attachment_id)
        custody.append(
            session,
            action="download",
            actor=principal.username,
            incident=attachment.incident,
            detail=_file_detail(
                {"attachment_id": attachment_id, "sha256": attachment.sha256},
                attachment.confidentiality,
            ),
        )
    return shown, content
