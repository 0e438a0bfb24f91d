"""Task and project search through each database's full-text engine; task dependencies (issue 23)

SQLite: FTS5 tables `task_text` and `project_text` (rowid = the object's gid), kept in step with
`tasks`/`projects` by triggers; notes are indexed as plain text through `vinyasa_plain`, a function
every vinyasa SQLite connection registers (vinyasa.db). PostgreSQL: a generated `tsvector` column
(`search_text`, the 'simple' configuration, tags stripped) with a GIN index on each table.

Revision ID: a8c0ffee0014
Revises: a8c0ffee000c
Create Date: 2026-11-29 21:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee0014"
down_revision: str | None = "a8c0ffee000c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, FTS table, the rich text indexed with the name: tasks' notes; projects by name only)
INDEXED = (("tasks", "task_text", "html_notes"), ("projects", "project_text", None))


def _sqlite_index(table: str, fts: str, notes: str | None) -> list[str]:
    text = f"vinyasa_plain(new.{notes})" if notes else "''"
    row = f"(rowid, name, notes) VALUES (new.gid, new.name, {text})"
    watched = f"name, {notes}" if notes else "name"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(name, notes, tokenize='unicode61 remove_diacritics 0')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN INSERT INTO {fts} {row}; END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {watched} ON {table} BEGIN"
        f" DELETE FROM {fts} WHERE rowid = old.gid; INSERT INTO {fts} {row}; END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN"
        f" DELETE FROM {fts} WHERE rowid = old.gid; END",
        f"INSERT INTO {fts} (rowid, name, notes) SELECT gid, name, {text.replace('new.', '')} FROM {table}",
    ]


def _postgres_index(table: str, notes: str | None) -> list[str]:
    text = f" || ' ' || regexp_replace(coalesce({notes}, ''), '<[^>]*>', ' ', 'g')" if notes else ""
    vector = f"to_tsvector('simple'::regconfig, coalesce(name, ''){text})"
    return [
        f"ALTER TABLE {table} ADD COLUMN search_text tsvector GENERATED ALWAYS AS ({vector}) STORED",
        f"CREATE INDEX ix_{table}_search_text ON {table} USING gin (search_text)",
    ]


def upgrade() -> None:
    op.create_table(
        "task_dependencies",
        sa.Column("task_gid", sa.BigInteger(), nullable=False),
        sa.Column("dependency_gid", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["task_gid"], ["tasks.gid"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["dependency_gid"], ["tasks.gid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("task_gid", "dependency_gid"),
    )
    op.create_index("ix_task_dependencies_dependency", "task_dependencies", ["dependency_gid", "task_gid"])
    op.create_index("ix_tasks_workspace_modified", "tasks", ["workspace_gid", "modified_at"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, fts, notes in INDEXED:
        for statement in _sqlite_index(table, fts, notes) if sqlite else _postgres_index(table, notes):
            op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, fts, _ in INDEXED:
        if sqlite:
            for suffix in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
        else:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_text")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_text")
    op.drop_index("ix_tasks_workspace_modified", table_name="tasks")
    op.drop_index("ix_task_dependencies_dependency", table_name="task_dependencies")
    op.drop_table("task_dependencies")
