"""Tag endpoints: tags of a workspace, one tag, a task's tags and a tag's tasks, addTag/removeTag."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.errors import InvalidRequest
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.tags import queries, service
from vinyasa.tags.schemas import TAG, TagBody, TagCreateFields, TagFields
from vinyasa.tasks.list_routes import tag_tasks

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Tags", "Tasks"])


@router.get("/tags", operation_id="getTags")
async def get_tags(ctx: CtxDep, workspace: str | None = None) -> Response:
    """The tags of a workspace (`workspace` is required), oldest first."""
    if workspace is None:
        raise InvalidRequest("workspace: Missing input")
    return ctx.page(TAG, queries.workspace_tags(access.workspace(ctx, workspace, "workspace")))


@router.post("/tags", operation_id="createTag", status_code=201)
async def create_tag(ctx: CtxDep) -> Response:
    """Create a tag in the body's `workspace` (`name` required; `color`, `notes`, `followers`)."""
    return ctx.one(TAG, service.create(ctx, ctx.input(TagCreateFields)), status=201)


@router.get("/tags/{tag_gid}", operation_id="getTag")
async def get_tag(ctx: CtxDep, tag_gid: str) -> Response:
    """The full record of a tag."""
    return ctx.one_seen(TAG, tag_gid, lambda: access.tag(ctx, tag_gid)[0])


@router.put("/tags/{tag_gid}", operation_id="updateTag")
async def update_tag(ctx: CtxDep, tag_gid: str) -> Response:
    """Change a tag's `name`, `color` or `notes`; returns the full record."""
    return ctx.one(TAG, service.update(ctx, tag_gid, ctx.input(TagFields)))


@router.delete("/tags/{tag_gid}", operation_id="deleteTag")
async def delete_tag(ctx: CtxDep, tag_gid: str) -> Response:
    """Delete a tag (it leaves every task it was on). Returns `{}`."""
    service.delete(ctx, tag_gid)
    return ctx.empty()


@router.get("/workspaces/{workspace_gid}/tags", operation_id="getTagsForWorkspace")
async def get_tags_for_workspace(ctx: CtxDep, workspace_gid: str) -> Response:
    """The tags of a workspace, oldest first."""
    return ctx.page(TAG, queries.workspace_tags(access.workspace(ctx, workspace_gid)))


@router.post("/workspaces/{workspace_gid}/tags", operation_id="createTagForWorkspace", status_code=201)
async def create_tag_for_workspace(ctx: CtxDep, workspace_gid: str) -> Response:
    """Create a tag in this workspace (a body `workspace` is ignored)."""
    return ctx.one(TAG, service.create(ctx, ctx.input(TagCreateFields), workspace_gid), status=201)


@router.get("/tasks/{task_gid}/tags", operation_id="getTagsForTask")
async def get_tags_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """A task's tags, in the order they were put on it."""
    return ctx.page(TAG, queries.task_tags(access.task(ctx, task_gid).gid))


@router.get("/tags/{tag_gid}/tasks", operation_id="getTasksForTag")
async def get_tasks_for_tag(ctx: CtxDep, tag_gid: str) -> Response:
    """The tasks carrying a tag that the caller can see, in the order the tag was put on them."""
    return tag_tasks(ctx, access.tag(ctx, tag_gid)[0], None, None)


@router.post("/tasks/{task_gid}/addTag", operation_id="addTagForTask")
async def add_tag_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """Put a tag (`tag`, a gid in the task's workspace) on the task. Returns `{}`."""
    task = access.task(ctx, task_gid)
    service.add_tag(ctx, task, ctx.input(TagBody).tag)
    return ctx.empty()


@router.post("/tasks/{task_gid}/removeTag", operation_id="removeTagForTask")
async def remove_tag_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """Take a tag off the task (not on it: no error). Returns `{}`."""
    task = access.task(ctx, task_gid)
    service.remove_tag(ctx, task, ctx.input(TagBody).tag)
    return ctx.empty()
