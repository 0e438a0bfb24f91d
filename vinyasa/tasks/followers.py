"""A task's followers: adding and removing them (the creator follows a task from its creation).

Asana: https://developers.asana.com/reference/addfollowersfortask. Anyone who sees the task may
follow or unfollow it themselves; changing other people needs edit access to the task (403).
"""

from __future__ import annotations

from vinyasa import access
from vinyasa.core import Caller, journal
from vinyasa.db import insert_new
from vinyasa.models import TaskFollower
from vinyasa.projects import members
from vinyasa.protocol import sql
from vinyasa.protocol.values import now_ms
from vinyasa.tasks import queries


def _users(ctx: Caller, task: access.VisibleTask, values: list[str], workspace_gid: int | None) -> list[int]:
    users = members.resolve_users(ctx, "followers", values, workspace_gid)
    if set(users) != {ctx.user_gid}:
        access.require_task_edit(ctx, task, "change its followers")
    return users


def add_followers(ctx: Caller, task: access.VisibleTask, values: list[str]) -> None:
    """Make users (`me`, emails, gids; members of the task's workspace: 400 otherwise) follow the
    task; those already following are left as they are."""
    users = _users(ctx, task, values, task.workspace_gid)
    now = now_ms()
    rows = [{"task_gid": task.gid, "user_gid": u, "created_at": now} for u in users]
    added = set(insert_new(ctx.conn, TaskFollower, rows, "user_gid"))
    if not added:
        return
    topics = journal.task_topics(ctx, task.gid)
    for user in users:
        if user in added:
            journal.member(ctx, ("task", task.gid), "added", ("user", user), topics=topics, field="followers")


def remove_followers(ctx: Caller, task: access.VisibleTask, values: list[str]) -> None:
    """Stop users following the task; one who does not follow it is no error."""
    users = _users(ctx, task, values, None)
    # What the DELETE removed, not what was read before it: of two requests removing one follower
    # at once, the second deletes nothing (PostgreSQL: it waits for the first) and journals nothing.
    statement = queries.UNFOLLOW.format(users=sql.marks(len(users)))
    gone = sorted(int(gid) for (gid,) in sql.fetch(ctx.conn, statement, [task.gid, *users]))
    if not gone:
        return
    topics = journal.task_topics(ctx, task.gid)
    for user in gone:
        journal.member(ctx, ("task", task.gid), "removed", ("user", user), topics=topics, field="followers")
