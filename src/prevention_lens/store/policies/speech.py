"""Speech monitoring. Published lexicon terms are public (like Hatebase's); drafts and who
reviewed them are for staff. Posts are never public: their text is restricted, and who spoke
and exactly where are confidential (admins). The public sees trends only: counts per country,
targeted group and week (the ``read_trends`` action). Assessments are restricted records whose
speaker identity and exact place are confidential."""

from __future__ import annotations

from prevention_lens.store.policies.mechanism import (
    CONFIDENTIAL as _C,
)
from prevention_lens.store.policies.mechanism import (
    PUBLIC as _P,
)
from prevention_lens.store.policies.mechanism import (
    RESTRICTED as _R,
)
from prevention_lens.store.policies.mechanism import (
    ResourcePolicy,
    Role,
    register,
)

SPEECH_TERM_FIELDS = {
    "id": _P,
    "term": _P,
    "normalized": _P,
    "language": _P,
    "script_variants": _P,
    "countries": _P,
    "targeted_groups": _P,
    "severity": _P,
    "why_inflames": _P,
    "alternatives": _P,
    "first_seen": _P,
    "last_seen": _P,
    "status": _P,
    "origin": _P,
    "licence": _P,
    "source_url": _P,
    "example": _P,
    "notes": _P,
    "import_id": _R,
    "created_by": _R,
    "created_at": _P,
    "reviewed_by": _R,
    "reviewed_at": _P,
}
register(
    ResourcePolicy(
        name="speech_term",
        # Who may read drafts is decided by the domain (status filter); proposing needs a
        # contributor, adding published terms and reviewing an admin.
        actions={
            "read": Role.PUBLIC,
            "read_drafts": Role.ANALYST,
            "propose": Role.CONTRIBUTOR,
            # Editing a draft needs an analyst; a published or rejected term an admin (review).
            "edit": Role.ANALYST,
            "review": Role.ADMIN,
            "import": Role.ADMIN,
        },
        fields=SPEECH_TERM_FIELDS,
    )
)

SPEECH_POST_FIELDS = {
    "id": _R,
    "dataset": _R,
    "external_id": _R,
    "confidentiality": _R,
    "posted_at": _R,
    "week": _R,
    "country_id": _R,
    "admin1": _R,
    "language": _R,
    "speaker_type": _R,
    "platform": _R,
    "text": _R,
    "text_normalised": _R,
    "zawgyi_converted": _R,
    "label": _R,
    "hate_score": _R,
    "scores": _R,
    "attributes": _R,
    "targeted_group": _R,
    "lexicon_hits": _R,
    "model_version": _R,
    "import_id": _R,
    "created_at": _R,
    "exact_place": _C,
    "speaker": _C,
}
register(
    ResourcePolicy(
        name="speech_post",
        # "read_trends": aggregates only (counts per country, targeted group and week, and
        # the surge alerts on them), which is all the public sees of posts.
        actions={
            "read": Role.ANALYST,
            "read_trends": Role.PUBLIC,
            "import": Role.ANALYST,
            "delete": Role.ADMIN,
        },
        fields=SPEECH_POST_FIELDS,
        record_level_attribute="confidentiality",
        audit_reads=True,
    )
)

SPEECH_ASSESSMENT_FIELDS = {
    "id": _R,
    "revision": _R,
    "confidentiality": _R,
    "country_id": _R,
    "post_id": _R,
    "title": _R,
    "spoken_on": _R,
    "message": _R,
    "speaker_role": _R,
    "audience": _R,
    "context": _R,
    "medium": _R,
    "targeted_group": _R,
    "hallmarks": _R,
    "rabat": _R,
    "conclusion": _R,
    "rationale": _R,
    "assessed_on": _R,
    "assessed_by": _R,
    "created_at": _R,
    "updated_at": _R,
    "speaker": _C,
    "exact_place": _C,
}
register(
    ResourcePolicy(
        name="speech_assessment",
        actions={"read": Role.ANALYST, "create": Role.ANALYST, "update": Role.ANALYST},
        fields=SPEECH_ASSESSMENT_FIELDS,
        record_level_attribute="confidentiality",
        audit_reads=True,
    )
)
