"""FastAPI dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from prevention_lens.store.access import Principal
from prevention_lens.web.security import db_session, resolve_principal

# scope="function": the unit of work commits before the response leaves, so a browser that
# follows a redirect at once (e.g. after login) already sees what the request wrote.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def current_principal(request: Request, session: DbSession) -> Principal:
    return resolve_principal(request, session)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
