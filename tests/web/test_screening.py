"""Policy screening on the web: the form (CSRF-checked, open to anonymous readers, storing
nothing), its result with factors, reasons, confidence and questions, the downloads, and
``POST /api/v1/screening``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.models import AuditEntry
from prevention_lens.web import app as app_module
from prevention_lens.web.app import create_app
from prevention_lens.web.routers import screening
from tests.briefs.test_screening import DECREE, framework_store
from tests.conftest import sources_folder
from tests.web.forms import csrf_token


def with_screening(app: FastAPI) -> FastAPI:
    """The app with the screening routes ahead of the catch-all section page, whether or not
    app.py lists them yet."""
    if screening.router not in app_module.ROUTERS:
        for router in (screening.api_router, screening.router):
            app.router.routes[0:0] = router.routes
    return app


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = framework_store(sources_folder(), settings.home)
    yield opened
    opened.dispose()


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    app = with_screening(create_app(settings, store))
    with TestClient(app, base_url="https://testserver") as test:
        yield test


def fields(client: TestClient, **extra: str) -> dict[str, str]:
    return {
        "country": "Burma",
        "sector": "dev",
        "text": DECREE,
        "csrf_token": csrf_token(client, "/screening"),
        **extra,
    }


def test_anyone_screens_a_text_and_sees_factors_reasons_and_questions(
    client: TestClient, store: Store
) -> None:
    with store.session() as session:
        audited = session.scalar(select(func.count(AuditEntry.id)))
    form = client.get("/screening")
    assert form.status_code == 200 and 'name="text"' in form.text
    page = client.post("/screening", data=fields(client))
    assert page.status_code == 200
    text = unescape(page.text)
    factors = re.findall(
        r'class="screened-factor" data-factor="(\d+)" data-direction="([^"]+)"', text
    )
    assert ("7", "may aggravate") in factors and ("9", "may aggravate") in factors
    assert "Cue words near it that may aggravate" in text
    assert re.search(r'data-confidence="(low|medium|high)"', text)
    assert (
        "Questions for the table" in text and "Have the affected communities been consulted" in text
    )
    assert "decides nothing" in text
    with store.session() as session:  # it stores nothing
        assert session.scalar(select(func.count(AuditEntry.id))) == audited


def test_the_form_needs_its_csrf_token_and_keeps_the_text_on_an_error(client: TestClient) -> None:
    refused = client.post("/screening", data={"country": "Burma", "sector": "dev", "text": DECREE})
    assert refused.status_code == 403
    bad = client.post("/screening", data=fields(client, sector="martians"))
    assert bad.status_code == 422 and "unknown sector" in unescape(bad.text)
    assert "A volunteer militia will be raised" in bad.text
    unknown = client.post("/screening", data=fields(client, country="Atlantis"))
    assert unknown.status_code == 404 and "Atlantis" in unescape(unknown.text)
    empty = client.post("/screening", data=fields(client, text="  "))
    assert empty.status_code == 422 and "empty" in empty.text


@pytest.mark.parametrize(
    ("fmt", "media_type", "start"),
    [
        ("md", "text/markdown", b"# Policy screening"),
        ("html", "text/html", b"<!doctype html>"),
        ("pdf", "application/pdf", b"%PDF"),
        ("json", "application/json", b"{"),
    ],
)
def test_each_download_is_a_file(
    client: TestClient, fmt: str, media_type: str, start: bytes
) -> None:
    got = client.post("/screening", data=fields(client, format=fmt))
    assert got.status_code == 200 and got.headers["content-type"].startswith(media_type)
    assert f'filename="screening-mmr.{fmt}"' in got.headers["content-disposition"]
    assert got.content.startswith(start)


def test_the_api_screens_without_a_token_and_checks_its_body(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/screening", json={"country": "Myanmar", "sector": "sec", "text": DECREE}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["country_key"] == "MMR" and body["sector"] == "sec"
    assert {"7", "9"} <= {factor["code"] for factor in body["factors"]}
    assert body["confidence"] in ("low", "medium", "high") and body["questions"]
    too_long = client.post("/api/v1/screening", json={"country": "Myanmar", "text": "word " * 5000})
    assert too_long.status_code == 422
    bad = client.post(
        "/api/v1/screening", json={"country": "Myanmar", "sector": "x", "text": DECREE}
    )
    assert bad.status_code == 422 and "unknown sector" in bad.json()["error"]
    extra = client.post(
        "/api/v1/screening", json={"country": "Myanmar", "text": DECREE, "store": True}
    )
    assert extra.status_code == 422
