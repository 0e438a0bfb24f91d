"""All SQL of tags (tables `tags`, `tag_followers`, `task_tags`)."""

from __future__ import annotations

from vinyasa.protocol.pagination import Listing
from vinyasa.protocol.specs import Link

FOLLOWERS = Link("tag_followers", "tag_gid", "user_gid", ("created_at", "user_gid"))
# A task's tags, oldest first (a task's tags share its workspace: all visible with it).
TASK_TAGS = Link("task_tags", "task_gid", "tag_gid", ("added_at", "tag_gid"))
FOLLOW = "INSERT INTO tag_followers (tag_gid, user_gid, created_at) VALUES (?, ?, ?)"
ADD = "INSERT INTO task_tags (task_gid, tag_gid, added_at) VALUES (?, ?, ?)"
# The newest `added_at` on the task and on the tag: a tag put on is stamped after both, so a task's
# tags and a tag's tasks keep the order they were put on in, also within one millisecond.
LAST_ADDED = (
    "SELECT (SELECT MAX(added_at) FROM task_tags WHERE task_gid = ?),"
    " (SELECT MAX(added_at) FROM task_tags WHERE tag_gid = ?)"
)
REMOVE = "DELETE FROM task_tags WHERE task_gid = ? AND tag_gid = ? RETURNING tag_gid"
# The tasks a deleted tag was on: each of them changes (its `tags`). Locked on PostgreSQL (`+ row_lock`):
# a concurrent removeTag commits first, then its row is not listed (journaled `removed` once).
TASKS_OF = "SELECT task_gid FROM task_tags WHERE tag_gid = ? ORDER BY task_gid"
DELETE = "DELETE FROM tags WHERE gid = ?"


def workspace_tags(workspace_gid: int) -> Listing:
    """A workspace's tags, oldest first (gids are scrambled: creation time, then gid)."""
    return Listing("tags", "workspace_gid = ?", [workspace_gid], ("created_at", "gid"))


def task_tags(task_gid: int) -> Listing:
    """A task's tags in the order they were added."""
    return Listing("task_tags", "task_gid = ?", [task_gid], ("added_at", "tag_gid"))
