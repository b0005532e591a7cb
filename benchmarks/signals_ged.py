"""Escalation signals backtested on UCDP GED for Myanmar: how early they saw the 2017 Rakhine peak.

Prints one JSON object. The peak is the month with the most deaths in one-sided violence in
Rakhine State in 2016-2018, found in the data. Top-level figures are at admin1 level; ``levels``
holds the same backtest for admin1 regions and for the country; ``sensitivity`` the admin1 answer
under other values of alpha and baseline_months. An alert episode "led to nothing"
when neither its months nor the 12 after its last reach 25 deaths in one-sided violence in one
month at its place (``prevention_lens.incidents.episodes.backtest_peak``).
Data: UCDP GED (Sundberg & Melander 2013), CC BY 4.0. Needs LENS_SOURCES (default
../shared/data beside the checkout).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from prevention_lens.incidents.episodes import backtest_peak
from prevention_lens.incidents.signals import SignalSettings, monthly_series
from prevention_lens.incidents.taxonomy import from_ucdp
from prevention_lens.settings import load_settings
from prevention_lens.sources.ged import DATE_PRECISION

FILES = ("ucdp/ged/ged_myanmar_1989-2022.csv", "ucdp/ged/ged_myanmar_2023.csv")
REGION = "Rakhine state"
PEAK_SEARCH = ("2016-01", "2018-12")
HORIZON_MONTHS = 12
ESCALATION_DEATHS = 25.0
SENSITIVITY_ALPHAS = (0.001, 0.01, 0.05)
SENSITIVITY_BASELINES = (12, 24, 36)
# GED spells one region several ways over 35 years: Myanmar's divisions became regions in 2008,
# Karen State is now Kayin State, and some names carry a doubled space. One name per region keeps
# each region's history in one series.
RENAMES = {"Magwe region": "Magway region", "Karen state": "Kayin state"}


def _region(name: object) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return None
    text = re.sub(r"\s+", " ", name.strip())
    text = re.sub(r" (division|district)$", " region", text)
    return RENAMES.get(text, text)


def read_ged(sources: Path) -> pd.DataFrame:
    """The Myanmar GED events as the signals' input frame.

    GED records no identity targeting, so ``identity_targeted`` is False for every event. Its
    date precision goes along, so that events known only by their month or year are spread over
    the months they may fall in (``docs/signals.md``).
    """
    ged = pd.concat([pd.read_csv(sources / name) for name in FILES], ignore_index=True)
    return pd.DataFrame(
        {
            "event_id": ged["id"].astype(str),
            "date": ged["date_start"],
            "date_end": ged["date_end"],
            "date_precision": [DATE_PRECISION[str(int(p))] for p in ged["date_prec"]],
            "country_key": "MMR",
            "admin1": [_region(name) for name in ged["adm_1"]],
            "category": [from_ucdp(int(kind)) for kind in ged["type_of_violence"]],
            "identity_targeted": False,
            "fatalities": ged["best"].astype(float),
        }
    )


def peak_month(events: pd.DataFrame) -> tuple[str, float]:
    """The month with the most one-sided-violence deaths in Rakhine State within PEAK_SEARCH."""
    panel = monthly_series(events, level="admin1")
    region = panel[(panel["admin1"] == REGION) & panel["month"].between(*PEAK_SEARCH)].sort_values(
        "month"
    )
    deaths = region["one_sided_fatalities"].to_numpy()
    top = int(deaths.argmax())  # the earliest month if two tie
    return str(region["month"].to_numpy()[top]), float(deaths[top])


def main() -> int:
    sources = load_settings().sources
    if sources is None:
        print(json.dumps({"skipped": "LENS_SOURCES is not set and ../shared/data is absent"}))
        return 0
    started = time.perf_counter()
    events = read_ged(sources)
    read_s = time.perf_counter() - started
    peak, peak_deaths = peak_month(events)
    settings = SignalSettings()
    levels: dict[str, dict[str, object]] = {}
    for level in ("admin1", "country"):
        result = backtest_peak(
            events,
            country_key="MMR",
            admin1=REGION if level == "admin1" else None,
            peak_month=peak,
            settings=settings,
            horizon_months=HORIZON_MONTHS,
            escalation_deaths=ESCALATION_DEATHS,
        )
        levels[level] = {key: value for key, value in result.items() if key != "settings"}
    backtest_s = time.perf_counter() - started - read_s
    # How the admin1 answer moves with the two settings an analyst is most likely to change.
    sensitivity = []
    for alpha in SENSITIVITY_ALPHAS:
        for months in SENSITIVITY_BASELINES:
            varied = backtest_peak(
                events,
                country_key="MMR",
                admin1=REGION,
                peak_month=peak,
                settings=replace(settings, alpha=alpha, baseline_months=months),
                horizon_months=HORIZON_MONTHS,
                escalation_deaths=ESCALATION_DEATHS,
            )
            sensitivity.append(
                {
                    "alpha": alpha,
                    "baseline_months": months,
                    "first_alert": varied["first_alert"],
                    "lead_months": varied["lead_months"],
                    "alerts_total": varied["alerts_total"],
                    "false_alarms": varied["false_alarms"],
                }
            )
    main_result = levels["admin1"]
    keys = (
        "first_alert",
        "first_alert_series",
        "lead_months",
        "alerts_total",
        "alerts_elsewhere",
        "episodes_elsewhere",
        "false_alarms",
        "false_alarm_episodes",
        "unresolved_alerts",
    )
    print(
        json.dumps(
            {
                "data": "UCDP GED, Myanmar 1989-2023 (Sundberg & Melander 2013; CC BY 4.0)",
                "events": len(events),
                "events_without_admin1": int(events["admin1"].isna().sum()),
                "events_dated_to_month_or_year": int(
                    events["date_precision"].isin(("month", "year")).sum()
                ),
                "admin1_regions": int(events["admin1"].nunique()),
                "place": f"MMR / {REGION}",
                "peak_month": peak,
                "peak_one_sided_deaths": peak_deaths,
                **{key: main_result[key] for key in keys},
                "horizon_months": HORIZON_MONTHS,
                "escalation_deaths": ESCALATION_DEATHS,
                "levels": levels,
                "sensitivity": sensitivity,
                "settings": {
                    key: list(value) if isinstance(value, tuple) else value
                    for key, value in vars(settings).items()
                },
                "read_s": round(read_s, 2),
                "backtest_s": round(backtest_s, 2),
                "wall_s": round(time.perf_counter() - started, 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
