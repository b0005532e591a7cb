"""The models Prevention Lens offers by name, the default one, and the runs every interface
shares: the EWP-protocol backtest table and the latest forecasts.
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
from prevention_lens.risk.panel import Panel, load_packaged_panel

PUBLISHED_FOOS = "ewp-2025/FOOSforecasts_3Sep2025.csv"


# The models users choose by name; benchmarks/risk_foos.py also scores calibration variants.
MODELS: dict[str, Callable[[], BaseEstimator]] = {
    "ewp_replication": replication_model,
    "boosted_trees": BoostedTrees,
    "ensemble": default_model,
    "battle_deaths_logit": lambda: FeatureLogit(["battledeaths.log2"]),
}
DEFAULT_MODEL = "ensemble"

# Plain-language names of the EWP predictors, for briefs and pages read outside the field.
PREDICTOR_LABELS = {
    "widetargeting": "Ongoing mass killing targets a wide group",
    "narrowtargeting": "Ongoing mass killing targets a narrow group",
    "v2csgender_binary": "Women's civil-society participation restricted",
    "v2mecenefm_binary": "Government censors the media",
    "partyban.new.0": "No political parties banned",
    "partyban.new.1": "Some political parties banned",
    "partyban.new.2": "All opposition parties banned",
    "minorityrule": "Ethnic minority rule",
    "judicialreform": "Judicial independence curtailed",
    "religiousfreedom": "Religious freedom",
    "pol_killing_approved": "Political killings approved by the state",
    "freediscussion": "Freedom of discussion",
    "social_inequality": "Social inequality in political power",
    "even_civilrights": "Civil liberties unevenly respected",
    "repress_civilsoc": "Civil society repressed",
    "social_power_dist": "Power distributed by social group",
    "ses_power_dist": "Power distributed by socio-economic position",
    "popsize.log2": "Population size (log)",
    "gdppcgrowth": "GDP per person growth",
    "un_imr_sqrt": "Infant mortality",
    "efindex": "Ethnic fractionalisation",
    "discrimpop": "Share of population facing state-led discrimination",
    "ios.iccpr1": "Party to the ICCPR first optional protocol",
    "battledeaths.log2": "Battle-related deaths (log)",
    "coup.try.5yr": "Coup attempt in the last five years",
    "mk_ongoing_count_log2": "Ongoing mass killings",
    "mean_mk_onset_interaction": "Regional rate of mass-killing onsets",
    "mk_onset_prev_year": "Mass-killing onset last year",
    "newcountry": "Newly independent",
    "mk_ever": "Mass killing ever",
    "year_sq": "Time trend (year squared)",
    "year": "Time trend",
    "countryage.new.log2": "Years since independence (log)",
    "includesnonstate": "Non-state perpetrators counted",
}


def predictor_label(name: str) -> str:
    return PREDICTOR_LABELS.get(name, name)


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


def backtest_models(
    names: Sequence[str],
    sources: Path,
    *,
    n_boot: int = 1000,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Every named model by the EWP protocol, and EWP's published forecasts as the peer row."""
    panel = load_packaged_panel(sources=sources)
    models: dict[str, Any] = {}
    charts: dict[str, Any] = {}
    for name in names:
        if progress:
            progress(f"Backtesting {name} (31 fits)")
        started = time.perf_counter()
        run = ewp_protocol(panel, build_model(name), name=name)
        wall = time.perf_counter() - started
        models[name] = score_run(run, panel, n_boot=n_boot).to_dict(digits=4) | {
            "wall_s": round(wall, 1)
        }
        charts[name] = curves(run, panel)
    published = read_published_foos(sources / PUBLISHED_FOOS, panel)
    peer = score_run(published, panel, n_boot=n_boot).to_dict(digits=4) | {"wall_s": 0.0}
    charts["ewp_published"] = curves(published, panel)
    return {
        "models": models,
        "peer": {"ewp_published": peer},
        "default_model": DEFAULT_MODEL,
        "panel_spec": panel.spec.name,
        "data_sha256": panel.sha256,
        "n_boot": n_boot,
        "curves": charts,
    }


def latest_forecasts(
    name: str, sources: Path, *, draws: int = 40
) -> tuple[Panel, pd.DataFrame, dict[str, Any]]:
    """The named model fitted on all data, forecasting from the latest year, with provenance."""
    panel = load_packaged_panel(sources=sources)
    table = forecast_latest(panel, build_model(name), interval_draws=draws)
    return panel, table, {"model": describe(name)}
