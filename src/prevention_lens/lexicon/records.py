"""The lexicon in the store: the shipped concepts loaded on ``lens db upgrade``, the published
lexicon read back (cached until it changes), and changes proposed by analysts and approved or
rejected by admins, each kept as a revision so that every concept has its history.

An approved change replaces the concept and every mapping it takes part in, and only if the
whole lexicon stays consistent (``content.problems``); a change proposed against an older
version of the concept must be proposed again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from prevention_lens.errors import ConflictError, NotFoundError, ValidationError
from prevention_lens.lexicon.content import (
    concept_from_mapping,
    concept_to_mapping,
    mapping_from_mapping,
    mapping_to_mapping,
    problems,
    shipped_lexicon,
)
from prevention_lens.lexicon.model import AudienceTerm, Concept, ConceptMapping, Lexicon
from prevention_lens.store.access import Principal, audit, read_records, require
from prevention_lens.store.models import LexiconConcept, LexiconMapping, LexiconRevision

PACKAGE_USER = "prevention-lens"
DECISIONS = {"approve": "approved", "reject": "rejected"}
NOTE_MAX_CHARS = 2000


@dataclass(frozen=True)
class ShippedLoad:
    created: int
    updated: int
    unchanged: int
    kept_edited: tuple[str, ...]


def load_shipped(session: Session) -> ShippedLoad:
    """Add or update the shipped concepts and mappings. A concept an admin has changed keeps
    the change (named in ``kept_edited``), and so do the mappings it takes part in."""
    lexicon = shipped_lexicon()
    rows = {row.concept_id: row for row in session.scalars(select(LexiconConcept))}
    edited = {key for key, row in rows.items() if row.origin != "packaged"}
    created = updated = unchanged = 0
    now = datetime.now(UTC)
    for concept in lexicon.concepts.values():
        content = concept_to_mapping(concept)
        row = rows.get(concept.id)
        if row is None:
            session.add(
                LexiconConcept(
                    concept_id=concept.id,
                    scheme=concept.scheme,
                    core=concept.core,
                    content=content,
                    origin="packaged",
                    version=1,
                    updated_by=PACKAGE_USER,
                    updated_at=now,
                )
            )
            created += 1
        elif concept.id in edited:
            continue
        elif row.content != content or row.core != concept.core:
            row.content, row.core = content, concept.core
            row.version += 1
            row.updated_at = now
            updated += 1
        else:
            unchanged += 1
    stored = {
        (row.source, row.target): row
        for row in session.scalars(
            select(LexiconMapping).where(LexiconMapping.origin == "packaged")
        )
    }
    shipped_pairs = set()
    for mapping in lexicon.mappings:
        if mapping.source in edited or mapping.target in edited:
            continue
        pair = (mapping.source, mapping.target)
        shipped_pairs.add(pair)
        existing = stored.get(pair)
        if existing is None:
            session.add(LexiconMapping(**mapping_to_mapping(mapping), origin="packaged"))
        elif (existing.kind, existing.rationale) != (mapping.kind, mapping.rationale):
            existing.kind, existing.rationale = mapping.kind, mapping.rationale
    for pair, mapping_row in stored.items():
        if pair not in shipped_pairs and not (set(pair) & edited):
            session.delete(mapping_row)
    session.flush()
    _CACHE.clear()
    return ShippedLoad(created, updated, unchanged, tuple(sorted(edited)))


class _LexiconCache:
    """The stored lexicon per store, rebuilt when a concept or mapping changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, tuple[tuple[Any, ...], Lexicon]] = {}

    def get(self, session: Session) -> Lexicon:
        store = str(session.get_bind().engine.url)
        version = (
            *session.execute(
                select(func.count(LexiconConcept.id), func.sum(LexiconConcept.version))
            ).one(),
            *session.execute(
                select(func.count(LexiconMapping.id), func.max(LexiconMapping.id))
            ).one(),
        )
        with self._lock:
            held = self._held.get(store)
            if held is not None and held[0] == version:
                return held[1]
        concepts = {
            row.concept_id: concept_from_mapping(row.content)
            for row in session.scalars(select(LexiconConcept))
        }
        mappings = tuple(
            ConceptMapping(row.source, row.target, row.kind, row.rationale)
            for row in session.scalars(select(LexiconMapping).order_by(LexiconMapping.id))
        )
        lexicon = Lexicon(concepts=concepts, mappings=mappings)
        with self._lock:
            self._held[store] = (version, lexicon)
        return lexicon

    def clear(self) -> None:
        with self._lock:
            self._held.clear()


_CACHE = _LexiconCache()


def stored_lexicon(session: Session) -> Lexicon:
    """The lexicon as the store holds it now (public reference data: no principal needed)."""
    return _CACHE.get(session)


def get_concept(session: Session, principal: Principal, concept_id: str) -> Concept:
    require(principal, "read", "lexicon_concept")
    return stored_lexicon(session).concept(concept_id)


