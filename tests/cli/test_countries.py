"""`lens countries`: resolution with codes, JSON for scripts, suggestions for unknown names."""

from __future__ import annotations

from tests.cli.conftest import Lens


def test_resolve_burma_as_json(lens: Lens) -> None:
    result = lens("countries", "resolve", "Burma", "--json")
    assert result.code == 0, result.err
    payload = result.json()
    assert isinstance(payload, dict)
    assert payload["name"] == "Myanmar" and payload["cow"] == 775 and payload["iso3"] == "MMR"


def test_resolve_by_code_and_date(lens: Lens) -> None:
    for query in ("MMR", "Myanmar (Burma)", "cow:775"):
        payload = lens("countries", "resolve", query, "--json").json()
        assert isinstance(payload, dict) and payload["key"] == "MMR", query
    old = lens("countries", "resolve", "345", "--scheme", "gw", "--on", "1990-01-01", "--json")
    new = lens("countries", "resolve", "345", "--scheme", "cow", "--on", "2010-01-01", "--json")
    assert isinstance(old.json(), dict) and old.json()["key"] == "YUG"  # type: ignore[index]
    assert isinstance(new.json(), dict) and new.json()["key"] == "SRB"  # type: ignore[index]


def test_unknown_country_is_one_line_with_suggestions(lens: Lens) -> None:
    result = lens("countries", "resolve", "Myanmr")
    assert result.code == 2
    assert result.err.startswith("Error: Unknown country 'Myanmr'. Did you mean: Myanmar")
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_bad_options_are_clear(lens: Lens) -> None:
    assert lens("countries", "resolve", "775", "--scheme", "fips").err.startswith(
        "Error: unknown scheme 'fips'"
    )
    assert "is not a date like" in lens("countries", "resolve", "775", "--on", "soon").err


def test_list_filters_by_region_and_date(lens: Lens) -> None:
    everything = lens("countries", "list", "--json").json()
    in_1980 = lens("countries", "list", "--on", "1980-06-01", "--json").json()
    assert isinstance(everything, list) and isinstance(in_1980, list)
    keys_1980 = {row["key"] for row in in_1980}
    assert {"SUN", "YUG", "DDR"} <= keys_1980 and "RUS" not in keys_1980
    assert len(in_1980) < len(everything)


def test_an_empty_list_says_why(lens: Lens) -> None:
    unknown = lens("countries", "list", "--region", "Atlantis")
    assert unknown.code == 0
    assert unknown.out.startswith("No country matches: region 'Atlantis' (regions: Africa, ")
