"""The access rule, in one place: what a caller can see (else 404) and may change (else 403).

- A workspace is visible to its members.
- A user is visible to anyone sharing a workspace with them (and to themselves).
- A team is visible to members of its organization unless it is `secret`, then to its members only.
Objects named in a path that the caller cannot see are 404; named in a body or filter they are 400
("Unknown object"), so existence never leaks either way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select

from vinyasa.errors import Forbidden, InvalidRequest, NotFound
from vinyasa.models import Team, TeamMember, WorkspaceMember
from vinyasa.protocol.context import Ctx
from vinyasa.protocol.gids import as_gid


def unknown(field: str | None, value: Any, kind: str) -> Exception:
    """The error for an object the caller cannot see: 404 in a path, 400 in a body or filter."""
    if field is None:
        return NotFound(f"Unknown {kind}: {str(value)[:64]}")
    return InvalidRequest(f"{field}: Unknown object: {str(value)[:64]}")


def workspace_roles(ctx: Ctx) -> dict[int, bool]:
    """The caller's workspaces, each with whether the caller is its admin (cached per request)."""
    roles: dict[int, bool] | None = ctx.cache.get("workspace_roles")
    if roles is None:
        rows = ctx.conn.execute(
            select(WorkspaceMember.workspace_gid, WorkspaceMember.is_admin).where(
                WorkspaceMember.user_gid == ctx.user_gid
            )
        )
        roles = {r.workspace_gid: r.is_admin for r in rows}
        ctx.cache["workspace_roles"] = roles
    return roles


def workspace(ctx: Ctx, value: str, field: str | None = None) -> int:
    """A workspace the caller belongs to, by gid string."""
    gid = as_gid(value)
    if gid is None or gid not in workspace_roles(ctx):
        raise unknown(field, value, "workspace")
    return gid


def require_workspace_admin(ctx: Ctx, workspace_gid: int) -> None:
    """403 unless the caller administers the workspace."""
    if not workspace_roles(ctx).get(workspace_gid, False):
        raise Forbidden("You must be an admin of this workspace to do that.")


def team_visible(ctx: Ctx) -> ColumnElement[bool]:
    """SQL condition: the caller's workspaces hold the team, and it is not secret or they are in it."""
    return and_(
        Team.workspace_gid.in_(list(workspace_roles(ctx))),
        or_(
            Team.visibility != "secret",
            exists().where(TeamMember.team_gid == Team.gid, TeamMember.user_gid == ctx.user_gid),
        ),
    )


def team(ctx: Ctx, value: str, field: str | None = None) -> tuple[int, int]:
    """A team the caller can see, as (team gid, workspace gid)."""
    gid = as_gid(value)
    row = None
    if gid is not None:
        row = ctx.conn.execute(
            select(Team.gid, Team.workspace_gid).where(Team.gid == gid, team_visible(ctx))
        ).first()
    if row is None:
        raise unknown(field, value, "team")
    return row.gid, row.workspace_gid


def team_role(ctx: Ctx, team_gid: int) -> bool | None:
    """None when the caller is not in the team, else whether they are its admin."""
    return ctx.conn.execute(
        select(TeamMember.is_admin).where(
            TeamMember.team_gid == team_gid, TeamMember.user_gid == ctx.user_gid
        )
    ).scalar_one_or_none()


def shares_workspace(ctx: Ctx, user_gid: int) -> bool:
    """Whether the caller may see this user."""
    if user_gid == ctx.user_gid:
        return True
    mine = list(workspace_roles(ctx))
    return (
        bool(mine)
        and ctx.conn.execute(
            select(WorkspaceMember.user_gid)
            .where(WorkspaceMember.user_gid == user_gid, WorkspaceMember.workspace_gid.in_(mine))
            .limit(1)
        ).first()
        is not None
    )


def workspaces_of(conn: Connection, user_gid: int) -> set[int]:
    """The workspaces a user belongs to."""
    rows = conn.execute(select(WorkspaceMember.workspace_gid).where(WorkspaceMember.user_gid == user_gid))
    return {r[0] for r in rows}
