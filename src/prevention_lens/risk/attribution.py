"""Why a country's forecast changed since the year before, in parts that sum to the change.

The forecast from year t (model fitted up to t − h, data of t) minus the forecast from t − 1
(model fitted a year earlier, data of t − 1) splits into

- the **refit**: the new model on last year's data minus the old model on it (what one more year
  of training data changed), and
- one part per **predictor** (or group of predictors that move together, such as the calendar
  year and its square): the new model's change as the country's data move from their t − 1 to
  their t values. The models are not additive (trees, an ensemble), so each predictor gets its
  Shapley value: its change averaged over every order in which the predictors could move.
  With up to ``EXACT_UP_TO`` predictors that changed this is exact (every subset); with more,
  the average over ``permutations`` seeded random orders (each order and its reverse). Every
  order's steps add up to the whole data change, so the parts always sum exactly to it.

All parts are in probability (multiply by 100 for percentage points). A predictor whose value
did not change gets no part: it cannot have moved the forecast.

Public API::

    players(columns, groups) -> dict[str, tuple[str, ...]]
    change_parts(new_model, old_model, before, after, *, groups=None, ...) -> ChangeParts
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from prevention_lens.errors import ValidationError

EXACT_UP_TO = 8
REFIT = "model refit"


def players(
    columns: Sequence[str], groups: Mapping[str, Sequence[str]] | None = None
) -> dict[str, tuple[str, ...]]:
    """The units that move together: each group whose columns are all present, then every
    other column on its own, in the columns' order."""
    chosen: dict[str, tuple[str, ...]] = {}
    taken: set[str] = set()
    for name, members in (groups or {}).items():
        present = tuple(m for m in members if m in columns)
        if len(present) == len(members) and present:
            chosen[name] = present
            taken.update(present)
    for column in columns:
        if column not in taken:
            chosen[column] = (column,)
    return chosen


@dataclass(frozen=True, eq=False)
class ChangeParts:
    """Per unit (the index): ``before`` (old model, old data), ``after`` (new model, new data),
    ``refit`` and one column per player in ``data`` (zero where the player did not move).
    ``refit + data.sum(axis=1) == after − before`` for every unit."""

    before: pd.Series
    after: pd.Series
    refit: pd.Series
    data: pd.DataFrame
    method: str


def _probability(model: Any, rows: pd.DataFrame) -> np.ndarray[Any, Any]:
    return np.asarray(model.predict_proba(rows)[:, 1], dtype=float)


