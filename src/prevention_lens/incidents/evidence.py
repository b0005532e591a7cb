"""Evidence files: originals kept unchanged under their SHA-256, working copies apart.

Layout under ``LENS_HOME/evidence``::

    originals/ab/abcdef...    the bytes as received, read-only, named by their SHA-256
    working/<attachment id>/<file name>   a copy people may open, annotate or redact

An original is written once (a second upload of the same bytes reuses it) and checked against
its hash whenever it is read. With PostgreSQL and several workers, ``LENS_HOME`` must be on
storage every worker shares.

Public API::

    add_attachment(session, principal, root, incident_id, filename, content, ...) -> dict
    add_source(session, principal, root, incident_id, source, archived=None) -> dict
    read_original(session, principal, root, attachment_id) -> tuple[dict, bytes]
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from prevention_lens.errors import NotFoundError, StoreError, ValidationError
from prevention_lens.incidents import custody
from prevention_lens.incidents.drafts import SourceDraft
from prevention_lens.store.access import (
    Confidentiality,
    Principal,
    audit,
    project,
    require,
)
from prevention_lens.store.models import Incident, IncidentAttachment, IncidentSource

MAX_BYTES = 512 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def evidence_root(home: Path) -> Path:
    return home / "evidence"


def original_path(root: Path, sha256: str) -> Path:
    return root / "originals" / sha256[:2] / sha256


def _keep_original(root: Path, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    target = original_path(root, digest)
    if target.exists():
        if hashlib.sha256(target.read_bytes()).hexdigest() != digest:
            raise StoreError(f"the stored original {digest[:12]}… no longer matches its hash")
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(content)
    partial.chmod(0o444)
    partial.replace(target)
    return digest


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
    content: bytes,
    *,
    media_type: str | None = None,
    description: str = "",
    confidentiality: Confidentiality = Confidentiality.RESTRICTED,
) -> dict[str, Any]:
    """Keep an evidence file with an incident: the original by hash, a working copy apart."""
    require(principal, "create", "incident_attachment")
    incident = _visible_incident(session, principal, incident_id)
    if not content:
        raise ValidationError("the file is empty", file=filename)
    if len(content) > MAX_BYTES:
        raise ValidationError(f"the file is over {MAX_BYTES // 2**20} MiB", file=filename)
    name = safe_filename(filename)
    digest = _keep_original(root, content)
    attachment = IncidentAttachment(
        incident_id=incident.id,
        filename=name,
        media_type=media_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
        sha256=digest,
        size_bytes=len(content),
        description=description,
        own_confidentiality=int(confidentiality),
        added_by=principal.username,
    )
    session.add(attachment)
    session.flush()
    working = root / "working" / str(attachment.id) / name
    working.parent.mkdir(parents=True, exist_ok=True)
    working.write_bytes(content)
    session.refresh(incident)
    custody.append(
        session,
        action="attach",
        actor=principal.username,
        incident=incident,
        detail=_file_detail(
            {"attachment_id": attachment.id, "sha256": digest, "size": len(content)},
            attachment.confidentiality,
        ),
    )
    shown = project(principal, "incident_attachment", attachment)
    return shown or {"id": attachment.id, "sha256": digest}


def add_source(
    session: Session,
    principal: Principal,
    root: Path,
    incident_id: int,
    source: SourceDraft,
    archived: bytes | None = None,
) -> dict[str, Any]:
    """Add a source to an incident, with an archived copy of it (kept by hash) if given."""
    require(principal, "create", "incident_source")
    incident = _visible_incident(session, principal, incident_id)
    if not source.url and not source.publisher:
        raise ValidationError("give the source's URL or publisher", field="url")
    digest = _keep_original(root, archived) if archived else None
    row = IncidentSource(
        incident_id=incident.id,
        url=source.url,
        publisher=source.publisher,
        published_on=source.published_on,
        archived_sha256=digest,
        archived_size=len(archived) if archived else None,
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
    return project(principal, "incident_source", row) or {"id": row.id}


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
