"""SQL of the user task lists family (vinyasa.user_task_lists.order: assignment times)."""

from __future__ import annotations

# Whether one of these tasks ({marks}) has an assignee (a journal flush probe: scalar, 1 or NULL).
ASSIGNED = "SELECT 1 FROM tasks WHERE assignee_gid IS NOT NULL AND gid IN ({marks}) LIMIT 1"
FORGET = "DELETE FROM task_assignments WHERE task_gid = ? AND user_gid = ?"
# A created task's assignee, from the task itself (one statement; the WHERE keeps SQLite's parser
# from reading ON CONFLICT as part of the SELECT).
CREATED = (
    "INSERT INTO task_assignments (task_gid, user_gid, assigned_at)"
    " SELECT gid, assignee_gid, ? FROM tasks WHERE assignee_gid IS NOT NULL AND gid IN ({marks})"
    " ON CONFLICT DO NOTHING"
)

# My Tasks (vinyasa.user_task_lists.order): tasks joined to their current assignee's assignment time,
# newest first by that time (else the task's creation), then gid; a Listing's source and keys.
MY_TASKS = (
    "tasks LEFT JOIN task_assignments ta ON ta.task_gid = tasks.gid AND ta.user_gid = tasks.assignee_gid"
)
MY_TASKS_KEYS = ("COALESCE(ta.assigned_at, tasks.created_at)", "tasks.gid")
# A user's list in a workspace; the workspace of a list the user owns.
FIND = "SELECT gid FROM user_task_lists WHERE user_gid = ? AND workspace_gid = ?"
OWNED = "SELECT workspace_gid FROM user_task_lists WHERE gid = ? AND user_gid = ?"
