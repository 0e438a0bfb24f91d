"""Team endpoints."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.protocol.pagination import listing
from vinyasa.teams import queries, service
from vinyasa.teams.schemas import TEAM, TEAM_MEMBERSHIP, TeamFields
from vinyasa.users.schemas import UserReference
from vinyasa.users.service import resolve_user

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Teams"])


@router.post("/teams", operation_id="createTeam", status_code=201)
async def create_team(ctx: CtxDep) -> Response:
    """Create a team in an organization; the caller becomes its admin."""
    return ctx.one(TEAM, service.create_team(ctx, ctx.input(TeamFields)), status=201)


@router.get("/teams/{team_gid}", operation_id="getTeam")
async def get_team(ctx: CtxDep, team_gid: str) -> Response:
    """The full record of a team."""
    gid, _ = access.team(ctx, team_gid)
    return ctx.one(TEAM, gid)


@router.put("/teams/{team_gid}", operation_id="updateTeam")
async def update_team(ctx: CtxDep, team_gid: str) -> Response:
    """Change a team, within its own edit-permission settings."""
    gid, workspace_gid = access.team(ctx, team_gid)
    service.update_team(ctx, gid, workspace_gid, ctx.input(TeamFields))
    return ctx.one(TEAM, gid)


@router.get("/workspaces/{workspace_gid}/teams", operation_id="getTeamsForWorkspace")
async def get_teams_for_workspace(ctx: CtxDep, workspace_gid: str) -> Response:
    """The teams of an organization the caller can see, by name."""
    gid = access.workspace(ctx, workspace_gid)
    return ctx.page(
        TEAM, listing("teams", [access.team_visible_sql(ctx), (queries.IN_WORKSPACE, [gid])], queries.BY_NAME)
    )


@router.get("/users/{user_gid}/teams", operation_id="getTeamsForUser")
async def get_teams_for_user(ctx: CtxDep, user_gid: str, organization: str) -> Response:
    """The teams a user is in within one organization, as far as the caller can see them."""
    user = resolve_user(ctx, user_gid)
    org = access.workspace(ctx, organization, "organization")
    conditions = [access.team_visible_sql(ctx), (queries.IN_WORKSPACE, [org]), (queries.HAS_MEMBER, [user])]
    return ctx.page(TEAM, listing("teams", conditions, queries.BY_NAME))


@router.post("/teams/{team_gid}/addUser", operation_id="addUserForTeam")
async def add_user_for_team(ctx: CtxDep, team_gid: str) -> Response:
    """Add an organization member to the team; returns the team membership."""
    gid, workspace_gid = access.team(ctx, team_gid)
    user = resolve_user(ctx, ctx.input(UserReference).user, "user")
    return ctx.one(TEAM_MEMBERSHIP, service.invite(ctx, gid, workspace_gid, user))


@router.post("/teams/{team_gid}/removeUser", operation_id="removeUserForTeam")
async def remove_user_for_team(ctx: CtxDep, team_gid: str) -> Response:
    """Remove a user from the team."""
    gid, workspace_gid = access.team(ctx, team_gid)
    user = resolve_user(ctx, ctx.input(UserReference).user, "user")
    service.remove_member(ctx, gid, workspace_gid, user)
    return ctx.empty()
