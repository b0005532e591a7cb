"""The stored country reference and the one country lookup every layer uses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from prevention_lens.errors import NotFoundError, UnknownCountryError
from prevention_lens.ingest import get_format, run_import
from prevention_lens.settings import Settings
from prevention_lens.store import Store
from prevention_lens.store.access import LOCAL_OPERATOR
from prevention_lens.store.models import Country, CountryAlias
from prevention_lens.store.reference import (
    country_ids_by_key,
    find_country,
    stored_countries,
    sync_country_reference,
)


@pytest.mark.parametrize(
    "query",
    ["MMR", "mmr", "Mmr", "Myanmar", "MYANMAR", "myanmar", "Burma", "burma", "  Burma  ", "MM"],
)
def test_names_keys_and_codes_in_any_case_find_one_country(store: Store, query: str) -> None:
    with store.session() as session:
        country = find_country(session, query)
    assert isinstance(country, Country) and country.key == "MMR" and country.cow == 775


@pytest.mark.parametrize(
    ("query", "scheme", "on", "key"),
    [
        ("cow:775", None, None, "MMR"),
        ("775", "cow", None, "MMR"),
        ("104", "iso_numeric", None, "MMR"),
        ("345", "gw", date(1995, 1, 1), "YUG"),
    ],
)
def test_codes_in_any_scheme_and_by_date(
    store: Store, query: str, scheme: str | None, on: date | None, key: str
) -> None:
    with store.session() as session:
        assert find_country(session, query, scheme=scheme, on=on).key == key


def test_an_unknown_name_is_not_found_with_suggestions(store: Store) -> None:
    with store.session() as session, pytest.raises(UnknownCountryError) as caught:
        find_country(session, "Myanmr")
    assert isinstance(caught.value, NotFoundError) and caught.value.http_status == 404
    assert "Myanmar" in caught.value.suggestions


def test_an_imported_alias_is_found_too(store: Store, settings: Settings, tmp_path: Path) -> None:
    names = tmp_path / "desk-names.csv"
    names.write_text("name,iso3\nDesk Myanmar,MMR\n")
    run_import(store, settings, LOCAL_OPERATOR, get_format("country-names"), names)
    with store.session() as session:
        assert find_country(session, "desk MYANMAR").key == "MMR"


def test_a_country_missing_from_the_store_says_how_to_fix_it(store: Store) -> None:
    with store.session() as session:
        tuvalu = find_country(session, "Tuvalu")
        session.execute(delete(CountryAlias).where(CountryAlias.country_id == tuvalu.id))
        session.delete(tuvalu)
        session.flush()
        with pytest.raises(NotFoundError, match="lens db upgrade") as caught:
            find_country(session, "Tuvalu")
        assert not isinstance(caught.value, UnknownCountryError)
        session.rollback()


def test_the_stored_table_follows_the_packaged_one(store: Store) -> None:
    with store.session() as session:
        # open_store synced it; a second sync changes nothing.
        assert sync_country_reference(session) is False
        count = session.scalar(select(func.count()).select_from(Country)) or 0
        assert count == len(stored_countries(session)) == len(country_ids_by_key(session))
        assert count > 190


def test_unresolved_countries_are_named_once_each_with_the_nearest_names(store: Store) -> None:
    from prevention_lens.store.reference import unresolved_countries

    with store.session() as session:
        found = unresolved_countries(session, ["Kenya", "Narnia", "burma", "Narnia", "MMR"])
    assert list(found) == ["Narnia"]
    assert found["Narnia"].startswith("unknown country 'Narnia'; did you mean ")
