"""Actor exports: GraphML that XML readers parse with the right nodes and edges, JSON marked
when it is example data, and contacts only on request and only for analysts."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from prevention_lens.actors.example import EXAMPLE_NOTICE, generate_example, load_example
from prevention_lens.actors.exports import GRAPHML_NS, export_actors
from prevention_lens.errors import PermissionDeniedError, ValidationError
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR

G = f"{{{GRAPHML_NS}}}"


@pytest.fixture
def example_store(sqlite_store: Store) -> Store:
    with sqlite_store.session() as session:
        load_example(session, LOCAL_OPERATOR)
    return sqlite_store


def test_graphml_has_a_node_per_actor_and_an_edge_per_relationship(example_store: Store) -> None:
    mapping = generate_example()
    with example_store.session() as session:
        result = export_actors(session, ANONYMOUS, "graphml", "example")
    root = ET.fromstring(result.content)  # noqa: S314  (our own output, in a test)
    graph = root.find(f"{G}graph")
    assert graph is not None and graph.findtext(f"{G}desc") == EXAMPLE_NOTICE
    assert len(graph.findall(f"{G}node")) == len(mapping.actors)
    assert len(graph.findall(f"{G}edge")) == len(mapping.relationships)
    keys = {(key.get("for"), key.get("attr.name")) for key in root.findall(f"{G}key")}
    assert {
        ("node", "name"),
        ("node", "is_example"),
        ("edge", "kind"),
        ("edge", "strength"),
    } <= keys
    declared = {key.get("id") for key in root.findall(f"{G}key")}
    used = {data.get("key") for data in root.iter(f"{G}data")}
    assert used <= declared
    assert "@example.org" not in result.content


def test_contacts_leave_only_when_asked_and_only_for_analysts(example_store: Store) -> None:
    with example_store.session() as session:
        plain = export_actors(session, LOCAL_OPERATOR, "csv", "example")
        assert "@example.org" not in plain.content
        with_contacts = export_actors(session, LOCAL_OPERATOR, "csv", "example", contacts=True)
        rows = list(csv.DictReader(io.StringIO(with_contacts.content)))
        assert any("@example.org" in row["contacts"] for row in rows)
        with pytest.raises(PermissionDeniedError):
            export_actors(session, ANONYMOUS, "json", "example", contacts=True)
        anonymous = export_actors(session, ANONYMOUS, "json", "example")
    assert "@example.org" not in anonymous.content
    payload = json.loads(anonymous.content)
    assert payload["example"] is True and payload["notice"] == EXAMPLE_NOTICE


def test_real_exports_hold_no_example_records(example_store: Store) -> None:
    with example_store.session() as session:
        result = export_actors(session, LOCAL_OPERATOR, "json", "real")
        with pytest.raises(ValidationError):
            export_actors(session, LOCAL_OPERATOR, "pdf", "real")
    payload = json.loads(result.content)
    assert payload["actors"] == [] and payload["relationships"] == []
    assert "notice" not in payload


def test_filters_narrow_the_export_to_matching_actors_and_their_ties(
    example_store: Store,
) -> None:
    from prevention_lens.actors.records import ActorFilter

    with example_store.session() as session:
        everything = json.loads(export_actors(session, ANONYMOUS, "json", "example").content)
        local = json.loads(
            export_actors(
                session, ANONYMOUS, "json", "example", filters=ActorFilter(level="grassroots")
            ).content
        )
    assert 0 < len(local["actors"]) < len(everything["actors"])
    assert all("grassroots" in actor["levels"] for actor in local["actors"])
    kept = {actor["id"] for actor in local["actors"]}
    assert all(r["source_id"] in kept and r["target_id"] in kept for r in local["relationships"])


def test_csv_cells_that_start_a_formula_are_quoted(sqlite_store: Store) -> None:
    from prevention_lens.actors.records import actor_draft_from_mapping, create_actor

    with sqlite_store.session() as session:
        draft = actor_draft_from_mapping(
            {
                "name": '=HYPERLINK("https://evil.example","Network")',
                "kind": "civil_society",
                "levels": "local",
                "countries": "MMR",
                "description": "+cmd|' /C calc'!A0",
            }
        )
        create_actor(session, LOCAL_OPERATOR, draft)
        result = export_actors(session, LOCAL_OPERATOR, "csv", "real")
    (row,) = csv.DictReader(io.StringIO(result.content))
    assert row["name"].startswith("'=HYPERLINK") and row["description"].startswith("'+cmd")
