"""The speech pages' score form and the speech API's scoring, vocabulary, trends, surges and
posts: scoring runs locally and stores nothing, with the lexicon's sense and use for each term
(the "kalar" chair stays neutral; a quoted slur is a mention); trends and surges are public
aggregates, labelled when they come from the example feed; posts are for analysts, with who
spoke and where for admins only. Fixtures come from test_speech.py."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from prevention_lens.sources.speech_posts import EXAMPLE_DATASET
from prevention_lens.speech.scoring import (
    ATTRIBUTES,
    LABELS,
    TARGET_GROUPS,
    model_card,
    model_version,
)
from prevention_lens.store import Store
from prevention_lens.store.models import SpeechPost
from prevention_lens.web.routers.speech_api import MAX_SCORE_CHARS, MAX_SCORE_TEXTS
from tests.speech.keyword_scorer import weekly
from tests.speech.test_text import CHAIR_UNICODE, CHAIR_ZAWGYI
from tests.web.forms import csrf_token
from tests.web.test_speech import (
    ADMIN,
    ANALYST,
    CONFIDENTIAL_MARKERS,
    CONTRIBUTOR,
    FIRST,
    SECRET_PLACE,
    SECRET_SPEAKER,
    SURGE_WEEK,
    bearer,
    client,
    load_posts,
    login,
    speech_store,
    text_of,
    zawgyi_detector,
)

__all__ = ["bearer", "client", "login", "speech_store", "zawgyi_detector"]  # shared fixtures

CHAIR = "I bought a new kalar htaing for the shop"
QUOTED = 'He called us "kalar" at the market and walked off'


def posts_stored(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count(SpeechPost.id))) or 0)


def valid_score(result: dict[str, Any]) -> None:
    assert result["label"] in LABELS
    assert math.isclose(sum(result["scores"].values()), 1.0, abs_tol=1e-3)
    assert result["hate_score"] == result["scores"]["hateful"]
    assert set(result["attributes"]) == set(ATTRIBUTES)
    assert all(0.0 <= value <= 1.0 for value in result["attributes"].values())
    group = result["targeted_group"]
    assert group is None or (group in TARGET_GROUPS and result["targeted_group_label"])


# --- the score form ----------------------------------------------------------------------------


def test_the_score_form_scores_text_and_marks_the_terms_it_finds(
    client: TestClient, speech_store: Store
) -> None:
    before = posts_stored(speech_store)
    token = csrf_token(client, "/speech/score")
    page = client.post("/speech/score", data={"csrf_token": token, "text": CHAIR})
    assert page.status_code == 200
    label = re.search(r'<span class="badge label-(\w+)" id="score-label">', page.text)
    assert label and label.group(1) in LABELS
    assert re.findall(r'<tr data-attribute="(\w+)">', page.text) == list(ATTRIBUTES)
    (hit,) = re.findall(r'<tr data-term="\d+" data-sense="(\w+)" data-use="(\w+)">', page.text)
    assert hit == ("neutral", "use")  # the chair, not the slur
    marked = re.search(
        r'<mark class="term-hit sense-neutral use-use"[^>]*>([^<]+)</mark>', page.text
    )
    assert marked and marked.group(1) == "kalar htaing"
    assert "chair" in page.text
    assert f">{CHAIR}</textarea>" in page.text  # kept in the box
    assert posts_stored(speech_store) == before  # nothing stored


def test_a_quoted_slur_is_a_mention_and_is_not_counted(client: TestClient) -> None:
    token = csrf_token(client, "/speech/score")
    page = client.post("/speech/score", data={"csrf_token": token, "text": QUOTED}).text
    (hit,) = re.findall(r'data-sense="(\w+)" data-use="(\w+)"', page)
    assert hit[1] == "mention"
    assert "not counted" in text_of(page)
    assert "would count this text as hateful" not in page


def test_the_score_form_refuses_empty_or_overlong_text_and_a_missing_token(
    client: TestClient,
) -> None:
    token = csrf_token(client, "/speech/score")
    empty = client.post("/speech/score", data={"csrf_token": token, "text": "   "})
    assert empty.status_code == 422 and "paste the text to score" in empty.text
    long = client.post(
        "/speech/score", data={"csrf_token": token, "text": "a" * (MAX_SCORE_CHARS + 1)}
    )
    assert long.status_code == 422 and "at most" in long.text
    nowhere = client.post(
        "/speech/score", data={"csrf_token": token, "text": CHAIR, "country": "Atlantis"}
    )
    assert nowhere.status_code == 422
    assert client.post("/speech/score", data={"text": CHAIR}).status_code == 403


def test_a_country_leaves_out_terms_listed_only_for_other_countries(client: TestClient) -> None:
    token = csrf_token(client, "/speech/score")
    mm = client.post(
        "/speech/score", data={"csrf_token": token, "text": CHAIR, "country": "MMR"}
    ).text
    assert 'data-sense="neutral"' in mm
    ke = client.post(
        "/speech/score", data={"csrf_token": token, "text": CHAIR, "country": "KEN"}
    ).text
    assert "No term of the published lexicon appears in this text." in ke


# --- scoring in the API ------------------------------------------------------------------------


def test_the_api_scores_several_texts_with_their_lexicon_hits(
    client: TestClient, speech_store: Store
) -> None:
    before = posts_stored(speech_store)
    answer = client.post("/api/v1/speech/score", json={"texts": [CHAIR, QUOTED, "Good morning"]})
    assert answer.status_code == 200
    found = answer.json()
    assert found["model_version"]
    chair, quoted, plain = found["results"]
    for result in (chair, quoted, plain):
        valid_score(result)
    (hit,) = chair["lexicon_hits"]
    assert (hit["sense"], hit["use"], hit["matched"]) == ("neutral", "use", "kalar htaing")
    assert chair["text_normalised"][hit["start"] : hit["end"]] == "kalar htaing"
    assert chair["counted_hits"] == 0
    assert quoted["lexicon_hits"][0]["use"] == "mention" and quoted["counted_hits"] == 0
    assert plain["lexicon_hits"] == []
    assert posts_stored(speech_store) == before


def test_the_api_bounds_what_it_scores(client: TestClient) -> None:
    assert client.post("/api/v1/speech/score", json={"texts": []}).status_code == 422
    many = {"texts": ["hello"] * (MAX_SCORE_TEXTS + 1)}
    assert client.post("/api/v1/speech/score", json=many).status_code == 422
    long = {"texts": ["a" * (MAX_SCORE_CHARS + 1)]}
    assert client.post("/api/v1/speech/score", json=long).status_code == 422
    blank = client.post("/api/v1/speech/score", json={"texts": ["ok", " "]})
    assert blank.status_code == 422 and "texts[2]" in blank.json()["error"]
    assert client.post("/api/v1/speech/score", json={"text": "x"}).status_code == 422


def test_the_model_card_is_served_with_the_version_scores_carry(client: TestClient) -> None:
    card = client.get("/api/v1/speech/model").json()
    assert card["model_version"] == model_version()
    assert card["card"] == model_card()
    scored = client.post("/api/v1/speech/score", json={"texts": ["Good morning"]}).json()
    assert scored["model_version"] == card["model_version"]


def test_the_vocabulary_lists_every_code_with_its_label(client: TestClient) -> None:
    found = client.get("/api/v1/speech/vocabulary").json()
    assert found["labels"] == list(LABELS)
    assert set(found["attributes"]) == set(ATTRIBUTES)
    assert found["targeted_groups"] == TARGET_GROUPS
    assert list(found["dsp_elements"]) == ["speaker", "audience", "message", "context", "medium"]
    assert len(found["rabat_factors"]) == 6
    assert all(item["source_url"].startswith("http") for item in found["hallmarks"].values())


# --- trends, surges and posts ------------------------------------------------------------------


def test_trends_and_surges_are_public_aggregates(client: TestClient) -> None:
    trends = client.get("/api/v1/speech/trends", params={"country": "Kenya"}).json()
    assert trends["example"] is False and trends["label"] is None
    points = trends["points"]
    assert {point["country_key"] for point in points} == {"KEN"}
    assert sum(point["hateful"] for point in points) == 36
    assert set(points[0]) >= {"week", "targeted_group", "posts", "hateful", "share"}
    assert not any("text" in point or "speaker" in point for point in points)
    one = client.get("/api/v1/speech/trends", params={"group": "origin"}).json()["points"]
    assert {point["targeted_group"] for point in one} == {"origin"}
    surges = client.get("/api/v1/speech/surges").json()
    (surge,) = surges["surges"]
    assert (surge["country_key"], surge["week"], surge["targeted_group"]) == (
        "KEN",
        SURGE_WEEK.isoformat(),
        "religion",
    )
    assert surge["indicators"] == ["7.14", "8.7", "13.7"]
    assert set(surges["indicators"]) == {"7.14", "8.7", "13.5", "13.7"}
    assert client.get("/api/v1/speech/trends", params={"since": "soon"}).status_code == 422
    assert client.get("/api/v1/speech/trends", params={"group": "x"}).status_code == 422


def test_the_example_feed_is_labelled_in_the_api(client: TestClient, speech_store: Store) -> None:
    drafts = weekly(FIRST, [2, 1], "hateful talk about origin (made up)", prefix="x")
    load_posts(speech_store, drafts, dataset=EXAMPLE_DATASET)
    real = client.get("/api/v1/speech/trends", params={"country": "KEN"}).json()
    assert real["example"] is False and sum(p["hateful"] for p in real["points"]) == 36
    example = client.get(
        "/api/v1/speech/trends", params={"country": "KEN", "feed": "example"}
    ).json()
    assert example["example"] is True and example["label"] == "Example data"
    assert sum(p["hateful"] for p in example["points"]) == 3
    assert all(point["example"] for point in example["points"])


def test_posts_are_for_analysts_and_their_speakers_for_admins(
    client: TestClient, bearer: Callable[[str | None], dict[str, str]]
) -> None:
    assert client.get("/api/v1/speech/posts").status_code == 401
    assert client.get("/api/v1/speech/posts", headers=bearer(CONTRIBUTOR)).status_code == 403
    assert client.get("/api/v1/speech/posts/1", headers=bearer(CONTRIBUTOR)).status_code == 403
    analyst = bearer(ANALYST)
    found = client.get(
        "/api/v1/speech/posts",
        params={"country": "KEN", "week": "2024-03-27", "label": "hateful"},
        headers=analyst,
    )
    assert found.status_code == 200
    posts = found.json()["posts"]
    assert len(posts) == 12 and found.json()["total"] == 12
    assert all(post["week"] == SURGE_WEEK.isoformat() for post in posts)
    assert "speaker" not in posts[0] and "exact_place" not in posts[0]
    for marker in CONFIDENTIAL_MARKERS:
        assert marker not in found.text
    one = client.get(f"/api/v1/speech/posts/{posts[0]['id']}", headers=analyst).json()
    assert one["text"] == posts[0]["text"]
    admin = client.get(f"/api/v1/speech/posts/{posts[0]['id']}", headers=bearer(ADMIN)).json()
    assert (admin["speaker"], admin["exact_place"]) == (SECRET_SPEAKER, SECRET_PLACE)
    assert client.get("/api/v1/speech/posts/987654", headers=analyst).status_code == 404
    bad = client.get("/api/v1/speech/posts", params={"label": "rude"}, headers=analyst)
    assert bad.status_code == 422


def test_the_score_page_needs_no_login_and_the_nav_offers_staff_links_by_role(
    client: TestClient, login: Callable[[str], TestClient]
) -> None:
    public = client.get("/speech/score").text
    assert 'href="/speech/terms/new"' not in public and 'href="/speech/assessments"' not in public
    login(ANALYST)
    staff = client.get("/speech/score").text
    assert 'href="/speech/terms/new"' in staff and 'href="/speech/assessments"' in staff
    assert 'href="/speech/terms/review"' not in staff


def test_the_score_page_says_how_the_label_is_chosen_with_the_models_own_weights(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The label is argmax(probability x weight), so it may not be the likeliest label: the
    # page says so beside it, with the weights read from the shipped model's card.
    weights = model_card()["calibration"]["label_weights"]
    assert weights["hateful"] > 1  # the rule the sentence explains
    token = csrf_token(client, "/speech/score")
    page = client.post("/speech/score", data={"csrf_token": token, "text": CHAIR}).text
    rule = re.search(r'<p class="hint" id="label-rule">(.*?)</p>', page, re.S)
    assert rule, "no label rule beside the label"
    assert re.sub(r"<[^>]+>", "", rule.group(1)) == (
        f"The label is the highest of hateful ×{weights['hateful']:g}, offensive, neither — "
        "hateful is weighted up so that fewer hateful posts are missed; see the model card."
    )
    assert 'href="/api/v1/speech/model"' in rule.group(1)
    card = model_card()
    card["calibration"]["label_weights"] = {"hateful": 1.0, "offensive": 2.0, "neither": 1.0}
    monkeypatch.setattr("prevention_lens.web.routers.speech_api.model_card", lambda: card)
    changed = client.post("/speech/score", data={"csrf_token": token, "text": CHAIR}).text
    assert "highest of hateful, offensive ×2, neither — offensive is weighted up" in changed


def test_the_score_page_says_when_zawgyi_was_converted_to_unicode(client: TestClient) -> None:
    token = csrf_token(client, "/speech/score")
    zawgyi = client.post("/speech/score", data={"csrf_token": token, "text": CHAIR_ZAWGYI}).text
    assert 'id="zawgyi-converted"' in zawgyi
    assert "converted to Unicode" in text_of(zawgyi)
    read = re.search(r'<div class="scored-text">(.*?)</div>', zawgyi, re.S)
    assert read and re.sub(r"<[^>]+>", "", read.group(1)) == CHAIR_UNICODE  # the conversion
    unicode = client.post("/speech/score", data={"csrf_token": token, "text": CHAIR_UNICODE})
    assert 'id="zawgyi-converted"' not in unicode.text


def test_a_text_counted_through_a_lexicon_term_shows_the_terms_group(client: TestClient) -> None:
    # Monitoring counts "remove the madoadoa" against origin whatever the classifier's label;
    # the score page and API said "no group identified" when the label was "neither".
    texts = ["Tomorrow we must remove all madoadoa from this valley", "Good morning"]
    answer = client.post("/api/v1/speech/score", json={"texts": texts, "country": "Kenya"})
    spots, plain = answer.json()["results"]
    assert [hit["term"] for hit in spots["lexicon_hits"]] == ["madoadoa"]
    expected = "origin" if spots["label"] == "neither" else spots["targeted_group"]
    assert spots["counted_group"] == expected and expected is not None
    assert plain["counted_group"] == (
        None if plain["label"] == "neither" else plain["targeted_group"]
    )
    page = client.post(
        "/speech/score",
        data={
            "text": texts[0],
            "country": "Kenya",
            "csrf_token": csrf_token(client, "/speech/score"),
        },
    )
    shown = re.search(r'id="score-group">([^<]+)<', page.text)
    assert shown is not None and shown.group(1) == TARGET_GROUPS[expected]
