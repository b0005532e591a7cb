"""Bounds at the edge: every integer and string a route reads is declared with a limit, and a
request past it is a 422 that names the parameter, on the API and on the pages alike."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from datetime import date

import annotated_types
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.web.app import ROUTERS, create_app
from prevention_lens.web.deps import MAX_ID, SEARCH_MAX_CHARS

HUGE = "99999999999999999999"


@pytest.fixture
def client(settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    app = create_app(settings, sqlite_store)
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _unbounded(annotation: object, info: FieldInfo | None, where: str) -> list[str]:
    """Where a declared type lacks its bound: int without a maximum, str or list without a
    maximum length; models are walked field by field."""
    metadata = list(info.metadata) if info is not None else []
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        metadata += [item for part in extra for item in getattr(part, "metadata", [part])]
        annotation, origin = inner, typing.get_origin(inner)
    if origin in (typing.Union, types.UnionType):
        found = []
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                found += _unbounded(arg, info, where)
        return found
    has_max = any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in metadata)
    has_len = any(isinstance(m, annotated_types.MaxLen) for m in metadata)
    if annotation is bool or annotation is float or annotation is date:
        return []
    if annotation is int:
        return [] if has_max else [f"{where}: int without a maximum"]
    if annotation is str:
        return [] if has_len else [f"{where}: str without max_length"]
    if origin in (list, tuple):
        found = [] if has_len else [f"{where}: list without max_length"]
        for arg in typing.get_args(annotation):
            if arg is not Ellipsis:
                found += _unbounded(arg, None, f"{where}[]")
        return found
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found = []
        for name, field in annotation.model_fields.items():
            found += _unbounded(field.annotation, field, f"{where}.{name}")
        return found
    return []  # Literal, UploadFile, date: bounded by their type


def test_every_parameter_of_every_route_is_bounded() -> None:
    unbounded = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for dependant in _dependants(route.dependant):
                for kind in ("path_params", "query_params", "body_params"):
                    for param in getattr(dependant, kind):
                        where = f"{sorted(route.methods)} {route.path} {param.name}"
                        unbounded += _unbounded(
                            param.field_info.annotation, param.field_info, where
                        )
    assert unbounded == []


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/incidents?offset={HUGE}",
        f"/api/v1/incidents?offset={MAX_ID + 1}",
        f"/api/v1/incidents/{HUGE}",
        f"/api/v1/actors/{HUGE}",
        f"/api/v1/risk/backtests/{HUGE}",
        f"/incidents/{HUGE}",
        f"/incidents/{HUGE}/attachments/1",
        f"/actors/{HUGE}",
        f"/risk/backtest?number={HUGE}",
    ],
)
def test_huge_integers_are_a_clear_422(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 422, response.text
    assert "less than or equal to 2147483647" in response.text
    assert "Invalid request" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/incidents?text=",
        "/incidents?text=",
        "/api/v1/actors?text=",
        "/actors?text=",
        "/incidents/export.csv?text=",
        "/countries?q=",
    ],
)
def test_long_search_text_is_a_clear_422(client: TestClient, path: str) -> None:
    response = client.get(path + "a" * 60_000)
    assert response.status_code == 422, response.text
    assert f"at most {SEARCH_MAX_CHARS} characters" in response.text


def test_search_text_at_the_limit_is_searched(client: TestClient) -> None:
    response = client.get("/api/v1/incidents", params={"text": "%_" * (SEARCH_MAX_CHARS // 2)})
    assert response.status_code == 200 and response.json()["total"] == 0


@pytest.mark.parametrize(
    "path",
    ["/api/v1/countries/" + "X" * 5000, "/risk/" + "X" * 5000, "/evidence/" + "x" * 5000],
)
def test_long_path_values_are_a_clear_422(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 422 and "at most" in response.text
