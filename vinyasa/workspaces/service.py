"""Workspace membership changes."""

from __future__ import annotations

from sqlalchemy import Connection, delete, select

from vinyasa.db import insert_ignore
from vinyasa.models import Team, TeamMember, WorkspaceMember
from vinyasa.protocol.values import now_ms


def add_member(conn: Connection, workspace_gid: int, user_gid: int, *, admin: bool = False) -> None:
    """Make a user a workspace member; a no-op when they already are."""
    insert_ignore(
        conn,
        WorkspaceMember,
        [{"workspace_gid": workspace_gid, "user_gid": user_gid, "is_admin": admin, "created_at": now_ms()}],
    )


def remove_member(conn: Connection, workspace_gid: int, user_gid: int) -> None:
    """Take a user out of a workspace and out of all of its teams."""
    teams = select(Team.gid).where(Team.workspace_gid == workspace_gid)
    conn.execute(delete(TeamMember).where(TeamMember.user_gid == user_gid, TeamMember.team_gid.in_(teams)))
    conn.execute(
        delete(WorkspaceMember).where(
            WorkspaceMember.workspace_gid == workspace_gid, WorkspaceMember.user_gid == user_gid
        )
    )
