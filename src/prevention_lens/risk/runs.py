"""A forecast run from start to store: load the panel, fit, forecast, explain, and keep it.

The CLI, the web app and the briefs call ``forecast_run`` and get the same ``ForecastResult``;
none of them assembles rows of their own.

Public API::

    choose_panel(sources, spec_path=None) -> Panel   # EWP's packaged panel, or a spec file's
    forecast_run(session_factory, principal, panel, model=None, *, draws=40, store=True)
        -> ForecastResult
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from prevention_lens.risk.forecasts import ForecastRow, store_forecast_run
from prevention_lens.risk.predictors import describe_value, predictor_label
from prevention_lens.store.access import Principal

if TYPE_CHECKING:
    import pandas as pd

    from prevention_lens.risk.panel import Panel


@dataclass(frozen=True)
class CountryResult:
    """One country's forecast in a run, as the interfaces print it."""

    rank: int
    country_key: str
    country: str
    probability: float
    low: float | None
    high: float | None
    change: float | None
    drivers: tuple[str, ...]

    def as_record(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "country": self.country,
            "key": self.country_key,
            "probability": round(self.probability, 4),
            "interval": ""
            if self.low is None or self.high is None
            else f"{self.low:.3f}–{self.high:.3f}",
            "change": None if self.change is None else round(self.change, 4),
            "drivers": ", ".join(self.drivers),
        }


@dataclass(frozen=True)
class ForecastResult:
    """What a forecast run produced: the model, the data year, each country, and the stored
    run's number (None when not stored)."""

    model: str
    panel_spec: str
    origin_year: int
    countries: tuple[CountryResult, ...]
    run_id: int | None
    change_method: str


def choose_panel(sources: Path | None, spec_path: Path | None = None) -> Panel:
    """EWP's packaged panel (its file under ``sources``), or the panel a spec file describes."""
    from prevention_lens.risk.panel import load_packaged_panel, load_spec_panel

    if spec_path is not None:
        return load_spec_panel(spec_path)
    return load_packaged_panel(sources=sources)


def _number(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _name(key: str, panel: Panel, label: str) -> str:
    """The panel's own label, or the reference's name where the panel has no label column."""
    if panel.spec.label:
        return label
    from prevention_lens.countries import reference

    return reference().resolve(key).name


def _rows(panel: Panel, origin_year: int, table: pd.DataFrame) -> list[ForecastRow]:
    values = panel.at(origin_year).droplevel(1)
    rows = []
    for _, row in table.iterrows():
        known = values.loc[row["unit"]]
        drivers = [
            {
                "predictor": name,
                "label": predictor_label(name),
                "contribution": round(value, 4),
                "value": round(float(known[name]), 3),
                "value_text": describe_value(name, float(known[name])),
            }
            for name, value in row["drivers"]
        ]
        rows.append(
            ForecastRow(
                country_key=str(row["country_key"]),
                probability=float(row["probability"]),
                rank=int(row["rank"]),
                low=_number(row["lower"]),
                high=_number(row["upper"]),
                previous_probability=_number(row["previous_probability"]),
                drivers=drivers,
                shifts=list(row["change_parts"]),
            )
        )
    return rows


def forecast_run(
    session_factory: Callable[[], AbstractContextManager[Session]],
    principal: Principal,
    panel: Panel,
    model: str | None = None,
    *,
    draws: int = 40,
    store: bool = True,
) -> ForecastResult:
    """Fit ``model`` (default: the default model) on every year of ``panel``, forecast from its
    latest year, explain each country's forecast and its change, and keep the run when
    ``store``. The fitting runs outside any database session; storing opens one."""
    from prevention_lens.risk.catalog import DEFAULT_MODEL, describe, latest_forecasts

    name = model or DEFAULT_MODEL
    table, metrics = latest_forecasts(name, panel, draws=draws)
    origin = int(table["forecast_year"].iloc[0])
    run_id = None
    if store:
        with session_factory() as session:
            run = store_forecast_run(
                session,
                principal,
                model_name=name,
                model_params=describe(name),
                panel_spec=panel.spec.name or panel.source,
                data_sha256=panel.sha256,
                origin_year=origin,
                metrics=metrics,
                rows=_rows(panel, origin, table),
            )
            run_id = run.id
    countries = tuple(
        CountryResult(
            rank=int(r["rank"]),
            country_key=str(r["country_key"]),
            country=_name(str(r["country_key"]), panel, str(r["label"])),
            probability=float(r["probability"]),
            low=_number(r["lower"]),
            high=_number(r["upper"]),
            change=_number(r["change"]),
            drivers=tuple(predictor_label(p) for p, _ in r["drivers"][:3]),
        )
        for _, r in table.iterrows()
    )
    return ForecastResult(
        model=name,
        panel_spec=panel.spec.name or panel.source,
        origin_year=origin,
        countries=countries,
        run_id=run_id,
        change_method=str(metrics.get("change_method") or ""),
    )
