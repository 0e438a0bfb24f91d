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
down_revision: str | None = "a8c0ffee0013"  # after the rules one
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, FTS table, the rich text indexed with the name: tasks' notes; projects by name only)
INDEXED = (("tasks", "task_text", "html_notes"), ("projects", "project_text", None))


def _sqlite_index(table: str, fts: str, notes: str | None) -> list[str]:
    # Empty notes (most tasks) skip the function call: bulk writes pay for it only where needed.
    text = (
        f"CASE WHEN new.{notes} = '<body></body>' THEN '' ELSE vinyasa_plain(new.{notes}) END"
        if notes
        else "''"
    )
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


# A placement's copy of its task's due time (epoch ms; a date counts as its UTC start), kept by the
# database so `projects.any=P&completed=false&sort_by=due_date` reads one index range in order.
SQLITE_DUE = "COALESCE({t}.due_at, CAST((julianday({t}.due_on) - 2440587.5) * 86400000 AS INTEGER))"
SQLITE_DUE_TRIGGERS = (
    "CREATE TRIGGER task_projects_due_insert AFTER INSERT ON task_projects BEGIN"
    " UPDATE task_projects SET due_key = (SELECT " + SQLITE_DUE.format(t="t") + " FROM tasks t"
    " WHERE t.gid = new.task_gid) WHERE task_gid = new.task_gid AND project_gid = new.project_gid; END",
    "CREATE TRIGGER tasks_due_update AFTER UPDATE OF due_on, due_at ON tasks BEGIN"
    " UPDATE task_projects SET due_key = " + SQLITE_DUE.format(t="new") + " WHERE task_gid = new.gid; END",
)
POSTGRES_DUE_TRIGGERS = (
    "CREATE FUNCTION vinyasa_due_key(day varchar, moment bigint) RETURNS bigint IMMUTABLE LANGUAGE sql"
    " AS $$ SELECT COALESCE(moment, CAST(EXTRACT(EPOCH FROM CAST(day AS date)) * 1000 AS bigint)) $$",
    "CREATE FUNCTION vinyasa_placement_due() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " NEW.due_key := (SELECT vinyasa_due_key(t.due_on, t.due_at) FROM tasks t WHERE t.gid = NEW.task_gid);"
    " RETURN NEW; END $$",
    "CREATE TRIGGER task_projects_due_insert BEFORE INSERT ON task_projects"
    " FOR EACH ROW EXECUTE FUNCTION vinyasa_placement_due()",
    "CREATE FUNCTION vinyasa_task_due_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " UPDATE task_projects SET due_key = vinyasa_due_key(NEW.due_on, NEW.due_at) WHERE task_gid = NEW.gid;"
    " RETURN NULL; END $$",
    "CREATE TRIGGER tasks_due_update AFTER UPDATE OF due_on, due_at ON tasks"
    " FOR EACH ROW EXECUTE FUNCTION vinyasa_task_due_changed()",
)


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
    op.add_column("task_projects", sa.Column("due_key", sa.BigInteger(), nullable=True))
    # In the order of the default search (due date descending, no date last, then gid descending).
    order = "due_key, task_gid" if sqlite else "due_key DESC NULLS LAST, task_gid DESC"
    op.execute(f"CREATE INDEX ix_task_projects_due ON task_projects (project_gid, completed, {order})")
    for statement in SQLITE_DUE_TRIGGERS if sqlite else POSTGRES_DUE_TRIGGERS:
        op.execute(statement)
    key = SQLITE_DUE.format(t="t") if sqlite else "vinyasa_due_key(t.due_on, t.due_at)"
    op.execute(f"UPDATE task_projects SET due_key = (SELECT {key} FROM tasks t WHERE t.gid = task_gid)")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, table in (("task_projects_due_insert", "task_projects"), ("tasks_due_update", "tasks")):
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + ("" if sqlite else f" ON {table}"))
    if not sqlite:
        functions = ("vinyasa_placement_due()", "vinyasa_task_due_changed()")
        functions += ("vinyasa_due_key(varchar, bigint)",)
        for function in functions:
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.drop_index("ix_task_projects_due", table_name="task_projects")
    with op.batch_alter_table("task_projects") as batch:
        batch.drop_column("due_key")
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
