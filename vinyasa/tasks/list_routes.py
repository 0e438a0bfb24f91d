"""Task lists (GET /tasks; the tasks of a project, a section, a tag, a My Tasks) and a project's
task counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from vinyasa import access
from vinyasa.core import Caller
from vinyasa.core.clock import now_ms
from vinyasa.errors import InvalidRequest
from vinyasa.protocol import sql
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, Ctx, CtxDep
from vinyasa.protocol.pagination import listing
from vinyasa.protocol.values import parse_datetime_ms
from vinyasa.tasks import queries
from vinyasa.tasks.schemas import TASK
from vinyasa.user_task_lists import order as my_tasks
from vinyasa.user_task_lists.service import owned as owned_list
from vinyasa.users.service import resolve_user

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Tasks"])
ONE_OF = "You should specify one of workspace, project, tag, section, user_task_list"
# GET /tasks filters beyond Asana's spec (which lists neither, though its text and its error name both).
TAG_PARAMETER = "The tag to filter tasks on (as GET /tags/{tag_gid}/tasks)."
USER_TASK_LIST_PARAMETER = (
    "The user task list to filter tasks on: the caller's own"
    " (as GET /user_task_lists/{user_task_list_gid}/tasks)."
)


def _since(field: str, value: str) -> int:
    return now_ms() if value.strip().lower() == "now" else parse_datetime_ms(field, value)


def completion_times(
    completed_since: str | None, modified_since: str | None
) -> tuple[int | None, int | None]:
    """The two time filters as epoch ms ("now": the current time)."""
    return (
        None if completed_since is None else _since("completed_since", completed_since),
        None if modified_since is None else _since("modified_since", modified_since),
    )


def _project_tasks(
    ctx: Ctx, project_gid: int, completed_since: str | None, modified_since: str | None
) -> Response:
    keys = ("tp.section_position", "tp.position", "tp.task_gid")
    times = completion_times(completed_since, modified_since)
    return ctx.page(TASK, queries.placed_tasks("tp.project_gid = ?", [project_gid], keys, *times))


def _section_tasks(
    ctx: Ctx, section_gid: int, completed_since: str | None, modified_since: str | None
) -> Response:
    keys = ("tp.position", "tp.task_gid")
    times = completion_times(completed_since, modified_since)
    return ctx.page(TASK, queries.placed_tasks("tp.section_gid = ?", [section_gid], keys, *times))


def _visible(
    ctx: Caller, completed_since: str | None, modified_since: str | None
) -> list[tuple[str, Sequence[Any]]]:
    """The conditions on `tasks` that keep what the caller can see, filtered by the two times."""
    conditions: list[tuple[str, Sequence[Any]]] = [access.task_visible_sql(ctx)]
    condition, params = queries.filters("tasks", *completion_times(completed_since, modified_since))
    if condition:
        conditions.append((condition, params))
    return conditions


def assigned(
    ctx: Caller, user: int, workspace_gid: int, completed_since: str | None, modified_since: str | None
) -> list[tuple[str, Sequence[Any]]]:
    """The conditions on `tasks` of `user`'s tasks in a workspace that the caller can see, filtered
    (GET /tasks by assignee, and My Tasks)."""
    return [(queries.ASSIGNED_IN, [user, workspace_gid]), *_visible(ctx, completed_since, modified_since)]


def tag_tasks(ctx: Ctx, tag_gid: int, completed_since: str | None, modified_since: str | None) -> Response:
    """A page of the tasks carrying a tag that the caller can see, in the order the tag was put on
    them, filtered (GET /tags/{tag_gid}/tasks, GET /tasks?tag=)."""
    conditions = [(queries.TAGGED_BY, [tag_gid]), *_visible(ctx, completed_since, modified_since)]
    return ctx.page(TASK, listing(queries.TAGGED, conditions, queries.TAGGED_KEYS))


def user_task_list_tasks(
    ctx: Ctx, workspace_gid: int, completed_since: str | None, modified_since: str | None
) -> Response:
    """A page of the caller's My Tasks in a workspace (the caller's visible assigned tasks there),
    most recently assigned first (vinyasa.user_task_lists.order), filtered
    (GET /user_task_lists/{gid}/tasks, GET /tasks?user_task_list=)."""
    conditions = assigned(ctx, ctx.user_gid, workspace_gid, completed_since, modified_since)
    return ctx.page(TASK, my_tasks.listing(conditions), descending=True)


@router.get("/tasks", operation_id="getTasks")
async def get_tasks(
    ctx: CtxDep,
    project: str | None = None,
    section: str | None = None,
    workspace: str | None = None,
    assignee: str | None = None,
    tag: Annotated[str | None, Query(description=TAG_PARAMETER)] = None,
    user_task_list: Annotated[str | None, Query(description=USER_TASK_LIST_PARAMETER)] = None,
    completed_since: str | None = None,
    modified_since: str | None = None,
) -> Response:
    """Tasks of one `project` (its order), one `section` (its order), one `tag` (as GET
    /tags/{tag_gid}/tasks), one `user_task_list` (the caller's own, as GET
    /user_task_lists/{gid}/tasks) or one `assignee` in one `workspace` (by gid, visible tasks only),
    each filtered by `completed_since` and `modified_since`; any other combination is a 400 (Asana's
    "You should specify one of workspace, project, tag, section, user_task_list"). An unknown or
    unseen object is a 400 naming its parameter. Asana: getTasks ("You must specify a `project` or
    `tag` if you do not specify `assignee` and `workspace`")."""
    by_user = workspace is not None or assignee is not None
    one_of = (project, section, tag, user_task_list)
    if sum(value is not None for value in one_of) + by_user != 1 or (
        by_user and None in (workspace, assignee)
    ):
        raise InvalidRequest(ONE_OF)
    times = (completed_since, modified_since)
    if project is not None:
        return _project_tasks(ctx, access.project(ctx, project, "project").gid, *times)
    if section is not None:
        return _section_tasks(ctx, access.section(ctx, section, "section").gid, *times)
    if tag is not None:
        return tag_tasks(ctx, access.tag(ctx, tag, "tag")[0], *times)
    if user_task_list is not None:
        return user_task_list_tasks(ctx, owned_list(ctx, user_task_list, "user_task_list")[1], *times)
    assert workspace is not None
    assert assignee is not None
    workspace_gid = access.workspace(ctx, workspace, "workspace")
    user = resolve_user(ctx, assignee, "assignee")
    return ctx.page(TASK, listing("tasks", assigned(ctx, user, workspace_gid, *times)))


@router.get("/projects/{project_gid}/tasks", operation_id="getTasksForProject")
async def get_tasks_for_project(
    ctx: CtxDep, project_gid: str, completed_since: str | None = None
) -> Response:
    """The project's tasks in its order: by section order, then position within the section."""
    return _project_tasks(ctx, access.project(ctx, project_gid).gid, completed_since, None)


@router.get("/sections/{section_gid}/tasks", operation_id="getTasksForSection")
async def get_tasks_for_section(
    ctx: CtxDep, section_gid: str, completed_since: str | None = None
) -> Response:
    """The section's tasks in order (Asana labels this "board view only"; served for every project)."""
    return _section_tasks(ctx, access.section(ctx, section_gid).gid, completed_since, None)


COUNTS = {
    "num_tasks": ((True, False), (True, False)),
    "num_incomplete_tasks": ((False,), (True, False)),
    "num_completed_tasks": ((True,), (True, False)),
    "num_milestones": ((True, False), (True,)),
    "num_incomplete_milestones": ((False,), (True,)),
    "num_completed_milestones": ((True,), (True,)),
}


@router.get("/projects/{project_gid}/task_counts", operation_id="getTaskCountsForProject")
async def get_task_counts_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """Exact counts of the project's tasks (milestones included in num_tasks); each only when named
    in opt_fields, so `{}` without it. Each is an index-only COUNT over (project, completed, milestone)."""
    project = access.project(ctx, project_gid)
    names = [name for name in (ctx.fields or {}) if name in COUNTS]
    cells: dict[tuple[bool, bool], int] = {}
    out: dict[str, int] = {}
    for name in names:
        done, milestone = COUNTS[name]
        total = 0
        for cell in ((d, m) for d in done for m in milestone):
            if cell not in cells:
                cells[cell] = int(sql.fetch_value(ctx.conn, queries.COUNT, [project.gid, *cell]) or 0)
            total += cells[cell]
        out[name] = total
    return ctx.data(out)
