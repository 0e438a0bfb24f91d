"""Workspace membership changes."""

from __future__ import annotations

from sqlalchemy import Connection, delete, select, update

from vinyasa.core import Caller, journal
from vinyasa.db import insert_ignore
from vinyasa.models import Team, TeamMember, Workspace, WorkspaceMember
from vinyasa.protocol.values import now_ms


def add_member(conn: Connection, workspace_gid: int, user_gid: int, *, admin: bool = False) -> int:
    """Make a user a workspace member; a no-op when they already are. Returns how many were added."""
    return insert_ignore(
        conn,
        WorkspaceMember,
        [{"workspace_gid": workspace_gid, "user_gid": user_gid, "is_admin": admin, "created_at": now_ms()}],
    )


def record_members(caller: Caller, workspace_gid: int, action: str, user_gid: int) -> None:
    """Journal: the workspace's `members` field `changed` (a user `added` or `removed`)."""
    journal.record(
        caller,
        ("workspace", workspace_gid),
        "changed",
        field="members",
        change=action,
        value=("user", user_gid),
        topics=(),
    )


def rename(caller: Caller, workspace_gid: int, name: str) -> None:
    """Change a workspace's name (journal: `name` changed)."""
    caller.conn.execute(update(Workspace).where(Workspace.gid == workspace_gid).values(name=name))
    journal.changed(caller, ("workspace", workspace_gid), ["name"], topics=())


def remove_member(conn: Connection, workspace_gid: int, user_gid: int) -> int:
    """Take a user out of a workspace and out of all of its teams; returns 1 if they were a member."""
    teams = select(Team.gid).where(Team.workspace_gid == workspace_gid)
    conn.execute(delete(TeamMember).where(TeamMember.user_gid == user_gid, TeamMember.team_gid.in_(teams)))
    result = conn.execute(
        delete(WorkspaceMember).where(
            WorkspaceMember.workspace_gid == workspace_gid, WorkspaceMember.user_gid == user_gid
        )
    )
    return int(result.rowcount or 0)
