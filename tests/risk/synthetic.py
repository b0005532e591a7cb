"""A synthetic country-year table for the model tests: risk rises with x1 and x2, x3 is noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit


def panel(seed: int, n_units: int = 40, years: range = range(1990, 2010)) -> pd.DataFrame:
    """A synthetic country-year table: risk rises with x1 and x2, x3 is noise."""
    rng = np.random.default_rng(seed)
    rows = len(years) * n_units
    table = pd.DataFrame(
        {
            "x1": rng.normal(size=rows),
            "x2": rng.binomial(1, 0.3, size=rows).astype(float),
            "x3": rng.normal(size=rows),
            "year": np.repeat(np.array(years, dtype=float), n_units),
        }
    )
    table["year_sq"] = table["year"] ** 2
    eta = -3.0 + 1.2 * table["x1"] + 1.0 * table["x2"]
    table["y"] = rng.binomial(1, expit(eta))
    return table


def xy(seed: int) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    table = panel(seed)
    return table[["x1", "x2", "x3", "year", "year_sq"]], table["y"], table["year"]
