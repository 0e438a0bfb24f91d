"""All SQL of the task lists: each filter is written once, as SQL over a task row alias."""

from __future__ import annotations

from typing import Any

from vinyasa.protocol.pagination import Listing
from vinyasa.protocol.specs import Link

# A task's place in a project (vinyasa.tasks.placement).
# The task's flags and its section in the project (`?`: the project, then the task); the row lock is
# appended on PostgreSQL (vinyasa.db.row_lock; the project row is locked first, so the section read
# is current).
# The projects of a task, held against their deletion (vinyasa.tasks.placement.hold_projects).
HOLD_PROJECTS = (
    "SELECT 1 FROM projects WHERE gid IN (SELECT project_gid FROM task_projects WHERE task_gid = ?)"
    " ORDER BY gid FOR KEY SHARE"
)
LOCK_TASK = (
    "SELECT t.completed, t.resource_subtype,"
    " (SELECT section_gid FROM task_projects WHERE task_gid = t.gid AND project_gid = ?)"
    " FROM tasks t WHERE t.gid = ?"
)
# A section (by gid, or the project's last one) with its position and ({edge}: `, ` and an ordering
# edge subquery on `s`, or nothing) its tasks' first or last position; the edge's `?` comes first.
SECTION_PLACE = "SELECT s.gid, s.position{edge} FROM sections s WHERE s.gid = ?"
LAST_SECTION_PLACE = (
    "SELECT s.gid, s.position{edge} FROM sections s WHERE s.project_gid = ? ORDER BY s.position DESC LIMIT 1"
)
SECTION_OF_TASK = "SELECT section_gid FROM task_projects WHERE task_gid = ? AND project_gid = ?"
PROJECT_COUNT = "SELECT count(*) FROM task_projects WHERE task_gid = ?"
INSERT_PLACE = (
    "INSERT INTO task_projects (task_gid, project_gid, completed, is_milestone, added_at, section_gid,"
    " section_position, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
MOVE_PLACE = (
    "UPDATE task_projects SET section_gid = ?, section_position = ?, position = ?"
    " WHERE task_gid = ? AND project_gid = ?"
)
REMOVE_PLACE = "DELETE FROM task_projects WHERE task_gid = ? AND project_gid = ?"
SYNC_FLAGS = "UPDATE task_projects SET completed = ?, is_milestone = ? WHERE task_gid = ?"
BUMP = "UPDATE tasks SET modified_at = ? WHERE gid = ?"

COUNT = "SELECT count(*) FROM task_projects WHERE project_gid = ? AND completed = ? AND is_milestone = ?"


def filters(alias: str, completed_since: int | None, modified_since: int | None) -> tuple[str, list[Any]]:
    """Conditions on the task row `alias`: incomplete or completed since a time; modified since.

    Returns SQL (`?` placeholders, "" when there is no filter) and its parameters."""
    parts: list[str] = []
    params: list[Any] = []
    if completed_since is not None:
        parts.append(f"({alias}.completed = ? OR {alias}.completed_at >= ?)")
        params += [False, completed_since]
    if modified_since is not None:
        parts.append(f"{alias}.modified_at >= ?")
        params.append(modified_since)
    return " AND ".join(parts), params


# A user's tasks in a workspace (the assignee, the workspace), on `tasks`.
ASSIGNED_IN = "tasks.assignee_gid = ? AND tasks.workspace_gid = ?"
# A tag's tasks (the tag), in the order it was put on them: a Listing's source, condition and keys.
TAGGED = "task_tags JOIN tasks ON tasks.gid = task_tags.task_gid"
TAGGED_BY = "task_tags.tag_gid = ?"
TAGGED_KEYS = ("task_tags.added_at", "task_tags.task_gid")


def placed_tasks(
    scope: str,
    params: list[Any],
    keys: tuple[str, ...],
    completed_since: int | None,
    modified_since: int | None,
) -> Listing:
    """Tasks placed in a project or section (`scope` over `tp`), in order, filtered."""
    source, where = "task_projects tp", scope
    condition, extra = filters("t", completed_since, modified_since)
    if condition:
        source += " JOIN tasks t ON t.gid = tp.task_gid"
        where += " AND " + condition
    return Listing(source, where, [*params, *extra], keys)


# What a task record shows (vinyasa.tasks.schemas), for a list of task gids ({gids}: `?` marks).
# Memberships in projects the viewer can see ({visible}: access.project_visible_sql), oldest first.
MEMBERSHIPS = (
    "SELECT tp.task_gid, tp.project_gid, tp.section_gid FROM task_projects tp"
    " JOIN projects ON projects.gid = tp.project_gid WHERE tp.task_gid IN ({gids}) AND ({visible})"
    " ORDER BY tp.added_at, tp.project_gid"
)
FOLLOWERS = Link("task_followers", "task_gid", "user_gid", ("created_at", "user_gid"))
NUM_SUBTASKS = "SELECT parent_gid, count(*) FROM tasks WHERE parent_gid IN ({gids}) GROUP BY parent_gid"
# A task's followers among some users, and ending their follow ({users}: `?` marks; the task first).
UNFOLLOW = "DELETE FROM task_followers WHERE task_gid = ? AND user_gid IN ({users}) RETURNING user_gid"
