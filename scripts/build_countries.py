"""Builds src/prevention_lens/data/countries.csv, the project's own country reference table.

Usage: python scripts/build_countries.py [SOURCES] [--check]

SOURCES is the data folder: the first argument, else $LENS_SOURCES, else ../shared/data beside
the checkout. The table is made from facts read there, never copied from any one file:

    country-codes/countrycode_crosswalk.csv  ISO 3166 codes, COW/GW/V-Dem ids and UN regions of
                                             every entry with an ISO3 code (codes and names only;
                                             the file itself is GPL-3 and is not shipped)
    country-codes/cow_states_2016.csv        COW state-system membership spells, with dates
    country-codes/gw_states.csv              Gleditsch–Ward independent states, with dates
    ewp-2025/countrynamesheet_complete.csv   the names the Early Warning Project uses, by COW code
    ucdp/ged/*.csv                           UCDP GED country labels, by GW code and event date

and from the curated choices written below: display names, corrections to codes, the
historical states, extra aliases and the UN intermediate regions.

Rows. Every crosswalk entry with an ISO3 code (current states and territories, so that the
world-atlas map, keyed by ISO numeric, can colour each of them); Kosovo (XKX, no ISO numeric);
and every state of the COW or GW list with a spell after 1946-01-01 that no longer exists, as a
historical row. The key is the ISO3 code, the historical ISO3 code (SUN, YUG, DDR, CSK, YMD), or
an invented one (FRG, YAR, RVN, ZAN, TBT).

Dates. start_date is the start of the latest membership spell in the COW or GW list (the
earlier of the two) and end_date is empty for a state that exists today; historical states and
the states whose codes they share carry curated dates. Rows sharing a code in one scheme never
overlap in dates, so a date picks one of them: COW and GW 365 are the Soviet Union until
1991-12-25 and Russia from 1991-12-26; COW 345 is Yugoslavia until 2006-06-04 and Serbia after,
while GW gives Serbia 340; GW 260 is West Germany until 1990-10-02 and Germany after, while COW
has 260 for West Germany and 255 for unified Germany; GW 678 is North Yemen until 1990-05-21 and
unified Yemen after, while COW has 678 and 679. V-Dem ids follow V-Dem's own continuity (Russia
11 covers the Soviet Union, Germany 77 West Germany, Serbia 198 Yugoslavia, Czechia 157
Czechoslovakia, Yemen 14 North Yemen). ISO alpha codes that a historical state passed on to its
successor (West Germany's DE/DEU, North Yemen's YE/YEM, South Vietnam's VN/VNM) stay with the
successor alone; their old ISO numeric codes (280, 886) are kept.

Regions. A fixed set for filters: Africa (sub-Saharan), Americas, Asia, Europe, Middle East &
North Africa, Oceania, Antarctica. It follows the UN M49 regions, except that UN Northern Africa,
UN Western Asia and Iran form "Middle East & North Africa", and Armenia, Azerbaijan, Cyprus and
Georgia (UN Western Asia) count as Europe. subregion is the UN M49 sub-region, refined to the
intermediate region (Eastern Africa, Caribbean, South America, ...) where M49 has one.

Aliases. The names each source uses for the row (crosswalk, COW and GW state names, EWP names,
GED labels) plus the curated ones; a state-list name goes to the row in existence when the spell
began. A name that is another row's display name is left to that row, and two rows sharing an
alias must not overlap in dates, so that no name silently picks one of two current countries.

--check exits 1 when the table on disk differs from what this script would write.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from prevention_lens.countries import ALIAS_SEPARATOR, COLUMNS, SCHEMES, normalize_name

REPO_ROOT = Path(__file__).resolve().parents[1]
OUTPUT = REPO_ROOT / "src" / "prevention_lens" / "data" / "countries.csv"
DEFAULT_SOURCES = REPO_ROOT.parent / "shared" / "data"
# States that left the state system before then get no row.
SYSTEM_SINCE = date(1946, 1, 1)
REGIONS = (
    "Africa",
    "Americas",
    "Asia",
    "Europe",
    "Middle East & North Africa",
    "Oceania",
    "Antarctica",
)
MENA_EXCEPTIONS_TO_EUROPE = frozenset({"ARM", "AZE", "CYP", "GEO"})

# Display names where the crosswalk's short names are awkward in a table or on a map.
NAME_OVERRIDES = {
    "CIV": "Côte d'Ivoire",
    "COD": "Democratic Republic of the Congo",
    "COG": "Republic of the Congo",
    "FSM": "Micronesia",
    "HKG": "Hong Kong",
    "HMD": "Heard Island and McDonald Islands",
    "MAC": "Macao",
    "MMR": "Myanmar",
    "PSE": "Palestine",
    "SGS": "South Georgia and the South Sandwich Islands",
    "TUR": "Türkiye",
    "UMI": "United States Minor Outlying Islands",
    "VCT": "Saint Vincent and the Grenadines",
    "VIR": "United States Virgin Islands",
}

# Corrections to the crosswalk's codes, checked against the dated state lists.
CODE_FIXES: dict[str, dict[str, int | None]] = {
    # COW 345 continues from Yugoslavia to Serbia; GW starts Serbia anew as 340.
    "SRB": {"cow": 345, "gw": 340},
    # GW 816 is the Democratic Republic of Vietnam continuing as Vietnam; 817 was South Vietnam.
    "VNM": {"gw": 816},
    # GW keeps 678 for unified Yemen, where COW starts 679.
    "YEM": {"gw": 678},
    # COW/GW 327 and V-Dem 361 are the Papal States, gone by 1870; the Vatican is in no list.
    "VAT": {"cow": None, "gw": None, "vdem": None},
    # V-Dem's PSE unit is 128 (West Bank); Gaza (138) is coded apart and has no row here.
    "PSE": {"vdem": 128},
}

# Start dates of current states that share a code with the historical state they continue.
START_OVERRIDES = {
    "DEU": date(1990, 10, 3),
    "RUS": date(1991, 12, 26),
    "SRB": date(2006, 6, 5),
    "YEM": date(1990, 5, 22),
}

# Regions for crosswalk entries that have no UN region.
REGION_OVERRIDES = {
    "ATA": ("Antarctica", "Antarctica"),
    "TWN": ("Asia", "Eastern Asia"),
}

# UN M49 intermediate regions, which split "Sub-Saharan Africa" and "Latin America and the
# Caribbean" into units small enough to filter by.
INTERMEDIATE_REGIONS = {
    "Eastern Africa": (
        "ATF BDI COM DJI ERI ETH IOT KEN MDG MOZ MUS MWI MYT REU RWA SOM SSD SYC TZA UGA ZMB ZWE"
    ),
    "Middle Africa": "AGO CAF CMR COD COG GAB GNQ STP TCD",
    "Southern Africa": "BWA LSO NAM SWZ ZAF",
    "Western Africa": "BEN BFA CIV CPV GHA GIN GMB GNB LBR MLI MRT NER NGA SEN SHN SLE TGO",
    "Caribbean": (
        "ABW AIA ATG BES BHS BLM BRB CUB CUW CYM DMA DOM GLP GRD HTI JAM KNA LCA MAF MSR MTQ PRI "
        "SXM TCA TTO VCT VGB VIR"
    ),
    "Central America": "BLZ CRI GTM HND MEX NIC PAN SLV",
    "South America": "ARG BOL BRA BVT CHL COL ECU FLK GUF GUY PER PRY SGS SUR URY VEN",
}
BROAD_SUBREGIONS = frozenset({"Sub-Saharan Africa", "Latin America and the Caribbean"})


@dataclass(frozen=True)
class Curated:
    """A row written by hand: a historical state, or a current one missing from the crosswalk."""

    key: str
    name: str
    region: str
    subregion: str
    iso2: str | None = None
    iso3: str | None = None
    iso_numeric: int | None = None
    cow: int | None = None
    gw: int | None = None
    vdem: int | None = None
    start: date | None = None
    end: date | None = None
    successor: str | None = None


CURATED_ROWS = (
    # Kosovo: 347 in both lists; XK/XKX are the user-assigned codes the EU and World Bank use,
    # and ISO has no numeric code for it.
    Curated(
        "XKX", "Kosovo", "Europe", "Southern Europe",
        iso2="XK", iso3="XKX", cow=347, gw=347, vdem=43,
    ),
    Curated(
        "SUN", "Soviet Union", "Europe", "Eastern Europe",
        iso2="SU", iso3="SUN", iso_numeric=810, cow=365, gw=365, vdem=11,
        start=date(1922, 12, 30), end=date(1991, 12, 25), successor="RUS",
    ),
    Curated(
        "YUG", "Yugoslavia", "Europe", "Southern Europe",
        iso2="YU", iso3="YUG", iso_numeric=890, cow=345, gw=345, vdem=198,
        start=date(1918, 12, 1), end=date(2006, 6, 4), successor="SRB",
    ),
    Curated(
        "DDR", "East Germany", "Europe", "Western Europe",
        iso2="DD", iso3="DDR", iso_numeric=278, cow=265, gw=265, vdem=137,
        start=date(1949, 10, 5), end=date(1990, 10, 2), successor="DEU",
    ),
    Curated(
        "FRG", "West Germany", "Europe", "Western Europe",
        iso_numeric=280, cow=260, gw=260, vdem=77,
        start=date(1949, 9, 21), end=date(1990, 10, 2), successor="DEU",
    ),
    Curated(
        "CSK", "Czechoslovakia", "Europe", "Eastern Europe",
        iso2="CS", iso3="CSK", iso_numeric=200, cow=315, gw=315, vdem=157,
        start=date(1918, 10, 28), end=date(1992, 12, 31),
    ),
    Curated(
        "YAR", "North Yemen", "Middle East & North Africa", "Western Asia",
        iso_numeric=886, cow=678, gw=678, vdem=14,
        start=date(1918, 10, 30), end=date(1990, 5, 21), successor="YEM",
    ),
    Curated(
        "YMD", "South Yemen", "Middle East & North Africa", "Western Asia",
        iso2="YD", iso3="YMD", iso_numeric=720, cow=680, gw=680, vdem=23,
        start=date(1967, 11, 30), end=date(1990, 5, 21), successor="YEM",
    ),
    Curated(
        "RVN", "South Vietnam", "Asia", "South-eastern Asia",
        cow=817, gw=817, vdem=35,
        start=date(1954, 5, 1), end=date(1975, 4, 30), successor="VNM",
    ),
    Curated(
        "ZAN", "Zanzibar", "Africa", "Eastern Africa",
        cow=511, gw=511, vdem=236,
        start=date(1963, 12, 19), end=date(1964, 4, 26), successor="TZA",
    ),
    # No successor: whether China succeeded Tibet is the dispute itself.
    Curated(
        "TBT", "Tibet", "Asia", "Eastern Asia",
        gw=711, start=date(1913, 1, 1), end=date(1950, 10, 1),
    ),
)  # fmt: skip

# Names in common use that no source file gives; historical official names; other sources'
# spellings (World Bank, UN, UCDP GED labels beyond the GED sample here).
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "AFG": ("Islamic Republic of Afghanistan", "Islamic Emirate of Afghanistan"),
    "ARE": ("UAE", "Emirates"),
    "BEN": ("Dahomey",),
    "BFA": ("Upper Volta",),
    "BHS": ("Bahamas, The",),
    "BIH": ("Bosnia", "Bosnia-Herzegovina"),
    "BLR": ("Byelorussia", "Belorussia"),
    "BOL": ("Plurinational State of Bolivia", "Bolivia (Plurinational State of)"),
    "BRN": ("Brunei Darussalam",),
    "CAF": ("CAR", "Central African Empire"),
    "CHN": ("People's Republic of China", "PRC"),
    "CIV": ("Ivory Coast", "Côte d’Ivoire"),
    "COD": (
        "DRC",
        "DR Congo",
        "DR Congo (Zaire)",
        "Congo-Kinshasa",
        "Congo (Kinshasa)",
        "Congo, Dem. Rep.",
        "Congo, Democratic Republic of the",
        "Zaire",
    ),
    "COG": ("Congo-Brazzaville", "Congo (Brazzaville)", "Congo, Rep.", "Republic of Congo"),
    "CPV": ("Cabo Verde",),
    "CZE": ("Czech Republic",),
    "DEU": ("Federal Republic of Germany",),
    "EGY": ("United Arab Republic", "Egypt, Arab Rep."),
    "FLK": ("Falkland Islands (Malvinas)",),
    "FSM": ("Federated States of Micronesia", "Micronesia (Federated States of)"),
    "GBR": (
        "UK",
        "Great Britain",
        "Britain",
        "United Kingdom of Great Britain and Northern Ireland",
    ),
    "GMB": ("Gambia, The", "Republic of The Gambia"),
    "HKG": ("Hong Kong SAR", "Hong Kong SAR China"),
    "IRN": (
        "Persia",
        "Islamic Republic of Iran",
        "Iran (Islamic Republic of)",
        "Iran, Islamic Rep.",
    ),
    "KGZ": ("Kyrgyz Republic", "Kirghizia"),
    "KHM": ("Kampuchea", "Democratic Kampuchea", "Khmer Republic", "Cambodia (Kampuchea)"),
    "KOR": ("Republic of Korea", "Korea, Rep.", "Korea, South", "ROK"),
    "LAO": ("Lao PDR", "Lao People's Democratic Republic"),
    "LBY": ("Libyan Arab Jamahiriya", "State of Libya"),
    "LKA": ("Ceylon",),
    "MAC": ("Macau", "Macao SAR China"),
    "MDA": ("Republic of Moldova", "Moldova, Republic of", "Moldavia"),
    "MDG": ("Malagasy Republic", "Madagascar (Malagasy)"),
    "MKD": ("Macedonia", "FYROM", "Former Yugoslav Republic of Macedonia", "Macedonia, FYR"),
    "MMR": ("Burma", "Myanmar (Burma)", "Union of Burma", "Republic of the Union of Myanmar"),
    "NLD": ("Holland",),
    "PRK": (
        "DPRK",
        "Democratic People's Republic of Korea",
        "Korea, Dem. People's Rep.",
        "Korea, North",
    ),
    "PSE": (
        "State of Palestine",
        "Palestinian Territories",
        "Occupied Palestinian Territory",
        "West Bank and Gaza",
        "Palestine/West Bank",
    ),
    "RUS": ("Russian Federation", "Russia (Soviet Union)"),
    "SRB": ("Republic of Serbia", "Serbia (Yugoslavia)"),
    "STP": ("Sao Tome and Principe",),
    "SUR": ("Surinam",),
    "SVK": ("Slovak Republic",),
    "SWZ": ("Swaziland", "Kingdom of Eswatini", "Kingdom of eSwatini (Swaziland)"),
    "SYR": ("Syrian Arab Republic",),
    "THA": ("Siam",),
    "TLS": ("East Timor", "Democratic Republic of Timor-Leste"),
    "TUR": ("Turkey", "Republic of Türkiye"),
    "TWN": ("Republic of China", "Chinese Taipei", "Taiwan, Province of China"),
    "TZA": ("United Republic of Tanzania", "Tanzania, United Republic of", "Tanganyika"),
    "USA": ("US", "United States of America", "U.S.A."),
    "VAT": ("Holy See", "Vatican"),
    "VEN": ("Bolivarian Republic of Venezuela", "Venezuela (Bolivarian Republic of)"),
    "VNM": (
        "Viet Nam",
        "Socialist Republic of Vietnam",
        "North Vietnam",
        "Democratic Republic of Vietnam",
        "Vietnam (North Vietnam)",
    ),
    "XKX": ("Republic of Kosovo", "Kosova"),
    "YEM": ("Republic of Yemen", "Yemen, Rep.", "Yemen (North Yemen)"),
    "ZWE": ("Rhodesia", "Southern Rhodesia", "Zimbabwe (Rhodesia)"),
    # historical states
    "CSK": (
        "Czechoslovak Socialist Republic",
        "Czech and Slovak Federative Republic",
        "Czecho-Slovakia",
        "CSSR",
    ),
    "DDR": ("German Democratic Republic", "GDR", "Germany (East)", "Germany, East"),
    "FRG": ("Federal Republic of Germany", "Germany (West)", "Germany, West"),
    "RVN": ("Republic of Vietnam", "State of Vietnam", "Vietnam, South", "Republic of Viet Nam"),
    "SUN": ("USSR", "Union of Soviet Socialist Republics", "Russia (Soviet Union)"),
    "TBT": (),
    "YAR": (
        "Yemen Arab Republic",
        "Arab Republic of Yemen",
        "Mutawakkilite Kingdom of Yemen",
        "Yemen, North",
        "Yemen (North Yemen)",
    ),
    "YMD": (
        "People's Democratic Republic of Yemen",
        "Democratic Yemen",
        "Yemen PDR",
        "Yemen, South",
    ),
    "YUG": (
        "Socialist Federal Republic of Yugoslavia",
        "SFR Yugoslavia",
        "SFRY",
        "Federal Republic of Yugoslavia",
        "FR Yugoslavia",
        "FRY",
        "Serbia and Montenegro",
        "State Union of Serbia and Montenegro",
        "Kingdom of Yugoslavia",
        "Serbia (Yugoslavia)",
    ),
    "ZAN": ("People's Republic of Zanzibar", "Sultanate of Zanzibar"),
}


class BuildError(Exception):
    """The sources or the curated choices contradict each other."""


@dataclass(frozen=True)
class Spell:
    """One membership spell of a state in the COW or GW list."""

    scheme: str
    code: int
    name: str
    start: date
    end: date


@dataclass
class Row:
    """A row under construction."""

    key: str
    name: str
    iso2: str | None
    iso3: str | None
    iso_numeric: int | None
    cow: int | None
    gw: int | None
    vdem: int | None
    region: str
    subregion: str
    start: date | None = None
    end: date | None = None
    successor: str | None = None
    found_aliases: list[str] = field(default_factory=list)

    def code(self, scheme: str) -> str | int | None:
        value: str | int | None = getattr(self, scheme)
        return value

    def alive_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise BuildError(f"missing source file {path}")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _int(value: str) -> int | None:
    text = value.strip()
    return int(float(text)) if text else None


def read_spells(sources: Path) -> list[Spell]:
    """Both state lists, as spells."""
    spells = [
        Spell(
            "cow",
            int(row["ccode"]),
            row["statenme"],
            date(int(row["styear"]), int(row["stmonth"]), int(row["stday"])),
            date(int(row["endyear"]), int(row["endmonth"]), int(row["endday"])),
        )
        for row in _read_csv(sources / "country-codes" / "cow_states_2016.csv")
    ]
    spells.extend(
        Spell(
            "gw",
            int(row["gwcode"]),
            row["statename"],
            date.fromisoformat(row["startdate"]),
            date.fromisoformat(row["enddate"]),
        )
        for row in _read_csv(sources / "country-codes" / "gw_states.csv")
    )
    return spells


def display_name(iso3: str, crosswalk_name: str) -> str:
    if iso3 in NAME_OVERRIDES:
        return NAME_OVERRIDES[iso3]
    name = crosswalk_name.replace(" & ", " and ")
    return "Saint " + name.removeprefix("St. ") if name.startswith("St. ") else name


def region_of(iso3: str, un_region: str, un_subregion: str) -> tuple[str, str]:
    if iso3 in REGION_OVERRIDES:
        return REGION_OVERRIDES[iso3]
    if not un_region or not un_subregion:
        raise BuildError(f"{iso3} has no UN region; add it to REGION_OVERRIDES")
    subregion = un_subregion
    if subregion in BROAD_SUBREGIONS:
        matches = [name for name, keys in INTERMEDIATE_REGIONS.items() if iso3 in keys.split()]
        if len(matches) != 1:
            raise BuildError(f"{iso3} needs one UN intermediate region, found {matches}")
        subregion = matches[0]
    if subregion == "Northern Africa" or (
        subregion == "Western Asia" and iso3 not in MENA_EXCEPTIONS_TO_EUROPE
    ):
        return "Middle East & North Africa", subregion
    if iso3 == "IRN":
        return "Middle East & North Africa", subregion
    if iso3 in MENA_EXCEPTIONS_TO_EUROPE:
        return "Europe", subregion
    return un_region, subregion


def crosswalk_rows(sources: Path) -> list[Row]:
    """One row per crosswalk entry with an ISO3 code, with corrected codes."""
    rows: list[Row] = []
    for entry in _read_csv(sources / "country-codes" / "countrycode_crosswalk.csv"):
        iso3 = entry["iso3c"].strip()
        if not iso3:
            continue
        region, subregion = region_of(
            iso3, entry["un_region_name"].strip(), entry["un_regionsub_name"].strip()
        )
        row = Row(
            key=iso3,
            name=display_name(iso3, entry["country_name_en"].strip()),
            iso2=entry["iso2c"].strip() or None,
            iso3=iso3,
            iso_numeric=_int(entry["iso3n"]),
            cow=_int(entry["cown"]),
            gw=_int(entry["gwn"]),
            vdem=_int(entry["vdem"]),
            region=region,
            subregion=subregion,
        )
        fixes = CODE_FIXES.get(iso3, {})
        for scheme, value in fixes.items():
            setattr(row, scheme, value)
        row.found_aliases.append(entry["country_name_en"].strip())
        # A source's name for a code is kept only where the row keeps that source's code.
        if "cow" not in fixes and entry["cow_name"].strip():
            row.found_aliases.append(entry["cow_name"].strip())
        if "vdem" not in fixes and entry["vdem_name"].strip():
            row.found_aliases.append(entry["vdem_name"].strip())
        rows.append(row)
    return rows


def curated_rows() -> list[Row]:
    return [
        Row(
            key=item.key,
            name=item.name,
            iso2=item.iso2,
            iso3=item.iso3,
            iso_numeric=item.iso_numeric,
            cow=item.cow,
            gw=item.gw,
            vdem=item.vdem,
            region=item.region,
            subregion=item.subregion,
            start=item.start,
            end=item.end,
            successor=item.successor,
        )
        for item in CURATED_ROWS
    ]


def latest_spells(spells: Iterable[Spell]) -> dict[tuple[str, int], Spell]:
    latest: dict[tuple[str, int], Spell] = {}
    for spell in spells:
        known = latest.get((spell.scheme, spell.code))
        if known is None or spell.start > known.start:
            latest[(spell.scheme, spell.code)] = spell
    return latest


def assign_dates(rows: list[Row], spells: list[Spell]) -> None:
    """Start dates of current states from the lists; curated rows keep their own dates."""
    latest = latest_spells(spells)
    list_ends = {
        scheme: max(s.end for s in spells if s.scheme == scheme) for scheme in ("cow", "gw")
    }
    curated = {item.key for item in CURATED_ROWS if item.end is not None}
    for row in rows:
        if row.key in curated:
            continue
        starts: list[date] = []
        for scheme in ("cow", "gw"):
            code = row.code(scheme)
            if code is None:
                continue
            spell = latest.get((scheme, int(code)))
            if spell is None:
                raise BuildError(f"{row.key}: {scheme} {code} is not in the {scheme} state list")
            if spell.end < list_ends[scheme]:
                raise BuildError(
                    f"{row.key}: {scheme} {code} ended on {spell.end}; make it a historical row"
                )
            starts.append(spell.start)
        row.start = START_OVERRIDES.get(row.key, min(starts) if starts else None)


def check_coverage(rows: list[Row], spells: list[Spell]) -> None:
    """Every state of either list alive since 1946 has a row carrying its code."""
    carried = {(scheme, row.code(scheme)) for row in rows for scheme in ("cow", "gw")}
    missing = sorted(
        {
            f"{spell.scheme} {spell.code} {spell.name}"
            for spell in spells
            if spell.end >= SYSTEM_SINCE and (spell.scheme, spell.code) not in carried
        }
    )
    if missing:
        raise BuildError("states with no row: " + "; ".join(missing))
    for item in CURATED_ROWS:
        if item.end is None:
            continue
        for scheme in ("cow", "gw"):
            code = getattr(item, scheme)
            if code is None:
                continue
            overlapping = [
                spell
                for spell in spells
                if spell.scheme == scheme
                and spell.code == code
                and spell.start <= item.end
                and (item.start is None or item.start <= spell.end)
            ]
            if not overlapping:
                raise BuildError(f"{item.key}: no {scheme} {code} spell overlaps its dates")


def _rows_with(rows: list[Row], scheme: str, code: int) -> list[Row]:
    return [row for row in rows if row.code(scheme) == code]


def _row_on(candidates: list[Row], day: date, by_key: dict[str, Row]) -> Row | None:
    alive = [row for row in candidates if row.alive_on(day)]
    if len(alive) == 1:
        return alive[0]
    for row in candidates:
        successor = by_key.get(row.successor or "")
        if row.end is not None and day > row.end and successor and successor.alive_on(day):
            return successor
    return None


def add_spell_names(rows: list[Row], spells: list[Spell]) -> None:
    """A list's name for a state goes to the row in existence when the spell began."""
    for spell in spells:
        if spell.end < SYSTEM_SINCE:
            continue
        candidates = _rows_with(rows, spell.scheme, spell.code)
        at_start = [row for row in candidates if row.alive_on(spell.start)]
        target = at_start[0] if at_start else min(candidates, key=lambda r: r.start or date.min)
        target.found_aliases.append(spell.name)


