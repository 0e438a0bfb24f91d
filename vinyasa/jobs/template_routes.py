"""Project template endpoints (digest §B.7): list, read, delete, instantiate."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.errors import InvalidRequest
from vinyasa.jobs import queries, templates
from vinyasa.jobs.schemas import JOB, PROJECT_TEMPLATE, InstantiateFields
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, Ctx, CtxDep
from vinyasa.protocol.pagination import listing

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Project templates"])


def _page(ctx: Ctx, *, workspace_gid: int | None = None, team_gid: int | None = None) -> Response:
    conditions = [access.template_visible_sql(ctx)]
    if workspace_gid is not None:
        conditions.append((queries.TEMPLATES_IN_WORKSPACE, [workspace_gid]))
    if team_gid is not None:
        conditions.append((queries.TEMPLATES_OF_TEAM, [team_gid]))
    return ctx.page(PROJECT_TEMPLATE, listing("project_templates", conditions))


@router.get("/project_templates", operation_id="getProjectTemplates")
async def get_project_templates(
    ctx: CtxDep, workspace: str | None = None, team: str | None = None
) -> Response:
    """The templates the caller can see in a workspace or a team (one of them is required: 400)."""
    if workspace is None and team is None:
        raise InvalidRequest("workspace: Missing input. You should specify one of workspace, team")
    workspace_gid = access.workspace(ctx, workspace, "workspace") if workspace is not None else None
    team_gid = None
    if team is not None:
        team_gid, team_workspace = access.team(ctx, team, "team")
        if workspace_gid is not None and team_workspace != workspace_gid:
            raise InvalidRequest("team: The team is not in that workspace")
    return _page(ctx, workspace_gid=workspace_gid, team_gid=team_gid)


@router.get("/teams/{team_gid}/project_templates", operation_id="getProjectTemplatesForTeam")
async def get_project_templates_for_team(ctx: CtxDep, team_gid: str) -> Response:
    """The templates of a team the caller can see."""
    team, _ = access.team(ctx, team_gid)
    return _page(ctx, team_gid=team)


@router.get("/project_templates/{project_template_gid}", operation_id="getProjectTemplate")
async def get_project_template(ctx: CtxDep, project_template_gid: str) -> Response:
    """The full record of a template the caller can see."""
    gid, _, _ = access.project_template(ctx, project_template_gid)
    return ctx.one(PROJECT_TEMPLATE, gid)


@router.delete("/project_templates/{project_template_gid}", operation_id="deleteProjectTemplate")
async def delete_project_template(ctx: CtxDep, project_template_gid: str) -> Response:
    """Delete a template (its owner or a workspace admin; projects made from it keep existing and
    their `created_from_template` becomes null)."""
    templates.delete_template(ctx, project_template_gid)
    return ctx.empty()


@router.post(
    "/project_templates/{project_template_gid}/instantiateProject",
    operation_id="instantiateProject",
    status_code=201,
)
async def instantiate_project(ctx: CtxDep, project_template_gid: str) -> Response:
    """Start making a project from a template (`name`; `team`, `privacy_setting`/`public`,
    `requested_dates`, `requested_roles`, `is_strict`: see vinyasa.jobs.templates)."""
    job = templates.request_instantiate(ctx, project_template_gid, ctx.input(InstantiateFields))
    return ctx.one(JOB, job, status=201)
