"""All SQL of the events family: one stream is one range scan of `journal_topics`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from vinyasa.core.journal import ENTRY_COLUMNS
from vinyasa.protocol import sql

COLUMNS = tuple(c for c in ENTRY_COLUMNS if c != "cause_gid")  # what an event shows
_STREAM = (
    "SELECT " + ", ".join("j." + c for c in COLUMNS) + " FROM journal_topics t"
    " JOIN journal j ON j.id = t.event_id"
    " WHERE t.topic_gid = ? AND t.event_id > ? AND t.event_id <= ? ORDER BY t.event_id LIMIT ?"
)


def stream(conn: Connection, topic: int, after: int, upto: int, limit: int) -> list[dict[str, Any]]:
    """Entries of one stream with `after < id <= upto`, oldest first, at most `limit`."""
    rows = sql.fetch(conn, _STREAM, [topic, after, upto, limit])
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def resource_kind(conn: Connection, gid: int) -> str | None:
    """Whether `gid` names a project or a task (the resources one can subscribe to), else None."""
    rows = sql.fetch(
        conn,
        "SELECT 'project' FROM projects WHERE gid = ? UNION ALL SELECT 'task' FROM tasks WHERE gid = ?",
        [gid, gid],
    )
    return str(rows[0][0]) if rows else None


def existing(conn: Connection, table: str, gids: list[int]) -> set[int]:
    """Which of `gids` still exist in `table` (deleted resources render as bare references)."""
    if not gids:
        return set()
    rows = sql.fetch(conn, f"SELECT gid FROM {table} WHERE gid IN ({sql.marks(len(gids))})", gids)
    return {int(r[0]) for r in rows}
