"""The web app in a real headless Chromium: clean pages, the world map, login, CSRF, access rules.

Everything runs against `lens serve` on loopback (see conftest.py); no page may log a console
error or warning, throw, break the Content-Security-Policy or ask any host but 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web.conftest import Browsing, LiveServer, _server_env, lens_command

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/",
    "/risk",
    "/risk/MMR",
    "/risk/backtest",
    "/incidents",
    "/incidents?country=MMR",
    "/incidents/1",
    "/signals",
    "/report",
    "/actors",
    "/actors?dataset=real",
    "/actors/network",
    "/actors/gaps",
    "/actors/new",
    "/actors/1",
    "/evidence",
    "/briefs",
    "/countries",
    "/countries/MMR",
    "/login",
]
ADMIN_PAGES = [
    "/data",
    "/admin/users",
    "/risk/MMR/assess",
    "/incidents/new",
    "/incidents/review",
    "/incidents/1/edit",
    "/actors/review",
]
MAPS_SETTLED = """() => Array.from(document.querySelectorAll('[data-worldmap], #incident-map'))
    .every((map) => map.classList.contains('is-ready') || map.classList.contains('is-failed'))"""
# A point of the viewport where the given shape, not a neighbour, is under the pointer.
POINT_INSIDE = """(shape) => {
  const box = shape.getBoundingClientRect();
  for (let i = 1; i < 12; i++) {
    for (let j = 1; j < 12; j++) {
      const x = box.left + (box.width * i) / 12;
      const y = box.top + (box.height * j) / 12;
      if (document.elementFromPoint(x, y) === shape) return { x: x, y: y };
    }
  }
  return null;
}"""


# Public records the incident pages show: two close together in Myanmar one month, one in Chad
# without coordinates (drawn at the country's centre) in another.
INCIDENTS = [
    {"country": "MMR", "date_start": "2017-08-25", "latitude": 20.12, "longitude": 92.87},
    {"country": "MMR", "date_start": "2017-08-27", "latitude": 20.9, "longitude": 93.4},
    {"country": "TCD", "date_start": "2018-03-02"},
]


@pytest.fixture(scope="module", autouse=True)
def incident_records(browser: object, live_server: LiveServer) -> list[int]:
    """The records above, added through the API with an admin's token (record 1 comes first)."""
    done = subprocess.run(
        [*lens_command(), "users", "token", "create", live_server.admin, "--json"],
        capture_output=True,
        text=True,
        env=_server_env(live_server.log.parent / "home"),
        cwd=live_server.log.parent,
        timeout=60,
        check=True,
    )
    token = json.loads(done.stdout)["token"]
    ids = []
    for number, values in enumerate(INCIDENTS, start=1):
        body = {
            "category": "one_sided_violence",
            "title": f"Browser incident {number}",
            "confidentiality": "public",
            **values,
        }
        request = urllib.request.Request(
            live_server.url("/api/v1/incidents"),
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            ids.append(json.load(answer)["id"])
    assert ids[0] == 1, "the incident pages in PUBLIC_PAGES expect record 1"
    return ids


@pytest.fixture(scope="module", autouse=True)
def example_actors(browser: object, live_server: LiveServer) -> None:
    """The generated example mapping, loaded by the real CLI: the actor pages show it while the
    real mapping is empty (its first actor is /actors/1)."""
    subprocess.run(
        [*lens_command(), "actors", "example"],
        capture_output=True,
        text=True,
        env=_server_env(live_server.log.parent / "home"),
        cwd=live_server.log.parent,
        timeout=120,
        check=True,
    )


@dataclass
class Problems:
    """Console errors and warnings and uncaught exceptions seen by one page."""

    messages: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.messages.append(f"console {message.type}: {message.text} ({message.location})")

    def page_error(self, error: Exception) -> None:
        self.messages.append(f"page error: {error}")


def watched_page(browsing: Browsing) -> tuple[Page, Problems]:
    page = browsing.context.new_page()
    problems = Problems()
    page.on("console", problems.console)
    page.on("pageerror", problems.page_error)
    return page, problems


def settle(page: Page) -> None:
    """Wait until every world map on the page has drawn (or given up)."""
    page.wait_for_load_state("load")
    page.wait_for_function(MAPS_SETTLED)


def log_in(page: Page, server: LiveServer, start: str | None = "/login") -> None:
    """Fill in the login form; with start=None, the page already shows it."""
    if start is not None:
        page.goto(start)
    page.get_by_label("Username").fill(server.admin)
    page.get_by_label("Password").fill(server.admin_password)
    destination = parse_qs(urlsplit(page.url).query).get("next", ["/"])[0]
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server.base_url + destination)


