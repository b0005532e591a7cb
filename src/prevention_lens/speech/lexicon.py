"""The hate-speech lexicon in the store, through the ``speech_term`` policy: terms with their
hateful and neutral senses, proposed as drafts, published or rejected by admins, and read back
typed. Published terms are public; drafts are for analysts and admins.

Terms are unique per language by their normalised form (``matching.normalise_term``), and the
published ones make the matcher that scores posts (``published_matcher``), built once per
version of the published lexicon rather than once per post.

Public API::

    DECISIONS; TARGETED_GROUPS, SEVERITIES, STATUSES, TermDraft, TermRecord (from speech.terms)
    add_terms(session, principal, drafts, *, origin, licence="", import_id=None, status="draft",
              file=None) -> list[TermRecord]
    review_term(session, principal, term_id, decision, note="") -> TermRecord
    update_term(session, principal, term_id, draft, *, note="") -> TermRecord
    may_edit(principal, status) -> bool      analysts edit drafts, admins any term
    list_terms(session, principal, *, language=None, status=None, country=None, query=None)
    get_term(session, principal, term_id) -> TermRecord
    published_matcher(session) -> Matcher
    MATCHERS                         the matcher cache (.changed() after writing terms elsewhere)
    resolve_countries(session, values, *, entry) -> keys;  stored_keys(session, pairs) -> ids
    apply_draft(row, draft, countries) -> changed                      (for loaders)
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.speech.matching import LexiconTerm, Matcher, TermSense
from prevention_lens.speech.terms import (
    LIMITS,
    SEVERITIES,
    STATUSES,
    TARGETED_GROUPS,
    TermDraft,
    TermRecord,
    language_tag,
)
from prevention_lens.speech.units import normalise_term
from prevention_lens.store.access import Principal, allowed, audit, project, require
from prevention_lens.store.models import SpeechTerm, SpeechTermSense
from prevention_lens.store.reference import stored_reference

__all__ = [
    "DECISIONS",
    "EDITED_ORIGIN",
    "MATCHERS",
    "SEVERITIES",
    "SHIPPED_ORIGIN",
    "STATUSES",
    "TARGETED_GROUPS",
    "TermDraft",
    "TermRecord",
    "add_terms",
    "apply_draft",
    "get_term",
    "list_terms",
    "may_edit",
    "published_matcher",
    "resolve_countries",
    "review_term",
    "stored_keys",
    "update_term",
]

DECISIONS = {"publish": "published", "reject": "rejected"}
# The origin of the terms the package ships, and of one of them once an organisation edits it.
SHIPPED_ORIGIN = "shipped"
EDITED_ORIGIN = "edited"


def _record(projected: dict[str, Any], senses: Sequence[SpeechTermSense]) -> TermRecord:
    def dated(value: Any) -> datetime | None:
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value if isinstance(value, datetime) else None

    return TermRecord(
        id=projected["id"],
        term=projected["term"],
        normalized=projected["normalized"],
        language=projected["language"],
        senses=tuple(
            TermSense(
                kind=sense.kind,
                meaning=sense.meaning,
                phrases=tuple(sense.phrases),
                cues=tuple(sense.cues),
                examples=tuple(sense.examples),
            )
            for sense in senses
        ),
        script_variants=tuple(projected["script_variants"] or ()),
        countries=tuple(projected["countries"] or ()),
        targeted_groups=tuple(projected["targeted_groups"] or ()),
        severity=projected["severity"],
        why_inflames=projected["why_inflames"],
        alternatives=tuple(projected["alternatives"] or ()),
        first_seen=projected["first_seen"],
        last_seen=projected["last_seen"],
        status=projected["status"],
        origin=projected["origin"],
        licence=projected["licence"],
        source_url=projected["source_url"],
        example=bool(projected["example"]),
        notes=projected["notes"],
        created_at=dated(projected["created_at"]),
        reviewed_at=dated(projected["reviewed_at"]),
        import_id=projected.get("import_id"),
        created_by=projected.get("created_by"),
        reviewed_by=projected.get("reviewed_by"),
    )


def _visible(principal: Principal, row: SpeechTerm) -> TermRecord | None:
    """The row as the principal may see it; None for a draft or rejected term below the
    analyst role."""
    if row.status != "published" and not allowed(principal, "read_drafts", "speech_term"):
        return None
    projected = project(principal, "speech_term", row)
    return None if projected is None else _record(projected, row.senses)


def resolve_countries(session: Session, values: Sequence[str], *, entry: str) -> list[str]:
    """Country keys for names or codes; an unknown one raises ValidationError with suggestions."""
    reference = stored_reference(session)
    keys: list[str] = []
    for value in values:
        try:
            key = reference.resolve(value).key
        except NotFoundError:
            raise ValidationError(
                reference.unknown(value), field="countries", entry=entry
            ) from None
        if key not in keys:
            keys.append(key)
    return keys


def stored_keys(session: Session, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The (language, normalized) pairs already in the lexicon, with their ids."""
    wanted = set(pairs)
    found: dict[tuple[str, str], int] = {}
    normalized = sorted({key for _, key in wanted})
    for start in range(0, len(normalized), 500):
        chunk = normalized[start : start + 500]
        statement = select(SpeechTerm.language, SpeechTerm.normalized, SpeechTerm.id).where(
            SpeechTerm.normalized.in_(chunk)
        )
        for language, key, term_id in session.execute(statement):
            if (language, key) in wanted:
                found[(language, key)] = term_id
    return found


