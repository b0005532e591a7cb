"""Public reports of incidents and the inbox where staff take them in: the narrow schema a
witness fills in, the reference they are given to quote, its rate limit, and bulk review.

A report becomes a restricted, unverified record in the dataset ``submission`` whose
``external_id`` is its reference: a random code (``R-7KQ2-M9XD``) that says nothing about record
ids or how many reports came in. The reference is for quoting to staff; nobody reads a record
back by it publicly.

Public API::

    REPORT_CATEGORIES, REPORT_FIELDS, REPORT_MAX_CHARS, REPORT_RATE
    SUBMISSION_DATASET = "submission"
    INBOX_ACTIONS = ("in_review", "rejected")
    new_reference() -> str
    report_draft(session, values) -> IncidentDraft
    submit_report(session, principal, values) -> str            # the reference
    inbox(session, principal, *, limit=50, offset=0) -> Inbox
    review_many(session, principal, incident_ids, action, note="") -> BulkReview
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.errors import LensError, ValidationError
from prevention_lens.incidents.drafts import IncidentDraft
from prevention_lens.incidents.records import (
    MAX_NOTE,
    IncidentFilter,
    create_incident,
    list_incidents,
    set_status,
)
from prevention_lens.incidents.taxonomy import CATEGORIES
from prevention_lens.store.access import (
    PUBLIC_SUBMISSION,
    Confidentiality,
    Principal,
    Role,
    project,
    require,
)
from prevention_lens.store.models import Country, Incident
from prevention_lens.store.rate_limits import RateLimit

SUBMISSION_DATASET = "submission"
# What the public form offers: acts against people, in words a witness would choose.
REPORT_CATEGORIES = (
    "one_sided_violence",
    "sexual_violence",
    "abduction_disappearance",
    "arbitrary_detention",
    "torture_ill_treatment",
    "forced_displacement",
    "hate_crime",
    "dangerous_speech",
    "looting_destruction",
    "cultural_religious_destruction",
    "other",
)
REPORT_FIELDS = ("category", "date", "country", "region", "place", "narrative", "contact")
REPORT_MAX_CHARS = {"narrative": 20_000, "place": 2_000, "contact": 500, "region": 120}
REPORT_RATE = RateLimit("report", 5, timedelta(hours=1), what="reports")
# Letters and digits nobody misreads over a phone line (no 0/O, 1/I/L, 5/S, 2/Z, 8/B).
_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
_REFERENCE_GROUPS = 2
_REFERENCE_GROUP_LENGTH = 4
INBOX_ACTIONS = ("in_review", "rejected")
MAX_BULK = 200  # records one bulk action may move


def new_reference() -> str:
    """A random reference like ``R-7KQ2-M9XD`` (25^8, about 1.5e11, possibilities)."""
    groups = (
        "".join(secrets.choice(_ALPHABET) for _ in range(_REFERENCE_GROUP_LENGTH))
        for _ in range(_REFERENCE_GROUPS)
    )
    return "R-" + "-".join(groups)


def report_draft(session: Session, values: Mapping[str, str]) -> IncidentDraft:
    """The narrow schema: a new, restricted record; the typed place stays confidential."""
    for name, most in REPORT_MAX_CHARS.items():
        if len(values.get(name, "")) > most:
            raise ValidationError(f"is longer than {most} characters", field=name)
    category = values.get("category", "")
    if category not in REPORT_CATEGORIES:
        raise ValidationError("choose what happened from the list", field="category")
    raw_date = values.get("date", "").strip()
    try:
        day = date.fromisoformat(raw_date)
    except ValueError:
        raise ValidationError("give the date as YYYY-MM-DD", field="date") from None
    if day > date.today():
        raise ValidationError("the date is in the future", field="date")
    key = values.get("country", "").strip().upper()
    country = session.scalar(select(Country).where(Country.key == key)) if key else None
    if country is None:
        raise ValidationError("choose the country from the list", field="country")
    narrative = values.get("narrative", "").strip()
    if not narrative:
        raise ValidationError("say what happened", field="narrative")
    region = values.get("region", "").strip()
    return IncidentDraft(
        category=category,
        date_start=day,
        country=country.key,
        title=f"{CATEGORIES[category].label} reported in {country.name}",
        narrative=narrative,
        admin1=region or None,
        location_precision="admin1" if region else "country",
        exact_place=values.get("place", "").strip(),
        witness_contact=values.get("contact", "").strip(),
        confidentiality=Confidentiality.RESTRICTED,
    )


def submit_report(session: Session, principal: Principal, values: Mapping[str, str]) -> str:
    """Store a public report as a restricted, unverified record and return its reference.

    Anonymous reporters (and readers without the right to create records) submit as the public
    submission principal; contributors and staff submit under their own name."""
    draft = report_draft(session, values)
    author = principal if principal.role >= Role.CONTRIBUTOR else PUBLIC_SUBMISSION
    reference = new_reference()
    # A repeat is most unlikely; drawing again keeps the (dataset, external_id) key unique.
    while session.scalar(
        select(Incident.id).where(
            Incident.dataset == SUBMISSION_DATASET, Incident.external_id == reference
        )
    ):
        reference = new_reference()
    create_incident(session, author, draft, dataset=SUBMISSION_DATASET, external_id=reference)
    return reference


@dataclass(frozen=True)
class InboxEntry:
    """One new public report, as the inbox lists it."""

    id: int
    reference: str
    received: str  # when it came in, "YYYY-MM-DD HH:MM" UTC
    date_start: date
    country_key: str
    country_name: str
    admin1: str | None
    category_label: str
    narrative: str


@dataclass(frozen=True)
class Inbox:
    total: int
    entries: tuple[InboxEntry, ...]


def _entry(row: Mapping[str, Any]) -> InboxEntry:
    created = row.get("created_at")
    return InboxEntry(
        id=int(row["id"]),
        reference=str(row.get("external_id") or ""),
        received=created.strftime("%Y-%m-%d %H:%M") if created is not None else "",
        date_start=row["date_start"],
        country_key=row["country_key"],
        country_name=row["country_name"],
        admin1=row.get("admin1"),
        category_label=row["category_label"],
        narrative=row.get("narrative") or "",
    )


def inbox(session: Session, principal: Principal, *, limit: int = 50, offset: int = 0) -> Inbox:
    """New public reports (unverified submissions), newest first (analysts and admins)."""
    require(principal, "review", "incident")
    page = list_incidents(
        session,
        principal,
        IncidentFilter(dataset=SUBMISSION_DATASET, status="unverified", limit=limit, offset=offset),
    )
    return Inbox(total=page.total, entries=tuple(_entry(row) for row in page.rows))


@dataclass(frozen=True)
class BulkReview:
    """What one bulk action did: records moved, and why the others were not."""

    action: str
    moved: tuple[int, ...]
    refused: tuple[tuple[int, str], ...]


def review_many(
    session: Session,
    principal: Principal,
    incident_ids: Sequence[int],
    action: str,
    note: str = "",
) -> BulkReview:
    """Send many new reports to review, or reject them with one note. Each record goes through
    the workflow one by one (``set_status``: a custody entry per step), so a rejection passes
    through review first; a record that cannot move is reported, the others still move."""
    require(principal, "review", "incident")
    if action not in INBOX_ACTIONS:
        raise ValidationError(
            f"must be one of {', '.join(INBOX_ACTIONS)}, got {action!r}", field="action"
        )
    if not incident_ids:
        raise ValidationError("choose at least one report", field="incident_ids")
    if len(incident_ids) > MAX_BULK:
        raise ValidationError(f"at most {MAX_BULK} reports at once", field="incident_ids")
    if len(note) > MAX_NOTE:
        raise ValidationError(f"the note is over {MAX_NOTE} characters", field="note")
    if action == "rejected" and not note.strip():
        raise ValidationError("say why the reports are rejected", field="note")
    moved: list[int] = []
    refused: list[tuple[int, str]] = []
    for incident_id in dict.fromkeys(incident_ids):
        problem = _why_not(session, principal, incident_id, action)
        if problem:
            refused.append((incident_id, problem))
            continue
        try:
            status = session.scalar(select(Incident.status).where(Incident.id == incident_id))
            if status != "in_review":
                set_status(session, principal, incident_id, "in_review", note)
            if action == "rejected":
                set_status(session, principal, incident_id, "rejected", note)
        except LensError as error:  # checked above; a race with another reviewer ends here
            refused.append((incident_id, str(error)))
            continue
        moved.append(incident_id)
    return BulkReview(action=action, moved=tuple(moved), refused=tuple(refused))


def _why_not(session: Session, principal: Principal, incident_id: int, action: str) -> str:
    """Why a record cannot take the action, checked before it moves at all ("" if it can)."""
    incident = session.get(Incident, incident_id)
    if incident is None or project(principal, "incident", incident) is None:
        return f"No incident {incident_id}."
    if incident.status not in ("unverified", "in_review"):
        return f"incident {incident_id} is {incident.status}, not a new report"
    if action == "in_review" and incident.status == "in_review":
        return f"incident {incident_id} is already in review"
    if action == "rejected" and principal.username in (incident.created_by, incident.updated_by):
        return f"{principal.username} created or last edited incident {incident_id}"
    return ""
