"""Keeps the stored countries table in step with the packaged country reference, and finds a
stored country by any name or code: the one country lookup every layer uses.

Imported aliases (from `lens data import country-names`) live beside the reference ones.

Public API::

    sync_country_reference(session) -> bool
    stored_reference(session) -> CountryReference      # packaged records + imported aliases
    unresolved_countries(session, values) -> {value: problem}   # those that do not resolve
    find_country(session, query, *, scheme=None, on=None) -> Country   # NotFoundError
    look_up_country(session, query, ...) -> CountryLookup  # the row, its record and neighbours,
                                                           # in two queries; NotFoundError
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, selectinload

from prevention_lens.countries import (
    COLUMNS,
    CountryRecord,
    CountryReference,
    load_reference_records,
    normalize_name,
)
from prevention_lens.errors import NotFoundError
from prevention_lens.store.models import Country, CountryAlias, StoreMeta

REFERENCE_KEY = "country_reference_sha256"
# Every column of the packaged table but the key and the aliases, which are stored apart.
COUNTRY_FIELDS = tuple(name for name in COLUMNS if name not in ("key", "aliases"))


def reference_checksum(records: tuple[CountryRecord, ...]) -> str:
    payload = json.dumps([record.to_dict() for record in records], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def sync_country_reference(session: Session) -> bool:
    """Upsert the packaged reference into the store; True when anything changed."""
    records = load_reference_records()
    checksum = reference_checksum(records)
    meta = session.get(StoreMeta, REFERENCE_KEY)
    if meta is not None and meta.value == checksum:
        return False
    existing = {country.key: country for country in session.scalars(select(Country))}
    for record in records:
        country = existing.get(record.key) or Country(key=record.key)
        for field in COUNTRY_FIELDS:
            setattr(country, field, getattr(record, field))
        session.add(country)
    session.flush()
    session.execute(delete(CountryAlias).where(CountryAlias.data_import_id.is_(None)))
    ids = dict(session.execute(select(Country.key, Country.id)).all())
    for record in records:
        for alias in record.aliases:
            session.add(
                CountryAlias(
                    country_id=ids[record.key], alias=alias, normalized=normalize_name(alias)
                )
            )
    if meta is None:
        session.add(StoreMeta(key=REFERENCE_KEY, value=checksum))
    else:
        meta.value = checksum
    session.flush()
    return True


def stored_reference(session: Session) -> CountryReference:
    """The packaged reference plus every alias that imports have added to the store."""
    imported = session.execute(
        select(CountryAlias.alias, Country.key)
        .join(Country, CountryAlias.country_id == Country.id)
        .where(CountryAlias.data_import_id.is_not(None))
    )
    return _reference_with(tuple(sorted((alias, key) for alias, key in imported)))


@lru_cache(maxsize=8)
def _reference_with(aliases: tuple[tuple[str, str], ...]) -> CountryReference:
    # Building the resolver's indexes takes ~15 ms; the imported aliases rarely change, so
    # every lookup with the same aliases shares one (a batch of 100 lookups took 1.5 s).
    return CountryReference(load_reference_records(), extra_aliases=aliases)


def unresolved_countries(session: Session, values: Iterable[str]) -> dict[str, str]:
    """Each of the values that the stored reference cannot resolve, with what an import says of
    it (``CountryReference.unknown``: the nearest names); each value is looked up once."""
    reference = stored_reference(session)
    found: dict[str, str] = {}
    for value in dict.fromkeys(values):
        try:
            reference.resolve(value)
        except NotFoundError:
            found[value] = reference.unknown(value)
    return found


def country_ids_by_key(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Country.key, Country.id)).all())


def stored_countries(session: Session) -> list[Country]:
    return list(
        session.scalars(
            select(Country).options(selectinload(Country.aliases)).order_by(Country.name)
        )
    )


def find_country(
    session: Session, query: str, *, scheme: str | None = None, on: date | None = None
) -> Country:
    """The stored country for any name, alias, key or code the reference accepts ("Burma",
    "mmr", "cow:775"), in any case: the one lookup every layer uses. Raises
    UnknownCountryError (a NotFoundError, with suggestions) when nothing matches."""
    key = stored_reference(session).resolve(query, scheme=scheme, on=on).key
    country = session.scalar(select(Country).where(Country.key == key))
    if country is None:
        raise NotFoundError(f"Country {key} is not in the store; run `lens db upgrade`.")
    return country


@dataclass(frozen=True)
class CountryLookup:
    """A country found once for a whole view: its stored row, its reference record (with the
    aliases imports added), its predecessor and successor states, and the reference itself."""

    country: Country
    record: CountryRecord
    related: tuple[Country, ...]
    reference: CountryReference


def look_up_country(
    session: Session, query: str, *, scheme: str | None = None, on: date | None = None
) -> CountryLookup:
    """Like ``find_country``, with everything a country's page needs about the country itself,
    in two queries (imported aliases; the country with its predecessors and successor)."""
    reference = stored_reference(session)
    key = reference.resolve(query, scheme=scheme, on=on).key
    successor = select(Country.successor_key).where(Country.key == key).scalar_subquery()
    rows = list(
        session.scalars(
            select(Country)
            .where(or_(Country.key == key, Country.successor_key == key, Country.key == successor))
            .order_by(Country.key)
        )
    )
    country = next((row for row in rows if row.key == key), None)
    if country is None:
        raise NotFoundError(f"Country {key} is not in the store; run `lens db upgrade`.")
    return CountryLookup(
        country=country,
        record=reference.by_key(key),
        related=tuple(row for row in rows if row.key != key),
        reference=reference,
    )
