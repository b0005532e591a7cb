"""The chain of custody: an append-only, hash-chained log of everything done to incident records.

Each entry's hash covers its sequence number, record, action, actor, time, detail, the digest of
the record after the action, and the hash of the entry before it. The store also keeps the head
(the last sequence number and hash) under ``custody_head``, updated in the same transaction, so
entries removed from the end show too. ``verify`` recomputes everything and names each entry
altered, removed or inserted behind the application's back, each record whose current content
no longer matches its last custody entry, and each record deleted while the chain names it.
Publishing the head elsewhere (it is printed by ``lens incidents verify-custody``) guards against
someone who rewrites the whole chain.

The record digest covers every stored column of the record and of each row in its collections
(sources, attachments, revisions), the record's random salt among them. It reads the mapped
columns and collections, so a column, or a child table with its relationship on Incident, added
later is covered without a change here. NULL columns and empty collections are left out, so a
migration that adds a nullable column or a new child table keeps every existing digest; one
that fills a new column in existing rows changes them, and must come with a new digest version.

Entries carry the version of the digest they hold (``detail["digest_version"]``; none: version
1, which covered the record's columns and only the identities of its sources and attachments).
Each record is checked with the version of its last entry, and ``reseal`` moves records sealed
with an older version to the current one.

Public API::

    DIGEST_VERSION
    record_digest(incident, version=DIGEST_VERSION) -> str
    append(session, *, action, actor, incident=None, detail=None) -> CustodyEntry
    head(session) -> str | None
    verify(session) -> CustodyReport
    reseal(session, actor) -> ResealReport
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session, selectinload

from prevention_lens.errors import StoreError
from prevention_lens.store.models import CustodyEntry, Incident, StoreMeta
from prevention_lens.store.models.base import utcnow

GENESIS = "0" * 64
HEAD_KEY = "custody_head"
DIGEST_VERSION = 2
VERSION_KEY = "digest_version"  # in an entry's detail; absent in entries of version 1
_RESEAL_CHUNK = 500  # records read per query when resealing


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


def _row_state(row: Any) -> dict[str, Any]:
    """Every mapped column of a row that holds a value (see the module docstring for why
    NULLs are left out)."""
    state = {column.key: getattr(row, column.key) for column in inspect(type(row)).column_attrs}
    return {key: value for key, value in state.items() if value is not None}


def _rows(rows: Sequence[Any]) -> list[dict[str, Any]]:
    return [_row_state(row) for row in sorted(rows, key=lambda row: row.id)]


def _digest_v1(incident: Incident) -> str:
    # Kept exactly as it sealed the first stores, so that their records still verify.
    return _digest(
        {
            "record": record_state(incident),
            "sources": [[s.id, s.url, s.archived_sha256] for s in incident.sources],
            "attachments": [[a.id, a.sha256, a.size_bytes] for a in incident.attachments],
        }
    )


def _children() -> list[str]:
    """The record's collections (sources, attachments, revisions, and any added later)."""
    return [relation.key for relation in inspect(Incident).relationships if relation.uselist]


def _digest_v2(incident: Incident) -> str:
    payload: dict[str, Any] = {"record": _row_state(incident)}
    for key in _children():
        # Left out when empty, as NULLs are, so a collection added later keeps old digests.
        rows = getattr(incident, key)
        if rows:
            payload[key] = _rows(rows)
    return _digest(payload)


_DIGESTS: dict[int, Callable[[Incident], str]] = {1: _digest_v1, 2: _digest_v2}


def record_digest(incident: Incident, version: int | None = None) -> str:
    """SHA-256 of the record with its sources, attachments and revisions, under the given
    digest version (the current one by default)."""
    chosen = DIGEST_VERSION if version is None else version
    digest = _DIGESTS.get(chosen)
    if digest is None:
        raise StoreError(f"unknown custody digest version {chosen!r}")
    return digest(incident)


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


