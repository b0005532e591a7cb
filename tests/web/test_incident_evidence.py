"""Sources and evidence files through the record page and the API: uploads within the size
limit leave no temporary file, and only http(s) source links are accepted or linked."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from prevention_lens.incidents.evidence import evidence_root
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from tests.web.test_incidents import (
    _csrf,
    _ids,
    _login,
    client,
    filled,
)

__all__ = ["client", "filled"]  # shared fixtures


def test_analysts_add_sources_and_evidence_files_through_the_record_page(
    client: TestClient, filled: Store
) -> None:
    record = _ids(filled)["public"]
    _login(client, "ana")
    token = _csrf(client, f"/incidents/{record}")
    added = client.post(
        f"/incidents/{record}/sources",
        data={"csrf_token": token, "url": "https://radio.example.org/1", "publisher": "Radio"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    uploaded = client.post(
        f"/incidents/{record}/attachments",
        data={"csrf_token": token, "description": "Satellite image", "confidentiality": "public"},
        files={"file": ("before-after.png", b"\x89PNG image", "image/png")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    page = client.get(f"/incidents/{record}").text
    assert "https://radio.example.org/1" in page and "Satellite image" in page
    _login(client, "cora")
    assert "before-after.png" in client.get(f"/incidents/{record}").text
    token = _csrf(client, f"/incidents/{record}")
    refused = client.post(
        f"/incidents/{record}/attachments",
        data={"csrf_token": token},
        files={"file": ("x.txt", b"x", "text/plain")},
    )
    assert refused.status_code == 403


def test_an_upload_declared_over_the_limit_is_refused_before_it_is_read(
    client: TestClient, filled: Store, settings: Settings
) -> None:
    from prevention_lens.incidents.evidence import MAX_BYTES

    record = _ids(filled)["public"]
    _login(client, "ana")
    token = _csrf(client, f"/incidents/{record}")
    refused = client.post(
        f"/incidents/{record}/attachments",
        content=b"--x--\r\n",
        headers={
            "X-CSRF-Token": token,
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": str(MAX_BYTES * 4),
        },
    )
    assert refused.status_code == 413 and "MiB" in refused.text
    assert refused.headers["x-content-type-options"] == "nosniff"
    incoming = evidence_root(settings.home) / "incoming"
    assert not incoming.exists() or list(incoming.iterdir()) == []


def test_uploads_through_the_api_leave_no_temporary_file(
    client: TestClient, filled: Store, settings: Settings
) -> None:
    record = _ids(filled)["public"]
    _login(client, "ana")
    headers = {"X-CSRF-Token": _csrf(client, "/")}
    content = b"page " * 400_000  # 2 MB: over Starlette's in-memory spool, so on disk
    attached = client.post(
        f"/api/v1/incidents/{record}/attachments",
        files={"file": ("report.txt", content, "text/plain")},
        headers=headers,
    )
    assert attached.status_code == 201 and attached.json()["size_bytes"] == len(content)
    assert list((evidence_root(settings.home) / "incoming").iterdir()) == []


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", " data:text/html,<script>x</script>"]
)
def test_a_source_link_that_is_not_http_is_refused_by_form_and_api(
    client: TestClient, filled: Store, url: str
) -> None:
    record = _ids(filled)["public"]
    _login(client, "ana")
    token = _csrf(client, f"/incidents/{record}")
    form = client.post(
        f"/incidents/{record}/sources",
        data={"csrf_token": token, "url": url, "publisher": "Radio"},
        follow_redirects=False,
    )
    assert form.status_code == 422 and "http" in form.text
    api = client.post(
        f"/api/v1/incidents/{record}/sources",
        json={"url": url, "publisher": "Radio"},
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 422 and "http" in api.json()["error"]
    assert "javascript:" not in client.get(f"/incidents/{record}").text.lower()


def test_the_record_page_links_only_http_sources(
    client: TestClient, filled: Store, settings: Settings
) -> None:
    """A link stored before the check (or behind the app's back) is shown, never linked."""
    from prevention_lens.store.models import IncidentSource

    record = _ids(filled)["public"]
    with filled.session() as session:
        for url in ("javascript:alert(1)", "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3"):
            session.add(
                IncidentSource(
                    incident_id=record,
                    url=url,
                    publisher="Old",
                    own_confidentiality=0,
                    added_by="x",
                )
            )
    page = client.get(f"/incidents/{record}").text
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert not [href for href in hrefs if not href.startswith(("/", "http://", "https://", "#"))]
    assert "javascript:alert(1)" in page  # shown as text
