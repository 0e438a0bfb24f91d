"""Task endpoints: create, read, update, delete, subtasks, parents, and the task's projects."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.errors import InvalidRequest
from vinyasa.ordering import BOTTOM, TOP, Place, after, before
from vinyasa.projects.schemas import PROJECT, FollowersBody
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.protocol.pagination import listing
from vinyasa.sections import service as sections
from vinyasa.tasks import followers, placement, service
from vinyasa.tasks.schemas import (
    TASK,
    UPDATE_REFUSED,
    AddProjectBody,
    RemoveProjectBody,
    SetParentBody,
    TaskFields,
)

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Tasks"])


@router.post("/tasks", operation_id="createTask", status_code=201)
async def create_task(ctx: CtxDep) -> Response:
    """Create a task in `workspace` (or the workspace of its `projects`, `memberships` or `parent`).

    `projects` put it at the end of each project (the bottom of its last section); `memberships`
    [{project, section}] at the bottom of the named section. The creator follows the task.
    """
    return ctx.one(TASK, service.create_task(ctx, ctx.input(TaskFields)), status=201)


@router.get("/tasks/{task_gid}", operation_id="getTask")
async def get_task(ctx: CtxDep, task_gid: str) -> Response:
    """The full record of a task."""
    return ctx.one_seen(TASK, task_gid, lambda: access.task(ctx, task_gid).gid)


@router.put("/tasks/{task_gid}", operation_id="updateTask")
async def update_task(ctx: CtxDep, task_gid: str) -> Response:
    """Change a task (partial); `followers` is a 400 (UPDATE_REFUSED), other create-only fields
    (`projects`, `memberships`, `tags`) are ignored."""
    task = access.task(ctx, task_gid, lock=True)
    service.update_task(ctx, task, ctx.input(TaskFields, UPDATE_REFUSED))
    return ctx.one(TASK, task.gid)


@router.delete("/tasks/{task_gid}", operation_id="deleteTask")
async def delete_task(ctx: CtxDep, task_gid: str) -> Response:
    """Delete a task and (as Asana does) its subtasks. Deviation: no trash to recover it from."""
    service.delete_task(ctx, access.task(ctx, task_gid, lock=True))
    return ctx.empty()


@router.get("/tasks/{task_gid}/subtasks", operation_id="getSubtasksForTask")
async def get_subtasks_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """The task's direct subtasks that the caller can see, in their order (a subtask is visible through
    its top-level task, or on its own: assigned, followed, in a visible project)."""
    task = access.task(ctx, task_gid)
    conditions = [("parent_gid = ?", [task.gid]), access.task_visible_sql(ctx)]
    return ctx.page(TASK, listing("tasks", conditions, ("position", "gid")))


@router.post("/tasks/{task_gid}/subtasks", operation_id="createSubtaskForTask", status_code=201)
async def create_subtask_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """Create a subtask, at the bottom of the task's subtasks."""
    parent = access.task(ctx, task_gid)
    return ctx.one(TASK, service.create_task(ctx, ctx.input(TaskFields), parent=parent), status=201)


@router.post("/tasks/{task_gid}/setParent", operation_id="setParentForTask")
async def set_parent_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """Change the task's parent (`null`: top-level), optionally just before/after a sibling subtask."""
    task = access.task(ctx, task_gid)
    if "parent" not in ctx.payload.data:
        raise InvalidRequest("parent: Missing input")
    body = ctx.input(SetParentBody)
    service.set_parent(ctx, task, body.parent, (body.insert_before, body.insert_after))
    return ctx.one(TASK, task.gid)


@router.get("/tasks/{task_gid}/projects", operation_id="getProjectsForTask")
async def get_projects_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """The projects (visible to the caller) the task is in, by project gid."""
    task = access.task(ctx, task_gid)
    source = "task_projects JOIN projects ON projects.gid = task_projects.project_gid"
    conditions = [("task_projects.task_gid = ?", [task.gid]), access.project_visible_sql(ctx)]
    return ctx.page(PROJECT, listing(source, conditions, ("task_projects.project_gid",)))


@router.post("/tasks/{task_gid}/addProject", operation_id="addProjectForTask")
async def add_project_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """Add the task to a project, or move it within one.

    No location: the end of the project (bottom of its last section). `section` alone: the bottom of
    that section. `insert_before`/`insert_after` a task of the project (of `section`, if given).
    `insert_after: null` is the start (of the section, or of the project), `insert_before: null` the end.
    """
    task = access.task(ctx, task_gid)
    body = ctx.input(AddProjectBody)
    project = access.project(ctx, body.project, "project", lock="update")
    access.require_project_level(project, "editor", "add tasks to it")
    if project.workspace_gid != task.workspace_gid:
        raise InvalidRequest("project: The project is in another workspace than the task")
    given = ctx.payload.data.keys() & {"insert_before", "insert_after"}
    if len(given) > 1:
        raise InvalidRequest("Cannot provide both insert_before and insert_after")
    sections.ensure_sections(ctx.conn, project.gid)
    section = None
    if body.section is not None:
        section = access.project_section(ctx, project.gid, "section", body.section)
    where: Place = BOTTOM
    if given:
        field = given.pop()
        value = getattr(body, field)
        if value is None:
            where = TOP if field == "insert_after" else BOTTOM
            if section is None:
                section = sections.edge_section(ctx.conn, project.gid, last=field == "insert_before")
        else:
            anchor, anchor_section = placement.anchor_task(ctx.conn, project.gid, field, value, task.gid)
            if section is not None and anchor_section != section:
                raise InvalidRequest(f"{field}: The task {anchor} is not in the given section")
            section = anchor_section
            where = before(anchor) if field == "insert_before" else after(anchor)
    if section is None:
        section = sections.edge_section(ctx.conn, project.gid, last=True)
    placement.put(ctx, task.gid, project.gid, section, where)
    return ctx.empty()


@router.post("/tasks/{task_gid}/removeProject", operation_id="removeProjectForTask")
async def remove_project_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """Take the task out of a project; the task itself stays. Not being in it is no error."""
    task = access.task(ctx, task_gid)
    project = access.project(ctx, ctx.input(RemoveProjectBody).project, "project", lock="update")
    access.require_project_level(project, "editor", "remove tasks from it")
    placement.remove(ctx, task.gid, project.gid)
    return ctx.empty()


@router.post("/tasks/{task_gid}/addFollowers", operation_id="addFollowersForTask")
async def add_followers_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """Make users follow the task; returns the task."""
    task = access.task(ctx, task_gid)
    followers.add_followers(ctx, task, ctx.input(FollowersBody).followers)
    return ctx.one(TASK, task.gid)


@router.post("/tasks/{task_gid}/removeFollowers", operation_id="removeFollowerForTask")
async def remove_followers_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """Stop users following the task; returns the task."""
    task = access.task(ctx, task_gid)
    followers.remove_followers(ctx, task, ctx.input(FollowersBody).followers)
    return ctx.one(TASK, task.gid)
