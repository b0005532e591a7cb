"""risk: framework, assessments, forecasts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 15:35:21.446531
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "forecast_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_name", sa.String(length=64), nullable=False),
        sa.Column("model_params", sa.JSON(), nullable=False),
        sa.Column("panel_spec", sa.String(length=64), nullable=False),
        sa.Column("data_sha256", sa.String(length=64), nullable=False),
        sa.Column("code_version", sa.String(length=40), nullable=False),
        sa.Column("origin_year", sa.Integer(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_runs")),
    )
    op.create_table(
        "framework_factors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("unverified", sa.Boolean(), nullable=False),
        sa.Column("unverified_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_factors")),
        sa.UniqueConstraint("framework", "number", name=op.f("uq_framework_factors_framework")),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("framework", sa.String(length=32), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("analyst", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("confidentiality", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_id"], ["countries.id"], name=op.f("fk_assessments_country_id_countries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_country_id"), ["country_id"], unique=False)

    op.create_table(
        "country_forecasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("origin_year", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.Column("previous_probability", sa.Float(), nullable=True),
        sa.Column("drivers", sa.JSON(), nullable=False),
        sa.Column("shifts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_id"], ["countries.id"], name=op.f("fk_country_forecasts_country_id_countries")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["forecast_runs.id"],
            name=op.f("fk_country_forecasts_run_id_forecast_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_country_forecasts")),
        sa.UniqueConstraint("run_id", "country_id", name=op.f("uq_country_forecasts_run_id")),
    )
    with op.batch_alter_table("country_forecasts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_country_forecasts_country_id"), ["country_id"], unique=False
        )

    op.create_table(
        "framework_indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework", sa.String(length=32), nullable=False),
        sa.Column("factor_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("unverified", sa.Boolean(), nullable=False),
        sa.Column("unverified_reason", sa.Text(), nullable=False),
        sa.Column("edited_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["factor_id"],
            ["framework_factors.id"],
            name=op.f("fk_framework_indicators_factor_id_framework_factors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_indicators")),
        sa.UniqueConstraint("framework", "code", name=op.f("uq_framework_indicators_framework")),
    )
    op.create_table(
        "assessment_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_scores_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_scores")),
        sa.UniqueConstraint(
            "assessment_id", "code", name=op.f("uq_assessment_scores_assessment_id")
        ),
    )
    op.create_table(
        "framework_indicator_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("unverified", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["framework_indicators.id"],
            name=op.f("fk_framework_indicator_revisions_indicator_id_framework_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_indicator_revisions")),
    )
    with op.batch_alter_table("framework_indicator_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_framework_indicator_revisions_indicator_id"),
            ["indicator_id"],
            unique=False,
        )


def downgrade() -> None:

    with op.batch_alter_table("framework_indicator_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_indicator_revisions_indicator_id"))

    op.drop_table("framework_indicator_revisions")
    op.drop_table("assessment_scores")
    op.drop_table("framework_indicators")
    with op.batch_alter_table("country_forecasts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_country_forecasts_country_id"))

    op.drop_table("country_forecasts")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_country_id"))

    op.drop_table("assessments")
    op.drop_table("framework_factors")
    op.drop_table("forecast_runs")
