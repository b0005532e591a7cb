"""Prevention options by R2P pillar: our own catalogue of measures, each keyed to the Framework
of Analysis risk factors it answers and to the prevention activities (``spectrum.ACTIVITIES``)
that carry it out, and the choice of those that fit a country's brief.

The texts are ours: general measures drawn from the three-pillar framework (A/63/677, 2009)
and the Framework of Analysis (2014), never claims about a country. Within a pillar non-military
measures come first; pillar 3's military measures come last of all, with the note that they are
a last resort under the UN Charter.

Public API::

    Option, CATALOGUE, PILLAR_CONCEPTS, MILITARY_NOTE
    choose_options(factors, *, alerts=False, missing=(), level=None, per_pillar=3)
        -> tuple[BriefOption, ...]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from prevention_lens.briefs.coverage import EXPECTED_CAPACITIES
from prevention_lens.briefs.parts import BriefOption
from prevention_lens.errors import ValidationError
from prevention_lens.spectrum import ACTIVITIES, R2P_PILLARS

# The lexicon concepts that define each pillar (their definitions and sources are cited).
PILLAR_CONCEPTS = {1: "ap/r2p-pillar-one", 2: "ap/r2p-pillar-two", 3: "ap/r2p-pillar-three"}
MILITARY_NOTE = (
    "Military measures are a last resort: under the UN Charter collective force needs a "
    "Security Council decision under Chapter VII, after peaceful means under Chapters VI and "
    "VIII have proved inadequate."
)
# Framework factor numbers, 1–14 (UN Framework of Analysis, 2014).
FACTORS = range(1, 15)
# Factors 9–14 are the crime-specific ones; a high score there calls for a response now.
SPECIFIC_FACTORS = frozenset(range(9, 15))
# A factor counts as "high" from this highest indicator score (2 moderate, 3 severe).
HIGH_SCORE = 2


@dataclass(frozen=True)
class Option:
    """A measure in the catalogue; ``factors`` the Framework risk factors it answers (empty:
    every brief may list it), ``activities`` the prevention activities that carry it out."""

    pillar: int
    measure: str
    why: str
    factors: frozenset[int]
    activities: tuple[str, ...]
    military: bool = False
    # Listed only when the risk is high or a crime-specific factor scores high.
    urgent: bool = False

    def __post_init__(self) -> None:
        if self.pillar not in R2P_PILLARS:
            raise ValidationError(f"pillar must be 1, 2 or 3, got {self.pillar}", field="pillar")
        unknown = [a for a in self.activities if a not in ACTIVITIES]
        if unknown:
            raise ValidationError(f"unknown activities {unknown}", field="activities")
        outside = sorted(set(self.factors) - set(FACTORS))
        if outside:
            raise ValidationError(f"Framework factors run 1–14, got {outside}", field="factors")
        if self.military and self.pillar != 3:
            # Our catalogue keeps force to the collective response; pillar 2 security
            # assistance is listed as non-military capacity-building (training, reform).
            raise ValidationError("military measures belong to pillar 3", field="military")


def _o(
    pillar: int,
    measure: str,
    why: str,
    factors: Iterable[int],
    activities: Iterable[str],
    *,
    military: bool = False,
    urgent: bool = False,
) -> Option:
    return Option(pillar, measure, why, frozenset(factors), tuple(activities), military, urgent)


CATALOGUE: tuple[Option, ...] = (
    # Pillar 1: the state's own measures.
    _o(
        1,
        "Set up or strengthen a national early-warning and response mechanism, with a focal "
        "point for atrocity prevention in government.",
        "Turns warning signs into decisions inside the state that has the first responsibility.",
        (),
        ("early_warning", "normative_obligations"),
    ),
    _o(
        1,
        "Put the security forces under accountable civilian control, with clear rules on the "
        "use of force and investigation of abuses.",
        "Answers a record of violations and the capacity to commit atrocity crimes.",
        (2, 5, 7, 13),
        ("human_rights_standards", "accountability", "training"),
    ),
    _o(
        1,
        "Investigate and prosecute past violations and incitement before independent courts.",
        "Impunity for past violations is itself a risk factor for new ones.",
        (2, 4, 10, 12),
        ("accountability", "documentation"),
    ),
    _o(
        1,
        "End discriminatory laws and practices, and protect the rights of groups at risk.",
        "Answers intergroup tensions and patterns of discrimination.",
        (4, 9, 10),
        ("human_rights_standards", "identity_violence_roots", "social_cohesion"),
    ),
    _o(
        1,
        "Protect independent media, civil society and human-rights defenders, and counter "
        "incitement without curbing free expression.",
        "Keeps mitigating voices alive and answers enabling circumstances such as incitement.",
        (6, 7, 8, 9),
        ("media_development", "policy_advocacy", "human_rights_standards"),
    ),
    _o(
        1,
        "Open inclusive national dialogue on the disputes that drive the conflict, with local "
        "mediation between communities.",
        "Addresses armed conflict, instability and triggering events through peaceful means.",
        (1, 3, 8, 9),
        ("dialogue_mediation", "community_building", "social_cohesion"),
    ),
    # Pillar 2: international assistance.
    _o(
        2,
        "Support local early-warning, documentation and protection networks with funding, "
        "training and secure channels to international partners.",
        "Local actors see danger first; links to international ones let warnings reach action.",
        (),
        ("early_warning", "documentation", "community_building"),
    ),
    _o(
        2,
        "Assist the rule of law: courts, police and prisons, with human-rights training and "
        "vetting.",
        "Answers weak state structures and a record of violations.",
        (2, 3, 5),
        ("training", "human_rights_standards", "accountability"),
    ),
    _o(
        2,
        "Fund independent media development and programmes against hate speech and disinformation.",
        "Answers enabling circumstances and triggers spread by incitement.",
        (7, 8, 9),
        ("media_development", "identity_violence_roots"),
    ),
    _o(
        2,
        "Screen aid, trade and security cooperation through an atrocity-prevention lens, so "
        "that no programme strengthens those who may commit atrocity crimes.",
        "Keeps outside support from adding to the capacity or motives for atrocity crimes.",
        (4, 5, 7),
        ("policy_advocacy", "normative_obligations"),
    ),
    _o(
        2,
        "Offer good offices and support for mediation between the parties, through the UN or "
        "regional organisations.",
        "Armed conflict and instability are the most common setting of atrocity crimes.",
        (1, 8, 13),
        ("dialogue_mediation",),
    ),
    # Pillar 3: timely and decisive response (non-military first).
    _o(
        3,
        "Use preventive diplomacy now: public and private démarches, envoys and fact-finding "
        "missions.",
        "Warning signs are active or crime-specific risk factors score high.",
        (8, 9, 10, 11, 12, 13, 14),
        ("dialogue_mediation", "policy_advocacy"),
        urgent=True,
    ),
    _o(
        3,
        "Support independent investigation and documentation of alleged crimes, including "
        "through UN human-rights mechanisms.",
        "Preserves evidence for accountability and signals that crimes will be answered.",
        (2, 10, 11, 12, 13),
        ("documentation", "accountability"),
        urgent=True,
    ),
    _o(
        3,
        "Consider targeted measures against those responsible: sanctions on individuals, arms "
        "embargoes, suspension of security cooperation.",
        "Raises the cost of violence to those who can stop it, without punishing a population.",
        (4, 5, 11, 12),
        ("accountability", "normative_obligations"),
        urgent=True,
    ),
    _o(
        3,
        "Secure humanitarian access and protect humanitarian and peacekeeping personnel.",
        "Answers serious threats to humanitarian or peacekeeping operations.",
        (13, 14),
        ("protection_of_civilians",),
        urgent=True,
    ),
    _o(
        3,
        "Protect civilians through a Security Council-mandated mission, with force only as "
        "authorised.",
        "Where a state manifestly fails to protect its population and peaceful means prove "
        "inadequate.",
        (11, 12, 13, 14),
        ("protection_of_civilians",),
        military=True,
        urgent=True,
    ),
)


def _relevance(option: Option, high: frozenset[int], missing_activities: frozenset[str]) -> int:
    """How many of the country's high-scoring factors and coverage gaps the option answers."""
    return len(option.factors & high) * 2 + len(set(option.activities) & missing_activities)


