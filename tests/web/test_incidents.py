"""Incident pages and API: the verification workflow through the web, exports in three formats,
the map and timeline, and no leak of a confidential field, a hidden record or an exact coordinate
to anonymous users or contributors by any route. The public form and inbox, signals, and sources
and evidence files have their own test files, which share this file's fixtures."""

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
from sqlalchemy import insert, select

from prevention_lens.accounts import users
from prevention_lens.incidents.drafts import draft_from_mapping, draft_sources
from prevention_lens.incidents.evidence import add_attachment, evidence_root
from prevention_lens.incidents.records import create_incident
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import (
    LOCAL_OPERATOR,
    Confidentiality,
    Role,
)
from prevention_lens.store.models import Country, Incident
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
