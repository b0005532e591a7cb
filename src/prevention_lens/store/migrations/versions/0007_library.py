"""evidence library: entries of what works, with stored embeddings and a full-text index

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 01:20:00.000000

The full-text index is backend-specific: on SQLite an external-content FTS5 table kept in step
by triggers; on PostgreSQL a GIN index on the English text-search vector of title and
search_text. A later SQLite batch migration that rebuilds ``library_entries`` must recreate
the triggers (``_SQLITE_TRIGGERS`` below).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER library_fts_insert AFTER INSERT ON library_entries BEGIN
        INSERT INTO library_fts(rowid, title, search_text)
        VALUES (new.id, new.title, new.search_text);
    END""",
    """CREATE TRIGGER library_fts_delete AFTER DELETE ON library_entries BEGIN
        INSERT INTO library_fts(library_fts, rowid, title, search_text)
        VALUES ('delete', old.id, old.title, old.search_text);
    END""",
    """CREATE TRIGGER library_fts_update AFTER UPDATE ON library_entries BEGIN
        INSERT INTO library_fts(library_fts, rowid, title, search_text)
        VALUES ('delete', old.id, old.title, old.search_text);
        INSERT INTO library_fts(rowid, title, search_text)
        VALUES (new.id, new.title, new.search_text);
    END""",
)


def upgrade() -> None:
    op.create_table(
        "library_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.Column("doi", sa.String(length=200), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("design", sa.String(length=32), nullable=True),
        sa.Column("strength", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("interventions", sa.JSON(), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("conflict_phase", sa.String(length=32), nullable=True),
        sa.Column("regime_type", sa.String(length=32), nullable=True),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("effect", sa.String(length=16), nullable=True),
        sa.Column("harm", sa.Text(), nullable=False),
        sa.Column("emmie", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("verified_at", sa.JSON(), nullable=False),
        sa.Column("verification_note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("embedding_model", sa.String(length=80), nullable=False),
        sa.Column("embedded_text_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_entries")),
        sa.UniqueConstraint("doi", name=op.f("uq_library_entries_doi")),
        sa.UniqueConstraint("key", name=op.f("uq_library_entries_key")),
    )
    op.create_index("ix_library_entries_status", "library_entries", ["status"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE library_fts USING fts5(title, search_text, "
            "content='library_entries', content_rowid='id', "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)
    else:
        op.execute(
            "CREATE INDEX ix_library_entries_fulltext ON library_entries USING gin "
            "(to_tsvector('english'::regconfig, title || ' ' || search_text))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("library_fts_insert", "library_fts_delete", "library_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS library_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_library_entries_fulltext")
    op.drop_index("ix_library_entries_status", table_name="library_entries")
    op.drop_table("library_entries")
