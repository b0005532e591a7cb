"""Which known layout a CSV header looks like, so that a file given to the wrong importer, or
cut down by hand, is refused with a pointer to the way to import it.

Public API::

    Layout, LAYOUTS, guess_layout(header) -> Layout | None
    missing_columns_error(path, header, missing, wanted_format) -> ValidationError
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from prevention_lens.errors import ValidationError
from prevention_lens.sources.incident_csv import MAPPING_SUFFIX

# A header is taken for a layout when it has the layout's marker column (one only it has), or
# at least this many of its typical columns; the layout sharing the largest part wins.
_MIN_SHARED = 5
_LISTED_COLUMNS = 12

_ACLED_EVENT = frozenset(
    {
        "event_id_cnty",
        "event_id_no_cnty",
        "event_date",
        "year",
        "time_precision",
        "disorder_type",
        "event_type",
        "sub_event_type",
        "actor1",
        "assoc_actor_1",
        "ally_actor_1",
        "inter1",
        "actor2",
        "inter2",
        "interaction",
        "civilian_targeting",
        "iso",
        "gwno",
        "region",
        "country",
        "admin1",
        "admin2",
        "admin3",
        "location",
        "latitude",
        "longitude",
        "geo_precision",
        "source",
        "source_scale",
        "notes",
        "fatalities",
        "tags",
        "timestamp",
    }
)


@dataclass(frozen=True)
class Layout:
    """A layout of source file: what it is called, the import format that reads it (None if
    none does), its typical columns (lower case) and a column only it has, if any."""

    name: str
    description: str
    import_format: str | None
    columns: frozenset[str]
    marker: str | None = None
    upper_case: bool | None = None


LAYOUTS = (
    Layout(
        "acled-deleted",
        "ACLED's list of deleted events",
        "acled",
        frozenset({"event_id_cnty", "deleted_timestamp"}),
        marker="deleted_timestamp",
    ),
    Layout(
        "acled-aggregated",
        "ACLED's aggregated counts (events per week or month and region), not single events; "
        "they cannot become incident records",
        None,
        frozenset(
            {
                "week",
                "month",
                "year",
                "region",
                "country",
                "admin1",
                "event_type",
                "sub_event_type",
                "events",
                "fatalities",
                "population_exposure",
                "centroid_latitude",
                "centroid_longitude",
            }
        ),
        marker="events",
    ),
    Layout(
        "acled-current",
        "a current ACLED export (lower-case headers)",
        "acled",
        _ACLED_EVENT,
        upper_case=False,
    ),
    Layout(
        "acled-legacy",
        "an older ACLED export (upper-case headers)",
        "acled",
        _ACLED_EVENT,
        upper_case=True,
    ),
    Layout(
        "ucdp-ged",
        "a UCDP GED file",
        "ucdp-ged",
        frozenset(
            {
                "id",
                "relid",
                "year",
                "type_of_violence",
                "conflict_name",
                "dyad_name",
                "side_a",
                "side_b",
                "source_article",
                "where_prec",
                "where_coordinates",
                "adm_1",
                "adm_2",
                "country_id",
                "date_prec",
                "date_start",
                "date_end",
                "deaths_civilians",
                "best",
                "high",
                "low",
            }
        ),
        marker="type_of_violence",
    ),
)


def guess_layout(header: Sequence[str]) -> Layout | None:
    """The known layout the header shares the most columns with, or None."""
    written = [name.strip() for name in header if name.strip()]
    folded = {name.lower() for name in written}
    upper = sum(name.isupper() for name in written) > len(written) / 2
    best: tuple[float, Layout] | None = None
    for layout in LAYOUTS:
        if layout.marker is not None and layout.marker not in folded:
            continue
        if layout.upper_case is not None and layout.upper_case != upper:
            continue
        shared = len(folded & layout.columns)
        share = shared / len(layout.columns)
        enough = layout.marker is not None or shared >= min(_MIN_SHARED, len(layout.columns))
        if enough and (best is None or share > best[0]):
            best = (share, layout)
    return best[1] if best else None


def missing_columns_error(
    path: Path, header: Sequence[str], missing: Sequence[str], wanted_format: str
) -> ValidationError:
    """The error for a file that lacks required columns: which columns, what the header looks
    like, and how such a file can be imported."""
    layout = guess_layout(header)
    if (path.with_name(path.stem + MAPPING_SUFFIX)).is_file():
        looks = f"{path.name} has a mapping file beside it, so it is a CSV of incidents"
    elif layout is None:
        looks = (
            "the header looks like none of the layouts Prevention Lens reads as such "
            "(ACLED exports, ACLED's deleted events, UCDP GED)"
        )
    else:
        looks = f"the header looks like {layout.description}"
        if layout.import_format is not None and layout.import_format != wanted_format:
            looks += f": import it with `lens incidents import {layout.import_format} {path.name}`"
    shown = ", ".join(header[:_LISTED_COLUMNS])
    if len(header) > _LISTED_COLUMNS:
        shown += f", … ({len(header)} columns)"
    mapping = path.stem + MAPPING_SUFFIX
    return ValidationError(
        f"missing column(s) {', '.join(missing)} (found {shown}); {looks}. To import a file in "
        f"another layout, name its columns in {mapping} beside it and run "
        f"`lens incidents import incident-csv {path.name}` (see docs/data.md, incident-csv)",
        file=path.name,
        row=1,
        field=missing[0],
    )
