"""Storing and reading the evidence library through the access policy: add entries (one by one
or a whole import, all-or-nothing), edit them, review them, and read them back typed.

Every write keeps the entry's search text and its embedding in step with its content; the
embedding is computed only when the embedded text changes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prevention_lens.countries import CountryReference
from prevention_lens.errors import ConflictError, NotFoundError, ValidationError
from prevention_lens.store.access import (
    Principal,
    audit,
    project,
    read_record,
    read_records,
    require,
)
from prevention_lens.store.models import LibraryEntry
from prevention_lens.store.reference import stored_reference
from prevention_lens.whatworks import embeddings
from prevention_lens.whatworks.entries import Entry, EntryDraft, publication_problems
from prevention_lens.whatworks.vocabulary import (
    CONFLICT_PHASES,
    DESIGNS,
    INTERVENTIONS,
    KINDS,
    OUTCOMES,
)

DECISIONS = {"publish": "published", "reject": "rejected", "unpublish": "draft"}


def embedded_text(entry: EntryDraft | Entry | LibraryEntry) -> str:
    """What the embedding reads: the title, the summary and the entry's codes in words, so that
    a query in any language meets the entry's meaning, not only its wording."""
    parts = [entry.title, entry.summary]
    parts.extend(INTERVENTIONS[code] for code in entry.interventions if code in INTERVENTIONS)
    parts.extend(OUTCOMES[code] for code in entry.outcomes if code in OUTCOMES)
    parts.extend(entry.tags)
    return ". ".join(part.strip() for part in parts if part and part.strip())


def search_text(entry: EntryDraft | LibraryEntry) -> str:
    """What full-text search reads besides the title."""
    labels = [
        KINDS.get(entry.kind or "", ""),
        DESIGNS.get(entry.design or "", ""),
        CONFLICT_PHASES.get(entry.conflict_phase or "", ""),
        *(INTERVENTIONS.get(code, "") for code in entry.interventions),
        *(OUTCOMES.get(code, "") for code in entry.outcomes),
    ]
    parts = [
        " ".join(entry.authors),
        entry.venue,
        str(entry.year),
        entry.summary,
        " ".join(entry.tags),
        " ".join(entry.countries),
        " ".join(entry.regions),
        entry.harm,
        *labels,
    ]
    return "\n".join(part for part in parts if part)


