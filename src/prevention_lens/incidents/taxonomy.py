"""What happened: the incident taxonomy, and how UCDP's and ACLED's types map onto it.

Categories cover UCDP GED's three types of organised violence, ACLED's event types and
sub-types, and violations neither dataset records (hate crimes, dangerous speech, forced
displacement, arbitrary detention, destruction of cultural or religious sites...).
``against_civilians`` marks the categories the escalation signals count as violence against
civilians. ``docs/incidents.md`` prints this table.

Public API::

    CATEGORIES: dict[str, Category]
    category(code) -> Category                      # ValidationError naming the code
    from_ucdp(type_of_violence) -> str
    from_acled(event_type, sub_event_type) -> str
    TARGET_DIMENSIONS, PERPETRATOR_KINDS, DATE_PRECISIONS, LOCATION_PRECISIONS
"""

from __future__ import annotations

from dataclasses import dataclass

from prevention_lens.errors import ValidationError


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    group: str  # organised violence | violation | unrest | development
    description: str
    against_civilians: bool = False
    ucdp_type: int | None = None
    acled: tuple[tuple[str, str], ...] = ()  # (event type, sub-event type); "*" for any


_ALL = (
    Category(
        "state_based_conflict",
        "State-based armed conflict",
        "organised violence",
        "Fighting in which at least one side is a government (UCDP type 1).",
        ucdp_type=1,
    ),
    Category(
        "non_state_conflict",
        "Non-state conflict",
        "organised violence",
        "Fighting between organised armed groups, none of them a government (UCDP type 2).",
        ucdp_type=2,
    ),
    Category(
        "one_sided_violence",
        "Violence against civilians",
        "organised violence",
        "Deliberate killing or attack of unarmed civilians by a government or an organised "
        "group (UCDP type 3; ACLED's attacks on civilians).",
        against_civilians=True,
        ucdp_type=3,
        acled=(("Violence against civilians", "Attack"),),
    ),
    Category(
        "sexual_violence",
        "Sexual violence",
        "organised violence",
        "Sexual violence by an armed or organised actor.",
        against_civilians=True,
        acled=(("Violence against civilians", "Sexual violence"),),
    ),
    Category(
        "abduction_disappearance",
        "Abduction or enforced disappearance",
        "organised violence",
        "People taken, abducted or disappeared by an armed or organised actor.",
        against_civilians=True,
        acled=(("Violence against civilians", "Abduction/forced disappearance"),),
    ),
    Category(
        "armed_clash",
        "Armed clash",
        "organised violence",
        "Armed, organised groups fighting at a place and time (ACLED battles).",
        acled=(("Battles", "*"),),
    ),
    Category(
        "remote_violence",
        "Explosion or remote violence",
        "organised violence",
        "Air or drone strikes, shelling, bombs, landmines, chemical weapons.",
        acled=(("Explosions/Remote violence", "*"),),
    ),
    Category(
        "excessive_force_protest",
        "Excessive force against protesters",
        "unrest",
        "Lethal or severe force used against peaceful protesters.",
        against_civilians=True,
        acled=(("Protests", "Excessive force against protesters"),),
    ),
    Category(
        "protest",
        "Protest",
        "unrest",
        "A demonstration, peaceful or met with intervention.",
        acled=(("Protests", "*"),),
    ),
    Category(
        "riot_mob_violence",
        "Riot or mob violence",
        "unrest",
        "Violent demonstrations and mob violence, including attacks by crowds on others.",
        acled=(("Riots", "*"),),
    ),
    Category(
        "looting_destruction",
        "Looting or destruction of property",
        "violation",
        "Looting, arson or destruction of homes, shops or property.",
        acled=(("Strategic developments", "Looting/property destruction"),),
    ),
    Category(
        "arrests",
        "Arrests",
        "development",
        "Arrests recorded as a strategic development (ACLED).",
        acled=(("Strategic developments", "Arrests"),),
    ),
    Category(
        "strategic_development",
        "Other strategic development",
        "development",
        "Agreements, headquarters established, territory transferred, other developments.",
        acled=(("Strategic developments", "*"),),
    ),
    Category(
        "hate_crime",
        "Hate crime",
        "violation",
        "A crime against people or property chosen for their identity.",
        against_civilians=True,
    ),
    Category(
        "dangerous_speech",
        "Dangerous-speech incident",
        "violation",
        "Speech that can increase the risk that its audience condones or commits violence "
        "against another group: dehumanisation, accusation in a mirror, threats.",
    ),
    Category(
        "forced_displacement",
        "Forced displacement",
        "violation",
        "People forced or obliged to leave their homes: expulsion, evictions, flight from attack.",
        against_civilians=True,
    ),
    Category(
        "arbitrary_detention",
        "Arbitrary detention",
        "violation",
        "Detention without legal basis or due process, including mass detention of a group.",
        against_civilians=True,
    ),
    Category(
        "torture_ill_treatment",
        "Torture or ill-treatment",
        "violation",
        "Torture, cruel, inhuman or degrading treatment.",
        against_civilians=True,
    ),
    Category(
        "cultural_religious_destruction",
        "Destruction of cultural or religious sites",
        "violation",
        "Attacks on or destruction of places of worship, monuments, cemeteries, heritage.",
    ),
    Category(
        "other",
        "Other",
        "violation",
        "An incident that fits none of the categories above; say what in the narrative.",
    ),
)

CATEGORIES: dict[str, Category] = {item.code: item for item in _ALL}

TARGET_DIMENSIONS = (
    "ethnicity",
    "religion",
    "nationality",
    "political affiliation",
    "race",
    "language",
    "gender",
    "sexual orientation",
    "caste",
    "indigenous identity",
    "other",
)
PERPETRATOR_KINDS = ("state", "non_state", "unknown")
DATE_PRECISIONS = ("day", "week", "month", "year")
LOCATION_PRECISIONS = ("exact", "near", "admin2", "admin1", "country")
STATUSES = ("unverified", "in_review", "verified", "disputed", "rejected")


def category(code: str) -> Category:
    try:
        return CATEGORIES[code]
    except KeyError:
        known = ", ".join(CATEGORIES)
        raise ValidationError(f"unknown category {code!r}; choose from {known}") from None


def from_ucdp(type_of_violence: int) -> str:
    """The category of a UCDP GED event by its ``type_of_violence`` (1, 2 or 3)."""
    for item in _ALL:
        if item.ucdp_type == type_of_violence:
            return item.code
    raise ValidationError(f"UCDP type_of_violence must be 1, 2 or 3, got {type_of_violence!r}")


def from_acled(event_type: str, sub_event_type: str) -> str:
    """The category of an ACLED event: an exact sub-type match first, then the event type."""
    event, sub = event_type.strip(), sub_event_type.strip()
    for wildcard in (False, True):
        for item in _ALL:
            for mapped_event, mapped_sub in item.acled:
                if mapped_event.lower() != event.lower():
                    continue
                if (mapped_sub == "*") == wildcard and (
                    wildcard or mapped_sub.lower() == sub.lower()
                ):
                    return item.code
    raise ValidationError(f"unknown ACLED event type {event_type!r}")
