"""User endpoints: /users, /users/{user_gid}, and the user lists of workspaces and teams."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from starlette.responses import Response

from vinyasa import access
from vinyasa.models import TeamMember, User, WorkspaceMember
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.users.schemas import USER
from vinyasa.users.service import resolve_user

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Users"])

# Asana: the workspace and team user lists are alphabetical and "limited to 2000".
ALPHABETICAL_CAP = 2000


@router.get("/users/{user_gid}", operation_id="getUser")
async def get_user(ctx: CtxDep, user_gid: str, workspace: str | None = None) -> Response:
    """The full record of a user (`me`, an email or a gid); `workspace` is accepted and ignored."""
    return ctx.one(USER, resolve_user(ctx, user_gid))


@router.get("/users", operation_id="getUsers")
async def get_users(ctx: CtxDep, workspace: str | None = None, team: str | None = None) -> Response:
    """Users sharing a workspace with the caller, optionally in one workspace or team, by gid."""
    stmt = select(User.gid)
    if team is not None:
        team_gid, _ = access.team(ctx, team, "team")
        stmt = stmt.where(User.gid.in_(select(TeamMember.user_gid).where(TeamMember.team_gid == team_gid)))
    scope = (
        [access.workspace(ctx, workspace, "workspace")] if workspace else list(access.workspace_roles(ctx))
    )
    stmt = stmt.where(
        User.gid.in_(select(WorkspaceMember.user_gid).where(WorkspaceMember.workspace_gid.in_(scope)))
    )
    return ctx.page(USER, stmt)


@router.get("/workspaces/{workspace_gid}/users", operation_id="getUsersForWorkspace")
async def get_users_for_workspace(ctx: CtxDep, workspace_gid: str) -> Response:
    """A workspace's users, alphabetically, at most 2000."""
    gid = access.workspace(ctx, workspace_gid)
    members = select(WorkspaceMember.user_gid).where(WorkspaceMember.workspace_gid == gid)
    stmt = select(User.name, User.gid).where(User.gid.in_(members))
    return ctx.page(USER, stmt, cap=ALPHABETICAL_CAP, truncate=True)


@router.get("/teams/{team_gid}/users", operation_id="getUsersForTeam")
async def get_users_for_team(ctx: CtxDep, team_gid: str) -> Response:
    """A team's members, alphabetically, at most 2000."""
    gid, _ = access.team(ctx, team_gid)
    members = select(TeamMember.user_gid).where(TeamMember.team_gid == gid)
    stmt = select(User.name, User.gid).where(User.gid.in_(members))
    return ctx.page(USER, stmt, cap=ALPHABETICAL_CAP, truncate=True)
