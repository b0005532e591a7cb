"""The evidence library in a real headless Chromium: a search in French finds an English study,
its entry page opens, and a cell of the gap map leads to the entries it counts.

Runs against `lens serve` on loopback (see conftest.py), like tests/web/test_hub_browser.py.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web.conftest import Browsing, LiveServer, watch_console

if TYPE_CHECKING:
    pass

pytestmark = pytest.mark.browser


def test_a_french_search_finds_an_english_entry_that_opens(
    browsing: Browsing, live_server: LiveServer
) -> None:
    page = browsing.context.new_page()
    problems = watch_console(page)
    page.goto("/evidence")
    page.get_by_label("Search", exact=True).fill("prévention du génocide")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    assert parse_qs(urlsplit(page.url).query)["q"] == ["prévention du génocide"]
    titles = page.locator(".evidence-hit h3 a")
    assert titles.count() >= 3
    first_three = [titles.nth(index).inner_text() for index in range(3)]
    assert any("Genocide" in title for title in first_three), first_three
    chosen = next(title for title in first_three if "Genocide" in title)
    with page.expect_navigation():
        page.get_by_role("link", name=chosen, exact=True).first.click()
    assert urlsplit(page.url).path.startswith("/evidence/")
    assert page.locator("h1").inner_text() == chosen
    language = page.locator("tr", has=page.locator("th", has_text="Language")).locator("td")
    assert language.inner_text() == "English"
    assert problems == []


def test_a_gap_map_cell_leads_to_the_entries_it_counts(
    browsing: Browsing, live_server: LiveServer
) -> None:
    page = browsing.context.new_page()
    problems = watch_console(page)
    page.goto("/evidence/gaps")
    cells = page.locator("td.gap-cell[data-count]:not([data-count='0'])")
    assert cells.count() > 0
    counts = [int(cells.nth(index).get_attribute("data-count") or 0) for index in range(3)]
    cell = cells.nth(counts.index(max(counts)))
    expected = int(cell.get_attribute("data-count") or 0)
    intervention = cell.get_attribute("data-intervention")
    outcome = cell.get_attribute("data-outcome")
    # An empty cell says what kind of gap it is, in words, not only by colour.
    empty = page.locator("td.gap-cell[data-count='0'] .visually-hidden").first
    assert re.search(r"gap", empty.text_content() or "", re.I)
    with page.expect_navigation():
        cell.locator("a").click()
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"intervention": [intervention], "outcome": [outcome]}
    shown = page.locator("#evidence-count").get_attribute("data-total")
    assert shown is not None and int(shown) == expected
    assert page.locator(".evidence-hit").count() == min(expected, 20)
    assert problems == []
