"""The public submission form (/report), which gives the reporter a reference to quote, and the
inbox of new public reports that analysts take in, one by one or in bulk.

What each reader sees is decided by the store's access policy; the form can only ever create a
record, and the inbox's actions go through the incident workflow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from prevention_lens.errors import TooManyRequestsError, ValidationError
from prevention_lens.incidents.records import MAX_NOTE
from prevention_lens.incidents.reports import (
    REPORT_CATEGORIES,
    REPORT_FIELDS,
    REPORT_RATE,
    BulkReview,
    Inbox,
    inbox,
    review_many,
    submit_report,
)
from prevention_lens.incidents.taxonomy import CATEGORIES
from prevention_lens.store.access import Principal, require
from prevention_lens.store.rate_limits import check, client_key, record
from prevention_lens.web.deps import MAX_ID, CurrentPrincipal, DbSession
from prevention_lens.web.routers.incidents import PAGE_SIZE, country_choices, form_values
from prevention_lens.web.security import app_settings, verify_csrf
from prevention_lens.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
SentReference = Annotated[
    str, Query(max_length=20, description="The reference of the report just sent")
]
REFERENCE = re.compile(r"R-[0-9A-Z]{4}-[0-9A-Z]{4}")


def _report_form(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    values: Mapping[str, str] | None = None,
    error: str | None = None,
    reference: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    response = render(
        request,
        "report.html",
        {
            "values": values or {},
            "error": error,
            "reference": reference,
            "categories": [CATEGORIES[code] for code in REPORT_CATEGORIES],
            "countries": country_choices(session, principal),
            "today": date.today().isoformat(),
            "limit": REPORT_RATE.limit,
        },
        status_code=status_code,
    )
    response.headers.update(headers or {})
    return response


@router.get("/report", response_class=HTMLResponse)
def report_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, sent: SentReference = ""
) -> Response:
    # Only a well-formed reference is echoed back: the page shows no text a link could plant.
    reference = sent if REFERENCE.fullmatch(sent) else None
    return _report_form(request, session, principal, reference=reference)


@router.post("/report")
async def submit_report_form(
    request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """Only ever creates: the form has no id, status or level, and other fields are ignored."""
    values = await form_values(request, REPORT_FIELDS)
    client = client_key(
        app_settings(request).signing_key(),
        REPORT_RATE.bucket,
        request.client.host if request.client else "unknown",
    )
    try:
        check(session, REPORT_RATE, client)
    except TooManyRequestsError as refusal:
        message = f"{refusal} Nothing you typed was stored; it is still in the form below."
        return _report_form(
            request,
            session,
            principal,
            values=values,
            error=message,
            status_code=429,
            headers={"Retry-After": str(refusal.retry_after)},
        )
    try:
        reference = submit_report(session, principal, values)
    except ValidationError as error:
        return _report_form(
            request, session, principal, values=values, error=str(error), status_code=422
        )
    record(session, REPORT_RATE, client)
    return RedirectResponse(f"/report?{urlencode({'sent': reference})}", status_code=303)


@router.get("/incidents/inbox", response_class=HTMLResponse)
def inbox_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """New public reports, newest first, for analysts and admins to take in."""
    found = inbox(session, principal, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return _inbox(request, found, page)


def _inbox(
    request: Request,
    found: Inbox,
    page: int,
    *,
    done: BulkReview | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "incidents_inbox.html",
        {
            "entries": found.entries,
            "total": found.total,
            "page": page,
            "pages": max(1, -(-found.total // PAGE_SIZE)),
            "done": done,
            "error": error,
            "action_labels": {"in_review": "sent to review", "rejected": "rejected"},
            "max_note": MAX_NOTE,
        },
        status_code=status_code,
    )


@router.post("/incidents/inbox")
async def review_inbox(
    request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """Send the chosen reports to review, or reject them with a note, each through the workflow."""
    require(principal, "review", "incident")
    form = await request.form()
    raw_ids = [value for value in form.getlist("incident_id") if isinstance(value, str)]
    action = str(form.get("action") or "")
    note = str(form.get("note") or "")
    try:
        ids = [int(value) for value in raw_ids]
    except ValueError:
        ids = []
    done = None
    error = None
    try:
        if len(ids) != len(raw_ids) or any(not 0 < value <= MAX_ID for value in ids):
            raise ValidationError("the chosen reports are not record numbers", field="incident_id")
        done = review_many(session, principal, ids, action, note)
    except ValidationError as problem:
        session.rollback()
        error = str(problem)
    found = inbox(session, principal, limit=PAGE_SIZE)
    return _inbox(request, found, 1, done=done, error=error, status_code=422 if error else 200)
