"""The store's tables, one module per capability; importing this package registers them all."""

from prevention_lens.store.models.accounts import (
    ApiToken,
    LoginChallenge,
    LoginSession,
    LoginThrottle,
    RecoveryCode,
    RoleRequirement,
    User,
)
from prevention_lens.store.models.actors import (
    Actor,
    ActorContact,
    ActorRelationship,
    NetworkSnapshot,
)
from prevention_lens.store.models.audit import AuditEntry
from prevention_lens.store.models.base import Base, StoreMeta
from prevention_lens.store.models.countries import Country, CountryAlias
from prevention_lens.store.models.incidents import (
    CustodyEntry,
    Incident,
    IncidentAttachment,
    IncidentRevision,
    IncidentSource,
    RateLimitHit,
)
from prevention_lens.store.models.lexicon import (
    LexiconConcept,
    LexiconMapping,
    LexiconRevision,
)
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
from prevention_lens.store.models.situations import CountrySituation
from prevention_lens.store.models.speech import (
    SpeechAssessment,
    SpeechAssessmentRevision,
    SpeechPost,
    SpeechTerm,
    SpeechTermSense,
)
from prevention_lens.store.models.whatworks import LibraryEntry

__all__ = [
    "Actor",
    "ActorContact",
    "ActorRelationship",
    "ApiToken",
    "Assessment",
    "AssessmentScore",
    "AuditEntry",
    "BacktestRecord",
    "Base",
    "Country",
    "CountryAlias",
    "CountryForecast",
    "CountrySituation",
    "CustodyEntry",
    "DataImport",
    "ForecastRun",
    "FrameworkFactor",
    "FrameworkIndicator",
    "FrameworkIndicatorRevision",
    "Incident",
    "IncidentAttachment",
    "IncidentRevision",
    "IncidentSource",
    "LexiconConcept",
    "LexiconMapping",
    "LexiconRevision",
    "LibraryEntry",
    "LoginChallenge",
    "LoginSession",
    "LoginThrottle",
    "NetworkSnapshot",
    "RateLimitHit",
    "RecoveryCode",
    "RoleRequirement",
    "SpeechAssessment",
    "SpeechAssessmentRevision",
    "SpeechPost",
    "SpeechTerm",
    "SpeechTermSense",
    "StoreMeta",
    "User",
]
