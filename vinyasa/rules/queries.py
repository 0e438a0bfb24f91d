"""The SQL of rules: which rules a change may trigger, what a condition reads, the run history."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection

from vinyasa.db import row_lock
from vinyasa.protocol import sql
from vinyasa.protocol.gids import new_gid
from vinyasa.protocol.values import now_ms

_CHUNK = 500  # gids per IN list


def _chunks(gids: Iterable[int]) -> Iterable[list[int]]:
    items = sorted(set(gids))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


# Whether any enabled event rule exists (scalar: 1 or NULL; parameter: True): the journal flush's
# probe for the rules hook (vinyasa.rules.engine), so a database without rules pays no statement.
ANY_ENABLED = "SELECT 1 FROM rules WHERE enabled = ? AND trigger_type <> 'incoming_web_request' LIMIT 1"


def event_rules(conn: Connection, project_gids: Iterable[int], types: Sequence[str]) -> list[tuple[Any, ...]]:
    """(gid, project_gid, trigger_type, trigger JSON) of the enabled rules of these projects and types."""
    out: list[tuple[Any, ...]] = []
    for chunk in _chunks(project_gids):
        out += sql.fetch(
            conn,
            "SELECT gid, project_gid, trigger_type, trigger FROM rules WHERE enabled = ?"
            f" AND trigger_type IN ({sql.marks(len(types))}) AND project_gid IN ({sql.marks(len(chunk))})",
            [True, *types, *chunk],
        )
    return out


def placements(conn: Connection, task_gids: Iterable[int], project_gids: set[int]) -> set[tuple[int, int]]:
    """(task, project) pairs: which of these tasks are in which of these projects."""
    out: set[tuple[int, int]] = set()
    if not project_gids:
        return out
    projects = sorted(project_gids)
    for chunk in _chunks(task_gids):
        rows = sql.fetch(
            conn,
            f"SELECT task_gid, project_gid FROM task_projects WHERE task_gid IN ({sql.marks(len(chunk))})"
            f" AND project_gid IN ({sql.marks(len(projects))})",
            [*chunk, *projects],
        )
        out.update((int(t), int(p)) for t, p in rows)
    return out


def completion(conn: Connection, task_gids: Iterable[int]) -> dict[int, bool]:
    out: dict[int, bool] = {}
    for chunk in _chunks(task_gids):
        rows = sql.fetch(
            conn, f"SELECT gid, completed FROM tasks WHERE gid IN ({sql.marks(len(chunk))})", chunk
        )
        out.update((int(g), bool(c)) for g, c in rows)
    return out


# A project's rules as a copy needs them, oldest first (vinyasa.rules.copies).
RULES_OF = (
    "SELECT name, enabled, trigger_type, trigger, conditions, actions FROM rules"
    " WHERE project_gid = ? ORDER BY created_at, gid"
)


def rule_row(conn: Connection, gid: int) -> dict[str, Any] | None:
    rows = sql.fetch(
        conn,
        "SELECT gid, project_gid, creator_gid, enabled, trigger_type, trigger, conditions, actions,"
        " scan_job_gid FROM rules WHERE gid = ?",
        [gid],
    )
    if not rows:
        return None
    keys = (
        "gid",
        "project_gid",
        "creator_gid",
        "enabled",
        "trigger_type",
        "trigger",
        "conditions",
        "actions",
    )
    row = dict(zip((*keys, "scan_job_gid"), rows[0], strict=True))
    for name in ("trigger", "conditions", "actions"):
        row[name] = json.loads(row[name])
    row["enabled"] = bool(row["enabled"])
    return row


def in_section(conn: Connection, task_gid: int, section_gid: int) -> bool:
    return bool(
        sql.fetch(
            conn,
            "SELECT 1 FROM task_projects WHERE task_gid = ? AND section_gid = ?",
            [task_gid, section_gid],
        )
    )


def field_value(conn: Connection, task_gid: int, field_gid: int) -> tuple[Any, ...] | None:
    """The task's stored value of a field: (text, number, enum option, list, date_on, date_at)."""
    rows = sql.fetch(
        conn,
        "SELECT text_value, number_value, enum_option_gid, list_value, date_on, date_at"
        " FROM task_custom_field_values WHERE task_gid = ? AND custom_field_gid = ?",
        [task_gid, field_gid],
    )
    return rows[0] if rows else None


