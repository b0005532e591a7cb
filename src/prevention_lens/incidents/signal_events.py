"""The events table the escalation signals read, checked and reduced: one row per event and
month it counts in (events dated only to the month or year spread over their months).

Used by ``incidents.signals`` and ``incidents.episodes``; ``docs/signals.md`` describes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from prevention_lens.errors import ValidationError
from prevention_lens.incidents.taxonomy import CATEGORIES, DATE_PRECISIONS, PERPETRATOR_KINDS

COLUMNS = (
    "event_id",
    "date",
    "country_key",
    "admin1",
    "category",
    "identity_targeted",
    "fatalities",
)
# Read when present; without them every event is dated to the day and its perpetrator unknown.
OPTIONAL_COLUMNS = ("date_end", "date_precision", "perpetrator_kind")
# Dates known only this coarsely are spread over the months they may fall in.
LOW_PRECISIONS = frozenset({"month", "year"})
# Violence against civilians: UCDP's one-sided violence plus the categories the taxonomy marks
# as acts against civilians (sexual violence, abduction, ...), so ACLED and own records count too.
AGAINST_CIVILIANS = frozenset(code for code, item in CATEGORIES.items() if item.against_civilians)


def _fail_at(mask: np.ndarray[Any, Any], problem: Callable[[int], str], field_name: str) -> None:
    """Raise for the first row where ``mask`` holds; rows count events from 1."""
    bad = np.flatnonzero(mask)
    if bad.size:
        raise ValidationError(problem(int(bad[0])), row=int(bad[0]) + 1, field=field_name)


def _missing(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.asarray(pd.isna(values), dtype=bool)  # None, NaN, NaT and pd.NA alike


def _parse_dates(column: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        parsed = column
    else:
        try:
            parsed = pd.to_datetime(column, errors="coerce", format="ISO8601")
            retry = parsed.isna() & column.notna()
            if retry.any():  # dates written other ways than ISO 8601, e.g. "3 March 2021"
                parsed = parsed.astype("datetime64[ns]")
                again = pd.to_datetime(column[retry].astype(str), errors="coerce", format="mixed")
                parsed[retry] = again.astype("datetime64[ns]")
        except (ValueError, TypeError) as error:  # e.g. time zones that differ between rows
            raise ValidationError(f"cannot be read as dates: {error}", field="date") from None
    values = column.to_numpy(dtype=object)
    _fail_at(
        parsed.isna().to_numpy(),
        lambda i: "is missing" if pd.isna(values[i]) else f"{values[i]!r} is not a date",
        "date",
    )
    return parsed


def _text(column: pd.Series, field_name: str, *, required: bool) -> np.ndarray[Any, Any]:
    values = column.to_numpy(dtype=object)
    missing = _missing(values)
    texts = np.array(
        [None if gone else str(v).strip() for v, gone in zip(values, missing, strict=True)],
        dtype=object,
    )
    empty = missing | (texts == "")
    if required:
        _fail_at(empty, lambda i: "is empty", field_name)
    texts[empty] = None
    return texts


# A region's name without its kind: "Bago division" (before 2008) and "Bago region" are one place.
_REGION_KIND = re.compile(
    r"\s+(state|region|division|province|district|prefecture|governorate|department|county|"
    r"oblast|municipality|territory)$",
    re.IGNORECASE,
)


def _one_spelling(
    countries: np.ndarray[Any, Any], regions: np.ndarray[Any, Any], dates: pd.Series
) -> np.ndarray[Any, Any]:
    """Each admin1 name as the latest spelling of its place within its country.

    Spellings count as one place when they differ only in spacing, letter case, or a trailing
    kind of region ("state", "division", ...). Renamed places (Karen and Kayin State) stay apart.
    """
    spaced = pd.Series(regions, dtype=object).str.replace(r"\s+", " ", regex=True)
    key = spaced.str.replace(_REGION_KIND, "", regex=True).str.casefold()
    table = pd.DataFrame({"country": countries, "key": key, "name": spaced, "date": dates})
    named = table.dropna(subset=["key"]).sort_values("date", kind="stable")
    latest = named.groupby(["country", "key"])["name"].last()
    index = pd.MultiIndex.from_arrays([table["country"], table["key"]])
    chosen = np.array(latest.reindex(index).to_numpy(dtype=object), dtype=object)
    chosen[pd.isna(table["key"]).to_numpy()] = None
    return chosen


def _flags(column: pd.Series) -> np.ndarray[Any, Any]:
    values = column.to_numpy(dtype=object)
    missing = _missing(values)
    wrong = np.array(
        [
            not gone
            and not (isinstance(v, bool | int | float | np.number | np.bool_) and v in (0, 1))
            for v, gone in zip(values, missing, strict=True)
        ],
        dtype=bool,
    )
    _fail_at(wrong, lambda i: f"must be true or false, got {values[i]!r}", "identity_targeted")
    return np.array([not gone and bool(v) for v, gone in zip(values, missing, strict=True)], bool)


def _deaths(column: pd.Series) -> np.ndarray[Any, Any]:
    values = column.to_numpy(dtype=object)
    numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    missing = _missing(values)
    _fail_at(np.isnan(numbers) & ~missing, lambda i: f"{values[i]!r} is not a number", "fatalities")
    _fail_at(np.isinf(numbers), lambda i: f"{values[i]!r} is not a finite number", "fatalities")
    _fail_at(numbers < 0, lambda i: f"must not be negative, got {values[i]!r}", "fatalities")
    return np.where(missing, 0.0, numbers)


def _choices(
    frame: pd.DataFrame, column: str, allowed: tuple[str, ...], default: str
) -> np.ndarray[Any, Any]:
    """An optional text column of fixed choices; blanks (or no column) mean ``default``."""
    if column not in frame.columns:
        return np.full(len(frame), default, dtype=object)
    texts = _text(frame[column], column, required=False)
    texts[pd.isna(texts)] = default
    _fail_at(
        ~np.isin(texts.astype(str), list(allowed)),
        lambda i: f"must be one of {', '.join(allowed)}, got {texts[i]!r}",
        column,
    )
    return texts


def _end_months(
    frame: pd.DataFrame, months: np.ndarray[Any, Any], precision: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """The last month each event may fall in: its start month unless it is dated only to the
    month or year, then the month of ``date_end`` (or, for a year without an end, December)."""
    ends = months.copy()
    coarse = np.isin(precision.astype(str), list(LOW_PRECISIONS))
    if not coarse.any():
        return ends
    if "date_end" in frame.columns:
        raw = frame["date_end"].where(coarse & ~_missing(frame["date_end"].to_numpy(object)))
        given = raw.notna().to_numpy()
        if given.any():
            parsed = _parse_dates(raw[given])
            ends[given] = (parsed.dt.year * 12 + parsed.dt.month - 1).to_numpy(dtype=np.int64)
    else:
        given = np.zeros(len(frame), dtype=bool)
    year_only = coarse & ~given & (precision == "year")
    ends[year_only] = months[year_only] // 12 * 12 + 11
    return np.asarray(np.maximum(ends, months), dtype=np.int64)


def _prepare(events: pd.DataFrame) -> pd.DataFrame:
    """The events checked and reduced to what the signals need: one row per event and month it
    counts in, with ``weight`` its share there (1 unless its date is spread over months)."""
    if not isinstance(events, pd.DataFrame):
        raise ValidationError(f"events must be a pandas DataFrame, got {type(events).__name__}")
    for column in COLUMNS:
        if column not in events.columns:
            raise ValidationError(f"missing column; events need {', '.join(COLUMNS)}", field=column)
    frame = events.reset_index(drop=True)
    event_ids = _text(frame["event_id"], "event_id", required=True)
    repeated = pd.Series(event_ids).duplicated().to_numpy()
    _fail_at(repeated, lambda i: f"event {event_ids[i]!r} appears twice", "event_id")
    dates = _parse_dates(frame["date"])
    category = _text(frame["category"], "category", required=True)
    fatalities = _deaths(frame["fatalities"])
    identity = _flags(frame["identity_targeted"])
    one_sided = np.isin(category.astype(str), list(AGAINST_CIVILIANS))
    countries = _text(frame["country_key"], "country_key", required=True)
    regions = _one_spelling(countries, _text(frame["admin1"], "admin1", required=False), dates)
    precision = _choices(frame, "date_precision", DATE_PRECISIONS, "day")
    perpetrator = _choices(frame, "perpetrator_kind", PERPETRATOR_KINDS, "unknown")
    months = (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(dtype=np.int64)
    # A spread never runs past the data's last month: there is nothing to compare it with yet.
    last = int(months.max()) if len(months) else 0
    ends = np.minimum(_end_months(frame, months, precision), np.maximum(months, last))
    spans = (ends - months + 1).astype(np.int64)
    rows = np.repeat(np.arange(len(frame)), spans)
    offsets = np.arange(int(spans.sum())) - np.repeat(np.cumsum(spans) - spans, spans)
    return pd.DataFrame(
        {
            "event_id": event_ids.astype(str)[rows],
            "date": dates.to_numpy()[rows],
            "month": months[rows] + offsets,
            "weight": 1.0 / spans[rows],
            "imprecise": np.isin(precision.astype(str), list(LOW_PRECISIONS))[rows],
            "perpetrator_kind": perpetrator[rows],
            "country_key": countries[rows],
            "admin1": regions[rows],
            "fatalities": fatalities[rows],
            "one_sided": one_sided[rows],
            "identity_targeted": identity[rows],
            "all": np.ones(len(rows), dtype=bool),
        }
    )