class _Link(NamedTuple):
    action: str
    actor: str
    incident: Incident | None
    detail: Mapping[str, object] | None


def _append_links(session: Session, links: Sequence[_Link]) -> list[CustodyEntry]:
    """Chain entries at the end of the log, taking the head once for all of them."""
    session.flush()
    head = _head(session)
    if head is None:
        seq, previous = 0, GENESIS
    else:
        number, _, previous = head.value.partition(":")
        seq = int(number)
    version = DIGEST_VERSION
    entries = []
    for link in links:
        detail = dict(_canonical(link.detail or {}))
        if link.incident is not None and version != 1:
            detail[VERSION_KEY] = version
        seq += 1
        entry = CustodyEntry(
            seq=seq,
            incident_id=None if link.incident is None else link.incident.id,
            action=link.action,
            actor=link.actor,
            at=utcnow(),
            detail=detail,
            record_sha256=None if link.incident is None else record_digest(link.incident, version),
            previous_hash=previous,
        )
        entry.entry_hash = previous = _entry_hash(entry)
        entries.append(entry)
    if not entries:
        return entries
    session.add_all(entries)
    value = f"{entries[-1].seq}:{entries[-1].entry_hash}"
    if head is None:
        session.add(StoreMeta(key=HEAD_KEY, value=value))
    else:
        head.value = value
    session.flush()
    return entries


def append(
    session: Session,
    *,
    action: str,
    actor: str,
    incident: Incident | None = None,
    detail: Mapping[str, object] | None = None,
) -> CustodyEntry:
    """Add one entry at the end of the chain (within the caller's unit of work)."""
    (entry,) = _append_links(session, [_Link(action, actor, incident, detail)])
    return entry


@dataclass(frozen=True)
class CustodyProblem:
    kind: str  # altered | removed | inserted | record-changed | record-deleted
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


class _Seal(NamedTuple):
    """What a record's last custody entry says about it."""

    seq: int
    digest: str
    version: object  # as the entry's detail holds it; checked before use


def _seals(rows: Iterable[tuple[int, int | None, str | None, object]]) -> dict[int, _Seal]:
    """Each record's last seal, from (seq, incident_id, record_sha256, detail) in chain order."""
    seals: dict[int, _Seal] = {}
    for seq, incident_id, digest, detail in rows:
        if incident_id is None or digest is None:
            continue  # an entry about no one record (an export)
        version = detail.get(VERSION_KEY, 1) if isinstance(detail, dict) else 1
        seals[incident_id] = _Seal(seq, digest, version)
    return seals


def _with_children() -> Any:
    # The digest reads every child row: load them a batch of records per query, not one each.
    loads = [selectinload(getattr(Incident, key)) for key in _children()]
    return select(Incident).order_by(Incident.id).options(*loads)


def _seal_problem(incident: Incident, seal: _Seal | None) -> CustodyProblem | None:
    """Why the record does not match its last custody entry, or None when it does."""
    if seal is None:
        return CustodyProblem(
            "record-changed",
            None,
            f"incident {incident.id} has no custody entry: it was added outside the application",
            incident.id,
        )
    if not isinstance(seal.version, int) or seal.version not in _DIGESTS:
        return CustodyProblem(
            "record-changed",
            seal.seq,
            f"incident {incident.id}'s last custody entry ({seal.seq}) uses digest version "
            f"{seal.version!r}, which this version of Prevention Lens does not know",
            incident.id,
        )
    if record_digest(incident, seal.version) != seal.digest:
        return CustodyProblem(
            "record-changed",
            None,
            f"incident {incident.id} was changed outside the application since its last "
            f"custody entry ({seal.seq})",
            incident.id,
        )
    return None


def _chain_problems(entries: Sequence[CustodyEntry]) -> list[CustodyProblem]:
    problems: list[CustodyProblem] = []
    expected_seq, previous_hash, previous_id = 1, GENESIS, 0
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
    return problems