def add_ewp_names(rows: list[Row], sources: Path) -> None:
    """EWP names go to the current (else latest) row with their COW code."""
    for entry in _read_csv(sources / "ewp-2025" / "countrynamesheet_complete.csv"):
        code = _int(entry["ccode"])
        candidates = _rows_with(rows, "cow", code) if code is not None else []
        if not candidates:
            raise BuildError(f"EWP name {entry['ewp_name']!r}: no row has COW {code}")
        target = max(candidates, key=lambda r: r.end or date.max)
        target.found_aliases.extend(
            name for name in (entry["country"].strip(), entry["ewp_name"].strip()) if name
        )


def ged_labels(sources: Path) -> Iterator[tuple[str, int, date]]:
    """Each distinct (label, GW code, day) in the GED files."""
    seen: set[tuple[str, int, date]] = set()
    for path in sorted((sources / "ucdp" / "ged").glob("*.csv")):
        for entry in _read_csv(path):
            item = (
                entry["country"].strip(),
                int(entry["country_id"]),
                date.fromisoformat(entry["date_start"][:10]),
            )
            if item not in seen:
                seen.add(item)
                yield item


def add_ged_labels(rows: list[Row], sources: Path) -> None:
    by_key = {row.key: row for row in rows}
    for label, gw, day in ged_labels(sources):
        target = _row_on(_rows_with(rows, "gw", gw), day, by_key)
        if target is None:
            raise BuildError(f"GED label {label!r}: no row has GW {gw} on {day}")
        target.found_aliases.append(label)


