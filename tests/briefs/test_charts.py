"""The brief's charts: valid Vega-Lite that vl-convert draws offline, cut-offs and interval on
the forecast history, and a map zoomed to the country."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import vl_convert

from prevention_lens.briefs import charts
from prevention_lens.briefs.charts import (
    country_bounds,
    risk_history_png,
    risk_history_spec,
    risk_history_svg,
    signs_map_png,
    signs_map_spec,
    signs_map_svg,
)
from prevention_lens.errors import SettingsError
from prevention_lens.risk.forecasts import LEVELS
from tests.briefs.brief_samples import sample_brief

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
THAILAND, BRAZIL = "764", "76"


def _marks(node: Any, kind: str) -> list[dict[str, Any]]:
    """Every item of the given mark type in a Vega scenegraph, with absolute positions."""
    found: list[dict[str, Any]] = []

    def walk(item: Any, dx: float, dy: float) -> None:
        if isinstance(item, dict):
            x, y = dx + float(item.get("x", 0) or 0), dy + float(item.get("y", 0) or 0)
            if item.get("marktype") == kind and item.get("role") == "mark":
                found.extend(
                    {
                        **child,
                        "ax": x + float(child.get("x", 0)),
                        "ay": y + float(child.get("y", 0)),
                    }
                    for child in item.get("items", [])
                )
                return
            for child in item.get("items", []):
                walk(
                    child,
                    x if item.get("marktype") == "group" else dx,
                    y if item.get("marktype") == "group" else dy,
                )
        elif isinstance(item, list):
            for child in item:
                walk(child, dx, dy)

    walk(node.get("scenegraph", node), 0.0, 0.0)
    return found


def test_risk_history_draws_with_cutoffs_and_labelled_axes() -> None:
    spec = risk_history_spec(sample_brief())
    assert spec is not None
    rules = spec["layer"][0]
    assert rules["mark"]["type"] == "rule"
    floors = {row["floor"] for row in rules["data"]["values"]}
    assert floors <= {floor for _, floor in LEVELS if floor > 0}
    assert 0.08 in floors  # the brief's 9.1% lies above the "very high" cut-off, which is drawn
    line = spec["layer"][2]["encoding"]
    assert line["x"]["title"] and line["y"]["title"] == "Forecast probability"
    svg = risk_history_svg(sample_brief())
    assert svg is not None and svg.lstrip().startswith("<svg")
    assert "Forecast probability" in svg and "very high" in svg
    png = risk_history_png(sample_brief())
    assert png is not None and png.startswith(PNG_MAGIC)


def test_risk_history_shows_the_interval_only_when_known() -> None:
    with_interval = risk_history_spec(sample_brief())
    assert with_interval is not None
    assert with_interval["layer"][-1]["data"]["values"] == [
        {"year": 2024, "low": 0.06, "high": 0.13}
    ]
    brief = sample_brief()
    without = risk_history_spec(replace(brief, risk=replace(brief.risk, interval=None)))
    assert without is not None and len(without["layer"]) == len(with_interval["layer"]) - 1


def test_no_forecast_no_risk_chart() -> None:
    brief = sample_brief()
    empty = replace(brief, risk=replace(brief.risk, probability=None, history=(), interval=None))
    assert risk_history_spec(empty) is None
    assert risk_history_svg(empty) is None


def test_map_zooms_to_the_country() -> None:
    spec = signs_map_spec(sample_brief())
    assert spec is not None
    bounds = country_bounds("MMR")
    assert bounds is not None
    (west, south), (east, north) = spec["projection"]["fit"]["coordinates"]
    assert (
        west < bounds.west and east > bounds.east and south < bounds.south and north > bounds.north
    )
    assert (east - west) < 2 * (bounds.east - bounds.west)  # zoomed in, not the world
    neighbours = {feature["id"] for feature in spec["layer"][0]["data"]["values"]}
    assert THAILAND in neighbours and BRAZIL not in neighbours
    # Drawn: Myanmar's signs fall inside the view, a point in Paris outside it.
    signs = sample_brief().signs
    assert signs is not None
    paris = sample_brief(signs=replace(signs, points=((21.9, 95.9, 5), (48.9, 2.3, 5))))
    drawn = signs_map_spec(paris)
    assert drawn is not None
    scene = vl_convert.vegalite_to_scenegraph(drawn, allowed_base_urls=[])
    points = _marks(scene, "symbol")
    assert len(points) == 2
    width, height = drawn["width"], drawn["height"]
    inside = [0 <= p["ax"] <= width and 0 <= p["ay"] <= height for p in points]
    assert inside == [True, False]


def test_map_renders_to_svg_and_png() -> None:
    svg = signs_map_svg(sample_brief())
    assert svg is not None and "<path" in svg and "Warning signs" in svg
    png = signs_map_png(sample_brief())
    assert png is not None and png.startswith(PNG_MAGIC)


def test_a_country_across_the_date_line_is_one_box() -> None:
    fiji = country_bounds("FJI")
    assert fiji is not None
    assert fiji.east > 180 and fiji.east - fiji.west < 20
    spec = signs_map_spec(sample_brief("FJI", "Fiji", signs=None))
    assert spec is not None and spec["projection"]["rotate"][0] == pytest.approx(-fiji.centre_lon)


def test_map_without_an_outline_fits_the_points_or_is_none() -> None:
    kosovo = sample_brief("XKX", "Kosovo")  # no ISO numeric code, so no outline in the atlas
    spec = signs_map_spec(kosovo)
    assert spec is not None
    assert [layer["mark"]["type"] for layer in spec["layer"]][-1] == "circle"
    (west, _), (east, _) = spec["projection"]["fit"]["coordinates"]
    assert west < 94.5 and east > 96.2
    assert signs_map_spec(replace(kosovo, signs=None)) is None
    assert signs_map_svg(replace(kosovo, signs=None)) is None


def test_rendering_never_fetches() -> None:
    spec: dict[str, Any] = {
        "data": {"url": "https://example.org/data.json"},
        "mark": "point",
        "encoding": {"x": {"field": "a", "type": "quantitative"}},
    }
    with pytest.raises(Exception, match=r"(?i)allowed|url|denied|permission"):
        charts._svg(spec)


def test_missing_outlines_are_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    charts._atlas.cache_clear()
    monkeypatch.setattr(charts, "ATLAS_PATH", ("static", "vendor", "absent.json"))
    try:
        with pytest.raises(SettingsError, match="copy_assets"):
            signs_map_spec(sample_brief())
    finally:
        charts._atlas.cache_clear()