def _resolve_places(
    reference: CountryReference, draft: EntryDraft, where: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """Country keys for the draft's names or codes, and its regions (given, or the countries').
    The reference is built once per batch by the caller (``stored_reference``): it reads the
    aliases imports added, which takes longer than resolving a whole file."""
    keys: list[str] = []
    regions: list[str] = list(draft.regions)
    for value in draft.countries:
        try:
            record = reference.resolve(value)
        except NotFoundError:
            raise ValidationError(reference.unknown(value), field="countries", **where) from None
        if record.key not in keys:
            keys.append(record.key)
        if record.region and record.region not in regions:
            regions.append(record.region)
    return keys, regions


def _apply(row: LibraryEntry, draft: EntryDraft, countries: list[str], regions: list[str]) -> bool:
    """Copy the draft's content onto the row; whether anything changed."""
    values: dict[str, Any] = {
        item.name: getattr(draft, item.name)
        for item in fields(EntryDraft)
        if item.name not in ("countries", "regions")
    }
    values.update(countries=countries, regions=regions)
    changed = False
    for name, value in values.items():
        if isinstance(value, tuple):
            value = list(value)
        elif name == "emmie":
            value = dict(value)
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    text = search_text(row)
    if row.search_text != text:
        row.search_text = text
        changed = True
    return changed


def _embed(rows: Sequence[LibraryEntry]) -> None:
    """Compute embeddings for the rows whose embedded text changed (in one batch)."""
    stale = [
        row
        for row in rows
        if row.embedded_text_sha256 != embeddings.text_sha256(embedded_text(row))
        or row.embedding_model != embeddings.model_name()
    ]
    if not stale:
        return
    texts = [embedded_text(row) for row in stale]
    vectors = embeddings.embed_passages(texts)
    for row, text, vector in zip(stale, texts, vectors, strict=True):
        row.embedding = embeddings.to_bytes(vector)
        row.embedding_model = embeddings.model_name()
        row.embedded_text_sha256 = embeddings.text_sha256(text)


def _duplicates(
    session: Session, drafts: Sequence[EntryDraft], file: str | None, ignore_ids: Iterable[int] = ()
) -> None:
    """A DOI or key given twice, in the batch or already stored, is an error naming both."""
    ignored = set(ignore_ids)
    seen_doi: dict[str, str] = {}
    seen_key: dict[str, str] = {}
    for draft in drafts:
        label = draft.key or draft.title[:40]
        if draft.doi:
            if draft.doi in seen_doi:
                raise ValidationError(
                    f"DOI {draft.doi} is also given for entry {seen_doi[draft.doi]!r}",
                    file=file,
                    field="doi",
                    entry=label,
                )
            seen_doi[draft.doi] = label
        if draft.key in seen_key:
            raise ValidationError(
                "the same key is given twice in this file", file=file, field="key", entry=label
            )
        seen_key[str(draft.key)] = label
    if seen_doi:
        stored = session.execute(
            select(LibraryEntry.doi, LibraryEntry.key, LibraryEntry.id).where(
                LibraryEntry.doi.in_(seen_doi)
            )
        ).all()
        for doi, key, row_id in stored:
            if row_id not in ignored and doi is not None:
                raise ValidationError(
                    f"DOI {doi} is already in the library as entry {key!r}",
                    file=file,
                    field="doi",
                    entry=seen_doi[doi],
                )
    if seen_key:
        stored_keys = session.execute(
            select(LibraryEntry.key, LibraryEntry.id).where(LibraryEntry.key.in_(seen_key))
        ).all()
        for key, row_id in stored_keys:
            if row_id not in ignored:
                raise ValidationError(
                    "this key is already in the library; give another",
                    file=file,
                    field="key",
                    entry=seen_key[key],
                )


def add_entries(
    session: Session,
    principal: Principal,
    drafts: Sequence[EntryDraft],
    *,
    origin: str = "manual",
    file: str | None = None,
    import_id: int | None = None,
) -> list[LibraryEntry]:
    """Store drafts as new draft entries, all or none: the first problem raises ValidationError
    naming the file, the entry and the field, and nothing is written."""
    require(principal, "create", "library_entry")
    checked = [draft.checked(file=file, entry=draft.key) for draft in drafts]
    _duplicates(session, checked, file)
    rows = []
    reference = stored_reference(session)
    for draft in checked:
        countries, regions = _resolve_places(reference, draft, {"file": file, "entry": draft.key})
        row = LibraryEntry(
            created_by=principal.username,
            created_by_id=principal.user_id,
            status="draft",
            origin=origin,
            import_id=import_id,
            review_note="",
            embedding_model="",
            embedded_text_sha256="",
        )
        _apply(row, draft, countries, regions)
        rows.append(row)
    _embed(rows)
    session.add_all(rows)
    session.flush()
    for row in rows:
        audit(session, principal, "create", "library_entry", row.id, key=row.key, origin=origin)
    return rows


def _load(session: Session, entry_id: int | str) -> LibraryEntry:
    column = LibraryEntry.id if isinstance(entry_id, int) else LibraryEntry.key
    row = session.scalar(select(LibraryEntry).where(column == entry_id))
    if row is None:
        raise NotFoundError(f"No evidence-library entry {entry_id}.")
    return row


def update_entry(
    session: Session, principal: Principal, entry_id: int | str, draft: EntryDraft
) -> LibraryEntry:
    """Replace an entry's content. A published entry that changes goes back to review."""
    row = _load(session, entry_id)
    if project(principal, "library_entry", row) is None:
        raise NotFoundError(f"No evidence-library entry {entry_id}.")
    require(principal, "update", "library_entry", row)
    checked = EntryDraft(**{**_draft_values(draft), "key": draft.key or row.key}).checked(
        entry=row.key
    )
    _duplicates(session, [checked], None, ignore_ids=[row.id])
    countries, regions = _resolve_places(stored_reference(session), checked, {"entry": row.key})
    if _apply(row, checked, countries, regions):
        row.updated_at = datetime.now(UTC)
        if row.status == "published" and row.origin != "packaged":
            row.status = "draft"
        _embed([row])
        audit(session, principal, "update", "library_entry", row.id, key=row.key)
    session.flush()
    return row


def _draft_values(draft: EntryDraft) -> dict[str, Any]:
    return {item.name: getattr(draft, item.name) for item in fields(EntryDraft)}


def draft_of(entry: Entry) -> EntryDraft:
    """An entry's content as a draft, to edit and store back."""
    return EntryDraft(
        **{item.name: getattr(entry, item.name) for item in fields(EntryDraft)},
    )


def review_entry(
    session: Session, principal: Principal, entry_id: int | str, decision: str, note: str = ""
) -> Entry:
    """Publish, reject or unpublish an entry (admins). Publishing needs a complete entry."""
    if decision not in DECISIONS:
        raise ValidationError(
            f"unknown decision {decision!r}; choose from {', '.join(DECISIONS)}", field="decision"
        )
    row = _load(session, entry_id)
    require(principal, "publish", "library_entry", row)
    if decision == "publish":
        missing = publication_problems(_as_entry(row))
        if missing:
            raise ConflictError(
                f"Entry {row.key} cannot be published yet; it needs {', '.join(missing)}."
            )
    row.status = DECISIONS[decision]
    row.reviewed_by = principal.username
    row.reviewed_at = datetime.now(UTC)
    row.review_note = note.strip()
    session.flush()
    audit(session, principal, decision, "library_entry", row.id, key=row.key)
    return _as_entry(row)


def _as_entry(row: LibraryEntry) -> Entry:
    """The whole row as an Entry, for the library's own checks (never handed to a reader)."""
    return Entry.from_projection({column: getattr(row, column) for column in _ENTRY_FIELDS})


_ENTRY_FIELDS = tuple(item.name for item in fields(Entry))


def get_entry(session: Session, principal: Principal, entry_id: int | str) -> Entry:
    """One entry by id or key, as the principal may see it; hidden entries read as not found."""
    column = LibraryEntry.id if isinstance(entry_id, int) else LibraryEntry.key
    row = session.scalar(select(LibraryEntry).where(column == entry_id))
    projected = read_record(session, principal, "library_entry", row, str(entry_id))
    return Entry.from_projection(projected)


@dataclass(frozen=True)
class EntryFilter:
    """Filters on every field a reader facets on; None or empty means any."""

    kind: str | None = None
    design: str | None = None
    min_strength: int | None = None
    intervention: str | None = None
    outcome: str | None = None
    country: str | None = None
    region: str | None = None
    conflict_phase: str | None = None
    regime_type: str | None = None
    effect: str | None = None
    harm_only: bool = False
    language: str | None = None
    status: str | None = None
    origin: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    tag: str | None = None
    # Entries that apply to a place: studied there, or with no place at all (global reviews,
    # guidance), as the gap map of a country or region counts them.
    scope_country: str | None = None
    scope_region: str | None = None

    def matches(self, entry: Entry) -> bool:
        checks = (
            self.kind is None or entry.kind == self.kind,
            self.design is None or entry.design == self.design,
            self.min_strength is None or (entry.strength or 0) >= self.min_strength,
            self.intervention is None or self.intervention in entry.interventions,
            self.outcome is None or self.outcome in entry.outcomes,
            self.country is None or self.country in entry.countries,
            self.region is None or self.region in entry.regions,
            self.conflict_phase is None or entry.conflict_phase == self.conflict_phase,
            self.regime_type is None or entry.regime_type == self.regime_type,
            self.effect is None or entry.effect == self.effect,
            not self.harm_only or bool(entry.harm),
            self.language is None or entry.language == self.language,
            self.status is None or entry.status == self.status,
            self.origin is None or entry.origin == self.origin,
            self.year_from is None or entry.year >= self.year_from,
            self.year_to is None or entry.year <= self.year_to,
            self.tag is None or self.tag.casefold() in (tag.casefold() for tag in entry.tags),
            self.scope_country is None
            or not entry.countries
            or self.scope_country in entry.countries,
            self.scope_region is None or not entry.regions or self.scope_region in entry.regions,
        )
        return all(checks)


class _VisibleEntries:
    """The entries each role may see, kept per store until the library changes: projecting ten
    thousand rows through the policy takes a second, a search must not pay it each time."""

    def __init__(self, size: int = 8) -> None:
        self._lock = threading.Lock()
        self._held: dict[tuple[str, tuple[int, str], int], tuple[Entry, ...]] = {}
        self._size = size

    def get(self, session: Session, principal: Principal) -> tuple[Entry, ...]:
        require(principal, "read", "library_entry")
        key = (str(session.get_bind().engine.url), library_version(session), int(principal.role))
        with self._lock:
            held = self._held.get(key)
        if held is None:
            statement = select(LibraryEntry).order_by(
                LibraryEntry.year.desc(), LibraryEntry.title, LibraryEntry.id
            )
            rows = read_records(session, principal, "library_entry", statement)
            held = tuple(Entry.from_projection(row) for row in rows)
            with self._lock:
                if len(self._held) >= self._size:
                    self._held.pop(next(iter(self._held)))
                self._held[key] = held
            return held
        # Served from memory, the read is still logged as read_records logs it.
        restricted = sum(1 for entry in held if entry.status != "published")
        if restricted:
            audit(
                session, principal, "read", "library_entry", count=len(held), restricted=restricted
            )
        return held

    def clear(self) -> None:
        with self._lock:
            self._held.clear()


VISIBLE = _VisibleEntries()


def list_entries(
    session: Session, principal: Principal, where: EntryFilter | None = None
) -> list[Entry]:
    """The entries the principal may see that match the filter, newest first."""
    entries = VISIBLE.get(session, principal)
    return [entry for entry in entries if where is None or where.matches(entry)]


def library_version(session: Session) -> tuple[int, str]:
    """A cheap fingerprint of the library's content: how many entries and the latest change.
    Caches of derived data (the embedding matrix) are keyed on it."""
    count, latest = session.execute(
        select(func.count(LibraryEntry.id), func.max(LibraryEntry.updated_at))
    ).one()
    reviewed = session.scalar(select(func.max(LibraryEntry.reviewed_at)))
    return int(count), f"{latest}|{reviewed}"
