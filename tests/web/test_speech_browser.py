"""Speech monitoring in a real headless Chromium: the overview with its drawn trends and the
surge alert, on to a country's page through the countries table, then the score form used on a
sentence with the "kalar" chair in it (marked as the neutral sense), with no console error.

Runs against `lens serve` on loopback (see conftest.py); the posts are written into that
server's store first, scored by the keyword classifier of the monitoring tests so that the
surge is known. The score form uses the shipped model.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from prevention_lens.settings import Settings, load_settings
from prevention_lens.speech import text as speech_text
from prevention_lens.speech.lexicon import list_terms
from prevention_lens.speech.posts import import_posts
from prevention_lens.speech.scoring import TARGET_GROUPS
from prevention_lens.speech.shipped_terms import load_shipped_terms
from prevention_lens.store import open_store
from prevention_lens.store.access import LOCAL_OPERATOR
from tests.speech.keyword_scorer import MATCHER, KeywordScore, KeywordScorer, weekly
from tests.web.conftest import SECRET_KEY, Browsing, LiveServer, watch_console
from tests.web.test_browser import log_in
from tests.web.test_speech import FIRST, SURGE_WEEK

pytestmark = pytest.mark.browser

# The first scoring loads the embedding model in the server.
SCORE_TIMEOUT_MS = 60_000


def _server_settings(live_server: LiveServer) -> Settings:
    return load_settings(
        home=live_server.log.parent / "home",
        database_url=None,
        secret_key=SECRET_KEY,
        sources=None,
    )


def seed_posts(live_server: LiveServer) -> None:
    """Kenya's posts with a surge in the week of 25 March 2024, in the server's own store."""
    settings = _server_settings(live_server)
    quiet = weekly(FIRST, [2] * 12, "hateful talk about religion", prefix="b")
    threats = "hateful threat about religion"
    surge = weekly(datetime(2024, 3, 25, 9, tzinfo=UTC), [12], threats, prefix="t")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # myanmartools, as in test_speech
        speech_text._detector()
    store = open_store(settings)
    try:
        with store.session() as session:
            import_posts(
                session,
                LOCAL_OPERATOR,
                [*quiet, *surge],
                dataset="browser-watch",
                scorer=KeywordScorer(),
                matcher=MATCHER,
            )
            load_shipped_terms(session)  # the "kalar" entry the score form finds
    finally:
        store.dispose()


def test_overview_to_a_country_to_the_score_form(
    browsing: Browsing, live_server: LiveServer
) -> None:
    seed_posts(live_server)
    page = browsing.context.new_page()
    problems = watch_console(page)
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Speech", exact=True).click()
    assert urlsplit(page.url).path == "/speech"
    assert page.locator("h1").inner_text() == "Hate and dangerous speech"
    chart = page.locator("svg.trend-chart")
    assert chart.is_visible()
    assert chart.locator("polyline.trend-line").count() >= 1
    assert chart.locator("circle.surge-mark").count() == 1
    surge = page.locator(f'tr.speech-surge[data-country="KEN"][data-week="{SURGE_WEEK}"]')
    assert surge.count() == 1
    with page.expect_navigation():
        page.locator('table.speech-countries a[href="/speech/KEN"]').click()
    assert urlsplit(page.url).path == "/speech/KEN"
    assert page.locator("h1").inner_text() == "Hate and dangerous speech in Kenya"
    assert page.locator("svg.trend-chart").is_visible()
    assert page.locator("tr.speech-surge").count() == 1
    with page.expect_navigation():
        page.get_by_role("link", name="Score a text").click()
    assert urlsplit(page.url).path == "/speech/score"
    page.get_by_role("textbox", name=re.compile("^Text")).fill(
        "I bought a new kalar htaing for the shop"
    )
    page.get_by_label(re.compile("^Where it was said")).select_option("MMR")
    with page.expect_navigation(timeout=SCORE_TIMEOUT_MS):
        page.get_by_role("button", name="Score").click()
    assert page.locator("#score-label").inner_text() in ("hateful", "offensive", "neither")
    mark = page.locator("mark.term-hit")
    assert mark.count() == 1
    assert mark.inner_text() == "kalar htaing"
    assert "sense-neutral" in (mark.get_attribute("class") or "")
    assert page.locator("table.speech-attributes tbody tr").count() == 4
    assert problems == []


def test_an_admin_adds_a_sense_to_a_published_term_through_the_edit_form(
    browsing: Browsing, live_server: LiveServer
) -> None:
    store = open_store(_server_settings(live_server))
    try:
        with store.session() as session:
            load_shipped_terms(session)
            (kalar,) = list_terms(session, LOCAL_OPERATOR, language="my")
    finally:
        store.dispose()
    page = browsing.context.new_page()
    problems = watch_console(page)
    log_in(page, live_server)
    page.goto(f"/speech/terms/{kalar.id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Edit this term").click()
    assert urlsplit(page.url).path == f"/speech/terms/{kalar.id}/edit"
    rows = page.locator("fieldset.speech-sense-row")
    assert rows.count() == len(kalar.senses) + 1
    blank = rows.last
    assert blank.get_by_label("Meaning").input_value() == ""
    blank.get_by_label("Meaning").fill("a made-up compound")
    blank.get_by_label(re.compile("^Phrases")).fill("kalar zorbin")
    page.get_by_label("Last seen").fill("2026-11-30")
    page.get_by_label(re.compile("^Why you changed it")).fill("a browser check")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the changes").click()
    assert urlsplit(page.url).path == f"/speech/terms/{kalar.id}"
    assert page.get_by_role("status").first.inner_text() == "Your changes are saved."
    senses = page.locator("article.speech-sense")
    assert senses.count() == len(kalar.senses) + 1
    assert senses.last.get_attribute("data-kind") == "neutral"
    assert "a made-up compound" in senses.last.inner_text()
    assert "2026-11-30" in page.locator("table.speech-term").inner_text()
    assert page.get_by_role("heading", name="Seen in monitored posts").is_visible()
    assert problems == []


@dataclass
class EveryGroupScorer(KeywordScorer):
    """The keyword classifier, with the targeted group any group code in the text names."""

    def score_texts(self, texts: Sequence[str]) -> list[KeywordScore]:
        scored = super().score_texts(texts)
        return [
            replace(score, targeted_group=next((g for g in TARGET_GROUPS if g in text), None))
            for score, text in zip(scored, texts, strict=True)
        ]


def test_a_country_page_with_every_group_shows_the_whole_weekly_table_at_1280_px(
    browsing: Browsing, live_server: LiveServer
) -> None:
    drafts = [
        post
        for group in (*TARGET_GROUPS, "none")
        for post in weekly(FIRST, [2] * 13, f"hateful talk {group}", prefix=group, country="Uganda")
    ]
    store = open_store(_server_settings(live_server))
    try:
        with store.session() as session:
            import_posts(
                session,
                LOCAL_OPERATOR,
                drafts,
                dataset="browser-layout",
                scorer=EveryGroupScorer(),
                matcher=MATCHER,
            )
    finally:
        store.dispose()
    page = browsing.context.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    problems = watch_console(page)
    page.goto("/speech/UGA")
    table = page.locator("table.speech-trend-table")
    header = table.locator("thead th").last
    assert header.inner_text() == "All posts"
    # The last column ends inside the table's scrolling frame: seen without scrolling.
    box = header.bounding_box()
    frame = page.locator("div.table-scroll", has=table).bounding_box()
    assert box and frame
    assert box["x"] + box["width"] <= frame["x"] + frame["width"]
    origin = table.locator('thead th[data-group="origin"]')
    assert origin.inner_text() == "Origin"
    assert origin.get_attribute("title") == TARGET_GROUPS["origin"]
    assert problems == []
