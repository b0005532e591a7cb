"""The evidence-library JSON API: search with facets, one entry, the gap map, transfer, the
exports, new entries (analysts) and their review (admins), bounds on every parameter, and no
draft or staff field for readers below analyst. Fixtures come from test_evidence.py."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from prevention_lens.accounts import tokens
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR
from prevention_lens.whatworks.gapmap import library_gap_map
from prevention_lens.whatworks.library import list_entries
from prevention_lens.whatworks.search import facet_counts
from tests.web.test_evidence import (
    ADMIN,
    ANALYST,
    CONTRIBUTOR,
    DRAFT_KEY,
    DRAFT_MARKERS,
    DRAFT_WORD,
    PAIR,
    client,
    library,
    login,
)

__all__ = ["client", "library", "login"]  # fixtures shared with the page tests


def bearer(store: Store, username: str | None) -> dict[str, str]:
    if username is None:
        return {}
    with store.session() as session:
        token = tokens.create_api_token(session, LOCAL_OPERATOR, username, "test")
    return {"Authorization": f"Bearer {token}"}


NEW_ENTRY = {
    "title": "Peace clubs in secondary schools",
    "authors": ["Mwangi, Grace"],
    "year": 2021,
    "doi": "https://doi.org/10.1234/Peace.2021",
    "kind": "impact_evaluation",
    "design": "randomised",
    "strength": 4,
    "summary": "Clubs that meet weekly changed how pupils saw the other group.",
    "interventions": ["community_building"],
    "outcomes": ["intergroup_attitudes"],
    "countries": ["Kenya"],
    "effect": "positive",
    "emmie": {"effect": 3},
}


def test_search_answers_hits_and_facets_of_the_published_entries(
    client: TestClient, library: Store
) -> None:
    answer = client.get("/api/v1/evidence", params={"limit": 5})
    assert answer.status_code == 200
    body = answer.json()
    with library.session() as session:
        published = list_entries(session, ANONYMOUS)
    assert body["total"] == len(published) and len(body["hits"]) == 5
    assert body["facets"] == facet_counts(published)
    french = client.get("/api/v1/evidence", params={"q": "prévention du génocide"}).json()
    assert french["mode"] == "hybrid"
    top = [hit["entry"] for hit in french["hits"][:3]]
    assert any("Genocide" in entry["title"] and entry["language"] == "en" for entry in top)
    filtered = client.get(f"/api/v1/evidence?intervention={PAIR[0]}&outcome={PAIR[1]}").json()
    with library.session() as session:
        cell = library_gap_map(session, ANONYMOUS).cell(*PAIR)
    assert filtered["total"] == cell.count
    assert {hit["entry"]["id"] for hit in filtered["hits"]} <= set(cell.entry_ids)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/evidence?limit=0",
        "/api/v1/evidence?limit=101",
        "/api/v1/evidence?offset=99999999999",
        "/api/v1/evidence?q=" + "a" * 501,
        "/api/v1/evidence?mode=telepathy",
        "/api/v1/evidence?kind=rumour",
        "/api/v1/evidence?min_strength=6",
        "/api/v1/evidence?year_from=3000",
        "/api/v1/evidence/gaps?region=Atlantis",
        "/api/v1/evidence/gaps?country=RWA&region=Africa",
        "/api/v1/evidence/export?format=docx",
        "/api/v1/evidence/" + "x" * 300,
    ],
)
def test_bad_parameters_are_a_clear_json_422(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json()["error"]


def test_gaps_and_entry_and_exports(client: TestClient, library: Store) -> None:
    gaps = client.get("/api/v1/evidence/gaps?country=Rwanda").json()
    assert gaps["scope"] == "RWA"
    with library.session() as session:
        expected = library_gap_map(session, ANONYMOUS, country="RWA")
    assert [cell["count"] for cell in gaps["cells"]] == [cell.count for cell in expected.cells]
    key = list_entries_key(library)
    entry = client.get(f"/api/v1/evidence/{key}").json()
    assert entry["entry"]["key"] == key and "publication_problems" not in entry
    assert client.get("/api/v1/evidence/no-such-entry-1999").status_code == 404
    csl = client.get("/api/v1/evidence/export?format=csl-json&kind=systematic_review")
    assert csl.headers["content-type"].startswith("application/vnd.citationstyles.csl+json")
    assert 'filename="evidence-library.json"' in csl.headers["content-disposition"]
    with library.session() as session:
        reviews = [e for e in list_entries(session, ANONYMOUS) if e.kind == "systematic_review"]
    assert len(json.loads(csl.text)) == len(reviews) == int(csl.headers["x-record-count"])
    bib = client.get("/api/v1/evidence/export?format=bibtex&q=genocide").text
    assert bib.count("@") >= 3


def list_entries_key(store: Store) -> str:
    with store.session() as session:
        return list_entries(session, ANONYMOUS)[0].key


def test_transfer_answers_ranked_items_with_reasons(client: TestClient, settings: Settings) -> None:
    if settings.sources is None:
        pytest.skip("the shared data folder is absent (LENS_SOURCES)")
    moved = client.get("/api/v1/evidence/transfer/Burma", follow_redirects=False)
    assert moved.status_code == 307
    body = client.get("/api/v1/evidence/transfer/MMR?limit=5").json()
    assert body["target"]["key"] == "MMR" and len(body["items"]) == 5
    similarities = [item["similarity"] for item in body["items"]]
    assert similarities == sorted(similarities, reverse=True)
    assert all(item["reasons"] for item in body["items"])
    assert client.get("/api/v1/evidence/transfer/Narnia").status_code == 404


def test_analysts_add_entries_and_only_admins_publish_them(
    client: TestClient, library: Store
) -> None:
    assert client.post("/api/v1/evidence", json=NEW_ENTRY).status_code in (401, 403)
    contributor = bearer(library, CONTRIBUTOR)
    assert client.post("/api/v1/evidence", json=NEW_ENTRY, headers=contributor).status_code == 403
    analyst = bearer(library, ANALYST)
    made = client.post("/api/v1/evidence", json=NEW_ENTRY, headers=analyst)
    assert made.status_code == 201, made.text
    entry = made.json()["entry"]
    assert entry["status"] == "draft" and entry["doi"] == "10.1234/peace.2021"
    assert entry["countries"] == ["KEN"] and entry["created_by"] == ANALYST
    assert made.json()["publication_problems"] == []
    again = client.post("/api/v1/evidence", json=NEW_ENTRY, headers=analyst)
    assert again.status_code == 422 and "already in the library" in again.json()["error"]
    bad = client.post("/api/v1/evidence", json={**NEW_ENTRY, "doi": "nope"}, headers=analyst)
    assert bad.status_code == 422 and "field 'doi'" in bad.json()["error"]
    key = entry["key"]
    assert client.get(f"/api/v1/evidence/{key}").status_code == 404
    review = f"/api/v1/evidence/{key}/review"
    assert client.post(review, json={"decision": "publish"}, headers=analyst).status_code == 403
    admin = bearer(library, ADMIN)
    published = client.post(review, json={"decision": "publish", "note": "ok"}, headers=admin)
    assert published.status_code == 200 and published.json()["entry"]["status"] == "published"
    public = client.get(f"/api/v1/evidence/{key}").json()["entry"]
    assert public["status"] == "published" and "reviewed_by" not in public
    changed = client.put(
        f"/api/v1/evidence/{key}", json={**NEW_ENTRY, "year": 2022}, headers=analyst
    )
    assert changed.status_code == 200 and changed.json()["entry"]["status"] == "draft"


@pytest.mark.parametrize("reader", [None, CONTRIBUTOR])
def test_no_api_route_shows_a_draft_below_analyst(
    client: TestClient, library: Store, reader: str | None
) -> None:
    headers = bearer(library, reader)
    paths = [
        "/api/v1/evidence?limit=100",
        f"/api/v1/evidence?q={DRAFT_WORD}",
        f"/api/v1/evidence?q={DRAFT_WORD}&mode=text",
        "/api/v1/evidence?status=draft",
        "/api/v1/evidence/gaps",
        "/api/v1/evidence/export?format=csv",
        f"/api/v1/evidence/export?format=bibtex&q={DRAFT_WORD}",
        "/api/v1/evidence/export?format=csl-json",
    ]
    for path in paths:
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, path
        assert not [marker for marker in DRAFT_MARKERS if marker in answer.text], path
    assert (
        client.get(f"/api/v1/evidence?q={DRAFT_WORD}&mode=text", headers=headers).json()["total"]
        == 0
    )
    hidden = client.get(f"/api/v1/evidence/{DRAFT_KEY}", headers=headers)
    missing = client.get("/api/v1/evidence/zzzz-2024-nothing", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    # Review is refused before the key is looked up: the same answer for a draft and nothing.
    review = {"decision": "publish"}
    answers = [
        client.post(f"/api/v1/evidence/{key}/review", json=review, headers=headers)
        for key in (DRAFT_KEY, "zzzz-2024-nothing")
    ]
    assert answers[0].status_code == answers[1].status_code and answers[0].status_code in (
        401,
        403,
    )
    assert answers[0].json() == answers[1].json()
    facets = client.get("/api/v1/evidence", headers=headers).json()["facets"]
    analyst = client.get("/api/v1/evidence", headers=bearer(library, ANALYST)).json()["facets"]
    assert facets["kind"]["impact_evaluation"] == analyst["kind"]["impact_evaluation"] - 1
    assert "draft" not in facets["status"] and analyst["status"]["draft"] == 1
