"""The hate-speech lexicon's pages and API: published terms for everyone with filters, drafts
for analysts, a term with its senses, why it inflames, alternatives and licence (HurtLex's
non-commercial one shown), terms proposed by contributors through the form or the API and
published or rejected by admins. Fixtures come from test_speech.py."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from prevention_lens.sources.speech_lexicon import HURTLEX_LICENCE
from prevention_lens.speech.lexicon import add_terms, list_terms, published_matcher
from prevention_lens.speech.matching import TermSense
from prevention_lens.speech.posts import PostDraft, import_posts
from prevention_lens.speech.terms import TermDraft
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR
from tests.speech.keyword_scorer import KeywordScorer
from tests.web.forms import csrf_token
from tests.web.test_speech import (
    ADMIN,
    ANALYST,
    CONTRIBUTOR,
    SECRET_DRAFT,
    bearer,
    client,
    login,
    rows_of,
    speech_store,
    text_of,
    zawgyi_detector,
)

__all__ = ["bearer", "client", "login", "speech_store", "zawgyi_detector"]  # shared fixtures

KALAR = "ကုလား"


def listed(page: str) -> dict[str, str]:
    """Term id -> status of each row of the terms table."""
    return dict(re.findall(r'<tr data-term="(\d+)" data-status="(\w+)">', page))


def term_id(store: Store, term: str) -> int:
    from sqlalchemy import select

    from prevention_lens.store.models import SpeechTerm

    with store.session() as session:
        found = session.scalar(select(SpeechTerm.id).where(SpeechTerm.term == term))
    assert found is not None
    return found


def test_the_public_list_shows_published_terms_only(
    client: TestClient, speech_store: Store
) -> None:
    page = client.get("/speech/terms")
    assert page.status_code == 200
    shown = listed(page.text)
    assert shown and set(shown.values()) == {"published"}
    assert str(term_id(speech_store, KALAR)) in shown
    assert SECRET_DRAFT not in page.text
    assert '<select name="status">' not in page.text  # no status filter for the public


def test_filters_by_language_country_and_words(client: TestClient, speech_store: Store) -> None:
    kalar = str(term_id(speech_store, KALAR))
    burmese = listed(client.get("/speech/terms", params={"language": "my"}).text)
    assert kalar in burmese
    swahili = listed(client.get("/speech/terms", params={"language": "sw"}).text)
    assert kalar not in swahili
    myanmar = listed(client.get("/speech/terms", params={"country": "Burma"}).text)
    assert kalar in myanmar
    assert listed(client.get("/speech/terms", params={"q": "split pea"}).text) == {
        kalar: "published"
    }
    bad = client.get("/speech/terms", params={"country": "Atlantis"})
    assert bad.status_code == 422 and "unknown country" in bad.text


def test_analysts_see_drafts_and_can_filter_by_status(
    client: TestClient, login: Callable[[str], TestClient], speech_store: Store
) -> None:
    login(ANALYST)
    draft = str(term_id(speech_store, SECRET_DRAFT))
    page = client.get("/speech/terms").text
    assert listed(page)[draft] == "draft"
    drafts = listed(client.get("/speech/terms", params={"status": "draft"}).text)
    assert drafts == {draft: "draft"}
    assert client.get(f"/speech/terms/{draft}").status_code == 200


def test_a_term_page_shows_senses_examples_why_alternatives_and_source(
    client: TestClient, speech_store: Store
) -> None:
    page = client.get(f"/speech/terms/{term_id(speech_store, KALAR)}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert f'<h1 lang="my">{KALAR}</h1>' in page.text
    assert page.text.count('data-kind="hateful"') == 1
    assert page.text.count('data-kind="neutral"') >= 2
    assert "chair" in text and "kalar htaing" in text and "split pea" in text
    assert "Why it inflames" in text and "Rohingya" in text
    assert "What to say instead" in text
    assert 'href="https://www.business-standard.com/' in page.text
    assert "Proposed by" not in text  # who proposed and reviewed is for staff
    assert "Review" not in text


def test_a_hurtlex_term_shows_its_non_commercial_licence(
    client: TestClient, speech_store: Store
) -> None:
    with speech_store.session() as session:
        (stored,) = add_terms(
            session,
            LOCAL_OPERATOR,
            [
                TermDraft(
                    term="wombatgrub",
                    language="en",
                    senses=(TermSense("hateful", "a made-up insult"),),
                )
            ],
            origin="hurtlex:EN",
            licence=HURTLEX_LICENCE,
            status="published",
        )
    page = client.get(f"/speech/terms/{stored.id}").text
    assert f'<tr class="licence"><th scope="row">Licence</th><td>{HURTLEX_LICENCE}</td>' in page
    listing = client.get("/speech/terms", params={"q": "wombatgrub"}).text
    assert f"licence: {HURTLEX_LICENCE}" in listing
    exported = client.get("/api/v1/speech/terms/export", params={"format": "csv"})
    assert exported.status_code == 200
    rows = {row["term"]: row for row in csv.DictReader(io.StringIO(exported.text))}
    assert rows["wombatgrub"]["licence"] == HURTLEX_LICENCE
    assert SECRET_DRAFT not in rows


def _proposal(token: str, **changes: str) -> dict[str, str]:
    values = {
        "csrf_token": token,
        "term": "blorptoad",
        "language": "en",
        "countries": "Kenya",
        "targeted_groups": "religion",
        "severity": "3",
        "sense_1_kind": "hateful",
        "sense_1_meaning": "a made-up insult for a faith",
        "sense_1_examples": "they are all blorptoads",
        "sense_2_kind": "neutral",
        "sense_2_meaning": "a garden toad",
        "sense_2_phrases": "blorptoad pond",
        "sense_3_kind": "neutral",
        "why_inflames": "it likens believers to vermin",
        "alternatives": "believers\nmembers of the faith",
        "first_seen": "2024-01-05",
        "source_url": "https://example.org/blorptoad",
    }
    values.update(changes)
    return values


def test_a_contributor_proposes_and_an_admin_publishes(
    client: TestClient, login: Callable[[str], TestClient], speech_store: Store
) -> None:
    login(CONTRIBUTOR)
    token = csrf_token(client, "/speech/terms/new")
    sent = client.post("/speech/terms/new", data=_proposal(token), follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/speech/terms?proposed=1"
    waiting = client.get(sent.headers["location"]).text
    assert "stored as a draft" in waiting and "blorptoad" not in waiting
    proposed = term_id(speech_store, "blorptoad")
    assert client.get(f"/speech/terms/{proposed}").status_code == 404  # drafts: staff only
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(ADMIN)
    queue = client.get("/speech/terms/review").text
    assert f'data-term="{proposed}"' in queue and "proposed by contrib-sp" in queue
    token = csrf_token(client, "/speech/terms/review")
    done = client.post(
        f"/speech/terms/{proposed}/review",
        data={"csrf_token": token, "decision": "publish", "next": "/speech/terms/review"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/speech/terms/review"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    page = client.get(f"/speech/terms/{proposed}").text
    text = text_of(page)
    assert (
        "a garden toad" in text and "blorptoad pond" in text and "they are all blorptoads" in text
    )
    assert "members of the faith" in text and "Kenya" in text


def test_a_proposal_with_a_problem_is_shown_again_naming_the_field(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    login(CONTRIBUTOR)
    token = csrf_token(client, "/speech/terms/new")
    bad_phrase = _proposal(token, sense_2_phrases="toad pond")  # lacks the term
    answer = client.post("/speech/terms/new", data=bad_phrase)
    assert answer.status_code == 422
    assert "Nothing was stored" in answer.text and "toad pond" in answer.text
    assert 'value="blorptoad"' in answer.text  # what was typed is kept
    no_hate = _proposal(token, sense_1_kind="neutral")
    answer = client.post("/speech/terms/new", data=no_hate)
    assert answer.status_code == 422 and "needs a hateful sense" in answer.text
    bad_country = client.post("/speech/terms/new", data=_proposal(token, countries="Atlantis"))
    assert bad_country.status_code == 422
    assert 'id="error-countries"' in bad_country.text


def test_who_may_propose_and_review(
    client: TestClient, login: Callable[[str], TestClient], speech_store: Store
) -> None:
    anonymous = client.get("/speech/terms/new", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    draft = term_id(speech_store, SECRET_DRAFT)
    login(ANALYST)
    assert client.get("/speech/terms/review").status_code == 403
    token = csrf_token(client, "/speech/terms")
    refused = client.post(
        f"/speech/terms/{draft}/review", data={"csrf_token": token, "decision": "publish"}
    )
    assert refused.status_code == 403
    no_token = client.post("/speech/terms/new", data=_proposal(""))
    assert no_token.status_code == 403


# --- the API -----------------------------------------------------------------------------------


def test_the_api_lists_and_gets_terms_with_their_senses(
    client: TestClient, speech_store: Store
) -> None:
    answer = client.get("/api/v1/speech/terms", params={"language": "my"}).json()
    (kalar,) = [term for term in answer["terms"] if term["term"] == KALAR]
    assert answer["total"] == len(answer["terms"])
    assert {sense["kind"] for sense in kalar["senses"]} == {"hateful", "neutral"}
    assert kalar["created_by"] is None  # staff-only fields withheld
    one = client.get(f"/api/v1/speech/terms/{kalar['id']}").json()
    assert one["why_inflames"] == kalar["why_inflames"]
    draft = term_id(speech_store, SECRET_DRAFT)
    assert client.get(f"/api/v1/speech/terms/{draft}").status_code == 404
    assert client.get("/api/v1/speech/terms/987654").status_code == 404
    exported = client.get("/api/v1/speech/terms/export", params={"format": "json"}).json()
    assert {term["term"] for term in exported["terms"]} >= {KALAR}
    assert client.get("/api/v1/speech/terms/export", params={"format": "xml"}).status_code == 422


def test_the_api_takes_proposals_and_reviews(
    client: TestClient, bearer: Callable[[str | None], dict[str, str]]
) -> None:
    body = {
        "term": "snarfle",
        "language": "en",
        "senses": [{"kind": "hateful", "meaning": "a made-up insult"}],
        "targeted_groups": ["origin"],
        "severity": 1,
    }
    assert client.post("/api/v1/speech/terms", json=body).status_code in (401, 403)
    made = client.post("/api/v1/speech/terms", json=body, headers=bearer(CONTRIBUTOR))
    assert made.status_code == 201
    stored = made.json()
    assert stored["status"] == "draft" and stored["origin"] == "manual"
    again = client.post("/api/v1/speech/terms", json=body, headers=bearer(CONTRIBUTOR))
    assert again.status_code == 422 and "already in the lexicon" in again.json()["error"]
    review = {"decision": "publish", "note": "checked"}
    path = f"/api/v1/speech/terms/{stored['id']}/review"
    assert client.post(path, json=review, headers=bearer(ANALYST)).status_code == 403
    published = client.post(path, json=review, headers=bearer(ADMIN))
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert client.get(f"/api/v1/speech/terms/{stored['id']}").status_code == 200
    bad = dict(body, term="snarfle2", targeted_groups=["martians"])
    refused = client.post("/api/v1/speech/terms", json=bad, headers=bearer(CONTRIBUTOR))
    assert refused.status_code == 422 and "martians" in refused.json()["error"]


# --- editing -----------------------------------------------------------------------------------


def test_an_admin_edits_the_published_kalar_and_a_new_sense_row_counts(
    client: TestClient, login: Callable[[str], TestClient], speech_store: Store
) -> None:
    kalar = term_id(speech_store, KALAR)
    assert "Edit this term" not in client.get(f"/speech/terms/{kalar}").text
    login(ADMIN)
    assert "Edit this term" in client.get(f"/speech/terms/{kalar}").text
    form = client.get(f"/speech/terms/{kalar}/edit").text
    assert "chair" in form and "Save the changes" in form
    # Every stored sense has its row, filled in, and one blank row follows for a new sense.
    current = client.get(f"/api/v1/speech/terms/{kalar}").json()
    rows = len(current["senses"]) + 1
    assert f'name="sense_rows" value="{rows}"' in form
    assert f'name="sense_{rows}_meaning" maxlength="1000" value=""' in form
    data: dict[str, str | list[str]] = {
        "csrf_token": csrf_token(client, f"/speech/terms/{kalar}/edit"),
        "sense_rows": str(rows),
        "term": current["term"],
        "language": current["language"],
        "script_variants": "\n".join(current["script_variants"]),
        "countries": "\n".join(current["countries"]),
        "targeted_groups": current["targeted_groups"],
        "severity": "3",
        "why_inflames": current["why_inflames"],
        "alternatives": "\n".join(current["alternatives"]),
        "source_url": current["source_url"],
        "notes": current["notes"],
        "last_seen": "2026-11-30",
        "note": "seen on menus",
        f"sense_{rows}_kind": "neutral",
        f"sense_{rows}_meaning": "a made-up compound",
        f"sense_{rows}_phrases": "kalar zorbin",
    }
    for number, sense in enumerate(current["senses"], start=1):
        data[f"sense_{number}_kind"] = sense["kind"]
        data[f"sense_{number}_meaning"] = sense["meaning"]
        for name in ("phrases", "cues", "examples"):
            data[f"sense_{number}_{name}"] = "\n".join(sense[name])
        assert sense["meaning"] in form
    saved = client.post(f"/speech/terms/{kalar}/edit", data=data, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = client.get(saved.headers["location"]).text
    assert "Your changes are saved" in page
    text = text_of(page)
    assert "a made-up compound" in text and "chair" in text and "2026-11-30" in text
    stored = client.get(f"/api/v1/speech/terms/{kalar}").json()
    assert stored["status"] == "published" and stored["origin"] == "edited"
    assert stored["severity"] == 3 and len(stored["senses"]) == rows
    assert [sense["meaning"] for sense in stored["senses"]][:-1] == [
        sense["meaning"] for sense in current["senses"]
    ]
    with speech_store.session() as session:
        (hit,) = published_matcher(session).find("kalar zorbin")
    assert (hit.term_id, hit.sense) == (kalar, "neutral")


def test_an_edit_with_a_problem_is_shown_again_and_changes_nothing(
    client: TestClient, login: Callable[[str], TestClient], speech_store: Store
) -> None:
    draft = term_id(speech_store, SECRET_DRAFT)
    login(ANALYST)
    form = client.get(f"/speech/terms/{draft}/edit")
    assert form.status_code == 200
    token = csrf_token(client, f"/speech/terms/{draft}/edit")
    answer = client.post(
        f"/speech/terms/{draft}/edit",
        data={
            "csrf_token": token,
            "term": SECRET_DRAFT,
            "language": "en",
            "sense_rows": "1",
            "sense_1_kind": "hateful",
            "sense_1_meaning": "changed",
            "first_seen": "2025-02-01",
            "last_seen": "2025-01-01",
        },
    )
    assert answer.status_code == 422 and "Nothing was stored" in answer.text
    assert 'id="error-last_seen"' in answer.text and 'value="changed"' in answer.text
    stored = client.get(f"/api/v1/speech/terms/{draft}").json()
    assert all(sense["meaning"] != "changed" for sense in stored["senses"])


def test_who_may_edit_a_term(
    client: TestClient, login: Callable[[str], TestClient], speech_store: Store
) -> None:
    kalar, draft = term_id(speech_store, KALAR), term_id(speech_store, SECRET_DRAFT)
    for path in (f"/speech/terms/{kalar}/edit", f"/speech/terms/{draft}/edit"):
        anonymous = client.get(path, follow_redirects=False)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    login(CONTRIBUTOR)
    assert client.get(f"/speech/terms/{draft}/edit").status_code == 403
    assert client.get(f"/speech/terms/{kalar}/edit").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(ANALYST)
    # An analyst edits drafts, not published terms, and sees the link only where they may.
    assert client.get(f"/speech/terms/{kalar}/edit").status_code == 403
    assert "Edit this term" not in client.get(f"/speech/terms/{kalar}").text
    assert "Edit this term" in client.get(f"/speech/terms/{draft}").text
    token = csrf_token(client, f"/speech/terms/{draft}/edit")
    refused = client.post(
        f"/speech/terms/{kalar}/edit", data={"csrf_token": token, "term": "x", "language": "en"}
    )
    assert refused.status_code == 403
    assert client.post(f"/speech/terms/{draft}/edit", data={"term": "x"}).status_code == 403


def test_the_api_edits_a_term_keeping_its_status(
    client: TestClient, bearer: Callable[[str | None], dict[str, str]], speech_store: Store
) -> None:
    kalar = term_id(speech_store, KALAR)
    current = client.get(f"/api/v1/speech/terms/{kalar}").json()
    body = {
        name: current[name]
        for name in (
            "term",
            "language",
            "senses",
            "script_variants",
            "countries",
            "targeted_groups",
            "severity",
            "why_inflames",
            "alternatives",
            "source_url",
            "notes",
        )
    }
    body |= {"last_seen": "2026-11-30", "note": "still in use"}
    path = f"/api/v1/speech/terms/{kalar}"
    assert client.put(path, json=body).status_code in (401, 403)
    assert client.put(path, json=body, headers=bearer(ANALYST)).status_code == 403
    edited = client.put(path, json=body, headers=bearer(ADMIN))
    assert edited.status_code == 200, edited.text
    assert edited.json()["last_seen"] == "2026-11-30" and edited.json()["status"] == "published"
    unknown = client.put(path, json={**body, "status": "draft"}, headers=bearer(ADMIN))
    assert unknown.status_code == 422
    missing = client.put("/api/v1/speech/terms/987654", json=body, headers=bearer(ADMIN))
    assert missing.status_code == 404


# --- sightings ---------------------------------------------------------------------------------


def test_a_term_page_and_the_api_show_where_monitoring_saw_it_as_counts_only(
    client: TestClient, speech_store: Store
) -> None:
    posts = [
        PostDraft(
            external_id=number,
            posted_at=datetime(2024, 3, day, 9, tzinfo=UTC),
            country="Kenya",
            language="sw",
            text=text,
        )
        for number, day, text in (("m1", 5, "hawa mende waondoke"), ("m2", 6, "mende wengi jikoni"))
    ]
    with speech_store.session() as session:
        import_posts(session, LOCAL_OPERATOR, posts, dataset="watch", scorer=KeywordScorer())
    mende = term_id(speech_store, "mende")
    page = client.get(f"/speech/terms/{mende}").text
    (row,) = rows_of(page, "speech-sightings")
    assert 'data-country="KEN"' in row and "2024-03-04" in row
    assert "waondoke" not in page and "jikoni" not in page
    answer = client.get(f"/api/v1/speech/terms/{mende}/sightings").json()
    (kenya,) = answer["sightings"]
    assert (kenya["country_key"], kenya["posts"], kenya["example"]) == ("KEN", 2, False)
    assert kenya["used"] + kenya["neutral"] + kenya["mentioned"] == 2
    kalar = term_id(speech_store, KALAR)
    assert "No monitored post holds this term yet" in client.get(f"/speech/terms/{kalar}").text
    draft = term_id(speech_store, SECRET_DRAFT)
    assert client.get(f"/api/v1/speech/terms/{draft}/sightings").status_code == 404


def test_a_term_address_that_is_not_a_number_searches_the_lexicon_for_it(
    client: TestClient,
) -> None:
    moved = client.get("/speech/terms/abc", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/speech/terms?q=abc"
    spaced = client.get("/speech/terms/kalar htaing", follow_redirects=False)
    assert spaced.headers["location"] == "/speech/terms?q=kalar+htaing"
    assert client.get("/speech/terms/0").status_code == 404
    assert client.get(f"/speech/terms/{2**40}").status_code == 404


def test_the_words_filter_reads_a_hyphen_as_a_space(
    client: TestClient, speech_store: Store
) -> None:
    kalar = str(term_id(speech_store, KALAR))
    for words in ("kalar htaing", "Kalar-Htaing"):
        assert kalar in listed(client.get("/speech/terms", params={"q": words}).text), words


def test_the_country_filter_offers_the_countries_terms_name(
    client: TestClient, speech_store: Store
) -> None:
    with speech_store.session() as session:
        named = {key for term in list_terms(session, ANONYMOUS) for key in term.countries}
    assert named  # the shipped terms name their countries
    page = client.get("/speech/terms").text
    select = re.search(r'<select name="country">.*?</select>', page, re.S)
    assert select
    offered = re.findall(r'<option value="(\w*)"', select.group(0))
    assert offered[0] == "" and set(offered[1:]) == named
    assert "ATA" not in offered  # Antarctica names no term


def test_the_lexicon_names_groups_as_the_monitoring_pages_do(client: TestClient) -> None:
    # The lexicon said "national or ethnic origin" where trends said "Origin (ethnicity, …)".
    lexicon = text_of(client.get("/speech/terms?q=madoadoa").text)
    trends = text_of(client.get("/speech").text)
    label = "Origin (ethnicity, nationality, race)"
    assert label in lexicon and label in trends
    assert "national or ethnic origin" not in lexicon
