"""Asking for a duplicate: the request's checks, then a job row in the request's transaction.

Everything that can be wrong with the request is a 4xx here, before the job exists (digest §B.1,
§C.4), down to `schedule_dates` moving a date out of the calendar; the job (vinyasa.jobs.steps)
then only meets what changed since (a deleted source, a date added out of reach: the job fails
with a message).

`include` is a comma-separated string (or an array). Project elements (ProjectDuplicateRequest):
`notes` (the project's notes), `members`, `task_assignee`, `task_dates`, `task_followers`,
`task_notes`, `task_projects` (the tasks' other projects), `task_subtasks`, `task_tags`,
`task_dependencies` (those between the copied tasks) are copied; `allocations`, `forms`,
`permissions`, `task_attachments`, `task_templates`, `task_type_default` name things vinyasa does
not hold yet and copy nothing. Sections and the project's tasks, in order, with their custom field
settings and values, are always copied. Task elements (TaskDuplicateRequest): `assignee`, `dates`,
`dependencies` (the copy depends on, and blocks, what the task does; between copied subtasks, on
the copies), `followers`, `notes`, `parent`, `projects`, `subtasks`, `tags`; `attachments` copies
nothing yet. The copy goes only where its creator may put it: `projects` where they may add tasks,
`parent` when they may add subtasks to it (else the copy is a top-level task); the rest is skipped.
"""

from __future__ import annotations

from typing import Any

from vinyasa import access
from vinyasa.core import Caller, runner
from vinyasa.errors import InvalidRequest
from vinyasa.jobs import blueprint, queries
from vinyasa.jobs.schemas import IncludeList, ProjectDuplicateFields, TaskDuplicateFields
from vinyasa.protocol.values import check_span, parse_date, split_list

PROJECT_ELEMENTS = (
    "allocations",
    "forms",
    "members",
    "notes",
    "permissions",
    "task_assignee",
    "task_attachments",
    "task_dates",
    "task_dependencies",
    "task_followers",
    "task_notes",
    "task_projects",
    "task_subtasks",
    "task_tags",
    "task_templates",
    "task_type_default",
)
TASK_ELEMENTS = (
    "assignee",
    "attachments",
    "dates",
    "dependencies",
    "followers",
    "notes",
    "parent",
    "projects",
    "subtasks",
    "tags",
)


def elements(value: IncludeList, allowed: tuple[str, ...]) -> list[str]:
    """The `include` elements, each one of `allowed` (400 naming the first that is not)."""
    names = split_list(value) if isinstance(value, str) else list(value or [])
    out: list[str] = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if name not in allowed:
            raise InvalidRequest(
                f"include: Not a valid element: {name[:64]}. Valid elements are: {', '.join(allowed)}"
            )
        if name not in out:
            out.append(name)
    return out


def _name(value: str | None) -> str:
    if value is None or not value.strip():
        raise InvalidRequest("name: Missing input")
    return value


def _schedule(fields: ProjectDuplicateFields, include: list[str]) -> dict[str, Any] | None:
    """schedule_dates, checked: {"skip_weekends", "date", "last_due"} or None."""
    given = fields.schedule_dates
    if given is None:
        return None
    if "task_dates" not in include:
        raise InvalidRequest("schedule_dates: task_dates must be included to use this option")
    if given.should_skip_weekends is None:
        raise InvalidRequest("schedule_dates.should_skip_weekends: Missing input")
    if (given.due_on is None) == (given.start_on is None):
        raise InvalidRequest("schedule_dates: Requires either start_on or due_on, but not both")
    if given.due_on is not None:
        return {
            "skip_weekends": given.should_skip_weekends,
            "date": parse_date("schedule_dates.due_on", given.due_on),
            "last_due": True,
        }
    assert given.start_on is not None
    return {
        "skip_weekends": given.should_skip_weekends,
        "date": parse_date("schedule_dates.start_on", given.start_on),
        "last_due": False,
    }


def _check_schedule(ctx: Caller, project_gid: int, schedule: dict[str, Any], include: list[str]) -> None:
    """400 naming the schedule_dates date when moving the copy's dates there (as the job will,
    vinyasa.jobs.blueprint.reschedule) would put one before 0001-01-01 or after 9999-12-31, or
    would leave the copy not starting before it is due (`should_skip_weekends` moves a start on a
    Saturday and a due date on the Sunday after to the same Monday: `check_span`, as `POST
    /projects`). Read from the extremes of the dates the copy takes (with `task_subtasks`, the
    subtasks' too) and the project's own two."""
    bounds = queries.date_bounds(ctx.conn, project_gid, subtasks="task_subtasks" in include)
    field = "schedule_dates.due_on" if schedule["last_due"] else "schedule_dates.start_on"
    moved = blueprint.outline(bounds)
    try:
        blueprint.reschedule(moved, schedule)
    except blueprint.DatesOutOfRange as exc:
        raise InvalidRequest(
            f"{field}: Cannot move the project's dates to {schedule['date']}: {exc}"
        ) from None
    check_span(field, moved["project"]["start_on"], moved["project"]["due_on"])


def duplicate_project(ctx: Caller, project_gid: str, fields: ProjectDuplicateFields) -> int:
    """A `duplicate_project` job for a project the caller can see; returns the job's gid."""
    project = access.project(ctx, project_gid)
    name = _name(fields.name)
    include = elements(fields.include, PROJECT_ELEMENTS)
    schedule = _schedule(fields, include)
    if schedule is not None:
        _check_schedule(ctx, project.gid, schedule, include)
    params = {"source": project.gid, "name": name, "include": include, "schedule": schedule}
    return runner.enqueue(ctx, "duplicate_project", params, workspace_gid=project.workspace_gid)


def duplicate_task(ctx: Caller, task_gid: str, fields: TaskDuplicateFields) -> int:
    """A `duplicate_task` job for a task the caller can see; returns the job's gid. Without `name`
    the copy keeps the task's name."""
    task = access.task(ctx, task_gid)
    if fields.name is not None and not fields.name.strip():
        raise InvalidRequest("name: Cannot be empty")
    include = elements(fields.include, TASK_ELEMENTS)
    params = {"source": task.gid, "name": fields.name, "include": include}
    return runner.enqueue(ctx, "duplicate_task", params, workspace_gid=task.workspace_gid)
