"""One incident as a contributor would type it, with a marker in every confidential field."""

from __future__ import annotations

MARKER = "SECRET-WITNESS-4d2c"


def draft_values(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "category": "one_sided_violence",
        "date_start": "2017-08-25",
        "country": "Burma",
        "title": "Attack on a village",
        "latitude": "20.123456",
        "longitude": "92.876543",
        "location_precision": "exact",
        "witness_identity": MARKER,
        "witness_contact": f"{MARKER}@example.org",
        "exact_place": f"House of {MARKER}",
        "target_groups": "ethnicity: Rohingya; religion: Muslim",
        "fatalities_best": "12",
        "fatalities_low": "10",
        "fatalities_high": "30",
    }
    values.update(changes)
    return values
