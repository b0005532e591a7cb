"""The two frameworks an analyst assesses a speech act against: the Dangerous Speech Project's
five elements and hallmarks, and the Rabat Plan of Action's six-part threshold test for
incitement; with the conclusions an assessment may reach and how its Rabat scores read.

Every item carries the address of the public record it was checked against; descriptions are
our own words (docs/speech-assessments.md lists the sources).

Public API::

    DSP_ELEMENTS: dict[code, Element]           # speaker, audience, message, context, medium
    HALLMARKS: dict[code, Hallmark]             # (label, description, source_url)
    RABAT_FACTORS: dict[code, RabatFactor]      # (label, question, source_url); six, in order
    RABAT_SCORES: dict[int, str]                # 0 not met … 3 clearly met
    RABAT_MET                                   # the lowest score that counts as met (2)
    CONCLUSIONS: dict[code, Conclusion]         # (label, description, rank)
    RabatScore(score, note="")                  # one factor's score, validated
    RabatSummary, rabat_summary(rabat, conclusion) -> RabatSummary
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from prevention_lens.errors import ValidationError

# Where each item was verified (the addresses of the records found with the search tool).
DSP_FAQ = "https://dangerousspeech.org/faq/?faq=200"
DSP_DEFINITION = "https://dangerousspeech.org/dangerous-speech"
DSP_VARIABLES = "http://dangerousspeech.org/the-dangerous-speech-project-preventing-mass-violence/"
# A copy of "Dangerous Speech: A Practical Guide" (https://dangerousspeech.org/guide/) whose
# table of contents names the five hallmarks and the framework's five parts.
DSP_GUIDE_COPY = "https://docslib.org/doc/1958155/dangerous-speech-project"
# A/HRC/55/47 (2024), para. 21: the threshold test's parts (a) context, (b) speaker, (c) intent.
RABAT_A_HRC_55_47 = "https://adattar.minorityforum.info/en/entity/fc3ci5szeda?page=7"
# A/78/538 (2023), para. 40: the six factors by name.
RABAT_A_78_538 = (
    "https://adattar.minorityforum.info/en/entity/y3kfcrnl9x/metadata"
    "?file=1726215589622hrejemam1o7.pdf&page=14"
)
# The UN Strategy and Plan of Action on Hate Speech, field guidance p. 13: an expression is a
# criminal offence only when it fulfils all six criteria ("a high threshold").
RABAT_ALL_SIX = "https://eos.cartercenter.org/quotes/9679"


class Element(NamedTuple):
    """One of the Dangerous Speech Project's five elements, the assessment fields that record
    it, and the question the analyst answers."""

    label: str
    question: str
    source_url: str
    fields: tuple[str, ...]


class Hallmark(NamedTuple):
    label: str
    description: str
    source_url: str


class RabatFactor(NamedTuple):
    label: str
    question: str
    source_url: str


class Conclusion(NamedTuple):
    """``rank`` orders conclusions by gravity; None for "undetermined"."""

    label: str
    description: str
    rank: int | None


DSP_ELEMENTS: dict[str, Element] = {
    "speaker": Element(
        "Speaker",
        "Who spread it, and how much influence or authority do they have over this audience?",
        DSP_FAQ,
        ("speaker_role", "speaker"),
    ),
    "audience": Element(
        "Audience",
        "Who received it, and were they already open to it, for instance fearful or resentful?",
        DSP_FAQ,
        ("audience",),
    ),
    "message": Element(
        "Message",
        "What does it say, and which hallmarks of dangerous speech does it carry?",
        DSP_FAQ,
        ("message", "hallmarks"),
    ),
    "context": Element(
        "Social and historical context",
        "Does the social and historical setting in which it spread make violence between "
        "the groups more likely to follow?",
        DSP_VARIABLES,
        ("context",),
    ),
    "medium": Element(
        "Medium",
        "Through what channel did it spread, and how far and how credibly does that channel "
        "reach this audience?",
        DSP_VARIABLES,
        ("medium",),
    ),
}

HALLMARKS: dict[str, Hallmark] = {
    "dehumanisation": Hallmark(
        "Dehumanisation",
        "Describes the other group as less than human (vermin, insects, disease, demons), "
        "which makes violence against them seem acceptable.",
        DSP_FAQ,
    ),
    "accusation_in_a_mirror": Hallmark(
        "Accusation in a mirror",
        "Tells the audience that the other group threatens them, often with death, casting "
        "the would-be victims as the attackers so that violence seems necessary self-defence.",
        DSP_FAQ,
    ),
    "threat_to_purity": Hallmark(
        "Threat to group integrity or purity",
        "Presents the other group as a danger to the integrity or purity of the audience's "
        "own group.",
        DSP_GUIDE_COPY,
    ),
    "attack_on_women_and_girls": Hallmark(
        "Assertion of attack against women and girls",
        "Asserts that members of the other group attack, or will attack, the women and girls "
        "of the audience's own group.",
        DSP_GUIDE_COPY,
    ),
    "questioning_loyalty": Hallmark(
        "Questioning in-group loyalty",
        "Questions whether members of the audience's own group are loyal to it.",
        DSP_GUIDE_COPY,
    ),
}

RABAT_FACTORS: dict[str, RabatFactor] = {
    "context": RabatFactor(
        "Context",
        "In the social and political setting when it was made and spread, how likely was it "
        "to incite discrimination, hostility or violence against the target group?",
        RABAT_A_HRC_55_47,
    ),
    "speaker": RabatFactor(
        "Speaker",
        "What is the speaker's position or standing in society, above all in the eyes of "
        "the audience it was addressed to?",
        RABAT_A_HRC_55_47,
    ),
    "intent": RabatFactor(
        "Intent",
        "Did the speaker mean to incite the audience against the target group? Negligence "
        "or recklessness is not enough, nor is merely passing material on.",
        RABAT_A_HRC_55_47,
    ),
    "content_and_form": RabatFactor(
        "Content and form",
        "What does it say, and in what form and style?",
        RABAT_A_78_538,
    ),
    "extent": RabatFactor(
        "Extent of the speech act",
        "How public was it, and how large and widespread its audience?",
        RABAT_ALL_SIX,
    ),
    "likelihood": RabatFactor(
        "Likelihood, including imminence",
        "How probable was it that it would incite actual action against the target group, "
        "and how soon?",
        RABAT_ALL_SIX,
    ),
}

RABAT_SCORES: dict[int, str] = {0: "not met", 1: "partly met", 2: "met", 3: "clearly met"}
RABAT_MET = 2

CONCLUSIONS: dict[str, Conclusion] = {
    "not_dangerous": Conclusion(
        "Not dangerous",
        "Unlikely to raise the risk that its audience condones or joins in violence against "
        "another group, though it may still be offensive or hateful.",
        0,
    ),
    "possibly_dangerous": Conclusion(
        "Possibly dangerous",
        "Some elements point to danger, but not enough to say it raises the risk of "
        "violence; worth watching and finding out more.",
        1,
    ),
    "dangerous": Conclusion(
        "Dangerous",
        "Can raise the risk that its audience condones or commits violence against members "
        "of another group (the Dangerous Speech Project's definition).",
        2,
    ),
    "incitement": Conclusion(
        "Meets the Rabat threshold of incitement",
        "Meets all six parts of the Rabat threshold test: incitement to discrimination, "
        "hostility or violence of the gravity that may be a criminal offence.",
        3,
    ),
    "undetermined": Conclusion(
        "Undetermined",
        "Too little is known to conclude; the rationale says what is missing.",
        None,
    ),
}
CONCLUSIONS_SOURCES = (DSP_DEFINITION, RABAT_ALL_SIX)

RABAT_NOTE_MAX_CHARS = 5_000


@dataclass(frozen=True)
class RabatScore:
    """One Rabat factor scored 0..3 (``RABAT_SCORES``); a score that counts as met needs a
    note saying why."""

    score: int
    note: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.score, bool) or not isinstance(self.score, int):
            raise ValidationError(f"must be a whole number from 0 to 3, got {self.score!r}")
        if self.score not in RABAT_SCORES:
            raise ValidationError(f"must be from 0 to 3, got {self.score}")
        if len(self.note) > RABAT_NOTE_MAX_CHARS:
            raise ValidationError(f"the note is over {RABAT_NOTE_MAX_CHARS:,} characters")
        if self.score >= RABAT_MET and not self.note.strip():
            raise ValidationError(
                f"a score of {self.score} ({RABAT_SCORES[self.score]}) needs a note"
            )

    @property
    def label(self) -> str:
        return RABAT_SCORES[self.score]

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "note": self.note}


@dataclass(frozen=True)
class RabatSummary:
    """How an assessment's Rabat scores read: which factors are met, which are not scored,
    whether the threshold is met (all six met), and whether the conclusion agrees."""

    met: tuple[str, ...]
    not_met: tuple[str, ...]
    unscored: tuple[str, ...]
    threshold_met: bool
    consistent: bool
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "met": list(self.met),
            "not_met": list(self.not_met),
            "unscored": list(self.unscored),
            "threshold_met": self.threshold_met,
            "consistent": self.consistent,
            "note": self.note,
        }


def _labels(codes: tuple[str, ...]) -> str:
    return ", ".join(RABAT_FACTORS[code].label.lower() for code in codes)


def rabat_summary(rabat: Mapping[str, RabatScore], conclusion: str) -> RabatSummary:
    """Read the scores against the test: the threshold is met only when all six factors are
    met (scored 2 or 3). The conclusion disagrees when it says incitement without that, or
    when all six are met and it says anything but incitement (undetermined excepted)."""
    met = tuple(code for code in RABAT_FACTORS if code in rabat and rabat[code].score >= RABAT_MET)
    not_met = tuple(code for code in RABAT_FACTORS if code in rabat and code not in met)
    unscored = tuple(code for code in RABAT_FACTORS if code not in rabat)
    threshold_met = len(met) == len(RABAT_FACTORS)
    consistent, note = True, ""
    if conclusion == "incitement" and not threshold_met:
        consistent = False
        short = not_met + unscored
        note = (
            "The conclusion is incitement, but the Rabat test needs all six factors met; "
            f"not met or not scored: {_labels(short)}."
        )
    elif threshold_met and conclusion not in ("incitement", "undetermined"):
        consistent = False
        note = (
            "All six Rabat factors are met, which is the threshold of incitement, but the "
            f"conclusion is {CONCLUSIONS[conclusion].label.lower()}."
        )
    elif threshold_met:
        note = "All six Rabat factors are met."
    elif met:
        note = f"{len(met)} of 6 Rabat factors met: {_labels(met)}."
    elif rabat:
        note = "No Rabat factor is met."
    else:
        note = "The Rabat factors are not scored."
    return RabatSummary(met, not_met, unscored, threshold_met, consistent, note)
