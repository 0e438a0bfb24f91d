"""Workspaces and the users in them: a workspace is visible to its members, a user to anyone sharing a
workspace with them (vinyasa.access)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from vinyasa.access.core import unknown, workspace_roles
from vinyasa.core import Caller
from vinyasa.errors import Forbidden, InvalidRequest
from vinyasa.models import WorkspaceMember
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid


def workspace(ctx: Caller, value: str, field: str | None = None) -> int:
    """A workspace the caller belongs to, by gid string."""
    gid = as_gid(value)
    if gid is None or gid not in workspace_roles(ctx):
        raise unknown(field, value, "workspace")
    return gid


def require_workspace_admin(ctx: Caller, workspace_gid: int) -> None:
    """403 unless the caller administers the workspace."""
    if not workspace_roles(ctx).get(workspace_gid, False):
        raise Forbidden("You must be an admin of this workspace to do that.")


def shares_workspace(ctx: Caller, user_gid: int) -> bool:
    """Whether the caller may see this user."""
    if user_gid == ctx.user_gid:
        return True
    mine = list(workspace_roles(ctx))
    return bool(mine) and bool(
        sql.fetch(
            ctx.conn,
            "SELECT 1 FROM workspace_members WHERE user_gid = ?"
            f" AND workspace_gid IN ({sql.marks(len(mine))}) LIMIT 1",
            [user_gid, *mine],
        )
    )


def workspaces_of(conn: Connection, user_gid: int) -> set[int]:
    """The workspaces a user belongs to."""
    rows = conn.execute(select(WorkspaceMember.workspace_gid).where(WorkspaceMember.user_gid == user_gid))
    return {r[0] for r in rows}


# ---- leaving a workspace -----------------------------------------------------------------------


def require_workspace_removal(ctx: Caller, workspace_gid: int, user_gid: int) -> int:
    """removeUser: the caller must administer the workspace (403), and its last admin stays (400).
    Returns who inherits what the user owns: the caller, or when admins remove themselves another
    admin (the one with the lowest gid), so nothing passes to the person leaving.

    Locks the workspace row first (PostgreSQL) and reads the admins afresh, so two admins removing
    each other at the same moment cannot leave the workspace with none.
    """
    if ctx.conn.dialect.name == "postgresql":
        sql.fetch(ctx.conn, "SELECT 1 FROM workspaces WHERE gid = ? FOR UPDATE", [workspace_gid])
    admins = {
        int(r[0])
        for r in sql.fetch(
            ctx.conn,
            "SELECT user_gid FROM workspace_members WHERE workspace_gid = ? AND is_admin",
            [workspace_gid],
        )
    }
    if ctx.user_gid not in admins:
        raise Forbidden("You must be an admin of this workspace to do that.")
    if admins == {user_gid}:
        raise InvalidRequest(
            "user: The last admin of a workspace cannot be removed; make another member an admin first"
        )
    return ctx.user_gid if user_gid != ctx.user_gid else min(admins - {user_gid})
