"""The brief's two pictures as Vega-Lite specs (plain dicts): the country's forecast history and a
small map of its warning signs, rendered offline by vl-convert to SVG (HTML) or PNG (PDF).

The specs are ordinary Vega-Lite, so a web page can draw the same charts with vega-embed; the
map's data is inline GeoJSON cut from the ``world-atlas`` outlines the web app ships in
``web/static/vendor`` (read as a package resource, never fetched). Rendering allows no base URL,
so a spec can never reach the network.

Public API::

    risk_history_spec(brief) -> dict | None     # None: no forecast to draw
    signs_map_spec(brief) -> dict | None        # None: no outline and no located signs
    risk_history_svg(brief) -> str | None;  risk_history_png(brief) -> bytes | None
    signs_map_svg(brief) -> str | None;     signs_map_png(brief) -> bytes | None
    country_bounds(key) -> Bounds | None        # the outline's extent, for the map's zoom
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import vl_convert

from prevention_lens.briefs.parts import CountryBrief
from prevention_lens.countries import reference
from prevention_lens.errors import LensError, SettingsError
from prevention_lens.risk.forecasts import LEVELS

# The outlines the web app's maps use (scripts/copy_assets.py copies them from npm world-atlas).
ATLAS_PACKAGE = "prevention_lens.web"
ATLAS_PATH = ("static", "vendor", "world-atlas", "countries-50m.json")
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
PNG_SCALE = 2.0  # PNGs go into a PDF printed at about 150 dpi
PADDING = 0.12  # share of the country's extent added on each side of the map
CROWDED = 50  # places: more than this and the circles get smaller so the country shows
MIN_SPAN = 2.0  # degrees: a small country or a lone point is still shown in its region
INK, MUTED, ACCENT, LAND, NEIGHBOUR = "#222222", "#777777", "#b2182b", "#e4e4e4", "#f3f3f3"
FONT = "Noto Sans, DejaVu Sans, sans-serif"


@dataclass(frozen=True)
class Bounds:
    """A geographic box: longitudes may run past 180 for a country across the date line."""

    west: float
    south: float
    east: float
    north: float

    @property
    def centre_lon(self) -> float:
        return (self.west + self.east) / 2

    def padded(self, share: float = PADDING, min_span: float = MIN_SPAN) -> Bounds:
        half_x = max(self.east - self.west, min_span) * (0.5 + share)
        half_y = max(self.north - self.south, min_span) * (0.5 + share)
        mid_y = (self.north + self.south) / 2
        return Bounds(
            self.centre_lon - half_x,
            max(mid_y - half_y, -85.0),
            self.centre_lon + half_x,
            min(mid_y + half_y, 85.0),
        )

    def contains(self, lon: float, lat: float) -> bool:
        lon = _near(lon, self.centre_lon)
        return self.west <= lon <= self.east and self.south <= lat <= self.north


def _near(lon: float, centre: float) -> float:
    """The same longitude written within 180° of ``centre`` (so boxes may cross the date line)."""
    return (lon - centre + 180.0) % 360.0 - 180.0 + centre


def _bounds_around(lons: np.ndarray, lats: np.ndarray) -> Bounds:
    """The smallest box around the points, allowing it to cross the date line."""
    ordered = np.sort(np.unique(np.mod(lons, 360.0)))
    gaps = np.diff(np.append(ordered, ordered[0] + 360.0))
    widest = int(np.argmax(gaps))  # the box is the circle minus its widest empty gap
    west = float(ordered[(widest + 1) % len(ordered)])
    east = float(ordered[widest])
    if east < west:
        east += 360.0
    if west > 180.0:
        west, east = west - 360.0, east - 360.0
    return Bounds(west, float(lats.min()), east, float(lats.max()))


@dataclass(frozen=True)
class _Outline:
    feature: dict[str, Any]  # GeoJSON Feature
    lons: np.ndarray
    lats: np.ndarray


@lru_cache(maxsize=1)
def _atlas() -> dict[int, _Outline]:
    """Every country outline in the atlas, decoded from TopoJSON to GeoJSON, by ISO numeric."""
    resource = resources.files(ATLAS_PACKAGE).joinpath(*ATLAS_PATH)
    try:
        topology = json.loads(resource.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise SettingsError(
            f"The map outlines are missing ({'/'.join(ATLAS_PATH)} in {ATLAS_PACKAGE}): run "
            "`npm ci && python scripts/copy_assets.py` (make assets) to copy them from world-atlas."
        ) from error
    (scale_x, scale_y), (shift_x, shift_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    arcs = []
    for arc in topology["arcs"]:
        steps = np.asarray(arc, dtype=float).reshape(-1, 2)  # delta-encoded, quantized
        position = np.cumsum(steps, axis=0)
        arcs.append(
            np.column_stack(
                (position[:, 0] * scale_x + shift_x, position[:, 1] * scale_y + shift_y)
            ).round(4)
        )

    def ring(indexes: list[int]) -> np.ndarray:
        parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in indexes]
        return np.concatenate([parts[0], *(part[1:] for part in parts[1:])])

    outlines: dict[int, _Outline] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") is None or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [[ring(r) for r in polygon] for polygon in polygons]
        points = np.concatenate([r for polygon in rings for r in polygon])
        outlines[int(geometry["id"])] = _Outline(
            feature={
                "type": "Feature",
                "id": geometry["id"],
                "properties": {"name": geometry.get("properties", {}).get("name", "")},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [[r.tolist() for r in polygon] for polygon in rings],
                },
            },
            lons=points[:, 0],
            lats=points[:, 1],
        )
    return outlines


def _iso_numeric(key: str) -> int | None:
    try:
        return reference().by_key(key).iso_numeric
    except LensError:  # a key the reference does not hold has no outline
        return None


def country_bounds(key: str) -> Bounds | None:
    """The extent of the country's outline in the atlas, or None when it has none."""
    number = _iso_numeric(key)
    outline = _atlas().get(number) if number is not None else None
    return None if outline is None else _bounds_around(outline.lons, outline.lats)


