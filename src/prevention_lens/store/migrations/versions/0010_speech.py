"""speech monitoring: the hate-speech lexicon and its senses, scored posts, dangerous-speech
assessments and their revisions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 03:28:42.852601
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "speech_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=48), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("confidentiality", sa.Integer(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("admin1", sa.String(length=120), nullable=True),
        sa.Column("exact_place", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("speaker_type", sa.String(length=32), nullable=False),
        sa.Column("speaker", sa.Text(), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_normalised", sa.Text(), nullable=False),
        sa.Column("zawgyi_converted", sa.Boolean(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("hate_score", sa.Float(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("targeted_group", sa.String(length=48), nullable=True),
        sa.Column("lexicon_hits", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.String(length=80), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "label IN ('hateful', 'offensive', 'neither')", name=op.f("ck_speech_posts_label")
        ),
        sa.ForeignKeyConstraint(
            ["country_id"], ["countries.id"], name=op.f("fk_speech_posts_country_id_countries")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["data_imports.id"], name=op.f("fk_speech_posts_import_id_data_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speech_posts")),
        sa.UniqueConstraint("dataset", "external_id", name=op.f("uq_speech_posts_dataset")),
    )
    with op.batch_alter_table("speech_posts", schema=None) as batch_op:
        batch_op.create_index("ix_speech_posts_country_week", ["country_id", "week"], unique=False)
        batch_op.create_index(batch_op.f("ix_speech_posts_dataset"), ["dataset"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_speech_posts_targeted_group"), ["targeted_group"], unique=False
        )

    op.create_table(
        "speech_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("normalized", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("script_variants", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("targeted_groups", sa.JSON(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("why_inflames", sa.Text(), nullable=False),
        sa.Column("alternatives", sa.JSON(), nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=True),
        sa.Column("last_seen", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=64), nullable=False),
        sa.Column("licence", sa.String(length=120), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("example", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'rejected')", name=op.f("ck_speech_terms_status")
        ),
        sa.CheckConstraint("severity BETWEEN 1 AND 3", name=op.f("ck_speech_terms_severity")),
        sa.ForeignKeyConstraint(
            ["import_id"], ["data_imports.id"], name=op.f("fk_speech_terms_import_id_data_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speech_terms")),
        sa.UniqueConstraint("language", "normalized", name="language_term"),
    )
    with op.batch_alter_table("speech_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speech_terms_language"), ["language"], unique=False)
        batch_op.create_index(batch_op.f("ix_speech_terms_status"), ["status"], unique=False)

    op.create_table(
        "speech_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("confidentiality", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("spoken_on", sa.Date(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("speaker_role", sa.String(length=300), nullable=False),
        sa.Column("speaker", sa.Text(), nullable=False),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("medium", sa.Text(), nullable=False),
        sa.Column("exact_place", sa.Text(), nullable=False),
        sa.Column("targeted_group", sa.String(length=48), nullable=True),
        sa.Column("hallmarks", sa.JSON(), nullable=False),
        sa.Column("rabat", sa.JSON(), nullable=False),
        sa.Column("conclusion", sa.String(length=32), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessed_by", sa.String(length=64), nullable=False),
        sa.Column("assessed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_id"],
            ["countries.id"],
            name=op.f("fk_speech_assessments_country_id_countries"),
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["speech_posts.id"],
            name=op.f("fk_speech_assessments_post_id_speech_posts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speech_assessments")),
    )
    with op.batch_alter_table("speech_assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_speech_assessments_country", ["country_id", "assessed_on"], unique=False
        )

    op.create_table(
        "speech_term_senses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("meaning", sa.Text(), nullable=False),
        sa.Column("phrases", sa.JSON(), nullable=False),
        sa.Column("cues", sa.JSON(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('hateful', 'neutral')", name=op.f("ck_speech_term_senses_kind")
        ),
        sa.ForeignKeyConstraint(
            ["term_id"],
            ["speech_terms.id"],
            name=op.f("fk_speech_term_senses_term_id_speech_terms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speech_term_senses")),
    )
    op.create_table(
        "speech_assessment_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["speech_assessments.id"],
            name=op.f("fk_speech_assessment_revisions_assessment_id_speech_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speech_assessment_revisions")),
        sa.UniqueConstraint(
            "assessment_id", "revision", name=op.f("uq_speech_assessment_revisions_assessment_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("speech_assessment_revisions")
    op.drop_table("speech_term_senses")
    op.drop_index("ix_speech_assessments_country", table_name="speech_assessments")
    op.drop_table("speech_assessments")
    op.drop_index(op.f("ix_speech_terms_status"), table_name="speech_terms")
    op.drop_index(op.f("ix_speech_terms_language"), table_name="speech_terms")
    op.drop_table("speech_terms")
    op.drop_index(op.f("ix_speech_posts_targeted_group"), table_name="speech_posts")
    op.drop_index(op.f("ix_speech_posts_dataset"), table_name="speech_posts")
    op.drop_index("ix_speech_posts_country_week", table_name="speech_posts")
    op.drop_table("speech_posts")
