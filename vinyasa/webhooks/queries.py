"""All SQL of the webhooks family: the watched resource, the worker's claims and the journal reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from vinyasa.events.queries import COLUMNS
from vinyasa.protocol import sql

WEBHOOK_COLUMNS = (
    "gid",
    "workspace_gid",
    "creator_gid",
    "resource_type",
    "resource_gid",
    "target",
    "secret",
    "filters",
    "cursor",
    "delivery_retry_count",
    "failure_deletion_timestamp",
    "last_sent_at",
    "ends_at",
)


def resource_kind(conn: Connection, gid: int) -> str | None:
    """Which watchable resource `gid` names (project, task, portfolio, team, workspace), else None."""
    rows = sql.fetch(
        conn,
        "SELECT 'project' FROM projects WHERE gid = ? UNION ALL SELECT 'task' FROM tasks WHERE gid = ?"
        " UNION ALL SELECT 'portfolio' FROM portfolios WHERE gid = ?"
        " UNION ALL SELECT 'team' FROM teams WHERE gid = ?"
        " UNION ALL SELECT 'workspace' FROM workspaces WHERE gid = ?",
        [gid, gid, gid, gid, gid],
    )
    return str(rows[0][0]) if rows else None


_TABLES = {
    "project": "projects",
    "task": "tasks",
    "portfolio": "portfolios",
    "team": "teams",
    "workspace": "workspaces",
}
# Webhooks whose resource row is gone: deleted by a cascade with no journal entry of its own (a
# deleted task's subtasks, through `parent_gid`), as well as the resources deleted by name.
_GONE = " OR ".join(
    f"(resource_type = '{kind}' AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r.gid = webhooks.resource_gid))"
    for kind, table in _TABLES.items()
)


def ending(conn: Connection, resources: list[int], lock: str) -> list[int]:
    """The live webhooks on these (deleted) resources, and on any resource whose row went with
    them, locked (`lock`: vinyasa.access.core.locking) until they are ended (`end`)."""
    rows = sql.fetch(
        conn,
        f"SELECT gid FROM webhooks WHERE ends_at IS NULL"
        f" AND (resource_gid IN ({sql.marks(len(resources))}) OR {_GONE}) ORDER BY gid{lock}",
        resources,
    )
    return [int(r[0]) for r in rows]


def end(conn: Connection, webhooks: list[int], through: int) -> None:
    """Mark these webhooks as ending once journal id `through` is delivered."""
    marks = sql.marks(len(webhooks))
    sql.execute_many(conn, f"UPDATE webhooks SET ends_at = ? WHERE gid IN ({marks})", [(through, *webhooks)])


def ended(conn: Connection, gid: int) -> bool:
    """Whether the webhook is ending with its deleted resource (gone for the API)."""
    return sql.fetch_value(conn, "SELECT ends_at FROM webhooks WHERE gid = ?", [gid]) is not None


# ---- the delivery worker ------------------------------------------------------------------------

# Webhooks with work to do and no live lease: new events on their stream, a heartbeat due, or an end
# (their resource was deleted); failing ones only once their backoff has passed.
_DUE = (
    "SELECT w.gid FROM webhooks w WHERE (w.lease_until IS NULL OR w.lease_until < ?)"
    " AND (w.next_attempt_after IS NULL OR w.next_attempt_after <= ?)"
    " AND (EXISTS (SELECT 1 FROM journal_topics t"
    " WHERE t.topic_gid = w.resource_gid AND t.event_id > w.cursor)"
    " OR w.last_sent_at <= ? OR w.ends_at IS NOT NULL)"
    " ORDER BY w.next_attempt_after, w.gid LIMIT ?"
)


def due(conn: Connection, now: int, heartbeat_before: int) -> bool:
    """Whether any webhook has work to do now (a read: the idle worker's only query)."""
    return bool(sql.fetch(conn, _DUE, [now, now, heartbeat_before, 1]))


def claim(
    conn: Connection, owner: str, now: int, lease_ms: int, heartbeat_before: int, limit: int
) -> list[dict[str, Any]]:
    """Lease up to `limit` due webhooks to `owner` until `now + lease_ms` (PostgreSQL: FOR UPDATE SKIP
    LOCKED, so concurrent workers claim disjoint sets; SQLite: the write transaction is the lock)."""
    due = _DUE + (" FOR UPDATE OF w SKIP LOCKED" if conn.dialect.name == "postgresql" else "")
    gids = [int(r[0]) for r in sql.fetch(conn, due, [now, now, heartbeat_before, limit])]
    if not gids:
        return []
    rows = sql.fetch(
        conn,
        f"UPDATE webhooks SET lease_owner = ?, lease_until = ? WHERE gid IN ({sql.marks(len(gids))})"
        f" RETURNING {', '.join(WEBHOOK_COLUMNS)}",
        [owner, now + lease_ms, *gids],
    )
    return sorted((dict(zip(WEBHOOK_COLUMNS, row, strict=True)) for row in rows), key=lambda r: r["gid"])


def release(conn: Connection, owner: str, gids: list[int]) -> None:
    """End `owner`'s leases on these webhooks."""
    if gids:
        sql.execute_many(
            conn,
            f"UPDATE webhooks SET {_FREE} WHERE gid = ? AND lease_owner = ?",
            [(g, owner) for g in gids],
        )


def still_leased(conn: Connection, owner: str, gids: list[int]) -> set[int]:
    """Of these webhooks, those that still exist and are leased to `owner` (locked on PostgreSQL)."""
    if not gids:
        return set()
    lock = " FOR UPDATE" if conn.dialect.name == "postgresql" else ""
    rows = sql.fetch(
        conn,
        f"SELECT gid FROM webhooks WHERE gid IN ({sql.marks(len(gids))}) AND lease_owner = ?{lock}",
        [*gids, owner],
    )
    return {int(r[0]) for r in rows}


_STREAM = (
    "SELECT "
    + ", ".join("j." + c for c in COLUMNS)
    + " FROM journal_topics t JOIN journal j ON j.id = t.event_id"
    " WHERE t.topic_gid = ? AND t.event_id > ? AND t.event_id <= ? ORDER BY t.event_id LIMIT ?"
)
_NO_END = 2**62  # above every journal id


def stream(
    conn: Connection, topic: int, after: int, limit: int, through: int | None = None
) -> list[dict[str, Any]]:
    """Journal entries of stream `topic` after id `after` (and through `through`, if given), oldest
    first, at most `limit`."""
    bounds = [topic, after, _NO_END if through is None else through, limit]
    return [dict(zip(COLUMNS, row, strict=True)) for row in sql.fetch(conn, _STREAM, bounds)]


def subtypes(conn: Connection, table: str, gids: list[int]) -> dict[int, str]:
    """`resource_subtype` of existing rows of `table` (tasks, projects...)."""
    if not gids:
        return {}
    rows = sql.fetch(
        conn, f"SELECT gid, resource_subtype FROM {table} WHERE gid IN ({sql.marks(len(gids))})", gids
    )
    return {int(r[0]): str(r[1]) for r in rows}


def project_of(conn: Connection, table: str, gids: list[int]) -> dict[int, int]:
    """The project of each existing row of a project-scoped table (sections, statuses, briefs)."""
    if not gids:
        return {}
    rows = sql.fetch(
        conn, f"SELECT gid, project_gid FROM {table} WHERE gid IN ({sql.marks(len(gids))})", gids
    )
    return {int(r[0]): int(r[1]) for r in rows}


def prune_attempts(conn: Connection, before: int) -> None:
    """Delete finished log entries made before `before` (epoch ms)."""
    sql.execute_many(
        conn, "DELETE FROM webhook_attempts WHERE created_at < ? AND status <> 'pending'", [(before,)]
    )


_LOG = (
    "INSERT INTO webhook_attempts (gid, webhook_gid, kind, status, created_at, status_code, error,"
    " latency_ms, request_body, response_excerpt, first_event_id, last_event_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def log_attempts(conn: Connection, rows: list[tuple[object, ...]]) -> None:
    """Write delivery log entries (columns in `_LOG`'s order)."""
    if rows:
        sql.execute_many(conn, _LOG, rows)


_FREE = "lease_owner = NULL, lease_until = NULL"


def advance(conn: Connection, rows: list[tuple[int, int | None, int]]) -> None:
    """Move cursors and end the leases (one statement a webhook): (cursor, success time or None,
    webhook gid). A success (a time) also resets the failure state; None only moves the cursor (a
    batch whose events were all filtered out)."""
    sent = [(cursor, at, at, gid) for cursor, at, gid in rows if at is not None]
    if sent:
        sql.execute_many(
            conn,
            "UPDATE webhooks SET cursor = ?, last_success_at = ?, last_sent_at = ?,"
            " delivery_retry_count = 0, next_attempt_after = NULL, failure_deletion_timestamp = NULL,"
            f" {_FREE} WHERE gid = ?",
            sent,
        )
    skipped = [(cursor, gid) for cursor, at, gid in rows if at is None]
    if skipped:
        sql.execute_many(conn, f"UPDATE webhooks SET cursor = ?, {_FREE} WHERE gid = ?", skipped)
