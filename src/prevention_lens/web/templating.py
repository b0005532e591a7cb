"""Jinja2 templates; navigation, the principal and the CSRF token reach every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from prevention_lens import __version__
from prevention_lens.store.access import ANONYMOUS, Role
from prevention_lens.web.security import csrf_token_for

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def web_link(url: object) -> str | None:
    """The address as a link a page may render: http and https only. Anything else (a
    ``javascript:`` link stored before sources were checked, an ipfs:// address the browser
    cannot open) is shown as text by the template, never as ``href``."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        return None
    parts = urlsplit(text)
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else None


TEMPLATES.env.filters["web_link"] = web_link

# (path, label, minimum role): the sections of the product, in the order users meet them.
NAVIGATION = (
    ("/risk", "Risk", Role.PUBLIC),
    ("/incidents", "Incidents", Role.PUBLIC),
    ("/signals", "Signals", Role.PUBLIC),
    ("/speech", "Speech", Role.PUBLIC),
    ("/actors", "Actors", Role.PUBLIC),
    ("/evidence", "Evidence", Role.PUBLIC),
    ("/lexicon", "Lexicon", Role.PUBLIC),
    ("/briefs", "Briefs", Role.PUBLIC),
    ("/countries", "Countries", Role.PUBLIC),
    ("/data", "Data", Role.ANALYST),
    ("/admin/users", "Users", Role.ADMIN),
)


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    principal = getattr(request.state, "principal", None) or ANONYMOUS
    full = {
        "principal": principal,
        "navigation": [item for item in NAVIGATION if principal.role >= item[2]],
        "csrf_token": csrf_token_for(request),
        "version": __version__,
        "path": request.url.path,
        **context,
    }
    return TEMPLATES.TemplateResponse(request, template, full, status_code=status_code)