def _missing_activities(missing: Iterable[str]) -> frozenset[str]:
    """The prevention activities a country's coverage gaps (``briefs.coverage``) name."""
    gaps = set(missing)
    named = {c.activity for c in EXPECTED_CAPACITIES if c.missing in gaps}
    if any("grassroots or local actor" in gap for gap in gaps):
        named.add("community_building")
    return frozenset(named)


def choose_options(
    factors: Mapping[int, int | None],
    *,
    alerts: bool = False,
    missing: Iterable[str] = (),
    level: str | None = None,
    per_pillar: int = 3,
) -> tuple[BriefOption, ...]:
    """The options for a country: per pillar the most relevant ``per_pillar`` of the catalogue,
    ordered by pillar with non-military measures first.

    ``factors`` maps a Framework factor number to its highest indicator score (None: not
    assessed); ``alerts`` says whether escalation alerts are active; ``missing`` are the
    country's coverage gaps; ``level`` its statistical risk level. Pillar 3's urgent measures
    are listed only when alerts are active, the risk is high or very high, or a crime-specific
    factor scores high; the military one only when a crime-specific factor scores severe."""
    if per_pillar < 1:
        raise ValidationError(f"must be at least 1, got {per_pillar}", field="per_pillar")
    high = frozenset(number for number, score in factors.items() if (score or 0) >= HIGH_SCORE)
    severe_specific = any(
        (score or 0) >= 3 for number, score in factors.items() if number in SPECIFIC_FACTORS
    )
    urgent = alerts or level in ("high", "very high") or bool(high & SPECIFIC_FACTORS)
    gaps = _missing_activities(missing)
    chosen: list[BriefOption] = []
    for pillar in R2P_PILLARS:
        candidates = [
            option
            for option in CATALOGUE
            if option.pillar == pillar
            and (not option.urgent or urgent)
            and (not option.military or severe_specific)
        ]
        civil = [option for option in candidates if not option.military]
        # The most relevant first; the catalogue's order breaks ties (general measures lead).
        civil.sort(key=lambda option: -_relevance(option, high, gaps))
        kept = civil[:per_pillar] + [option for option in candidates if option.military]
        chosen.extend(
            BriefOption(
                pillar=option.pillar,
                measure=option.measure,
                why=_why(option, high, gaps),
                military=option.military,
            )
            for option in kept
        )
    return tuple(chosen)


def _why(option: Option, high: frozenset[int], gaps: frozenset[str]) -> str:
    """The option's reason, with what in this country's data it answers."""
    answers = sorted(option.factors & high)
    parts = [option.why]
    if answers:
        named = ", ".join(str(number) for number in answers)
        noun = "factor" if len(answers) == 1 else "factors"
        parts.append(f"Answers Framework risk {noun} {named}, assessed moderate or severe here.")
    covered = [ACTIVITIES[a].lower() for a in option.activities if a in gaps]
    if covered:
        parts.append(f"Fills a coverage gap in {', '.join(covered)}.")
    if option.military:
        parts.append(MILITARY_NOTE)
    return " ".join(parts)
