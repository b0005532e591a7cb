"""The public submission form (create only, rate-limited, a reference to quote) and the inbox
in which staff take in new reports, one by one or in bulk."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from prevention_lens.incidents.reports import REPORT_RATE
from prevention_lens.store import Store
from prevention_lens.store.access import (
    Confidentiality,
)
from prevention_lens.store.models import Incident
from tests.web.test_incidents import (
    _csrf,
    _ids,
    _login,
    client,
    filled,
)

__all__ = ["client", "filled"]  # shared fixtures


def _report(token: str, **changes: str) -> dict[str, str]:
    values = {
        "csrf_token": token,
        "category": "forced_displacement",
        "date": "2024-05-01",
        "country": "SDN",
        "region": "West Darfur",
        "place": "The well behind the school in El Geneina",
        "narrative": "Families were told to leave by nightfall.",
        "contact": "+249 555 0100",
    }
    values.update(changes)
    return values


def test_public_form_only_creates_new_restricted_unverified_records(
    client: TestClient, filled: Store
) -> None:
    target = _ids(filled)["public"]
    with filled.session() as session:
        before = session.get(Incident, target)
        assert before is not None
        title, status, revision = before.title, before.status, before.revision
        count = session.scalar(select(func.count()).select_from(Incident))
    token = _csrf(client)
    sent = client.post(
        "/report",
        data=_report(
            token,
            id=str(target),
            incident_id=str(target),
            status="verified",
            confidentiality="public",
            title="Overwritten",
            witness_identity="Planted",
        ),
        follow_redirects=False,
    )
    assert sent.status_code == 303
    location = sent.headers["location"]
    reference = re.fullmatch(r"/report\?sent=(R-[0-9A-Z]{4}-[0-9A-Z]{4})", location)
    assert reference, location
    thanks = client.get(location).text
    assert "Your report was received" in thanks and reference.group(1) in thanks
    for path in (f"/report/{target}", f"/incidents/{target}"):
        assert client.post(path, data=_report(token, title="Overwritten")).status_code in (
            404,
            405,
        )
    with filled.session() as session:
        unchanged = session.get(Incident, target)
        assert unchanged is not None
        assert (unchanged.title, unchanged.status, unchanged.revision) == (title, status, revision)
        assert session.scalar(select(func.count()).select_from(Incident)) == count + 1
        new = session.scalars(select(Incident).where(Incident.dataset == "submission")).one()
        assert new.status == "unverified" and new.confidentiality == Confidentiality.RESTRICTED
        assert new.exact_place == "The well behind the school in El Geneina"
        assert new.witness_contact == "+249 555 0100" and new.witness_identity == ""
        assert new.admin1 == "West Darfur" and new.place_name == "" and new.latitude is None
        assert new.title == "Forced displacement reported in Sudan"
        assert new.created_by == "public submission"
        # The reference the reporter quotes finds the record for staff, and tells nothing else.
        assert new.external_id == reference.group(1)
        assert str(new.id) not in reference.group(1)
    # Anonymous readers cannot find it; analysts can, in the review queue.
    assert "reported in Sudan" not in client.get("/incidents").text
    _login(client, "ana")
    assert "Forced displacement reported in Sudan" in client.get("/incidents/review").text


def _send_reports(client: TestClient, count: int) -> list[str]:
    token = _csrf(client)
    references = []
    for number in range(count):
        sent = client.post(
            "/report", data=_report(token, narrative=f"Report {number}"), follow_redirects=False
        )
        references.append(sent.headers["location"].rsplit("=", 1)[1])
    return references


def test_staff_take_in_new_reports_from_the_inbox_in_bulk(
    client: TestClient, filled: Store
) -> None:
    references = _send_reports(client, 3)
    assert len(set(references)) == 3
    refused = client.get("/incidents/inbox", follow_redirects=False)
    assert refused.status_code in (303, 401, 403)
    assert all(reference not in refused.text for reference in references)
    _login(client, "ana")
    inbox = client.get("/incidents/inbox").text
    assert "3 new reports" in inbox and all(reference in inbox for reference in references)
    with filled.session() as session:
        ids = dict(
            session.execute(
                select(Incident.external_id, Incident.id).where(Incident.dataset == "submission")
            ).all()
        )
    token = _csrf(client, "/incidents/inbox")
    chosen = [str(ids[references[0]]), str(ids[references[1]])]
    rejected = client.post(
        "/incidents/inbox",
        data={"csrf_token": token, "incident_id": chosen, "action": "rejected", "note": "Spam"},
    )
    assert rejected.status_code == 200 and "2 reports rejected" in rejected.text
    assert "1 new report" in rejected.text and references[2] in rejected.text
    no_note = client.post(
        "/incidents/inbox",
        data={"csrf_token": token, "incident_id": [str(ids[references[2]])], "action": "rejected"},
    )
    assert no_note.status_code == 422 and "say why" in no_note.text
    moved = client.post(
        "/incidents/inbox",
        data={
            "csrf_token": token,
            "incident_id": [str(ids[references[2]]), "987654"],
            "action": "in_review",
        },
    )
    assert "1 report sent to review" in moved.text and "No incident 987654" in moved.text
    assert "No new reports" in moved.text
    with filled.session() as session:
        statuses = dict(
            session.execute(
                select(Incident.external_id, Incident.status).where(
                    Incident.dataset == "submission"
                )
            ).all()
        )
        # Each step went into the custody log: review, then rejection with its note.
        steps = [
            entry["detail"]
            for entry in client.get(f"/api/v1/incidents/{ids[references[0]]}").json()["custody"]
            if entry["action"] == "status"
        ]
    assert statuses == {
        references[0]: "rejected",
        references[1]: "rejected",
        references[2]: "in_review",
    }
    assert [(step["to"], step["note"]) for step in steps] == [
        ("in_review", "Spam"),
        ("rejected", "Spam"),
    ]


def test_the_report_page_echoes_only_a_reference(client: TestClient) -> None:
    assert (
        '<strong class="reference">R-ABCD-EFGH</strong>'
        in client.get("/report?sent=R-ABCD-EFGH").text
    )
    planted = client.get("/report", params={"sent": "<b>x</b>"})
    assert planted.status_code == 200 and "<b>x</b>" not in planted.text
    assert "Your report was received" not in planted.text


def test_public_form_refuses_a_bad_report_and_keeps_the_text(client: TestClient) -> None:
    token = _csrf(client)
    response = client.post("/report", data=_report(token, category="state_based_conflict"))
    assert response.status_code == 422 and "choose what happened" in response.text
    assert "Families were told to leave by nightfall." in response.text
    future = client.post("/report", data=_report(token, date=date(2999, 1, 1).isoformat()))
    assert future.status_code == 422 and "in the future" in future.text


def test_public_form_is_rate_limited_per_client(client: TestClient, filled: Store) -> None:
    token = _csrf(client)
    for _ in range(REPORT_RATE.limit):
        sent = client.post("/report", data=_report(token), follow_redirects=False)
        assert sent.status_code == 303
    refused = client.post("/report", data=_report(token), follow_redirects=False)
    assert refused.status_code == 429
    assert f"at most {REPORT_RATE.limit} in 60 minutes" in refused.text
    assert "Families were told to leave by nightfall." in refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    with filled.session() as session:
        stored = session.scalar(
            select(func.count()).select_from(Incident).where(Incident.dataset == "submission")
        )
    assert stored == REPORT_RATE.limit
