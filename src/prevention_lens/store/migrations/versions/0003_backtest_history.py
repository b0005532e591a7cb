"""backtest history: backtests in their own table, never overwritten

Backtests kept before this revision (inside a forecast run's metrics) move to the new table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 17:19:43.981283
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "backtest_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=32), nullable=False),
        sa.Column("panel_spec", sa.String(length=64), nullable=False),
        sa.Column("default_model", sa.String(length=64), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("data_sha256", sa.String(length=64), nullable=False),
        sa.Column("code_version", sa.String(length=40), nullable=False),
        sa.Column("n_boot", sa.Integer(), nullable=True),
        sa.Column("table", sa.JSON(), nullable=False),
        sa.Column("forecast_run_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["forecast_run_id"],
            ["forecast_runs.id"],
            name=op.f("fk_backtest_runs_forecast_run_id_forecast_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backtest_runs")),
    )
    with op.batch_alter_table("backtest_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_backtest_runs_forecast_run_id"), ["forecast_run_id"], unique=False
        )
    _move_kept_backtests()


def _move_kept_backtests() -> None:
    runs = sa.table(
        "forecast_runs",
        sa.column("id", sa.Integer()),
        sa.column("panel_spec", sa.String()),
        sa.column("data_sha256", sa.String()),
        sa.column("code_version", sa.String()),
        sa.column("metrics", sa.JSON()),
        sa.column("created_by", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    backtests = sa.table(
        "backtest_runs",
        *(
            sa.column(name)
            for name in (
                "protocol",
                "panel_spec",
                "default_model",
                "data_sha256",
                "code_version",
                "n_boot",
                "forecast_run_id",
                "created_by",
                "created_at",
            )
        ),
        sa.column("models", sa.JSON()),
        sa.column("table", sa.JSON()),
    )
    connection = op.get_bind()
    for run in connection.execute(sa.select(runs)).mappings():
        kept = (run["metrics"] or {}).get("backtest")
        if not kept:
            continue
        connection.execute(
            backtests.insert().values(
                protocol="ewp",
                panel_spec=run["panel_spec"],
                default_model=kept.get("default_model", ""),
                models=list(kept.get("models", {})),
                data_sha256=kept.get("data_sha256", run["data_sha256"]),
                code_version=run["code_version"],
                n_boot=None,
                table=kept,
                forecast_run_id=run["id"],
                created_by=run["created_by"],
                created_at=run["created_at"],
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("backtest_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_backtest_runs_forecast_run_id"))

    op.drop_table("backtest_runs")