def csrf_token(page: Page) -> str:
    value = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    assert value, "the page has no CSRF token"
    return value


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_loads_without_errors_or_outside_requests(
    browsing: Browsing, path: str
) -> None:
    page, problems = watched_page(browsing)
    response = page.goto(path)
    assert response is not None and response.status == 200
    settle(page)
    assert problems.messages == []
    assert page.locator(".worldmap.is-failed").count() == 0
    assert browsing.foreign_requests() == []


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_signed_in_page_loads_without_errors(
    browsing: Browsing, live_server: LiveServer, path: str
) -> None:
    page, problems = watched_page(browsing)
    log_in(page, live_server)
    response = page.goto(path)
    assert response is not None and response.status == 200
    assert urlsplit(page.url).path == path
    settle(page)
    assert problems.messages == []
    assert browsing.foreign_requests() == []


def test_unknown_page_is_a_clean_404(browsing: Browsing) -> None:
    page, problems = watched_page(browsing)
    response = page.goto("/no-such-page")
    assert response is not None and response.status == 404
    settle(page)
    assert page.locator(".error-message").inner_text() == "Page not found."
    # Chromium reports the document's own 404 status in the console; nothing else may appear.
    others = [text for text in problems.messages if "status of 404" not in text]
    assert others == []


def test_home_map_draws_the_countries_by_region_with_a_credit(browsing: Browsing) -> None:
    page, problems = watched_page(browsing)
    page.goto("/")
    settle(page)
    world = page.locator("figure.worldmap")
    assert world.locator("path.country").count() > 150
    assert world.locator("a path.country").count() > 150
    assert world.locator(".worldmap-legend li").count() >= 4
    assert "Natural Earth via world-atlas" in world.locator("figcaption").inner_text()
    # Features the reference has no record for are grey and not links.
    unmatched = world.locator("path.country.no-record")
    assert unmatched.count() >= 1
    assert world.locator("a path.country.no-record").count() == 0
    assert problems.messages == []


def test_clicking_myanmar_on_the_countries_map_opens_its_page(browsing: Browsing) -> None:
    page, problems = watched_page(browsing)
    page.goto("/countries")
    settle(page)
    myanmar = page.locator('figure.worldmap a[href="/countries/MMR"] path.country')
    assert myanmar.get_attribute("data-iso") == "104"
    myanmar.scroll_into_view_if_needed()
    point = myanmar.evaluate(POINT_INSIDE)
    assert point, "no visible point of Myanmar on the map"
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator(".worldmap-tooltip")
    assert "Myanmar" in tooltip.inner_text()
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url("**/countries/MMR")
    settle(page)
    assert page.locator("h1").inner_text() == "Myanmar"
    assert page.locator('path.country.highlight[data-iso="104"]').count() == 1
    assert problems.messages == []


def test_admin_logs_in_adds_a_user_and_logs_out(
    browsing: Browsing, live_server: LiveServer
) -> None:
    page, problems = watched_page(browsing)
    page.goto("/admin/users")
    assert urlsplit(page.url).path == "/login"
    log_in(page, live_server, start=None)
    assert urlsplit(page.url).path == "/admin/users"
    assert live_server.admin in page.locator(".site-header .who").inner_text()
    usernames = page.locator("table.data tbody tr td:first-child")
    assert usernames.all_inner_texts() == [live_server.admin]

    form = page.locator('form[action="/admin/users"]')
    form.get_by_label("Username").fill("dana")
    form.get_by_label("Display name").fill("Dana Field")
    form.get_by_label("Password").fill("another-long-password")
    form.get_by_label("Role").select_option("analyst")
    with page.expect_navigation():
        form.get_by_role("button", name="Add user").click()
    assert urlsplit(page.url).path == "/admin/users"
    assert usernames.all_inner_texts() == [live_server.admin, "dana"]
    row = page.locator("table.data tbody tr").nth(1)
    assert "Dana Field" in row.inner_text() and "analyst" in row.inner_text()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.base_url}/")
    assert page.locator(".site-header .who").count() == 0
    assert page.get_by_role("link", name="Log in").count() == 1
    page.goto("/admin/users")
    assert urlsplit(page.url).path == "/login"
    assert problems.messages == []


def test_form_posts_without_the_right_csrf_token_are_refused(
    browsing: Browsing, live_server: LiveServer
) -> None:
    page, _ = watched_page(browsing)
    page.goto("/login")
    credentials = {"username": live_server.admin, "password": live_server.admin_password}

    missing = page.request.post("/login", form=credentials, max_redirects=0)
    assert missing.status == 403
    wrong = page.request.post(
        "/login", form={**credentials, "csrf_token": "0" * 64}, max_redirects=0
    )
    assert wrong.status == 403
    from_page = page.evaluate(
        """() => fetch('/login', {method: 'POST', body: new URLSearchParams(
            {username: 'admin', password: 'whatever-it-is'})}).then((r) => r.status)"""
    )
    assert from_page == 403

    # The same request with the page's token goes through, so the refusals were the CSRF check.
    right = page.request.post(
        "/login", form={**credentials, "csrf_token": csrf_token(page)}, max_redirects=0
    )
    assert right.status == 303


