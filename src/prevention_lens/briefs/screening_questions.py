"""The words policy screening works with: per Framework risk factor, the questions to put at the
table and the words that tie a sentence to the factor; the cue words that say which way a measure
may push; and the standing questions every screening asks. All are our own wording.

Public API::

    FACTOR_GUIDES: dict[int, FactorGuide]      # risk factor number -> questions and anchors
    STANDING_QUESTIONS: tuple[str, ...]
    AGGRAVATING_CUES, MITIGATING_CUES: tuple[str, ...]
    BACKGROUND_SENTENCES: tuple[str, ...]      # ordinary policy text, the similarity baseline
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FactorGuide:
    """Questions for one risk factor (one or two are asked) and the word stems that tie a
    sentence to it (matched at the start of a word, case ignored)."""

    questions: tuple[str, ...]
    anchors: tuple[str, ...]


FACTOR_GUIDES: dict[int, FactorGuide] = {
    1: FactorGuide(
        (
            "Could the measure add to instability (armed conflict, unrest, an economic or "
            "humanitarian shock), and what is planned if it does?",
            "Does it land in an area where armed conflict or mass protest is under way?",
        ),
        ("armed conflict", "insurgen", "unrest", "instabilit", "protest", "coup", "riot"),
    ),
    2: FactorGuide(
        (
            "Is there a record of serious violations against the people this measure affects, "
            "and does the measure address it or leave it unaddressed?",
            "Does it grant or extend immunity or amnesty for serious violations?",
        ),
        ("violation", "abuse", "impunity", "amnest", "torture", "massacre", "immunit"),
    ),
    3: FactorGuide(
        (
            "Which courts, oversight bodies or complaint mechanisms can check how the measure is "
            "applied, and are they independent?",
            "Does it weaken civilian control over the security forces or the independence of "
            "the judiciary?",
        ),
        ("judiciar", "court", "oversight", "corruption", "rule of law", "civilian control"),
    ),
    4: FactorGuide(
        (
            "Does the measure serve a goal that treats a group as a threat, as disloyal, or as "
            "standing in the way of power, land or resources?",
            "Who gains power, land or resources from it, and who loses them?",
        ),
        ("national unity", "homogen", "disloyal", "traitor", "threat to the nation", "land"),
    ),
    5: FactorGuide(
        (
            "Does the measure give any actor more personnel, arms, money or logistics that "
            "could be turned against civilians?",
            "Who supplies, finances or trains the forces involved, and under what conditions?",
        ),
        ("militia", "arms", "weapon", "ammunition", "recruit", "paramilitar", "mobili"),
    ),
    6: FactorGuide(
        (
            "Does the measure strengthen or weaken civil society, independent media and the "
            "presence of international and regional actors?",
            "Which early-warning or human-rights mechanism will see its effects?",
        ),
        ("civil society", "ngo", "media", "journalist", "early warning", "human rights mechan"),
    ),
    7: FactorGuide(
        (
            "Does the measure impose emergency powers, arm or mobilise forces, or restrict "
            "communication, movement or outside observers?",
            "Does it single out a protected group for new restrictions, relocation or marking?",
        ),
        (
            "emergency",
            "curfew",
            "restrict",
            "ban",
            "block",
            "shut down",
            "internet",
            "militia",
            "surveillance",
            "expel",
            "censor",
            "dissolv",
            "deport",
            "relocat",
            "segregat",
            "camp",
        ),
    ),
    8: FactorGuide(
        (
            "Does the measure coincide with a likely trigger (an election, a census, a sudden "
            "deployment, a commemoration, a new extraction project)?",
            "What will be done to calm tensions around that moment?",
        ),
        ("census", "election", "referend", "deploy", "commemorat", "extraction", "mining"),
    ),
    9: FactorGuide(
        (
            "Does the measure treat people differently by ethnicity, religion, language, "
            "nationality or other identity, in its wording or in its effect?",
            "Does it deny the existence or recognition of a group or of its identity?",
        ),
        (
            "minorit",
            "ethnic",
            "religio",
            "language",
            "indigenous",
            "discriminat",
            "exclu",
            "citizenship",
            "foreigner",
        ),
    ),
    10: FactorGuide(
        (
            "Could the measure harm the physical survival of a protected group (its lives, "
            "births, children, homes or livelihoods)?",
            "Does any official wording describe a group as something to be removed or destroyed?",
        ),
        ("destroy", "eliminat", "exterminat", "birth", "forcibly transfer", "cleans"),
    ),
    11: FactorGuide(
        ("Could the measure form part of, or add to, a pattern of attacks on civilians?",),
        ("attack", "civilian", "widespread", "systematic"),
    ),
    12: FactorGuide(
        (
            "Is there any sign that the measure belongs to a plan or policy directed against "
            "a civilian population, even an unwritten one?",
        ),
        ("clearance operation", "target list", "lists of"),
    ),
    13: FactorGuide(
        (
            "Does the measure curtail the rights of people protected by international "
            "humanitarian law, or block the supplies and aid they need to survive?",
            "Does it prepare to move or confine large numbers of people?",
        ),
        ("combatant", "prisoner", "hostage", "siege", "detain", "detention", "confine"),
    ),
    14: FactorGuide(
        ("Does the measure restrict or endanger humanitarian workers or peacekeepers?",),
        ("peacekeep", "humanitarian worker", "aid worker", "humanitarian access", "convoy"),
    ),
}

STANDING_QUESTIONS = (
    "Who is affected by this measure because of their identity (ethnicity, religion, language, "
    "nationality, political affiliation), and how?",
    "Have the affected communities been consulted, and what did they say?",
    "How will the effect of the measure on atrocity risk be monitored, by whom, and what would "
    "make it change course?",
)

# Word stems near a matched sentence that say which way a measure may push the risk.
AGGRAVATING_CUES = (
    "restrict",
    "ban",
    "deport",
    "curfew",
    "emergency powers",
    "militia",
    "arms",
    "armed",
    "surveillance",
    "dissolv",
    "exclu",
    "expel",
    "closure",
    "confiscat",
    "segregat",
)
MITIGATING_CUES = (
    "dialogue",
    "inclusion",
    "inclusive",
    "protect",
    "support civil society",
    "civil society",
    "independent",
    "accountab",
    "minority rights",
    "reconcil",
    "mediat",
    "consult",
)

# Ordinary policy sentences that touch no risk factor: how similar a sentence is to an
# indicator is measured against how similar these are to it, so that an indicator that is close
# to any text (the model's hubs) does not look touched by every text.
BACKGROUND_SENTENCES = (
    "The ministry will publish its annual report in March.",
    "The budget for the next fiscal year includes funds for maintenance of public buildings.",
    "Applications must be submitted online before the deadline.",
    "The committee meets every second Tuesday of the month.",
    "This regulation enters into force on the first day of the month after its publication.",
    "The project will be evaluated at mid-term and at completion.",
    "Staff will receive training in the new accounting software.",
    "The agency will procure office equipment through a competitive process.",
    "The programme supports smallholder farmers with improved seeds and irrigation.",
    "Interest rates on the loan are fixed for ten years.",
    "The hospital will open a new maternity ward next spring.",
    "Teachers will receive a salary increase of three per cent.",
    "Water supply will be extended to four more towns.",
    "The tax on imported vehicles is reduced.",
    "A helpline will answer questions from the public about the new pension rules.",
    "The results will be shared with partners at a workshop.",
    "The grant covers the costs of equipment, travel and staff.",
    "Solar panels will be installed on the roofs of schools.",
    "The statistics office will publish quarterly figures on employment.",
    "Tourism promotion will focus on the coastal region.",
    "The city will renovate its central market.",
    "Vaccination campaigns will reach children in rural areas.",
    "Reporting requirements follow the donor's standard templates.",
    "Procurement will follow the national rules.",
)
