"""Walks over the subtask tree that always terminate, and the locks that keep it a tree.

A task's `parent_gid` chain ends at its top-level ancestor (`root_gid`). Every walk here is bounded
(a visited set and `MAX_DEPTH`), so even a cycle in stored data (which the locks below prevent) can
never make a request loop. On PostgreSQL, re-parenting locks the moved task and every task on the new
parent's ancestor chain, in gid order, before checking for a cycle; a subtree is locked level by
level before its `root_gid` is rewritten, so a subtask created under it meanwhile sees the new root.
SQLite's single writer serializes all of this already (the row lock renders as nothing there).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from vinyasa.db import ConcurrentChange, row_lock
from vinyasa.protocol import sql

MAX_DEPTH = 1000  # far deeper than any real subtask tree; the walks stop here whatever the data
_CHUNK = 500  # gids per IN (...) list
_LOCK_ROUNDS = 8  # re-walks of a chain that changed while it was being locked, before giving up


_ANCESTRY = (
    "WITH RECURSIVE chain(gid, parent_gid, depth) AS ("
    " SELECT gid, parent_gid, 0 FROM tasks WHERE gid = ?"
    " UNION ALL SELECT up.gid, up.parent_gid, chain.depth + 1 FROM tasks up, chain"
    " WHERE up.gid = chain.parent_gid AND chain.depth < ?"
    ") SELECT gid FROM chain ORDER BY depth"
)


def _row_lock(conn: Connection) -> str:
    """The row-lock suffix of a SELECT: PostgreSQL only (SQLite's single writer needs none)."""
    return row_lock(conn)


def ancestry(conn: Connection, gid: int) -> list[int]:
    """`gid` then its ancestors up to the top-level task, nearest first ([] when `gid` does not exist).

    One recursive query (prepared SQL text), cut at `MAX_DEPTH` steps and at the first task seen twice.
    """
    found: list[int] = []
    seen: set[int] = set()
    for (item,) in sql.fetch(conn, _ANCESTRY, (gid, MAX_DEPTH)):
        if item in seen:
            break
        seen.add(item)
        found.append(int(item))
    return found


def lock_tasks(conn: Connection, gids: Iterable[int]) -> set[int]:
    """Lock the tasks' rows (PostgreSQL: FOR NO KEY UPDATE, in gid order); returns the gids that exist."""
    wanted = sorted(set(gids))
    found: set[int] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        stmt = f"SELECT gid FROM tasks WHERE gid IN ({sql.marks(len(chunk))}) ORDER BY gid"
        found.update(int(row[0]) for row in sql.fetch(conn, stmt + _row_lock(conn), chunk))
    return found


def locked_ancestry(conn: Connection, gid: int) -> list[int]:
    """Lock the task's row, then its `ancestry` ([] when it does not exist). On SQLite, where the
    write transaction holds the only write lock, the walk alone: it finds the task or nothing."""
    if conn.dialect.name != "postgresql":
        return ancestry(conn, gid)
    return ancestry(conn, gid) if lock_tasks(conn, [gid]) else []


def lock_for_parent(conn: Connection, task_gid: int, parent_gid: int) -> list[int] | None:
    """Lock the task and the new parent's whole ancestor chain; return that chain (parent first).

    None when the task or the parent no longer exists. The chain is walked, locked in gid order,
    and walked again until it no longer changes: once it is locked, no concurrent setParent can
    change any link of it, so a cycle check against it holds until commit. A chain that keeps
    changing raises `ConcurrentChange` (the request layer runs the request again).
    """
    if conn.dialect.name != "postgresql":  # one writer at a time: the chain cannot change meanwhile
        chain = ancestry(conn, parent_gid)
        return chain if chain and lock_tasks(conn, [task_gid]) else None
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
            stmt = f"SELECT gid FROM tasks WHERE parent_gid IN ({sql.marks(len(chunk))}) ORDER BY gid"
            rows = sql.fetch(conn, stmt + (_row_lock(conn) if lock else ""), chunk)
            below.extend(int(row[0]) for row in rows if row[0] not in seen)
        seen.update(below)
        found.extend(below)
        level = below
    return found
