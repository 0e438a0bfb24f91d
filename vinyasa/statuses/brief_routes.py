"""Project brief endpoints: one rich-text brief per project."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.statuses import service
from vinyasa.statuses.schemas import PROJECT_BRIEF, BriefFields

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Project briefs"])


@router.post("/projects/{project_gid}/project_briefs", operation_id="createProjectBrief", status_code=201)
async def create_project_brief(ctx: CtxDep, project_gid: str) -> Response:
    """Create the project's brief (`title`, `html_text` or `text`); a second one is a 400."""
    fields = ctx.input(BriefFields)
    return ctx.one(PROJECT_BRIEF, service.create_brief(ctx, project_gid, fields), status=201)


@router.get("/project_briefs/{project_brief_gid}", operation_id="getProjectBrief")
async def get_project_brief(ctx: CtxDep, project_brief_gid: str) -> Response:
    """The full record of a brief."""
    gid, _ = service.find_brief(ctx, project_brief_gid)
    return ctx.one(PROJECT_BRIEF, gid)


@router.put("/project_briefs/{project_brief_gid}", operation_id="updateProjectBrief")
async def update_project_brief(ctx: CtxDep, project_brief_gid: str) -> Response:
    """Change a brief's `title` and/or text (`html_text` or `text`, not both)."""
    return ctx.one(PROJECT_BRIEF, service.update_brief(ctx, project_brief_gid, ctx.input(BriefFields)))


@router.delete("/project_briefs/{project_brief_gid}", operation_id="deleteProjectBrief")
async def delete_project_brief(ctx: CtxDep, project_brief_gid: str) -> Response:
    """Delete a brief; the project's `project_brief` is null again."""
    service.delete_brief(ctx, project_brief_gid)
    return ctx.empty()
