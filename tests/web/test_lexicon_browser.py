"""The sector lexicon in a real headless Chromium: the browser switched to French labels, a
concept opened, a mapped concept followed through the drawn diagram (no script needed), and
the reframe box used.

Runs against `lens serve` on loopback (see conftest.py), like tests/web/test_evidence_browser.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

from prevention_lens.lexicon.content import shipped_lexicon
from tests.web.conftest import Browsing, LiveServer, watch_console

if TYPE_CHECKING:
    pass

pytestmark = pytest.mark.browser

MASS = "ap/mass-atrocity-crimes"


def test_french_labels_a_concept_and_a_mapped_concept_through_the_diagram(
    browsing: Browsing, live_server: LiveServer
) -> None:
    lexicon = shipped_lexicon()
    page = browsing.context.new_page()
    problems = watch_console(page)
    page.goto("/lexicon")
    assert page.locator("section.lexicon-scheme").count() == 7
    with page.expect_navigation():
        page.get_by_role("link", name="Français").click()
    assert parse_qs(urlsplit(page.url).query)["lang"] == ["fr"]
    french = lexicon.concept(MASS).pref_labels["fr"]
    link = page.locator(f'li[data-concept="{MASS}"] a')
    assert link.inner_text() == french
    with page.expect_navigation():
        link.click()
    assert urlsplit(page.url).path == f"/lexicon/{MASS}"
    assert page.locator("h1").inner_text() == french
    diagram = page.locator("svg.mapping-diagram")
    assert diagram.is_visible()
    assert diagram.locator("line.edge").count() == len(lexicon.mappings_from(MASS))
    target = "hr/gross-human-rights-violations"
    node = diagram.locator(f'a.node-link[data-concept="{target}"]')
    with page.expect_navigation():
        node.click()
    assert urlsplit(page.url).path == f"/lexicon/{target}"
    assert page.locator("h1").inner_text() == lexicon.concept(target).label("fr")
    back = page.locator(f'svg.mapping-diagram a.node-link[data-concept="{MASS}"]')
    assert back.count() == 1  # the mapping is drawn from the other side too
    assert problems == []


def test_the_reframe_box_rewrites_a_sentence_for_human_rights_readers(
    browsing: Browsing, live_server: LiveServer
) -> None:
    page = browsing.context.new_page()
    problems = watch_console(page)
    page.goto("/lexicon/reframe")
    page.get_by_role("textbox", name="Text").fill("The risk of mass atrocities is rising.")
    page.get_by_label("Audience").select_option("hr")
    with page.expect_navigation():
        page.get_by_role("button", name="Reframe").click()
    shown = page.locator(".reframed-text")
    assert shown.inner_text() == "The risk of gross human rights violations is rising."
    mark = shown.locator("mark.change")
    assert mark.count() == 1
    assert mark.inner_text() == "gross human rights violations"
    assert MASS in (mark.get_attribute("title") or "")
    assert page.locator("table.reframe-changes tbody tr").count() == 1
    assert problems == []
