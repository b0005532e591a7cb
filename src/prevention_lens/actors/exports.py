"""Exporting an actor mapping as CSV (actors), JSON (actors and relationships) or GraphML (a
network Gephi, yEd and networkx read), always through the access policy.

Contacts are left out unless asked for, and only analysts and admins may ask.

Public API::

    EXPORT_FORMATS, ActorExport, export_actors(session, principal, fmt, dataset="real",
                                                *, contacts=False) -> ActorExport
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.actors.example import EXAMPLE_NOTICE
from prevention_lens.actors.records import ActorFilter, list_actors, list_relationships
from prevention_lens.csvsafe import csv_safe_row
from prevention_lens.errors import PermissionDeniedError, ValidationError
from prevention_lens.store.access import Principal, allowed, audit, project
from prevention_lens.store.models import ActorContact

EXPORT_FORMATS = ("csv", "json", "graphml")
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
ACTOR_FIELDS = (
    "id",
    "dataset",
    "name",
    "kind",
    "entity",
    "levels",
    "sectors",
    "activities",
    "r2p_pillars",
    "stages",
    "languages",
    "hq_country_key",
    "country_keys",
    "description",
    "contribution",
    "website",
    "status",
)
# GraphML node and edge attributes: name -> GraphML type.
NODE_KEYS = {
    "name": "string",
    "kind": "string",
    "entity": "string",
    "levels": "string",
    "sectors": "string",
    "activities": "string",
    "stages": "string",
    "r2p_pillars": "string",
    "country_keys": "string",
    "hq_country_key": "string",
    "status": "string",
    "dataset": "string",
    "is_example": "boolean",
}
EDGE_KEYS = {
    "kind": "string",
    "directed": "boolean",
    "strength": "int",
    "start_date": "string",
    "end_date": "string",
    "evidence": "string",
    "status": "string",
}
_MEDIA_TYPES = {"csv": "text/csv", "json": "application/json", "graphml": "application/xml"}


@dataclass(frozen=True)
class ActorExport:
    content: str
    count: int
    relationships: int
    media_type: str
    filename: str


def _flat(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return str(value)


def _contacts(
    session: Session, principal: Principal, actor_ids: Sequence[int]
) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    statement = select(ActorContact).where(ActorContact.actor_id.in_(list(actor_ids)))
    for contact in session.scalars(statement.order_by(ActorContact.id)):
        shown = project(principal, "actor_contact", contact)
        if shown is not None:
            found.setdefault(contact.actor_id, []).append(shown)
    return found


def _contact_text(contacts: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for contact in contacts:
        bits = [
            contact.get("name"),
            contact.get("role"),
            contact.get("email"),
            contact.get("phone"),
        ]
        parts.append(", ".join(str(bit) for bit in bits if bit))
    return " | ".join(parts)


def _csv(actors: Sequence[Mapping[str, Any]], with_contacts: bool) -> str:
    buffer = io.StringIO()
    columns = [*ACTOR_FIELDS, *(["contacts"] if with_contacts else [])]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_safe_row(columns))
    for actor in actors:
        row = [_flat(actor.get(name)) for name in ACTOR_FIELDS]
        if with_contacts:
            row.append(_contact_text(actor.get("contacts", [])))
        writer.writerow(csv_safe_row(row))
    return buffer.getvalue()


def _graphml(
    actors: Sequence[Mapping[str, Any]], relations: Sequence[Mapping[str, Any]], dataset: str
) -> str:
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    for scope, keys in (("node", NODE_KEYS), ("edge", EDGE_KEYS)):
        for name, kind in keys.items():
            ET.SubElement(
                root,
                f"{{{GRAPHML_NS}}}key",
                {"id": f"{scope[0]}_{name}", "for": scope, "attr.name": name, "attr.type": kind},
            )
    graph = ET.SubElement(
        root, f"{{{GRAPHML_NS}}}graph", {"id": f"actors-{dataset}", "edgedefault": "directed"}
    )
    if dataset == "example":
        desc = ET.SubElement(graph, f"{{{GRAPHML_NS}}}desc")
        desc.text = EXAMPLE_NOTICE
    shown = set()
    for actor in actors:
        node = ET.SubElement(graph, f"{{{GRAPHML_NS}}}node", {"id": f"a{actor['id']}"})
        shown.add(actor["id"])
        for name in NODE_KEYS:
            value = actor.get(name)
            if name == "is_example":
                value = actor.get("dataset") == "example"
            data = ET.SubElement(node, f"{{{GRAPHML_NS}}}data", {"key": f"n_{name}"})
            data.text = _flat(value)
    for relation in relations:
        if relation["source_id"] not in shown or relation["target_id"] not in shown:
            continue
        edge = ET.SubElement(
            graph,
            f"{{{GRAPHML_NS}}}edge",
            {
                "id": f"r{relation['id']}",
                "source": f"a{relation['source_id']}",
                "target": f"a{relation['target_id']}",
            },
        )
        for name in EDGE_KEYS:
            data = ET.SubElement(edge, f"{{{GRAPHML_NS}}}data", {"key": f"e_{name}"})
            data.text = _flat(relation.get(name))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def export_actors(
    session: Session,
    principal: Principal,
    fmt: str,
    dataset: str = "real",
    *,
    contacts: bool = False,
    logged_as: Principal | None = None,
    filters: ActorFilter | None = None,
) -> ActorExport:
    """The actors (and, for JSON and GraphML, relationships) the principal may see; with
    ``filters``, only the matching actors and the relationships among them."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(
            f"unknown export format {fmt!r}; choose {', '.join(EXPORT_FORMATS)}", field="format"
        )
    if contacts and not allowed(principal, "read", "actor_contact"):
        raise PermissionDeniedError("Only analysts and admins may export contacts.")
    chosen = replace(filters, dataset=dataset) if filters else ActorFilter(dataset=dataset)
    actors = [actor.to_dict() for actor in list_actors(session, principal, chosen)]
    relations = [] if fmt == "csv" else list_relationships(session, principal, dataset)
    if filters is not None:
        kept = {int(actor["id"]) for actor in actors}
        relations = [r for r in relations if r["source_id"] in kept and r["target_id"] in kept]
    if contacts:
        found = _contacts(session, principal, [int(actor["id"]) for actor in actors])
        for actor in actors:
            actor["contacts"] = found.get(int(actor["id"]), [])
    if fmt == "csv":
        content = _csv(actors, contacts)
    elif fmt == "json":
        payload: dict[str, Any] = {"dataset": dataset, "example": dataset == "example"}
        if dataset == "example":
            payload["notice"] = EXAMPLE_NOTICE
        payload |= {"actors": actors, "relationships": relations}
        content = json.dumps(payload, default=str, ensure_ascii=False, indent=2) + "\n"
    else:
        content = _graphml(actors, relations, dataset)
    audit(
        session,
        logged_as or principal,
        "export",
        "actor",
        None,
        format=fmt,
        dataset=dataset,
        count=len(actors),
        contacts=contacts,
    )
    suffix = "-example" if dataset == "example" else ""
    return ActorExport(
        content=content,
        count=len(actors),
        relationships=len(relations),
        media_type=_MEDIA_TYPES[fmt],
        filename=f"actors{suffix}.{fmt}",
    )
