"""Per-country drivers of a risk forecast, and the drivers that moved most since last year.

A predictor's contribution is how much it moves the forecast's log-odds away from a reference
country whose predictors sit at their medians: coef × (x − reference) for the elastic net, and
for any other model the change in log-odds when that predictor alone is set to its reference.

Public API::

    reference_values(X) -> Series                         # per-predictor medians
    contributions(model, X, reference, method="auto") -> DataFrame   # rows of X × predictors
    top_drivers(contributions, k=5) -> DataFrame          # long: unit, order, predictor, ...
    largest_shifts(now, before, k=5) -> DataFrame         # long: unit, order, predictor, shift
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from prevention_lens.errors import ValidationError

METHODS = ("auto", "linear", "replace")


def reference_values(features: pd.DataFrame) -> pd.Series:
    """The median of each predictor: the reference country that contributions are measured from."""
    return features.median()


def _linear(model: Any) -> bool:
    # Only models whose log-odds are exactly intercept + coef_ · x over all of X.
    return hasattr(model, "coef_") and np.ndim(model.coef_) == 1 and hasattr(model, "center_")


def contributions(
    model: Any,
    features: pd.DataFrame,
    reference: pd.Series | None = None,
    *,
    method: str = "auto",
) -> pd.DataFrame:
    """Each predictor's contribution to each row's log-odds (same index and columns as X).

    ``method``: "linear" (coef × (x − reference); the elastic net only), "replace" (any model:
    log-odds(x) − log-odds(x with that predictor set to its reference)), or "auto" (linear
    where the model allows it). For a linear model both give the same numbers.
    """
    if method not in METHODS:
        raise ValidationError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    check_is_fitted(model)
    base = reference_values(features) if reference is None else reference
    missing = [column for column in features.columns if column not in base.index]
    if missing:
        raise ValidationError(f"the reference lacks the predictors {', '.join(missing)}")
    base = base[features.columns].astype(float)
    linear = _linear(model)
    if method == "linear" and not linear:
        raise ValidationError(f"{type(model).__name__} is not a linear model; use 'replace'")
    if linear and method != "replace":
        values = (features.to_numpy(float) - base.to_numpy()) * np.asarray(model.coef_)
        return pd.DataFrame(values, index=features.index, columns=features.columns)
    full = np.asarray(model.decision_function(features), dtype=float)
    result = np.empty(features.shape)
    for j, column in enumerate(features.columns):
        changed = features.copy()
        changed[column] = base[column]
        result[:, j] = full - np.asarray(model.decision_function(changed), dtype=float)
    return pd.DataFrame(result, index=features.index, columns=features.columns)


def _unit_labels(index: pd.Index) -> pd.Index:
    return index.get_level_values(0) if isinstance(index, pd.MultiIndex) else index


def top_drivers(table: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    """Per row, the ``k`` predictors with the largest absolute contribution, largest first.

    Long format: unit (the row's first index level), order (1..k), predictor, contribution.
    """
    if k < 1:
        raise ValidationError(f"k must be at least 1, got {k}")
    return _largest(table, _unit_labels(table.index), k, "contribution")


def largest_shifts(now: pd.DataFrame, before: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    """Per unit present in both, the ``k`` predictors whose contribution changed most.

    ``now`` and ``before`` are contribution tables indexed by unit. Long format: unit, order,
    predictor, shift (now − before), contribution_now, contribution_before.
    """
    if k < 1:
        raise ValidationError(f"k must be at least 1, got {k}")
    if list(now.columns) != list(before.columns):
        raise ValidationError("the two contribution tables must have the same predictors")
    common = now.index.intersection(before.index)
    change = now.loc[common] - before.loc[common]
    result = _largest(change, common, k, "shift")
    for column, table in (("contribution_now", now), ("contribution_before", before)):
        rows = table.index.get_indexer(pd.Index(result["unit"]))
        columns = table.columns.get_indexer(pd.Index(result["predictor"]))
        result[column] = table.to_numpy(float)[rows, columns]
    return result


def _largest(table: pd.DataFrame, units: pd.Index, k: int, value: str) -> pd.DataFrame:
    values = table.to_numpy(float)
    keep = min(k, values.shape[1])
    # Stable sort: equal sizes keep the predictors' order in the table.
    order = np.argsort(-np.abs(values), axis=1, kind="stable")[:, :keep]
    rows = np.repeat(np.arange(len(table)), keep)
    columns = order.ravel()
    return pd.DataFrame(
        {
            "unit": np.asarray(units)[rows],
            "order": np.tile(np.arange(1, keep + 1), len(table)),
            "predictor": np.asarray(table.columns)[columns],
            value: values[rows, columns],
        }
    )
