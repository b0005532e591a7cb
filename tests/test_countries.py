"""The country reference: resolution by name, code and date, and the packaged table's integrity."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from itertools import combinations
from pathlib import Path

import pytest

from prevention_lens.countries import (
    SCHEMES,
    CountryRecord,
    CountryReference,
    load_reference_records,
    normalize_name,
    reference,
)
from prevention_lens.errors import NotFoundError, UnknownCountryError, ValidationError
from tests.conftest import sources_folder

REPO_ROOT = Path(__file__).resolve().parents[1]
HISTORICAL = {"SUN", "YUG", "DDR", "FRG", "CSK", "YAR", "YMD", "RVN", "ZAN", "TBT"}


def _overlap(first: CountryRecord, second: CountryRecord) -> bool:
    return (first.start_date or date.min) <= (second.end_date or date.max) and (
        second.start_date or date.min
    ) <= (first.end_date or date.max)


def _names(record: CountryRecord) -> set[str]:
    return {normalize_name(text) for text in (record.name, *record.aliases)}


@pytest.mark.parametrize(
    ("query", "scheme"),
    [
        ("Burma", None),
        ("Myanmar (Burma)", None),
        ("MMR", None),
        ("mmr", None),
        (775, "cow"),
        ("775", "gw"),
        ("cow:775", None),
        ("iso3:MMR", None),
        ("iso_numeric:104", None),
        ("  myanmar ", None),
    ],
)
def test_myanmar_resolves_from_names_and_codes(query: str | int, scheme: str | None) -> None:
    record = reference().resolve(query, scheme=scheme)
    assert (record.key, record.cow, record.gw, record.iso3) == ("MMR", 775, 775, "MMR")
    assert (record.iso_numeric, record.name) == (104, "Myanmar")


@pytest.mark.parametrize(
    ("query", "scheme", "on", "key"),
    [
        (345, "gw", date(1995, 1, 1), "YUG"),
        (345, "gw", date(2010, 1, 1), "SRB"),
        (345, "cow", date(1995, 1, 1), "YUG"),
        (345, "cow", date(2010, 1, 1), "SRB"),
        (340, "gw", date(2010, 1, 1), "SRB"),
        (678, "cow", date(1985, 1, 1), "YAR"),
        (679, "cow", None, "YEM"),
        (678, "gw", date(1985, 1, 1), "YAR"),
        (678, "gw", date(2000, 1, 1), "YEM"),
        (680, "cow", date(1985, 1, 1), "YMD"),
        (365, None, date(1980, 1, 1), "SUN"),
        (365, None, None, "RUS"),
        (365, "gw", date(1991, 12, 25), "SUN"),
        (365, "gw", date(1991, 12, 26), "RUS"),
        (260, None, date(1980, 1, 1), "FRG"),
        (260, "gw", date(1980, 1, 1), "FRG"),
        (260, "gw", date(2000, 1, 1), "DEU"),
        (255, "cow", None, "DEU"),
        (265, "cow", date(1980, 1, 1), "DDR"),
        (816, "gw", date(1970, 1, 1), "VNM"),
        (817, "gw", date(1970, 1, 1), "RVN"),
        (315, "cow", date(1980, 1, 1), "CSK"),
        (316, "cow", None, "CZE"),
        (317, "cow", None, "SVK"),
        (511, "cow", date(1964, 1, 1), "ZAN"),
        (626, "cow", None, "SSD"),
        (531, "cow", None, "ERI"),
        ("vdem:11", None, date(1980, 1, 1), "SUN"),
        ("vdem:11", None, None, "RUS"),
        ("Russia (Soviet Union)", None, date(1980, 1, 1), "SUN"),
        ("Russia (Soviet Union)", None, date(2005, 1, 1), "RUS"),
        ("Serbia (Yugoslavia)", None, date(1995, 1, 1), "YUG"),
        ("Serbia (Yugoslavia)", None, None, "SRB"),
        ("Yemen (North Yemen)", None, date(1985, 1, 1), "YAR"),
        ("Yemen (North Yemen)", None, date(2015, 1, 1), "YEM"),
        ("Soviet Union", None, None, "SUN"),
        ("West Germany", None, None, "FRG"),
        ("FRG", None, None, "FRG"),
    ],
)
def test_historical_states_resolve_by_date(
    query: str | int, scheme: str | None, on: date | None, key: str
) -> None:
    assert reference().resolve(query, scheme=scheme, on=on).key == key


def test_a_bare_number_is_cow_first_then_gw() -> None:
    assert reference().resolve(340).key == "SRB"  # GW only: Serbia
    assert reference().resolve("255").key == "DEU"  # COW: Germany
    assert reference().resolve(711, on=date(1940, 1, 1)).key == "TBT"  # GW only: Tibet


def test_historical_rows_carry_dates_and_successors() -> None:
    records = {record.key: record for record in load_reference_records()}
    assert set(records) >= HISTORICAL
    for key in HISTORICAL:
        assert records[key].end_date is not None, key
    assert records["SUN"].end_date == date(1991, 12, 25)
    assert records["RUS"].start_date == date(1991, 12, 26)
    assert records["YUG"].end_date == date(2006, 6, 4) and records["YUG"].successor_key == "SRB"
    assert records["YAR"].end_date == date(1990, 5, 21)
    assert records["YEM"].start_date == date(1990, 5, 22)
    assert records["DEU"].cow == 255 and records["DEU"].gw == 260
    assert records["FRG"].cow == 260 and records["DDR"].cow == 265
    assert records["VNM"].gw == 816 and records["RVN"].gw == 817
    assert records["SSD"].start_date == date(2011, 7, 9)
    assert records["ERI"].start_date == date(1993, 5, 24)
    kosovo = records["XKX"]
    assert (kosovo.cow, kosovo.gw, kosovo.iso3, kosovo.iso_numeric) == (347, 347, "XKX", None)
    assert records["TWN"].iso_numeric == 158 and records["TWN"].cow == 713
    day = date(1980, 6, 1)
    assert records["SUN"].existed_on(day) and not records["RUS"].existed_on(day)


def test_unknown_name_raises_with_suggestions() -> None:
    with pytest.raises(UnknownCountryError) as caught:
        reference().resolve("Myanmr")
    assert caught.value.suggestions[0] == "Myanmar"
    assert "Did you mean: Myanmar" in str(caught.value)
    assert isinstance(caught.value, NotFoundError)
    assert "Sudan" in reference().suggest("Sudann")
    assert reference().suggest("Sudann", limit=1) == ["Sudan"]


@pytest.mark.parametrize(
    "query",
    ["Atlantis", "cow:9999", "gw:1", "iso3:ZZZ", "iso2:QQ", "cow:abc", "", "9999", "ZZ"],
)
def test_unknown_queries_raise_unknown_country(query: str) -> None:
    with pytest.raises(UnknownCountryError):
        reference().resolve(query)


def test_unknown_scheme_and_key() -> None:
    with pytest.raises(ValidationError, match="unknown scheme 'fips'"):
        reference().resolve("775", scheme="fips")
    with pytest.raises(ValidationError, match="unknown scheme 'fips'"):
        reference().resolve("fips:775")
    with pytest.raises(UnknownCountryError):
        reference().by_key("ZZZ")
    assert reference().by_key("mmr").key == "MMR"


def test_a_name_shared_by_two_current_countries_is_an_error() -> None:
    ambiguous = CountryReference(
        load_reference_records(), extra_aliases=[("Korea", "PRK"), ("Korea", "KOR")]
    )
    with pytest.raises(ValidationError) as caught:
        ambiguous.resolve("Korea")
    assert "North Korea (PRK)" in str(caught.value) and "South Korea (KOR)" in str(caught.value)


def test_extra_aliases_are_added_on_top() -> None:
    extended = CountryReference(
        load_reference_records(), extra_aliases=[("Union of Myanmar", "MMR")]
    )
    assert extended.resolve("union of myanmar").key == "MMR"
    assert "Union of Myanmar" in extended.by_key("MMR").aliases
    assert "Union of Myanmar" not in reference().by_key("MMR").aliases
    with pytest.raises(UnknownCountryError):
        CountryReference(load_reference_records(), extra_aliases=[("Nowhere", "ZZZ")])


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("Côte d’Ivoire", "cote divoire"),
        ("Cote d'Ivoire", "cote divoire"),
        ("The Gambia", "gambia"),
        ("Bosnia & Herzegovina", "bosnia and herzegovina"),
        ("Guinea-Bissau", "guinea bissau"),
        ("  São Tomé   and Príncipe ", "sao tome and principe"),
        ("Korea, People's Republic of", "korea peoples republic of"),
        ("Myanmar (Burma)", "myanmar burma"),
        ("Burma/Myanmar", "burma myanmar"),
        ("St. Kitts & Nevis", "st kitts and nevis"),
        ("TÜRKIYE", "turkiye"),
        ("the", "the"),
    ],
)
def test_normalize_name(text: str, normalized: str) -> None:
    assert normalize_name(text) == normalized


def test_to_dict_is_json_ready() -> None:
    payload = reference().by_key("YUG").to_dict()
    assert json.loads(json.dumps(payload)) == payload
    assert payload["end_date"] == "2006-06-04" and payload["successor_key"] == "SRB"
    assert isinstance(payload["aliases"], list) and "Serbia and Montenegro" in payload["aliases"]
    assert list(payload) == [
        "key",
        "name",
        "iso2",
        "iso3",
        "iso_numeric",
        "cow",
        "gw",
        "vdem",
        "region",
        "subregion",
        "start_date",
        "end_date",
        "successor_key",
        "aliases",
    ]


def test_packaged_table_keys_are_unique_and_short() -> None:
    records = load_reference_records()
    keys = [record.key for record in records]
    assert len(keys) == len(set(keys)) and keys == sorted(keys)
    assert all(key.isupper() and key.isalpha() and len(key) == 3 for key in keys)
    assert {record.region for record in records} <= {
        "Africa",
        "Americas",
        "Asia",
        "Europe",
        "Middle East & North Africa",
        "Oceania",
        "Antarctica",
    }
    for record in records:
        if record.iso3 is not None and record.end_date is None:
            assert record.key == record.iso3
        if record.successor_key is not None:
            assert reference().by_key(record.successor_key).key == record.successor_key


def test_rows_sharing_a_code_never_overlap_in_dates() -> None:
    records = load_reference_records()
    for scheme in SCHEMES:
        sharing: dict[object, list[CountryRecord]] = {}
        for record in records:
            value = record.code(scheme)
            if value is not None:
                sharing.setdefault(value, []).append(record)
        for code, group in sharing.items():
            for first, second in combinations(group, 2):
                assert not _overlap(first, second), f"{scheme} {code}: {first.key}/{second.key}"


def test_rows_sharing_a_name_never_overlap_in_dates() -> None:
    by_name: dict[str, list[CountryRecord]] = {}
    for record in load_reference_records():
        for name in _names(record):
            by_name.setdefault(name, []).append(record)
    for name, group in by_name.items():
        for first, second in combinations(group, 2):
            assert not _overlap(first, second), f"{name!r}: {first.key}/{second.key}"


def test_every_current_state_resolves_by_its_own_name_and_codes() -> None:
    for record in load_reference_records():
        for scheme in SCHEMES:
            value = record.code(scheme)
            if value is not None:
                on = record.end_date or record.start_date
                assert reference().by_code(scheme, value, on=on).key == record.key
        if record.end_date is None:
            assert reference().resolve(record.name).key == record.key


# ---- checks against the real data --------------------------------------------------------


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from csv.DictReader(handle)


@pytest.mark.shared_data
def test_every_ewp_name_resolves_to_its_cow_code() -> None:
    sheet = sources_folder() / "ewp-2025" / "countrynamesheet_complete.csv"
    rows = list(_read_csv(sheet))
    assert len(rows) > 150
    records = load_reference_records()
    for row in rows:
        name, ccode = row["ewp_name"], int(row["ccode"])
        found = reference().resolve(name)
        assert found.cow == ccode, (name, ccode, found.key)
        assert reference().by_code("cow", ccode).key == found.key, name
        owners = [record.key for record in records if normalize_name(name) in _names(record)]
        assert owners == [found.key], (name, owners)
    # EWP keeps 255 for West Germany's years and 345 for Yugoslavia's: both are the current row.
    assert reference().resolve("Germany").key == "DEU"
    assert reference().by_code("cow", 255, on=date(1980, 1, 1)).key == "DEU"
    assert reference().resolve("Serbia").cow == 345
    assert reference().resolve("Russia").key == "RUS"
    assert reference().resolve("East Germany").cow == 265


def _successor_of_code(record: CountryRecord, scheme: str, code: int) -> bool:
    """UCDP keeps GW 345 for Serbia after 2006, where GW itself has 340."""
    return any(
        other.successor_key == record.key and other.code(scheme) == code
        for other in load_reference_records()
    )


@pytest.mark.shared_data
def test_every_ged_country_id_resolves_on_its_event_date() -> None:
    paths = sorted((sources_folder() / "ucdp" / "ged").glob("*.csv"))
    assert paths, "no GED files"
    seen: set[tuple[str, int, str]] = set()
    for path in paths:
        for row in _read_csv(path):
            seen.add((row["country"], int(row["country_id"]), row["date_start"][:10]))
    assert len(seen) > 100
    for label, gw, day in sorted(seen):
        on = date.fromisoformat(day)
        found = reference().resolve(gw, scheme="gw", on=on)
        assert found.gw == gw or _successor_of_code(found, "gw", gw), (label, gw, day, found.key)
        assert normalize_name(label) in _names(found), (label, found.key)
        assert reference().resolve(label, on=on).key == found.key, (label, day)


@pytest.mark.shared_data
def test_every_world_atlas_country_has_a_row() -> None:
    atlas = json.loads((sources_folder() / "geo" / "countries-50m.json").read_text())
    numeric = {record.iso_numeric for record in load_reference_records() if record.end_date is None}
    for feature in atlas["objects"]["countries"]["geometries"]:
        if feature.get("id") is not None:
            assert int(feature["id"]) in numeric, feature
    assert reference().resolve("Kosovo").key == "XKX"


@pytest.mark.shared_data
def test_build_script_check_passes() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "build_countries.py"), "--check"],
        env={**os.environ, "LENS_SOURCES": str(sources_folder())},
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("query", ["²", "٣", "७७५", "¹²"])
def test_digits_of_other_scripts_are_names_not_codes(query: str) -> None:
    # str.isdigit() accepts superscripts and other scripts' digits that int() refuses: such a
    # query is an unknown name (404 with suggestions), never a server error.
    with pytest.raises(UnknownCountryError):
        reference().resolve(query)


def test_an_unknown_country_is_named_with_the_nearest_names() -> None:
    from prevention_lens.countries import reference

    assert reference().unknown("Narnia").startswith("unknown country 'Narnia'; did you mean ")
    assert reference().unknown("Zzqx") == "unknown country 'Zzqx'"
