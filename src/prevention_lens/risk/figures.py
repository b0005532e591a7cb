"""The figures every backtest table reports, in the order tables show them; a module of its own
so that the CLI and the stored-backtest reads name them without loading the numeric stack."""

from __future__ import annotations

HEADLINE_FIGURES = (
    "auc",
    "average_precision",
    "brier",
    "log_loss",
    "top10",
    "top20",
    "top30",
    "mean_forecast",
    "observed_rate",
)
