"""All SQL of task dependencies. A row (task_gid, dependency_gid): the task depends on (is blocked
by) the dependency; the task is one of the dependency's dependents."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection

from vinyasa.protocol import pagination, sql
from vinyasa.protocol.pagination import Listing

# How many dependencies and dependents a task has, together (Asana's limit is on the sum).
LINKS = "SELECT count(*) FROM task_dependencies WHERE task_gid = ? OR dependency_gid = ?"

# Whether `goal` (second ?) is reachable from `start` (first ?) along dependencies: adding the edge
# goal -> start would close a cycle. Bounded: terminates whatever the data holds.
REACHES = (
    "WITH RECURSIVE reach(gid, depth) AS (SELECT ?, 0 UNION"
    " SELECT d.dependency_gid, r.depth + 1 FROM task_dependencies d JOIN reach r ON d.task_gid = r.gid"
    " WHERE r.depth < 10000)"
    " SELECT 1 FROM reach WHERE gid = ? LIMIT 1"
)

# PostgreSQL: the transaction-scoped advisory lock (space, key) that serializes dependency writes.
LOCK = "SELECT pg_advisory_xact_lock(CAST(? AS integer), CAST(? AS integer))"

EXISTING = "SELECT 1 FROM task_dependencies WHERE task_gid = ? AND dependency_gid = ?"
INSERT = "INSERT INTO task_dependencies (task_gid, dependency_gid, created_at) VALUES (?, ?, ?)"
DELETE = "DELETE FROM task_dependencies WHERE task_gid = ? AND dependency_gid = ? RETURNING task_gid"
# The newest link in the blocked task's dependencies and in the blocker's dependents: a new link is
# stamped after both, so both lists keep the order links were added in, also within one millisecond.
LAST_LINKED = (
    "SELECT (SELECT MAX(created_at) FROM task_dependencies WHERE task_gid = ?),"
    " (SELECT MAX(created_at) FROM task_dependencies WHERE dependency_gid = ?)"
)


def listing(side: str, task_gid: int, visible: tuple[str, Sequence[Any]]) -> Listing:
    """A task's dependencies (`side="dependencies"`) or dependents that pass `visible` (a task
    visibility rule on `tasks`: vinyasa.access.task_visible_sql), in the order they were added."""
    own, other = ("task_gid", "dependency_gid") if side == "dependencies" else ("dependency_gid", "task_gid")
    source = f"task_dependencies d JOIN tasks ON tasks.gid = d.{other}"
    return pagination.listing(source, [(f"d.{own} = ?", [task_gid]), visible], ("d.created_at", f"d.{other}"))


def linked(side: str) -> Callable[[Connection, Any, list[int]], dict[int, list[int]]]:
    """A projection loader: each task's dependencies (or dependents) gids, in the order added."""
    own, other = ("task_gid", "dependency_gid") if side == "dependencies" else ("dependency_gid", "task_gid")

    def load(conn: Connection, _viewer: Any, gids: list[int]) -> dict[int, list[int]]:
        rows = sql.fetch(
            conn,
            f"SELECT {own}, {other} FROM task_dependencies WHERE {own} IN ({sql.marks(len(gids))})"
            f" ORDER BY created_at, {other}",
            gids,
        )
        out: dict[int, list[int]] = {}
        for gid, linked_gid in rows:
            out.setdefault(int(gid), []).append(int(linked_gid))
        return out

    return load
