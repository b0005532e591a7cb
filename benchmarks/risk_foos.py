"""EWP's "FOOS" backtest for every model, and EWP's published forecasts scored as the peer row.

Prints one JSON object: {"models": {NAME: figures}, "peer": {"ewp_published": figures},
"default_model": NAME}. Ranking figures (auc, average_precision, top10/20/30) follow the EWP
protocol; probability figures (brier, log_loss, mean_forecast, observed_rate) judge each forecast
against its own two-year window; ``*_ci`` are 95% intervals from a bootstrap over years.
Needs LENS_SOURCES (default ../shared/data beside the checkout). ``--only a,b`` runs some models.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from sklearn.base import BaseEstimator

from prevention_lens.risk.backtest import ewp_protocol, read_published_foos
from prevention_lens.risk.composite import Recalibrated, default_model
from prevention_lens.risk.metrics import HEADLINE_FIGURES, calibration_by_period, score_run
from prevention_lens.risk.models import BoostedTrees, FeatureLogit, replication_model
from prevention_lens.risk.panel import Panel, load_packaged_panel
from prevention_lens.settings import load_settings

PUBLISHED = "ewp-2025/FOOSforecasts_3Sep2025.csv"
DEFAULT = "ensemble"
KEYS = HEADLINE_FIGURES
# Forecast years before and after the post-Cold-War fall in onset rates had worked through.
PERIODS = ((1993, 2003), (2004, 2023))
# name -> (model, extra panel columns the model sees besides the predictors)
MODELS: dict[str, Callable[[], tuple[BaseEstimator, list[str]]]] = {
    "ewp_replication": lambda: (replication_model(), []),
    "boosted_trees": lambda: (BoostedTrees(), []),
    DEFAULT: lambda: (default_model(), []),
    # Calibration variants of the default, all fitted on training years only.
    "ensemble_intercept_10y": lambda: (Recalibrated(default_model(), "intercept", 10), []),
    "ensemble_trend_30y": lambda: (Recalibrated(default_model(), "trend", 30), []),
    # Chosen after comparing variants on the backtest itself: shown, never the default.
    "ensemble_intercept_3y_hindsight": lambda: (Recalibrated(default_model(), "intercept", 3), []),
    "baseline_battle_deaths_logit": lambda: (FeatureLogit(["battledeaths.log2"]), []),
    "baseline_previous_onset": lambda: (FeatureLogit(["mk_onset"]), ["mk_onset"]),
}


def _figures(run: Any, panel: Panel, n_boot: int) -> dict[str, Any]:
    scored = score_run(run, panel, n_boot=n_boot, seed=0).to_dict(digits=4)
    figures = {key: scored[key] for key in KEYS}
    figures["wall_s"] = round(run.wall_s, 1)
    figures.update({f"{key}_ci": scored[f"{key}_ci"] for key in KEYS if f"{key}_ci" in scored})
    figures["calibration_by_period"] = calibration_by_period(run.forecasts, PERIODS)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated model names", default="")
    parser.add_argument("--boot", type=int, default=1000, help="bootstrap draws (0: none)")
    args = parser.parse_args()
    sources = load_settings().sources
    if sources is None:
        print(json.dumps({"skipped": "LENS_SOURCES is not set and ../shared/data is absent"}))
        return 0
    wanted = [name for name in args.only.split(",") if name] or list(MODELS)
    unknown = sorted(set(wanted) - set(MODELS))
    if unknown:
        parser.error(f"unknown models {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    panel = load_packaged_panel(sources=sources)
    models: dict[str, Any] = {}
    for name in wanted:
        model, extra = MODELS[name]()
        columns = [*panel.spec.predictors, *extra] if extra else None
        run = ewp_protocol(panel, model, name=name, columns=columns)
        models[name] = _figures(run, panel, args.boot)
    peer = _figures(read_published_foos(sources / PUBLISHED, panel), panel, args.boot)
    print(
        json.dumps(
            {"models": models, "peer": {"ewp_published": peer}, "default_model": DEFAULT},
            indent=None,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
