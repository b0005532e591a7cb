"""Does weighing recent years more bring the default model's mean forecast down to the observed
rate, when the half-life is chosen without looking at the years being scored?

The default model (ensemble) is refitted with rows weighed by age (``RecencyWeighted``) for each
candidate half-life, and the half-life is chosen two honest ways:
  - "before_scoring": once, by log loss over the forecasts made from 1972–1991, whose two-year
    windows had all closed when the first scored forecast (from 1993) was made;
  - "online": afresh at each forecast year X, by log loss over every forecast whose window had
    closed by X (made from X-2 or earlier), so later choices learn from the scored years' past.
A third way corrects the unweighted model afterwards: each year's forecasts are shifted on the
logit scale so that the model's closed forecasts of the last M years would have averaged their
observed rate, with M (or no shift) chosen afresh each year by the log loss the shift would have
given on the closed forecasts before ("online_shift").
Prints one JSON object: per candidate, the pre-1993 validation figures and the EWP-protocol
figures; then the choices and the figures they give. Needs LENS_SOURCES.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from prevention_lens.risk.backtest import ewp_scoring, rolling_origin
from prevention_lens.risk.base import shift_to_rate
from prevention_lens.risk.composite import RecencyWeighted, default_model
from prevention_lens.risk.metrics import calibration_by_period, log_loss, score_tables
from prevention_lens.risk.panel import Panel, load_packaged_panel
from prevention_lens.settings import load_settings

CANDIDATES = ("all", "20", "10", "5")  # half-lives in years; "all": every year alike
FIRST_VALIDATION, LAST_VALIDATION = 1972, 1991
FIRST_SCORED, LAST_SCORED = 1993, 2023
MEMORIES = (3, 5, 10, 20)  # years of closed forecasts an online shift learns from
KEYS = ("auc", "average_precision", "log_loss", "top10", "top30", "mean_forecast")


def _model(candidate: str) -> Any:
    return (
        default_model()
        if candidate == "all"
        else RecencyWeighted(default_model(), float(candidate))
    )


def _scored(forecasts: pd.DataFrame, panel: Panel) -> dict[str, Any]:
    card = score_tables(ewp_scoring(forecasts, panel), forecasts, n_boot=0).to_dict(digits=4)
    figures = {key: card[key] for key in KEYS}
    figures["ratio"] = round(card["mean_forecast"] / card["observed_rate"], 3)
    figures["observed_rate"] = card["observed_rate"]
    figures["by_period"] = calibration_by_period(
        forecasts, ((FIRST_SCORED, 2003), (2004, LAST_SCORED))
    )
    return figures


def _loss_terms(forecasts: pd.DataFrame) -> pd.Series:
    judged = forecasts.dropna(subset=["outcome"])
    p = judged["probability"].clip(1e-6, 1 - 1e-6)
    y = judged["outcome"]
    terms = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    by_year: pd.Series = terms.groupby(judged["forecast_year"]).sum()
    return by_year


def _online_shift(forecasts: pd.DataFrame, panel: Panel) -> dict[str, Any]:
    """Shift each year's log-odds to the rate of the last M years' closed forecasts; choose M
    (or none) each year by the log loss each would have given on the closed years before."""
    horizon = panel.spec.horizon
    score = logit(forecasts["probability"].clip(1e-9, 1 - 1e-9))
    years = sorted(int(y) for y in forecasts["forecast_year"].unique())
    shifted: dict[str, pd.DataFrame] = {"none": forecasts}
    for memory in MEMORIES:
        parts = []
        for year in years:
            made = forecasts["forecast_year"]
            past = (made <= year - horizon) & (made > year - horizon - memory)
            closed = past & forecasts["outcome"].notna()
            rows = forecasts[made == year].copy()
            if closed.any() and forecasts.loc[closed, "outcome"].sum() > 0:
                rate = float(forecasts.loc[closed, "outcome"].mean())
                shift = shift_to_rate(score[closed].to_numpy(), rate)
                rows["probability"] = expit(score[made == year] + shift)
            parts.append(rows)
        shifted[str(memory)] = pd.concat(parts, ignore_index=True)
    # Years before 1975 have too little past for every memory: they are not used to choose.
    losses = pd.DataFrame({m: _loss_terms(f) for m, f in shifted.items()}).fillna(0.0)
    losses = losses[losses.index >= FIRST_VALIDATION + 3]
    picks, parts = {}, []
    for year in range(FIRST_SCORED, LAST_SCORED + 1):
        pick = str(losses.loc[losses.index <= year - horizon].sum().idxmin())
        picks[year] = pick
        chosen = shifted[pick]
        parts.append(chosen[chosen["forecast_year"] == year])
    fixed = {
        memory: {
            key: value
            for key, value in _scored(frame[frame["forecast_year"] >= FIRST_SCORED], panel).items()
            if key in ("ratio", "log_loss", "auc")
        }
        for memory, frame in shifted.items()
    }
    return {
        "memory_by_year": picks,
        **_scored(pd.concat(parts, ignore_index=True), panel),
        "each_memory_fixed": fixed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", default=",".join(CANDIDATES))
    args = parser.parse_args()
    sources = load_settings().sources
    if sources is None:
        print(json.dumps({"skipped": "LENS_SOURCES is not set and ../shared/data is absent"}))
        return 0
    panel = load_packaged_panel(sources=sources)
    candidates = [c for c in args.candidates.split(",") if c]
    clock = time.perf_counter()
    result: dict[str, Any] = {"candidates": {}}
    made: dict[str, pd.DataFrame] = {}
    for candidate in candidates:
        years = list(range(FIRST_VALIDATION, LAST_SCORED + 1))
        forecasts = rolling_origin(panel, _model(candidate), years).forecasts
        made[candidate] = forecasts
        early = forecasts[forecasts["forecast_year"] <= LAST_VALIDATION].dropna(subset=["outcome"])
        scored = forecasts[forecasts["forecast_year"] >= FIRST_SCORED]
        result["candidates"][candidate] = {
            "validation_1972_1991": {
                "log_loss": round(log_loss(early["outcome"], early["probability"]), 5),
                "mean_forecast": round(float(early["probability"].mean()), 4),
                "observed_rate": round(float(early["outcome"].mean()), 4),
            },
            "scored_1993_2023": _scored(scored, panel),
        }
    before = min(
        candidates,
        key=lambda c: result["candidates"][c]["validation_1972_1991"]["log_loss"],
    )
    result["before_scoring"] = {
        "half_life": before,
        **result["candidates"][before]["scored_1993_2023"],
    }
    losses = pd.DataFrame({c: _loss_terms(made[c]) for c in candidates}).fillna(0.0)
    picks, parts = {}, []
    for year in range(FIRST_SCORED, LAST_SCORED + 1):
        closed = losses.loc[losses.index <= year - panel.spec.horizon].sum()
        pick = str(closed.idxmin())
        picks[year] = pick
        forecasts = made[pick]
        parts.append(forecasts[forecasts["forecast_year"] == year])
    online = pd.concat(parts, ignore_index=True)
    result["online"] = {"half_life_by_year": picks, **_scored(online, panel)}
    if "all" in made:
        result["online_shift"] = _online_shift(made["all"], panel)
    result["wall_s"] = round(time.perf_counter() - clock, 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
