"""Escalation signals through the web: the signals page, its API and the country page show
each alert with its events, newest first a page at a time, counting only what the reader may
see, and kept until a record changes."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from prevention_lens.incidents import monitoring
from prevention_lens.incidents.monitoring import alerts_for
from prevention_lens.incidents.records import set_status
from prevention_lens.store import Store
from prevention_lens.store.access import (
    ANONYMOUS,
    LOCAL_OPERATOR,
    Principal,
    Role,
)
from prevention_lens.store.models import AuditEntry, Incident
from tests.web.test_incidents import (
    client,
    filled,
)

__all__ = ["client", "filled"]  # shared fixtures


def test_signals_page_api_and_country_page_show_the_alert_with_its_events(
    client: TestClient, filled: Store
) -> None:
    alerts = client.get("/api/v1/signals?country=Chad").json()
    first = next(a for a in alerts if a["series"] == "one_sided_events")
    assert first["month"] == "2017-01" and first["observed"] == 10.0
    assert sorted(e["title"] for e in first["events"]) == sorted(f"Wave {d}" for d in range(1, 11))
    page = client.get("/signals").text
    assert "Events of violence against civilians" in page and "Wave 3" in page
    assert "date_from=2017-01-01&amp;date_to=2017-01-31" in page
    # Each alert links to its country's hub (whose own tests cover what it shows).
    assert '<a href="/countries/TCD">' in page
    bad = client.get("/signals?since=January")
    assert bad.status_code == 422 and "must be a month like 2017-08" in bad.text


def test_signals_come_newest_first_a_page_at_a_time_with_their_perpetrators(
    client: TestClient, filled: Store
) -> None:
    response = client.get("/api/v1/signals?country=TCD&limit=1")
    total = int(response.headers["X-Total-Count"])
    assert total >= 2 and len(response.json()) == 1
    recent = client.get("/api/v1/signals?country=TCD").json()
    months = [alert["month"] for alert in recent]
    assert months == sorted(months, reverse=True)
    strongest = client.get("/api/v1/signals?country=TCD&order=strength").json()
    scores = [alert["score"] for alert in strongest]
    assert scores == sorted(scores, reverse=True)
    second = client.get("/api/v1/signals?country=TCD&limit=1&offset=1").json()
    assert second == recent[1:2]
    assert recent[0]["perpetrator_kinds"] == ["unknown"]
    assert recent[0]["low_precision"] is False
    page = client.get("/signals?country=TCD").text
    assert "newest month first" in page and '<th scope="col">Perpetrators</th>' in page
    assert client.get("/signals?order=loudest").status_code == 422
    assert client.get("/api/v1/signals?order=loudest").status_code == 422
    assert client.get("/signals?page=0").status_code == 422


def test_alerts_count_only_what_the_reader_may_see(filled: Store) -> None:
    with filled.session() as session:
        public = alerts_for(session, ANONYMOUS, country="TCD")
        operator = alerts_for(session, LOCAL_OPERATOR, country="TCD", since="2017-01")
        spike = next(a for a in operator if a.series == "one_sided_events")
        assert spike.observed == 11.0
        assert next(a for a in public if a.series == "one_sided_events").observed == 10.0
        # A rejected record no longer counts.
        hidden = session.scalars(select(Incident).where(Incident.title.like("Hidden wave%"))).one()
        set_status(session, LOCAL_OPERATOR, hidden.id, "in_review")
        set_status(session, Principal("rita", Role.ANALYST, 99), hidden.id, "rejected")
        again = alerts_for(session, LOCAL_OPERATOR, country="TCD", since="2017-01")
        assert next(a for a in again if a.series == "one_sided_events").observed == 10.0


def test_alerts_are_kept_until_a_record_changes(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed: list[str] = []
    compute = monitoring._compute

    def counting(session: Any, principal: Principal, **options: Any) -> Any:
        computed.append(principal.username)
        return compute(session, principal, **options)

    monkeypatch.setattr(monitoring, "_compute", counting)
    with filled.session() as session:
        first = alerts_for(session, LOCAL_OPERATOR, country="TCD")
        # Alerts are frozen, and the list is the caller's own: a caller changing it changes
        # nothing kept.
        with pytest.raises(dataclasses.FrozenInstanceError):
            first[0].observed = -1.0  # type: ignore[misc]
        first.clear()
        assert alerts_for(session, LOCAL_OPERATOR, country="TCD")
        assert computed == ["local-operator"]
        # A kept result read again is logged like the first read: it lists restricted records.
        # (Reads of one resource in one transaction are one audit row that counts them.)
        logged = session.scalars(
            select(AuditEntry).where(AuditEntry.resource == "incident", AuditEntry.action == "read")
        ).all()
        assert len(logged) == 1 and logged[0].detail["reads"] == 2
        assert logged[0].detail["restricted"] > 0
        # Another reader never gets what was computed for someone cleared to see more.
        public = alerts_for(session, ANONYMOUS, country="TCD")
        assert computed == ["local-operator", "anonymous"]
        kept = alerts_for(session, LOCAL_OPERATOR, country="TCD")
        assert sum(len(a.events) for a in public) < sum(len(a.events) for a in kept)
        # A change made through the application moves the custody head: computed afresh.
        hidden = session.scalars(select(Incident).where(Incident.title.like("Hidden wave%"))).one()
        set_status(session, LOCAL_OPERATOR, hidden.id, "in_review")
        alerts_for(session, LOCAL_OPERATOR, country="TCD")
        assert computed == ["local-operator", "anonymous", "local-operator"]
