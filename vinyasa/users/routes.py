"""User endpoints: /users, /users/{user_gid}, and the user lists of workspaces and teams."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.protocol.pagination import listing
from vinyasa.users import favorites, queries
from vinyasa.users import fields as user_fields
from vinyasa.users.schemas import USER, UserFields
from vinyasa.users.service import resolve_user, update_user

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Users"])

# Asana: the workspace and team user lists are alphabetical and "limited to 2000".
ALPHABETICAL_CAP = 2000


@router.get("/users/{user_gid}", operation_id="getUser")
async def get_user(ctx: CtxDep, user_gid: str, workspace: str | None = None) -> Response:
    """The full record of a user (`me`, an email or a gid); `workspace` is accepted and ignored."""
    return ctx.one_seen(USER, user_gid, lambda: resolve_user(ctx, user_gid))


@router.put("/users/{user_gid}", operation_id="updateUser")
async def update_user_route(ctx: CtxDep, user_gid: str, workspace: str | None = None) -> Response:
    """Change a user (`name`: the caller's own only, else 403; `custom_fields`: vinyasa.users.fields,
    in `workspace` when given); answers the full record."""
    gid = resolve_user(ctx, user_gid)
    space = access.workspace(ctx, workspace, "workspace") if workspace is not None else None
    return _update(ctx, gid, space)


@router.get("/users", operation_id="getUsers")
async def get_users(ctx: CtxDep, workspace: str | None = None, team: str | None = None) -> Response:
    """Users sharing a workspace with the caller, optionally in one workspace or team, by gid."""
    conditions: list[tuple[str, list[Any]]] = []
    if team is not None:
        team_gid, _ = access.team(ctx, team, "team")
        conditions.append((queries.IN_TEAM, [team_gid]))
    scope = (
        [access.workspace(ctx, workspace, "workspace")] if workspace else list(access.workspace_roles(ctx))
    )
    conditions.append(queries.in_workspaces(scope))
    return ctx.page(USER, listing("users", conditions))


@router.get("/workspaces/{workspace_gid}/users", operation_id="getUsersForWorkspace")
async def get_users_for_workspace(ctx: CtxDep, workspace_gid: str) -> Response:
    """A workspace's users, alphabetically, at most 2000."""
    gid = access.workspace(ctx, workspace_gid)
    members = queries.in_workspaces([gid])
    return ctx.page(USER, listing("users", [members], queries.BY_NAME), cap=ALPHABETICAL_CAP, truncate=True)


@router.get("/workspaces/{workspace_gid}/users/{user_gid}", operation_id="getUserForWorkspace")
async def get_user_for_workspace(ctx: CtxDep, workspace_gid: str, user_gid: str) -> Response:
    """A member of one of the caller's workspaces (`me`, an email or a gid); 404 for a non-member."""
    return ctx.one(USER, _workspace_member(ctx, workspace_gid, user_gid))


@router.put("/workspaces/{workspace_gid}/users/{user_gid}", operation_id="updateUserForWorkspace")
async def update_user_for_workspace(ctx: CtxDep, workspace_gid: str, user_gid: str) -> Response:
    """updateUser for a member of the workspace (404 for a non-member); answers the full record."""
    gid = _workspace_member(ctx, workspace_gid, user_gid)
    return _update(ctx, gid, access.workspace(ctx, workspace_gid))


def _update(ctx: CtxDep, user: int, workspace_gid: int | None) -> Response:
    """updateUser's body: the name, then the custom field values (in `workspace_gid` when given)."""
    body = ctx.input(UserFields)
    update_user(ctx, user, body)
    user_fields.write(ctx, user, body.custom_fields or {}, workspace_gid)
    return ctx.one(USER, user)


def _workspace_member(ctx: CtxDep, workspace_gid: str, user_gid: str) -> int:
    """The gid of a member of one of the caller's workspaces; 404 otherwise."""
    gid = access.workspace(ctx, workspace_gid)
    user = resolve_user(ctx, user_gid)
    if not queries.is_member(ctx.conn, user, gid):
        raise access.unknown(None, user_gid, "user")
    return user


@router.get("/teams/{team_gid}/users", operation_id="getUsersForTeam")
async def get_users_for_team(ctx: CtxDep, team_gid: str) -> Response:
    """A team's members, alphabetically, at most 2000."""
    gid, _ = access.team(ctx, team_gid)
    members = (queries.IN_TEAM, [gid])
    return ctx.page(USER, listing("users", [members], queries.BY_NAME), cap=ALPHABETICAL_CAP, truncate=True)


@router.get("/users/{user_gid}/favorites", operation_id="getFavoritesForUser")
async def get_favorites_for_user(
    ctx: CtxDep, user_gid: str, resource_type: str | None = None, workspace: str | None = None
) -> Response:
    """The caller's favorites of one `resource_type` in one `workspace` (both required), compact
    AsanaNamedResource records in sidebar order, paginated; another user's are a 403
    (vinyasa.users.favorites)."""
    kind, stmt = favorites.listing(ctx, user_gid, resource_type, workspace)
    return ctx.page(favorites.named(kind), stmt)