def apply_draft(row: SpeechTerm, draft: TermDraft, countries: list[str]) -> bool:
    """Copy the draft's content (and senses) onto the row; whether anything changed."""
    values: dict[str, Any] = {
        "term": draft.term,
        "normalized": draft.normalized,
        "language": draft.language,
        "script_variants": list(draft.script_variants),
        "countries": countries,
        "targeted_groups": list(draft.targeted_groups),
        "severity": draft.severity,
        "why_inflames": draft.why_inflames,
        "alternatives": list(draft.alternatives),
        "first_seen": draft.first_seen,
        "last_seen": draft.last_seen,
        "source_url": draft.source_url,
        "example": draft.example,
        "notes": draft.notes,
    }
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    wanted = [
        (sense.kind, sense.meaning, list(sense.phrases), list(sense.cues), list(sense.examples))
        for sense in draft.senses
    ]
    held = [
        (sense.kind, sense.meaning, sense.phrases, sense.cues, sense.examples)
        for sense in row.senses
    ]
    if wanted != held:
        row.senses = [
            SpeechTermSense(
                position=position,
                kind=kind,
                meaning=meaning,
                phrases=phrases,
                cues=cues,
                examples=examples,
            )
            for position, (kind, meaning, phrases, cues, examples) in enumerate(wanted)
        ]
        changed = True
    return changed


def add_terms(
    session: Session,
    principal: Principal,
    drafts: Sequence[TermDraft],
    *,
    origin: str,
    licence: str = "",
    import_id: int | None = None,
    status: str = "draft",
    file: str | None = None,
) -> list[TermRecord]:
    """Store the drafts, all or none: a term given twice, or already in the lexicon in its
    language, or an unknown country raises ValidationError naming it, and nothing is written.
    ``licence`` applies to drafts that name none. Publishing on the way in needs an admin."""
    require(principal, "propose", "speech_term")
    if status not in ("draft", "published"):
        raise ValidationError(f"new terms are draft or published, not {status!r}", field="status")
    if status == "published":
        require(principal, "review", "speech_term")
    origin = origin.strip()[:64] or "manual"
    seen: dict[tuple[str, str], str] = {}
    for draft in drafts:
        key = (draft.language, draft.normalized)
        if key in seen:
            raise ValidationError(
                f"is given twice ({seen[key]!r} and {draft.term!r}) in {draft.language}",
                file=file,
                field="term",
                entry=draft.term,
            )
        seen[key] = draft.term
    stored = stored_keys(session, seen)
    for language, normalized in stored:
        raise ValidationError(
            f"is already in the lexicon in {language} (term {stored[(language, normalized)]})",
            file=file,
            field="term",
            entry=seen[(language, normalized)],
        )
    now = datetime.now(UTC)
    rows = []
    for draft in drafts:
        try:
            countries = resolve_countries(session, draft.countries, entry=draft.term)
        except ValidationError as error:
            raise ValidationError(
                error.problem, file=file, field=error.field, entry=error.entry
            ) from None
        row = SpeechTerm(
            status=status,
            origin=origin,
            licence=(draft.licence or licence.strip())[: LIMITS["licence"]],
            import_id=import_id,
            created_by=principal.username,
            created_at=now,
            reviewed_by=principal.username if status == "published" else None,
            reviewed_at=now if status == "published" else None,
        )
        apply_draft(row, draft, countries)
        rows.append(row)
    session.add_all(rows)
    session.flush()
    for row in rows:
        audit(
            session,
            principal,
            "create",
            "speech_term",
            row.id,
            term=row.term,
            language=row.language,
            origin=origin,
            status=status,
        )
    MATCHERS.changed()
    return [_record_of(principal, row) for row in rows]


def _record_of(principal: Principal, row: SpeechTerm) -> TermRecord:
    """The row just written, as its writer may see it (a contributor who proposed a draft sees
    what they gave, without the staff-only fields)."""
    projected = project(principal, "speech_term", row)
    if projected is None:  # the policy lets everyone read terms; kept for a stricter policy
        raise NotFoundError(f"No speech term {row.id}.")
    return _record(projected, row.senses)


