"""Situation categories: analysts judge a country to be a current crisis, at imminent risk, of
serious concern, or none of these, each judgement dated and with its rationale; the history stays.

The categories follow the Global Centre for the Responsibility to Protect's R2P Monitor
(https://www.globalr2p.org/regions/ and https://www.globalr2p.org/r2p-atrocity-alert/), whose
"Populations at Risk" pages sort situations as Current Crisis, Imminent Risk and Serious Concern
(since March 2023 R2P Monitor itself uses the first two). The definitions below are our own words.

Public API::

    CATEGORIES: dict[str, Category]        # code -> label and one-line definition, gravest first
    RATIONALE_MAX_CHARS = 4000
    Situation                              # frozen; .to_dict()
    set_situation(session, principal, country, category, rationale, effective_on=None)
    current_situation(session, principal, country) -> Situation | None
    situation_history(session, principal, country) -> list[Situation]      # newest first
    list_situations(session, principal, category=None) -> list[Situation]  # current per country

``country`` is a Country row or any name or code the resolver accepts. Setting one needs the
analyst role; reading is public, but who set a situation is shown to analysts and admins only.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prevention_lens.errors import ValidationError
from prevention_lens.store.access import Principal, audit, project, require
from prevention_lens.store.models import Country, CountrySituation
from prevention_lens.store.models.situations import SITUATION_CATEGORIES
from prevention_lens.store.reference import find_country

RESOURCE = "country_situation"
RATIONALE_MAX_CHARS = 4000
# Control characters other than tab and line breaks: no one types them, and PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    definition: str


# Gravest first: lists and the suggestion's rule go in this order.
CATEGORIES: dict[str, Category] = {
    category.code: category
    for category in (
        Category(
            "current_crisis",
            "Current crisis",
            "Mass atrocity crimes are under way; halting them cannot wait.",
        ),
        Category(
            "imminent_risk",
            "Imminent risk",
            "The situation is close to a tipping point: atrocity crimes are likely to begin, or "
            "begin again, soon unless prevention works now.",
        ),
        Category(
            "serious_concern",
            "Serious concern",
            "A real risk of atrocity crimes, or of their return, in the foreseeable future if "
            "nothing effective is done.",
        ),
        Category(
            "none",
            "None",
            "Not one of the situations above; set to take a country off the list, with the reason.",
        ),
    )
}
if tuple(CATEGORIES) != SITUATION_CATEGORIES:  # the store's check constraint lists the same codes
    raise RuntimeError("CATEGORIES and the store's SITUATION_CATEGORIES differ")


@dataclass(frozen=True)
class Situation:
    """One dated judgement of a country's situation, as the reader may see it: ``set_by`` is
    None for readers below analyst."""

    country_key: str
    country_name: str
    category: str
    label: str
    rationale: str
    effective_on: date
    set_at: datetime
    set_by: str | None

    @property
    def definition(self) -> str:
        return CATEGORIES[self.category].definition

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings."""
        return asdict(self) | {
            "definition": self.definition,
            "effective_on": self.effective_on.isoformat(),
            "set_at": self.set_at.isoformat(),
        }


def check_category(category: str) -> str:
    """The category code, or a ValidationError naming the field and the codes allowed."""
    code = category.strip().lower().replace(" ", "_").replace("-", "_")
    if code not in CATEGORIES:
        raise ValidationError(
            f"must be one of {', '.join(CATEGORIES)}, got {category!r}", field="category"
        )
    return code


def _country(session: Session, country: Country | str) -> Country:
    # Callers that have looked the country up already pass its row: one lookup per request.
    return country if isinstance(country, Country) else find_country(session, country)


def _situation(principal: Principal, row: CountrySituation, country: Country) -> Situation:
    shown = project(principal, RESOURCE, row)
    if shown is None:  # every situation is public; a policy change must not leak one by mistake
        raise RuntimeError("situation rows are public records")
    code = str(shown["category"])
    return Situation(
        country_key=country.key,
        country_name=country.name,
        category=code,
        label=CATEGORIES[code].label,
        rationale=str(shown["rationale"]),
        effective_on=shown["effective_on"],
        set_at=shown["set_at"],
        set_by=shown.get("set_by"),
    )


def set_situation(
    session: Session,
    principal: Principal,
    country: Country | str,
    category: str,
    rationale: str,
    effective_on: date | None = None,
) -> Situation:
    """Record a new judgement (analysts and admins); the earlier ones stay as history.
    ``effective_on`` defaults to today and may not be in the future."""
    require(principal, "set", RESOURCE)
    code = check_category(category)
    text = rationale.strip()
    if not text:
        raise ValidationError(
            "is required: say why the country is in this category", field="rationale"
        )
    if len(text) > RATIONALE_MAX_CHARS:
        raise ValidationError(
            f"is {len(text):,} characters, over the {RATIONALE_MAX_CHARS:,} allowed",
            field="rationale",
        )
    if _CONTROL.search(text):
        raise ValidationError("holds control characters; use plain text", field="rationale")
    today = date.today()
    day = today if effective_on is None else effective_on
    if day > today:
        raise ValidationError(f"{day} is in the future", field="effective_on")
    found = _country(session, country)
    row = CountrySituation(
        country_id=found.id,
        category=code,
        rationale=text,
        effective_on=day,
        set_by=principal.username,
        set_by_id=principal.user_id,
    )
    session.add(row)
    session.flush()
    audit(session, principal, "set", RESOURCE, row.id, country=found.key, category=code)
    return _situation(principal, row, found)


def situation_history(
    session: Session, principal: Principal, country: Country | str
) -> list[Situation]:
    """Every judgement of the country, newest first (by effective date, then as recorded)."""
    require(principal, "read", RESOURCE)
    found = _country(session, country)
    rows = session.scalars(
        select(CountrySituation)
        .where(CountrySituation.country_id == found.id)
        .order_by(CountrySituation.effective_on.desc(), CountrySituation.id.desc())
    )
    return [_situation(principal, row, found) for row in rows]


def current_situation(
    session: Session, principal: Principal, country: Country | str
) -> Situation | None:
    """The country's latest judgement, or None when none was ever set."""
    require(principal, "read", RESOURCE)
    found = _country(session, country)
    row = session.scalars(
        select(CountrySituation)
        .where(CountrySituation.country_id == found.id)
        .order_by(CountrySituation.effective_on.desc(), CountrySituation.id.desc())
        .limit(1)
    ).first()
    return None if row is None else _situation(principal, row, found)


def list_situations(
    session: Session, principal: Principal, category: str | None = None
) -> list[Situation]:
    """Each country's current situation, gravest category first, then by country name.
    Countries whose current category is "none" are left out unless ``category="none"``."""
    require(principal, "read", RESOURCE)
    wanted = None if category is None or not category.strip() else check_category(category)
    newest = (
        select(
            CountrySituation.id,
            func.row_number()
            .over(
                partition_by=CountrySituation.country_id,
                order_by=(CountrySituation.effective_on.desc(), CountrySituation.id.desc()),
            )
            .label("position"),
        )
    ).subquery()
    pairs = session.execute(
        select(CountrySituation, Country)
        .join(newest, newest.c.id == CountrySituation.id)
        .join(Country, Country.id == CountrySituation.country_id)
        .where(newest.c.position == 1)
    ).all()
    order = {code: index for index, code in enumerate(CATEGORIES)}
    shown = [
        _situation(principal, row, country)
        for row, country in pairs
        if row.category == wanted or (wanted is None and row.category != "none")
    ]
    return sorted(shown, key=lambda s: (order[s.category], s.country_name, s.country_key))
