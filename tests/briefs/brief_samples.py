"""Country briefs built by hand (no store), for the renderers' tests: every part filled
(``speech=None`` gives a country without monitored posts)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from prevention_lens.briefs.parts import (
    BriefActors,
    BriefAssessment,
    BriefEvidence,
    BriefFactor,
    BriefIndicator,
    BriefOption,
    BriefRisk,
    BriefSigns,
    BriefSituation,
    BriefSpeech,
    BriefSpeechSurge,
    CountryBrief,
    Figure,
)

BURMESE = "မြန်မာ"
ARABIC = "ميانمار"
SPEECH = BriefSpeech(
    trend=(
        "1,240 posts monitored from the week of 2026-06-01 to the week of 2026-10-26; "
        "96 (7.7%) count as hate speech.",
        "In the latest 4 weeks 12.0% of posts were hate speech, up from 6.1% in the 8 weeks "
        "before.",
    ),
    surges=(
        BriefSpeechSurge(
            date(2026, 10, 19),
            "religion",
            14,
            2.5,
            ("7.14", "13.7"),
            ("2026-11: events of violence against civilians rose to 9 against about 1.2 expected",),
            False,
        ),
        BriefSpeechSurge(date(2026, 9, 7), "origin", 9, 1.5, ("7.14",), (), False),
    ),
    indicators=(
        BriefIndicator("7.14", "Inflammatory rhetoric or hate speech increases.", "moderate"),
        BriefIndicator("13.7", "Discourse threatens or incites violence.", None),
    ),
    assessed_on=date(2026, 10, 1),
    link_rule="A surge is linked to the alerts of the month of its week and the 2 after.",
    example=False,
    notice="",
    url="/speech/MMR",
    figures=(Figure("Monitored posts", "1,240 (96)", "Speech monitoring", "2026-10-26"),),
)


def sample_brief(key: str = "MMR", name: str = "Myanmar", **changes: Any) -> CountryBrief:
    risk = BriefRisk(
        level="very high",
        probability=0.091,
        rank=1,
        ranked=162,
        interval=(0.06, 0.13),
        change=0.02,
        change_parts=(("Mass killing under way", 0.015), ("Population", 0.005)),
        drivers=("A mass killing is under way", "Large population"),
        history=((2020, 0.05), (2021, 0.07), (2022, 0.08), (2023, 0.085), (2024, 0.091)),
        level_cutoffs="very high from 8%, high from 4%, elevated from 2%",
        figures=(Figure("Probability of a new mass killing", "9.1%", "EWP 2025 panel", "2024"),),
    )
    brief = CountryBrief(
        key=key,
        name=name,
        audience="ap",
        language="en",
        generated_at=datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
        reader_role="public",
        summary=(
            f"{name} has the highest statistical risk of a new mass killing.",
            "Fighting continues in several regions.",
            "Few prevention actors work at the local level.",
        ),
        situation=BriefSituation(
            "current_crisis",
            "Current crisis",
            "Atrocity crimes are under way.",
            date(2026, 11, 1),
            "current_crisis",
            ("a mass killing is under way", "escalation alerts in 3 regions"),
        ),
        risk=risk,
        assessment=BriefAssessment(
            date(2026, 10, 1),
            tuple(
                BriefFactor(f"{n}", f"Risk factor {n}", "serious" if n < 4 else "not assessed", "")
                for n in range(1, 15)
            ),
        ),
        signs=BriefSigns(
            alerts=("2026-10: fatalities in Sagaing above the usual range",),
            incidents_recent=12,
            incidents_window="the 12 months to 2026-10-31",
            points=((21.9, 95.9, 5), (16.8, 96.2, 2), (22.0, 94.5, 1)),
            figures=(Figure("Incidents", "12", "UCDP GED", "2026-10-31"),),
        ),
        actors=BriefActors(
            4, (("local", 1), ("national", 1), ("international", 2)), "No local mediators", False
        ),
        evidence=tuple(
            BriefEvidence(
                f"Study {n} (2020)",
                f"https://example.org/study/{n}",
                0.9 - n / 10,
                ("similar conflict",),
                3,
                "",
            )
            for n in range(1, 6)
        ),
        options=(
            BriefOption(1, "Support local dialogue", "No local mediators are mapped.", False),
            BriefOption(2, "Fund monitoring", "Alerts rose.", False),
            BriefOption(3, "Targeted sanctions", "The crisis continues.", False),
            BriefOption(3, "Peace operation", "Last resort.", True),
        ),
        sources=(
            Figure("Probability", "9.1%", "EWP 2025 panel", "2024"),
            Figure("Incidents", "12", f"UCDP GED; local press in {BURMESE} and {ARABIC}", "2026"),
        ),
        terms=(("atrocity prevention", "conflict sensitivity", "development term"),),
        speech=SPEECH,
    )
    return replace(brief, **changes)