def _overlap(first: Row, second: Row) -> bool:
    return (first.start or date.min) <= (second.end or date.max) and (second.start or date.min) <= (
        first.end or date.max
    )


def settle_aliases(rows: list[Row]) -> dict[str, list[str]]:
    """Final alias lists: one spelling per normalized form, display names left to their rows."""
    display = {normalize_name(row.name): row.key for row in rows}
    if len(display) != len(rows):
        raise BuildError("two rows normalize to the same display name")
    settled: dict[str, list[str]] = {}
    for row in rows:
        chosen: dict[str, str] = {}
        own = normalize_name(row.name)
        for alias in EXTRA_ALIASES.get(row.key, ()):
            normalized = normalize_name(alias)
            if normalized and normalized != own:
                chosen.setdefault(normalized, alias)
        for alias in sorted(set(row.found_aliases)):
            normalized = normalize_name(alias)
            if not normalized or normalized == own or normalized in chosen:
                continue
            if display.get(normalized, row.key) != row.key:
                continue
            chosen[normalized] = alias
        settled[row.key] = sorted(chosen.values(), key=lambda alias: (alias.casefold(), alias))
    return settled


def check_table(rows: list[Row], aliases: dict[str, list[str]]) -> None:
    by_key = {row.key: row for row in rows}
    if len(by_key) != len(rows):
        raise BuildError("duplicate keys")
    problems: list[str] = []
    for row in rows:
        if row.key != row.key.upper() or not row.key.isalpha():
            problems.append(f"{row.key}: keys are upper-case letters")
        if row.region not in REGIONS or not row.subregion:
            problems.append(f"{row.key}: region {row.region!r} / {row.subregion!r}")
        if row.successor and row.successor not in by_key:
            problems.append(f"{row.key}: successor {row.successor} is not a row")
        if row.start and row.end and row.end < row.start:
            problems.append(f"{row.key}: ends before it starts")
        for alias in aliases[row.key]:
            if ALIAS_SEPARATOR in alias or alias != alias.strip():
                problems.append(f"{row.key}: alias {alias!r} cannot be stored")
    for scheme in SCHEMES:
        sharing: dict[str | int, list[Row]] = {}
        for row in rows:
            value = row.code(scheme)
            if value is not None:
                sharing.setdefault(value, []).append(row)
        problems.extend(
            f"{scheme} {code}: {first.key} and {second.key} overlap in dates"
            for code, group in sharing.items()
            for index, first in enumerate(group)
            for second in group[index + 1 :]
            if _overlap(first, second)
        )
    names: dict[str, list[Row]] = {}
    for row in rows:
        for text in (row.name, *aliases[row.key]):
            names.setdefault(normalize_name(text), []).append(row)
    problems.extend(
        f"name {name!r}: {first.key} and {second.key} overlap in dates"
        for name, group in names.items()
        for index, first in enumerate(group)
        for second in group[index + 1 :]
        if _overlap(first, second)
    )
    # Two- and three-letter queries are read as ISO codes or keys before names.
    codes = {
        str(value): row.key
        for row in rows
        for value in (row.key, row.iso2, row.iso3)
        if value is not None
    }
    problems.extend(
        f"{row.key}: alias {alias!r} is the code of {codes[alias.upper()]}"
        for row in rows
        for alias in aliases[row.key]
        if alias.upper() in codes and codes[alias.upper()] != row.key
    )
    if problems:
        raise BuildError("\n".join(problems))


