"""The access policy's rules: one module per capability, each rule naming real model fields.

A new model must either get a policy (a rules module under store/policies/) or be named below
as internal, with the reason it is never read through the policy.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from prevention_lens.store import models
from prevention_lens.store.access import POLICIES, ResourcePolicy, Role, register
from prevention_lens.store.models import Base
from prevention_lens.store.policies import RULES

SRC = Path(__file__).parents[2] / "src" / "prevention_lens"

# Which model each policy's records are.
POLICY_MODELS: dict[str, type[Base]] = {
    "country": models.Country,
    "user": models.User,
    "api_token": models.ApiToken,
    "data_import": models.DataImport,
    "audit_entry": models.AuditEntry,
    "framework_indicator": models.FrameworkIndicator,
    "assessment": models.Assessment,
    "assessment_score": models.AssessmentScore,
    "forecast_run": models.ForecastRun,
    "backtest_run": models.BacktestRecord,
    "country_forecast": models.CountryForecast,
    "incident": models.Incident,
    "incident_source": models.IncidentSource,
    "incident_attachment": models.IncidentAttachment,
    "incident_revision": models.IncidentRevision,
    "custody_entry": models.CustodyEntry,
    "actor": models.Actor,
    "actor_contact": models.ActorContact,
    "actor_relationship": models.ActorRelationship,
    "network_snapshot": models.NetworkSnapshot,
    "library_entry": models.LibraryEntry,
    "lexicon_concept": models.LexiconConcept,
    "lexicon_mapping": models.LexiconMapping,
    "lexicon_revision": models.LexiconRevision,
    "country_situation": models.CountrySituation,
    "speech_term": models.SpeechTerm,
    "speech_post": models.SpeechPost,
    "speech_assessment": models.SpeechAssessment,
}
# Models never handed to a reader through the policy, and why.
INTERNAL: dict[str, str] = {
    "CountryAlias": "read only by the country resolver; the names are public reference data",
    "StoreMeta": "the store's own bookkeeping (checksums, versions)",
    "FrameworkFactor": "the Framework's public headings, read with their indicators",
    "FrameworkIndicatorRevision": "the history of the public indicator wording",
    "LoginChallenge": "the login flow's own state (two-factor), never shown",
    "LoginSession": "session cookies' server side, read by the login code only",
    "LoginThrottle": "login throttling counters",
    "RecoveryCode": "hashed two-factor recovery codes, checked, never read out",
    "RoleRequirement": "which roles must use two-factor login: admin settings",
    "RateLimitHit": "the public forms' rate-limit counters",
    "SpeechTermSense": "read with its term, through the speech_term policy",
    "SpeechAssessmentRevision": (
        "read through the speech_assessment policy: each snapshot is projected field by field "
        "with that policy's levels"
    ),
}


def _declared_by(module: object) -> set[str]:
    """The names of the policies a rules module declares (ResourcePolicy(name=...))."""
    tree = ast.parse(Path(str(getattr(module, "__file__", ""))).read_text())
    return {
        keyword.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ResourcePolicy"
        for keyword in node.keywords
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant)
    }


def test_every_policy_belongs_to_one_rules_module_and_a_model() -> None:
    declared = [_declared_by(module) for module in RULES]
    assert all(declared), "each rules module declares at least one policy"
    union = set().union(*declared)
    assert sum(len(names) for names in declared) == len(union), "a policy in two modules"
    assert union == set(POLICY_MODELS)
    # Importing the access module registered every one of them.
    assert union <= set(POLICIES)


def test_every_model_has_a_policy_or_a_reason() -> None:
    mapped = {model.__name__ for model in POLICY_MODELS.values()}
    every = {mapper.class_.__name__ for mapper in Base.registry.mappers}
    assert every - mapped - set(INTERNAL) == set(), "give each new model a policy or a reason"
    assert set(INTERNAL) <= every, "INTERNAL names a model that no longer exists"


@pytest.mark.parametrize("name", sorted(POLICY_MODELS))
def test_every_policy_field_is_an_attribute_of_its_model(name: str) -> None:
    policy, model = POLICIES[name], POLICY_MODELS[name]
    named = [*policy.fields]
    named += [a for a in (policy.owner_attribute, policy.record_level_attribute) if a]
    missing = [field for field in named if not hasattr(model, field)]
    assert missing == [], f"{name}: {model.__name__} has no {missing}"


def _resources_read_in_src() -> set[str]:
    """The resource names that the package passes to the policy's functions."""
    functions = {"read_records": 2, "read_record": 2, "project": 1, "require": 2, "allowed": 2}
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            index = functions.get(node.func.id)
            if index is None or len(node.args) <= index:
                continue
            argument = node.args[index]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.add(argument.value)
    return found


def test_every_resource_the_package_reads_has_a_policy() -> None:
    read = _resources_read_in_src()
    assert {"incident", "actor", "country_forecast", "assessment"} <= read
    assert read - set(POLICIES) == set()


def test_a_second_different_policy_for_a_name_is_refused() -> None:
    first = ResourcePolicy(name="test_only_kind", actions={"read": Role.PUBLIC}, fields={})
    try:
        register(first)
        register(first)  # the same rules again (a module imported twice) is fine
        with pytest.raises(ValueError, match="registered twice"):
            register(ResourcePolicy(name="test_only_kind", actions={}, fields={}))
    finally:
        POLICIES.pop("test_only_kind", None)
