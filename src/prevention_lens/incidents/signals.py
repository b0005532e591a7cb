"""Escalation signals: each place's monthly event and death counts judged against its own past.

A month alerts when its count is improbably high under a negative binomial fitted to the same
place's trailing months only (``prevention_lens.surges``, shared with speech surges); every
alert lists the events behind it. ``docs/signals.md``.
Episodes and the backtest are in ``prevention_lens.incidents.episodes``.

Public API::

    SERIES: dict[str, str]                       # series name -> plain-language label
    LEVELS = ("country", "admin1")
    ORDERS = ("recent", "strength")              # newest month first, or strongest first
    COLUMNS                                      # the columns the events frame needs
    OPTIONAL_COLUMNS                             # date_end, date_precision, perpetrator_kind
    LOW_PRECISION_SHARE                          # an alert resting this much on month/year dates
    AGAINST_CIVILIANS                            # category codes the one_sided_* series count
    SignalSettings(baseline_months=24, min_history=6, alpha=0.01, min_count=3,
                   min_fatalities=10, rate_floor=0.1, deaths_per_event=10,
                   series=tuple(SERIES))
    Alert                                        # frozen; .to_dict()
    monthly_series(events, level="country") -> DataFrame
    escalation_signals(events, *, level="country", settings=None, since=None,
                       order="recent") -> list[Alert]

Events dated only to the month or the year (``date_precision`` "month" or "year", GED's
date_prec 4 and 5) are spread evenly over the months from ``date`` to ``date_end`` (a year-dated
event without an end: its calendar year), so that a year's deaths recorded on 1 January do not
make a false January alert; alerts where such events carry at least ``LOW_PRECISION_SHARE`` of
the count are flagged ``low_precision``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from prevention_lens import surges
from prevention_lens.errors import ValidationError

# The input's columns are part of this module's public API; they are defined with the input.
from prevention_lens.incidents.signal_events import AGAINST_CIVILIANS as AGAINST_CIVILIANS
from prevention_lens.incidents.signal_events import COLUMNS as COLUMNS
from prevention_lens.incidents.signal_events import OPTIONAL_COLUMNS as OPTIONAL_COLUMNS
from prevention_lens.incidents.signal_events import _prepare
from prevention_lens.incidents.taxonomy import PERPETRATOR_KINDS
from prevention_lens.surges import SCORE_CAP as SCORE_CAP

SERIES: dict[str, str] = {
    "one_sided_events": "Events of violence against civilians",
    "one_sided_fatalities": "Deaths in violence against civilians",
    "identity_targeted_events": "Events targeting people for their identity",
    "identity_targeted_fatalities": "Deaths in events targeting people for their identity",
    "all_events": "All events",
    "all_fatalities": "Deaths in all events",
}
LEVELS = ("country", "admin1")
ORDERS = ("recent", "strength")
# An alert is flagged when events with such dates carry at least this share of its count.
LOW_PRECISION_SHARE = 0.5
# Which events each series counts (a kind), and whether it sums deaths rather than events.
_KIND = {name: name.rsplit("_", 1)[0] for name in SERIES}
_DEATHS = {name: name.endswith("_fatalities") for name in SERIES}
# For each series, the panel column counting the events behind it (for deaths: those with deaths).
_BEHIND = {name: f"{name}:events" if _DEATHS[name] else name for name in SERIES}
# For each series, the panel column holding the part of it that rests on month/year dates.
_IMPRECISE = {name: f"{name}:imprecise" for name in SERIES}
_COUNTS = list(dict.fromkeys([*SERIES, *_BEHIND.values(), *_IMPRECISE.values()]))
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _is_whole(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return False
    return math.isfinite(float(value))


# Each setting with the rule it must meet, declared once so errors name the setting and the value.
_RULES: tuple[tuple[str, Callable[[Any], bool], str], ...] = (
    ("baseline_months", lambda v: _is_whole(v) and 2 <= v <= 600, "a whole number from 2 to 600"),
    ("min_history", lambda v: _is_whole(v) and v >= 2, "a whole number, at least 2"),
    ("alpha", lambda v: _is_number(v) and 0 < v < 1, "a number strictly between 0 and 1"),
    ("min_count", lambda v: _is_whole(v) and v >= 1, "a whole number, at least 1"),
    ("min_fatalities", lambda v: _is_number(v) and v >= 1, "a number, at least 1"),
    ("rate_floor", lambda v: _is_number(v) and v > 0, "a positive number"),
    ("deaths_per_event", lambda v: _is_number(v) and v >= 1, "a number, at least 1"),
)


@dataclass(frozen=True)
class SignalSettings:
    """How a month is judged against its place's past (docs/signals.md explains each)."""

    baseline_months: int = 24  # trailing months the baseline is fitted on
    min_history: int = 6  # months of history a place needs before it can alert
    alpha: float = 0.01  # alert when P(X >= observed) under the baseline is below this
    min_count: int = 3  # and at least this many events behind the alert
    min_fatalities: float = 10  # and, for death series, at least this many deaths
    rate_floor: float = 0.1  # the baseline mean never goes below this many events a month
    deaths_per_event: float = 10  # death series: floors scaled as if events came this deadly
    series: tuple[str, ...] = tuple(SERIES)  # which series to watch

    def __post_init__(self) -> None:
        for name, rule, wanted in _RULES:
            value = getattr(self, name)
            if not rule(value):
                raise ValidationError(f"must be {wanted}, got {value!r}", field=name)
        if self.min_history > self.baseline_months:
            raise ValidationError(
                f"must not exceed baseline_months ({self.baseline_months}), got {self.min_history}",
                field="min_history",
            )
        if not isinstance(self.series, tuple) or not self.series:
            raise ValidationError(
                f"must be a non-empty tuple of series names, got {self.series!r}", field="series"
            )
        unknown = [name for name in self.series if name not in SERIES]
        if unknown:
            raise ValidationError(
                f"unknown series {', '.join(map(repr, unknown))}; choose from {', '.join(SERIES)}",
                field="series",
            )


