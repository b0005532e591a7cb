"""Dangerous-speech assessments, as pages and in the API: the form (five elements, hallmarks,
six Rabat factors with 0–3 scores and notes, a conclusion), the record with its history, edits
that keep versions (and keep a confidential field an analyst could not see), refusals that
name the field, and who may do what. Fixtures come from test_speech.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from prevention_lens.speech.frameworks import HALLMARKS, RABAT_FACTORS
from prevention_lens.store import Store
from tests.web.forms import csrf_token
from tests.web.test_speech import (
    ADMIN,
    ANALYST,
    ASSESSMENT_TITLE,
    CONTRIBUTOR,
    SECRET_PLACE,
    SECRET_SPEAKER,
    assessment_values,
    bearer,
    client,
    login,
    speech_store,
    text_of,
    zawgyi_detector,
)

__all__ = ["bearer", "client", "login", "speech_store", "zawgyi_detector"]  # shared fixtures

NEW_SPEAKER = "Orator Fictional-Person"


def form(token: str, **changes: str) -> dict[str, Any]:
    """The whole form filled in: every factor met, so incitement is a possible conclusion."""
    values: dict[str, Any] = {
        "csrf_token": token,
        "title": "Radio call to drive out a community",
        "country": "KEN",
        "spoken_on": "2024-03-26",
        "targeted_group": "origin",
        "speaker_role": "station presenter",
        "speaker": NEW_SPEAKER,
        "audience": "listeners in two districts",
        "message": "calls them cockroaches who must leave",
        "hallmarks": ["dehumanisation", "threat_to_purity"],
        "context": "after a week of clashes",
        "exact_place": "Studio 4, Fictional Road",
        "medium": "a morning radio show",
        "conclusion": "incitement",
        "rationale": "All six parts of the test are met.",
    }
    for code in RABAT_FACTORS:
        values[f"rabat_{code}_score"] = "3"
        values[f"rabat_{code}_note"] = f"{code} clearly met"
    values.update(changes)
    return values


def assessment_id(location: str) -> int:
    match = re.fullmatch(r"/speech/assessments/(\d+)", location)
    assert match, location
    return int(match.group(1))


def test_the_form_offers_every_element_hallmark_and_rabat_factor(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    login(ANALYST)
    page = client.get("/speech/assessments/new", params={"country": "KEN", "post_id": "3"})
    assert page.status_code == 200
    assert re.findall(r'data-element="(\w+)"', page.text) == [
        "speaker",
        "audience",
        "message",
        "context",
        "medium",
    ]
    assert re.findall(r'name="hallmarks" value="(\w+)"', page.text) == list(HALLMARKS)
    assert re.findall(r'name="rabat_(\w+)_score"', page.text) == list(RABAT_FACTORS)
    assert page.text.count('<option value="3">3 · clearly met</option>') == 6
    assert '<option value="KEN" selected>' in page.text and 'name="post_id"' in page.text
    assert 'value="3"' in page.text
    assert 'value="confidential"' not in page.text  # an analyst could not read it back


def test_an_analyst_records_an_assessment_and_reads_it_without_the_speaker(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    login(ANALYST)
    token = csrf_token(client, "/speech/assessments/new")
    sent = client.post("/speech/assessments/new", data=form(token), follow_redirects=False)
    assert sent.status_code == 303
    number = assessment_id(sent.headers["location"])
    page = client.get(f"/speech/assessments/{number}").text
    text = text_of(page)
    assert "Radio call to drive out a community" in text
    assert "Meets the Rabat threshold of incitement" in text
    assert "All six Rabat factors are met." in text
    assert re.findall(r'data-hallmark="(\w+)" data-present="yes"', page) == [
        "dehumanisation",
        "threat_to_purity",
    ]
    assert text.count("3 · clearly met") == 6
    assert "station presenter" in text and "Identity: withheld (confidential)" in text
    assert NEW_SPEAKER not in page and "Studio 4" not in page
    assert "first version" in text
    listing = client.get("/speech/assessments", params={"country": "Kenya"}).text
    assert f'data-assessment="{number}"' in listing and "6 of 6" in text_of(listing)


def test_an_edit_keeps_a_version_and_the_speaker_the_analyst_could_not_see(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    login(ANALYST)
    edit = client.get("/speech/assessments/1/edit").text
    assert SECRET_SPEAKER not in edit and SECRET_PLACE not in edit
    assert "leave blank to keep what is stored" in edit
    assert f'value="{ASSESSMENT_TITLE}"' in edit
    token = csrf_token(client, "/speech/assessments/1/edit")
    values = assessment_values()
    changed = {
        "csrf_token": token,
        **{name: str(values[name]) for name in ("title", "rationale", "message", "spoken_on")},
        "country": "KEN",
        "conclusion": "possibly_dangerous",
        "speaker_role": "cabinet minister",
        "speaker": "",
        "exact_place": "",
        "hallmarks": ["dehumanisation"],
        "rabat_context_score": "3",
        "rabat_context_note": "tension after clashes",
        "note": "fewer hallmarks on a second listen",
    }
    sent = client.post("/speech/assessments/1/edit", data=changed, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/speech/assessments/1"
    page = client.get("/speech/assessments/1").text
    assert "Possibly dangerous" in text_of(page)
    versions = re.findall(r'<tr data-revision="(\d+)">(.*?)</tr>', page, re.S)
    assert [number for number, _ in versions] == ["2", "1"]
    latest = text_of(versions[0][1])
    assert "fewer hallmarks on a second listen" in latest and "analyst-sp" in latest
    assert "conclusion" in latest and "hallmarks" in latest and "speaker" not in latest
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(ADMIN)
    admin_view = client.get("/speech/assessments/1").text
    assert SECRET_SPEAKER in admin_view and SECRET_PLACE in admin_view


def test_problems_are_shown_on_the_form_naming_the_field(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    login(ANALYST)
    token = csrf_token(client, "/speech/assessments/new")
    short = form(token, rabat_intent_score="1")
    answer = client.post("/speech/assessments/new", data=short)
    assert answer.status_code == 422
    assert "Nothing was stored" in answer.text and "needs all six factors met" in answer.text
    assert 'value="Radio call to drive out a community"' in answer.text  # kept as typed
    unexplained = form(token, rabat_extent_note="")
    answer = client.post("/speech/assessments/new", data=unexplained)
    assert answer.status_code == 422 and 'id="error-rabat-extent"' in answer.text
    future = client.post("/speech/assessments/new", data=form(token, spoken_on="2999-01-01"))
    assert future.status_code == 422 and 'id="error-spoken_on"' in future.text
    no_note = client.post(
        "/speech/assessments/1/edit",
        data={**form(token), "note": ""},
    )
    assert no_note.status_code == 422 and 'id="error-note"' in no_note.text


def test_only_analysts_and_admins_reach_assessments(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    for path in ("/speech/assessments", "/speech/assessments/new", "/speech/assessments/1"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    login(CONTRIBUTOR)
    for path in (
        "/speech/assessments",
        "/speech/assessments/new",
        "/speech/assessments/1",
        "/speech/assessments/1/edit",
        "/speech/assessments/987654",
    ):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/speech/score")
    assert client.post("/speech/assessments/new", data=form(token)).status_code == 403


# --- the API -----------------------------------------------------------------------------------


def body(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Leaflets at the market",
        "country": "Kenya",
        "conclusion": "dangerous",
        "rationale": "dehumanising leaflets in a tense town",
        "speaker_role": "local party official",
        "speaker": NEW_SPEAKER,
        "hallmarks": ["dehumanisation"],
        "rabat": {"content_and_form": {"score": 2, "note": "calls them vermin"}},
    }
    values.update(changes)
    return values


def test_the_api_creates_reads_changes_and_keeps_history(
    client: TestClient, bearer: Callable[[str | None], dict[str, str]]
) -> None:
    analyst = bearer(ANALYST)
    made = client.post("/api/v1/speech/assessments", json=body(), headers=analyst)
    assert made.status_code == 201
    record = made.json()
    assert record["revision"] == 1 and record["conclusion_label"] == "Dangerous"
    assert "speaker" not in record and "exact_place" not in record
    assert record["rabat"]["content_and_form"] == {"score": 2, "note": "calls them vermin"}
    path = f"/api/v1/speech/assessments/{record['id']}"
    changed = client.put(
        path, json=body(conclusion="possibly_dangerous", note="less sure"), headers=analyst
    )
    assert changed.status_code == 200 and changed.json()["revision"] == 2
    history = client.get(path + "/history", headers=analyst).json()["versions"]
    assert [version["revision"] for version in history] == [1, 2]
    assert history[1]["note"] == "less sure" and "conclusion" in history[1]["changed"]
    assert all("speaker" not in version["values"] for version in history)
    admin = client.get(path, headers=bearer(ADMIN)).json()
    assert admin["speaker"] == NEW_SPEAKER
    listed = client.get(
        "/api/v1/speech/assessments", params={"country": "KEN"}, headers=analyst
    ).json()
    assert listed["total"] == 2
    missing_note = client.put(path, json=body(), headers=analyst)
    assert missing_note.status_code == 422
    bad = client.post(
        "/api/v1/speech/assessments", json=body(hallmarks=["sorcery"]), headers=analyst
    )
    assert bad.status_code == 422 and "sorcery" in bad.json()["error"]


def test_the_api_refuses_readers_below_analyst(
    client: TestClient, bearer: Callable[[str | None], dict[str, str]], speech_store: Store
) -> None:
    assert client.get("/api/v1/speech/assessments").status_code == 401
    contributor = bearer(CONTRIBUTOR)
    assert client.get("/api/v1/speech/assessments", headers=contributor).status_code == 403
    # The same answer whether or not the assessment exists.
    hidden = client.get("/api/v1/speech/assessments/1", headers=contributor)
    missing = client.get("/api/v1/speech/assessments/987654", headers=contributor)
    assert hidden.status_code == missing.status_code == 403
    assert hidden.json() == missing.json()
    for path in ("/api/v1/speech/assessments/1", "/api/v1/speech/assessments/1/history"):
        assert client.get(path).status_code == 401
    made = client.post("/api/v1/speech/assessments", json=body(), headers=contributor)
    assert made.status_code == 403


def test_a_post_number_that_names_no_post_is_shown_on_the_form_with_the_input_kept(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    login(ANALYST)
    token = csrf_token(client, "/speech/assessments/new")
    answer = client.post("/speech/assessments/new", data=form(token, post_id="999999"))
    assert answer.status_code == 422
    assert 'id="error-post_id"' in answer.text
    assert "no monitored post 999999" in text_of(answer.text)
    assert "Error 404" not in answer.text
    assert 'name="post_id" inputmode="numeric" size="8" value="999999"' in answer.text
    assert 'value="Radio call to drive out a community"' in answer.text  # kept as typed
    edited = client.post(
        "/speech/assessments/1/edit", data={**form(token, post_id="999999"), "note": "linked"}
    )
    assert edited.status_code == 422 and 'id="error-post_id"' in edited.text


def test_problems_name_the_fields_and_choices_as_the_form_shows_them(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    login(ANALYST)
    token = csrf_token(client, "/speech/assessments/new")
    unexplained = client.post(
        "/speech/assessments/new", data=form(token, rabat_intent_note="")
    ).text
    message = text_of(re.search(r'<p class="error-message".*?</p>', unexplained, re.S)[0])
    assert "Nothing was stored: Intent (Rabat): a score of 3 (clearly met) needs a note" in message
    assert "rabat intent" not in unexplained
    undecided = client.post("/speech/assessments/new", data=form(token, conclusion="")).text
    assert 'id="error-conclusion"' in undecided
    shown = text_of(undecided)
    assert "Conclusion: choose one: Not dangerous; Possibly dangerous; Dangerous" in shown
    assert "not_dangerous" not in shown and "possibly_dangerous" not in shown
    strange = client.post("/speech/assessments/new", data=form(token, hallmarks="sorcery")).text
    assert "Hallmarks it carries: unknown hallmark 'sorcery'; choose from Dehumanisation;" in (
        text_of(strange)
    )
