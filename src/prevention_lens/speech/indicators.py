"""The UN Framework of Analysis indicators that speech monitoring's surges bear on: their
wording (the store's where an admin corrected it), which are not yet checked against a copy of
the Framework, and which classifier attribute triggers each (docs/speech-monitoring.md).

Public API::

    FRAMEWORK_INDICATORS: dict[str, str]      # "7.14", "8.7", "13.5", "13.7" -> wording
    UNVERIFIED_INDICATORS, UNVERIFIED_NOTE    # codes whose wording is not checked; the note
    INDICATOR_ATTRIBUTES                      # indicator -> the classifier attribute behind it
    indicator_triggers() -> [(attribute, (codes, ...)), ...]   # the same, grouped
    IndicatorText, framework_indicators(session, principal) -> list[IndicatorText]
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from prevention_lens.store.access import Principal, read_records
from prevention_lens.store.models import FrameworkIndicator

# The UN Framework of Analysis for Atrocity Crimes (2014) as ../shared/data/frameworks/
# framework_of_analysis.yaml words these indicators (short paraphrases; a test keeps the two
# equal). 8.7 was checked against https://thewestpapuagenocidemonitor.org/post/risk-factor-8,
# 13.5 and 13.7 against https://thewestpapuagenocidemonitor.org/post/risk-factor-13 (copies of
# the Framework's indicators); 7.14 could not be checked (UNVERIFIED_INDICATORS). Wording an
# admin corrected in the store wins (framework_indicators).
FRAMEWORK = "un-foa-2014"
FRAMEWORK_INDICATORS: dict[str, str] = {
    "7.14": (
        "Inflammatory rhetoric, propaganda or hate speech targeting protected groups, "
        "populations or individuals increases."
    ),
    "8.7": "Incitement or hate propaganda aimed at particular groups or individuals.",
    "13.5": (
        "Conduct dehumanizing the enemy or population groups, or disrespecting their "
        "religious, ethnic or cultural traditions, values, objects or institutions."
    ),
    "13.7": (
        "Plans or discourse threaten or incite violence against IHL-protected persons, e.g. "
        "to terrorize, demoralize, show strength, displace, or as prelude."
    ),
}
UNVERIFIED_INDICATORS = frozenset({"7.14"})
# What every page, command and brief says beside an indicator in UNVERIFIED_INDICATORS.
UNVERIFIED_NOTE = "wording not yet checked against the Framework's text"
# Every surge of hateful posts bears on 7.14; the others when enough of the surge week's
# hateful posts score high on the classifier attribute named here (SurgeSettings). 8.7
# (incitement) and 13.7 (discourse that threatens or incites violence) share "threat": the
# classifier has no finer measure, and 13.7 differs by context (factor 13 is about armed
# conflict, which the analyst judges), so pages explain the two together (indicator_triggers).
# Identity attack is not used: the shipped head scores it high on few hateful posts.
INDICATOR_ATTRIBUTES: dict[str, str] = {"8.7": "threat", "13.5": "dehumanisation", "13.7": "threat"}


def indicator_triggers() -> list[tuple[str, tuple[str, ...]]]:
    """Each classifier attribute with the indicators it triggers, in the Framework's order:
    [("threat", ("8.7", "13.7")), ("dehumanisation", ("13.5",))], so a page explains the
    shared condition once."""
    shared: dict[str, list[str]] = {}
    for code, attribute in INDICATOR_ATTRIBUTES.items():
        shared.setdefault(attribute, []).append(code)
    return [(attribute, tuple(codes)) for attribute, codes in shared.items()]


@dataclass(frozen=True)
class IndicatorText:
    code: str
    text: str
    unverified: bool
    source: str  # "store" (as loaded or corrected there) or "packaged" (FRAMEWORK_INDICATORS)


def framework_indicators(session: Session, principal: Principal) -> list[IndicatorText]:
    """The four indicators' wording: the store's (an admin may have corrected it) where the
    Framework is loaded, else FRAMEWORK_INDICATORS."""
    stored = {
        row["code"]: row
        for row in read_records(
            session,
            principal,
            "framework_indicator",
            select(FrameworkIndicator).where(
                FrameworkIndicator.framework == FRAMEWORK,
                FrameworkIndicator.code.in_(FRAMEWORK_INDICATORS),
            ),
        )
    }
    found = []
    for code, text in FRAMEWORK_INDICATORS.items():
        row = stored.get(code)
        if row is None:
            found.append(IndicatorText(code, text, code in UNVERIFIED_INDICATORS, "packaged"))
        else:
            found.append(IndicatorText(code, row["text"], bool(row["unverified"]), "store"))
    return found
