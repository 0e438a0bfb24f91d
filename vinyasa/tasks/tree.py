"""Walks over the subtask tree that always terminate, and the locks that keep it a tree.

A task's `parent_gid` chain ends at its top-level ancestor (`root_gid`). Every walk here is bounded
(a visited set and `MAX_DEPTH`), so even a cycle in stored data (which the locks below prevent) can
never make a request loop. On PostgreSQL, re-parenting locks the moved task and every task on the new
parent's ancestor chain, in gid order, before checking for a cycle; a subtree is locked level by
level before its `root_gid` is rewritten, so a subtask created under it meanwhile sees the new root.
SQLite's single writer serializes all of this already (`FOR UPDATE` renders as nothing there).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, literal, select

from vinyasa.db import ConcurrentChange
from vinyasa.models import Task

MAX_DEPTH = 1000  # far deeper than any real subtask tree; the walks stop here whatever the data
_CHUNK = 500  # gids per IN (...) list
_LOCK_ROUNDS = 8  # re-walks of a chain that changed while it was being locked, before giving up


def ancestry(conn: Connection, gid: int) -> list[int]:
    """`gid` then its ancestors up to the top-level task, nearest first ([] when `gid` does not exist).

    One recursive query, cut at `MAX_DEPTH` steps and at the first task seen twice.
    """
    table = Task.__table__
    start = select(table.c.gid, table.c.parent_gid, literal(0).label("depth")).where(table.c.gid == gid)
    chain = start.cte("chain", recursive=True)
    up = table.alias("up")
    chain = chain.union_all(
        select(up.c.gid, up.c.parent_gid, chain.c.depth + 1).where(
            up.c.gid == chain.c.parent_gid, chain.c.depth < MAX_DEPTH
        )
    )
    found: list[int] = []
    seen: set[int] = set()
    for (item,) in conn.execute(select(chain.c.gid).order_by(chain.c.depth)):
        if item in seen:
            break
        seen.add(item)
        found.append(int(item))
    return found


def lock_tasks(conn: Connection, gids: Iterable[int]) -> set[int]:
    """Lock the tasks' rows (PostgreSQL: FOR UPDATE, in gid order); returns the gids that exist."""
    wanted = sorted(set(gids))
    found: set[int] = set()
    for start in range(0, len(wanted), _CHUNK):
        stmt = (
            select(Task.gid)
            .where(Task.gid.in_(wanted[start : start + _CHUNK]))
            .order_by(Task.gid)
            .with_for_update()
        )
        found.update(int(row[0]) for row in conn.execute(stmt))
    return found


def lock_for_parent(conn: Connection, task_gid: int, parent_gid: int) -> list[int] | None:
    """Lock the task and the new parent's whole ancestor chain; return that chain (parent first).

    None when the task or the parent no longer exists. The chain is walked, locked in gid order,
    and walked again until it no longer changes: once it is locked, no concurrent setParent can
    change any link of it, so a cycle check against it holds until commit. A chain that keeps
    changing raises `ConcurrentChange` (the request layer runs the request again).
    """
    locked: set[int] = set()
    for _ in range(_LOCK_ROUNDS):
        chain = ancestry(conn, parent_gid)
        if not chain:
            return None
        wanted = {task_gid, *chain} - locked
        if not wanted:
            return chain
        got = lock_tasks(conn, wanted)
        if task_gid in wanted and task_gid not in got:
            return None
        locked |= got
    raise ConcurrentChange("the parent chain kept changing while it was locked")


def subtree(conn: Connection, gid: int, *, lock: bool = False) -> list[int]:
    """Every descendant of `gid` (not `gid` itself), level by level; `lock` locks each level's rows
    before reading the next, so no subtask can be added under a listed task until commit."""
    seen = {gid}
    found: list[int] = []
    level = [gid]
    for _ in range(MAX_DEPTH):
        if not level:
            break
        below: list[int] = []
        for start in range(0, len(level), _CHUNK):
            chunk = level[start : start + _CHUNK]
            stmt = select(Task.gid).where(Task.parent_gid.in_(chunk)).order_by(Task.gid)
            if lock:
                stmt = stmt.with_for_update()
            below.extend(int(row[0]) for row in conn.execute(stmt) if row[0] not in seen)
        seen.update(below)
        found.extend(below)
        level = below
    return found