def build_rows(sources: Path) -> tuple[list[Row], dict[str, list[str]]]:
    spells = read_spells(sources)
    rows = crosswalk_rows(sources) + curated_rows()
    assign_dates(rows, spells)
    check_coverage(rows, spells)
    add_spell_names(rows, spells)
    add_ewp_names(rows, sources)
    add_ged_labels(rows, sources)
    unknown = set(EXTRA_ALIASES) - {row.key for row in rows}
    if unknown:
        raise BuildError(f"aliases for unknown keys: {sorted(unknown)}")
    aliases = settle_aliases(rows)
    check_table(rows, aliases)
    return sorted(rows, key=lambda row: row.key), aliases


def _cell(value: str | int | date | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def render(rows: list[Row], aliases: dict[str, list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.key,
                row.name,
                _cell(row.iso2),
                _cell(row.iso3),
                _cell(row.iso_numeric),
                _cell(row.cow),
                _cell(row.gw),
                _cell(row.vdem),
                row.region,
                row.subregion,
                _cell(row.start),
                _cell(row.end),
                _cell(row.successor),
                ALIAS_SEPARATOR.join(aliases[row.key]),
            ]
        )
    return buffer.getvalue()


def sources_folder(argument: str | None) -> Path:
    if argument:
        return Path(argument)
    configured = os.environ.get("LENS_SOURCES")
    return Path(configured) if configured else DEFAULT_SOURCES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("sources", nargs="?", help="data folder (default: $LENS_SOURCES)")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the table on disk is out of date"
    )
    args = parser.parse_args(argv)
    sources = sources_folder(args.sources)
    if not sources.is_dir():
        print(f"error: sources folder {sources} does not exist", file=sys.stderr)
        return 2
    try:
        rows, aliases = build_rows(sources)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    text = render(rows, aliases)
    relative = OUTPUT.relative_to(REPO_ROOT)
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else ""
        if current != text:
            print(f"{relative} is out of date: run scripts/build_countries.py", file=sys.stderr)
            return 1
        print(f"{relative} is up to date ({len(rows)} rows)")
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    count = sum(len(names) for names in aliases.values())
    print(f"wrote {relative}: {len(rows)} rows, {count} aliases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
