"""Importing every UCDP GED file into a fresh store, beside pandas.read_csv of the same files,
then re-importing them (which must change nothing) and computing all escalation signals.

Prints one JSON object: {"files": [...], "events": N, "import_s", "events_per_s",
"read_csv_s", "read_csv_events_per_s", "reimport_s", "reimport_changed", "signals_s",
"signals_again_s" (the same alerts asked for again, kept since no record changed), "alerts":
{"country": n, "admin1": n}, "database"}. Needs LENS_SOURCES (default ../shared/data
beside the checkout). ``--database-url`` runs it on another store (default: SQLite in a temporary
folder).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pandas as pd

from prevention_lens.incidents.monitoring import alerts_for
from prevention_lens.ingest import get_format, run_import
from prevention_lens.settings import Settings, load_settings
from prevention_lens.store import open_store
from prevention_lens.store.access import LOCAL_OPERATOR


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="an empty store to import into")
    args = parser.parse_args()
    sources = load_settings().sources
    if sources is None:
        print(json.dumps({"skipped": "LENS_SOURCES is not set and ../shared/data is absent"}))
        return 0
    files = sorted((sources / "ucdp" / "ged").glob("*.csv"))
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home), sources=sources, database_url=args.database_url)
        store = open_store(settings)
        ged = get_format("ucdp-ged")

        started = time.perf_counter()
        reports = [run_import(store, settings, LOCAL_OPERATOR, ged, path) for path in files]
        import_s = time.perf_counter() - started
        events = sum(report.rows_read for report in reports)

        started = time.perf_counter()
        frames = [pd.read_csv(path, low_memory=False) for path in files]
        read_csv_s = time.perf_counter() - started

        started = time.perf_counter()
        again = [run_import(store, settings, LOCAL_OPERATOR, ged, path) for path in files]
        reimport_s = time.perf_counter() - started

        started = time.perf_counter()
        with store.session() as session:
            alerts = {
                level: len(alerts_for(session, LOCAL_OPERATOR, level=level))
                for level in ("country", "admin1")
            }
        signals_s = time.perf_counter() - started
        started = time.perf_counter()
        with store.session() as session:
            for level in ("country", "admin1"):
                alerts_for(session, LOCAL_OPERATOR, level=level)
        signals_again_s = time.perf_counter() - started
        database = store.engine.dialect.name
        store.engine.dispose()
    print(
        json.dumps(
            {
                "files": [path.name for path in files],
                "events": events,
                "created": sum(report.rows_created for report in reports),
                "updated_across_files": sum(report.rows_updated for report in reports),
                "import_s": round(import_s, 2),
                "events_per_s": round(events / import_s),
                "read_csv_s": round(read_csv_s, 3),
                "read_csv_rows": sum(len(frame) for frame in frames),
                "read_csv_events_per_s": round(events / read_csv_s),
                "reimport_s": round(reimport_s, 2),
                "reimport_changed": sum(r.rows_created + r.rows_updated for r in again),
                "signals_s": round(signals_s, 2),
                "signals_again_s": round(signals_again_s, 3),
                "alerts": alerts,
                "database": database,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
