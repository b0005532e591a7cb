"""Country resolution on the real data: every EWP name and every GED event's country, timed.

Prints one JSON object. Needs LENS_SOURCES (default ../shared/data beside the checkout).
"""

from __future__ import annotations

import csv
import json
import sys
import time
from datetime import date
from pathlib import Path

from prevention_lens.countries import CountryReference, load_reference_records
from prevention_lens.settings import load_settings


def main() -> int:
    sources = load_settings().sources
    if sources is None:
        print(json.dumps({"skipped": "LENS_SOURCES is not set and ../shared/data is absent"}))
        return 0
    started = time.perf_counter()
    reference = CountryReference(load_reference_records())
    load_s = time.perf_counter() - started

    names_path = sources / "ewp-2025" / "countrynamesheet_complete.csv"
    with names_path.open(encoding="utf-8") as handle:
        names = [row["ewp_name"] for row in csv.DictReader(handle)]
    started = time.perf_counter()
    for name in names:
        reference.resolve(name)
    names_s = time.perf_counter() - started

    events: list[tuple[str, date]] = []
    for path in sorted((sources / "ucdp" / "ged").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            events.extend(
                (row["country_id"], date.fromisoformat(row["date_start"][:10]))
                for row in csv.DictReader(handle)
            )
    started = time.perf_counter()
    for code, day in events:
        reference.by_code("gw", code, on=day)
    events_s = time.perf_counter() - started

    print(
        json.dumps(
            {
                "countries": len(reference.records),
                "load_s": round(load_s, 4),
                "ewp_names": len(names),
                "ewp_names_per_s": round(len(names) / names_s),
                "ged_events": len(events),
                "ged_events_per_s": round(len(events) / events_s),
                "files": [
                    str(Path(p).name) for p in sorted((sources / "ucdp" / "ged").glob("*.csv"))
                ],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
