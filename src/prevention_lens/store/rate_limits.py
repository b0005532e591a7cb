"""Rate limits for the public forms (incident reports, actor intake): recent uses per client,
kept in the store so that several workers share them, under a key that stores no address.

Public API::

    RateLimit(bucket, limit, window)
    client_key(secret, bucket, address) -> str
    check(session, rule, client) -> None        raises TooManyRequestsError when used up
    record(session, rule, client) -> None       one more use, forgetting expired ones
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from prevention_lens.errors import TooManyRequestsError
from prevention_lens.store.models import RateLimitHit
from prevention_lens.store.models.base import utcnow


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` uses of ``bucket`` per client within ``window``."""

    bucket: str
    limit: int
    window: timedelta
    what: str = "submissions"

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"a rate limit allows at least one use, got {self.limit}")
        if self.window <= timedelta(0):
            raise ValueError(f"a rate limit's window must be positive, got {self.window}")


def client_key(secret: bytes, bucket: str, address: str) -> str:
    """HMAC of the client's address under the app's key: counts clients, stores no address."""
    return hmac.new(secret, f"{bucket}|{address}".encode(), hashlib.sha256).hexdigest()


def check(session: Session, rule: RateLimit, client: str) -> None:
    """Raise TooManyRequestsError, saying when to come back, once the client has used the
    bucket ``limit`` times within the window."""
    since = utcnow() - rule.window
    used, oldest = session.execute(
        select(func.count(), func.min(RateLimitHit.at)).where(
            RateLimitHit.bucket == rule.bucket,
            RateLimitHit.client == client,
            RateLimitHit.at >= since,
        )
    ).one()
    if int(used or 0) < rule.limit:
        return
    wait = (oldest + rule.window - utcnow()).total_seconds() if oldest is not None else 60
    minutes = max(1, round(rule.window.total_seconds() / 60))
    raise TooManyRequestsError(
        f"Too many {rule.what} from your connection: at most {rule.limit} in {minutes} minutes. "
        "Please try again later.",
        retry_after=max(1.0, wait),
    )


def record(session: Session, rule: RateLimit, client: str) -> None:
    """Count one use, and forget the bucket's uses older than its window."""
    session.execute(
        delete(RateLimitHit).where(
            RateLimitHit.bucket == rule.bucket, RateLimitHit.at < utcnow() - rule.window
        )
    )
    session.add(RateLimitHit(bucket=rule.bucket, client=client))
