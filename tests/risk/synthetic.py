"""A synthetic country-year table for the model tests: risk rises with x1 and x2, x3 is noise."""

from __future__ import annotations

from pathlib import Path

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


ISO3 = ["MMR", "TCD", "SDN", "MLI", "NGA", "ETH", "SOM", "IRQ", "SYR", "AFG", "COL", "MEX"]


def write_panel(folder: Path, seed: int = 0) -> Path:
    """A country-year file that is not EWP's: 12 countries, 1990–2012, two predictors, the
    year's onset and the next year's (the outcome; unknown for 2012), and a spec beside it."""
    rng = np.random.default_rng(seed)
    lines = ["iso,year,violence,democracy,onset,onset_next"]
    for iso in ISO3:
        violence = rng.normal(size=23)
        democracy = rng.uniform(size=23)
        # An onset in year t + 1 follows the violence of year t.
        onset = [0] + [int(rng.uniform() < 1 / (1 + np.exp(2.2 - 1.5 * v))) for v in violence]
        for i, year in enumerate(range(1990, 2013)):
            following = "" if year == 2012 else str(onset[i + 1])
            lines.append(
                f"{iso},{year},{violence[i]:.4f},{democracy[i]:.4f},{onset[i]},{following}"
            )
    (folder / "tiny.csv").write_text("\n".join(lines) + "\n")
    spec = folder / "tiny.yaml"
    spec.write_text(
        "name: tiny\nfile: tiny.csv\nunit: iso\nunit_scheme: iso3\ntime: year\n"
        "outcome: onset_next\nevent: onset\nhorizon: 1\npredictors: [violence, democracy]\n"
    )
    return spec
