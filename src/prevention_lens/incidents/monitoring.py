"""Escalation alerts over the incident records a reader may see: the store's records become the
signals' event table, and each alert comes back with its events named.

Records are read through ``list_incidents`` (so through the access policy), never around it:
an anonymous reader's alerts are computed from public records only, and every event an alert
lists is one the reader may open. Withdrawn and rejected records do not count.

Computing alerts reads every record a reader may see, which takes seconds at tens of thousands of
records, so each process keeps the latest results, keyed by the store, the reader (name, role
and account) and the head of the chain of custody: every change the application makes to a
record moves the head, so a kept result is never older than the records it came from.

Public API::

    alerts_for(session, principal, *, level="country", country=None, since=None,
               order="recent") -> list[RecordAlert]
    RecordAlert, AlertEvent       typed (frozen); ``to_dict()`` for JSON
    events_frame(rows) -> DataFrame
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from prevention_lens.errors import ValidationError
from prevention_lens.incidents import custody
from prevention_lens.incidents.records import IncidentFilter, list_incidents
from prevention_lens.incidents.signals import (
    COLUMNS,
    LEVELS,
    OPTIONAL_COLUMNS,
    ORDERS,
    SERIES,
    Alert,
    escalation_signals,
)
from prevention_lens.incidents.taxonomy import CATEGORIES
from prevention_lens.store.access import Confidentiality, Principal, audit, require

# Records in these states are no evidence of anything: a reviewer ruled them out.
EXCLUDED_STATUSES = frozenset({"rejected"})
# The signals count "violence against civilians" by category; every category the taxonomy marks
# as an act against civilians is handed over under UCDP's name for it.
ONE_SIDED = "one_sided_violence"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_KEPT = 64  # results kept per process
# key -> (alerts, records read, restricted records among them)
_kept: OrderedDict[tuple[Any, ...], tuple[tuple[RecordAlert, ...], int, int]] = OrderedDict()
_kept_lock = threading.Lock()


def _signal_category(code: str) -> str:
    item = CATEGORIES.get(code)
    return ONE_SIDED if item is not None and item.against_civilians else code


def events_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The signals' event table (``signals.COLUMNS``) from projected incident rows."""
    return pd.DataFrame(
        {
            "event_id": [str(row["id"]) for row in rows],
            "date": [row["date_start"].isoformat() for row in rows],
            "country_key": [row["country_key"] for row in rows],
            "admin1": [row.get("admin1") or None for row in rows],
            "category": [_signal_category(row["category"]) for row in rows],
            "identity_targeted": [bool(row.get("identity_targeted")) for row in rows],
            "fatalities": [row.get("fatalities_best") for row in rows],
            "date_end": [row.get("date_end") for row in rows],
            "date_precision": [row.get("date_precision") or "day" for row in rows],
            "perpetrator_kind": [row.get("perpetrator_kind") or "unknown" for row in rows],
        },
        columns=[*COLUMNS, *OPTIONAL_COLUMNS],
    )


@dataclass(frozen=True)
class AlertEvent:
    """A record behind an alert, as the reader may see it."""

    id: int
    title: str  # the record's title, or its category in words when it has none
    date: str  # the first day, ISO
    category: str
    category_label: str
    admin1: str | None
    fatalities: int | None
    status: str
    date_precision: str  # day, month or year
    perpetrator_kind: str  # state, non_state or unknown


@dataclass(frozen=True)
class RecordAlert:
    """An escalation alert (``signals.Alert``) over the records a reader may see, with the
    country's name and the events behind it. Fields in ``Alert.to_dict()``'s order."""

    level: str
    country_key: str
    admin1: str | None
    series: str
    month: str
    observed: float
    expected: float
    p_value: float
    score: float
    event_ids: tuple[str, ...]
    imprecise_share: float
    perpetrator_kinds: tuple[str, ...]
    low_precision: bool
    series_label: str
    place: str
    country_name: str
    events: tuple[AlertEvent, ...]

    @classmethod
    def of(cls, alert: Alert, country_name: str, events: tuple[AlertEvent, ...]) -> RecordAlert:
        return cls(
            **asdict(alert),
            low_precision=alert.low_precision,
            series_label=SERIES[alert.series],
            place=alert.place,
            country_name=country_name,
            events=events,
        )

    def to_dict(self) -> dict[str, Any]:
        """The API's JSON shape (``Alert.to_dict()`` with ``country_name`` and ``events``)."""
        shown = asdict(self)
        shown["event_ids"] = list(self.event_ids)
        shown["perpetrator_kinds"] = list(self.perpetrator_kinds)
        shown["events"] = [asdict(event) for event in self.events]
        return shown