@dataclass(frozen=True)
class Alert:
    """One place, one series, one month that stands out against the place's own past."""

    level: str
    country_key: str
    admin1: str | None
    series: str
    month: str
    observed: float
    expected: float  # the trailing baseline's mean (before the floor)
    p_value: float  # P(X >= observed) under the baseline
    score: float  # -log10(p_value), capped at SCORE_CAP
    event_ids: tuple[str, ...]
    # Share of ``observed`` from events dated only to the month or year (spread over months).
    imprecise_share: float = 0.0
    # Who committed the events behind it: state, non_state and/or unknown, in that order.
    perpetrator_kinds: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValidationError(f"must be one of {', '.join(LEVELS)}", field="level")
        if self.series not in SERIES:
            raise ValidationError(f"unknown series {self.series!r}", field="series")
        _month_number(self.month, "month")
        if not 0.0 <= self.imprecise_share <= 1.0:
            raise ValidationError("must be from 0 to 1", field="imprecise_share")
        unknown = [kind for kind in self.perpetrator_kinds if kind not in PERPETRATOR_KINDS]
        if unknown:
            raise ValidationError(f"unknown kinds {unknown!r}", field="perpetrator_kinds")

    @property
    def low_precision(self) -> bool:
        """Whether the alert rests mostly on events dated only to the month or the year."""
        return self.imprecise_share >= LOW_PRECISION_SHARE

    @property
    def place(self) -> str:
        """The place as analysts write it: ``MMR`` or ``MMR / Rakhine state``."""
        return self.country_key if self.admin1 is None else f"{self.country_key} / {self.admin1}"

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["event_ids"] = list(self.event_ids)
        data["perpetrator_kinds"] = list(self.perpetrator_kinds)
        data["low_precision"] = self.low_precision
        data["series_label"] = SERIES[self.series]
        data["place"] = self.place
        return data


# --- months -------------------------------------------------------------------------------


def _month_number(text: object, field_name: str) -> int:
    """``"2017-08"`` -> months since year 0, so that month arithmetic is integer arithmetic."""
    match = _MONTH.match(text) if isinstance(text, str) else None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValidationError(f"must be a month like 2017-08, got {text!r}", field=field_name)
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def _ordinal(label: str) -> int:
    """The month number of a label this module wrote itself (already checked)."""
    return int(label[:4]) * 12 + int(label[5:7]) - 1


