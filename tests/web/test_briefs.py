"""Brief pages, downloads and API: the audience switch, every format, and no planted marker on
any route for an anonymous visitor."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from prevention_lens.accounts import users
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Role
from prevention_lens.web.app import create_app
from prevention_lens.web.routers import briefs
from tests.briefs.test_brief import MARKERS, NOTE_MARKER, plant_brief_data
from tests.web.forms import log_in

PASSWORD = "correct horse battery"
ROUTES = (
    "/briefs",
    "/countries/MMR",
    "/countries/MMR/brief",
    "/countries/MMR/brief?audience=hr",
    "/countries/MMR/brief.md",
    "/countries/MMR/brief.md?audience=sec",
    "/countries/MMR/brief.html",
    "/api/v1/countries/MMR/brief",
    "/api/v1/countries/MMR/brief?audience=dev",
)


def _with_briefs(app: FastAPI) -> FastAPI:
    """The brief routes ahead of the pages router's catch-all, as web/app.py registers them
    (added here only while the app does not have them yet)."""
    if not any(getattr(r, "path", "") == "/countries/{key}/brief" for r in app.routes):
        extra = APIRouter()
        extra.include_router(briefs.router)
        extra.include_router(briefs.api_router)
        app.router.routes[0:0] = extra.routes
    return app


@pytest.fixture
def client(settings: Settings, sqlite_store: Store, tmp_path: Path) -> Iterator[TestClient]:
    plant_brief_data(sqlite_store, settings, tmp_path)
    with sqlite_store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, "ana", PASSWORD, Role.ANALYST)
    app = _with_briefs(create_app(settings, sqlite_store))
    with TestClient(app, base_url="https://testserver") as test:
        yield test


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def test_the_briefs_page_lists_situations_and_risks_with_links(client: TestClient) -> None:
    page = client.get("/briefs")
    assert page.status_code == 200
    assert 'data-brief-link="MMR"' in page.text and "Imminent risk" in page.text
    assert "No country briefs have been written yet" not in page.text
    hub = client.get("/countries/MMR")
    assert 'href="/countries/MMR/brief"' in hub.text


def test_the_brief_page_switches_audience_and_offers_downloads(client: TestClient) -> None:
    plain = client.get("/countries/MMR/brief")
    assert plain.status_code == 200
    for kind in ("pdf", "html", "md", "json"):
        assert f'data-download="{kind}"' in plain.text
    assert '<option value="hr">' in plain.text and "mass atrocities" in plain.text
    for title in ("Situation", "Warning signs", "Options by R2P pillar", "Sources and data dates"):
        assert f"<h2>{title}</h2>" in plain.text
    human_rights = client.get("/countries/MMR/brief", params={"audience": "hr"})
    assert "gross human rights violations" in human_rights.text
    assert 'value="hr" selected' in human_rights.text


def test_downloads_come_as_files_in_each_format(client: TestClient) -> None:
    markdown = client.get("/countries/MMR/brief.md?audience=hr")
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert 'filename="brief-MMR-hr.md"' in markdown.headers["content-disposition"]
    assert markdown.text.startswith("# Myanmar: prevention brief")
    document = client.get("/countries/MMR/brief.html")
    assert document.text.startswith("<!doctype html>") and "<script" not in document.text
    assert "script-src" not in document.headers["content-security-policy"]
    assert "default-src 'none'" in document.headers["content-security-policy"]
    pdf = client.get("/countries/MMR/brief.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "Options by R2P pillar" in _pdf_text(pdf.content)
    data = client.get("/api/v1/countries/MMR/brief").json()
    assert data["key"] == "MMR" and data["reader_role"] == "public"


def test_other_names_redirect_and_bad_input_is_a_clear_error(client: TestClient) -> None:
    moved = client.get("/countries/Burma/brief?audience=hr", follow_redirects=False)
    assert moved.status_code in (301, 302, 307, 308)
    assert moved.headers["location"].endswith("/countries/MMR/brief?audience=hr")
    assert client.get("/api/v1/countries/MMR/brief?audience=diplomats").status_code in (400, 422)
    assert client.get("/countries/Atlantis/brief").status_code == 404


def test_no_route_shows_an_anonymous_visitor_a_marker(client: TestClient) -> None:
    for route in ROUTES:
        answer = client.get(route)
        assert answer.status_code == 200, route
        for marker in MARKERS:
            assert marker not in answer.text, (route, marker)
    pdf_text = _pdf_text(client.get("/countries/MMR/brief.pdf").content)
    assert not any(marker in pdf_text for marker in MARKERS)


def test_an_analyst_s_brief_holds_what_analysts_may_read(client: TestClient) -> None:
    log_in(client, "ana", PASSWORD)
    assert NOTE_MARKER in client.get("/api/v1/countries/MMR/brief").text
    assert NOTE_MARKER in client.get("/countries/MMR/brief.md").text
