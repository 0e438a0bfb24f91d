"""Adding and removing task dependencies, with Asana's rules: same workspace, no task depends on
itself, no cycles, at most 30 dependencies and dependents per task together (400 for each).

Asana: https://developers.asana.com/reference/adddependenciesfortask (and its three siblings).
"""

from __future__ import annotations

from vinyasa import access
from vinyasa.core import Caller, journal
from vinyasa.dependencies import queries
from vinyasa.errors import InvalidRequest
from vinyasa.protocol import sql
from vinyasa.protocol.values import now_ms
from vinyasa.tasks import tree

MAX_LINKS = 30
_LOCK_SPACE = 0x64657073  # "deps": the advisory lock space of dependency writes, one lock per workspace


def _others(ctx: Caller, task: access.VisibleTask, field: str, values: list[str]) -> list[int]:
    """The named tasks (each visible, in the task's workspace, not the task itself), in order."""
    if not values:
        raise InvalidRequest(f"{field}: Missing input")
    gids: list[int] = []
    for value in values:
        other = access.task(ctx, value, field)
        if other.workspace_gid != task.workspace_gid:
            raise InvalidRequest(f"{field}: The task {value[:64]} is in another workspace")
        if other.gid == task.gid:
            raise InvalidRequest(f"{field}: A task cannot depend on itself")
        if other.gid not in gids:
            gids.append(other.gid)
    return gids


def record_link(ctx: Caller, blocked: int, blocker: int, action: str) -> None:
    """Journal a link `added` or `removed`. Both sides change: the blocked task's `dependencies`,
    the blocker's `dependents`."""
    for own, other, field in ((blocked, blocker, "dependencies"), (blocker, blocked, "dependents")):
        journal.member(
            ctx, ("task", own), action, ("task", other), topics=journal.task_topics(ctx, own), field=field
        )


def _serialize(ctx: Caller, workspace_gid: int) -> None:
    """PostgreSQL: one dependency write at a time per workspace, to the commit. Locking only the
    linked tasks is not enough: A→B and C→D share no task, yet with B→C and D→A racing beside them
    each cycle check misses the others' uncommitted edges and a 4-cycle commits. (SQLite has one
    writer at a time already.)"""
    if ctx.conn.dialect.name == "postgresql":
        sql.fetch(ctx.conn, queries.LOCK, [_LOCK_SPACE, workspace_gid % 2**31])


def link(ctx: Caller, task: access.VisibleTask, field: str, values: list[str]) -> None:
    """Make the named tasks dependencies (`field="dependencies"`) or dependents of `task`; those
    already linked are left as they are. All checked before anything is written."""
    access.require_task_edit(ctx, task, f"change its {field}")
    others = _others(ctx, task, field, values)
    _serialize(ctx, task.workspace_gid)
    tree.lock_tasks(ctx.conn, sorted({task.gid, *others}))  # concurrent links see each other's rows
    pairs = [(task.gid, o) if field == "dependencies" else (o, task.gid) for o in others]
    new = [p for p in pairs if not sql.fetch(ctx.conn, queries.EXISTING, list(p))]
    added: dict[int, int] = {}
    for blocked, blocker in new:
        for gid in (blocked, blocker):
            added[gid] = added.get(gid, 0) + 1
    for gid, count in added.items():
        if count > room(ctx, gid):
            raise InvalidRequest(
                f"{field}: A task can have at most {MAX_LINKS} dependents and dependencies combined"
            )
    for blocked, blocker in new:
        # One edge at a time, so two new edges of one request cannot close a cycle together; a 400
        # rolls the whole request back.
        if sql.fetch(ctx.conn, queries.REACHES, [blocker, blocked]):
            raise InvalidRequest(f"{field}: Adding this dependency would create a cycle of dependencies")
        insert_link(ctx, blocked, blocker)


def insert_link(ctx: Caller, blocked: int, blocker: int) -> None:
    """Write the link `blocked` depends on `blocker` and journal it. Its `created_at` is after every
    link already in `blocked`'s dependencies and `blocker`'s dependents (LAST_LINKED), so lists
    ordered by it keep the order links were added in, also within one millisecond."""
    last = sql.fetch(ctx.conn, queries.LAST_LINKED, [blocked, blocker])[0]
    created = max([now_ms(), *(int(t) + 1 for t in last if t is not None)])
    sql.write(ctx.conn, queries.INSERT, [blocked, blocker, created])
    record_link(ctx, blocked, blocker, "added")


def room(ctx: Caller, task_gid: int) -> int:
    """How many more dependencies and dependents `task_gid` may have (Asana's limit on the sum)."""
    return MAX_LINKS - int(sql.fetch_value(ctx.conn, queries.LINKS, [task_gid, task_gid]) or 0)


def unlink(ctx: Caller, task: access.VisibleTask, field: str, values: list[str]) -> None:
    """Remove the named tasks from `task`'s dependencies or dependents; others are no error."""
    access.require_task_edit(ctx, task, f"change its {field}")
    for other in _others(ctx, task, field, values):
        pair = (task.gid, other) if field == "dependencies" else (other, task.gid)
        # What the DELETE removed: of two requests removing one link at once, the second removes
        # nothing (PostgreSQL: it waits for the first) and journals nothing.
        if sql.fetch(ctx.conn, queries.DELETE, list(pair)):
            record_link(ctx, *pair, "removed")