def _month_label(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def _place_keys(level: str) -> list[str]:
    if level not in LEVELS:
        raise ValidationError(f"must be one of {', '.join(LEVELS)}, got {level!r}", field="level")
    return ["country_key"] if level == "country" else ["country_key", "admin1"]


# --- the monthly panel ----------------------------------------------------------------------


def _panel(prepared: pd.DataFrame, level: str) -> pd.DataFrame:
    """Place x month counts, zero-filled from each place's first event to the data's last month.

    Rows are sorted by place then month, each place's months contiguous; ``place`` numbers the
    places and ``position`` counts months since the place's first event.
    """
    keys = _place_keys(level)
    last_month = int(prepared["month"].max()) if len(prepared) else 0
    located = prepared.dropna(subset=keys) if level == "admin1" else prepared
    columns = ["place", *keys, "month", "position", *_COUNTS]
    if located.empty:
        return pd.DataFrame({name: [] for name in columns})
    deadly = located["fatalities"] > 0
    weight = located["weight"]
    counts = {
        name: weight * (located["fatalities"] if _DEATHS[name] else 1.0) * located[_KIND[name]]
        for name in SERIES
    }
    counted = located.assign(
        **counts,
        **{
            _BEHIND[name]: weight * (located[_KIND[name]] & deadly)
            for name in SERIES
            if _DEATHS[name]
        },
        **{_IMPRECISE[name]: counts[name] * located["imprecise"] for name in SERIES},
    )
    sums = counted.groupby([*keys, "month"], sort=True)[_COUNTS].sum()
    starts = sums.reset_index().groupby(keys, sort=True)["month"].min()
    lengths = (last_month - starts.to_numpy() + 1).astype(np.int64)
    place = np.repeat(np.arange(len(starts)), lengths)
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    position = np.arange(int(lengths.sum())) - offsets
    month = np.repeat(starts.to_numpy(), lengths) + position
    labels = starts.index.to_frame(index=False)
    panel = labels.iloc[place].reset_index(drop=True)
    panel.insert(0, "place", place)
    panel["month"] = month
    panel["position"] = position
    full = pd.MultiIndex.from_arrays([panel[key] for key in keys] + [panel["month"]])
    filled = sums.reindex(full, fill_value=0.0).to_numpy()
    for index, name in enumerate(_COUNTS):
        panel[name] = filled[:, index]
    return panel[columns]


def monthly_series(events: pd.DataFrame, level: str = "country") -> pd.DataFrame:
    """Monthly counts per place: ``country_key``, ``admin1``, ``month`` ("YYYY-MM"), one column
    per series. Months without events are zeros from a place's first event to the last month in
    the data; at admin1 level events without an admin1 are left out, at country level ``admin1``
    is empty."""
    keys = _place_keys(level)
    panel = _panel(_prepare(events), level)
    out = pd.DataFrame(
        {
            "country_key": panel["country_key"].astype(object),
            "admin1": panel["admin1"].astype(object) if "admin1" in keys else None,
            "month": [_month_label(int(m)) for m in panel["month"]],
        }
    )
    for name in SERIES:
        values = panel[name].to_numpy(dtype=float)
        # Event counts are whole unless an event dated to the month or year was spread.
        whole = not _DEATHS[name] and bool(np.all(values == np.round(values)))
        out[name] = values.astype(np.int64) if whole else values
    return out


# --- the baseline model (prevention_lens.surges, shared with speech surges) ---------------


def _score_panel(panel: pd.DataFrame, settings: SignalSettings) -> pd.DataFrame:
    """One row per (place, month, series) that alerts, with its observed, expected and p."""
    place = panel["place"].to_numpy()
    position = panel["position"].to_numpy()
    found = []
    for name in settings.series:
        x = panel[name].to_numpy(dtype=float)
        # Every alert has at least min_count events behind it, so one event is never an alert,
        # however deadly; death series also need min_fatalities deaths.
        enough = panel[_BEHIND[name]].to_numpy(dtype=float) >= settings.min_count
        if _DEATHS[name]:
            enough &= x >= settings.min_fatalities
        # Floors: never rarer than rate_floor events a month and never less spread than Poisson
        # events; deaths come in clusters, so for deaths both are scaled by deaths_per_event.
        scores = surges.score_series(
            x,
            place,
            position,
            periods=settings.baseline_months,
            min_history=settings.min_history,
            rate_floor=settings.rate_floor,
            cluster=settings.deaths_per_event if _DEATHS[name] else 1.0,
            eligible=enough,
        ).surges(settings.alpha)
        if not len(scores):
            continue
        found.append(
            pd.DataFrame(
                {
                    "row": scores.rows,
                    "series": name,
                    "observed": scores.observed,
                    "expected": scores.expected,
                    "log_p": scores.log_p,
                    "imprecise": panel[_IMPRECISE[name]].to_numpy(dtype=float)[scores.rows],
                }
            )
        )
    if not found:
        return pd.DataFrame(columns=["row", "series", "observed", "expected", "log_p", "imprecise"])
    return pd.concat(found, ignore_index=True)


def _events_behind(
    prepared: pd.DataFrame, keys: list[str]
) -> Callable[[tuple[object, ...], int, str], tuple[tuple[str, ...], tuple[str, ...]]]:
    """A look-up of the events behind one place, month and series, in date order, and the
    kinds of perpetrator among them (in PERPETRATOR_KINDS order)."""
    ordered = prepared.dropna(subset=keys).sort_values(["date", "event_id"], kind="stable")
    groups = ordered.groupby([*keys, "month"], sort=False).indices

    def behind(
        place: tuple[object, ...], month: int, series: str
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        rows = ordered.iloc[groups.get((*place, month), np.array([], dtype=int))]
        chosen = rows[_KIND[series]].to_numpy(dtype=bool, copy=True)
        if _DEATHS[series]:
            chosen &= rows["fatalities"].to_numpy() > 0
        present = set(rows["perpetrator_kind"].to_numpy()[chosen])
        kinds = tuple(kind for kind in PERPETRATOR_KINDS if kind in present)
        return tuple(rows["event_id"].to_numpy()[chosen]), kinds

    return behind


def escalation_signals(
    events: pd.DataFrame,
    *,
    level: str = "country",
    settings: SignalSettings | None = None,
    since: str | None = None,
    order: str = "recent",
) -> list[Alert]:
    """Every month, place and series that stands out against the place's own trailing
    baseline. ``order`` "recent" puts the newest month first (then the strongest), as early
    warning reads them; "strength" the strongest of all time first (then the later month).
    ``since`` ("YYYY-MM") keeps alerts from that month on; the baselines still use the months
    before it."""
    _place_keys(level)
    _check_order(order)
    first = _month_number(since, "since") if since is not None else None
    return _alerts(_prepare(events), level, settings or SignalSettings(), first, order)


def _check_order(order: object) -> None:
    if order not in ORDERS:
        raise ValidationError(f"must be one of {', '.join(ORDERS)}, got {order!r}", field="order")


def _alerts(
    prepared: pd.DataFrame,
    level: str,
    settings: SignalSettings,
    first: int | None,
    order: str = "recent",
) -> list[Alert]:
    keys = _place_keys(level)
    panel = _panel(prepared, level)
    hits = _score_panel(panel, settings)
    if first is not None:
        hits = hits[panel["month"].to_numpy()[hits["row"].to_numpy(dtype=int)] >= first]
    behind = _events_behind(prepared, keys)
    alerts = []
    for row, series, observed, expected, log_p, imprecise in hits.itertuples(index=False):
        record = panel.iloc[int(row)]
        place = tuple(record[key] for key in keys)
        score = surges.strength(float(log_p))
        event_ids, kinds = behind(place, int(record["month"]), str(series))
        alerts.append(
            Alert(
                level=level,
                country_key=str(record["country_key"]),
                admin1=str(record["admin1"]) if level == "admin1" else None,
                series=str(series),
                month=_month_label(int(record["month"])),
                observed=float(observed),
                expected=float(expected),
                p_value=math.exp(float(log_p)),
                score=score,
                event_ids=event_ids,
                imprecise_share=min(1.0, max(0.0, float(imprecise) / float(observed))),
                perpetrator_kinds=kinds,
            )
        )
    names = list(SERIES)
    recent = order == "recent"
    alerts.sort(
        key=lambda a: (
            -_ordinal(a.month) if recent else -a.score,
            -a.score if recent else -_ordinal(a.month),
            a.country_key,
            a.admin1 or "",
            names.index(a.series),
        )
    )
    return alerts
