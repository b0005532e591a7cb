"""The words of an actor mapping: kinds of actor, levels, sectors, prevention activities on the
Wilton Park report's spectrum, R2P pillars, stages, and kinds of relationship.

Each list maps a stored code to the label people read. ``check`` validates a value against a
list and names the field and the allowed codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from prevention_lens.errors import ValidationError
from prevention_lens.spectrum import ACTIVITIES, R2P_PILLARS, STAGES

Code = TypeVar("Code", str, int)

__all__ = [
    "ACTIVITIES",
    "ENTITIES",
    "KINDS",
    "LEVELS",
    "R2P_PILLARS",
    "RELATIONSHIP_KINDS",
    "SECTORS",
    "STAGES",
    "STATUSES",
    "STRENGTHS",
    "check",
]

ENTITIES = {"organisation": "Organisation", "network": "Network", "person": "Person"}
KINDS = {
    "grassroots_group": "Grassroots group",
    "civil_society": "Civil-society organisation",
    "government": "Government body",
    "parliament": "Parliament",
    "national_mechanism": "National prevention mechanism or committee",
    "regional_organisation": "Regional organisation",
    "international_organisation": "UN or other international organisation",
    "academia": "Academia",
    "media": "Media",
    "faith_group": "Faith group",
    "donor": "Donor",
    "private_sector": "Private sector",
}
LEVELS = {
    "grassroots": "Grassroots",
    "local": "Local",
    "national": "National",
    "regional": "Regional",
    "international": "International",
}
# Levels in order from the community outward; "local" below means grassroots or local.
LEVEL_ORDER = tuple(LEVELS)
LOCAL_LEVELS = frozenset({"grassroots", "local"})
SECTORS = {
    "development": "Development",
    "security": "Security",
    "humanitarian": "Humanitarian",
    "human_rights": "Human rights",
    "peacebuilding": "Peacebuilding",
    "justice": "Justice",
    "media": "Media",
    "education": "Education",
    "governance": "Governance",
    "faith": "Faith",
}
RELATIONSHIP_KINDS = {
    "partnership": "Partnership",
    "funding": "Funding",
    "membership": "Membership",
    "information_sharing": "Information sharing",
    "referral": "Referral",
}
STRENGTHS = {1: "Weak", 2: "Moderate", 3: "Strong"}
STATUSES = ("draft", "published", "rejected", "merged")


def check(
    values: Iterable[Code],
    allowed: Mapping[Code, str],
    field: str,
    *,
    file: str | None = None,
    row: int | None = None,
) -> list[Code]:
    """The values, each checked against ``allowed``; duplicates dropped, order kept."""
    chosen: list[Code] = []
    for value in values:
        if value not in allowed:
            codes = ", ".join(str(code) for code in allowed)
            raise ValidationError(
                f"unknown value {value!r}; choose from {codes}", file=file, row=row, field=field
            )
        if value not in chosen:
            chosen.append(value)
    return chosen
