"""The sector-lexicon JSON API: schemes, concepts with mappings both ways, the audience-term
call briefs use (200 or a 404 that says why), reframing, the SKOS export and an import round
trip, and proposals (analysts) reviewed by admins. Fixtures come from test_lexicon.py."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from prevention_lens.accounts import tokens
from prevention_lens.lexicon import skos
from prevention_lens.lexicon.content import concept_to_mapping, shipped_lexicon
from prevention_lens.lexicon.model import Lexicon
from prevention_lens.lexicon.records import stored_lexicon
from prevention_lens.lexicon.reframe import MAX_TEXT_CHARS
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR
from tests.lexicon.test_skos import canonical
from tests.web.forms import csrf_token
from tests.web.test_lexicon import (
    ADMIN,
    ANALYST,
    CONTRIBUTOR,
    HR_TERM,
    MASS,
    PENDING_CONCEPT,
    REPORT_SENTENCE,
    SECRET_MARKERS,
    client,
    lexicon_store,
    login,
)

__all__ = ["client", "lexicon_store", "login"]  # fixtures shared with the page tests


def bearer(store: Store, username: str | None) -> dict[str, str]:
    if username is None:
        return {}
    with store.session() as session:
        token = tokens.create_api_token(session, LOCAL_OPERATOR, username, "test")
    return {"Authorization": f"Bearer {token}"}


def caller(client: TestClient, store: Store, username: str | None) -> dict[str, str]:
    """A user's API token; anonymous callers carry a valid CSRF token instead, so that what
    answers them is the permission check."""
    if username is None:
        return {"X-CSRF-Token": csrf_token(client, "/lexicon/reframe")}
    return bearer(store, username)


def same_content(one: Lexicon, other: Lexicon) -> bool:
    """The same concepts and mappings, in whatever order (RDF keeps none)."""
    return canonical(one) == canonical(other)


def test_schemes_list_all_seven_with_their_counts(client: TestClient) -> None:
    body = client.get("/api/v1/lexicon/schemes").json()
    lexicon = shipped_lexicon()
    assert [item["code"] for item in body["schemes"]] == [
        "ap",
        "dev",
        "sec",
        "hum",
        "hr",
        "com",
        "pb",
    ]
    assert sum(item["concepts"] for item in body["schemes"]) == len(lexicon.concepts)
    assert body["languages"] == ["en", "fr", "es"]


def test_concepts_filter_by_scheme_words_and_core(client: TestClient) -> None:
    lexicon = shipped_lexicon()
    ap = client.get("/api/v1/lexicon/concepts", params={"scheme": "ap"}).json()
    assert ap["total"] == len(lexicon.in_scheme("ap"))
    core = client.get("/api/v1/lexicon/concepts", params={"core": "true"}).json()
    assert {item["id"] for item in core["concepts"]} == {
        c.id for c in lexicon.concepts.values() if c.core
    }
    found = client.get(
        "/api/v1/lexicon/concepts", params={"q": "génocide", "language": "fr"}
    ).json()
    genocide = next(item for item in found["concepts"] if item["id"] == "ap/genocide")
    assert genocide["label"] == lexicon.concept("ap/genocide").label("fr")
    assert client.get("/api/v1/lexicon/concepts?scheme=xx").status_code == 422


def test_a_concept_answers_its_mappings_in_both_directions(client: TestClient) -> None:
    lexicon = shipped_lexicon()
    concept_id = next(
        c.id
        for c in lexicon.concepts.values()
        if any(m.source == c.id for m in lexicon.mappings)
        and any(m.target == c.id for m in lexicon.mappings)
    )
    scheme, slug = concept_id.split("/")
    body = client.get(f"/api/v1/lexicon/concepts/{scheme}/{slug}").json()
    assert body["concept"] == concept_to_mapping(lexicon.concept(concept_id))
    assert {item["direction"] for item in body["mappings"]} == {"outgoing", "incoming"}
    assert len(body["mappings"]) == len(lexicon.mappings_from(concept_id))
    assert all(item["source"] == concept_id for item in body["mappings"])
    assert client.get("/api/v1/lexicon/concepts/ap/nothing-here").status_code == 404


def test_the_audience_term_is_200_or_a_404_that_says_why(client: TestClient) -> None:
    found = client.get(
        "/api/v1/lexicon/term", params={"concept": MASS, "audience": "hr", "language": "en"}
    )
    assert found.status_code == 200
    assert found.json()["term"]["concept"] == HR_TERM
    assert found.json()["term"]["label"] == "gross human rights violations"
    own = client.get("/api/v1/lexicon/term", params={"concept": MASS, "audience": "ap"}).json()
    assert own["term"]["concept"] == MASS
    lexicon = shipped_lexicon()
    reason = lexicon.concept("ap/genocide").no_term["dev"]
    missing = client.get("/api/v1/lexicon/term?concept=ap/genocide&audience=dev")
    assert missing.status_code == 404
    assert "has no term" in missing.json()["error"] and reason in missing.json()["error"]
    nearest = client.get("/api/v1/lexicon/term?concept=ap/genocide&audience=hr")
    assert nearest.status_code == 404 and "nearest" in nearest.json()["error"]
    assert client.get("/api/v1/lexicon/term?concept=ap/genocide&audience=xx").status_code == 422
    assert client.get("/api/v1/lexicon/term?concept=ap/nope&audience=hr").status_code == 404


def test_reframe_works_anonymously_and_is_bounded(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/lexicon/reframe", json={"text": REPORT_SENTENCE, "audience": "hr"}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["text"] == "The risk of gross human rights violations is rising."
    (change,) = body["changes"]
    assert (change["concept_id"], change["target_id"]) == (MASS, HR_TERM)
    assert change["original_text"] == "mass atrocities" and change["rationale"]
    assert any(flag["kind"] == "misleading" for flag in body["flags"])
    too_long = client.post(
        "/api/v1/lexicon/reframe", json={"text": "a" * (MAX_TEXT_CHARS + 1), "audience": "hr"}
    )
    assert too_long.status_code == 422
    bad = client.post("/api/v1/lexicon/reframe", json={"text": "x", "audience": "martians"})
    assert bad.status_code == 422 and "unknown audience" in bad.json()["error"]


@pytest.mark.parametrize(
    ("fmt", "media_type", "suffix"),
    [("turtle", "text/turtle", ".ttl"), ("json-ld", "application/ld+json", ".jsonld")],
)
def test_export_and_import_round_trip_through_the_api(
    client: TestClient, lexicon_store: Store, fmt: skos.Format, media_type: str, suffix: str
) -> None:
    exported = client.get("/api/v1/lexicon/export", params={"format": fmt})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith(media_type)
    assert exported.headers["content-disposition"] == (
        f'attachment; filename="prevention-lens-lexicon{suffix}"'
    )
    assert same_content(skos.parse(exported.text, fmt), shipped_lexicon())
    admin = bearer(lexicon_store, ADMIN)
    again = client.post(
        f"/api/v1/lexicon/import?format={fmt}", content=exported.content, headers=admin
    )
    assert again.status_code == 200, again.text
    assert again.json()["changed"] == 0
    with lexicon_store.session() as session:
        assert same_content(stored_lexicon(session), shipped_lexicon())
    # An edited file replaces the lexicon, and the concept's history shows the import.
    shipped = shipped_lexicon()
    edited = replace(
        shipped.concept(MASS),
        pref_labels={**shipped.concept(MASS).pref_labels, "en": "atrocity crimes (edited)"},
    )
    changed = Lexicon({**shipped.concepts, MASS: edited}, shipped.mappings)
    imported = client.post(
        "/api/v1/lexicon/import",
        content=skos.serialize(changed, fmt).encode(),
        headers={**admin, "Content-Type": media_type},
    )
    assert imported.status_code == 200, imported.text
    with lexicon_store.session() as session:
        assert same_content(stored_lexicon(session), changed)
    shown = client.get(f"/api/v1/lexicon/concepts/{MASS}").json()
    assert shown["label"] == "atrocity crimes (edited)"
    history = client.get(f"/api/v1/lexicon/concepts/{MASS}/revisions", headers=admin).json()
    assert history["revisions"][0]["note"] == "imported"


@pytest.mark.parametrize(("who", "status"), [(None, 401), (CONTRIBUTOR, 403), (ANALYST, 403)])
def test_only_admins_import(
    client: TestClient, lexicon_store: Store, who: str | None, status: int
) -> None:
    body = client.get("/api/v1/lexicon/export").content
    answer = client.post(
        "/api/v1/lexicon/import?format=turtle",
        content=body,
        headers=caller(client, lexicon_store, who),
    )
    assert answer.status_code == status


def test_a_malformed_import_is_a_clear_422_and_changes_nothing(
    client: TestClient, lexicon_store: Store
) -> None:
    admin = bearer(lexicon_store, ADMIN)
    bad = client.post(
        "/api/v1/lexicon/import?format=turtle", content=b"@prefix nope", headers=admin
    )
    assert bad.status_code == 422
    unknown = client.post("/api/v1/lexicon/import", content=b"x", headers=admin)
    assert unknown.status_code == 422 and "format" in unknown.json()["error"]
    with lexicon_store.session() as session:
        assert same_content(stored_lexicon(session), shipped_lexicon())


def test_an_analyst_proposes_and_an_admin_approves_through_the_api(
    client: TestClient, lexicon_store: Store
) -> None:
    analyst, admin = bearer(lexicon_store, ANALYST), bearer(lexicon_store, ADMIN)
    proposal = {
        "concept": {"definition": "A shorter definition, proposed through the API."},
        "note": "API test",
    }
    made = client.post(
        "/api/v1/lexicon/concepts/ap/genocide/revisions", json=proposal, headers=analyst
    )
    assert made.status_code == 201, made.text
    revision = made.json()
    assert revision["status"] == "proposed" and revision["proposed_by"] == ANALYST
    # Fields left out keep their value: the labels and mappings are as they were.
    lexicon = shipped_lexicon()
    assert (
        revision["concept"]["labels"]
        == concept_to_mapping(lexicon.concept("ap/genocide"))["labels"]
    )
    assert len(revision["mappings"]) == len(lexicon.mappings_from("ap/genocide"))
    waiting = client.get("/api/v1/lexicon/revisions", headers=analyst).json()["revisions"]
    assert revision["id"] in {item["id"] for item in waiting}
    path = f"/api/v1/lexicon/revisions/{revision['id']}/review"
    assert client.post(path, json={"decision": "approve"}, headers=analyst).status_code == 403
    done = client.post(path, json={"decision": "approve", "note": "ok"}, headers=admin)
    assert done.status_code == 200 and done.json()["status"] == "approved"
    shown = client.get("/api/v1/lexicon/concepts/ap/genocide").json()
    assert shown["concept"]["definition"] == "A shorter definition, proposed through the API."
    assert client.post(path, json={"decision": "reject"}, headers=admin).status_code == 409


def test_a_proposal_that_breaks_the_lexicon_is_a_422(
    client: TestClient, lexicon_store: Store
) -> None:
    analyst = bearer(lexicon_store, ANALYST)
    itself = {"mappings": [{"target": "ap/genocide", "kind": "exact", "rationale": "same"}]}
    answer = client.post(
        "/api/v1/lexicon/concepts/ap/genocide/revisions", json=itself, headers=analyst
    )
    assert answer.status_code == 422
    unsourced = {"concept": {"source": None}}
    answer = client.post(
        "/api/v1/lexicon/concepts/ap/genocide/revisions", json=unsourced, headers=analyst
    )
    assert answer.status_code == 422 and "source" in answer.json()["error"]


@pytest.mark.parametrize(("who", "status"), [(None, 401), (CONTRIBUTOR, 403)])
def test_readers_below_analyst_cannot_propose_or_see_revisions(
    client: TestClient, lexicon_store: Store, who: str | None, status: int
) -> None:
    headers = caller(client, lexicon_store, who)
    assert client.get("/api/v1/lexicon/revisions", headers=headers).status_code == status
    history = client.get(f"/api/v1/lexicon/concepts/{PENDING_CONCEPT}/revisions", headers=headers)
    assert history.status_code == status
    made = client.post(
        "/api/v1/lexicon/concepts/ap/genocide/revisions",
        json={"note": "x"},
        headers=headers,
    )
    assert made.status_code == status
    # The same answer for a revision that exists and for one that does not.
    answers = [
        client.post(
            f"/api/v1/lexicon/revisions/{number}/review",
            json={"decision": "approve"},
            headers=headers,
        )
        for number in (1, 987654)
    ]
    assert answers[0].status_code == answers[1].status_code == status
    assert answers[0].json() == answers[1].json()
    for answer in (made, history, *answers):
        assert all(marker not in answer.text for marker in SECRET_MARKERS)


def test_cookie_authenticated_api_writes_need_the_csrf_header(
    client: TestClient, login: object
) -> None:
    assert callable(login)
    login(ANALYST)
    body = {"note": "cookie"}
    refused = client.post("/api/v1/lexicon/concepts/ap/genocide/revisions", json=body)
    assert refused.status_code == 403
    token = csrf_token(client, "/lexicon/reframe")
    made = client.post(
        "/api/v1/lexicon/concepts/ap/genocide/revisions",
        json=body,
        headers={"X-CSRF-Token": token},
    )
    assert made.status_code == 201