def assignee(conn: Connection, task_gid: int) -> int | None:
    value = sql.fetch_value(conn, "SELECT assignee_gid FROM tasks WHERE gid = ?", [task_gid])
    return int(value) if value is not None else None


def section_project(conn: Connection, section_gid: int) -> int | None:
    value = sql.fetch_value(conn, "SELECT project_gid FROM sections WHERE gid = ?", [section_gid])
    return int(value) if value is not None else None


def new_followers(conn: Connection, task_gid: int, users: list[int]) -> list[int]:
    """Of `users`, those who do not follow the task yet; they follow it afterwards."""
    have = {
        int(r[0])
        for r in sql.fetch(conn, "SELECT user_gid FROM task_followers WHERE task_gid = ?", [task_gid])
    }
    new = [u for u in dict.fromkeys(users) if u not in have]
    now = now_ms()
    sql.execute_many(
        conn,
        "INSERT INTO task_followers (task_gid, user_gid, created_at) VALUES (?, ?, ?)",
        [(task_gid, u, now) for u in new],
    )
    return new


def record_run(
    conn: Connection,
    rule_gid: int,
    trigger: str,
    task_gid: int | None,
    status: str,
    done: list[str],
    error: str | None,
    key: str | None = None,
) -> int:
    """Add one run to a rule's history; returns its gid."""
    gid = new_gid(conn)
    sql.execute_many(
        conn,
        "INSERT INTO rule_runs (gid, rule_gid, created_at, trigger_type, task_gid, status, actions_done,"
        " error, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(gid, rule_gid, now_ms(), trigger, task_gid, status, json.dumps(done), error, key)],
    )
    return gid


def due_tasks(
    conn: Connection, rule_gid: int, project_gid: int, through: str, limit: int
) -> list[tuple[int, str]]:
    """(task, due_on) of the project's incomplete tasks due on or before `through` (YYYY-MM-DD) with
    no run of the rule for that due date yet, at most `limit`."""
    rows = sql.fetch(
        conn,
        "SELECT t.gid, t.due_on FROM task_projects tp JOIN tasks t ON t.gid = tp.task_gid"
        " WHERE tp.project_gid = ? AND t.completed = ? AND t.due_on IS NOT NULL AND t.due_on <= ?"
        " AND NOT EXISTS (SELECT 1 FROM rule_runs r WHERE r.rule_gid = ? AND r.task_gid = t.gid"
        " AND r.key = 'due:' || t.due_on)"
        f" ORDER BY t.gid LIMIT {int(limit)}",
        [project_gid, False, through, rule_gid],
    )
    return [(int(g), str(d)) for g, d in rows]


def reset_attempts(conn: Connection, job_gid: int) -> None:
    """A watcher job's scan succeeded: its claims so far are no failures (the runner fails a job
    after `max_attempts` claims; a watcher is claimed once a minute, for as long as its rule lives)."""
    sql.execute_many(conn, "UPDATE jobs SET attempts = 0 WHERE gid = ?", [(job_gid,)])


def lock_task(conn: Connection, task_gid: int) -> None:
    """Hold the task's row until the transaction ends (PostgreSQL; SQLite has one writer anyway):
    runs on one task take turns, so their reads and writes of its values never race."""
    if conn.dialect.name == "postgresql":
        sql.fetch(conn, "SELECT gid FROM tasks WHERE gid = ?" + row_lock(conn), [task_gid])
