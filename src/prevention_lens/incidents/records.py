"""Incident records: creation from checked drafts (incidents.drafts), edits with revisions, the
verification workflow, imports' upserts and withdrawals, and reads through the access policy.

Workflow: unverified → in review → verified | disputed | rejected; disputed or rejected records
go back to review. Nobody verifies, disputes or rejects a record they created or last edited. A
verified record is locked: an edit keeps the old version as a revision, raises the revision
number and sends the record back to review. Every change is a custody entry.

Public API::

    create_incident(session, principal, draft, ...) -> Incident
    update_incident(session, principal, incident_id, changes) -> Incident
    set_status(session, principal, incident_id, status, note="") -> Incident
    upsert_imported(session, actor, draft, *, dataset, external_id, import_id, reference)
    withdraw_imported(session, actor, *, dataset, external_id, reason) -> bool
    get_incident(session, principal, incident_id) -> IncidentRecord   # typed; NotFoundError
    list_incidents(session, principal, filters) -> IncidentPage
    visible_matches(session, principal, filters) -> Select   # the records a reader may see
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from prevention_lens.countries import CountryReference
from prevention_lens.errors import NotFoundError, PermissionDeniedError, ValidationError
from prevention_lens.incidents import custody
from prevention_lens.incidents.drafts import (
    DRAFT_FIELDS,
    IncidentDraft,
    SourceDraft,
    draft_from_mapping,
)
from prevention_lens.incidents.record_types import (
    AttachmentRecord,
    CustodyRecord,
    IncidentRecord,
    SourceRecord,
)
from prevention_lens.incidents.taxonomy import CATEGORIES, STATUSES
from prevention_lens.store.access import (
    Confidentiality,
    Principal,
    Role,
    allowed,
    audit,
    project,
    require,
)
from prevention_lens.store.models import (
    Country,
    Incident,
    IncidentRevision,
    IncidentSource,
)
from prevention_lens.store.models.base import utcnow
from prevention_lens.store.reference import stored_reference

TRANSITIONS = {
    "unverified": ("in_review",),
    "in_review": ("verified", "disputed", "rejected"),
    "disputed": ("in_review",),
    "rejected": ("in_review",),
    "verified": (),
}
REVIEW_OUTCOMES = ("verified", "disputed", "rejected")
MAX_NOTE = 2000  # a reviewer's note, kept in the custody log (analysts read it)


# --- writing ------------------------------------------------------------------------------


def _values(draft: IncidentDraft, country_id: int) -> dict[str, Any]:
    values = {name: getattr(draft, name) for name in DRAFT_FIELDS if name != "country"}
    values["country_id"] = country_id
    values["confidentiality"] = int(draft.confidentiality)
    values["target_groups"] = [{"dimension": d, "name": n} for d, n in draft.target_groups]
    values["identity_targeted"] = bool(draft.target_groups)
    return values


def _country_id(session: Session, reference: CountryReference, query: str) -> int:
    key = reference.resolve(query).key
    country_id = session.scalar(select(Country.id).where(Country.key == key))
    if country_id is None:
        raise NotFoundError(f"Country {key} is not in the store.")
    return country_id


def create_incident(
    session: Session,
    principal: Principal,
    draft: IncidentDraft,
    *,
    dataset: str = "manual",
    external_id: str | None = None,
    reference: CountryReference | None = None,
) -> Incident:
    """Store a new unverified record. Contributors' and anonymous submissions are restricted
    whatever they ask: only analysts and admins make a record public or confidential."""
    require(principal, "create", "incident")
    draft.check()
    if principal.role < Role.ANALYST:
        draft = dataclasses.replace(draft, confidentiality=Confidentiality.RESTRICTED)
    reference = reference or stored_reference(session)
    incident = Incident(
        **_values(draft, _country_id(session, reference, draft.country)),
        dataset=dataset,
        external_id=external_id,
        status="unverified",
        created_by=principal.username,
        created_by_id=principal.user_id,
        updated_by=principal.username,
    )
    session.add(incident)
    session.flush()
    for source in draft.sources:
        session.add(
            IncidentSource(
                incident_id=incident.id,
                url=source.url,
                publisher=source.publisher,
                published_on=source.published_on,
                own_confidentiality=int(
                    Confidentiality.CONFIDENTIAL if source.confidential else Confidentiality.PUBLIC
                ),
                added_by=principal.username,
            )
        )
    session.flush()
    session.refresh(incident)
    custody.append(
        session,
        action="create",
        actor=principal.username,
        incident=incident,
        detail={"dataset": dataset, "revision": 1},
    )
    return incident


def _load(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFoundError(f"No incident {incident_id}.")
    return incident


def _snapshot(incident: Incident) -> dict[str, Any]:
    # Without the digest's salt: admins read revisions, and the salt never leaves the store.
    state = custody.record_state(incident)
    return {key: custody._canonical(v) for key, v in state.items() if key != "digest_salt"}


def _apply(
    session: Session, incident: Incident, values: Mapping[str, Any], actor: str, action: str
) -> list[str]:
    """Set changed values; a verified record is reopened as a new revision. The changed names."""
    changed = [name for name, value in values.items() if getattr(incident, name) != value]
    if not changed:
        return []
    if incident.status == "verified":
        # Through the collection, so the digest of the custody entry below sees the revision.
        incident.revisions.append(
            IncidentRevision(
                incident_id=incident.id,
                revision=incident.revision,
                status=incident.status,
                snapshot=_snapshot(incident),
                replaced_by=actor,
            )
        )
        incident.revision += 1
        incident.status = "in_review"
        incident.verified_by = None
        incident.verified_at = None
    for name in changed:
        setattr(incident, name, values[name])
    incident.updated_by = actor
    incident.updated_at = utcnow()
    session.flush()
    custody.append(
        session,
        action=action,
        actor=actor,
        incident=incident,
        detail={"fields": sorted(changed), "revision": incident.revision},
    )
    return changed


def update_incident(
    session: Session, principal: Principal, incident_id: int, changes: Mapping[str, Any]
) -> Incident:
    """Edit a record (analysts and admins). ``changes`` uses the draft's field names.

    Confidential fields can be written by anyone who may edit the record, and read back only
    with confidential clearance; values not in ``changes`` stay as they are."""
    require(principal, "update", "incident")
    incident = _load(session, incident_id)
    if project(principal, "incident", incident) is None:
        raise NotFoundError(f"No incident {incident_id}.")
    current = {name: getattr(incident, name) for name in DRAFT_FIELDS if name != "country"}
    current["country"] = incident_country_key(session, incident)
    current["target_groups"] = tuple(
        (g["dimension"], g["name"]) for g in incident.target_groups or ()
    )
    merged = {**current, **changes}
    draft = draft_from_mapping(merged)
    values = _values(draft, _country_id(session, stored_reference(session), draft.country))
    _apply(session, incident, values, principal.username, "edit")
    return incident


def incident_country_key(session: Session, incident: Incident) -> str:
    return str(session.scalar(select(Country.key).where(Country.id == incident.country_id)))


def set_status(
    session: Session, principal: Principal, incident_id: int, status: str, note: str = ""
) -> Incident:
    """Move a record along the workflow, recording who and when."""
    incident = _load(session, incident_id)
    if project(principal, "incident", incident) is None:
        raise NotFoundError(f"No incident {incident_id}.")
    if status not in STATUSES:
        raise ValidationError(f"unknown status {status!r}", field="status")
    if len(note) > MAX_NOTE:
        raise ValidationError(f"the note is over {MAX_NOTE} characters", field="note")
    if status not in TRANSITIONS[incident.status]:
        allowed_next = ", ".join(TRANSITIONS[incident.status]) or "nothing (edit it to reopen)"
        raise ValidationError(
            f"incident {incident_id} is {incident.status}; it can go to {allowed_next}",
            field="status",
        )
    if status in REVIEW_OUTCOMES:
        require(principal, "review", "incident", incident)
        if principal.username in (incident.created_by, incident.updated_by):
            raise PermissionDeniedError(
                f"{principal.username} created or last edited incident {incident_id}; "
                "someone else must review it."
            )
    elif not (
        allowed(principal, "update", "incident", incident)
        or (principal.user_id is not None and principal.user_id == incident.created_by_id)
    ):
        require(principal, "update", "incident", incident)
    previous = incident.status
    incident.status = status
    if status == "verified":
        incident.verified_by, incident.verified_at = principal.username, utcnow()
    session.flush()
    custody.append(
        session,
        action="status",
        actor=principal.username,
        incident=incident,
        detail={"from": previous, "to": status, "note": note},
    )
    return incident


def _new_sources(
    incident: Incident | None, sources: Sequence[SourceDraft], actor: str
) -> list[IncidentSource]:
    """Source rows for the drafts not already on the record (same URL, publisher and date)."""
    have = (
        set()
        if incident is None
        else {(s.url, s.publisher, s.published_on) for s in incident.sources}
    )
    rows = []
    for source in sources:
        key = (source.url, source.publisher, source.published_on)
        if key in have:
            continue
        have.add(key)
        rows.append(
            IncidentSource(
                url=source.url,
                publisher=source.publisher,
                published_on=source.published_on,
                own_confidentiality=int(
                    Confidentiality.CONFIDENTIAL if source.confidential else Confidentiality.PUBLIC
                ),
                added_by=actor,
            )
        )
    return rows


def upsert_imported(
    session: Session,
    actor: str,
    draft: IncidentDraft,
    *,
    dataset: str,
    external_id: str,
    import_id: int | None,
    reference: CountryReference,
    existing: Incident | None = None,
    lookup: bool = True,
    country_ids: dict[str, int] | None = None,
) -> str:
    """Create or update the record a dataset calls ``external_id``: "created", "updated" or
    "unchanged". The import runner has checked the importer's permission.

    Pass ``existing`` (and ``lookup=False`` when the caller knows there is none) and a shared
    ``country_ids`` dict to spare a query per row. Re-imports add the sources they bring and
    never remove a source someone added by hand."""
    incident = existing
    if incident is None and lookup:
        incident = session.scalar(
            select(Incident).where(Incident.dataset == dataset, Incident.external_id == external_id)
        )
    cache = {} if country_ids is None else country_ids
    if draft.country not in cache:
        cache[draft.country] = _country_id(session, reference, draft.country)
    values = _values(draft, cache[draft.country])
    if incident is None:
        incident = Incident(
            **values,
            dataset=dataset,
            external_id=external_id,
            status="unverified",
            import_id=import_id,
            created_by=actor,
            updated_by=actor,
        )
        incident.sources = _new_sources(None, draft.sources, actor)
        # A new record has no children to load: the custody digest reads these without a query.
        incident.attachments = []
        incident.revisions = []
        session.add(incident)
        session.flush()
        custody.append(
            session,
            action="import",
            actor=actor,
            incident=incident,
            detail={"dataset": dataset, "import_id": import_id, "revision": 1},
        )
        return "created"
    reopened = incident.withdrawn
    if reopened:
        incident.withdrawn, incident.withdrawn_reason = False, ""
    added = _new_sources(incident, draft.sources, actor)
    incident.sources.extend(added)
    changed = _apply(session, incident, values, actor, "import-update")
    if not changed and not reopened and not added:
        return "unchanged"
    incident.import_id = import_id
    if not changed:
        session.flush()
        custody.append(
            session,
            action="import-update",
            actor=actor,
            incident=incident,
            detail={"sources_added": len(added), "reinstated": reopened},
        )
    return "updated"


def withdraw_imported(
    session: Session, actor: str, *, dataset: str, external_id: str, reason: str
) -> bool:
    """Mark a record its source deleted as withdrawn (kept, with its custody); False if absent."""
    incident = session.scalar(
        select(Incident).where(Incident.dataset == dataset, Incident.external_id == external_id)
    )
    if incident is None or incident.withdrawn:
        return False
    incident.withdrawn, incident.withdrawn_reason = True, reason
    session.flush()
    custody.append(
        session, action="withdraw", actor=actor, incident=incident, detail={"reason": reason}
    )
    return True


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentFilter:
    country: str | None = None  # a country key
    category: str | None = None
    status: str | None = None
    dataset: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    # Searched in public fields only (title, narrative, region, district, place, perpetrator,
    # and the source's own id, e.g. a public report's reference): never in the exact place.
    text: str | None = None
    identity_targeted: bool | None = None
    include_withdrawn: bool = False
    limit: int | None = 100
    offset: int = 0


@dataclass(frozen=True)
class IncidentPage:
    total: int
    rows: list[dict[str, Any]] = field(default_factory=list)


def _visible(principal: Principal, statement: Select[Any]) -> Select[Any]:
    """Narrow the query to records the principal may see at all (owners see their own)."""
    ceiling = int(principal.clearance)
    if principal.user_id is None:
        return statement.where(Incident.confidentiality <= ceiling)
    owned = int(max(principal.clearance, Confidentiality.RESTRICTED))
    return statement.where(
        or_(
            Incident.confidentiality <= ceiling,
            (Incident.created_by_id == principal.user_id) & (Incident.confidentiality <= owned),
        )
    )


def _filtered(session: Session, filters: IncidentFilter) -> Select[Any]:
    statement = select(Incident)
    if filters.country:
        statement = statement.join(Country, Incident.country_id == Country.id).where(
            Country.key == filters.country.upper()
        )
    if filters.category:
        statement = statement.where(Incident.category == filters.category)
    if filters.status:
        statement = statement.where(Incident.status == filters.status)
    if filters.dataset:
        statement = statement.where(Incident.dataset == filters.dataset)
    if filters.date_from:
        statement = statement.where(Incident.date_start >= filters.date_from)
    if filters.date_to:
        statement = statement.where(Incident.date_start <= filters.date_to)
    if filters.identity_targeted is not None:
        statement = statement.where(Incident.identity_targeted == filters.identity_targeted)
    if not filters.include_withdrawn:
        statement = statement.where(Incident.withdrawn.is_(False))
    if filters.text:
        pattern = f"%{filters.text.lower()}%"
        statement = statement.where(
            or_(
                *(
                    func.lower(column).like(pattern)
                    for column in (
                        Incident.external_id,
                        Incident.title,
                        Incident.narrative,
                        Incident.admin1,
                        Incident.admin2,
                        Incident.place_name,
                        Incident.perpetrator_name,
                    )
                )
            )
        )
    return statement


def visible_matches(session: Session, principal: Principal, filters: IncidentFilter) -> Select[Any]:
    """Every record matching ``filters`` that ``principal`` may see, unordered and unlimited:
    for summaries over all of them (the caller checks the read permission and audits)."""
    return _visible(principal, _filtered(session, filters))


def _placed(statement: Select[Any]) -> Select[Any]:
    """The statement with each record's country key and name, joined rather than looked up."""
    place = aliased(Country)
    return statement.add_columns(place.key, place.name).join(place, Incident.country_id == place.id)


