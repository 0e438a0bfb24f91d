"""Workspace endpoints."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.users.schemas import USER_BASE, UserReference
from vinyasa.users.service import create_user, find_user, resolve_user
from vinyasa.workspaces import queries
from vinyasa.workspaces.schemas import WORKSPACE, WorkspaceUpdate
from vinyasa.workspaces.service import add_member, record_members, remove_user, rename

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Workspaces"])


@router.get("/workspaces", operation_id="getWorkspaces")
async def get_workspaces(ctx: CtxDep) -> Response:
    """The workspaces and organizations the caller belongs to."""
    return ctx.page(WORKSPACE, queries.workspaces(access.workspace_roles(ctx)))


@router.get("/workspaces/{workspace_gid}", operation_id="getWorkspace")
async def get_workspace(ctx: CtxDep, workspace_gid: str) -> Response:
    """The full record of one workspace."""
    return ctx.one_seen(WORKSPACE, workspace_gid, lambda: access.workspace(ctx, workspace_gid))


@router.put("/workspaces/{workspace_gid}", operation_id="updateWorkspace")
async def update_workspace(ctx: CtxDep, workspace_gid: str) -> Response:
    """Rename a workspace (admins only); the name is the only field that can change."""
    gid = access.workspace(ctx, workspace_gid)
    change = ctx.input(WorkspaceUpdate)
    access.require_workspace_admin(ctx, gid)
    if change.name is not None:
        rename(ctx, gid, change.name)
    return ctx.one(WORKSPACE, gid)


@router.post("/workspaces/{workspace_gid}/addUser", operation_id="addUserForWorkspace")
async def add_user_for_workspace(ctx: CtxDep, workspace_gid: str) -> Response:
    """Add a user; an unknown email creates the user (this is how people join vinyasa)."""
    gid = access.workspace(ctx, workspace_gid)
    body = ctx.input(UserReference)
    if "@" in body.user:
        user_gid = find_user(ctx.conn, body.user) or create_user(ctx.conn, body.user)
    else:
        user_gid = resolve_user(ctx, body.user, "user")
    if add_member(ctx.conn, gid, user_gid):
        record_members(ctx, gid, "added", user_gid)
    return ctx.one(USER_BASE, user_gid)


@router.post("/workspaces/{workspace_gid}/removeUser", operation_id="removeUserForWorkspace")
async def remove_user_for_workspace(ctx: CtxDep, workspace_gid: str) -> Response:
    """Remove a user from the workspace (workspace admins only; never its last admin).

    Their project and team memberships there end, and what they own passes to the caller
    (vinyasa.workspaces.service.remove_user).
    """
    gid = access.workspace(ctx, workspace_gid)
    body = ctx.input(UserReference)
    user_gid = resolve_user(ctx, body.user, "user")
    access.require_workspace_admin(ctx, gid)
    remove_user(ctx, gid, user_gid)
    return ctx.empty()
