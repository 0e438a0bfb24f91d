"""Workspace membership changes."""

from __future__ import annotations

from sqlalchemy import Connection

from vinyasa import access, ordering
from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.db import insert_ignore, update_row
from vinyasa.models import Workspace, WorkspaceMember
from vinyasa.portfolios import service as portfolios
from vinyasa.projects import changes, members
from vinyasa.projects import queries as project_queries
from vinyasa.protocol import sql
from vinyasa.workspaces import queries


def add_member(conn: Connection, workspace_gid: int, user_gid: int, *, admin: bool = False) -> int:
    """Make a user a workspace member; a no-op when they already are. Returns how many were added."""
    return insert_ignore(
        conn,
        WorkspaceMember,
        [{"workspace_gid": workspace_gid, "user_gid": user_gid, "is_admin": admin, "created_at": now_ms()}],
    )


def record_members(caller: Caller, workspace_gid: int, action: str, user_gid: int) -> None:
    """Journal: the workspace's `members` field `changed` (a user `added` or `removed`)."""
    journal.member(caller, ("workspace", workspace_gid), action, ("user", user_gid), topics=())


def rename(caller: Caller, workspace_gid: int, name: str) -> None:
    """Change a workspace's name (journal: `name` changed)."""
    update_row(caller.conn, Workspace, workspace_gid, {"name": name})
    journal.changed(caller, ("workspace", workspace_gid), ["name"], topics=())


def remove_user(ctx: Caller, workspace_gid: int, user_gid: int) -> None:
    """removeUser: take a user out of a workspace and out of everything in it that granted access.

    Admins only, and never the workspace's last admin (vinyasa.access). Their project and team
    memberships in the workspace and the tasks they follow there end, so adding them back later
    restores nothing. What they own passes to the caller, as the spec says for a personal access
    token: their projects (the caller becomes owner and admin; an admin leaving hands them to another
    admin), the projects they were the only
    admin of (the caller becomes admin, so every project keeps one), the tasks assigned to them, and
    their portfolios (vinyasa.portfolios.service.hand_over). All in the request's transaction, and
    journaled as the endpoints making each change would (`_record_removal`).
    """
    heir = access.require_workspace_removal(ctx, workspace_gid, user_gid)
    conn, now = ctx.conn, now_ms()
    touched = queries.projects_of(conn, workspace_gid, user_gid)
    for project_gid in sorted(touched):  # gid order: concurrent writers lock projects the same way
        ordering.lock(conn, "projects", project_gid)
    inherit = queries.sole_admin_of(conn, workspace_gid, user_gid)
    # the projects they own (read again under the locks), passed on in the same statement
    projects = queries.pass_on(conn, "projects", "owner_gid", workspace_gid, user_gid, heir, now)
    inherited = sorted(inherit | set(projects))
    statement = project_queries.MEMBER_OF.format(projects=sql.marks(len(inherited)))
    already = {int(p) for (p,) in sql.fetch(conn, statement, [heir, *inherited])} if inherited else set()
    members.make_admin(conn, inherited, heir)
    left = queries.end_project_memberships(conn, workspace_gid, user_gid)
    tasks = queries.pass_on(conn, "tasks", "assignee_gid", workspace_gid, user_gid, heir, now)
    followed = queries.unfollow_tasks(conn, workspace_gid, user_gid)
    portfolios.hand_over(ctx, workspace_gid, user_gid, heir)
    ended = {
        "joined": [p for p in inherited if p not in already],
        "owned": projects,
        "members": left,
        "assigned": tasks,
        "followed": followed,
        "teams": queries.leave_teams(conn, workspace_gid, user_gid),
    }
    _record_removal(ctx, workspace_gid, user_gid, heir, ended)
    if queries.remove_member(conn, workspace_gid, user_gid):
        record_members(ctx, workspace_gid, "removed", user_gid)


def _record_removal(
    ctx: Caller, workspace_gid: int, user_gid: int, heir: int, ended: dict[str, list[int]]
) -> None:
    """Journal what removeUser changed as the endpoints that make each change would, so event
    streams and webhooks see it: the projects' new `owner`, the heir joining and the user leaving
    their `members`, the tasks' new `assignee` and the user leaving their `followers`, the user
    leaving the teams (`ended`: gids of the projects the heir `joined` as admin, those the user
    `owned` and was one of the `members` of, the tasks `assigned` to them and `followed`, and the
    `teams` they were in)."""
    for project_gid in ended["owned"]:
        changes.changed(ctx, project_gid, workspace_gid, {"owner_gid": heir})
    for project_gid in ended["joined"]:
        changes.people(ctx, project_gid, workspace_gid, "members", "added", [heir])
    for project_gid in ended["members"]:
        changes.people(ctx, project_gid, workspace_gid, "members", "removed", [user_gid])
    topics: dict[int, frozenset[int]] = {}
    for task_gid in ended["assigned"]:
        topics[task_gid] = journal.task_topics(ctx, task_gid)
        journal.changed(
            ctx,
            ("task", task_gid),
            ["assignee"],
            topics=topics[task_gid],
            values={"assignee": ("user", heir)},
        )
    for task_gid in ended["followed"]:
        stream = topics.get(task_gid) or journal.task_topics(ctx, task_gid)
        journal.member(
            ctx, ("task", task_gid), "removed", ("user", user_gid), topics=stream, field="followers"
        )
    for team_gid in ended["teams"]:
        journal.member(ctx, ("team", team_gid), "removed", ("user", user_gid), topics=[workspace_gid])