def _head_problems(
    entries: Sequence[CustodyEntry], head_seq: int, head_hash: str
) -> list[CustodyProblem]:
    last_seq = entries[-1].seq if entries else 0
    if head_seq > last_seq:
        return [
            CustodyProblem(
                "removed",
                last_seq + 1,
                f"entries {last_seq + 1}–{head_seq} were removed from the end "
                f"(the recorded head is entry {head_seq})",
            )
        ]
    if head_seq < last_seq:
        return [
            CustodyProblem(
                "inserted",
                head_seq + 1,
                f"entries {head_seq + 1}–{last_seq} were added after the recorded head",
            )
        ]
    if entries and head_hash != entries[-1].entry_hash:
        return [
            CustodyProblem("altered", last_seq, f"entry {last_seq} differs from the recorded head")
        ]
    return []


def verify(session: Session) -> CustodyReport:
    """Recompute the chain and compare each record with its last custody entry."""
    entries = list(session.scalars(select(CustodyEntry).order_by(CustodyEntry.seq)))
    problems = _chain_problems(entries)
    seals = _seals((e.seq, e.incident_id, e.record_sha256, e.detail) for e in entries)
    head = session.get(StoreMeta, HEAD_KEY)
    head_seq, head_hash = 0, GENESIS
    if head is not None:
        number, _, head_hash = head.value.partition(":")
        head_seq = int(number)
    problems += _head_problems(entries, head_seq, head_hash)
    present: set[int] = set()
    for incident in session.scalars(_with_children()):
        present.add(incident.id)
        problem = _seal_problem(incident, seals.get(incident.id))
        if problem is not None:
            problems.append(problem)
    # The application never deletes a record (a withdrawn one is kept), so a record the chain
    # names that is gone was deleted behind its back.
    for incident_id in sorted(set(seals) - present):
        problems.append(
            CustodyProblem(
                "record-deleted",
                seals[incident_id].seq,
                f"incident {incident_id} was deleted outside the application (its last custody "
                f"entry is {seals[incident_id].seq})",
                incident_id,
            )
        )
    return CustodyReport(len(entries), head_seq, head_hash, problems)


@dataclass(frozen=True)
class ResealReport:
    """Records moved to the current digest, and those left as they were because they no
    longer match the older digest they were sealed with (verify names them too)."""

    resealed: list[int] = field(default_factory=list)
    refused: list[CustodyProblem] = field(default_factory=list)


def reseal(session: Session, actor: str) -> ResealReport:
    """Seal with the current digest every record whose last entry holds an older one, if the
    record still matches that older digest: one "reseal" entry each."""
    # Hold the chain's head (a write, so SQLite takes its write lock too) before reading any
    # record: an edit committed meanwhile would otherwise end up sealed with what it replaced.
    session.execute(
        update(StoreMeta).where(StoreMeta.key == HEAD_KEY).values(value=StoreMeta.value)
    )
    seals = _seals(
        session.execute(
            select(
                CustodyEntry.seq,
                CustodyEntry.incident_id,
                CustodyEntry.record_sha256,
                CustodyEntry.detail,
            ).order_by(CustodyEntry.seq)
        )
    )
    current = DIGEST_VERSION
    older = sorted(incident_id for incident_id, seal in seals.items() if seal.version != current)
    links: list[_Link] = []
    resealed: list[int] = []
    refused: list[CustodyProblem] = []
    for start in range(0, len(older), _RESEAL_CHUNK):
        chunk = older[start : start + _RESEAL_CHUNK]
        for incident in session.scalars(_with_children().where(Incident.id.in_(chunk))):
            seal = seals[incident.id]
            problem = _seal_problem(incident, seal)
            if problem is not None:
                refused.append(problem)
                continue
            links.append(_Link("reseal", actor, incident, {"from_version": seal.version}))
            resealed.append(incident.id)
    _append_links(session, links)
    return ResealReport(resealed, refused)