def _load(session: Session, term_id: int) -> SpeechTerm:
    row = session.scalar(
        select(SpeechTerm).options(selectinload(SpeechTerm.senses)).where(SpeechTerm.id == term_id)
    )
    if row is None:
        raise NotFoundError(f"No speech term {term_id}.")
    return row


def review_term(
    session: Session, principal: Principal, term_id: int, decision: str, note: str = ""
) -> TermRecord:
    """Publish or reject a term (admins); the reviewer and time are kept, the note goes to the
    audit log. Rejecting a published term withdraws it. Publishing or withdrawing matches the
    stored posts again (the counts go to the audit log)."""
    if decision not in DECISIONS:
        raise ValidationError(
            f"unknown decision {decision!r}; choose {' or '.join(DECISIONS)}", field="decision"
        )
    require(principal, "review", "speech_term")
    row = _load(session, term_id)
    matched = "published" in (row.status, DECISIONS[decision])
    row.status = DECISIONS[decision]
    row.reviewed_by = principal.username
    row.reviewed_at = datetime.now(UTC)
    session.flush()
    MATCHERS.changed()
    audit(
        session,
        principal,
        decision,
        "speech_term",
        row.id,
        term=row.term,
        note=note.strip()[: LIMITS["notes"]] or None,
        **(_rematched(session, row) if matched else {}),
    )
    return _record_of(principal, row)


def _rematched(session: Session, row: SpeechTerm) -> dict[str, int]:
    """Match the stored posts this term can touch again after the published lexicon changed,
    so that trends and surges count what it says now; the counts go to the change's audit
    entry."""
    from prevention_lens.speech.posts import match_stored_posts

    counts = match_stored_posts(
        session,
        matcher=published_matcher(session),
        changed_terms={row.id: (row.term, *(row.script_variants or ()))},
    )
    return {"posts_rematched": counts.posts, "posts_changed": counts.changed}


def may_edit(principal: Principal, status: str) -> bool:
    """Whether the principal may edit a term in this status: analysts drafts, admins any."""
    return allowed(principal, "edit" if status == "draft" else "review", "speech_term")


def update_term(
    session: Session, principal: Principal, term_id: int, draft: TermDraft, *, note: str = ""
) -> TermRecord:
    """Replace a term's content with the draft's, keeping its status: analysts edit drafts,
    admins any term. An admin's edit of a published term is a review of the new content (the
    reviewer and time change, so every process's matcher picks it up). A shipped term that is
    edited becomes this organisation's own (origin "edited"), which later packages leave as it
    is. The draft's licence, if it names one, replaces the term's. The audit log keeps who
    changed which fields, and the note. Whether a term is a made-up example never changes.
    Editing a published term matches the stored posts again."""
    require(principal, "edit", "speech_term")
    row = _load(session, term_id)
    if row.status == "draft" and not allowed(principal, "read_drafts", "speech_term"):
        raise NotFoundError(f"No speech term {term_id}.")
    if not may_edit(principal, row.status):
        require(principal, "review", "speech_term")
    key = (draft.language, draft.normalized)
    if key != (row.language, row.normalized):
        other = stored_keys(session, [key])
        if other:
            raise ValidationError(
                f"is already in the lexicon in {draft.language} (term {other[key]})",
                field="term",
                entry=draft.term,
            )
    countries = resolve_countries(session, draft.countries, entry=draft.term)
    # Whether a term is a made-up example is where it came from, not content an edit changes.
    draft = replace(draft, example=row.example)
    before = _record_of(principal, row).draft_values()
    licence = draft.licence[: LIMITS["licence"]]
    if not apply_draft(row, draft, countries) and (not licence or licence == row.licence):
        return _record_of(principal, row)
    if licence:
        row.licence = licence
    if row.origin == SHIPPED_ORIGIN:
        row.origin = EDITED_ORIGIN
    if row.status == "published":
        row.reviewed_by = principal.username
        row.reviewed_at = datetime.now(UTC)
    session.flush()
    MATCHERS.changed()
    record = _record_of(principal, row)
    after = record.draft_values()
    audit(
        session,
        principal,
        "update",
        "speech_term",
        row.id,
        term=row.term,
        fields=sorted(name for name in after if after[name] != before.get(name)),
        note=note.strip()[: LIMITS["notes"]] or None,
        **(_rematched(session, row) if row.status == "published" else {}),
    )
    return record


def get_term(session: Session, principal: Principal, term_id: int) -> TermRecord:
    """One term as the principal may see it; a draft reads as not found below analysts."""
    require(principal, "read", "speech_term")
    row = session.scalar(
        select(SpeechTerm).options(selectinload(SpeechTerm.senses)).where(SpeechTerm.id == term_id)
    )
    record = None if row is None else _visible(principal, row)
    if record is None:
        raise NotFoundError(f"No speech term {term_id}.")
    return record


