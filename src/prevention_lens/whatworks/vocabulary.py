"""The words of the evidence library: kinds of work, study designs, the strength scale, outcomes,
contexts, EMMIE dimensions and review statuses. Interventions use the prevention spectrum that
actor mappings use (``prevention_lens.spectrum``).

Each table maps a stored code to the label people read; docs/evidence.md explains them.
"""

from __future__ import annotations

from prevention_lens.spectrum import ACTIVITIES

INTERVENTIONS = ACTIVITIES
KINDS = {
    "impact_evaluation": "Impact evaluation",
    "systematic_review": "Systematic review or meta-analysis",
    "observational_study": "Observational study",
    "case_study": "Case study",
    "practitioner_report": "Practitioner report",
    "guidance": "Guidance",
}
# Kinds that synthesise other studies: a gap-map cell without one is a synthesis gap.
SYNTHESIS_KINDS = frozenset({"systematic_review"})
DESIGNS = {
    "randomised": "Randomised trial",
    "quasi_experimental": (
        "Quasi-experiment (natural experiment, RDD, IV, difference-in-differences)"
    ),
    "panel_observational": "Observational, many units over time with controls",
    "cross_sectional": "Cross-sectional or correlational",
    "qualitative": "Qualitative or case-based",
    "review": "Review of studies",
    "expert": "Expert judgement or guidance",
}
# Our strength scale, shaped like the Maryland Scientific Methods Scale: how far a reader can
# trust that the finding is caused by the intervention (docs/evidence.md).
STRENGTHS = {
    5: "Randomised trial, or systematic review of mostly randomised studies",
    4: "Strong quasi-experiment, or systematic review of mixed designs",
    3: "Observational with controls across many units and years",
    2: "Simple comparison, before/after or correlational",
    1: "Case study, practitioner account, guidance or expert judgement",
}
STRENGTH_NAMES = {5: "Very strong", 4: "Strong", 3: "Moderate", 2: "Limited", 1: "Weak"}
OUTCOMES = {
    "mass_atrocities": "Mass killing, genocide or atrocities",
    "armed_conflict": "Armed conflict (onset, recurrence, intensity)",
    "violence_against_civilians": "Violence against civilians",
    "communal_violence": "Communal or identity-based violence",
    "intergroup_attitudes": "Intergroup attitudes (prejudice, trust, empathy)",
    "intergroup_behaviour": "Intergroup behaviour (contact, cooperation, discrimination)",
    "hate_speech": "Hate speech and incitement",
    "institutional_trust": "Trust in institutions and governance",
    "human_rights": "Respect for human rights",
    "accountability": "Justice and accountability",
    "early_response": "Early warning and timely response",
    "wellbeing": "Psychosocial well-being",
    "crime_violence": "Crime and interpersonal violence",
}
EFFECTS = {
    "positive": "Improved the outcomes",
    "mixed": "Mixed or conditional",
    "none": "No clear effect",
    "negative": "Made things worse",
}
CONFLICT_PHASES = {
    "no_conflict": "No armed conflict",
    "rising_tension": "Rising tension",
    "active_conflict": "Active armed conflict",
    "post_conflict": "Post-conflict",
    "mixed": "Several phases",
}
REGIME_TYPES = {
    "closed_autocracy": "Closed autocracy",
    "electoral_autocracy": "Electoral autocracy",
    "electoral_democracy": "Electoral democracy",
    "liberal_democracy": "Liberal democracy",
    "mixed": "Several regime types",
}
REGIONS = ("Africa", "Americas", "Asia", "Europe", "Oceania")
# The dimensions of the College of Policing's EMMIE framework. Where known, each holds our rating
# of the quality of what the source says on it: 0 none usable, 1 weak … 4 strong (EMMIE codes the
# evidence and its quality apart; the direction of the effect is the entry's ``effect``).
EMMIE = {
    "effect": "Effect",
    "mechanism": "Mechanism",
    "moderators": "Moderators",
    "implementation": "Implementation",
    "economic_cost": "Economic cost",
}
EMMIE_MAX = 4
STATUSES = {"draft": "Draft", "published": "Published", "rejected": "Rejected"}
# Where an entry came from: shipped with the package, imported, typed in, or generated for a
# benchmark (never stored beside real entries).
ORIGINS = {
    "packaged": "Shipped with Prevention Lens",
    "import": "Imported",
    "manual": "Added by hand",
    "generated": "Generated for scale (not a real study)",
}
