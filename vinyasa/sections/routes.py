"""Section endpoints: list, create, read, rename/move, delete, reorder, and adding a task to one."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.errors import InvalidRequest
from vinyasa.ordering import TOP, after, before
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.protocol.pagination import listing
from vinyasa.sections import service
from vinyasa.sections.schemas import SECTION, SectionBody, SectionInsertBody, SectionTaskBody
from vinyasa.tasks import placement

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Sections"])


@router.get("/projects/{project_gid}/sections", operation_id="getSectionsForProject")
async def get_sections_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """The project's sections in the project's order."""
    project = access.project(ctx, project_gid)
    return ctx.page(SECTION, listing("sections", [("project_gid = ?", [project.gid])], ("position", "gid")))


@router.post("/projects/{project_gid}/sections", operation_id="createSectionForProject", status_code=201)
async def create_section_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """Create a section; at the bottom of the project unless `insert_before`/`insert_after` is given."""
    project = access.project(ctx, project_gid, lock="update")
    return ctx.one(SECTION, service.create_section(ctx, project, ctx.input(SectionBody)), status=201)


@router.get("/sections/{section_gid}", operation_id="getSection")
async def get_section(ctx: CtxDep, section_gid: str) -> Response:
    """The full record of a section."""
    return ctx.one_seen(SECTION, section_gid, lambda: access.section(ctx, section_gid).gid)


@router.put("/sections/{section_gid}", operation_id="updateSection")
async def update_section(ctx: CtxDep, section_gid: str) -> Response:
    """Rename a section (non-empty `name`); `insert_before`/`insert_after` also move it in its project."""
    section = access.section(ctx, section_gid, lock=True)
    service.update_section(ctx, section, ctx.input(SectionBody))
    return ctx.one(SECTION, section.gid)


@router.delete("/sections/{section_gid}", operation_id="deleteSection")
async def delete_section(ctx: CtxDep, section_gid: str) -> Response:
    """Delete a section; only an empty one that is not the project's last section (else 400)."""
    service.delete_section(ctx, access.section(ctx, section_gid, lock=True))
    return ctx.empty()


@router.post("/projects/{project_gid}/sections/insert", operation_id="insertSectionForProject")
async def insert_section_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """Move a section before or after another one of the same project (exactly one anchor)."""
    project = access.project(ctx, project_gid, lock="update")
    service.insert_section(ctx, project, ctx.input(SectionInsertBody))
    return ctx.empty()


@router.post("/sections/{section_gid}/addTask", operation_id="addTaskForSection")
async def add_task_for_section(ctx: CtxDep, section_gid: str) -> Response:
    """Put a task in this section: at its top, or just before/after a task already in the section.

    The task leaves any other section of the project, and joins the project if it was not in it.
    """
    section = access.section(ctx, section_gid, lock=True)
    body = ctx.input(SectionTaskBody)
    task = access.task(ctx, body.task, "task")
    project = section.project
    access.require_project_level(project, "editor", "add tasks to it")
    if task.workspace_gid != project.workspace_gid:
        raise InvalidRequest("task: The task is not in the project's workspace")
    if body.insert_before is not None and body.insert_after is not None:
        raise InvalidRequest("Cannot provide both insert_before and insert_after")
    where = TOP
    for field, value in (("insert_before", body.insert_before), ("insert_after", body.insert_after)):
        if value is None:
            continue
        anchor, anchor_section = placement.anchor_task(ctx.conn, project.gid, field, value, task.gid)
        if anchor_section != section.gid:
            raise InvalidRequest(f"{field}: The task {anchor} is not in this section")
        where = before(anchor) if field == "insert_before" else after(anchor)
    placement.put(ctx, task.gid, project.gid, section.gid, where)
    return ctx.empty()
