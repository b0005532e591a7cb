"""Country briefs on the web: the list of countries to brief (situations and highest risk), a
country's brief page with an audience switch and downloads (.md, .html, .pdf), and its JSON.

Every brief is composed for the reader who asks, so an anonymous visitor's brief, download or
JSON holds public data only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from prevention_lens.briefs.brief import CountryBrief, compose_brief
from prevention_lens.briefs.render import (
    HTML_CONTENT_SECURITY_POLICY,
    brief_body_html,
    section_id,
    to_html,
    to_markdown,
)
from prevention_lens.errors import NotFoundError
from prevention_lens.lexicon.model import LANGUAGES, SCHEMES
from prevention_lens.risk.forecasts import risk_table
from prevention_lens.risk.situations import CATEGORIES, list_situations
from prevention_lens.web.deps import CurrentPrincipal, DbSession, PathCode, country_lookup_in_path
from prevention_lens.web.security import app_settings, verify_csrf
from prevention_lens.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["briefs"], dependencies=[Depends(verify_csrf)])

# How many of the highest-risk countries the briefs page lists.
TOP_RISK = 20
AudienceQuery = Annotated[
    str, Query(max_length=10, description=f"A sector's terms: {', '.join(SCHEMES)}")
]
LanguageQuery = Annotated[str, Query(max_length=5, description=", ".join(LANGUAGES))]


def requested_brief(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    key: PathCode,
    audience: AudienceQuery = "ap",
    language: LanguageQuery = "en",
) -> CountryBrief:
    """The brief a URL asks for, composed for the reader who asks (another name of the country
    redirects to its key)."""
    found = country_lookup_in_path(request, session, key)
    return compose_brief(
        session, principal, app_settings(request), found, audience=audience, language=language
    )


RequestedBrief = Annotated[CountryBrief, Depends(requested_brief)]


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _name(brief: CountryBrief, suffix: str) -> str:
    return f"brief-{brief.key}-{brief.audience}{suffix}"


@router.get("/briefs", response_class=HTMLResponse)
def briefs_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """Countries to brief: those in a situation category, and the highest statistical risks."""
    situations = list_situations(session, principal)
    try:
        table = risk_table(session, principal)
    except NotFoundError:
        table = None
    return render(
        request,
        "briefs.html",
        {
            "situations": situations,
            "risks": table.rows[:TOP_RISK] if table else (),
            "run": table.run if table else None,
            "categories": CATEGORIES,
            "audiences": SCHEMES,
        },
    )


@router.get("/countries/{key}/brief", response_class=HTMLResponse)
def brief_page(request: Request, brief: RequestedBrief) -> Response:
    body = Markup(brief_body_html(brief))  # noqa: S704  (escaped by the brief's template)
    return render(
        request,
        "briefs_country.html",
        {
            "brief": brief,
            "body": body,
            "audiences": SCHEMES,
            "languages": LANGUAGES,
            "contents": [(section_id(title), brief.heading(title)) for title in brief.sections()],
        },
    )


@router.get("/countries/{key}/brief.md")
def brief_markdown(brief: RequestedBrief) -> Response:
    return _download(
        to_markdown(brief).encode("utf-8"), "text/markdown; charset=utf-8", _name(brief, ".md")
    )


@router.get("/countries/{key}/brief.html")
def brief_document(brief: RequestedBrief) -> Response:
    response = _download(
        to_html(brief).encode("utf-8"), "text/html; charset=utf-8", _name(brief, ".html")
    )
    # The document styles itself inline: its own policy, which still runs no script at all.
    response.headers["Content-Security-Policy"] = HTML_CONTENT_SECURITY_POLICY
    return response


@router.get("/countries/{key}/brief.pdf")
def brief_pdf_download(brief: RequestedBrief) -> Response:
    from prevention_lens.briefs.pdf import brief_pdf

    return _download(brief_pdf(brief), "application/pdf", _name(brief, ".pdf"))


@api_router.get("/countries/{key}/brief")
def brief_api(brief: RequestedBrief) -> dict[str, Any]:
    """A country's brief as JSON, composed for the reader who asks, in ``audience``'s terms."""
    return brief.to_dict()
