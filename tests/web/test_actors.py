"""Actor pages and API: the directory and its filters, the intake form (drafts only, invisible
until an admin publishes, rate-limited), review by admins only, the example label on every
example page and export, and no contact or draft reaching anonymous users or contributors by
any route."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from prevention_lens.accounts import users
from prevention_lens.actors.example import EXAMPLE_NOTICE, load_example
from prevention_lens.actors.records import (
    ContactDraft,
    RelationshipDraft,
    actor_draft_from_mapping,
    add_contact,
    add_relationship,
    create_actor,
    review_actor,
)
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Role
from prevention_lens.store.models import Actor, ActorContact, RateLimitHit
from prevention_lens.web.app import create_app
from prevention_lens.web.routers.actors import INTAKE_LIMIT
from tests.web.forms import csrf_token, log_in

PASSWORD = "correct horse battery"
MARKER = "CONTACT-MARKER-9c4d"
SEARCH = "MARKER-9c4d"
# Labels of contact fields: a reader who may not see contacts must not see their names either.
CONTACT_LABELS = ("E-mail", "Phone", "contact_email", "Contacts")


def _csrf(client: TestClient, path: str = "/actors/new") -> str:
    return csrf_token(client, path)


def _login(client: TestClient, username: str) -> None:
    log_in(client, username, PASSWORD)


def _actor(**changes: object) -> Any:
    values: dict[str, object] = {
        "name": "Coast Peace Forum",
        "kind": "civil_society",
        "levels": "grassroots; local",
        "countries": "Kenya",
        "activities": "early_warning; dialogue_mediation",
        "sectors": "peacebuilding",
    }
    values.update(changes)
    return actor_draft_from_mapping(values)


def _contact(label: str) -> ContactDraft:
    return ContactDraft(
        name=f"{label} {MARKER}",
        role="Director",
        email=f"{MARKER.lower()}@example.org",
        phone="+254 700 999 111",
        note=f"Call after six {MARKER}",
    )


@pytest.fixture
def mapped(sqlite_store: Store) -> Iterator[Store]:
    """Users; two published actors with a published tie and planted contacts; a hidden draft."""
    with sqlite_store.session() as session:
        for name, role in (("ana", Role.ANALYST), ("cora", Role.CONTRIBUTOR), ("ada", Role.ADMIN)):
            users.add_user(session, LOCAL_OPERATOR, name, PASSWORD, role)
        coast = create_actor(session, LOCAL_OPERATOR, _actor())
        lake = create_actor(
            session,
            LOCAL_OPERATOR,
            _actor(
                name="Lake Region Dialogue Network",
                kind="regional_organisation",
                levels="regional; international",
                countries="Kenya; Uganda",
                activities="policy_advocacy",
                sectors="human_rights",
            ),
        )
        for actor in (coast, lake):
            review_actor(session, LOCAL_OPERATOR, actor.id, "publish")
            add_contact(session, LOCAL_OPERATOR, actor.id, _contact("Published"))
        add_relationship(
            session,
            LOCAL_OPERATOR,
            RelationshipDraft(source_id=coast.id, target_id=lake.id, kind="partnership"),
            publish=True,
        )
        hidden = create_actor(
            session,
            LOCAL_OPERATOR,
            _actor(name=f"Hidden {MARKER} Trust", description=f"Run by {MARKER}"),
        )
        add_contact(session, LOCAL_OPERATOR, hidden.id, _contact("Draft"))
        add_relationship(
            session,
            LOCAL_OPERATOR,
            RelationshipDraft(source_id=hidden.id, target_id=coast.id, kind="funding"),
            publish=True,
        )
    yield sqlite_store


@pytest.fixture
def client(settings: Settings, mapped: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, mapped), base_url="https://testserver") as test:
        yield test


def _ids(store: Store) -> dict[str, int]:
    with store.session() as session:
        rows = session.execute(select(Actor.id, Actor.name)).all()
    keys = {"Coast Peace Forum": "coast", "Lake Region Dialogue Network": "lake"}
    found = {}
    for actor_id, name in rows:
        if name in keys:
            found[keys[name]] = actor_id
        elif name.startswith("Hidden"):
            found["hidden"] = actor_id
    return found


def _names(response: Any) -> list[str]:
    return sorted(row["name"] for row in response.json()["actors"])


def test_directory_lists_published_actors_with_filters(client: TestClient, mapped: Store) -> None:
    page = client.get("/actors")
    assert page.status_code == 200
    assert "Coast Peace Forum" in page.text and "Lake Region Dialogue Network" in page.text
    assert "EXAMPLE DATA" not in page.text
    uganda = client.get("/actors?country=UGA").text
    assert "Lake Region" in uganda and "Coast Peace Forum" not in uganda
    assert _names(client.get("/api/v1/actors?level=grassroots")) == ["Coast Peace Forum"]
    assert _names(client.get("/api/v1/actors?sector=human_rights")) == [
        "Lake Region Dialogue Network"
    ]
    assert _names(client.get("/api/v1/actors?activity=early_warning&text=coast")) == [
        "Coast Peace Forum"
    ]
    assert _names(client.get("/api/v1/actors?kind=regional_organisation&country=Kenya")) == [
        "Lake Region Dialogue Network"
    ]
    assert client.get("/api/v1/actors?level=galactic").status_code == 422
    assert client.get("/actors?dataset=imaginary").status_code == 422
    # The map is coloured from the counts the page embeds: two in Kenya, one in Uganda.
    assert '{"KEN": 2, "UGA": 1}' in page.text


def test_network_api_and_profile_show_the_published_network(
    client: TestClient, mapped: Store
) -> None:
    ids = _ids(mapped)
    network = client.get("/api/v1/actors/network").json()
    assert sorted(node["name"] for node in network["nodes"]) == [
        "Coast Peace Forum",
        "Lake Region Dialogue Network",
    ]
    assert [(link["source"], link["target"]) for link in network["links"]] == [
        (ids["coast"], ids["lake"])
    ]
    assert network["summary"] == {"actors": 2, "relationships": 1, "communities": 1}
    profile = client.get(f"/actors/{ids['coast']}").text
    assert "Lake Region Dialogue Network" in profile and "forecasting and early warning" in profile
    assert "No network snapshot has been taken yet" in profile
    assert client.get("/actors/network").status_code == 200
    gaps = client.get("/api/v1/actors/gaps").json()["gaps"]
    assert {row["country_key"]: row["actors"] for row in gaps} == {"KEN": 2, "UGA": 1}
    assert client.get(f"/api/v1/actors/{ids['coast']}/suggestions").status_code == 200


def test_actor_pages_link_each_country_to_its_hub(client: TestClient, mapped: Store) -> None:
    ids = _ids(mapped)
    assert '<a href="/countries/UGA">Uganda</a>' in client.get("/actors").text
    profile = client.get(f"/actors/{ids['lake']}").text
    assert '<a href="/countries/KEN">Kenya</a>' in profile
    assert '<a href="/countries/KEN">Kenya</a>' in client.get("/actors/gaps").text
    assert '<option value="UGA">Uganda</option>' in client.get("/actors/network").text
    _login(client, "ada")
    assert '<a href="/countries/KEN">KEN</a>' in client.get("/actors/review").text


def test_champions_say_they_are_computed_on_each_regions_network(client: TestClient) -> None:
    answer = client.get("/api/v1/actors/champions").json()
    assert answer["computed_on"].startswith("Each region's figures are computed on the region's")
    (africa,) = answer["champions"]["Africa"][:1]
    assert africa["reasons"][0].startswith("highest betweenness in Africa's own network")
    page = client.get("/actors/gaps").text
    assert "Each region&#39;s figures are computed on the region&#39;s own network" in page
    assert "(on Africa's own network)" in page


def _intake(token: str, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "csrf_token": token,
        "name": "Valley Women Mediators",
        "entity": "network",
        "kind": "grassroots_group",
        "levels": ["grassroots", "local"],
        "countries": ["KEN"],
        "activities": ["dialogue_mediation", "early_warning"],
        "sectors": ["peacebuilding"],
        "r2p_pillars": ["1"],
        "contribution": "We mediate between herders and farmers before disputes turn violent.",
        "contact_name": "",
    }
    values.update(changes)
    return values


def test_intake_creates_a_draft_hidden_until_an_admin_publishes(
    client: TestClient, mapped: Store
) -> None:
    token = _csrf(client)
    sent = client.post(
        "/actors/new",
        data=_intake(token, status="published", dataset="example", id="1"),
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/actors/new?sent=1"
    assert "received as a draft" in client.get("/actors/new?sent=1").text
    with mapped.session() as session:
        new = session.scalars(select(Actor).where(Actor.name == "Valley Women Mediators")).one()
        assert (new.status, new.dataset, new.created_by) == ("draft", "real", "public submission")
        assert new.levels == ["grassroots", "local"] and new.r2p_pillars == [1]
        new_id = new.id
    assert "Valley Women" not in client.get("/actors").text
    assert client.get(f"/actors/{new_id}").status_code == 404
    assert client.get(f"/api/v1/actors/{new_id}").status_code == 404
    # A contributor may neither see it nor publish it, through the page or the API.
    _login(client, "cora")
    token = _csrf(client)
    assert client.get("/actors/review").status_code == 403
    refused = client.post(
        f"/actors/{new_id}/review", data={"csrf_token": token, "decision": "publish"}
    )
    assert refused.status_code == 403
    api = client.post(
        f"/api/v1/actors/{new_id}/review",
        json={"decision": "publish"},
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 403
    assert "Valley Women" not in client.get("/actors").text
    # An admin sees it in the review queue and publishes it; then everyone sees it.
    _login(client, "ada")
    token = _csrf(client)
    queue = client.get("/actors/review").text
    assert "Valley Women Mediators" in queue
    done = client.post(
        f"/actors/{new_id}/review",
        data={"csrf_token": token, "decision": "publish"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    client.post("/logout", data={"csrf_token": token})
    assert "Valley Women Mediators" in client.get("/actors").text


def test_anonymous_reviewers_are_sent_to_log_in(client: TestClient) -> None:
    response = client.get("/actors/review", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_contributor_intake_stores_the_contact_restricted(
    client: TestClient, mapped: Store
) -> None:
    _login(client, "cora")
    token = _csrf(client)
    sent = client.post(
        "/actors/new",
        data=_intake(token, contact_name="Amina", contact_email="amina@example.org"),
        follow_redirects=False,
    )
    assert sent.status_code == 303
    with mapped.session() as session:
        new = session.scalars(select(Actor).where(Actor.name == "Valley Women Mediators")).one()
        assert new.created_by == "cora"
        (contact,) = session.scalars(select(ActorContact).where(ActorContact.actor_id == new.id))
        assert (contact.email, contact.confidentiality) == ("amina@example.org", 1)
        new_id = new.id
    # Its author sees the draft, without its contact.
    own = client.get(f"/actors/{new_id}").text
    assert "Valley Women Mediators" in own and "amina@example.org" not in own


def test_anonymous_intake_stores_the_contact_for_staff_only(
    client: TestClient, mapped: Store
) -> None:
    sent = client.post(
        "/actors/new",
        data=_intake(_csrf(client), contact_name="Amina", contact_email="amina@example.org"),
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    with mapped.session() as session:
        actor = session.scalars(select(Actor).where(Actor.name.like("Valley%"))).one()
        assert actor.status == "draft" and actor.created_by == "public submission"
        assert [c.email for c in actor.contacts] == ["amina@example.org"]
        assert actor.contacts[0].confidentiality == 1


def test_contact_details_in_public_fields_are_shown_back_before_storing(
    client: TestClient, mapped: Store
) -> None:
    token = _csrf(client)
    typed = _intake(token, description="Write to mediators@valley.example.org")
    first = client.post("/actors/new", data=typed)
    assert first.status_code == 200 and "looks like an e-mail address" in first.text
    assert "Send it as it is" in first.text and "mediators@valley.example.org" in first.text
    with mapped.session() as session:
        assert session.scalars(select(Actor).where(Actor.name.like("Valley%"))).all() == []
    confirmed = client.post("/actors/new", data={**typed, "confirm": "yes"}, follow_redirects=False)
    assert confirmed.status_code == 303


def test_intake_errors_keep_what_was_typed(client: TestClient) -> None:
    response = client.post("/actors/new", data=_intake(_csrf(client), levels=[]))
    assert response.status_code == 422 and "at least one level" in response.text
    assert "We mediate between herders and farmers" in response.text


def test_intake_is_rate_limited_per_client(client: TestClient, mapped: Store) -> None:
    token = _csrf(client)
    for number in range(INTAKE_LIMIT):
        sent = client.post(
            "/actors/new", data=_intake(token, name=f"Group {number}"), follow_redirects=False
        )
        assert sent.status_code == 303
    refused = client.post("/actors/new", data=_intake(token, name="One more"))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert f"at most {INTAKE_LIMIT} in 60 minutes" in refused.text
    # What was typed comes back, and nothing more was stored.
    assert "We mediate between herders and farmers" in refused.text
    with mapped.session() as session:
        assert session.scalars(select(Actor).where(Actor.name == "One more")).all() == []
        buckets = session.scalars(select(RateLimitHit.bucket)).all()
    assert buckets == ["actor-intake"] * INTAKE_LIMIT


def test_api_creates_drafts_for_contributors_only(client: TestClient, mapped: Store) -> None:
    body = {
        "name": "Hill Radio Collective",
        "kind": "media",
        "levels": ["local"],
        "countries": ["Kenya"],
        "description": "Call +254 711 222 333",
        "contacts": [{"name": "Joe", "email": "joe@example.org"}],
    }
    token = _csrf(client)
    assert (
        client.post("/api/v1/actors", json=body, headers={"X-CSRF-Token": token}).status_code == 401
    )
    _login(client, "cora")
    token = _csrf(client)
    made = client.post("/api/v1/actors", json=body, headers={"X-CSRF-Token": token})
    assert made.status_code == 201
    answer = made.json()
    assert answer["actor"]["status"] == "draft" and answer["actor"]["contacts"] == []
    assert answer["warnings"] == [
        "description holds what looks like a phone number; put it under contacts"
    ]


def test_merge_folds_a_draft_into_its_duplicate(client: TestClient, mapped: Store) -> None:
    token = _csrf(client)
    client.post("/actors/new", data=_intake(token, name="Coast Peace Forum."))
    ids = _ids(mapped)
    with mapped.session() as session:
        draft_id = session.scalars(select(Actor.id).where(Actor.name == "Coast Peace Forum.")).one()
    _login(client, "ada")
    queue = client.get("/actors/review").text
    assert "same name" in queue and "Merge into this" in queue
    merged = client.post(
        f"/actors/{draft_id}/merge",
        data={"csrf_token": _csrf(client), "keep": str(ids["coast"])},
        follow_redirects=False,
    )
    assert merged.status_code == 303
    with mapped.session() as session:
        dropped = session.get(Actor, draft_id)
        assert dropped is not None and dropped.status == "merged"


# --- example data ----------------------------------------------------------------------------


@pytest.fixture
def example_client(settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    """Only the example mapping is stored: the real one is empty."""
    with sqlite_store.session() as session:
        load_example(session, LOCAL_OPERATOR)
    with TestClient(create_app(settings, sqlite_store), base_url="https://testserver") as test:
        yield test


def test_example_data_is_labelled_on_every_page_row_and_export(
    example_client: TestClient,
) -> None:
    client = example_client
    page = client.get("/actors")
    assert EXAMPLE_NOTICE in page.text and "No real actors are published yet" in page.text
    rows = page.text.count('<span class="badge example">Example</span>')
    assert rows == page.text.count('<tr><td><a href="/actors/') and rows > 100
    listed = client.get("/api/v1/actors").json()
    assert listed["example_label"] == EXAMPLE_NOTICE
    assert all(row["is_example"] for row in listed["actors"])
    first = listed["actors"][0]["id"]
    for path in (
        "/actors/network",
        "/actors/gaps",
        f"/actors/{first}",
        "/actors?dataset=example&country=KEN",
    ):
        assert EXAMPLE_NOTICE in client.get(path).text, path
    for path in ("/api/v1/actors/network", "/api/v1/actors/gaps", f"/api/v1/actors/{first}"):
        assert client.get(path).json()["example_label"] == EXAMPLE_NOTICE, path
    network = client.get("/api/v1/actors/network").json()
    assert all(node["is_example"] for node in network["nodes"])
    assert EXAMPLE_NOTICE in client.get("/actors/export.json").text
    assert EXAMPLE_NOTICE in client.get("/actors/export.graphml").text
    exported = client.get("/actors/export.csv")
    assert 'filename="actors-example.csv"' in exported.headers["content-disposition"]
    assert {row["dataset"] for row in csv.DictReader(io.StringIO(exported.text))} == {"example"}
    # Asking for the real mapping shows it empty, without the example label.
    real = client.get("/actors?dataset=real").text
    assert EXAMPLE_NOTICE not in real and "No actors match" not in real


def test_empty_pages_say_why_and_where_the_example_is(example_client: TestClient) -> None:
    client = example_client
    why = "No published actors in the real dataset yet; the example mapping"
    for path in ("/actors", "/actors/network", "/actors/gaps"):
        page = client.get(f"{path}?dataset=real").text
        assert why in page, path
        assert f'<a href="{path}?dataset=example">Example</a>' in page, path
    filtered = client.get("/actors?dataset=real&level=local").text
    assert "No actors match these filters among the published records" in filtered
    assert (
        "No champions: no region has two actors tied"
        in client.get("/actors/gaps?dataset=real").text
    )


# --- the leak test ---------------------------------------------------------------------------


def _routes(ids: dict[str, int]) -> list[str]:
    coast, lake, hidden = ids["coast"], ids["lake"], ids["hidden"]
    pages = [
        "/actors",
        "/actors?dataset=real",
        "/actors?dataset=example",
        f"/actors?text={SEARCH}",
        "/actors?text=Hidden",
        "/actors?status=draft",
        "/actors?country=KEN&level=grassroots",
        "/actors/network",
        "/actors/gaps",
        f"/actors/{coast}",
        f"/actors/{lake}",
        f"/actors/{hidden}",
        "/actors/review",
        "/actors/987654",
        "/actors?level=galactic",
        "/actors/not-a-number",
        "/no-such-page",
    ]
    for fmt in ("csv", "json", "graphml"):
        pages += [
            f"/actors/export.{fmt}",
            f"/actors/export.{fmt}?text={SEARCH}",
            f"/api/v1/actors/export.{fmt}",
        ]
    api = [
        "/api/v1/actors",
        f"/api/v1/actors?text={SEARCH}",
        "/api/v1/actors?status=draft",
        "/api/v1/actors/network",
        "/api/v1/actors/gaps",
        "/api/v1/actors/champions",
        f"/api/v1/actors/{coast}",
        f"/api/v1/actors/{hidden}",
        f"/api/v1/actors/{coast}/suggestions",
        f"/api/v1/actors/{hidden}/suggestions",
        "/api/v1/actors?level=galactic",
        "/api/v1/actors/not-a-number",
    ]
    return pages + api


def _assert_clean(route: str, response: Any, *, labels: bool = True) -> None:
    shown = response.text + str(dict(response.headers))
    assert MARKER not in shown and MARKER.lower() not in shown, f"{route} shows a contact"
    assert "+254 700 999 111" not in shown, f"{route} shows a contact's phone"
    if labels:
        named = [label for label in CONTACT_LABELS if label in shown]
        assert named == [], f"{route} names contact fields {named}"


@pytest.mark.parametrize("who", [None, "cora"])
def test_no_contact_or_draft_reaches_anonymous_users_or_contributors(
    client: TestClient, mapped: Store, who: str | None
) -> None:
    ids = _ids(mapped)
    if who:
        _login(client, who)
    statuses = {}
    for route in _routes(ids):
        response = client.get(route)
        statuses[route] = response.status_code
        _assert_clean(route, response)
    # The intake form asks for contact details by name, but shows no stored value.
    _assert_clean("/actors/new", client.get("/actors/new"), labels=False)
    # A draft reads as absent, the same as an actor that never existed.
    assert statuses[f"/actors/{ids['hidden']}"] == 404
    assert statuses[f"/api/v1/actors/{ids['hidden']}"] == 404
    assert statuses["/actors/987654"] == 404 and statuses["/no-such-page"] == 404
    assert statuses["/actors?level=galactic"] == 422
    assert statuses["/api/v1/actors/not-a-number"] == 422
    assert client.get("/actors/review", follow_redirects=False).status_code in (303, 403)
    # ...and the published actors did show, so the routes above were really exercised.
    record = client.get(f"/api/v1/actors/{ids['coast']}").json()["actor"]
    assert record["name"] == "Coast Peace Forum" and record["contacts"] == []
    assert [r["other_name"] for r in record["relationships"]] == ["Lake Region Dialogue Network"]


def test_analysts_read_contacts_on_the_profile(client: TestClient, mapped: Store) -> None:
    _login(client, "ana")
    page = client.get(f"/actors/{_ids(mapped)['coast']}").text
    assert f"Published {MARKER}" in page and "E-mail" in page
