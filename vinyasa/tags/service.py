"""Creating, changing and deleting tags, and putting them on tasks (services flush, never commit).

Access: a tag is visible to every member of its workspace (404 otherwise) and any member may create,
change or delete one (Asana's tags are workspace-wide). Putting a tag on a task or taking it off
needs the right to change the task (vinyasa.access.require_task_edit), and the tag must be in the
task's workspace (400).

Journal: a tag is `added` (parent: its workspace), `changed` (per field) and `deleted`; addTag and
removeTag are `added`/`removed` of the task with the tag as parent (as Asana's events put them),
in the tag's and the task's streams.

Asana: https://developers.asana.com/reference/tags, .../addtagfortask, .../removetagfortask
"""

from __future__ import annotations

from vinyasa import access
from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.db import insert_ignore, insert_row, row_lock, update_row
from vinyasa.errors import InvalidRequest
from vinyasa.models import Tag, TaskTag
from vinyasa.protocol import sql
from vinyasa.protocol.gids import new_gid
from vinyasa.tags import queries
from vinyasa.tags.schemas import TagCreateFields, TagFields
from vinyasa.users.service import resolve_user


def create(ctx: Caller, fields: TagCreateFields, workspace: str | None = None) -> int:
    """A new tag in `workspace` (the path's) or the body's `workspace`; `name` is required. The
    named `followers` (users in the workspace) follow it; without any, its creator does."""
    if workspace is None:
        if fields.workspace is None:
            raise InvalidRequest("workspace: Missing input")
        workspace_gid = access.workspace(ctx, fields.workspace, "workspace")
    else:
        workspace_gid = access.workspace(ctx, workspace)
    if not fields.name:
        raise InvalidRequest("name: Missing input")
    followers: list[int] = []
    for value in fields.followers or []:
        user = resolve_user(ctx, value, "followers")
        if workspace_gid not in access.workspaces_of(ctx.conn, user):
            raise InvalidRequest(f"followers: The user {value[:64]} is not in the tag's workspace")
        if user not in followers:
            followers.append(user)
    gid, now = new_gid(ctx.conn), now_ms()
    insert_row(
        ctx.conn,
        Tag,
        {
            "gid": gid,
            "workspace_gid": workspace_gid,
            "name": fields.name,
            "color": fields.color,
            "notes": fields.notes or "",
            "created_at": now,
        },
    )
    sql.execute_many(ctx.conn, queries.FOLLOW, [(gid, user, now) for user in followers or [ctx.user_gid]])
    journal.record(ctx, ("tag", gid), "added", parent=("workspace", workspace_gid), topics=[workspace_gid])
    return gid


def update(ctx: Caller, value: str, fields: TagFields) -> int:
    """Change the given fields (`name` cannot be emptied; `color: null` clears the colour)."""
    gid, workspace_gid = access.tag(ctx, value, lock=True)
    values: dict[str, object] = {}
    if "name" in fields.model_fields_set:
        if not fields.name:
            raise InvalidRequest("name: Cannot be empty")
        values["name"] = fields.name
    if "color" in fields.model_fields_set:
        values["color"] = fields.color
    if "notes" in fields.model_fields_set:
        values["notes"] = fields.notes or ""
    if values:
        update_row(ctx.conn, Tag, gid, values)
        journal.changed(ctx, ("tag", gid), list(values), topics=[workspace_gid])
    return gid


def delete(ctx: Caller, value: str) -> None:
    """Delete a tag; it leaves every task it was on (each task's `tags` changes)."""
    gid, workspace_gid = access.tag(ctx, value, lock="delete")
    for (task_gid,) in sql.fetch(ctx.conn, queries.TASKS_OF + row_lock(ctx.conn), [gid]):
        journal.record(
            ctx,
            ("task", int(task_gid)),
            "removed",
            parent=("tag", gid),
            topics=journal.task_topics(ctx, int(task_gid)),
        )
    journal.record(ctx, ("tag", gid), "deleted", topics=[workspace_gid])
    sql.execute_many(ctx.conn, queries.DELETE, [(gid,)])


def _tag_for(ctx: Caller, task: access.VisibleTask, value: str | None) -> int:
    access.require_task_edit(ctx, task, "change its tags")
    if not value:
        raise InvalidRequest("tag: Missing input")
    gid, workspace_gid = access.tag(ctx, value, "tag")
    if workspace_gid != task.workspace_gid:
        raise InvalidRequest(f"tag: The tag {value[:64]} is in another workspace")
    return gid


def _journal(ctx: Caller, task_gid: int, tag_gid: int, action: str) -> None:
    topics = {tag_gid, *journal.task_topics(ctx, task_gid)}
    journal.record(ctx, ("task", task_gid), action, parent=("tag", tag_gid), topics=topics)


def add_tag(ctx: Caller, task: access.VisibleTask, value: str | None) -> None:
    """Put the tag on the task (already there: no change, no error)."""
    tag_gid = _tag_for(ctx, task, value)
    # ON CONFLICT DO NOTHING: two concurrent addTags of one tag add (and journal) it once, no 500.
    last = sql.fetch(ctx.conn, queries.LAST_ADDED, [task.gid, tag_gid])[0]
    added = max([now_ms(), *(int(t) + 1 for t in last if t is not None)])
    row = {"task_gid": task.gid, "tag_gid": tag_gid, "added_at": added}
    if insert_ignore(ctx.conn, TaskTag, [row]):
        _journal(ctx, task.gid, tag_gid, "added")


def remove_tag(ctx: Caller, task: access.VisibleTask, value: str | None) -> None:
    """Take the tag off the task (not there: no change, no error)."""
    tag_gid = _tag_for(ctx, task, value)
    if sql.fetch(ctx.conn, queries.REMOVE, [task.gid, tag_gid]):  # RETURNING: removed by this request
        _journal(ctx, task.gid, tag_gid, "removed")


def resolve_for_task(ctx: Caller, values: list[str], workspace_gid: int) -> list[int]:
    """The tags a new task's `tags` names (each visible and in the task's workspace: 400 otherwise)."""
    gids: list[int] = []
    for value in values:
        gid, tag_workspace = access.tag(ctx, value, "tags")
        if tag_workspace != workspace_gid:
            raise InvalidRequest(f"tags: The tag {value[:64]} is in another workspace")
        if gid not in gids:
            gids.append(gid)
    return gids


def tag_new_task(ctx: Caller, task_gid: int, tag_gids: list[int]) -> None:
    """Put checked tags (resolve_for_task) on a task just created, in the order named."""
    now = now_ms()
    sql.execute_many(ctx.conn, queries.ADD, [(task_gid, g, now + i) for i, g in enumerate(tag_gids)])
    for tag_gid in tag_gids:
        _journal(ctx, task_gid, tag_gid, "added")
