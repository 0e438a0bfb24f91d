"""Workspaces and the users in them: a workspace is visible to its members, a user to anyone sharing a
workspace with them (vinyasa.access)."""

from __future__ import annotations

from sqlalchemy import Connection

from vinyasa.access.core import MINE, unknown, workspace_roles
from vinyasa.core import Caller
from vinyasa.db import row_lock
from vinyasa.errors import Forbidden, InvalidRequest
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


# Users named by gid or email (`{named}`: a condition on `u`), each with whether they share one of
# the caller's workspaces and whether they are in a given workspace (`?`: caller, workspace, names).
_NAMED_USERS = (
    "SELECT u.gid, u.email,"
    f" EXISTS (SELECT 1 FROM workspace_members m WHERE m.user_gid = u.gid AND m.workspace_gid IN ({MINE})),"
    " EXISTS (SELECT 1 FROM workspace_members m WHERE m.user_gid = u.gid AND m.workspace_gid = ?)"
    " FROM users u WHERE {named}"
)


def named_users(
    ctx: Caller, values: list[str], workspace_gid: int | None
) -> tuple[list[int | None], set[int]]:
    """For each value (`me`, an email in any case, a gid): the user it names if the caller may see
    them (`shares_workspace`), else None; and which of those users belong to `workspace_gid`. One
    statement, where naming users one by one reads two each."""
    keys: list[int | str | None] = []  # per value: a gid, an email, or None (names nobody)
    for raw in values:
        value = raw.strip()
        keys.append(ctx.user_gid if value == "me" else value.lower() if "@" in value else as_gid(value))
    gids = sorted({k for k in keys if isinstance(k, int)})
    emails = sorted({k for k in keys if isinstance(k, str)})
    named = [
        *([f"u.gid IN ({sql.marks(len(gids))})"] if gids else []),
        *([f"u.email IN ({sql.marks(len(emails))})"] if emails else []),
    ]
    params = [ctx.user_gid, workspace_gid, *gids, *emails]
    rows = sql.fetch(ctx.conn, _NAMED_USERS.format(named=" OR ".join(named)), params) if named else []
    seen: dict[int | str, int] = {}  # gid or email -> gid, of the users the caller may see
    inside: set[int] = set()
    for gid, email, shares, member in rows:
        if shares or gid == ctx.user_gid:
            seen[int(gid)] = seen[str(email)] = int(gid)
            if member:
                inside.add(int(gid))
    return [None if k is None else seen.get(k) for k in keys], inside


def is_organization(conn: Connection, workspace_gid: int) -> bool:
    """Whether the workspace is an organization (False when there is no such workspace)."""
    return bool(
        sql.fetch_value(conn, "SELECT is_organization FROM workspaces WHERE gid = ?", [workspace_gid])
    )


def workspaces_of(conn: Connection, user_gid: int) -> set[int]:
    """The workspaces a user belongs to."""
    return {int(r[0]) for r in sql.fetch(conn, MINE, [user_gid])}


# ---- leaving a workspace -----------------------------------------------------------------------


def require_workspace_removal(ctx: Caller, workspace_gid: int, user_gid: int) -> int:
    """removeUser: the caller must administer the workspace (403), and its last admin stays (400).
    Returns who inherits what the user owns: the caller, or when admins remove themselves another
    admin (the one with the lowest gid), so nothing passes to the person leaving.

    Locks the workspace row first (PostgreSQL) and reads the admins afresh, so two admins removing
    each other at the same moment cannot leave the workspace with none.
    """
    if ctx.conn.dialect.name == "postgresql":
        sql.fetch(ctx.conn, "SELECT 1 FROM workspaces WHERE gid = ?" + row_lock(ctx.conn), [workspace_gid])
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
