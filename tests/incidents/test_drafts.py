"""Incident drafts: a bad draft names its field, and the file and row it came from."""

from __future__ import annotations

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.incidents.drafts import draft_from_mapping
from tests.incidents.sample_draft import draft_values


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"category": "picnic"}, "category", "unknown category 'picnic'"),
        ({"date_start": "25/08/2017"}, "date_start", "is not a date"),
        ({"date_end": "2017-08-01"}, "date_end", "before it starts"),
        ({"latitude": "95", "longitude": "10"}, "latitude", "outside -90..90"),
        ({"longitude": ""}, "latitude", "both latitude and longitude"),
        ({"fatalities_best": "many"}, "fatalities_best", "is not a count"),
        ({"fatalities_best": "-3", "fatalities_low": ""}, "fatalities_best", "negative"),
        ({"fatalities_low": "20"}, "fatalities_low", "above best"),
        ({"target_groups": "Rohingya"}, "target_groups", "dimension: name"),
        ({"target_groups": "tribe: X"}, "target_groups", "unknown identity dimension"),
        ({"country": ""}, "country", "is required"),
        ({"witness": "x"}, "witness", "is not a field"),
    ],
)
def test_a_bad_draft_names_its_field(changes: dict[str, object], field: str, problem: str) -> None:
    with pytest.raises(ValidationError) as caught:
        draft_from_mapping(draft_values(**changes), file="sheet.csv", row=7)
    assert caught.value.field == field and problem in str(caught.value)
    assert "sheet.csv" in str(caught.value) and "row 7" in str(caught.value)
