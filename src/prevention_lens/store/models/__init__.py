"""The store's tables, one module per capability; importing this package registers them all."""

from prevention_lens.store.models.accounts import ApiToken, LoginSession, User
from prevention_lens.store.models.audit import AuditEntry
from prevention_lens.store.models.base import Base, StoreMeta
from prevention_lens.store.models.countries import Country, CountryAlias
from prevention_lens.store.models.provenance import DataImport
from prevention_lens.store.models.risk import (
    Assessment,
    AssessmentScore,
    BacktestRecord,
    CountryForecast,
    ForecastRun,
    FrameworkFactor,
    FrameworkIndicator,
    FrameworkIndicatorRevision,
)

__all__ = [
    "ApiToken",
    "Assessment",
    "AssessmentScore",
    "AuditEntry",
    "BacktestRecord",
    "Base",
    "Country",
    "CountryAlias",
    "CountryForecast",
    "DataImport",
    "ForecastRun",
    "FrameworkFactor",
    "FrameworkIndicator",
    "FrameworkIndicatorRevision",
    "LoginSession",
    "StoreMeta",
    "User",
]
