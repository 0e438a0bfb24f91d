"""The search endpoints: tasks and projects of one workspace, by Asana's advanced-search filters.

Asana answers 402 to callers without a premium plan; vinyasa has no plans and serves everyone
(docs/deviations.md). Results are immediately consistent (Asana: within 10-60 s).
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.projects.schemas import PROJECT
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.search import projects, tasks
from vinyasa.tasks.schemas import TASK

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Tasks"])


@router.get("/workspaces/{workspace_gid}/tasks/search", operation_id="searchTasksForWorkspace")
async def search_tasks_for_workspace(ctx: CtxDep, workspace_gid: str) -> Response:
    """Tasks of the workspace matching every given filter (see vinyasa.search.tasks), at most
    `limit` (default 100), no `next_page`: walk further with `created_at.before` and
    `sort_by=created_at`, as Asana documents."""
    workspace = access.workspace(ctx, workspace_gid)
    params = dict(ctx.request.query_params)
    return ctx.items(TASK, tasks.search_tasks(ctx, workspace, params, ctx.limit))


@router.get(
    "/workspaces/{workspace_gid}/projects/search",
    operation_id="searchProjectsForWorkspace",
    tags=["Projects"],
)
async def search_projects_for_workspace(ctx: CtxDep, workspace_gid: str) -> Response:
    """Projects of the workspace the caller can see matching every given filter (see
    vinyasa.search.projects), at most `limit` (default 100), no `next_page`."""
    workspace = access.workspace(ctx, workspace_gid)
    params = dict(ctx.request.query_params)
    return ctx.items(PROJECT, projects.search_projects(ctx, workspace, params, ctx.limit))
