"""All SQL of sections (prepared, `?` placeholders through vinyasa.protocol.sql)."""

from __future__ import annotations

# A project's first and last sections (the (project_gid, position, gid) index, read from one end).
FIRST = "SELECT gid FROM sections WHERE project_gid = ? ORDER BY position LIMIT 1"
LAST = "SELECT gid FROM sections WHERE project_gid = ? ORDER BY position DESC LIMIT 1"
# A section's position copied onto its tasks' rows (the project-order index key).
SYNC_TASKS = "UPDATE task_projects SET section_position = ? WHERE section_gid = ?"
# Whether a section has tasks, and how many sections its project has (what deleting one needs).
DELETABLE = (
    "SELECT EXISTS (SELECT 1 FROM task_projects WHERE section_gid = ?),"
    " (SELECT COUNT(*) FROM sections WHERE project_gid = ?)"
)
DELETE = "DELETE FROM sections WHERE gid = ?"
