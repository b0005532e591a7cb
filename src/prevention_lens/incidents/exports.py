"""Exports of incident records as CSV, GeoJSON and JSON, through the same access policy as
every page: each reader gets the fields and records their role may see, coordinates rounded to
2 decimals unless they may see exact places. Each export is a custody entry naming the records.

Public API::

    EXPORT_FORMATS = ("csv", "geojson", "json")
    export_incidents(session, principal, fmt, filters) -> Export
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from prevention_lens.csvsafe import csv_safe
from prevention_lens.errors import ValidationError
from prevention_lens.incidents import custody
from prevention_lens.incidents.records import IncidentFilter, list_incidents
from prevention_lens.store.access import Principal, audit, require

EXPORT_FORMATS = ("csv", "geojson", "json")
MEDIA_TYPES = {"csv": "text/csv", "geojson": "application/geo+json", "json": "application/json"}
# Column order of the CSV; a reader gets the ones their role may see.
COLUMNS = (
    "id",
    "dataset",
    "external_id",
    "status",
    "revision",
    "confidentiality",
    "category",
    "category_label",
    "ucdp_type_of_violence",
    "acled_event_type",
    "acled_sub_event_type",
    "title",
    "narrative",
    "date_start",
    "date_end",
    "date_precision",
    "country_key",
    "country_name",
    "admin1",
    "admin2",
    "place_name",
    "latitude",
    "longitude",
    "coordinates",
    "location_precision",
    "exact_place",
    "perpetrator_kind",
    "perpetrator_name",
    "target_groups",
    "identity_targeted",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "witness_identity",
    "witness_contact",
    "source_identity",
    "created_by",
    "created_at",
    "updated_at",
    "verified_by",
    "verified_at",
)


@dataclass(frozen=True)
class Export:
    content: str
    media_type: str
    filename: str
    count: int


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """One record as the reader may see it, with the coordinates they may see."""
    out = dict(row)
    exact = "latitude" in row
    if not exact:
        out["latitude"], out["longitude"] = row.get("public_latitude"), row.get("public_longitude")
    out.pop("public_latitude", None)
    out.pop("public_longitude", None)
    has_point = out.get("latitude") is not None
    out["coordinates"] = ("exact" if exact else "rounded to 2 decimals") if has_point else ""
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(f"{g['dimension']}: {g['name']}" for g in value)
    return _plain(value)


def export_incidents(
    session: Session,
    principal: Principal,
    fmt: str,
    filters: IncidentFilter | None = None,
    *,
    logged_as: Principal | None = None,
) -> Export:
    """Every record matching ``filters`` that the principal may see, in ``fmt``.

    ``logged_as`` names who made the export when they export as someone else would see it
    (an analyst publishing what anonymous readers get)."""
    require(principal, "export", "incident")
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(
            f"unknown export format {fmt!r}; choose {', '.join(EXPORT_FORMATS)}", field="format"
        )
    page = list_incidents(session, principal, replace(filters or IncidentFilter(), limit=None))
    rows = [_flat(row) for row in page.rows]
    if fmt == "csv":
        shown = [column for column in COLUMNS if any(column in row for row in rows)] or list(
            COLUMNS[:1]
        )
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=shown, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: csv_safe(_csv_cell(row.get(key))) for key in shown})
        content = buffer.getvalue()
    elif fmt == "geojson":
        features = [
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": None
                if row.get("latitude") is None
                else {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
                "properties": {
                    key: _plain(value)
                    for key, value in row.items()
                    if key not in ("latitude", "longitude")
                },
            }
            for row in rows
        ]
        content = json.dumps({"type": "FeatureCollection", "features": features}, default=str)
    else:
        content = json.dumps([{k: _plain(v) for k, v in row.items()} for row in rows], default=str)
    ids = [row["id"] for row in rows]
    author = logged_as or principal
    if author.is_authenticated:
        # Anonymous exports hold only published records; logging each would let anyone who
        # follows the page's links grow the chain and the audit log without limit.
        custody.append(
            session,
            action="export",
            actor=author.username,
            detail={
                "format": fmt,
                "count": len(ids),
                "incident_ids": ids,
                "as": principal.username,
            },
        )
        audit(session, author, "export", "incident", count=len(ids), format=fmt)
    stamp = datetime.now().strftime("%Y%m%d")
    extension = "geojson" if fmt == "geojson" else fmt
    return Export(content, MEDIA_TYPES[fmt], f"incidents-{stamp}.{extension}", len(ids))
