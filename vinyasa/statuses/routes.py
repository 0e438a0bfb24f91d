"""Status endpoints: legacy project statuses and status updates, two views of the same rows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.models import Status
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.protocol.pagination import listing
from vinyasa.protocol.values import parse_datetime_ms
from vinyasa.statuses import service
from vinyasa.statuses.schemas import PROJECT_STATUS, STATUS_UPDATE, ProjectStatusFields, StatusUpdateFields

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Project statuses", "Status updates"])


# Status lists, newest first: (seq, gid) of `statuses`.
NEWEST = ("seq", "gid")


# ---- /project_statuses (deprecated in Asana, still served) ------------------------------------


@router.get("/projects/{project_gid}/project_statuses", operation_id="getProjectStatusesForProject")
async def get_project_statuses_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """A project's statuses, newest first (vinyasa's order; Asana does not document one)."""
    project = access.project(ctx, project_gid)
    return ctx.page(
        PROJECT_STATUS, listing("statuses", [("project_gid = ?", [project.gid])], NEWEST), descending=True
    )


@router.post(
    "/projects/{project_gid}/project_statuses", operation_id="createProjectStatusForProject", status_code=201
)
async def create_project_status_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """Post a status (`color`, `text` or `html_text`); it becomes the project's current status and
    current status update (editor access needed)."""
    fields = ctx.input(ProjectStatusFields)
    return ctx.one(PROJECT_STATUS, service.create_project_status(ctx, project_gid, fields), status=201)


@router.get("/project_statuses/{project_status_gid}", operation_id="getProjectStatus")
async def get_project_status(ctx: CtxDep, project_status_gid: str) -> Response:
    """The full record of a status, in its legacy form."""
    gid, _ = service.find_status(ctx, project_status_gid, "project status")
    return ctx.one(PROJECT_STATUS, gid)


@router.delete("/project_statuses/{project_status_gid}", operation_id="deleteProjectStatus")
async def delete_project_status(ctx: CtxDep, project_status_gid: str) -> Response:
    """Delete a status (from both views); if it was the newest, the previous one becomes current."""
    service.delete_status(ctx, project_status_gid, "project status")
    return ctx.empty()


# ---- /status_updates ----------------------------------------------------------------------------


@router.get("/status_updates", operation_id="getStatusesForObject")
async def get_statuses_for_object(ctx: CtxDep, parent: str, created_since: str | None = None) -> Response:
    """The status updates of a project or portfolio (`parent`), newest first; `created_since` keeps
    those created at or after that time. Goals do not exist: any other parent is a 400."""
    found, _ = service.status_parent(ctx, parent)
    conditions: list[tuple[str, list[Any]]] = [(f"{Status.__table__.c[found.column].name} = ?", [found.gid])]
    if created_since is not None:
        conditions.append(("created_at >= ?", [parse_datetime_ms("created_since", created_since)]))
    return ctx.page(STATUS_UPDATE, listing("statuses", conditions, NEWEST), descending=True)


@router.post("/status_updates", operation_id="createStatusForObject", status_code=201)
async def create_status_for_object(ctx: CtxDep) -> Response:
    """Post a status update (`parent`, `status_type`, `text` or `html_text`) on a project or portfolio;
    it becomes its current status update (and a project's current status; editor access needed)."""
    return ctx.one(
        STATUS_UPDATE, service.create_status_update(ctx, ctx.input(StatusUpdateFields)), status=201
    )


@router.get("/status_updates/{status_update_gid}", operation_id="getStatus")
async def get_status(ctx: CtxDep, status_update_gid: str) -> Response:
    """The full record of a status update."""
    gid, _ = service.find_status_update(ctx, status_update_gid)
    return ctx.one(STATUS_UPDATE, gid)


@router.delete("/status_updates/{status_update_gid}", operation_id="deleteStatus")
async def delete_status(ctx: CtxDep, status_update_gid: str) -> Response:
    """Delete a status update (from both views); the previous one becomes current again."""
    service.delete_status(ctx, status_update_gid, "status update")
    return ctx.empty()
