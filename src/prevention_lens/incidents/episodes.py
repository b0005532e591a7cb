"""Alert episodes and the backtest: escalation alerts merged into runs, and judged against a peak.

Episodes merge nearby alert months; the backtest measures lead time and alerts that led to nothing.

Public API::

    AlertEpisode                                 # frozen; .to_dict()
    BacktestResult                               # TypedDict
    alert_episodes(alerts, *, max_gap_months=1) -> list[AlertEpisode]
    backtest_peak(events, *, country_key, admin1, peak_month, settings=None,
                  horizon_months=12, escalation_deaths=25.0) -> BacktestResult
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TypedDict

import pandas as pd

from prevention_lens.errors import ValidationError
from prevention_lens.incidents.signal_events import _prepare
from prevention_lens.incidents.signals import (
    SERIES,
    Alert,
    SignalSettings,
    _alerts,
    _is_number,
    _is_whole,
    _month_number,
    _ordinal,
    _panel,
    _place_keys,
)


@dataclass(frozen=True)
class AlertEpisode:
    """Alerts of one place and series in (nearly) consecutive months, merged."""

    level: str
    country_key: str
    admin1: str | None
    series: str
    first_month: str
    last_month: str
    alerts: tuple[Alert, ...] = field(repr=False)

    @property
    def peak_score(self) -> float:
        return max(alert.score for alert in self.alerts)

    @property
    def event_ids(self) -> tuple[str, ...]:
        return tuple(event for alert in self.alerts for event in alert.event_ids)

    def to_dict(self) -> dict[str, object]:
        return {
            "level": self.level,
            "country_key": self.country_key,
            "admin1": self.admin1,
            "series": self.series,
            "series_label": SERIES[self.series],
            "first_month": self.first_month,
            "last_month": self.last_month,
            "months": [alert.month for alert in self.alerts],
            "peak_score": self.peak_score,
            "event_ids": list(self.event_ids),
        }


def alert_episodes(alerts: Iterable[Alert], *, max_gap_months: int = 1) -> list[AlertEpisode]:
    """Alerts of one place and series merged while each follows the last within
    ``max_gap_months`` (1: consecutive months); strongest episode first."""
    if not _is_whole(max_gap_months) or max_gap_months < 1:
        raise ValidationError(
            f"must be a whole number, at least 1, got {max_gap_months!r}", field="max_gap_months"
        )
    by_track: dict[tuple[str, str, str | None, str], list[Alert]] = {}
    for alert in alerts:
        by_track.setdefault(
            (alert.level, alert.country_key, alert.admin1, alert.series), []
        ).append(alert)
    episodes: list[AlertEpisode] = []
    for (level, country_key, admin1, series), track in by_track.items():
        track.sort(key=lambda a: a.month)
        runs: list[list[Alert]] = [[track[0]]]
        for alert in track[1:]:
            gap = _ordinal(alert.month) - _ordinal(runs[-1][-1].month)
            if gap <= max_gap_months:
                runs[-1].append(alert)
            else:
                runs.append([alert])
        episodes.extend(
            AlertEpisode(
                level, country_key, admin1, series, run[0].month, run[-1].month, tuple(run)
            )
            for run in runs
        )
    episodes.sort(key=lambda e: (-e.peak_score, e.first_month, e.country_key, e.admin1 or ""))
    return episodes


def _follow_up(
    episodes: Sequence[AlertEpisode],
    deaths: dict[tuple[str, str | None], pd.Series],
    horizon_months: int,
    threshold: float,
    last_month: int,
) -> tuple[list[AlertEpisode], list[AlertEpisode]]:
    """Split episodes into those that led to nothing and those too recent to judge."""
    nothing: list[AlertEpisode] = []
    unresolved: list[AlertEpisode] = []
    for episode in episodes:
        start = _ordinal(episode.first_month)
        end = _ordinal(episode.last_month) + horizon_months
        series = deaths[(episode.country_key, episode.admin1)]
        window = series[(series.index >= start) & (series.index <= end)]
        if (window >= threshold).any():
            continue
        (unresolved if end > last_month else nothing).append(episode)
    return nothing, unresolved


class BacktestResult(TypedDict):
    """What ``backtest_peak`` found; ``docs/signals.md`` defines each figure."""

    level: str
    country_key: str
    admin1: str | None
    peak_month: str
    peak_one_sided_fatalities: float
    first_alert: str | None
    first_alert_series: list[str]
    lead_months: int | None
    alerts_before_peak: int
    alert_at_peak: bool
    alerts_total: int
    alerts_elsewhere: int
    episodes_elsewhere: int
    false_alarms: int
    false_alarm_episodes: int
    alerts_elsewhere_by_series: dict[str, int]
    false_alarms_by_series: dict[str, int]
    unresolved_alerts: int
    horizon_months: int
    escalation_deaths: float
    settings: dict[str, object]


def _by_series(episodes: Sequence[AlertEpisode]) -> dict[str, int]:
    counts = dict.fromkeys(SERIES, 0)
    for episode in episodes:
        counts[episode.series] += len(episode.alerts)
    return {name: count for name, count in counts.items() if count}


def backtest_peak(
    events: pd.DataFrame,
    *,
    country_key: str,
    admin1: str | None,
    peak_month: str,
    settings: SignalSettings | None = None,
    horizon_months: int = 12,
    escalation_deaths: float = 25.0,
) -> BacktestResult:
    """How early the signals saw a known peak coming, and what they raised elsewhere.

    The place is a country (``admin1`` None) or one of its admin1 regions. The first alert is
    the earliest alert of the place in the ``horizon_months`` before ``peak_month``; the lead is
    the months from it to the peak. Every other alert episode "led to nothing" when neither its
    months nor the ``horizon_months`` after its last month reach ``escalation_deaths`` deaths in
    violence against civilians in one month at its place; episodes whose follow-up runs past the
    data's last month without escalating are counted apart as unresolved.
    """
    settings = settings or SignalSettings()
    peak = _month_number(peak_month, "peak_month")
    if not _is_whole(horizon_months) or horizon_months < 1:
        raise ValidationError(
            f"must be a whole number, at least 1, got {horizon_months!r}", field="horizon_months"
        )
    if not _is_number(escalation_deaths) or escalation_deaths <= 0:
        raise ValidationError(
            f"must be a positive number, got {escalation_deaths!r}", field="escalation_deaths"
        )
    level = "country" if admin1 is None else "admin1"
    prepared = _prepare(events)
    panel = _panel(prepared, level)
    keys = _place_keys(level)
    deaths = {
        (str(name[0]), str(name[1]) if level == "admin1" else None): group.set_index("month")[
            "one_sided_fatalities"
        ]
        for name, group in panel.groupby(keys, sort=False)
    }
    target = (country_key, admin1)
    if target not in deaths:
        where = country_key if admin1 is None else f"{country_key} / {admin1}"
        raise ValidationError(f"no events at {where}", field="admin1" if admin1 else "country_key")
    alerts = _alerts(prepared, level, settings, None)
    at_place = [a for a in alerts if (a.country_key, a.admin1) == target]
    before = [a for a in at_place if peak - horizon_months <= _ordinal(a.month) < peak]
    first = min((a.month for a in before), default=None)
    episodes = alert_episodes(alerts)
    run_up = peak - horizon_months
    elsewhere = [
        e
        for e in episodes
        if (e.country_key, e.admin1) != target
        or _ordinal(e.last_month) < run_up
        or _ordinal(e.first_month) > peak
    ]
    last_month = int(prepared["month"].max())
    nothing, unresolved = _follow_up(
        elsewhere, deaths, horizon_months, escalation_deaths, last_month
    )
    return BacktestResult(
        level=level,
        country_key=country_key,
        admin1=admin1,
        peak_month=peak_month,
        peak_one_sided_fatalities=float(deaths[target].get(peak, 0.0)),
        first_alert=first,
        first_alert_series=sorted({a.series for a in before if a.month == first}),
        lead_months=None if first is None else peak - _ordinal(first),
        alerts_before_peak=len(before),
        alert_at_peak=any(a.month == peak_month for a in at_place),
        alerts_total=len(alerts),
        alerts_elsewhere=sum(len(e.alerts) for e in elsewhere),
        episodes_elsewhere=len(elsewhere),
        false_alarms=sum(len(e.alerts) for e in nothing),
        false_alarm_episodes=len(nothing),
        alerts_elsewhere_by_series=_by_series(elsewhere),
        false_alarms_by_series=_by_series(nothing),
        unresolved_alerts=sum(len(e.alerts) for e in unresolved),
        horizon_months=horizon_months,
        escalation_deaths=float(escalation_deaths),
        settings=asdict(settings),
    )