def audience_term(
    session: Session, concept_id: str, audience: str, language: str = "en"
) -> AudienceTerm | None:
    """What an audience calls a concept (the API briefs and pages use): its own concept, an
    exact or close match in its scheme, or None when it has no term for it."""
    from prevention_lens.lexicon.model import LANGUAGES, SCHEMES

    if audience not in SCHEMES:
        raise ValidationError(
            f"unknown audience {audience!r}; choose from {', '.join(SCHEMES)}", field="audience"
        )
    if language not in LANGUAGES:
        raise ValidationError(
            f"unknown language {language!r}; choose from {', '.join(LANGUAGES)}", field="language"
        )
    return stored_lexicon(session).term_for(concept_id, audience)


@dataclass(frozen=True)
class Revision:
    id: int
    concept_id: str
    status: str
    base_version: int
    concept: Concept
    mappings: tuple[ConceptMapping, ...]
    note: str
    proposed_by: str
    proposed_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str

    @classmethod
    def from_projection(cls, row: dict[str, Any]) -> Revision:
        return cls(
            id=row["id"],
            concept_id=row["concept_id"],
            status=row["status"],
            base_version=row["base_version"],
            concept=concept_from_mapping(row["content"]),
            mappings=tuple(mapping_from_mapping(item) for item in row["mappings"]),
            note=row["note"],
            proposed_by=row["proposed_by"],
            proposed_at=row["proposed_at"],
            reviewed_by=row["reviewed_by"],
            reviewed_at=row["reviewed_at"],
            review_note=row["review_note"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "concept_id": self.concept_id,
            "status": self.status,
            "base_version": self.base_version,
            "concept": concept_to_mapping(self.concept),
            "mappings": [mapping_to_mapping(mapping) for mapping in self.mappings],
            "note": self.note,
            "proposed_by": self.proposed_by,
            "proposed_at": self.proposed_at.isoformat(),
            "reviewed_by": self.reviewed_by,
            "reviewed_at": None if self.reviewed_at is None else self.reviewed_at.isoformat(),
            "review_note": self.review_note,
        }


def _trial(lexicon: Lexicon, concept: Concept, mappings: tuple[ConceptMapping, ...]) -> Lexicon:
    """The lexicon as it would be with the change: the concept replaced, and every mapping it
    takes part in replaced by the given ones."""
    concepts = {**lexicon.concepts, concept.id: concept}
    kept = tuple(
        mapping
        for mapping in lexicon.mappings
        if concept.id not in (mapping.source, mapping.target)
    )
    return Lexicon(concepts=concepts, mappings=kept + mappings)


def propose_change(
    session: Session,
    principal: Principal,
    concept: Concept,
    mappings: list[ConceptMapping] | tuple[ConceptMapping, ...],
    note: str = "",
) -> Revision:
    """Propose a concept's new content and the mappings it should take part in (read from its
    side). Checked now against the whole lexicon; applied only when an admin approves it."""
    require(principal, "create", "lexicon_revision")
    row = session.scalar(select(LexiconConcept).where(LexiconConcept.concept_id == concept.id))
    if row is None:
        raise NotFoundError(f"No lexicon concept {concept.id!r}.")
    if row.scheme != concept.scheme:
        raise ValidationError("a concept cannot move to another scheme", field="scheme")
    if len(note) > NOTE_MAX_CHARS:
        raise ValidationError(f"the note is longer than {NOTE_MAX_CHARS} characters", field="note")
    own = tuple(mapping for mapping in mappings)
    if any(mapping.source != concept.id for mapping in own):
        raise ValidationError(
            f"every mapping must be read from {concept.id} (its source)", field="mappings"
        )
    found = problems(_trial(stored_lexicon(session), concept, own))
    if found:
        raise ValidationError("; ".join(found[:3]), field="mappings", entry=concept.id)
    revision = LexiconRevision(
        concept_id=concept.id,
        status="proposed",
        base_version=row.version,
        content=concept_to_mapping(concept),
        mappings=[mapping_to_mapping(mapping) for mapping in own],
        note=note.strip(),
        proposed_by=principal.username,
        proposed_by_id=principal.user_id,
        review_note="",
    )
    session.add(revision)
    session.flush()
    audit(session, principal, "create", "lexicon_revision", revision.id, concept=concept.id)
    return _read(session, principal, revision.id)


def _read(session: Session, principal: Principal, revision_id: int) -> Revision:
    rows = read_records(
        session,
        principal,
        "lexicon_revision",
        select(LexiconRevision).where(LexiconRevision.id == revision_id),
    )
    if not rows:
        raise NotFoundError(f"No lexicon revision {revision_id}.")
    return Revision.from_projection(rows[0])


def review_change(
    session: Session, principal: Principal, revision_id: int, decision: str, note: str = ""
) -> Revision:
    """Approve (apply) or reject a proposed change (admins)."""
    require(principal, "publish", "lexicon_revision")
    if decision not in DECISIONS:
        raise ValidationError(
            f"unknown decision {decision!r}; choose from {', '.join(DECISIONS)}", field="decision"
        )
    revision = session.get(LexiconRevision, revision_id)
    if revision is None:
        raise NotFoundError(f"No lexicon revision {revision_id}.")
    if revision.status != "proposed":
        raise ConflictError(f"Revision {revision_id} was already {revision.status}.")
    row = session.scalar(
        select(LexiconConcept).where(LexiconConcept.concept_id == revision.concept_id)
    )
    if row is None:
        raise NotFoundError(f"No lexicon concept {revision.concept_id!r}.")
    if decision == "approve":
        if row.version != revision.base_version:
            raise ConflictError(
                f"{revision.concept_id} changed since this revision was proposed (version "
                f"{revision.base_version}, now {row.version}); propose it again."
            )
        concept = concept_from_mapping(revision.content)
        mappings = tuple(mapping_from_mapping(item) for item in revision.mappings)
        found = problems(_trial(stored_lexicon(session), concept, mappings))
        if found:
            raise ConflictError("The change would leave the lexicon inconsistent: " + found[0])
        row.content, row.core = revision.content, concept.core
        row.version += 1
        row.origin = "edited"
        row.updated_by = principal.username
        row.updated_at = datetime.now(UTC)
        session.execute(
            delete(LexiconMapping).where(
                or_(LexiconMapping.source == concept.id, LexiconMapping.target == concept.id)
            )
        )
        session.add_all(
            LexiconMapping(**mapping_to_mapping(mapping), origin="edited") for mapping in mappings
        )
    revision.status = DECISIONS[decision]
    revision.reviewed_by = principal.username
    revision.reviewed_at = datetime.now(UTC)
    revision.review_note = note.strip()
    session.flush()
    _CACHE.clear()
    audit(
        session, principal, decision, "lexicon_revision", revision.id, concept=revision.concept_id
    )
    return _read(session, principal, revision.id)


def history(session: Session, principal: Principal, concept_id: str) -> list[Revision]:
    """Every change proposed for a concept, newest first (analysts and admins)."""
    rows = read_records(
        session,
        principal,
        "lexicon_revision",
        select(LexiconRevision)
        .where(LexiconRevision.concept_id == concept_id)
        .order_by(LexiconRevision.id.desc()),
    )
    return [Revision.from_projection(row) for row in rows]


def pending(session: Session, principal: Principal) -> list[Revision]:
    """Changes waiting for an admin, oldest first."""
    rows = read_records(
        session,
        principal,
        "lexicon_revision",
        select(LexiconRevision)
        .where(LexiconRevision.status == "proposed")
        .order_by(LexiconRevision.id),
    )
    return [Revision.from_projection(row) for row in rows]


def _canonical(content: dict[str, Any]) -> dict[str, Any]:
    """A concept's content with its unordered parts sorted: SKOS keeps no order, so an export
    read back must compare equal to what was exported."""
    return {
        **content,
        "labels": {
            language: {"pref": held["pref"], "alt": sorted(held["alt"])}
            for language, held in content["labels"].items()
        },
        "labels_checked_at": sorted(content["labels_checked_at"]),
        "scope_notes": sorted(content["scope_notes"], key=lambda note: sorted(note.items())),
        "no_term": sorted(content["no_term"], key=lambda item: item["scheme"]),
    }


def replace_lexicon(session: Session, principal: Principal, lexicon: Lexicon) -> int:
    """Replace the stored lexicon with an imported one (admins; e.g. from SKOS). Every concept
    that differs becomes an approved revision, so its history shows the import."""
    require(principal, "import", "lexicon_concept")
    found = problems(lexicon)
    if found:
        raise ValidationError("; ".join(found[:3]))
    current = stored_lexicon(session)
    rows = {row.concept_id: row for row in session.scalars(select(LexiconConcept))}
    changed = 0
    now = datetime.now(UTC)
    for concept in lexicon.concepts.values():
        content = concept_to_mapping(concept)
        row = rows.get(concept.id)
        before = current.concepts.get(concept.id)
        if before is not None and _canonical(concept_to_mapping(before)) == _canonical(content):
            continue
        changed += 1
        if row is None:
            row = LexiconConcept(
                concept_id=concept.id,
                scheme=concept.scheme,
                core=concept.core,
                content=content,
                origin="edited",
                version=1,
                updated_by=principal.username,
                updated_at=now,
            )
            session.add(row)
        else:
            row.content, row.core, row.version = content, concept.core, row.version + 1
            row.origin, row.updated_by, row.updated_at = "edited", principal.username, now
        session.add(
            LexiconRevision(
                concept_id=concept.id,
                status="approved",
                base_version=row.version,
                content=content,
                mappings=[
                    mapping_to_mapping(m) for m in lexicon.mappings if m.source == concept.id
                ],
                note="imported",
                proposed_by=principal.username,
                proposed_by_id=principal.user_id,
                reviewed_by=principal.username,
                reviewed_at=now,
                review_note="imported",
            )
        )
    for concept_id, row in rows.items():
        if concept_id not in lexicon.concepts:
            session.delete(row)
            changed += 1
    session.execute(delete(LexiconMapping))
    session.add_all(
        LexiconMapping(**mapping_to_mapping(mapping), origin="edited")
        for mapping in lexicon.mappings
    )
    session.flush()
    _CACHE.clear()
    audit(session, principal, "import", "lexicon_concept", None, changed=changed)
    return changed
