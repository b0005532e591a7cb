"""FastAPI dependencies shared by the routers, and the bounds every parameter is declared with.

Every integer and string a request names is bounded where FastAPI reads it, so a huge id, a
huge offset or a 50,000-character search is a 422 naming the parameter, never an overflow in
the database driver (docs/web.md, "Defences").
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, unquote

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session

from prevention_lens.store.access import Principal
from prevention_lens.store.models import Country
from prevention_lens.store.reference import CountryLookup, find_country, look_up_country
from prevention_lens.web.security import db_session, resolve_principal

# Record ids and offsets are 32-bit integers in the store (PostgreSQL's INTEGER).
MAX_ID = 2**31 - 1
# A code, key, name, date or other short value in a URL or query string.
CODE_MAX_CHARS = 200
# A password typed or sent; long enough for any passphrase, short enough to hash at once.
PASSWORD_MAX_CHARS = 1_000
# Words searched for; SQLite refuses LIKE patterns over 50,000 bytes.
SEARCH_MAX_CHARS = 500

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="A record's id")]
PathCode = Annotated[str, Path(max_length=CODE_MAX_CHARS)]
ExportFormat = Annotated[str, Path(max_length=20, description="csv, json, ...")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Records to skip")]
SearchText = Annotated[str, Query(max_length=SEARCH_MAX_CHARS, description="Words to look for")]


def code_query(description: str) -> Any:
    """A short query value (a code, key, name or date) with its description and bound."""
    return Query(max_length=CODE_MAX_CHARS, description=description)


# scope="function": the unit of work commits before the response leaves, so a browser that
# follows a redirect at once (e.g. after login) already sees what the request wrote.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def current_principal(request: Request, session: DbSession) -> Principal:
    return resolve_principal(request, session)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


class CountryMoved(Exception):
    """A URL named a country by another name or code; ``location`` is its canonical URL."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def country_in_path(request: Request, session: Session, query: str) -> Country:
    """The country a URL segment names. Any name or code the resolver accepts works, and a URL
    that does not use the country's key is redirected to the one that does (``/risk/Burma`` →
    ``/risk/MMR``), so every page of a country has one address. Unknown names are a 404 with
    suggestions (UnknownCountryError)."""
    country = find_country(session, query)
    if query != country.key:
        _redirect_to_key(request, query, country.key)
    return country


def country_lookup_in_path(request: Request, session: Session, query: str) -> CountryLookup:
    """As ``country_in_path``, with the whole lookup (row, reference record, neighbouring
    states) for pages that pass it down, so that a view looks its country up once."""
    found = look_up_country(session, query)
    if query != found.country.key:
        _redirect_to_key(request, query, found.country.key)
    return found


def _redirect_to_key(request: Request, query: str, key: str) -> None:
    segments = request.url.path.split("/")
    for index, segment in enumerate(segments):
        if unquote(segment) == query:
            segments[index] = quote(key)
            break
    location = "/".join(segments)
    if request.url.query:
        location += "?" + request.url.query
    raise CountryMoved(location)