def _matches_query(record: TermRecord, query: str) -> bool:
    """Whether the words are in the term, a variant, a meaning or a phrase: as typed, or as
    terms are compared (``normalise_term``: "Kalar-Htaing" and "kalar htaing" are one)."""
    wanted = query.casefold()
    texts = [
        record.normalized,
        record.term.casefold(),
        *(variant.casefold() for variant in record.script_variants),
        *(sense.meaning.casefold() for sense in record.senses),
        *(phrase.casefold() for sense in record.senses for phrase in sense.phrases),
    ]
    if any(wanted in text for text in texts):
        return True
    # Blank when the query is all punctuation, which would otherwise match every term.
    normalised = normalise_term(query)
    if not normalised:
        return False
    # Forms only: meanings are prose, which the words as typed search well enough.
    forms = [
        *record.script_variants,
        *(phrase for sense in record.senses for phrase in sense.phrases),
    ]
    return normalised in record.normalized or any(
        normalised in normalise_term(form) for form in forms
    )


def list_terms(
    session: Session,
    principal: Principal,
    *,
    language: str | None = None,
    status: str | None = None,
    country: str | None = None,
    query: str | None = None,
) -> list[TermRecord]:
    """The terms the principal may see, by language and term; readers below the analyst role
    see published terms only (asking them for drafts gives none)."""
    require(principal, "read", "speech_term")
    if status is not None and status not in STATUSES:
        raise ValidationError(
            f"unknown status {status!r}; choose from {', '.join(STATUSES)}", field="status"
        )
    statement = (
        select(SpeechTerm)
        .options(selectinload(SpeechTerm.senses))
        .order_by(SpeechTerm.language, SpeechTerm.normalized, SpeechTerm.id)
    )
    if not allowed(principal, "read_drafts", "speech_term"):
        if status not in (None, "published"):
            return []
        statement = statement.where(SpeechTerm.status == "published")
    elif status is not None:
        statement = statement.where(SpeechTerm.status == status)
    if language:
        statement = statement.where(SpeechTerm.language == language_tag(language))
    country_key = None
    if country:
        country_key = resolve_countries(session, [country], entry=country)[0]
    records = []
    for row in session.scalars(statement):
        if country_key is not None and country_key not in (row.countries or []):
            continue
        record = _visible(principal, row)
        if record is None or (query and not _matches_query(record, query)):
            continue
        records.append(record)
    restricted = sum(1 for record in records if record.status != "published")
    if restricted:
        audit(session, principal, "read", "speech_term", count=len(records), drafts=restricted)
    return records


class _Matchers:
    """The matcher of the published lexicon per store, rebuilt when the lexicon changes: a
    change here bumps ``generation``; a change by another process shows in the fingerprint
    (count, highest id, latest creation and review of published terms)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, tuple[tuple[Any, ...], Matcher]] = {}
        self.generation = 0
        self.builds = 0

    def changed(self) -> None:
        with self._lock:
            self.generation += 1

    def get(self, session: Session) -> Matcher:
        store = str(session.get_bind().engine.url)
        fingerprint = session.execute(
            select(
                func.count(SpeechTerm.id),
                func.max(SpeechTerm.id),
                func.max(SpeechTerm.created_at),
                func.max(SpeechTerm.reviewed_at),
            ).where(SpeechTerm.status == "published")
        ).one()
        version = (self.generation, *(str(value) for value in fingerprint))
        with self._lock:
            held = self._held.get(store)
            if held is not None and held[0] == version:
                return held[1]
        rows = session.scalars(
            select(SpeechTerm)
            .options(selectinload(SpeechTerm.senses))
            .where(SpeechTerm.status == "published")
            .order_by(SpeechTerm.id)
        )
        matcher = Matcher(
            [
                LexiconTerm(
                    term_id=row.id,
                    term=row.term,
                    language=row.language,
                    script_variants=tuple(row.script_variants or ()),
                    severity=row.severity,
                    targeted_groups=tuple(row.targeted_groups or ()),
                    countries=tuple(row.countries or ()),
                    senses=tuple(
                        TermSense(
                            sense.kind,
                            sense.meaning,
                            tuple(sense.phrases),
                            tuple(sense.cues),
                            tuple(sense.examples),
                        )
                        for sense in row.senses
                    ),
                )
                for row in rows
            ]
        )
        with self._lock:
            self._held[store] = (version, matcher)
            self.builds += 1
        return matcher


MATCHERS = _Matchers()


def published_matcher(session: Session) -> Matcher:
    """The matcher for every published term (public: no principal needed), built once per
    version of the published lexicon."""
    return MATCHERS.get(session)
