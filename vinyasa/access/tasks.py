"""Tasks: visible through their projects, assignee and followers, subtasks through their top-level
ancestor; changed at their projects' access levels (vinyasa.access)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, FromClause, and_, exists, or_, select

from vinyasa.access.core import (
    GID,
    MINE,
    VIEWER,
    VISIBLE_ROOT,
    VISIBLE_TF,
    VISIBLE_TP,
    Viewer,
    Workspaces,
    find,
    hidden_among,
    per_viewer,
    rule_sql,
    viewer_workspaces,
)
from vinyasa.access.projects import PROJECT_LEVELS, project_rule, task_project_levels
from vinyasa.core import Caller
from vinyasa.errors import Forbidden
from vinyasa.models import Project, Task


def _task_own(viewer: Viewer, workspaces: Workspaces, task: FromClause) -> ColumnElement[bool]:
    """SQL condition on one task row: the viewer is assigned or follows it, or sees one of its projects.

    Not `created_by`: the creator follows the task from the start, and a user removed from the
    workspace (who stops following) must not regain the task by being re-added."""
    tp, follower = VISIBLE_TP, VISIBLE_TF
    return or_(
        task.c.assignee_gid == viewer,
        exists().where(follower.c.task_gid == task.c.gid, follower.c.user_gid == viewer),
        exists().where(
            tp.c.task_gid == task.c.gid, Project.gid == tp.c.project_gid, project_rule(viewer, workspaces)
        ),
    )


def _task_rule(viewer: Viewer, workspaces: Workspaces) -> ColumnElement[bool]:
    table = Task.__table__
    root = VISIBLE_ROOT
    own, root_own = _task_own(viewer, workspaces, table), _task_own(viewer, workspaces, root)
    return and_(
        table.c.workspace_gid.in_(workspaces),
        or_(own, exists().where(root.c.gid == table.c.root_gid, root_own)),
    )


_task_for = per_viewer(_task_rule)


def task_visible(ctx: Caller) -> ColumnElement[bool]:
    """SQL condition on `Task`: the caller may see the task (see the vinyasa.access docstring)."""
    return _task_for(ctx)


# `task_visible` as prepared SQL on the `tasks` table (by that name) and its parameters.
task_visible_sql = rule_sql(Task.__table__, _task_rule)


@cache
def _prepared() -> Any:
    """The one-task lookup under the rule, for the `viewer` and `gid` parameters."""
    return select(Task.gid, Task.workspace_gid, Task.parent_gid, Task.root_gid).where(
        Task.gid == GID, _task_rule(VIEWER, viewer_workspaces())
    )


@dataclass(frozen=True)
class VisibleTask:
    """A task the caller can see."""

    gid: int
    workspace_gid: int
    parent_gid: int | None
    root_gid: int


def task(ctx: Caller, value: str, field: str | None = None, *, lock: bool = False) -> VisibleTask:
    """A task the caller can see, by gid string (404 in a path, 400 in a body); `lock` the task's row
    for a change or a delete (vinyasa.access.core.locking)."""
    row = find(ctx, _prepared, value, field, "task", lock=lock)
    return VisibleTask(row.gid, row.workspace_gid, row.parent_gid, row.root_gid)


# ---- tasks follow their projects' access levels ----------------------------------------------


def require_task_edit(ctx: Caller, task: VisibleTask, what: str = "change this task") -> None:
    """403 when the caller sees at least one project the task (or its top-level ancestor) is in,
    but is editor or admin in none of them (viewers and commenters may not change tasks)."""
    levels = task_project_levels(ctx, task.gid, task.root_gid)
    if levels and all(PROJECT_LEVELS.index(level) < PROJECT_LEVELS.index("editor") for level in levels):
        raise Forbidden(f"You need editor access to a project of this task to {what}.")


# Sufficient for `task_visible`: the task or its root is assigned to or followed by the caller, or is
# in a public project or one the caller is a member of (a task's projects share its workspace).
_TASKS_PROVEN = (
    f"SELECT t.gid FROM tasks t WHERE t.workspace_gid IN ({MINE}) AND EXISTS (SELECT 1 FROM tasks x"
    " WHERE x.gid IN (t.gid, t.root_gid) AND (x.assignee_gid = ?"
    " OR EXISTS (SELECT 1 FROM task_followers f WHERE f.task_gid = x.gid AND f.user_gid = ?)"
    " OR EXISTS (SELECT 1 FROM task_projects tp JOIN projects p ON p.gid = tp.project_gid"
    " WHERE tp.task_gid = x.gid AND (p.privacy_setting = 'public_to_workspace'"
    " OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_gid = p.gid AND m.user_gid = ?)))))"
    " AND t.gid IN ({gids})"
)


def hidden_tasks(conn: Connection, viewer: Caller, gids: list[int]) -> set[int]:
    """Of these task gids, the ones the viewer cannot see (e.g. the parent of a task assigned to them)."""
    return hidden_among(viewer, gids, _TASKS_PROVEN, lambda: task_visible(viewer), Task.__table__)