def _box_overlaps(outline: _Outline, box: Bounds) -> bool:
    lons = (outline.lons - box.centre_lon + 180.0) % 360.0 - 180.0 + box.centre_lon
    return bool(
        lons.min() <= box.east
        and lons.max() >= box.west
        and outline.lats.min() <= box.north
        and outline.lats.max() >= box.south
    )


def _config() -> dict[str, Any]:
    return {
        "font": FONT,
        "view": {"stroke": None},
        "axis": {"labelFontSize": 10, "titleFontSize": 10, "titleColor": INK},
        "legend": {"labelFontSize": 10, "titleFontSize": 10},
    }


def risk_history_spec(brief: CountryBrief) -> dict[str, Any] | None:
    """Year × forecast probability, the current interval as a bar at the latest year, and the
    level cut-offs as labelled rules; None when the brief holds no forecast at all."""
    risk = brief.risk
    history = list(risk.history)
    if not history and risk.probability is None:
        return None
    if not history and risk.probability is not None:
        # One forecast and no history: draw it at the year it was made, if the figures say so.
        history = [(brief.generated_at.year, risk.probability)]
    latest_year = max(year for year, _ in history)
    top = max([p for _, p in history] + [risk.interval[1] if risk.interval else 0.0])
    cutoffs: list[dict[str, Any]] = [
        {"level": name, "floor": floor}
        for name, floor in LEVELS
        if floor > 0 and floor <= max(top * 1.3, LEVELS[-2][1])
    ]
    y_max = max(top, max((c["floor"] for c in cutoffs), default=0.0)) * 1.15
    y_scale = {"domain": [0, round(y_max, 4)], "nice": False}
    x_encoding = {
        "field": "year",
        "type": "quantitative",
        "title": "Year of forecast",
        "axis": {"format": "d", "tickMinStep": 1},
        "scale": {"zero": False, "padding": 8},
    }
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": cutoffs},
            "mark": {"type": "rule", "color": MUTED, "strokeDash": [3, 3]},
            "encoding": {"y": {"field": "floor", "type": "quantitative", "scale": y_scale}},
        },
        {
            "data": {"values": cutoffs},
            "mark": {
                "type": "text",
                "align": "left",
                "baseline": "bottom",
                "dx": 2,
                "dy": -1,
                "color": MUTED,
                "fontSize": 9,
            },
            "encoding": {
                "y": {"field": "floor", "type": "quantitative"},
                "x": {"value": 0},
                "text": {"field": "level", "type": "nominal"},
            },
        },
        {
            "data": {"values": [{"year": y, "probability": p} for y, p in history]},
            "mark": {
                "type": "line",
                "color": ACCENT,
                "point": {"color": ACCENT, "size": 30},
                "strokeWidth": 2,
            },
            "encoding": {
                "x": x_encoding,
                "y": {
                    "field": "probability",
                    "type": "quantitative",
                    "title": "Forecast probability",
                    "axis": {"format": ".0%"},
                    "scale": y_scale,
                },
            },
        },
    ]
    if risk.interval is not None:
        low, high = risk.interval
        layers.append(
            {
                "data": {"values": [{"year": latest_year, "low": low, "high": high}]},
                "mark": {"type": "rule", "color": ACCENT, "strokeWidth": 6, "opacity": 0.35},
                "encoding": {
                    "x": {"field": "year", "type": "quantitative"},
                    "y": {"field": "low", "type": "quantitative"},
                    "y2": {"field": "high"},
                },
            }
        )
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": f"Forecast probability of a new mass killing in {brief.name}, by year",
        "width": 300,
        "height": 150,
        "config": _config(),
        "layer": layers,
    }


