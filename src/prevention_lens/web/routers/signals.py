"""The signals page: escalation alerts, newest month first (or the strongest of all time), a
page at a time, each with the events behind it, who committed them and how precisely dated.

Alerts are computed from the records the reader may see (``incidents.monitoring``), so an
anonymous reader's alerts rest on public records only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.incidents.monitoring import AlertEvent, RecordAlert, alerts_for
from prevention_lens.incidents.signals import LEVELS, ORDERS, SERIES
from prevention_lens.store.access import read_records
from prevention_lens.store.models import Country
from prevention_lens.store.reference import find_country
from prevention_lens.web.deps import CurrentPrincipal, DbSession, code_query
from prevention_lens.web.templating import render

router = APIRouter(include_in_schema=False)

SHOWN_ALERTS = 50  # alerts per page
EVENTS_PER_ALERT = 10
MAX_PAGE = 10_000
PERPETRATOR_LABELS = {"state": "state forces", "non_state": "non-state group", "unknown": "unknown"}


def month_range(month: str) -> tuple[str, str]:
    """The first and last day of "YYYY-MM", for links to the incident list."""
    year, number = (int(part) for part in month.split("-"))
    following = f"{year + (number == 12):04d}-{number % 12 + 1:02d}-01"
    last = date.fromisoformat(following) - timedelta(days=1)
    return f"{month}-01", last.isoformat()


@dataclass(frozen=True)
class ShownAlert:
    """An alert as the page shows it: its month's first and last day (for the link to the
    incident list) and the events listed before "and N more"."""

    alert: RecordAlert
    first_day: str
    last_day: str
    shown_events: tuple[AlertEvent, ...]


def with_links(alert: RecordAlert) -> ShownAlert:
    first, last = month_range(alert.month)
    return ShownAlert(alert, first, last, alert.events[:EVENTS_PER_ALERT])


def page_query(request: Request, page: int) -> str:
    """The current filters with another page."""
    values = {key: value for key, value in request.query_params.items() if value}
    values["page"] = str(page)
    return urlencode(values)


@router.get("/signals", response_class=HTMLResponse)
def signals_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    level: Annotated[str, code_query("country or admin1")] = "country",
    country: Annotated[str, code_query("Country key, name or code")] = "",
    since: Annotated[str, code_query("Alerts from this month on, YYYY-MM")] = "",
    order: Annotated[str, code_query("recent (newest month first) or strength")] = "recent",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page of alerts")] = 1,
) -> Response:
    error = None
    alerts: list[RecordAlert] = []
    key = None
    try:
        key = find_country(session, country).key if country.strip() else None
        alerts = alerts_for(
            session,
            principal,
            level=level,
            country=key,
            since=since.strip() or None,
            order=order,
        )
    except (ValidationError, NotFoundError) as problem:
        error = str(problem)
    first = (page - 1) * SHOWN_ALERTS
    shown = alerts[first : first + SHOWN_ALERTS]
    countries = read_records(
        session,
        principal,
        "country",
        select(Country).where(Country.end_date.is_(None)).order_by(Country.name),
    )
    return render(
        request,
        "signals.html",
        {
            "alerts": [with_links(alert) for alert in shown],
            "total": len(alerts),
            "first": first + 1,
            "page": page,
            "pages": max(1, -(-len(alerts) // SHOWN_ALERTS)),
            "previous_query": page_query(request, page - 1) if page > 1 else None,
            "next_query": page_query(request, page + 1)
            if first + SHOWN_ALERTS < len(alerts)
            else None,
            "order": order,
            "orders": ORDERS,
            "perpetrators": PERPETRATOR_LABELS,
            "error": error,
            "level": level,
            "levels": LEVELS,
            "country": key or "",
            "since": since,
            "countries": countries,
            "series": SERIES,
            "events_per_alert": EVENTS_PER_ALERT,
        },
        status_code=422 if error else 200,
    )
