"""Project endpoints: create, read, update, delete, and the project lists of workspaces and teams."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.errors import InvalidRequest
from vinyasa.projects import queries, service
from vinyasa.projects.schemas import PROJECT, ProjectFields
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, Ctx, CtxDep
from vinyasa.protocol.pagination import Listing
from vinyasa.protocol.values import Boolean

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Projects"])


def _visible(ctx: Ctx, archived: bool | None, *conditions: tuple[str, list[Any]]) -> Listing:
    """The projects the caller can see (by gid), optionally only (un)archived ones, that match the
    conditions (vinyasa.projects.queries)."""
    chosen = [access.project_visible_sql(ctx), *conditions]
    if archived is not None:
        chosen.append((queries.ARCHIVED, [archived]))
    return queries.listing(chosen)


def _of_team(team_gid: int) -> tuple[str, list[Any]]:
    """Condition: the project is shared with the team (a member) or has it as its associated team.

    Asana's team pages list "projects shared with the team as well as other important work associated
    with it" (help.asana.com, teamless projects); the deprecated `team` filter does the same."""
    return queries.OF_TEAM, [team_gid, team_gid]


@router.get("/projects", operation_id="getProjects")
async def get_projects(
    ctx: CtxDep, workspace: str | None = None, team: str | None = None, archived: Boolean | None = None
) -> Response:
    """The projects the caller can see, by gid; `workspace` and `team` narrow it (a team of another
    workspace than the one given is a 400)."""
    conditions = []
    workspace_gid = None
    if workspace is not None:
        workspace_gid = access.workspace(ctx, workspace, "workspace")
        conditions.append((queries.IN_WORKSPACE, [workspace_gid]))
    if team is not None:
        team_gid, team_workspace = access.team(ctx, team, "team")
        if workspace_gid is not None and team_workspace != workspace_gid:
            raise InvalidRequest("team: The team is not in the given workspace")
        conditions.append(_of_team(team_gid))
    return ctx.page(PROJECT, _visible(ctx, archived, *conditions))


@router.post("/projects", operation_id="createProject", status_code=201)
async def create_project(ctx: CtxDep) -> Response:
    """Create a project in `workspace`, optionally with an associated `team` (required in an organization
    only with `Asana-Disable: teamless_projects`); the caller becomes its admin."""
    return ctx.one(PROJECT, service.create_project(ctx, ctx.input(ProjectFields)), status=201)


@router.get("/projects/{project_gid}", operation_id="getProject")
async def get_project(ctx: CtxDep, project_gid: str) -> Response:
    """The full record of a project."""
    return ctx.one_seen(PROJECT, project_gid, lambda: access.project(ctx, project_gid).gid)


@router.put("/projects/{project_gid}", operation_id="updateProject")
async def update_project(ctx: CtxDep, project_gid: str) -> Response:
    """Change a project (partial); read-only fields and `followers` (create-only) are ignored.

    Setting `team` changes the associated team (one of the project's own organization, else 400;
    null clears it), which grants no access; Asana deprecates it, so the answer carries an
    `Asana-Change` header. With `Asana-Disable: teamless_projects` the team's membership moves along.
    """
    project = access.project(ctx, project_gid, lock="update")
    service.update_project(ctx, project, ctx.input(ProjectFields))
    return ctx.one(PROJECT, project.gid)


@router.delete("/projects/{project_gid}", operation_id="deleteProject")
async def delete_project(ctx: CtxDep, project_gid: str) -> Response:
    """Delete a project with its memberships; afterwards it is unknown everywhere."""
    service.delete_project(ctx, access.project(ctx, project_gid, lock="delete"))
    return ctx.empty()


@router.get("/workspaces/{workspace_gid}/projects", operation_id="getProjectsForWorkspace")
async def get_projects_for_workspace(
    ctx: CtxDep, workspace_gid: str, archived: Boolean | None = None
) -> Response:
    """The projects of a workspace the caller can see, by gid."""
    gid = access.workspace(ctx, workspace_gid)
    return ctx.page(PROJECT, _visible(ctx, archived, (queries.IN_WORKSPACE, [gid])))


@router.post(
    "/workspaces/{workspace_gid}/projects", operation_id="createProjectForWorkspace", status_code=201
)
async def create_project_for_workspace(ctx: CtxDep, workspace_gid: str) -> Response:
    """Create a project in this workspace (`team` optional, see createProject)."""
    gid = access.workspace(ctx, workspace_gid)
    return ctx.one(
        PROJECT, service.create_project(ctx, ctx.input(ProjectFields), workspace_gid=gid), status=201
    )


@router.get("/teams/{team_gid}/projects", operation_id="getProjectsForTeam")
async def get_projects_for_team(ctx: CtxDep, team_gid: str, archived: Boolean | None = None) -> Response:
    """The projects shared with a team or associated with it that the caller can see, by gid."""
    gid, _ = access.team(ctx, team_gid)
    return ctx.page(PROJECT, _visible(ctx, archived, _of_team(gid)))


@router.post("/teams/{team_gid}/projects", operation_id="createProjectForTeam", status_code=201)
async def create_project_for_team(ctx: CtxDep, team_gid: str) -> Response:
    """Create a project associated with this team, in the team's organization."""
    gid, workspace_gid = access.team(ctx, team_gid)
    created = service.create_project(ctx, ctx.input(ProjectFields), workspace_gid=workspace_gid, team_gid=gid)
    return ctx.one(PROJECT, created, status=201)