def _shape(row: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    row["country_key"], row["country_name"] = key, name
    row["category_label"] = CATEGORIES[row["category"]].label
    return row


def list_incidents(
    session: Session, principal: Principal, filters: IncidentFilter | None = None
) -> IncidentPage:
    """The records the principal may see, newest first, each projected through the policy."""
    require(principal, "read", "incident")
    filters = filters or IncidentFilter()
    statement = _visible(principal, _filtered(session, filters))
    total = None
    if filters.limit is not None:
        # Without a limit every match is read below, so counting them apart is a wasted query.
        total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    statement = statement.order_by(Incident.date_start.desc(), Incident.id.desc())
    if filters.limit is not None:
        statement = statement.limit(filters.limit).offset(filters.offset)
    found = session.execute(_placed(statement)).all()
    rows = [
        _shape(projected, key, name)
        for incident, key, name in found
        if (projected := project(principal, "incident", incident)) is not None
    ]
    sensitive = sum(1 for row in rows if row["confidentiality"] >= Confidentiality.RESTRICTED)
    if sensitive or (principal.clearance >= Confidentiality.CONFIDENTIAL and rows):
        audit(session, principal, "read", "incident", count=len(rows), restricted=sensitive)
    return IncidentPage(total=int(len(found) if total is None else total), rows=rows)


def get_incident(session: Session, principal: Principal, incident_id: int) -> IncidentRecord:
    """One record with its sources, attachments, and (for analysts) custody, typed; what the
    policy withholds from the reader is not in it. A record the reader may not see raises
    NotFoundError, as a missing one does."""
    found = session.execute(
        select(Incident, Country.key, Country.name)
        .join(Country, Incident.country_id == Country.id)
        .where(Incident.id == incident_id)
        .options(selectinload(Incident.sources), selectinload(Incident.attachments))
    ).first()
    incident = None if found is None else found[0]
    projected = None if incident is None else project(principal, "incident", incident)
    if found is None or incident is None or projected is None:
        raise NotFoundError(f"No incident {incident_id}.")
    sources = tuple(
        SourceRecord.from_projection(s)
        for source in incident.sources
        if (s := project(principal, "incident_source", source))
    )
    attachments = tuple(
        AttachmentRecord.from_projection(a)
        for attachment in incident.attachments
        if (a := project(principal, "incident_attachment", attachment))
    )
    entries = (
        tuple(CustodyRecord(**entry) for entry in custody_of(session, principal, incident_id))
        if allowed(principal, "read", "custody_entry")
        else ()
    )
    if incident.confidentiality >= Confidentiality.RESTRICTED or principal.clearance >= (
        Confidentiality.CONFIDENTIAL
    ):
        audit(session, principal, "read", "incident", incident_id)
    return IncidentRecord.from_projection(
        projected,
        country_key=str(found[1]),
        country_name=str(found[2]),
        category_label=CATEGORIES[incident.category].label,
        sources=sources,
        attachments=attachments,
        custody=entries,
    )


def custody_of(session: Session, principal: Principal, incident_id: int) -> list[dict[str, Any]]:
    from prevention_lens.store.models import CustodyEntry

    require(principal, "read", "custody_entry")
    entries = session.scalars(
        select(CustodyEntry)
        .where(CustodyEntry.incident_id == incident_id)
        .order_by(CustodyEntry.seq)
    )
    return [e for entry in entries if (e := project(principal, "custody_entry", entry))]


def revisions_of(session: Session, principal: Principal, incident_id: int) -> list[dict[str, Any]]:
    require(principal, "read", "incident_revision")
    entries = session.scalars(
        select(IncidentRevision)
        .where(IncidentRevision.incident_id == incident_id)
        .order_by(IncidentRevision.revision)
    )
    rows = [r for entry in entries if (r := project(principal, "incident_revision", entry))]
    if rows:
        audit(session, principal, "read", "incident_revision", incident_id, count=len(rows))
    return rows


def review_queue(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Records waiting for a reviewer (unverified or in review), oldest first."""
    require(principal, "review", "incident")
    statement = _visible(
        principal,
        select(Incident).where(
            Incident.status.in_(("unverified", "in_review")), Incident.withdrawn.is_(False)
        ),
    ).order_by(Incident.created_at, Incident.id)
    return [
        _shape(projected, key, name)
        for incident, key, name in session.execute(_placed(statement))
        if (projected := project(principal, "incident", incident)) is not None
    ]
