"""Predictors read as people say them: labels, units and values, for every EWP predictor."""

from __future__ import annotations

import pytest

from prevention_lens.risk.panel import PanelSpec
from prevention_lens.risk.predictors import (
    PREDICTORS,
    describe_group,
    describe_value,
    predictor_label,
)


def test_every_predictor_of_the_ewp_panel_has_a_plain_label() -> None:
    spec = PanelSpec.packaged("ewp2025")
    missing = [name for name in spec.predictors if name not in PREDICTORS]
    assert missing == []
    assert all(PREDICTORS[name].label != name for name in spec.predictors)


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("popsize.log2", 25.69, "about 54 million people"),
        ("battledeaths.log2", 11.254, "about 2,400 deaths in the year"),
        ("un_imr_sqrt", 5.638, "32 deaths per 1,000 live births"),
        ("countryage.new.log2", 6.2479, "75 years"),
        ("gdppcgrowth", -1.6376, "-1.6% a year"),
        ("discrimpop", 0.0605, "6% of the population"),
        ("widetargeting", 1.0, "yes"),
        ("year_sq", 2024.0**2, "2024"),
        ("mk_ongoing_count_log2", 2.0, "3 ongoing episodes"),
        ("a_column_of_my_own", 3.25, "3.25"),
        ("popsize.log2", float("nan"), "unknown"),
    ],
)
def test_values_read_in_their_units(name: str, value: float, text: str) -> None:
    assert describe_value(name, value) == text


def test_groups_read_as_one() -> None:
    bans = {"partyban.new.0": 0.0, "partyban.new.1": 0.0, "partyban.new.2": 1.0}
    assert describe_group("party bans", bans) == "all"
    assert describe_group("time trend", {"year": 2024.0, "year_sq": 2024.0**2}) == "2024"
    assert predictor_label("party bans") == "Political parties banned"
    assert predictor_label("unknown_column") == "unknown_column"
