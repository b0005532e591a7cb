"""The chain of custody: an append-only, hash-chained log of everything done to incident records.

Each entry's hash covers its sequence number, record, action, actor, time, detail, the digest of
the record after the action, and the hash of the entry before it. The store also keeps the head
(the last sequence number and hash) under ``custody_head``, updated in the same transaction, so
entries removed from the end show too. ``verify`` recomputes everything and names each entry
altered, removed or inserted behind the application's back, and each record whose current
content no longer matches its last custody entry. Publishing the head elsewhere (it is printed by
``lens incidents verify-custody``) guards against someone who rewrites the whole chain.

Public API::

    record_digest(incident) -> str
    append(session, *, action, actor, incident=None, detail=None) -> CustodyEntry
    head(session) -> str | None
    verify(session) -> CustodyReport
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from prevention_lens.store.models import CustodyEntry, Incident, StoreMeta
from prevention_lens.store.models.base import utcnow

GENESIS = "0" * 64
HEAD_KEY = "custody_head"


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    return value


def _digest(payload: Any) -> str:
    text = json.dumps(_canonical(payload), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_state(incident: Incident) -> dict[str, Any]:
    """Every column of the record, as stored."""
    return {column.key: getattr(incident, column.key) for column in inspect(Incident).columns}


def record_digest(incident: Incident) -> str:
    """SHA-256 of the record's columns and its sources' and attachments' identities."""
    return _digest(
        {
            "record": record_state(incident),
            "sources": [[s.id, s.url, s.archived_sha256] for s in incident.sources],
            "attachments": [[a.id, a.sha256, a.size_bytes] for a in incident.attachments],
        }
    )


def _entry_hash(entry: CustodyEntry) -> str:
    return _digest(
        {
            "seq": entry.seq,
            "incident_id": entry.incident_id,
            "action": entry.action,
            "actor": entry.actor,
            "at": entry.at,
            "detail": entry.detail,
            "record_sha256": entry.record_sha256,
            "previous_hash": entry.previous_hash,
        }
    )


def _head(session: Session) -> StoreMeta | None:
    return session.scalar(select(StoreMeta).where(StoreMeta.key == HEAD_KEY).with_for_update())


def head(session: Session) -> str | None:
    """The recorded head ("SEQ:HASH"), or None before the first entry. Every change the
    application makes to incident records moves it, so it names the records' state."""
    value: str | None = session.scalar(select(StoreMeta.value).where(StoreMeta.key == HEAD_KEY))
    return value


def append(
    session: Session,
    *,
    action: str,
    actor: str,
    incident: Incident | None = None,
    detail: Mapping[str, object] | None = None,
) -> CustodyEntry:
    """Add one entry at the end of the chain (within the caller's unit of work)."""
    session.flush()
    head = _head(session)
    if head is None:
        seq, previous = 0, GENESIS
    else:
        number, _, previous = head.value.partition(":")
        seq = int(number)
    entry = CustodyEntry(
        seq=seq + 1,
        incident_id=None if incident is None else incident.id,
        action=action,
        actor=actor,
        at=utcnow(),
        detail=dict(_canonical(detail or {})),
        record_sha256=None if incident is None else record_digest(incident),
        previous_hash=previous,
    )
    entry.entry_hash = _entry_hash(entry)
    session.add(entry)
    value = f"{entry.seq}:{entry.entry_hash}"
    if head is None:
        session.add(StoreMeta(key=HEAD_KEY, value=value))
    else:
        head.value = value
    session.flush()
    return entry


@dataclass(frozen=True)
class CustodyProblem:
    kind: str  # altered | removed | inserted | record-changed
    seq: int | None
    message: str
    incident_id: int | None = None


@dataclass(frozen=True)
class CustodyReport:
    entries: int
    head_seq: int
    head_hash: str
    problems: list[CustodyProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, object]:
        return {
            "intact": self.intact,
            "entries": self.entries,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "problems": [problem.__dict__ for problem in self.problems],
        }


def verify(session: Session) -> CustodyReport:
    """Recompute the chain and compare each record with its last custody entry."""
    entries = list(session.scalars(select(CustodyEntry).order_by(CustodyEntry.seq)))
    problems: list[CustodyProblem] = []
    expected_seq, previous_hash, previous_id = 1, GENESIS, 0
    last_digest: dict[int, str | None] = {}
    for entry in entries:
        if entry.seq < expected_seq or entry.id < previous_id:
            problems.append(
                CustodyProblem(
                    "inserted",
                    entry.seq,
                    f"entry {entry.seq} ({entry.action} by {entry.actor}) is out of order: "
                    "it was inserted into the chain",
                    entry.incident_id,
                )
            )
        elif entry.seq > expected_seq:
            missing = (
                str(expected_seq)
                if entry.seq == expected_seq + 1
                else f"{expected_seq}–{entry.seq - 1}"
            )
            problems.append(CustodyProblem("removed", expected_seq, f"entry {missing} was removed"))
        elif entry.previous_hash != previous_hash:
            problems.append(
                CustodyProblem(
                    "inserted",
                    entry.seq,
                    f"entry {entry.seq} does not follow the entry before it: "
                    "it was inserted or the chain was rebuilt",
                    entry.incident_id,
                )
            )
        if _entry_hash(entry) != entry.entry_hash:
            problems.append(
                CustodyProblem(
                    "altered",
                    entry.seq,
                    f"entry {entry.seq} ({entry.action} by {entry.actor}) was altered",
                    entry.incident_id,
                )
            )
        expected_seq = max(expected_seq, entry.seq + 1)
        previous_hash, previous_id = entry.entry_hash, max(previous_id, entry.id)
        if entry.incident_id is not None and entry.record_sha256 is not None:
            last_digest[entry.incident_id] = entry.record_sha256
    head = session.get(StoreMeta, HEAD_KEY)
    head_seq, head_hash = 0, GENESIS
    if head is not None:
        number, _, head_hash = head.value.partition(":")
        head_seq = int(number)
    last_seq = entries[-1].seq if entries else 0
    if head_seq > last_seq:
        problems.append(
            CustodyProblem(
                "removed",
                last_seq + 1,
                f"entries {last_seq + 1}–{head_seq} were removed from the end "
                f"(the recorded head is entry {head_seq})",
            )
        )
    elif head_seq < last_seq:
        problems.append(
            CustodyProblem(
                "inserted",
                head_seq + 1,
                f"entries {head_seq + 1}–{last_seq} were added after the recorded head",
            )
        )
    elif entries and head_hash != entries[-1].entry_hash:
        problems.append(
            CustodyProblem("altered", last_seq, f"entry {last_seq} differs from the recorded head")
        )
    for incident in session.scalars(select(Incident).order_by(Incident.id)):
        recorded = last_digest.get(incident.id)
        if recorded is None:
            problems.append(
                CustodyProblem(
                    "record-changed",
                    None,
                    f"incident {incident.id} has no custody entry: it was added outside the "
                    "application",
                    incident.id,
                )
            )
        elif record_digest(incident) != recorded:
            problems.append(
                CustodyProblem(
                    "record-changed",
                    None,
                    f"incident {incident.id} was changed outside the application since its "
                    "last custody entry",
                    incident.id,
                )
            )
    return CustodyReport(len(entries), head_seq, head_hash, problems)
