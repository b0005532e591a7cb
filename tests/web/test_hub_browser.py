"""A newcomer's walk in a real headless Chromium: from the home page to a country's hub, on to
each page the hub links to (risk, signals, incidents, actors, coverage gaps) and back.

Runs against `lens serve` on loopback (see conftest.py), like tests/web/test_browser.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.web.conftest import Browsing, LiveServer, watch_console

if TYPE_CHECKING:
    pass

pytestmark = pytest.mark.browser

HUB = "/countries/MMR"
# Each part of the hub: the data-hub-link name and the path its page has.
PARTS = {
    "risk": "/risk/MMR",
    "signals": "/signals",
    "incidents": "/incidents",
    "actors": "/actors",
    "gaps": "/actors/gaps",
    "evidence": "/evidence/transfer/MMR",
}


def test_home_to_a_country_hub_to_every_linked_page_and_back(
    browsing: Browsing, live_server: LiveServer
) -> None:
    page = browsing.context.new_page()
    problems = watch_console(page)
    page.goto("/")
    # The home page finds a country by any name the resolver knows.
    page.get_by_label("Go to a country").fill("Burma")
    page.get_by_role("button", name="Go").click()
    page.wait_for_url(live_server.url(HUB))
    assert page.locator("h1").inner_text() == "Myanmar"

    without_way_back = []
    for part, path in PARTS.items():
        link = page.locator(f'a[data-hub-link="{part}"]')
        assert link.count() == 1, f"the hub has no {part} link"
        with page.expect_navigation():
            link.click()
        assert urlsplit(page.url).path == path, f"{part} went to {page.url}"
        assert (
            page.locator("h1").count() >= 1 and "404" not in page.locator("h1").first.inner_text()
        )
        back = page.locator(f'a[href="{HUB}"]')
        if back.count() == 0:
            without_way_back.append(f"{part} ({page.url})")
            page.goto(HUB)
            continue
        with page.expect_navigation():
            back.first.click()
        assert urlsplit(page.url).path == HUB, f"the way back from {part} went to {page.url}"
    assert problems == []
    assert browsing.foreign_requests() == []
    assert without_way_back == [], f"no link back to {HUB} on: {', '.join(without_way_back)}"
