"""Country-year context indicators read from the shared data: V-Dem's democracy indices, the
freedom-of-discussion index the Early Warning Project derives from V-Dem, and the years of armed
conflict on a country's territory from the UCDP/PRIO Armed Conflict Dataset.

Sources: Coppedge et al., V-Dem Country-Year Dataset (CC BY-SA 4.0); US Holocaust Memorial
Museum, Early Warning Project 2025 replication files; Gleditsch et al. (2002) and Davies,
Pettersson & Öberg, UCDP/PRIO Armed Conflict Dataset (CC BY 4.0).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prevention_lens.errors import ValidationError
from prevention_lens.sources.files import read_csv_rows

VDEM_CORE = "vdem/vdem_v2x_core5_country_year_1960-2024.csv"
EWP_VDEM = "vdem/ewp_vdem_derived_cow_1934-2024.csv"
UCDP_ACD = "ucdp/yearly/UcdpPrioConflict_v24_1.csv"


@dataclass(frozen=True)
class DemocracyScores:
    """V-Dem's electoral (polyarchy) and liberal democracy indices, 0 to 1."""

    polyarchy: float | None
    libdem: float | None


def _number(value: str, file: str, row: int, column: str) -> float | None:
    if value in ("", "NA"):
        return None
    try:
        return float(value)
    except ValueError:
        raise ValidationError(
            f"{value!r} is not a number", file=file, row=row, field=column
        ) from None


def read_democracy(path: Path) -> dict[tuple[str, int], DemocracyScores]:
    """(V-Dem country_text_id, year) → scores."""
    scores: dict[tuple[str, int], DemocracyScores] = {}
    columns = ("country_text_id", "year", "v2x_polyarchy", "v2x_libdem")
    for number, row in read_csv_rows(path, columns):
        year = _number(row["year"], path.name, number, "year")
        if year is None:
            continue
        scores[(row["country_text_id"], int(year))] = DemocracyScores(
            polyarchy=_number(row["v2x_polyarchy"], path.name, number, "v2x_polyarchy"),
            libdem=_number(row["v2x_libdem"], path.name, number, "v2x_libdem"),
        )
    return scores


def read_free_discussion(path: Path) -> dict[tuple[int, int], float]:
    """(COW code, year) → V-Dem's freedom of discussion index (v2xcl_disc, 0 to 1)."""
    values: dict[tuple[int, int], float] = {}
    for number, row in read_csv_rows(path, ("COWcode", "year", "freediscussion")):
        cow = _number(row["COWcode"], path.name, number, "COWcode")
        year = _number(row["year"], path.name, number, "year")
        value = _number(row["freediscussion"], path.name, number, "freediscussion")
        if cow is not None and year is not None and value is not None:
            values[(int(cow), int(year))] = value
    return values


def read_conflict_years(path: Path) -> set[tuple[int, int]]:
    """(Gleditsch–Ward code, year) for every year with an armed conflict (25+ battle deaths)
    located on that country's territory."""
    years: set[tuple[int, int]] = set()
    for number, row in read_csv_rows(path, ("gwno_loc", "year")):
        year = _number(row["year"], path.name, number, "year")
        if year is None:
            continue
        for code in row["gwno_loc"].split(","):
            if code.strip():
                gw = _number(code.strip(), path.name, number, "gwno_loc")
                if gw is not None:
                    years.add((int(gw), int(year)))
    return years
