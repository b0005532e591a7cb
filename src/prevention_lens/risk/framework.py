"""The UN Framework of Analysis for Atrocity Crimes in the store: loading it, reading it, and
correcting an indicator's wording (admins only) with every version kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from prevention_lens.errors import NotFoundError, ValidationError
from prevention_lens.sources.frameworks import FactorRow
from prevention_lens.store.access import Principal, audit, require
from prevention_lens.store.imports import LoadCounts
from prevention_lens.store.models import (
    DataImport,
    FrameworkFactor,
    FrameworkIndicator,
    FrameworkIndicatorRevision,
)
from prevention_lens.store.models.base import utcnow

FRAMEWORK = "un-foa-2014"
CITATION = (
    "United Nations Office on Genocide Prevention and the Responsibility to Protect, "
    "Framework of Analysis for Atrocity Crimes: A tool for prevention (2014), "
    "UN doc A/70/741-S/2016/71. Indicator texts are paraphrases."
)
SCORE_LABELS = {0: "absent", 1: "low", 2: "moderate", 3: "severe"}


@dataclass(frozen=True)
class Indicator:
    code: str
    text: str
    unverified: bool
    unverified_reason: str
    edited_by: str | None


@dataclass(frozen=True)
class Factor:
    number: int
    kind: str
    name: str
    summary: str
    unverified: bool
    indicators: tuple[Indicator, ...]

    @property
    def scorable_codes(self) -> tuple[str, ...]:
        """Indicator ids, or the factor's own number when it lists no indicators."""
        return tuple(i.code for i in self.indicators) or (str(self.number),)


def load_framework(
    session: Session, factors: Sequence[FactorRow], data_import: DataImport
) -> LoadCounts:
    """Create or update factors and indicators; wording an admin corrected is kept as it is.

    Counts are per factor: a factor is updated when it or any of its indicators changed.
    """
    created = updated = unchanged = 0
    existing = {
        factor.number: factor
        for factor in session.scalars(
            select(FrameworkFactor).where(FrameworkFactor.framework == FRAMEWORK)
        )
    }
    indicators = {
        indicator.code: indicator
        for indicator in session.scalars(
            select(FrameworkIndicator).where(FrameworkIndicator.framework == FRAMEWORK)
        )
    }
    for row in factors:
        factor = existing.get(row.number)
        values = {
            "kind": row.kind,
            "name": row.name,
            "summary": row.summary,
            "unverified": row.unverified,
            "unverified_reason": row.unverified_reason,
        }
        is_new = factor is None
        changed = False
        if factor is None:
            factor = FrameworkFactor(framework=FRAMEWORK, number=row.number, **values)
            session.add(factor)
            session.flush()
        elif any(getattr(factor, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(factor, key, value)
            changed = True
        for position, item in enumerate(row.indicators, start=1):
            indicator = indicators.get(item.code)
            if indicator is None:
                indicator = FrameworkIndicator(
                    framework=FRAMEWORK,
                    factor_id=factor.id,
                    code=item.code,
                    position=position,
                    text=item.text,
                    unverified=item.unverified,
                    unverified_reason=item.unverified_reason,
                )
                session.add(indicator)
                session.flush()
                _keep_revision(session, indicator, "import", f"import {data_import.id}")
                changed = True
            elif indicator.edited_by is None and (
                indicator.text != item.text or indicator.unverified != item.unverified
            ):
                indicator.text, indicator.unverified = item.text, item.unverified
                indicator.unverified_reason = item.unverified_reason
                _keep_revision(session, indicator, "import", f"import {data_import.id}")
                changed = True
        if is_new:
            created += 1
        elif changed:
            updated += 1
        else:
            unchanged += 1
    return LoadCounts(created=created, updated=updated, unchanged=unchanged)


def _keep_revision(session: Session, indicator: FrameworkIndicator, who: str, note: str) -> None:
    session.add(
        FrameworkIndicatorRevision(
            indicator_id=indicator.id,
            text=indicator.text,
            unverified=indicator.unverified,
            changed_by=who,
            note=note,
        )
    )


def framework_factors(session: Session) -> list[Factor]:
    """The framework as stored, factor by factor, or an error saying how to load it."""
    rows = list(
        session.scalars(
            select(FrameworkFactor)
            .where(FrameworkFactor.framework == FRAMEWORK)
            .options(selectinload(FrameworkFactor.indicators))
            .order_by(FrameworkFactor.number)
        )
    )
    if not rows:
        raise NotFoundError(
            "The Framework of Analysis is not loaded: run `lens data import un-framework`."
        )
    return [
        Factor(
            number=row.number,
            kind=row.kind,
            name=row.name,
            summary=row.summary,
            unverified=row.unverified,
            indicators=tuple(
                Indicator(i.code, i.text, i.unverified, i.unverified_reason, i.edited_by)
                for i in row.indicators
            ),
        )
        for row in rows
    ]


def scorable_codes(session: Session) -> dict[str, int]:
    """Every code an assessment may score, with the number of its factor."""
    return {
        code: factor.number
        for factor in framework_factors(session)
        for code in factor.scorable_codes
    }


def correct_indicator(
    session: Session,
    principal: Principal,
    code: str,
    text: str,
    *,
    verified: bool,
    note: str,
) -> FrameworkIndicator:
    """An admin's correction of an indicator's wording (e.g. checked against the UN text)."""
    indicator = session.scalar(
        select(FrameworkIndicator).where(
            FrameworkIndicator.framework == FRAMEWORK, FrameworkIndicator.code == code
        )
    )
    if indicator is None:
        raise NotFoundError(f"No indicator {code!r} in the Framework of Analysis.")
    require(principal, "update", "framework_indicator", indicator)
    if not text.strip():
        raise ValidationError("the indicator text is empty", field="text")
    indicator.text = text.strip()
    indicator.unverified = not verified
    indicator.unverified_reason = "" if verified else indicator.unverified_reason
    indicator.edited_by = principal.username
    indicator.updated_at = utcnow()
    session.flush()
    _keep_revision(session, indicator, principal.username, note)
    audit(session, principal, "correct", "framework_indicator", code, note=note)
    return indicator


def indicator_history(session: Session, code: str) -> list[FrameworkIndicatorRevision]:
    return list(
        session.scalars(
            select(FrameworkIndicatorRevision)
            .join(FrameworkIndicator)
            .where(FrameworkIndicator.code == code, FrameworkIndicator.framework == FRAMEWORK)
            .order_by(FrameworkIndicatorRevision.id)
        )
    )