def _orders(moved: int, permutations: int, rng: np.random.Generator) -> list[tuple[int, ...]]:
    orders: list[tuple[int, ...]] = []
    for _ in range(max(1, permutations // 2)):
        order = tuple(int(i) for i in rng.permutation(moved))
        orders += [order, order[::-1]]
    return orders


def change_parts(
    new_model: Any,
    old_model: Any,
    before: pd.DataFrame,
    after: pd.DataFrame,
    *,
    groups: Mapping[str, Sequence[str]] | None = None,
    permutations: int = 32,
    seed: int = 0,
) -> ChangeParts:
    """Split each unit's change in forecast into the refit and per-player data parts (see the
    module docstring). ``before`` and ``after`` hold the same units (index) and columns."""
    if list(before.columns) != list(after.columns):
        raise ValidationError("the two years' rows must have the same predictors")
    common = before.index.intersection(after.index)
    before = before.loc[common]
    after = after.loc[common]
    playing = players(list(before.columns), groups)
    names = list(playing)
    positions = {column: i for i, column in enumerate(before.columns)}
    old_values = before.to_numpy(float)
    new_values = after.to_numpy(float)
    p_old = _probability(old_model, before)
    p_refit = _probability(new_model, before)
    p_new = _probability(new_model, after)
    rng = np.random.default_rng(seed)
    # Every point each unit's attribution needs, scored by the new model in one call.
    points: list[np.ndarray[Any, Any]] = []
    plans: list[tuple[list[int], str, Any]] = []
    exact_used = sampled_used = False
    for row in range(len(common)):
        moved = [
            k
            for k, name in enumerate(names)
            if any(
                old_values[row, positions[c]] != new_values[row, positions[c]]
                for c in playing[name]
            )
        ]
        start = len(points)
        if len(moved) <= EXACT_UP_TO:
            exact_used |= bool(moved)
            for mask in range(1 << len(moved)):
                points.append(
                    _mixed(old_values[row], new_values[row], moved, mask, playing, names, positions)
                )
            plans.append((moved, "exact", start))
        else:
            sampled_used = True
            orders = _orders(len(moved), permutations, rng)
            for order in orders:
                mask = 0
                points.append(old_values[row].copy())
                for step in order:
                    mask |= 1 << step
                    points.append(
                        _mixed(
                            old_values[row], new_values[row], moved, mask, playing, names, positions
                        )
                    )
            plans.append((moved, "sampled", (start, orders)))
    scored = (
        _probability(new_model, pd.DataFrame(np.vstack(points), columns=before.columns))
        if points
        else np.empty(0)
    )
    data = np.zeros((len(common), len(names)))
    for row, (moved, how, where) in enumerate(plans):
        if not moved:
            continue
        if how == "exact":
            data[row, moved] = _shapley_exact(scored[where : where + (1 << len(moved))], len(moved))
        else:
            start, orders = where
            data[row, moved] = _shapley_sampled(scored, start, orders, len(moved))
    method = (
        "Shapley values, exact"
        if not sampled_used
        else f"Shapley values, exact up to {EXACT_UP_TO} moved predictors, "
        f"else averaged over {max(2, permutations // 2 * 2)} orders"
    )
    if not exact_used and not sampled_used:
        method = "no predictor moved"
    index = pd.Index(common)
    total_data = pd.Series(p_new - p_refit, index=index)
    frame = pd.DataFrame(data, index=index, columns=names)
    # The subset scores and the direct scores are the same model on the same rows; any
    # difference is float noise, put on the largest part so the sum stays exact.
    gap = total_data.to_numpy() - frame.sum(axis=1).to_numpy()
    if len(frame) and names:
        largest = np.argmax(np.abs(data), axis=1)
        data[np.arange(len(frame)), largest] += gap
        frame = pd.DataFrame(data, index=index, columns=names)
    return ChangeParts(
        before=pd.Series(p_old, index=index),
        after=pd.Series(p_new, index=index),
        refit=pd.Series(p_refit - p_old, index=index),
        data=frame,
        method=method,
    )


def _mixed(
    old: np.ndarray[Any, Any],
    new: np.ndarray[Any, Any],
    moved: list[int],
    mask: int,
    playing: Mapping[str, tuple[str, ...]],
    names: list[str],
    positions: Mapping[str, int],
) -> np.ndarray[Any, Any]:
    """The old row with the moved players in ``mask`` (bit i: ``moved[i]``) at their new values."""
    row = old.copy()
    for bit, k in enumerate(moved):
        if mask >> bit & 1:
            for column in playing[names[k]]:
                row[positions[column]] = new[positions[column]]
    return row


def _shapley_exact(values: np.ndarray[Any, Any], n: int) -> np.ndarray[Any, Any]:
    """Shapley values from v(S) for every subset S (bitmask order) of n players."""
    result = np.zeros(n)
    weights = [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    for mask in range(1 << n):
        size = bin(mask).count("1")
        for i in range(n):
            if not mask >> i & 1:
                result[i] += weights[size] * (values[mask | 1 << i] - values[mask])
    return result


def _shapley_sampled(
    scored: np.ndarray[Any, Any], start: int, orders: Sequence[tuple[int, ...]], n: int
) -> np.ndarray[Any, Any]:
    result = np.zeros(n)
    position = start
    for order in orders:
        path = scored[position : position + n + 1]
        for step, player in enumerate(order):
            result[player] += path[step + 1] - path[step]
        position += n + 1
    return result / len(orders)


__all__ = ["EXACT_UP_TO", "REFIT", "ChangeParts", "change_parts", "players"]
