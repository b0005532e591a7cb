"""Property-based: requests that schemathesis generates from /api/v1/openapi.json, run against
the app in-process, never get a 5xx answer, anonymously or with an admin's API token.

Example counts stay modest and generation is derandomised, so the test is fast and repeatable;
CI runs the same examples every time.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from prevention_lens.accounts import tokens, users
from prevention_lens.incidents.drafts import draft_from_mapping
from prevention_lens.incidents.records import create_incident
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR, Role
from prevention_lens.web.app import create_app

EXAMPLES_PER_OPERATION = 12
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def fuzzed(settings: Settings, sqlite_store: Store) -> tuple[FastAPI, str]:
    """The app over a store with an admin, a token of theirs and one record of each level."""
    with sqlite_store.session() as session:
        users.add_user(session, LOCAL_OPERATOR, "admin", "correct horse battery", Role.ADMIN)
        token = tokens.create_api_token(session, LOCAL_OPERATOR, "admin", "fuzz")
        for level in ("public", "restricted"):
            values = {
                "category": "one_sided_violence",
                "date_start": "2020-01-01",
                "country": "MMR",
                "confidentiality": level,
            }
            create_incident(session, LOCAL_OPERATOR, draft_from_mapping(values))
    return create_app(settings, sqlite_store), token


def _operations(app: FastAPI) -> list[Any]:
    loaded = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    return [result.ok() for result in loaded.get_all_operations()]


def _fuzz(app: FastAPI, headers: dict[str, str]) -> list[str]:
    """Run every operation's generated examples; the operations that answered 5xx."""
    failed = []
    operations = _operations(app)
    assert len(operations) >= 30  # the whole API, not an empty schema
    for operation in operations:

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        try:
            run()
        except AssertionError as failure:  # schemathesis's CheckFailed is one
            failed.append(f"{operation.method.upper()} {operation.path}: {failure}")
    return failed


def test_anonymous_requests_never_get_a_server_error(fuzzed: tuple[FastAPI, str]) -> None:
    app, _ = fuzzed
    assert _fuzz(app, {}) == []


def test_admin_requests_never_get_a_server_error(fuzzed: tuple[FastAPI, str]) -> None:
    app, token = fuzzed
    assert _fuzz(app, {"Authorization": f"Bearer {token}"}) == []
