"""SQLite's search index off the write path: writes queue the object, the index catches up (issue 22)

Until now every write of a task's or project's name or notes updated the FTS5 index in its own
transaction (migration a8c0ffee0014's triggers): ~70-150 µs of a task write's CPU (POST /tasks,
PUT /tasks/{gid}; `bench.write_cpu` with and without the triggers) and ~6 of its ~30 WAL pages, as
FTS5 writes a new index segment for every transaction and reads the old text back to delete it.
Now the triggers only queue the object's gid (`task_text_pending`, `project_text_pending`: one
small b-tree), and `vinyasa.search.indexing` indexes the queue in batches: a text search first
catches up in its own transaction (so it still finds what was written just before it), and the
job runner does so whenever it is idle. PostgreSQL is unchanged (a generated `tsvector` column).

Revision ID: a8c0ffee001d
Revises: a8c0ffee001c
Create Date: 2026-11-30 09:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "a8c0ffee001d"
down_revision: str | None = "a8c0ffee001c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, FTS table, the rich text indexed with the name), as in a8c0ffee0014.
INDEXED = (("tasks", "task_text", "html_notes"), ("projects", "project_text", None))


def _queue_triggers(table: str, fts: str, notes: str | None) -> list[str]:
    watched = f"name, {notes}" if notes else "name"
    queue = f"INSERT OR IGNORE INTO {fts}_pending (gid) VALUES"
    return [
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {queue} (new.gid); END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {watched} ON {table} BEGIN {queue} (new.gid); END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {queue} (old.gid); END",
    ]


def _index_triggers(table: str, fts: str, notes: str | None) -> list[str]:
    """a8c0ffee0014's triggers: the index written in the same transaction."""
    text = (
        f"CASE WHEN new.{notes} = '<body></body>' THEN '' ELSE vinyasa_plain(new.{notes}) END"
        if notes
        else "''"
    )
    row = f"(rowid, name, notes) VALUES (new.gid, new.name, {text})"
    watched = f"name, {notes}" if notes else "name"
    return [
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN INSERT INTO {fts} {row}; END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {watched} ON {table} BEGIN"
        f" DELETE FROM {fts} WHERE rowid = old.gid; INSERT INTO {fts} {row}; END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN"
        f" DELETE FROM {fts} WHERE rowid = old.gid; END",
    ]


def _drop_triggers(fts: str) -> None:
    for suffix in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, fts, notes in INDEXED:
        op.execute(f"CREATE TABLE {fts}_pending (gid INTEGER PRIMARY KEY)")
        _drop_triggers(fts)
        for statement in _queue_triggers(table, fts, notes):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, fts, notes in INDEXED:
        text = (
            f"CASE WHEN {notes} = '<body></body>' THEN '' ELSE vinyasa_plain({notes}) END" if notes else "''"
        )
        pending = f"SELECT gid FROM {fts}_pending"
        op.execute(f"DELETE FROM {fts} WHERE rowid IN ({pending})")  # what the queue held, indexed now
        op.execute(
            f"INSERT INTO {fts} (rowid, name, notes) SELECT gid, name, {text} FROM {table}"
            f" WHERE gid IN ({pending}) ORDER BY gid"
        )
        _drop_triggers(fts)
        for statement in _index_triggers(table, fts, notes):
            op.execute(statement)
        op.execute(f"DROP TABLE {fts}_pending")
