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
from vinyasa.projects import members


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
    their portfolios (vinyasa.portfolios.service.hand_over). All in the request's transaction.
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
    inherit |= {*conn.execute(handed).scalars()}
    members.make_admin(conn, sorted(inherit), heir)
    conn.execute(delete(ProjectMember).where(theirs))
    conn.execute(
        update(Task)
        .where(Task.workspace_gid == workspace_gid, Task.assignee_gid == user_gid)
        .values(assignee_gid=heir, modified_at=now)
    )
    conn.execute(
        delete(TaskFollower).where(
            TaskFollower.user_gid == user_gid, in_workspace(TaskFollower.task_gid, Task, workspace_gid)
        )
    )
    portfolios.hand_over(ctx, workspace_gid, user_gid, heir)
    conn.execute(
        delete(TeamMember).where(
            TeamMember.user_gid == user_gid, in_workspace(TeamMember.team_gid, Team, workspace_gid)
        )
    )
    result = conn.execute(
        delete(WorkspaceMember).where(
            WorkspaceMember.workspace_gid == workspace_gid, WorkspaceMember.user_gid == user_gid
        )
    )
    if result.rowcount:
        record_members(ctx, workspace_gid, "removed", user_gid)
