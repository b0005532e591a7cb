"""situation categories: analysts' dated judgements of a country's situation, history kept

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "country_situations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('current_crisis', 'imminent_risk', 'serious_concern', 'none')",
            name=op.f("ck_country_situations_category"),
        ),
        sa.ForeignKeyConstraint(
            ["country_id"],
            ["countries.id"],
            name=op.f("fk_country_situations_country_id_countries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_country_situations")),
    )
    op.create_index(
        "ix_country_situations_country",
        "country_situations",
        ["country_id", "effective_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_country_situations_country", table_name="country_situations")
    op.drop_table("country_situations")
