"""The Wilton Park report's spectrum of prevention activity, its stages and the three R2P pillars:
the one vocabulary that actor mappings, the evidence library and briefs share.

Importable from every layer, like the country reference: two domains that must speak of the same
activity read it here rather than from one another.
"""

from __future__ import annotations

# The report's spectrum of prevention activity, from upstream to response.
ACTIVITIES = {
    "community_building": "Community building",
    "identity_violence_roots": "Addressing the roots of identity-based violence",
    "media_development": "Media development",
    "early_warning": "Assessment, forecasting and early warning",
    "social_cohesion": "Social cohesion",
    "human_rights_standards": "Human-rights standards",
    "normative_obligations": "Normative and treaty obligations",
    "documentation": "Documentation",
    "dialogue_mediation": "Dialogue and mediation",
    "protection_of_civilians": "Protection of civilians",
    "accountability": "Accountability",
    "policy_advocacy": "Policy advocacy",
    "training": "Training",
}
STAGES = {"upstream": "Upstream", "midstream": "Midstream", "response": "Response"}
R2P_PILLARS = {
    1: "Pillar 1: the state's responsibility to protect",
    2: "Pillar 2: international assistance and capacity-building",
    3: "Pillar 3: timely and decisive collective response",
}
