"""User task list endpoints: a user's My Tasks in a workspace, the list itself, and its tasks."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.tasks.list_routes import user_task_list_tasks
from vinyasa.user_task_lists import service
from vinyasa.user_task_lists.schemas import USER_TASK_LIST

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["User task lists"])


@router.get("/users/{user_gid}/user_task_list", operation_id="getUserTaskListForUser")
async def get_user_task_list_for_user(ctx: CtxDep, user_gid: str, workspace: str | None = None) -> Response:
    """The caller's own My Tasks in `workspace` (required); another user's is a 404."""
    return ctx.one(USER_TASK_LIST, service.for_user(ctx, user_gid, workspace))


@router.get("/user_task_lists/{user_task_list_gid}", operation_id="getUserTaskList")
async def get_user_task_list(ctx: CtxDep, user_task_list_gid: str) -> Response:
    """A user task list; only its owner sees it (404 for anyone else)."""
    gid, _ = service.owned(ctx, user_task_list_gid)
    return ctx.one(USER_TASK_LIST, gid)


@router.get("/user_task_lists/{user_task_list_gid}/tasks", operation_id="getTasksForUserTaskList")
async def get_tasks_for_user_task_list(
    ctx: CtxDep, user_task_list_gid: str, completed_since: str | None = None
) -> Response:
    """The owner's visible assigned tasks in the list's workspace, most recently assigned first
    (vinyasa.user_task_lists.order; paginated); `completed_since`: incomplete tasks plus those
    completed since then."""
    return user_task_list_tasks(ctx, service.owned(ctx, user_task_list_gid)[1], completed_since, None)
