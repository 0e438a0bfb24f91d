"""Workspace membership changes."""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, select, update

from vinyasa import access, ordering
from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.db import in_workspace, insert_ignore
from vinyasa.models import (
    Project,
    ProjectMember,
    Task,
    TaskFollower,
    Team,
    TeamMember,
    Workspace,
    WorkspaceMember,
)
from vinyasa.portfolios import service as portfolios
from vinyasa.projects import changes, members, queries
from vinyasa.protocol import sql


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
    caller.conn.execute(update(Workspace).where(Workspace.gid == workspace_gid).values(name=name))
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
    theirs = (ProjectMember.user_gid == user_gid) & in_workspace(
        ProjectMember.project_gid, Project, workspace_gid
    )
    owned = (Project.workspace_gid == workspace_gid) & (Project.owner_gid == user_gid)
    touched = {*conn.execute(select(ProjectMember.project_gid).where(theirs)).scalars()}
    touched |= {*conn.execute(select(Project.gid).where(owned)).scalars()}
    for project_gid in sorted(touched):  # gid order: concurrent writers lock projects the same way
        ordering.lock(conn, "projects", project_gid)
    admin_of = select(ProjectMember.project_gid).where(theirs, ProjectMember.access_level == "admin")
    sole = (
        select(ProjectMember.project_gid)
        .where(ProjectMember.project_gid.in_(admin_of), ProjectMember.access_level == "admin")
        .group_by(ProjectMember.project_gid)
        .having(func.count() == 1)
    )
    inherit = {*conn.execute(sole).scalars()}
    # the projects they own (read again under the locks), passed on in the same statement
    handed = update(Project).where(owned).values(owner_gid=heir, modified_at=now).returning(Project.gid)
    projects = sorted(conn.execute(handed).scalars())
    inherited = sorted(inherit | set(projects))
    statement = queries.MEMBER_OF.format(projects=sql.marks(len(inherited)))
    already = {int(p) for (p,) in sql.fetch(conn, statement, [heir, *inherited])} if inherited else set()
    members.make_admin(conn, inherited, heir)
    left = sorted(
        conn.execute(delete(ProjectMember).where(theirs).returning(ProjectMember.project_gid)).scalars()
    )
    assigned = (
        update(Task)
        .where(Task.workspace_gid == workspace_gid, Task.assignee_gid == user_gid)
        .values(assignee_gid=heir, modified_at=now)
        .returning(Task.gid)
    )
    tasks = sorted(conn.execute(assigned).scalars())
    follows = delete(TaskFollower).where(
        TaskFollower.user_gid == user_gid, in_workspace(TaskFollower.task_gid, Task, workspace_gid)
    )
    followed = sorted(conn.execute(follows.returning(TaskFollower.task_gid)).scalars())
    portfolios.hand_over(ctx, workspace_gid, user_gid, heir)
    teams = delete(TeamMember).where(
        TeamMember.user_gid == user_gid, in_workspace(TeamMember.team_gid, Team, workspace_gid)
    )
    ended = {
        "joined": [p for p in inherited if p not in already],
        "owned": projects,
        "members": left,
        "assigned": tasks,
        "followed": followed,
        "teams": sorted(conn.execute(teams.returning(TeamMember.team_gid)).scalars()),
    }
    _record_removal(ctx, workspace_gid, user_gid, heir, ended)
    result = conn.execute(
        delete(WorkspaceMember).where(
            WorkspaceMember.workspace_gid == workspace_gid, WorkspaceMember.user_gid == user_gid
        )
    )
    if result.rowcount:
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
