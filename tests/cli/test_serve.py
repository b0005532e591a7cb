"""`lens serve`: the uvicorn it starts believes X-Forwarded-For only from configured proxies."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from prevention_lens.cli import serve
from prevention_lens.lexicon.content import shipped_lexicon
from prevention_lens.settings import load_settings
from prevention_lens.whatworks.packaged import packaged_drafts
from tests.cli.conftest import Lens


def _client_seen(options: dict[str, Any], peer: str, forwarded_for: str) -> str:
    """The client address the app sees behind the middleware uvicorn builds from ``options``."""
    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["client"][0])

    config = uvicorn.Config(app, **{k: v for k, v in options.items() if k != "factory"})
    config.load()
    scope = {
        "type": "http",
        "client": (peer, 50000),
        "headers": [(b"x-forwarded-for", forwarded_for.encode())],
        "scheme": "http",
    }
    asyncio.run(config.loaded_app(scope, None, None))
    return seen[0]


def test_by_default_nobody_can_pick_their_address_with_x_forwarded_for(tmp_path: Path) -> None:
    options = serve.uvicorn_options(load_settings(home=tmp_path))
    # Even a client on the same machine (where a naive default trusts the proxy) is itself.
    assert _client_seen(options, "127.0.0.1", "203.0.113.9") == "127.0.0.1"
    assert _client_seen(options, "198.51.100.7", "203.0.113.9") == "198.51.100.7"


@pytest.mark.parametrize("through", ["setting", "option"])
def test_a_configured_proxy_forwards_its_clients_address(tmp_path: Path, through: str) -> None:
    if through == "setting":
        settings = load_settings(home=tmp_path, forwarded_allow_ips="10.0.0.2")
        options = serve.uvicorn_options(settings)
    else:
        options = serve.uvicorn_options(
            load_settings(home=tmp_path), forwarded_allow_ips="10.0.0.2"
        )
    assert _client_seen(options, "10.0.0.2", "203.0.113.9") == "203.0.113.9"
    # Anyone else's header is still ignored.
    assert _client_seen(options, "198.51.100.7", "203.0.113.9") == "198.51.100.7"


def test_serve_loads_the_shipped_library_and_lexicon_into_a_new_store(
    lens: Lens, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: started.append(target))
    assert lens("serve").code == 0
    assert started == ["prevention_lens.web.app:create_app"]
    status = lens("db", "status", "--json").json()
    assert isinstance(status, dict)
    assert status["library_entries"] == len(packaged_drafts())
    assert status["lexicon_concepts"] == len(shipped_lexicon().concepts)
