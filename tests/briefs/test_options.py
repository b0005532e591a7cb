"""The catalogue of prevention options: keyed to real factors and activities, chosen for a
country's data, ordered by pillar with military measures last."""

from __future__ import annotations

import pytest

from prevention_lens.briefs.options import CATALOGUE, MILITARY_NOTE, Option, choose_options
from prevention_lens.errors import ValidationError
from prevention_lens.spectrum import ACTIVITIES


def test_the_catalogue_keys_every_option_to_activities_and_factors() -> None:
    assert {option.pillar for option in CATALOGUE} == {1, 2, 3}
    for option in CATALOGUE:
        assert option.activities and set(option.activities) <= set(ACTIVITIES)
        assert set(option.factors) <= set(range(1, 15))
    assert [o.pillar for o in CATALOGUE if o.military] == [3]


def test_a_quiet_country_gets_no_pillar_three_measures() -> None:
    chosen = choose_options({1: 1}, level="low")
    assert {option.pillar for option in chosen} == {1, 2}
    assert not any(option.military for option in chosen)


def test_high_scores_pick_the_options_that_answer_them() -> None:
    chosen = choose_options({9: 3, 4: 2}, level="elevated")
    first = next(option for option in chosen if option.pillar == 1)
    assert "discriminatory" in first.measure
    assert "factors 4, 9" in first.why


def test_military_measures_come_last_with_the_charter_note() -> None:
    chosen = choose_options({11: 3, 13: 3}, alerts=True, level="very high")
    assert [option.pillar for option in chosen] == sorted(option.pillar for option in chosen)
    assert chosen[-1].military and chosen[-1].pillar == 3
    assert MILITARY_NOTE in chosen[-1].why
    assert sum(option.military for option in chosen) == 1
    # Moderate scores alone never bring the military measure.
    assert not any(o.military for o in choose_options({11: 2}, alerts=True, level="very high"))


def test_coverage_gaps_are_named_in_the_reasons() -> None:
    chosen = choose_options({}, missing=("no accountability actor at any level",))
    assert any("coverage gap in accountability" in option.why for option in chosen)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValidationError, match="pillar 3"):
        Option(1, "x", "y", frozenset(), ("training",), military=True)
    with pytest.raises(ValidationError, match="unknown activities"):
        Option(1, "x", "y", frozenset(), ("bombing",))
    with pytest.raises(ValidationError, match="per_pillar"):
        choose_options({}, per_pillar=0)