def test_anonymous_users_cannot_reach_users_audit_or_data(browsing: Browsing) -> None:
    for path in ("/api/v1/users", "/api/v1/audit"):
        response = browsing.context.request.get(path, max_redirects=0)
        assert response.status in (401, 403), path
    page, _ = watched_page(browsing)
    for path in ADMIN_PAGES:
        page.goto(path)
        assert urlsplit(page.url).path == "/login", path
        assert re.search(r"next=%2F|next=/", page.url), page.url


APPROXIMATE_GONE = (
    "() => document.querySelectorAll('#incident-map g.incident-cluster.approximate').length === 0"
)


def test_incident_map_draws_counts_and_the_timeline_filters_them(browsing: Browsing) -> None:
    page, problems = watched_page(browsing)
    page.goto("/incidents")
    settle(page)
    world = page.locator("#incident-map")
    assert "is-ready" in (world.get_attribute("class") or "")
    assert world.locator("path.country").count() > 150
    assert world.locator("g.incident-cluster").count() >= 2
    # Chad's record has no coordinates: counted hollow at the country's centre.
    assert world.locator("g.incident-cluster.approximate").count() == 1
    assert "3 incidents on the map" in world.locator("figcaption").inner_text()
    bars = page.locator("#incident-timeline rect.timeline-bar")
    assert bars.count() == 2
    # Brushing across the first month's bar asks the server for that month's counts only.
    page.locator("#incident-timeline").scroll_into_view_if_needed()
    first = bars.first.bounding_box()
    overlay = page.locator("#incident-timeline .timeline-brush .overlay").bounding_box()
    assert first is not None and overlay is not None
    y = overlay["y"] + overlay["height"] / 2
    page.mouse.move(first["x"] + 1, y)
    page.mouse.down()
    page.mouse.move(first["x"] + first["width"] + 3, y, steps=4)
    page.mouse.up()
    page.wait_for_function(APPROXIMATE_GONE)
    assert "2017-08" in page.locator("#incident-selection").inner_text()
    assert "2 incidents" in page.locator("#incident-selection").inner_text()
    assert page.locator("#incident-timeline rect.timeline-bar.outside").count() == 1
    # Clicking a cluster zooms in, and the map asks for finer cells until the two records part.
    clusters = world.locator("g.incident-cluster")
    for _ in range(5):
        if clusters.count() == 2:
            break
        clusters.first.click()
        page.wait_for_timeout(700)
    assert clusters.count() == 2
    world.get_by_role("button", name="Show all", exact=True).click()
    assert problems.messages == []


def test_actor_network_draws_nodes_and_links_and_shows_a_clicked_actor(
    browsing: Browsing,
) -> None:
    page, problems = watched_page(browsing)
    page.goto("/actors/network")
    page.wait_for_selector("#actor-network.is-ready")
    assert "EXAMPLE DATA" in page.locator(".example-banner").inner_text()
    network = page.locator("#actor-network")
    nodes = network.locator("circle.network-node")
    assert nodes.count() > 100
    assert network.locator("line.network-link").count() > 100
    # Click the first circle that no neighbour covers; its details appear beside the drawing.
    network.scroll_into_view_if_needed()
    point = None
    for index in range(nodes.count()):
        node = nodes.nth(index)
        point = node.evaluate(POINT_INSIDE)
        if point:
            name = node.get_attribute("aria-label")
            break
    assert point, "no circle of the network can be clicked"
    page.mouse.click(point["x"], point["y"])
    details = page.locator("#network-details")
    assert details.locator("h2").inner_text() == name
    assert "Example" in details.inner_text()
    assert (
        details.get_by_role("link", name="Open its page").get_attribute("href") or ""
    ).startswith("/actors/")
    assert network.locator("circle.network-node.selected").count() == 1
    # Filters fade the actors outside them; zooming changes the drawing's transform.
    page.locator("#network-filters select[name=level]").select_option("international")
    faded = network.locator("circle.network-node.filtered-out").count()
    assert 0 < faded < nodes.count()
    before = network.locator("g.network-world").get_attribute("transform")
    box = network.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -400)
    page.wait_for_timeout(200)
    assert network.locator("g.network-world").get_attribute("transform") != before
    assert problems.messages == []
