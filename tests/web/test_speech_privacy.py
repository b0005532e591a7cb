"""Leak tests for every speech page and API route, exports included: a post and an assessment
carry a secret speaker and exact place, which no anonymous reader, contributor or analyst ever
sees; their restricted content (a post's text, an assessment, a term nobody published) never
reaches readers below analyst; and the public aggregates never carry any of it, even for an
admin, who sees speakers and places only on the posts and assessments themselves.

The routes are read from the app, so a new speech route fails here until it is leak-tested.
Fixtures come from test_speech.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from prevention_lens.store import Store
from prevention_lens.store.models import SpeechPost, SpeechTerm
from prevention_lens.web.app import ROUTERS
from tests.web.forms import csrf_token
from tests.web.test_speech import (
    ADMIN,
    ANALYST,
    ASSESSMENT_TITLE,
    CONFIDENTIAL_MARKERS,
    CONTRIBUTOR,
    RESTRICTED_MARKERS,
    SECRET_DRAFT,
    SECRET_PLACE,
    SECRET_SPEAKER,
    assessment_values,
    bearer,
    client,
    login,
    speech_store,
    zawgyi_detector,
)

__all__ = ["bearer", "client", "login", "speech_store", "zawgyi_detector"]  # shared fixtures

BELOW_ANALYST = (*RESTRICTED_MARKERS, ASSESSMENT_TITLE.split()[-1])


@dataclass(frozen=True)
class Ids:
    post: int
    draft_term: int
    term: int
    assessment: int = 1


def ids_of(store: Store) -> Ids:
    with store.session() as session:
        post = session.scalar(select(SpeechPost.id).order_by(SpeechPost.id))
        draft = session.scalar(select(SpeechTerm.id).where(SpeechTerm.term == SECRET_DRAFT))
        term = session.scalar(select(SpeechTerm.id).where(SpeechTerm.status == "published"))
    assert post and draft and term
    return Ids(post, draft, term)


def speech_routes() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            if route.path.startswith(("/speech", "/api/v1/speech")):
                found.update((method, route.path) for method in route.methods or ())
    return found


def assessment_form(token: str) -> dict[str, Any]:
    values = assessment_values()
    form: dict[str, Any] = {
        "csrf_token": token,
        **{name: str(values[name]) for name in ("title", "rationale", "spoken_on", "context")},
        "country": "KEN",
        "conclusion": "dangerous",
        "speaker": "",
        "exact_place": "",
        "hallmarks": ["dehumanisation"],
        "note": "a leak-test edit",
    }
    return form


def term_form(token: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "term": "leakprobe",
        "language": "en",
        "sense_1_kind": "hateful",
        "sense_1_meaning": "a made-up insult",
    }


def draft_edit_form(token: str) -> dict[str, str]:
    """The draft term, edited in place (it keeps its name: the leak markers look for it)."""
    return {
        "csrf_token": token,
        "term": SECRET_DRAFT,
        "language": "en",
        "sense_rows": "1",
        "sense_1_kind": "hateful",
        "sense_1_meaning": "a proposed insult, edited",
        "note": "a leak-test edit",
    }


def assessment_body(**more: Any) -> dict[str, Any]:
    return {
        "title": "Leak probe",
        "country": "KEN",
        "conclusion": "not_dangerous",
        "rationale": "a probe",
        **more,
    }


# (method, route path as declared, how to call it): every speech route, some more than once.
Call = Callable[[TestClient, Ids, str], Any]


def _get(path: str) -> Call:
    return lambda client, ids, token: client.get(path.format(ids=ids))


def _form(path: str, data: Callable[[str], dict[str, Any]]) -> Call:
    return lambda client, ids, token: client.post(path.format(ids=ids), data=data(token))


def _json(method: str, path: str, body: dict[str, Any]) -> Call:
    return lambda client, ids, token: client.request(
        method, path.format(ids=ids), json=body, headers={"X-CSRF-Token": token}
    )


CALLS: tuple[tuple[str, str, Call], ...] = (
    ("GET", "/speech", _get("/speech")),
    ("GET", "/speech", _get("/speech?feed=example")),
    ("GET", "/speech", _get("/speech?group=religion&since=2024-03-01")),
    ("GET", "/speech/score", _get("/speech/score")),
    (
        "POST",
        "/speech/score",
        _form("/speech/score", lambda token: {"csrf_token": token, "text": "kalar htaing"}),
    ),
    ("GET", "/speech/{country}", _get("/speech/KEN")),
    ("GET", "/speech/{country}", _get("/speech/Kenya?group=religion")),
    ("GET", "/speech/terms", _get("/speech/terms")),
    ("GET", "/speech/terms", _get("/speech/terms?status=draft&q=wombat")),
    ("GET", "/speech/terms/new", _get("/speech/terms/new")),
    ("POST", "/speech/terms/new", _form("/speech/terms/new", term_form)),
    ("GET", "/speech/terms/review", _get("/speech/terms/review")),
    (
        "POST",
        "/speech/terms/{term_id}/review",
        _form(
            "/speech/terms/{ids.draft_term}/review",
            lambda token: {"csrf_token": token, "decision": "reject"},
        ),
    ),
    ("GET", "/speech/terms/{term_id}/edit", _get("/speech/terms/{ids.draft_term}/edit")),
    ("GET", "/speech/terms/{term_id}/edit", _get("/speech/terms/{ids.term}/edit")),
    (
        "POST",
        "/speech/terms/{term_id}/edit",
        _form("/speech/terms/{ids.draft_term}/edit", draft_edit_form),
    ),
    ("GET", "/speech/terms/{term_id}", _get("/speech/terms/{ids.term}")),
    ("GET", "/speech/terms/{term_id}", _get("/speech/terms/{ids.draft_term}")),
    ("GET", "/speech/assessments", _get("/speech/assessments")),
    ("GET", "/speech/assessments/new", _get("/speech/assessments/new?post_id={ids.post}")),
    ("POST", "/speech/assessments/new", _form("/speech/assessments/new", assessment_form)),
    ("GET", "/speech/assessments/{assessment_id}", _get("/speech/assessments/{ids.assessment}")),
    (
        "GET",
        "/speech/assessments/{assessment_id}/edit",
        _get("/speech/assessments/{ids.assessment}/edit"),
    ),
    (
        "POST",
        "/speech/assessments/{assessment_id}/edit",
        _form("/speech/assessments/{ids.assessment}/edit", assessment_form),
    ),
    ("POST", "/api/v1/speech/score", _json("POST", "/api/v1/speech/score", {"texts": ["hi"]})),
    ("GET", "/api/v1/speech/vocabulary", _get("/api/v1/speech/vocabulary")),
    ("GET", "/api/v1/speech/model", _get("/api/v1/speech/model")),
    ("GET", "/api/v1/speech/trends", _get("/api/v1/speech/trends")),
    ("GET", "/api/v1/speech/trends", _get("/api/v1/speech/trends?country=KEN&feed=example")),
    ("GET", "/api/v1/speech/surges", _get("/api/v1/speech/surges")),
    ("GET", "/api/v1/speech/posts", _get("/api/v1/speech/posts")),
    ("GET", "/api/v1/speech/posts/{post_id}", _get("/api/v1/speech/posts/{ids.post}")),
    ("GET", "/api/v1/speech/terms", _get("/api/v1/speech/terms")),
    ("GET", "/api/v1/speech/terms", _get("/api/v1/speech/terms?status=draft")),
    ("GET", "/api/v1/speech/terms/export", _get("/api/v1/speech/terms/export?format=csv")),
    ("GET", "/api/v1/speech/terms/export", _get("/api/v1/speech/terms/export?format=json")),
    ("GET", "/api/v1/speech/terms/{term_id}", _get("/api/v1/speech/terms/{ids.draft_term}")),
    (
        "GET",
        "/api/v1/speech/terms/{term_id}/sightings",
        _get("/api/v1/speech/terms/{ids.term}/sightings"),
    ),
    (
        "GET",
        "/api/v1/speech/terms/{term_id}/sightings",
        _get("/api/v1/speech/terms/{ids.draft_term}/sightings"),
    ),
    (
        "POST",
        "/api/v1/speech/terms",
        _json(
            "POST",
            "/api/v1/speech/terms",
            {"term": "leakprobe2", "language": "en", "senses": [{"kind": "hateful"}]},
        ),
    ),
    (
        "PUT",
        "/api/v1/speech/terms/{term_id}",
        _json(
            "PUT",
            "/api/v1/speech/terms/{ids.draft_term}",
            {
                "term": SECRET_DRAFT,
                "language": "en",
                "senses": [{"kind": "hateful", "meaning": "a proposed insult, edited"}],
            },
        ),
    ),
    (
        "POST",
        "/api/v1/speech/terms/{term_id}/review",
        _json("POST", "/api/v1/speech/terms/{ids.draft_term}/review", {"decision": "reject"}),
    ),
    ("GET", "/api/v1/speech/assessments", _get("/api/v1/speech/assessments")),
    (
        "POST",
        "/api/v1/speech/assessments",
        _json("POST", "/api/v1/speech/assessments", assessment_body()),
    ),
    (
        "GET",
        "/api/v1/speech/assessments/{assessment_id}",
        _get("/api/v1/speech/assessments/{ids.assessment}"),
    ),
    (
        "PUT",
        "/api/v1/speech/assessments/{assessment_id}",
        _json(
            "PUT",
            "/api/v1/speech/assessments/{ids.assessment}",
            assessment_body(note="leak probe"),
        ),
    ),
    (
        "GET",
        "/api/v1/speech/assessments/{assessment_id}/history",
        _get("/api/v1/speech/assessments/{ids.assessment}/history"),
    ),
)
# Aggregates and reference data: nothing of a post or an assessment, whoever asks.
AGGREGATES = (
    "/speech",
    "/speech/score",
    "/speech/terms",
    "/api/v1/speech/trends",
    "/api/v1/speech/surges",
    "/api/v1/speech/vocabulary",
    "/api/v1/speech/model",
    "/api/v1/speech/terms",
    "/api/v1/speech/terms/export",
)


def test_every_speech_route_is_leak_tested() -> None:
    called = {(method, path) for method, path, _ in CALLS}
    assert called == speech_routes()


@pytest.mark.parametrize("who", [None, CONTRIBUTOR, ANALYST])
def test_no_speech_route_shows_a_speaker_or_exact_place_below_admin(
    client: TestClient,
    login: Callable[[str], TestClient],
    speech_store: Store,
    who: str | None,
) -> None:
    if who:
        login(who)
    ids = ids_of(speech_store)
    token = csrf_token(client, "/speech/score")
    markers = CONFIDENTIAL_MARKERS if who == ANALYST else (*CONFIDENTIAL_MARKERS, *BELOW_ANALYST)
    answered = set()
    for method, path, call in CALLS:
        answer = call(client, ids, token)
        assert answer.status_code < 500, f"{method} {path}: {answer.status_code}"
        answered.add(answer.status_code)
        for marker in markers:
            assert marker not in answer.text, f"{method} {path} shows {marker} to {who}"
    if who == ANALYST:
        assert 200 in answered and 201 in answered  # analysts got real pages, not refusals


def test_admins_see_speakers_and_places_only_where_designed(
    client: TestClient,
    login: Callable[[str], TestClient],
    speech_store: Store,
    bearer: Callable[[str | None], dict[str, str]],
) -> None:
    login(ADMIN)
    ids = ids_of(speech_store)
    # A term's sightings are counts too, like the trends.
    for path in (*AGGREGATES, f"/api/v1/speech/terms/{ids.term}/sightings"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        for marker in CONFIDENTIAL_MARKERS:
            assert marker not in answer.text, f"{path} shows {marker} to an admin"
    designed = (
        "/speech/KEN",
        f"/speech/assessments/{ids.assessment}",
        f"/api/v1/speech/posts/{ids.post}",
        f"/api/v1/speech/assessments/{ids.assessment}",
    )
    for path in designed:
        answer = client.get(path)
        assert SECRET_SPEAKER in answer.text and SECRET_PLACE in answer.text, path
    history = client.get(f"/api/v1/speech/assessments/{ids.assessment}/history").json()
    assert history["versions"][0]["values"]["speaker"] == SECRET_SPEAKER
    analyst_history = client.get(
        f"/api/v1/speech/assessments/{ids.assessment}/history", headers=bearer(ANALYST)
    ).json()
    assert "speaker" not in analyst_history["versions"][0]["values"]


MISSING = 987654


@pytest.mark.parametrize("who", [None, CONTRIBUTOR])
def test_routes_with_an_id_answer_alike_for_hidden_and_missing_records(
    client: TestClient,
    login: Callable[[str], TestClient],
    speech_store: Store,
    who: str | None,
) -> None:
    """A draft term, a post and an assessment exist but are hidden from these readers: each
    route answers them exactly as for a number nothing has."""
    if who:
        login(who)
    hidden = ids_of(speech_store)
    hidden = Ids(post=hidden.post, draft_term=hidden.draft_term, term=hidden.draft_term)
    missing = Ids(post=MISSING, draft_term=MISSING, term=MISSING, assessment=MISSING)
    token = csrf_token(client, "/speech/score")
    checked = 0
    for method, path, call in CALLS:
        if "_id}" not in path:
            continue
        answers = []
        for ids in (hidden, missing):
            answer = call(client, ids, token)
            numbers = {str(ids.post), str(ids.draft_term), str(ids.assessment)}
            body = answer.text
            for number in numbers:
                body = re.sub(rf"(?<=[/ '\"]){number}(?![\w-])", "{id}", body)
            answers.append((answer.status_code, body))
        assert answers[0] == answers[1], f"{method} {path} tells {who} a hidden record exists"
        checked += 1
    assert checked >= 10
