"""Build a country-year panel of armed-conflict onsets from UCDP's yearly files, and a panel
spec beside it, for `lens risk backtest --panel` and `lens risk forecast --panel`.

Reads, in place under the sources folder (LENS_SOURCES, default ../shared/data):
  ucdp/yearly/ucdp_onsets_gw_country_year.csv  (Gleditsch–Ward country-years 1946–2017, onsets)
  ucdp/yearly/UcdpPrioConflict_v24_1.csv       (conflict-years, with their locations)
  ucdp/yearly/BattleDeaths_v25_1.csv           (dyad-years from 1989, battle deaths)
and writes OUT/ucdp_onsets.csv and OUT/ucdp_onsets.yaml. OUT must lie outside this repository:
derived data is not kept in the code.

    .venv/bin/python scripts/ucdp_country_year.py /tmp/ucdp-panel

One row per country (GW code) and year 1989–2017: the year's onset of a new armed conflict
(after at least a year of peace, UCDP's sumonset1), the outcome (an onset in either of the next
two years; empty where those years lie beyond 2017) and five predictors known by the year's end.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
from collections import defaultdict
from pathlib import Path

FIRST_YEAR, LAST_YEAR = 1989, 2017
HORIZON = 2
REPOSITORY = Path(__file__).resolve().parent.parent

SPEC = f"""\
# A panel built by scripts/ucdp_country_year.py from UCDP's yearly files (CC BY 4.0).
name: ucdp_onsets
file: ucdp_onsets.csv
unit: gwcode
unit_scheme: gw
time: year
outcome: onset_next{HORIZON}
event: onset
horizon: {HORIZON}
training_requires: [onset_next{HORIZON}]
predictors:
  - conflict_active
  - war
  - battledeaths.log2
  - peace_years.log2
  - onsets_past10
  - year
"""


def _codes(cell: str) -> list[int]:
    """GW codes in a location cell such as "645, 652"."""
    return [int(part) for part in cell.replace(" ", "").split(",") if part.strip().isdigit()]


def _read(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        sys.exit(f"error: {path} not found; give --sources FOLDER holding ucdp/yearly/")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def build(sources: Path) -> list[dict[str, object]]:
    yearly = sources / "ucdp" / "yearly"
    onsets = _read(yearly / "ucdp_onsets_gw_country_year.csv")
    conflicts = _read(yearly / "UcdpPrioConflict_v24_1.csv")
    deaths = _read(yearly / "BattleDeaths_v25_1.csv")

    active: dict[tuple[int, int], int] = defaultdict(int)  # highest intensity, 1 or 2
    for row in conflicts:
        for code in _codes(row["gwno_loc"]):
            key = (code, int(row["year"]))
            active[key] = max(active[key], int(row["intensity_level"]))
    battle: dict[tuple[int, int], float] = defaultdict(float)
    for row in deaths:
        # A dyad fought in several countries counts its deaths in each: UCDP does not split them.
        for code in _codes(row["gwno_loc"]):
            battle[(code, int(row["year"]))] += float(row["bd_best"] or 0)
    onset = {
        (int(row["gwcode"]), int(row["year"])): int(float(row["sumonset1"] or 0) > 0)
        for row in onsets
    }
    years_of = defaultdict(list)
    for code, year in onset:
        years_of[code].append(year)

    rows: list[dict[str, object]] = []
    for code in sorted(years_of):
        last_conflict: int | None = None
        for year in range(min(years_of[code]), LAST_YEAR + 1):
            if (code, year) not in onset:
                continue
            if active.get((code, year)):
                last_conflict = year
            if year < FIRST_YEAR:
                continue
            following = [onset.get((code, year + k)) for k in range(1, HORIZON + 1)]
            outcome = "" if year + HORIZON > LAST_YEAR else int(any(following))
            # Counted from 1946 (the data's start): a country at peace since then has 43+ years.
            peace = year - last_conflict if last_conflict is not None else year - 1946 + 1
            rows.append(
                {
                    "gwcode": code,
                    "year": year,
                    "onset": onset[(code, year)],
                    f"onset_next{HORIZON}": outcome,
                    "conflict_active": int(active.get((code, year), 0) > 0),
                    "war": int(active.get((code, year), 0) == 2),
                    "battledeaths.log2": round(math.log2(battle.get((code, year), 0.0) + 1), 4),
                    "peace_years.log2": round(math.log2(peace + 1), 4),
                    "onsets_past10": sum(onset.get((code, year - k), 0) for k in range(1, 11)),
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write ucdp_onsets.csv and .yaml into")
    parser.add_argument(
        "--sources",
        type=Path,
        default=Path(os.environ.get("LENS_SOURCES", REPOSITORY.parent / "shared" / "data")),
        help="the data folder (default: LENS_SOURCES or ../shared/data)",
    )
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if out == REPOSITORY or REPOSITORY in out.parents:
        sys.exit(f"error: {out} is inside the repository; write derived data elsewhere")
    rows = build(args.sources)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "ucdp_onsets.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (out / "ucdp_onsets.yaml").write_text(SPEC, encoding="utf-8")
    onsets = sum(int(row["onset"]) for row in rows)  # type: ignore[call-overload]
    print(f"Wrote {len(rows)} country-years ({onsets} onsets) and the spec to {out}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