def _points_bounds(points: list[tuple[float, float, int]]) -> Bounds | None:
    if not points:
        return None
    lats = np.array([lat for lat, _, _ in points])
    lons = np.array([lon for _, lon, _ in points])
    return _bounds_around(lons, lats)


def signs_map_spec(brief: CountryBrief) -> dict[str, Any] | None:
    """The country's outline among its neighbours, zoomed to its extent, with a circle sized by
    count at each place warning signs were recorded; None when there is nothing to draw."""
    points = list(brief.signs.points) if brief.signs is not None else []
    number = _iso_numeric(brief.key)
    outline = _atlas().get(number) if number is not None else None
    bounds = (
        _bounds_around(outline.lons, outline.lats)
        if outline is not None
        else _points_bounds(points)
    )
    if bounds is None:
        return None
    view = bounds.padded()
    layers: list[dict[str, Any]] = []
    neighbours = [
        item.feature
        for key, item in _atlas().items()
        if key != number and _box_overlaps(item, view)
    ]
    if neighbours:
        layers.append(
            {
                "data": {"values": neighbours},
                "mark": {
                    "type": "geoshape",
                    "fill": NEIGHBOUR,
                    "stroke": "#b5b5b5",
                    "strokeWidth": 0.5,
                    "clip": True,
                },
            }
        )
    if outline is not None:
        layers.append(
            {
                "data": {"values": [outline.feature]},
                "mark": {
                    "type": "geoshape",
                    "fill": LAND,
                    "stroke": INK,
                    "strokeWidth": 0.8,
                    "clip": True,
                },
            }
        )
    if points:
        layers.append(
            {
                "data": {
                    "values": [{"lat": lat, "lon": lon, "count": n} for lat, lon, n in points]
                },
                "mark": {
                    "type": "circle",
                    "color": ACCENT,
                    "opacity": 0.7,
                    "stroke": "white",
                    "strokeWidth": 0.5,
                    "clip": True,
                },
                "encoding": {
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "size": {
                        "field": "count",
                        "type": "quantitative",
                        "title": "Warning signs",
                        "scale": {
                            "zero": True,
                            "range": [0, 450 if len(points) <= CROWDED else 180],
                        },
                        "legend": {"format": "d", "tickMinStep": 1},
                    },
                },
            }
        )
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": f"Where warning signs were recorded in {brief.name}",
        "width": 300,
        "height": 220,
        "padding": 6,
        "config": _config(),
        "projection": {
            "type": "mercator",
            "rotate": [-bounds.centre_lon, 0, 0],
            # Fit the two corners of the padded box: the view is the country, not the world.
            "fit": {
                "type": "MultiPoint",
                "coordinates": [[view.west, view.south], [view.east, view.north]],
            },
        },
        "layer": layers,
    }


def _svg(spec: dict[str, Any] | None) -> str | None:
    if spec is None:
        return None
    # No base URL is allowed: every spec carries its data inline and must never fetch.
    svg: str = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    return svg


def _png(spec: dict[str, Any] | None) -> bytes | None:
    if spec is None:
        return None
    png: bytes = vl_convert.vegalite_to_png(spec, scale=PNG_SCALE, allowed_base_urls=[])
    return png


def risk_history_svg(brief: CountryBrief) -> str | None:
    return _svg(risk_history_spec(brief))


def risk_history_png(brief: CountryBrief) -> bytes | None:
    return _png(risk_history_spec(brief))


def signs_map_svg(brief: CountryBrief) -> str | None:
    return _svg(signs_map_spec(brief))


def signs_map_png(brief: CountryBrief) -> bytes | None:
    return _png(signs_map_spec(brief))
