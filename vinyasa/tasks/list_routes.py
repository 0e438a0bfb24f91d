"""Task lists (GET /tasks, a project's tasks, a section's tasks) and a project's task counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter
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
from vinyasa.users.service import resolve_user

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Tasks"])
ONE_OF = "You should specify one of workspace, project, tag, section, user_task_list"


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


def assigned(
    ctx: Caller, user: int, workspace_gid: int, completed_since: str | None, modified_since: str | None
) -> list[tuple[str, Sequence[Any]]]:
    """The conditions on `tasks` of `user`'s tasks in a workspace that the caller can see, filtered
    (GET /tasks by assignee, and My Tasks: vinyasa.user_task_lists)."""
    conditions: list[tuple[str, Sequence[Any]]] = [(queries.ASSIGNED_IN, [user, workspace_gid])]
    conditions.append(access.task_visible_sql(ctx))
    condition, params = queries.filters("tasks", *completion_times(completed_since, modified_since))
    if condition:
        conditions.append((condition, params))
    return conditions


@router.get("/tasks", operation_id="getTasks")
async def get_tasks(
    ctx: CtxDep,
    project: str | None = None,
    section: str | None = None,
    workspace: str | None = None,
    assignee: str | None = None,
    completed_since: str | None = None,
    modified_since: str | None = None,
) -> Response:
    """Tasks of one `project` (its order), one `section` (its order), or one `assignee` in one
    `workspace` (by gid, visible tasks only); any other combination is a 400."""
    by_user = workspace is not None or assignee is not None
    if sum((project is not None, section is not None, by_user)) != 1 or (
        by_user and None in (workspace, assignee)
    ):
        raise InvalidRequest(ONE_OF)
    if project is not None:
        return _project_tasks(
            ctx, access.project(ctx, project, "project").gid, completed_since, modified_since
        )
    if section is not None:
        return _section_tasks(
            ctx, access.section(ctx, section, "section").gid, completed_since, modified_since
        )
    assert workspace is not None
    assert assignee is not None
    workspace_gid = access.workspace(ctx, workspace, "workspace")
    user = resolve_user(ctx, assignee, "assignee")
    return ctx.page(
        TASK, listing("tasks", assigned(ctx, user, workspace_gid, completed_since, modified_since))
    )


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