def _event(row: Mapping[str, Any]) -> AlertEvent:
    return AlertEvent(
        id=int(row["id"]),
        title=str(row["title"] or row["category_label"]),
        date=row["date_start"].isoformat(),
        category=str(row["category"]),
        category_label=str(row["category_label"]),
        admin1=row.get("admin1"),
        fatalities=row.get("fatalities_best"),
        status=str(row["status"]),
        date_precision=str(row.get("date_precision") or "day"),
        perpetrator_kind=str(row.get("perpetrator_kind") or "unknown"),
    )


def alerts_for(
    session: Session,
    principal: Principal,
    *,
    level: str = "country",
    country: str | None = None,
    since: str | None = None,
    order: str = "recent",
) -> list[RecordAlert]:
    """The escalation alerts in the records ``principal`` may see: newest month first, or with
    ``order="strength"`` the strongest of all time first.

    ``country`` is a country key; ``since`` ("YYYY-MM") keeps alerts from that month on. Each
    alert is typed and frozen, with ``country_name`` and its ``events``; ``to_dict()`` gives
    ``Alert.to_dict()`` with those two added. A country with no records has no alerts (an
    unknown country is the caller's to refuse, e.g. with ``store.reference.find_country``).
    """
    if level not in LEVELS:
        raise ValidationError(f"must be one of {', '.join(LEVELS)}, got {level!r}", field="level")
    if order not in ORDERS:
        raise ValidationError(f"must be one of {', '.join(ORDERS)}, got {order!r}", field="order")
    if since is not None and not _MONTH.match(since):
        raise ValidationError(f"must be a month like 2017-08, got {since!r}", field="since")
    key = _key(session, principal, level, country, since, order)
    kept = None
    if key is not None:
        with _kept_lock:
            if key in _kept:
                _kept.move_to_end(key)
                kept = _kept[key]
    if kept is not None:
        # A kept result is a read like any other: checked and logged as list_incidents does.
        alerts, count, restricted = kept
        require(principal, "read", "incident")
        if restricted or (principal.clearance >= Confidentiality.CONFIDENTIAL and count):
            audit(session, principal, "read", "incident", count=count, restricted=restricted)
        return list(alerts)
    computed = _compute(session, principal, level=level, country=country, since=since, order=order)
    if key is not None:
        with _kept_lock:
            # Frozen all the way down, so a kept result is shared rather than copied.
            _kept[key] = computed
            while len(_kept) > _KEPT:
                _kept.popitem(last=False)
    return list(computed[0])


def _key(
    session: Session,
    principal: Principal,
    level: str,
    country: str | None,
    since: str | None,
    order: str,
) -> tuple[Any, ...] | None:
    head = custody.head(session)
    if head is None:  # no record was ever made through the application
        return None
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    store = engine.url.render_as_string(hide_password=True)
    reader = (principal.username, principal.role.value, principal.user_id)
    return (store, head, reader, level, country or None, since, order)


def _compute(
    session: Session,
    principal: Principal,
    *,
    level: str,
    country: str | None,
    since: str | None,
    order: str,
) -> tuple[tuple[RecordAlert, ...], int, int]:
    """The alerts, the number of records read, and how many of them were restricted."""
    page = list_incidents(session, principal, IncidentFilter(country=country or None, limit=None))
    restricted = sum(1 for row in page.rows if row["confidentiality"] >= Confidentiality.RESTRICTED)
    rows = [
        row
        for row in page.rows
        if row["status"] not in EXCLUDED_STATUSES and not row.get("withdrawn")
    ]
    if not rows:
        return (), len(page.rows), restricted
    by_id = {str(row["id"]): row for row in rows}
    names = {row["country_key"]: row["country_name"] for row in rows}
    alerts = tuple(
        RecordAlert.of(
            alert,
            names.get(alert.country_key, alert.country_key),
            tuple(_event(by_id[event]) for event in alert.event_ids if event in by_id),
        )
        for alert in escalation_signals(events_frame(rows), level=level, since=since, order=order)
    )
    return alerts, len(page.rows), restricted
