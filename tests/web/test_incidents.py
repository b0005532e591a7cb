"""Incident pages and API: the verification workflow through the web, the public submission
form (create only, rate-limited), exports in three formats, escalation alerts, and no leak of a
confidential field, a hidden record or an exact coordinate to anonymous users or contributors
by any route."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from prevention_lens.accounts import users
from prevention_lens.incidents import monitoring
from prevention_lens.incidents.drafts import draft_from_mapping, draft_sources
from prevention_lens.incidents.evidence import add_attachment, evidence_root
from prevention_lens.incidents.monitoring import alerts_for
from prevention_lens.incidents.records import create_incident, set_status
from prevention_lens.incidents.reports import REPORT_RATE
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import (
    ANONYMOUS,
    LOCAL_OPERATOR,
    Confidentiality,
    Principal,
    Role,
)
from prevention_lens.store.models import AuditEntry, Country, Incident
from prevention_lens.web.app import create_app
from tests.web.forms import csrf_token, log_in

PASSWORD = "correct horse battery"
MARKER = "CONFIDENTIAL-MARKER-5e1f"
# What someone who guessed a name would search for (the page echoes the search box).
SEARCH = "MARKER-5e1f"
# The planted exact coordinates in any form with more than 2 decimals.
UNROUNDED = re.compile(r"20\.12\d|92\.87\d|-?0?\.123456")
# Labels of confidential fields: a reader who may not see a field must not see its name either.
CONFIDENTIAL_LABELS = (
    "Witness",
    "witness_",
    "Source identity",
    "source_identity",
    "Exact place",
    "exact_place",
    "Confidential details",
)


def _csrf(client: TestClient, path: str = "/report") -> str:
    return csrf_token(client, path)


def _login(client: TestClient, username: str) -> None:
    log_in(client, username, PASSWORD)


def _record(**values: object) -> Any:
    fields: dict[str, object] = {
        "category": "one_sided_violence",
        "date_start": "2017-08-25",
        "country": "MMR",
        "title": "Attack on a village",
        "narrative": "Houses burned at dawn.",
    }
    fields.update(values)
    return draft_from_mapping(fields)


@pytest.fixture
def filled(sqlite_store: Store, settings: Settings) -> Iterator[Store]:
    """Users, a public record full of confidential values, hidden records, a month of alerts."""
    root = evidence_root(settings.home)
    with sqlite_store.session() as session:
        for name, role in (
            ("ana", Role.ANALYST),
            ("ben", Role.ANALYST),
            ("cora", Role.CONTRIBUTOR),
            ("ada", Role.ADMIN),
        ):
            users.add_user(session, LOCAL_OPERATOR, name, PASSWORD, role)
        public = _record(
            latitude="20.123456",
            longitude="92.876543",
            location_precision="exact",
            place_name="Tula Toli",
            admin1="Rakhine",
            witness_identity=MARKER,
            witness_contact=f"{MARKER}@example.org",
            source_identity=f"Driver {MARKER}",
            exact_place=f"Behind the house of {MARKER}",
            target_groups="ethnicity: Rohingya",
            fatalities_best="12",
        )
        public = dataclasses.replace(
            public,
            sources=draft_sources(
                [
                    {"url": "https://news.example.org/tula-toli", "publisher": "News"},
                    {
                        "url": f"https://example.org/{MARKER}",
                        "publisher": f"Informant {MARKER}",
                        "confidential": True,
                    },
                ]
            ),
        )
        shown = create_incident(session, LOCAL_OPERATOR, public)
        add_attachment(
            session, LOCAL_OPERATOR, root, shown.id, f"{MARKER}-statement.pdf", b"%PDF-1.4 x"
        )
        add_attachment(
            session,
            LOCAL_OPERATOR,
            root,
            shown.id,
            "village-photo.jpg",
            b"\xff\xd8 photo",
            confidentiality=Confidentiality.PUBLIC,
        )
        for level in ("restricted", "confidential"):
            create_incident(
                session,
                LOCAL_OPERATOR,
                _record(
                    title=f"Hidden {level} {MARKER}",
                    narrative=f"Told by {MARKER}",
                    place_name=f"Place {MARKER}",
                    latitude="20.123456",
                    longitude="92.876543",
                    confidentiality=level,
                ),
            )
        # Chad: one attack a month for a year, then ten in one month (and hidden ones too).
        for month in range(1, 13):
            create_incident(
                session,
                LOCAL_OPERATOR,
                _record(country="TCD", date_start=f"2016-{month:02d}-10", title=f"Raid {month}"),
            )
        for day in range(1, 11):
            create_incident(
                session,
                LOCAL_OPERATOR,
                _record(country="TCD", date_start=f"2017-01-{day:02d}", title=f"Wave {day}"),
            )
        create_incident(
            session,
            LOCAL_OPERATOR,
            _record(
                country="TCD",
                date_start="2017-01-20",
                title=f"Hidden wave {MARKER}",
                confidentiality="restricted",
            ),
        )
    yield sqlite_store


@pytest.fixture
def client(settings: Settings, filled: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, filled), base_url="https://testserver") as test:
        yield test


def _ids(filled: Store) -> dict[str, int]:
    with filled.session() as session:
        rows = session.execute(select(Incident.id, Incident.title, Incident.confidentiality))
        found = {}
        for incident_id, title, level in rows:
            if title == "Attack on a village" and level == 0:
                found.setdefault("public", incident_id)
            elif title.startswith("Hidden restricted"):
                found["restricted"] = incident_id
            elif title.startswith("Hidden confidential"):
                found["confidential"] = incident_id
        return found


def _routes(ids: dict[str, int]) -> list[str]:
    public, restricted, confidential = ids["public"], ids["restricted"], ids["confidential"]
    pages = [
        "/",
        "/incidents",
        f"/incidents?text={SEARCH}",
        "/incidents?text=Behind+the+house",
        "/incidents?country=MMR",
        "/incidents/inbox",
        "/incidents?country=TCD&date_from=2017-01-01&date_to=2017-01-31",
        f"/incidents/{public}",
        f"/incidents/{restricted}",
        f"/incidents/{confidential}",
        f"/incidents/{public}/edit",
        f"/incidents/{restricted}/edit",
        "/incidents/review",
        "/report",
        "/signals",
        "/signals?country=TCD",
        "/signals?level=admin1",
        "/countries/MMR",
        "/countries/TCD",
        "/incidents/987654",
        "/no-such-page",
        "/incidents?date_from=not-a-date",
        "/signals?since=2017-13",
    ]
    for fmt in ("csv", "geojson", "json"):
        pages += [
            f"/incidents/export.{fmt}",
            f"/incidents/export.{fmt}?text={SEARCH}",
            f"/api/v1/incidents/export.{fmt}",
        ]
    for attachment in (1, 2):
        pages.append(f"/incidents/{public}/attachments/{attachment}")
    api = [
        "/api/v1/incidents",
        f"/api/v1/incidents?text={SEARCH}",
        "/api/v1/incidents?limit=1000",
        f"/api/v1/incidents/{public}",
        f"/api/v1/incidents/{restricted}",
        f"/api/v1/incidents/{confidential}",
        "/api/v1/incidents/review-queue",
        "/api/v1/incidents/categories",
        "/api/v1/incidents/aggregate",
        "/api/v1/incidents/aggregate?cell=0.05",
        "/api/v1/incidents/aggregate?country=MMR&cell=0.05",
        f"/api/v1/incidents/aggregate?text={SEARCH}",
        "/api/v1/signals",
        "/api/v1/signals?country=TCD",
        "/api/v1/signals?level=admin1",
        "/api/v1/custody/verify",
        "/api/v1/incidents?limit=many",
        "/api/v1/audit",
    ]
    return pages + api


def _assert_clean(route: str, response: Any, *, labels: bool = True) -> None:
    shown = response.text + json.dumps(dict(response.headers))
    assert MARKER not in shown, f"{route} shows a confidential value"
    assert not UNROUNDED.search(shown), f"{route} shows an exact coordinate"
    if labels:
        named = [label for label in CONFIDENTIAL_LABELS if label in shown]
        assert named == [], f"{route} names confidential fields {named}"


@pytest.mark.parametrize("who", [None, "cora"])
def test_nothing_confidential_reaches_anonymous_users_or_contributors(
    client: TestClient, filled: Store, who: str | None
) -> None:
    ids = _ids(filled)
    if who:
        _login(client, who)
    statuses = {}
    for route in _routes(ids):
        response = client.get(route)
        statuses[route] = response.status_code
        _assert_clean(route, response)
    # The entry form asks for write-only details by name, but shows no stored value.
    if who:
        _assert_clean("/incidents/new", client.get("/incidents/new"), labels=False)
    # Hidden records read as absent, the same as ones that never existed.
    assert statuses[f"/incidents/{ids['restricted']}"] == 404
    assert statuses[f"/api/v1/incidents/{ids['confidential']}"] == 404
    assert statuses["/incidents/987654"] == 404 and statuses["/no-such-page"] == 404
    assert statuses["/incidents?date_from=not-a-date"] == 422
    assert statuses["/api/v1/incidents?limit=many"] == 422
    # ...and the public record did show, rounded, so the routes above were really exercised.
    record = client.get(f"/api/v1/incidents/{ids['public']}").json()
    assert record["public_latitude"] == 20.12 and record["public_longitude"] == 92.88
    assert "latitude" not in record and "witness_identity" not in record
    assert [s["publisher"] for s in record["sources"]] == ["News"]
    assert [a["filename"] for a in record["attachments"]] == ["village-photo.jpg"]
    assert client.get(f"/incidents/{ids['public']}/attachments/2").content == b"\xff\xd8 photo"
    assert client.get(f"/api/v1/incidents?text={SEARCH}").json()["total"] == 0


@pytest.mark.parametrize("who", [None, "cora"])
def test_writes_to_hidden_records_read_as_absent_or_refused(
    client: TestClient, filled: Store, who: str | None
) -> None:
    ids = _ids(filled)
    if who:
        _login(client, who)
    token = _csrf(client)
    hidden = ids["restricted"]
    attempts = [
        client.post(
            f"/incidents/{hidden}/status", data={"csrf_token": token, "status": "in_review"}
        ),
        client.post(
            f"/api/v1/incidents/{hidden}/status",
            json={"status": "in_review"},
            headers={"X-CSRF-Token": token},
        ),
        client.patch(
            f"/api/v1/incidents/{hidden}", json={"title": "x"}, headers={"X-CSRF-Token": token}
        ),
        client.post(
            f"/api/v1/incidents/{hidden}/sources",
            json={"url": "https://a.example"},
            headers={"X-CSRF-Token": token},
        ),
    ]
    for response in attempts:
        assert response.status_code in (303, 401, 403, 404)
        _assert_clean(str(response.url), response)
    assert attempts[0].status_code == 404 and attempts[1].status_code == 404


def test_analysts_see_exact_places_and_admins_see_confidential_fields(
    client: TestClient, filled: Store
) -> None:
    ids = _ids(filled)
    _login(client, "ana")
    page = client.get(f"/incidents/{ids['public']}").text
    assert "20.123456" in page and "Chain of custody" in page
    assert f"{MARKER}-statement.pdf" in page  # a restricted attachment
    assert f"{MARKER}@example.org" not in page and f"Informant {MARKER}" not in page
    assert "Witness" not in page
    assert client.get(f"/incidents/{ids['restricted']}").status_code == 200
    _login(client, "ada")
    page = client.get(f"/incidents/{ids['public']}").text
    assert "Witness" in page and f"{MARKER}@example.org" in page
    assert f"Informant {MARKER}" in page and f"{MARKER}-statement.pdf" in page


def _counts(client: TestClient, query: str = "country=MMR") -> dict[str, Any]:
    text = client.get(f"/incidents?{query}").text
    block = re.search(r'id="incident-counts">(.*?)</script>', text, re.S)
    assert block
    found: dict[str, Any] = json.loads(block.group(1))
    return found


def test_map_counts_only_what_each_reader_may_see_in_public_cells(
    client: TestClient, filled: Store
) -> None:
    public = _counts(client)
    assert public["total"] == 1 and public["cell_degrees"] == 1.0
    assert public["cells"] == [{"south": 20.0, "west": 92.0, "count": 1, "deaths": 12}]
    assert public["months"] == [{"month": "2017-08", "count": 1, "deaths": 12}]
    fine = client.get("/api/v1/incidents/aggregate?country=MMR&cell=0.05").json()
    assert [(c["south"], c["west"]) for c in fine["cells"]] == [(20.1, 92.85)]
    # Analysts count the restricted record too, in the same cells: cells come from the
    # public coordinates, for every reader.
    _login(client, "ana")
    analyst = _counts(client)
    assert analyst["total"] == 2
    assert [(c["south"], c["west"], c["count"]) for c in analyst["cells"]] == [(20.0, 92.0, 2)]


def test_a_cell_size_outside_the_grid_is_refused(client: TestClient) -> None:
    assert client.get("/api/v1/incidents/aggregate?cell=0.3").status_code == 422
    assert client.get("/api/v1/incidents/aggregate?cell=0.01").status_code == 422
    assert client.get("/api/v1/incidents/aggregate?cell=many").status_code == 422


def test_map_and_timeline_count_every_record_not_only_the_newest(
    client: TestClient, filled: Store
) -> None:
    # More records than the page once drew (5,000, the newest): the oldest month must count.
    with filled.session() as session:
        country_id = session.scalar(select(Country.id).where(Country.key == "CAF"))
        rows = [
            {
                "dataset": "bulk",
                "external_id": str(number),
                "category": "one_sided_violence",
                "date_start": date(1989 + number % 35, 1 + number % 12, 1),
                "country_id": country_id,
                "created_by": "test",
                "updated_by": "test",
                "confidentiality": 0,
                "status": "unverified",
                "latitude": 4.36,
                "longitude": 18.55,
            }
            for number in range(5_100)
        ]
        session.execute(insert(Incident), rows)
    counts = _counts(client, "country=CAF")
    assert counts["total"] == 5_100
    assert sum(cell["count"] for cell in counts["cells"]) == 5_100
    assert counts["months"][0]["month"] == "1989-01" and counts["months"][-1]["month"] == "2023-12"
    assert sum(month["count"] for month in counts["months"]) == 5_100
    page = client.get("/incidents?country=CAF").text
    assert "5100 incidents; the map and timeline count every one of them" in page


def test_search_finds_regions_and_places_but_never_the_exact_place(
    client: TestClient, filled: Store
) -> None:
    def found(text: str) -> int:
        total: int = client.get("/api/v1/incidents", params={"text": text}).json()["total"]
        return total

    assert found("rakhine") == 1  # admin1
    assert found("tula toli") == 1  # place_name
    for who in (None, "ana", "ada"):
        if who:
            _login(client, who)
        # The confidential exact place is searched for nobody, not even those who may read it.
        assert found("Behind the house") == 0, who


def test_map_data_cannot_close_its_script_block(client: TestClient, filled: Store) -> None:
    # The map's data carries the page's filters (for its own requests), typed by anyone.
    planted = "</script><script>alert(1)"
    text = client.get("/incidents", params={"text": planted}).text
    assert planted not in text
    block = re.search(r'id="incident-counts">(.*?)</script>', text, re.S)
    assert block and "text=%3C%2Fscript%3E" in json.loads(block.group(1))["query"]


def _new_incident_form(token: str, **changes: str) -> dict[str, str]:
    values = {
        "csrf_token": token,
        "category": "hate_crime",
        "title": "Shop of a Muslim family burned",
        "narrative": "Seen by neighbours.",
        "date_start": "2024-02-03",
        "date_precision": "day",
        "country": "IND",
        "location_precision": "country",
        "perpetrator_kind": "unknown",
        "target_groups": "religion: Muslim",
        "fatalities_best": "0",
        "confidentiality": "public",
    }
    values.update(changes)
    return values


def test_verification_workflow_through_the_web(client: TestClient, filled: Store) -> None:
    _login(client, "cora")
    token = _csrf(client, "/incidents/new")
    created = client.post("/incidents/new", data=_new_incident_form(token), follow_redirects=False)
    assert created.status_code == 303
    own = created.headers["location"]
    page = client.get(own).text
    assert "Unverified" in page and "restricted" in page and "Verify" not in page
    sent = client.post(f"{own}/status", data={"csrf_token": token, "status": "in_review"})
    assert sent.status_code == 200 and "In review" in sent.text
    refused = client.post(f"{own}/status", data={"csrf_token": token, "status": "verified"})
    assert refused.status_code == 403

    _login(client, "ana")
    token = _csrf(client, "/incidents/new")
    created = client.post(
        "/incidents/new",
        data=_new_incident_form(token, title="Ana's record"),
        follow_redirects=False,
    )
    record = created.headers["location"]
    client.post(f"{record}/status", data={"csrf_token": token, "status": "in_review"})
    page = client.get(record).text
    assert "another analyst must review it" in page and ">Verify<" not in page
    own_review = client.post(f"{record}/status", data={"csrf_token": token, "status": "verified"})
    assert own_review.status_code == 403 and "someone else must review it" in own_review.text
    queue = client.get("/incidents/review").text
    assert "Ana&#39;s record" in queue and "no (your own)" in queue

    _login(client, "ben")
    token = _csrf(client, "/incidents/new")
    assert ">Verify<" in client.get(record).text
    verified = client.post(f"{record}/status", data={"csrf_token": token, "status": "verified"})
    assert verified.status_code == 200 and "Verified" in verified.text
    number = int(record.rsplit("/", 1)[1])
    assert client.get(f"/api/v1/incidents/{number}").json()["status"] == "verified"

    _login(client, "ana")
    token = _csrf(client, "/incidents/new")
    form = client.get(f"{record}/edit").text
    assert 'value="Ana&#39;s record"' in form and "Witness" not in form
    edited = client.post(
        f"{record}/edit",
        data={**_new_incident_form(token, title="Ana's record, corrected")},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    after = client.get(f"/api/v1/incidents/{number}").json()
    assert after["status"] == "in_review" and after["revision"] == 2
    assert after["title"] == "Ana's record, corrected"
    _login(client, "ada")
    assert "Earlier revisions" in client.get(record).text


def test_entry_form_errors_keep_what_was_typed(client: TestClient) -> None:
    _login(client, "ana")
    token = _csrf(client, "/incidents/new")
    response = client.post(
        "/incidents/new", data=_new_incident_form(token, fatalities_best="many", title="Kept")
    )
    assert response.status_code == 422
    assert "fatalities_best" in response.text and 'value="Kept"' in response.text


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


def test_exports_in_three_formats_follow_the_filters_and_the_policy(
    client: TestClient, filled: Store
) -> None:
    csv_response = client.get("/incidents/export.csv?country=MMR")
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert "attachment; filename=" in csv_response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(csv_response.text)))
    assert [(row["title"], row["latitude"], row["coordinates"]) for row in rows] == [
        ("Attack on a village", "20.12", "rounded to 2 decimals")
    ]
    geo = client.get("/incidents/export.geojson?country=MMR").json()
    assert geo["type"] == "FeatureCollection"
    assert geo["features"][0]["geometry"] == {"type": "Point", "coordinates": [92.88, 20.12]}
    listed = client.get("/api/v1/incidents/export.json?country=TCD&date_from=2017-01-01").json()
    assert sorted(row["title"] for row in listed) == sorted(f"Wave {d}" for d in range(1, 11))
    assert client.get("/incidents/export.xlsx").status_code == 422
    _login(client, "ana")
    exact = list(csv.DictReader(io.StringIO(client.get("/incidents/export.csv").text)))
    assert any(row["latitude"] == "20.123456" for row in exact)
    assert any(row["title"].startswith("Hidden restricted") for row in exact)
    assert "witness_identity" not in exact[0]


def test_api_creates_updates_and_checks_roles(
    client: TestClient, filled: Store, tmp_path: Path
) -> None:
    body = {
        "category": "arbitrary_detention",
        "date_start": "2023-09-01",
        "country": "Burma",
        "title": "Teachers detained",
        "latitude": 16.8,
        "longitude": 96.15,
        "target_groups": [{"dimension": "religion", "name": "Christian"}],
        "confidentiality": "public",
        "sources": [{"url": "https://example.org/detained", "publisher": "Radio"}],
    }
    anonymous = client.post("/api/v1/incidents", json=body, headers={"X-CSRF-Token": _csrf(client)})
    assert anonymous.status_code == 401
    _login(client, "cora")
    token = _csrf(client, "/")
    headers = {"X-CSRF-Token": token}
    created = client.post("/api/v1/incidents", json=body, headers=headers)
    assert created.status_code == 201
    record = created.json()
    assert record["confidentiality"] == Confidentiality.RESTRICTED
    # The author reads their restricted record back with the sources they gave.
    assert record["status"] == "unverified"
    assert [source["url"] for source in record["sources"]] == ["https://example.org/detained"]
    assert (
        client.post("/api/v1/incidents", json={**body, "id": 1}, headers=headers).status_code == 422
    )
    change = client.patch(f"/api/v1/incidents/{record['id']}", json={"title": "x"}, headers=headers)
    assert change.status_code == 403
    assert client.get("/api/v1/custody/verify").status_code == 403

    _login(client, "ana")
    headers = {"X-CSRF-Token": _csrf(client, "/")}
    changed = client.patch(
        f"/api/v1/incidents/{record['id']}",
        json={"fatalities_best": 4, "confidentiality": "public"},
        headers=headers,
    )
    assert changed.status_code == 200
    assert changed.json()["fatalities_best"] == 4 and changed.json()["title"] == body["title"]
    assert [source["publisher"] for source in changed.json()["sources"]] == ["Radio"]
    source = client.post(
        f"/api/v1/incidents/{record['id']}/sources",
        json={"publisher": "A lawyer", "confidential": True},
        headers=headers,
    )
    assert source.status_code == 201
    attached = client.post(
        f"/api/v1/incidents/{record['id']}/attachments",
        files={"file": ("list.csv", b"name\nA\n", "text/csv")},
        data={"description": "Names of the detained"},
        headers=headers,
    )
    assert attached.status_code == 201 and attached.json()["filename"] == "list.csv"
    download = client.get(f"/incidents/{record['id']}/attachments/{attached.json()['id']}")
    assert download.content == b"name\nA\n"
    assert download.headers["content-type"] == "application/octet-stream"
    status = client.post(
        f"/api/v1/incidents/{record['id']}/status",
        json={"status": "in_review", "note": "checked the list"},
        headers=headers,
    )
    assert status.json()["status"] == "in_review"
    assert client.get("/api/v1/custody/verify").json()["intact"] is True
    queue = client.get("/api/v1/incidents/review-queue").json()
    assert record["id"] in [row["id"] for row in queue]


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


def test_analysts_add_sources_and_evidence_files_through_the_record_page(
    client: TestClient, filled: Store
) -> None:
    record = _ids(filled)["public"]
    _login(client, "ana")
    token = _csrf(client, f"/incidents/{record}")
    added = client.post(
        f"/incidents/{record}/sources",
        data={"csrf_token": token, "url": "https://radio.example.org/1", "publisher": "Radio"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    uploaded = client.post(
        f"/incidents/{record}/attachments",
        data={"csrf_token": token, "description": "Satellite image", "confidentiality": "public"},
        files={"file": ("before-after.png", b"\x89PNG image", "image/png")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    page = client.get(f"/incidents/{record}").text
    assert "https://radio.example.org/1" in page and "Satellite image" in page
    _login(client, "cora")
    assert "before-after.png" in client.get(f"/incidents/{record}").text
    token = _csrf(client, f"/incidents/{record}")
    refused = client.post(
        f"/incidents/{record}/attachments",
        data={"csrf_token": token},
        files={"file": ("x.txt", b"x", "text/plain")},
    )
    assert refused.status_code == 403


def test_an_upload_declared_over_the_limit_is_refused_before_it_is_read(
    client: TestClient, filled: Store, settings: Settings
) -> None:
    from prevention_lens.incidents.evidence import MAX_BYTES

    record = _ids(filled)["public"]
    _login(client, "ana")
    token = _csrf(client, f"/incidents/{record}")
    refused = client.post(
        f"/incidents/{record}/attachments",
        content=b"--x--\r\n",
        headers={
            "X-CSRF-Token": token,
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": str(MAX_BYTES * 4),
        },
    )
    assert refused.status_code == 413 and "MiB" in refused.text
    assert refused.headers["x-content-type-options"] == "nosniff"
    incoming = evidence_root(settings.home) / "incoming"
    assert not incoming.exists() or list(incoming.iterdir()) == []


def test_uploads_through_the_api_leave_no_temporary_file(
    client: TestClient, filled: Store, settings: Settings
) -> None:
    record = _ids(filled)["public"]
    _login(client, "ana")
    headers = {"X-CSRF-Token": _csrf(client, "/")}
    content = b"page " * 400_000  # 2 MB: over Starlette's in-memory spool, so on disk
    attached = client.post(
        f"/api/v1/incidents/{record}/attachments",
        files={"file": ("report.txt", content, "text/plain")},
        headers=headers,
    )
    assert attached.status_code == 201 and attached.json()["size_bytes"] == len(content)
    assert list((evidence_root(settings.home) / "incoming").iterdir()) == []


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", " data:text/html,<script>x</script>"]
)
def test_a_source_link_that_is_not_http_is_refused_by_form_and_api(
    client: TestClient, filled: Store, url: str
) -> None:
    record = _ids(filled)["public"]
    _login(client, "ana")
    token = _csrf(client, f"/incidents/{record}")
    form = client.post(
        f"/incidents/{record}/sources",
        data={"csrf_token": token, "url": url, "publisher": "Radio"},
        follow_redirects=False,
    )
    assert form.status_code == 422 and "http" in form.text
    api = client.post(
        f"/api/v1/incidents/{record}/sources",
        json={"url": url, "publisher": "Radio"},
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 422 and "http" in api.json()["error"]
    assert "javascript:" not in client.get(f"/incidents/{record}").text.lower()


def test_the_record_page_links_only_http_sources(
    client: TestClient, filled: Store, settings: Settings
) -> None:
    """A link stored before the check (or behind the app's back) is shown, never linked."""
    from prevention_lens.store.models import IncidentSource

    record = _ids(filled)["public"]
    with filled.session() as session:
        for url in ("javascript:alert(1)", "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3"):
            session.add(
                IncidentSource(
                    incident_id=record,
                    url=url,
                    publisher="Old",
                    own_confidentiality=0,
                    added_by="x",
                )
            )
    page = client.get(f"/incidents/{record}").text
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert not [href for href in hrefs if not href.startswith(("/", "http://", "https://", "#"))]
    assert "javascript:alert(1)" in page  # shown as text
