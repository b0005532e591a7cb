"""sector lexicon: concepts, mappings between schemes, and the history of changes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lexicon_concepts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concept_id", sa.String(length=120), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("core", sa.Boolean(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lexicon_concepts")),
        sa.UniqueConstraint("concept_id", name=op.f("uq_lexicon_concepts_concept_id")),
    )
    op.create_table(
        "lexicon_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lexicon_mappings")),
        sa.UniqueConstraint("source", "target", name=op.f("uq_lexicon_mappings_source")),
    )
    op.create_index("ix_lexicon_mappings_target", "lexicon_mappings", ["target"], unique=False)
    op.create_table(
        "lexicon_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concept_id", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("mappings", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lexicon_revisions")),
    )
    op.create_index(
        "ix_lexicon_revisions_concept", "lexicon_revisions", ["concept_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_lexicon_revisions_concept", table_name="lexicon_revisions")
    op.drop_table("lexicon_revisions")
    op.drop_index("ix_lexicon_mappings_target", table_name="lexicon_mappings")
    op.drop_table("lexicon_mappings")
    op.drop_table("lexicon_concepts")
