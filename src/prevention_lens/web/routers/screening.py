"""Policy screening on the web: the ``/screening`` form (country, sector, text) and its result with
the factors touched, reasons, confidence, questions and downloads; and ``POST
/api/v1/screening``. Screening reads only public reference data and stores nothing, so anyone
may use it; the form still carries a CSRF token like every form here.

A download posts the same fields again with ``format`` (md, html, pdf or json): nothing is kept
on the server between the result and its download.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import FormData

from prevention_lens.briefs.screening import MAX_TEXT_CHARS, Screening, screen
from prevention_lens.briefs.screening_render import screening_html, screening_markdown
from prevention_lens.errors import LensError, ValidationError
from prevention_lens.lexicon.model import SCHEMES
from prevention_lens.web.deps import DbSession
from prevention_lens.web.security import verify_csrf
from prevention_lens.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
# Like reframing, screening stores nothing and reads only public data: a cross-site request
# gains nothing from a reader's cookie, so the API route needs no CSRF token.
api_router = APIRouter(prefix="/api/v1", tags=["briefs"])

FIELDS = ("country", "sector", "text")
COUNTRY_MAX_CHARS = 120
DOWNLOADS = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
    "json": ("application/json", "json"),
}


class ScreeningRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: Annotated[str, Field(min_length=1, max_length=COUNTRY_MAX_CHARS)]
    sector: Annotated[str, Field(max_length=8, description="A lexicon scheme code: dev")] = "ap"
    text: Annotated[str, Field(max_length=MAX_TEXT_CHARS)]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _page(
    request: Request,
    values: dict[str, str],
    *,
    result: Screening | None = None,
    error: LensError | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "screening.html",
        {
            "values": values,
            "result": result,
            "sectors": SCHEMES,
            "max_chars": MAX_TEXT_CHARS,
            "formats": tuple(DOWNLOADS),
            "error": str(error) if error else None,
        },
        status_code=status_code,
    )


@router.get("/screening", response_class=HTMLResponse)
def screening_form(request: Request) -> Response:
    return _page(request, {"country": "", "sector": "dev", "text": ""})


@router.post("/screening", response_class=HTMLResponse)
async def screening_submit(request: Request, session: DbSession) -> Response:
    """Screens the text; with ``format``, answers the result as a file to download."""
    form = await request.form()
    values = {name: _text(form, name) for name in FIELDS}
    fmt = _text(form, "format")
    try:
        if fmt and fmt not in DOWNLOADS:
            raise ValidationError(
                f"unknown format {fmt!r}; choose from {', '.join(DOWNLOADS)}", field="format"
            )
        if len(values["country"]) > COUNTRY_MAX_CHARS:
            raise ValidationError("the country name is too long", field="country")
        result = screen(session, values["country"], values["sector"], values["text"])
    except LensError as error:
        return _page(request, values, error=error, status_code=error.http_status)
    if fmt:
        return download(result, fmt)
    return _page(request, values, result=result)


def download(result: Screening, fmt: str) -> Response:
    """The screening as a file: Markdown, HTML, PDF or JSON."""
    import json

    media_type, suffix = DOWNLOADS[fmt]
    body: bytes | str
    if fmt == "md":
        body = screening_markdown(result)
    elif fmt == "html":
        body = screening_html(result)
    elif fmt == "json":
        body = json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
    else:
        from prevention_lens.briefs.screening_pdf import screening_pdf

        body = screening_pdf(result)
    name = f"screening-{result.country_key.lower()}.{suffix}"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@api_router.post("/screening")
def screening_api(body: ScreeningRequest, session: DbSession) -> dict[str, Any]:
    """Screen a text for a country and a reader's sector: the risk factors touched with their
    direction, similarity, closest indicators and reasons; the confidence and why; the
    questions for the table; the caveat. Stores nothing; anyone may call it."""
    found: dict[str, Any] = screen(session, body.country, body.sector, body.text).to_dict()
    return found
