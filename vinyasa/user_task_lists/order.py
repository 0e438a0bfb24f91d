"""The order of My Tasks: most recently assigned first, as Asana's "Recently assigned" shows new
assignments at the top (docs/deviations.md).

A journal flush hook (vinyasa.core.journal.on_flush) keeps `task_assignments` in the same
transaction as the change, so no task-family code knows about it: a task created or copied with an
assignee (an `added` entry) gets its assignee's time once; a `changed` entry of `assignee` gives
the new assignee the change's time (again on every reassignment, and when removeUser hands a
leaving user's tasks to an heir). A task without a row (assigned before this table existed)
counts from its creation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vinyasa.core import Caller, journal
from vinyasa.core.journal import Change
from vinyasa.db import insert_skipping
from vinyasa.models import TaskAssignment
from vinyasa.protocol import pagination, sql
from vinyasa.protocol.pagination import Listing
from vinyasa.user_task_lists.queries import ASSIGNED, CREATED, FORGET, MY_TASKS, MY_TASKS_KEYS


def listing(conditions: Sequence[tuple[str, Sequence[Any]]]) -> Listing:
    """The tasks meeting `conditions` (`?` SQL on `tasks`, with their parameters) in My Tasks' order,
    for `Ctx.page(descending=True)`: keyed by when each was assigned (else created), then gid."""
    return pagination.listing(MY_TASKS, conditions, MY_TASKS_KEYS)


def _assignments(changes: list[Change]) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """Of these changes: the tasks added (each with its first time) and the assignments made
    ((task, new assignee) -> time)."""
    created: dict[int, int] = {}
    moved: dict[tuple[int, int], int] = {}
    for c in changes:
        if c.resource[0] != "task":
            continue
        if c.action == "added":
            created.setdefault(c.resource[1], c.created_at)
        elif c.action == "changed" and c.field == "assignee" and c.value and c.value[1] is not None:
            moved[(c.resource[1], c.value[1])] = c.created_at
    return created, moved


def _any_assigned(_caller: Caller, changes: list[Change]) -> journal.ProbeSql:
    """The flush probe of `_assigned`: an assignment changed, or an added task has an assignee."""
    created, moved = _assignments(changes)
    if moved:
        return "1", ()
    return (ASSIGNED.format(marks=sql.marks(len(created))), sorted(created)) if created else None


def _assigned(caller: Caller, changes: list[Change]) -> None:
    """Record assignment times from these changes (see the module docstring)."""
    created, moved = _assignments(changes)
    if not created and not moved:
        return
    conn = caller.conn
    if moved:
        sql.execute_many(conn, FORGET, list(moved))
    rows = [{"task_gid": t, "user_gid": u, "assigned_at": at} for (t, u), at in moved.items()]
    insert_skipping(conn, TaskAssignment, rows)
    if created:
        gids = sorted(created)
        sql.execute_many(conn, CREATED.format(marks=sql.marks(len(gids))), [(min(created.values()), *gids)])


journal.on_flush(_assigned, probe=_any_assigned)
