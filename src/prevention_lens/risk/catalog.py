"""The models Prevention Lens offers by name, the default one, and the runs every interface
shares: the EWP-protocol backtest table (with each country's forecast history) and the latest
forecasts. Model fits run with native thread pools capped to the free cores (``threads``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.base import BaseEstimator

from prevention_lens.errors import ValidationError
from prevention_lens.risk.backtest import (
    BacktestRun,
    ModelSpec,
    ewp_protocol,
    ewp_scoring,
    forecast_latest,
    read_published_foos,
)
from prevention_lens.risk.composite import default_model
from prevention_lens.risk.metrics import reliability, score_run
from prevention_lens.risk.models import BoostedTrees, FeatureLogit, replication_model
from prevention_lens.risk.panel import COUNTRY_KEY, Panel
from prevention_lens.risk.threads import native_threads

PUBLISHED_FOOS = "ewp-2025/FOOSforecasts_3Sep2025.csv"


# The models users choose by name; benchmarks/risk_foos.py also scores calibration variants.
MODELS: dict[str, Callable[[], BaseEstimator]] = {
    "ewp_replication": replication_model,
    "boosted_trees": BoostedTrees,
    "ensemble": default_model,
    "battle_deaths_logit": lambda: FeatureLogit(["battledeaths.log2"]),
}
DEFAULT_MODEL = "ensemble"


def build_model(name: str) -> BaseEstimator:
    try:
        return MODELS[name]()
    except KeyError:
        raise ValidationError(
            f"unknown model {name!r}; choose from {', '.join(MODELS)}", field="model"
        ) from None


def describe(name: str) -> dict[str, Any]:
    """The model's class and parameters, JSON-ready, for provenance."""
    spec = ModelSpec.of(build_model(name), name)
    return {"name": spec.name, "params": dict(spec.params)}


def curves(run: BacktestRun, panel: Panel, deepest: int = 50) -> dict[str, Any]:
    """For charts: reliability bins (forecasts against their own window) and the catch curve
    (onsets caught within the top k of each year, k = 1..deepest, by the EWP protocol)."""
    judged = run.forecasts.dropna(subset=["probability", "outcome"])
    bins = reliability(judged["outcome"], judged["probability"], bins=10)
    scoring = ewp_scoring(run.forecasts, panel)
    onsets = scoring[scoring["event"] == 1]
    return {
        "reliability": bins[["mean_forecast", "observed_rate", "count"]]
        .round(5)
        .to_dict("records"),
        "catch": [int((onsets["min_rank"] <= k).sum()) for k in range(1, deepest + 1)],
        "onsets": len(onsets),
    }


def models_for(panel: Panel) -> list[str]:
    """The named models that can run on this panel: a model built on named columns needs them."""
    usable = []
    for name in MODELS:
        needed = getattr(build_model(name), "features", None) or ()
        if all(column in panel.spec.predictors for column in needed):
            usable.append(name)
    return usable


def check_models(names: Sequence[str], panel: Panel) -> None:
    """Raise ValidationError naming the first model that is unknown or cannot use the panel."""
    for name in names:
        build_model(name)
    usable = models_for(panel)
    for name in names:
        if name not in usable:
            raise ValidationError(
                f"model {name!r} needs columns the panel {panel.spec.name or panel.source!r} "
                f"lacks; choose from {', '.join(usable)}",
                field="model",
            )


def default_origins(panel: Panel) -> tuple[int, int]:
    """First and last training year of the EWP protocol: EWP's 1991–2021 on its own panel; on
    another, from ten years after its first year to the last year whose outcome window has
    closed before the latest data (so every forecast can be judged)."""
    if panel.spec.name == "ewp2025":
        return 1991, 2021
    years = panel.years
    first, last = years[0] + 10, years[-1] - panel.spec.horizon - 1
    if last < first:
        raise ValidationError(
            f"the panel covers {years[0]}–{years[-1]}: too few years for a backtest "
            f"(it needs at least {12 + panel.spec.horizon})",
            file=panel.source,
        )
    return first, last


def country_history(run: BacktestRun, panel: Panel) -> dict[str, Any]:
    """Per country key: each forecast the backtest made (data year, probability, rank) and the
    years of observed onsets (the spec's event, else its outcome), for the country pages."""
    event = panel.spec.event or panel.spec.outcome
    onsets = panel.outcomes[panel.outcomes[event] == 1]
    onset_years: dict[str, list[int]] = {}
    for (_, year), key in zip(onsets.index, onsets[COUNTRY_KEY], strict=True):
        onset_years.setdefault(str(key), []).append(int(year))
    countries: dict[str, Any] = {}
    made = run.forecasts.dropna(subset=["probability"]).sort_values("forecast_year")
    for key, rows in made.groupby(COUNTRY_KEY, sort=True):
        countries[str(key)] = {
            "years": [int(y) for y in rows["forecast_year"]],
            "probability": [round(float(p), 5) for p in rows["probability"]],
            "rank": [float(r) for r in rows["rank"]],
            "onsets": sorted(onset_years.get(str(key), [])),
        }
    return {"model": run.model.name, "horizon": panel.spec.horizon, "countries": countries}


def backtest_models(
    names: Sequence[str],
    panel: Panel,
    *,
    published: Path | None = None,
    n_boot: int = 1000,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Every named model by the EWP protocol on ``panel``, with ``published`` forecasts (EWP's
    FOOS file) as the peer row when given, and the first model's forecasts per country."""
    check_models(names, panel)
    if panel.spec.event is None:
        raise ValidationError(
            "the backtest judges each year's forecasts against that year's events: name the "
            "column of same-year events in the spec (`event: COLUMN`)",
            file=panel.spec.name or panel.source,
            field="event",
        )
    first, last = default_origins(panel)
    models: dict[str, Any] = {}
    charts: dict[str, Any] = {}
    history: dict[str, Any] = {}
    with native_threads():
        for name in names:
            if progress:
                progress(f"Backtesting {name} ({last - first + 1} fits)")
            started = time.perf_counter()
            run = ewp_protocol(
                panel, build_model(name), first_origin=first, last_origin=last, name=name
            )
            wall = time.perf_counter() - started
            models[name] = score_run(run, panel, n_boot=n_boot).to_dict(digits=4) | {
                "wall_s": round(wall, 1)
            }
            charts[name] = curves(run, panel)
            if not history or name == DEFAULT_MODEL:
                history = country_history(run, panel)
    peers: dict[str, Any] = {}
    if published is not None:
        foos = read_published_foos(published, panel)
        peers["ewp_published"] = score_run(foos, panel, n_boot=n_boot).to_dict(digits=4) | {
            "wall_s": 0.0
        }
        charts["ewp_published"] = curves(foos, panel)
    return {
        "models": models,
        "peer": peers,
        "default_model": DEFAULT_MODEL if DEFAULT_MODEL in models else names[0],
        "panel_spec": panel.spec.name or panel.source,
        "data_sha256": panel.sha256,
        "n_boot": n_boot,
        "origins": [first, last],
        "curves": charts,
        "country_history": history,
    }


def published_peer(panel: Panel, sources: Path) -> Path | None:
    """EWP's published backtest file, the peer of a backtest on EWP's own panel only."""
    return sources / PUBLISHED_FOOS if panel.spec.name == "ewp2025" else None


def latest_forecasts(
    name: str, panel: Panel, *, draws: int = 40
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The named model fitted on all data, forecasting from the panel's latest year."""
    check_models([name], panel)
    with native_threads():
        table = forecast_latest(panel, build_model(name), interval_draws=draws)
    return table, {"model": describe(name), "change_method": table.attrs.get("change_method")}
