"""Rate limits for the public forms, on both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from prevention_lens.errors import TooManyRequestsError
from prevention_lens.store import Store
from prevention_lens.store.models import RateLimitHit
from prevention_lens.store.models.base import utcnow
from prevention_lens.store.rate_limits import RateLimit, check, client_key, record

RULE = RateLimit(bucket="report", limit=2, window=timedelta(hours=1))


def test_the_limit_counts_each_client_apart_and_says_when_to_return(store: Store) -> None:
    mine, theirs = client_key(b"k", "report", "10.0.0.1"), client_key(b"k", "report", "10.0.0.2")
    with store.session() as session:
        for _ in range(2):
            check(session, RULE, mine)
            record(session, RULE, mine)
        check(session, RULE, theirs)
        with pytest.raises(TooManyRequestsError, match="at most 2 in 60 minutes") as refused:
            check(session, RULE, mine)
    assert 3500 <= refused.value.retry_after <= 3600


def test_uses_older_than_the_window_are_forgotten(store: Store) -> None:
    client = client_key(b"k", "report", "10.0.0.1")
    with store.session() as session:
        for _ in range(2):
            session.add(
                RateLimitHit(bucket="report", client=client, at=utcnow() - timedelta(hours=2))
            )
        session.flush()
        check(session, RULE, client)
        record(session, RULE, client)
        session.flush()
        assert session.query(RateLimitHit).count() == 1


def test_keys_store_no_address_and_differ_per_bucket() -> None:
    key = client_key(b"secret", "report", "203.0.113.9")
    assert "203.0.113.9" not in key and len(key) == 64
    assert key != client_key(b"secret", "actor-intake", "203.0.113.9")
    assert key != client_key(b"other", "report", "203.0.113.9")


@pytest.mark.parametrize(("limit", "window"), [(0, timedelta(hours=1)), (1, timedelta(0))])
def test_a_rule_that_allows_nothing_is_refused(limit: int, window: timedelta) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        RateLimit("report", limit, window)
