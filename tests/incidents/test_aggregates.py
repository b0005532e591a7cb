"""Incident counts per map cell, country and month: every matching record the reader may see,
placed by public coordinates only."""

from __future__ import annotations

import pytest

from prevention_lens.errors import ValidationError
from prevention_lens.incidents.aggregates import aggregate_incidents
from prevention_lens.incidents.drafts import draft_from_mapping
from prevention_lens.incidents.records import IncidentFilter, create_incident
from prevention_lens.store import Store
from prevention_lens.store.access import ANONYMOUS, LOCAL_OPERATOR, Principal, Role
from tests.incidents.sample_draft import draft_values

ANA = Principal("ana", Role.ANALYST, 11)


def _create(store: Store, **changes: object) -> None:
    with store.session() as session:
        create_incident(session, LOCAL_OPERATOR, draft_from_mapping(draft_values(**changes)))


def test_cells_countries_and_months_count_what_each_reader_may_see(store: Store) -> None:
    _create(store, confidentiality="public")
    _create(
        store,
        confidentiality="public",
        date_start="2017-09-02",
        fatalities_best="3",
        fatalities_low="",
        fatalities_high="",
    )
    _create(
        store,
        confidentiality="public",
        latitude="",
        longitude="",
        country="CAF",
        location_precision="country",
        date_start="1989-01-05",
    )
    _create(store, confidentiality="restricted")
    with store.session() as session:
        public = aggregate_incidents(session, ANONYMOUS, cell_degrees=0.05)
        analyst = aggregate_incidents(session, ANA, cell_degrees=0.05)
        # Limits and offsets of a list page do not narrow the counts.
        paged = aggregate_incidents(session, ANA, IncidentFilter(limit=1, offset=2))
    assert public.total == 3 and analyst.total == 4 and paged.total == 4
    # The cell is the one the rounded public coordinates (20.12, 92.88) fall in, for everyone.
    assert [(c.south, c.west, c.count, c.deaths) for c in public.cells] == [(20.1, 92.85, 2, 15)]
    assert [(c.south, c.west, c.count) for c in analyst.cells] == [(20.1, 92.85, 3)]
    assert [(u.country_key, u.count) for u in public.unplaced] == [("CAF", 1)]
    assert [(m.month, m.count, m.deaths) for m in public.months] == [
        ("1989-01", 1, 12),
        ("2017-08", 1, 12),
        ("2017-09", 1, 3),
    ]
    assert public.to_dict()["cells"][0] == {"south": 20.1, "west": 92.85, "count": 2, "deaths": 15}


def test_filters_narrow_the_counts(store: Store) -> None:
    _create(store, confidentiality="public", admin1="Rakhine")
    _create(store, confidentiality="public", country="CAF", admin1="Ouaka")
    with store.session() as session:
        rakhine = aggregate_incidents(session, ANONYMOUS, IncidentFilter(text="rakhine"))
        caf = aggregate_incidents(session, ANONYMOUS, IncidentFilter(country="CAF"))
    assert rakhine.total == 1 and caf.total == 1


def test_a_cell_size_off_the_grid_is_refused(store: Store) -> None:
    with store.session() as session, pytest.raises(ValidationError, match=r"0\.05") as caught:
        aggregate_incidents(session, ANONYMOUS, cell_degrees=0.01)
    assert caught.value.field == "cell"
