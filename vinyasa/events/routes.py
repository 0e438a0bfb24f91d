"""Events endpoints: a resource's stream (`GET /events`, and the `/projects|tasks/{gid}/events`
aliases the docs mention) and a workspace's stream (`GET /workspaces/{gid}/events`)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.events import service
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, Ctx, CtxDep

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Events"])
RESOURCE_LIMIT = 100  # "Asana limits a single sync token to 100 events"
WORKSPACE_LIMIT = 1000  # "Asana limits a single sync token to 1000 events" (workspace events)


def _answer(ctx: Ctx, topic: int, sync: str | None, limit: int) -> Response:
    rows, page = service.read(ctx, ctx.runtime.codec.secret, topic, sync, limit)
    events = service.render(ctx, service.visible(ctx, rows), ctx.fields)
    return ctx.respond({"data": events, "sync": page.sync, "has_more": page.has_more})


@router.get("/events", operation_id="getEvents")
async def get_events(ctx: CtxDep, resource: str, sync: str | None = None) -> Response:
    """Events on a project or task since `sync` (at most 100; `has_more` says more wait). Without a
    token, or with an invalid or expired one: 412 whose body carries a fresh `sync`."""
    _, gid = service.subscription(ctx, resource)
    return _answer(ctx, gid, sync, RESOURCE_LIMIT)


@router.get("/projects/{project_gid}/events", include_in_schema=False)
async def get_project_events(ctx: CtxDep, project_gid: str, sync: str | None = None) -> Response:
    """`GET /events?resource=<project>`, addressed by path ("/[path_to_resource]/events")."""
    return _answer(ctx, access.project(ctx, project_gid).gid, sync, RESOURCE_LIMIT)


@router.get("/tasks/{task_gid}/events", include_in_schema=False)
async def get_task_events(ctx: CtxDep, task_gid: str, sync: str | None = None) -> Response:
    """`GET /events?resource=<task>`, addressed by path."""
    return _answer(ctx, access.task(ctx, task_gid).gid, sync, RESOURCE_LIMIT)


@router.get("/workspaces/{workspace_gid}/events", operation_id="getWorkspaceEvents")
async def get_workspace_events(ctx: CtxDep, workspace_gid: str, sync: str | None = None) -> Response:
    """Every event in a workspace since `sync` (at most 1,000). Asana serves this stream to service
    accounts only; vinyasa serves it to the workspace's admins (members get a 403), since a stream of
    everything would otherwise show what a member cannot see."""
    gid = access.workspace(ctx, workspace_gid)
    access.require_workspace_admin(ctx, gid)
    return _answer(ctx, gid, sync, WORKSPACE_LIMIT)
