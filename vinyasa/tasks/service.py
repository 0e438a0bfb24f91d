"""Creating, changing and deleting tasks, with Asana's rules for dates, subtypes and placement."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from vinyasa import access, ordering
from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.custom_fields.values import TASK_VALUES
from vinyasa.db import delete_row, insert_row, insert_skipping, update_row
from vinyasa.errors import InvalidRequest
from vinyasa.models import Task, TaskFollower
from vinyasa.notes import stored_rich_text
from vinyasa.ordering import BOTTOM, OrderedList
from vinyasa.projects import members
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid, new_gid
from vinyasa.protocol.values import parse_date, parse_datetime_ms
from vinyasa.richtext import TASK_TAGS
from vinyasa.tags import service as tags
from vinyasa.tasks import placement, tree
from vinyasa.tasks.schemas import NOT_NULL, TaskFields

SUBTASKS = OrderedList(Task.__table__, item="gid")
DATES = ("due_on", "due_at", "start_on", "start_at")


def _no_nulls(fields: TaskFields) -> None:
    for name in NOT_NULL:
        if name in fields.model_fields_set and getattr(fields, name) is None:
            raise InvalidRequest(f"{name}: Cannot be null")


def _dates(fields: TaskFields, row: dict[str, Any], subtype: str) -> dict[str, Any]:
    """Date changes; `due_on`/`due_at` exclude each other (setting one clears the other), as do
    `start_on`/`start_at`; a start needs a due date, before it; milestones have no start."""
    given = fields.model_fields_set
    if fields.due_on is not None and fields.due_at is not None:
        raise InvalidRequest("due_on, due_at: You may only provide one of due_on or due_at")
    if fields.start_on is not None and fields.start_at is not None:
        raise InvalidRequest("start_on, start_at: You may only provide one of start_on or start_at")
    new = {name: row.get(name) for name in DATES}
    if "due_on" in given:
        new["due_on"] = None if fields.due_on is None else parse_date("due_on", fields.due_on)
        if fields.due_on is not None:
            new["due_at"] = None
    if "due_at" in given:
        new["due_at"] = None if fields.due_at is None else parse_datetime_ms("due_at", fields.due_at)
        if fields.due_at is not None:
            new["due_on"] = None
    if "start_on" in given:
        new["start_on"] = None if fields.start_on is None else parse_date("start_on", fields.start_on)
        if fields.start_on is not None:
            new["start_at"] = None
    if "start_at" in given:
        if "due_at" not in given:
            raise InvalidRequest("start_at: due_at must be present in the request when setting start_at")
        new["start_at"] = None if fields.start_at is None else parse_datetime_ms("start_at", fields.start_at)
        if fields.start_at is not None:
            new["start_on"] = None
    has_start = new["start_on"] is not None or new["start_at"] is not None
    if has_start and subtype == "milestone":
        raise InvalidRequest("start_on: A milestone cannot have a start date")
    if new["start_on"] is not None:
        due = new["due_on"]
        if due is None and new["due_at"] is not None:
            due = parse_date("due_at", _iso_date(new["due_at"]))
        if due is None:
            raise InvalidRequest("start_on: A task with a start date must also have a due date")
        if new["start_on"] > due:
            raise InvalidRequest("start_on: start_on must not be after the due date")
    if new["start_at"] is not None:
        if new["due_at"] is None:
            raise InvalidRequest("start_at: A task with a start time must also have a due time")
        if new["start_at"] > new["due_at"]:
            raise InvalidRequest("start_at: start_at must not be after due_at")
    return {k: v for k, v in new.items() if v != row.get(k)}


def _iso_date(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).date().isoformat()


# The approval statuses a task stores; `approved` and `pending` are what `completed` says (Task model).
APPROVAL_DECISIONS = ("rejected", "changes_requested")


def _completion(ctx: Caller, fields: TaskFields, row: dict[str, Any], at: int) -> dict[str, Any]:
    """The completion columns a change of `completed` or `approval_status` sets; `at` (epoch ms): the
    change's time, which is also the task's new `modified_at` (so `completed_since=<modified_at>`
    finds it).

    Asana (TaskBase.approval_status): the status "is kept in sync with completed, meaning pending
    translates to false while approved, rejected, and changes_requested translate to true. If you
    set completed to true, this field will be set to approved." So `approval_status` alone sets
    `completed`; `completed: false` makes it pending and `completed: true` approved, unless the same
    body gives a status that completes (rejected, changes_requested; a contradicting one yields to
    `completed`). Any task takes it, whatever its `resource_subtype` (the spec does not restrict it).
    """
    completed, status = fields.completed, fields.approval_status
    if completed is None and status is not None:
        completed = status != "pending"
    if completed is None:
        return {}
    out: dict[str, Any] = {}
    if completed != row.get("completed", False):
        if completed:
            out = {"completed": True, "completed_at": at, "completed_by_gid": ctx.user_gid}
        else:
            out = {"completed": False, "completed_at": None, "completed_by_gid": None}
    out["approval_status"] = status if completed and status in APPROVAL_DECISIONS else None
    return out


def _assignee(ctx: Caller, fields: TaskFields, workspace_gid: int) -> int | None:
    if fields.assignee is None:
        return None
    return members.resolve_users(ctx, "assignee", [fields.assignee], workspace_gid)[0]


def _targets(
    ctx: Caller, fields: TaskFields
) -> tuple[list[int | None], dict[int, tuple[access.VisibleProject, int | None]]]:
    """Workspaces named by the body, and the projects (each with an optional section) to place in."""
    workspaces: list[int | None] = []
    places: dict[int, tuple[access.VisibleProject, int | None]] = {}
    if fields.workspace is not None:
        workspaces.append(access.workspace(ctx, fields.workspace, "workspace"))
    # Every named project is locked in gid order, so concurrent creates never deadlock: by the reads
    # below when they come in that order (one statement a project), else all first.
    named = [
        g
        for g in map(as_gid, [*(fields.projects or []), *(m.project for m in fields.memberships or [])])
        if g
    ]
    lock: Literal["update"] | None = "update"
    if named != sorted(named):
        for gid in sorted(set(named)):
            ordering.lock(ctx.conn, "projects", gid)
        lock = None
    for value in fields.projects or []:
        project = access.project(ctx, value, "projects", lock=lock)
        places.setdefault(project.gid, (project, None))
    for membership in fields.memberships or []:
        project = access.project(ctx, membership.project, "memberships.project", lock=lock)
        section = None
        if membership.section is not None:
            section = access.project_section(ctx, project.gid, "memberships.section", membership.section)
        places[project.gid] = (project, section)
    workspaces.extend(p.workspace_gid for p, _ in places.values())
    return workspaces, places


def create_task(ctx: Caller, fields: TaskFields, *, parent: access.VisibleTask | None = None) -> int:
    """A new task; the creator follows it. Its workspace comes from `workspace`, `projects`,
    `memberships` or `parent`, which must all agree."""
    _no_nulls(fields)
    if parent is None and fields.parent is not None:
        parent = access.task(ctx, fields.parent, "parent")
    workspaces, places = _targets(ctx, fields)
    if parent is not None:
        access.require_task_edit(ctx, parent, "add subtasks to it")
        workspaces.append(parent.workspace_gid)
    if not workspaces:
        raise InvalidRequest(
            "workspace: Missing input. You should specify one of workspace, parent, projects"
        )
    if len(set(workspaces)) > 1:
        raise InvalidRequest(
            "workspace: The workspace, projects and parent must all be in the same workspace"
        )
    if len(places) > placement.MAX_PROJECTS:
        raise InvalidRequest(f"projects: A task can be in at most {placement.MAX_PROJECTS} projects")
    workspace_gid = workspaces[0]
    assert workspace_gid is not None
    subtype = fields.resource_subtype or "default_task"
    dates = _dates(fields, {}, subtype)
    assignee = _assignee(ctx, fields, workspace_gid)
    followers = (
        members.resolve_users(ctx, "followers", fields.followers, workspace_gid) if fields.followers else []
    )
    tag_gids = tags.resolve_for_task(ctx, fields.tags, workspace_gid) if fields.tags else []
    for project, _ in places.values():
        access.require_project_level(project, "editor", "add tasks to it")

    gid = new_gid(ctx.conn)
    now = now_ms()
    position = 0
    root = gid
    if parent is not None:
        # Locked and read again: a concurrent setParent may have moved it, or a delete removed it.
        chain = tree.locked_ancestry(ctx.conn, parent.gid)
        if not chain:
            raise access.unknown("parent", str(parent.gid), "task")
        root = chain[-1]
        position = SUBTASKS.place(ctx.conn, {"parent_gid": parent.gid}, BOTTOM)
    values: dict[str, Any] = {
        "gid": gid,
        "workspace_gid": workspace_gid,
        "name": fields.name or "",
        "html_notes": stored_rich_text(
            ctx, ("html_notes", fields.html_notes), ("notes", fields.notes), TASK_TAGS
        )
        or "<body></body>",
        "resource_subtype": subtype,
        "completed": False,
        "assignee_gid": assignee,
        "parent_gid": parent.gid if parent else None,
        "root_gid": root,
        "position": position,
        "created_by_gid": ctx.user_gid,
        "created_at": now,
        "modified_at": now,
        **dict.fromkeys(DATES),
        **dates,
        **_completion(ctx, fields, {}, now),
    }
    insert_row(ctx.conn, Task, values)
    follow = sorted({ctx.user_gid, *followers})
    insert_skipping(
        ctx.conn, TaskFollower, [{"task_gid": gid, "user_gid": u, "created_at": now} for u in follow]
    )
    flags = (values["completed"], subtype)
    # The new task's streams (journal.task_topics): itself, its workspace, its parent's streams and
    # the projects it joins; read once (with a parent) or not at all.
    topics = journal.task_topics(ctx, gid) if parent is not None else frozenset({gid, workspace_gid})
    for project_gid in sorted(places):
        _, section = places[project_gid]  # None: the project's last section
        topics |= {project_gid}
        placement.put(
            ctx, gid, project_gid, section, BOTTOM, new=flags, topics=topics
        )  # modified_at stays `now`
    TASK_VALUES.write(ctx, gid, workspace_gid, fields.custom_fields or {})
    if parent is not None or not places:
        added_to = ("task", parent.gid) if parent is not None else ("workspace", workspace_gid)
        journal.record(ctx, ("task", gid), "added", parent=added_to, topics=topics)
    tags.tag_new_task(ctx, gid, tag_gids)
    return gid


# Prepared SQL text: building and cache-keying a statement costs more than running it.
_TASK_COLUMNS = tuple(column.name for column in Task.__table__.columns)
_TASK_ROW = f"SELECT {', '.join(_TASK_COLUMNS)} FROM tasks WHERE gid = ?"


def _task_row(gid: int, found: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The task's stored row (`found`: what `_TASK_ROW` read) by column name (`completed` a bool on
    every database)."""
    if not found:  # deleted by a concurrent request since the caller looked it up
        raise access.unknown(None, str(gid), "task")
    row = dict(zip(_TASK_COLUMNS, found[0], strict=True))
    row["completed"] = bool(row["completed"])
    return row


def update_task(ctx: Caller, task: access.VisibleTask, fields: TaskFields) -> None:
    """Apply a partial change; create-only fields are ignored; `modified_at` moves on a real change."""
    # The edit check and the row: independent reads, one round trip on PostgreSQL. The answers keep
    # their order: a 403, then a 400 for a null, then a 404 for a task deleted meanwhile.
    _, found = sql.gather(
        ctx.conn,
        lambda: access.require_task_edit(ctx, task, "change it"),
        lambda: sql.fetch(ctx.conn, _TASK_ROW, [task.gid]),
    )
    _no_nulls(fields)
    row = _task_row(task.gid, found)
    given = fields.model_fields_set
    if fields.workspace is not None and fields.workspace != str(task.workspace_gid):
        raise InvalidRequest("workspace: A task cannot be moved to another workspace")
    if "parent" in given and (fields.parent or None) != (
        str(row["parent_gid"]) if row["parent_gid"] else None
    ):
        raise InvalidRequest("parent: The parent cannot be changed with PUT; use setParent")
    changes: dict[str, Any] = {}
    if fields.name is not None:
        changes["name"] = fields.name
    if fields.resource_subtype is not None:
        changes["resource_subtype"] = fields.resource_subtype
    html = stored_rich_text(ctx, ("html_notes", fields.html_notes), ("notes", fields.notes), TASK_TAGS)
    if html is not None:
        changes["html_notes"] = html
    subtype = changes.get("resource_subtype", row["resource_subtype"])
    changes.update(_dates(fields, row, subtype))
    if "assignee" in given:
        changes["assignee_gid"] = _assignee(ctx, fields, task.workspace_gid)
    at = max(now_ms(), row["modified_at"] + 1)  # one instant for completed_at and modified_at
    changes.update(_completion(ctx, fields, row, at))
    actual = {k: v for k, v in changes.items() if row[k] != v}
    values_changed = TASK_VALUES.write(ctx, task.gid, task.workspace_gid, fields.custom_fields or {})
    if not actual and not values_changed:
        return
    actual["modified_at"] = at
    if actual.keys() & {"due_on", "due_at", "completed", "resource_subtype"}:  # its project rows change
        placement.hold_projects(ctx, task.gid)
    update_row(ctx.conn, Task, task.gid, actual)
    _record_changes(ctx, task.gid, actual)
    if "completed" in actual or "resource_subtype" in actual:
        placement.sync_flags(
            ctx.conn,
            task.gid,
            actual.get("completed", row["completed"]),
            actual.get("resource_subtype", subtype),
        )


# Stored columns -> the task field a change event names; reference fields carry their new value.
_EVENT_FIELDS = {
    "html_notes": "notes",
    "assignee_gid": "assignee",
    "completed_at": None,
    "completed_by_gid": None,
}


def _record_changes(ctx: Caller, gid: int, actual: dict[str, Any]) -> None:
    """One `changed` entry per task field that really changed (digest §C.10)."""
    names = [
        _EVENT_FIELDS.get(column, column)
        for column in actual
        if column != "modified_at" and _EVENT_FIELDS.get(column, column) is not None
    ]
    values: dict[str, journal.ValueRef | None] = {}
    if "assignee_gid" in actual:
        values["assignee"] = ("user", actual["assignee_gid"])
    journal.changed(
        ctx, ("task", gid), [n for n in names if n], topics=journal.task_topics(ctx, gid), values=values
    )


def delete_task(ctx: Caller, task: access.VisibleTask) -> None:
    """Delete a task. Its subtasks go with it (as in Asana), by ON DELETE CASCADE on `parent_gid`;
    its project placements and followers cascade too. Deviation: no trash, deletion is final.
    Journal: `deleted` for the task (recorded before the row goes, so it bubbles to its projects)."""
    access.require_task_edit(ctx, task, "delete it")
    journal.record(ctx, ("task", task.gid), "deleted", topics=journal.task_topics(ctx, task.gid))
    if ctx.conn.dialect.name == "postgresql":
        # Its subtasks' rows before its own goes: a change of a subtask (its foreign-key check
        # takes FOR KEY SHARE of this task) finishes first, instead of waiting for the DELETE
        # while the DELETE's cascade waits for it.
        tree.subtree(ctx.conn, task.gid, lock=True)
    delete_row(ctx.conn, Task, task.gid)


def set_parent(
    ctx: Caller, task: access.VisibleTask, parent_value: str | None, anchors: tuple[str | None, str | None]
) -> None:
    """Make the task a subtask of `parent` (or top-level when None), placed among its siblings."""
    access.require_task_edit(ctx, task, "move it")
    insert_before, insert_after = anchors
    if insert_before is not None and insert_after is not None:
        raise InvalidRequest("Cannot provide both insert_before and insert_after")
    if parent_value is None:
        if insert_before is not None or insert_after is not None:
            raise InvalidRequest("insert_before, insert_after: Only a subtask can be placed among siblings")
        if not tree.lock_tasks(ctx.conn, [task.gid]):
            raise access.unknown(None, task.gid, "task")
        before_topics = journal.task_topics(ctx, task.gid)
        moved = {"parent_gid": None, "root_gid": task.gid, "position": 0, "modified_at": now_ms()}
        _record_parent(ctx, task.gid, _move(ctx, task.gid, moved), None, before_topics)
        return
    parent = access.task(ctx, parent_value, "parent")
    access.require_task_edit(ctx, parent, "add subtasks to it")
    if parent.workspace_gid != task.workspace_gid:
        raise InvalidRequest("parent: The parent task is in another workspace")
    chain = tree.lock_for_parent(ctx.conn, task.gid, parent.gid)  # parent first, its root last
    if chain is None:  # deleted meanwhile
        if not tree.lock_tasks(ctx.conn, [task.gid]):
            raise access.unknown(None, task.gid, "task")
        raise access.unknown("parent", parent_value, "task")
    if task.gid in chain:
        raise InvalidRequest("parent: A task cannot be a subtask of itself or of its own subtasks")
    where = BOTTOM
    for field, value in (("insert_before", insert_before), ("insert_after", insert_after)):
        if value is None:
            continue
        anchor = access.task(ctx, value, field)
        if anchor.parent_gid != parent.gid or anchor.gid == task.gid:
            raise InvalidRequest(f"{field}: Not another subtask of the parent")
        where = ordering.before(anchor.gid) if field == "insert_before" else ordering.after(anchor.gid)
    try:
        position = SUBTASKS.place(ctx.conn, {"parent_gid": parent.gid}, where, moving=task.gid)
    except LookupError:  # the anchor moved away meanwhile
        raise InvalidRequest("insert_before/insert_after: Not another subtask of the parent") from None
    before_topics = journal.task_topics(ctx, task.gid)
    moved = {"parent_gid": parent.gid, "root_gid": chain[-1], "position": position, "modified_at": now_ms()}
    _record_parent(ctx, task.gid, _move(ctx, task.gid, moved), parent.gid, before_topics)


def _record_parent(
    ctx: Caller, gid: int, old: int | None, parent: int | None, before: frozenset[int]
) -> None:
    """Journal for setParent, from the parent the task had under its row lock (`old`; read before
    the lock, a concurrent move's parent was journaled again): `removed` from the old parent, `added`
    to the new one, and the task's `parent` field `changed` (its streams before and after the move
    both see it)."""
    if parent == old:
        return
    topics = before | journal.task_topics(ctx, gid)
    ref = ("task", gid)
    if old is not None:
        journal.record(ctx, ref, "removed", parent=("task", old), topics=topics)
    if parent is not None:
        journal.record(ctx, ref, "added", parent=("task", parent), topics=topics)
    journal.changed(ctx, ref, ["parent"], topics=topics, values={"parent": ("task", parent)})


def _move(ctx: Caller, gid: int, moved: dict[str, Any]) -> int | None:
    """Write the task's new parent, root and position (the caller holds its row lock), then point its
    subtree at the new root: a walk of the whole subtree, skipped when the root stays the same (a
    move under the same top-level task: the subtree's rows name that root already). Returns the
    parent it had."""
    old_root, old_parent = sql.fetch(ctx.conn, "SELECT root_gid, parent_gid FROM tasks WHERE gid = ?", [gid])[
        0
    ]
    update_row(ctx.conn, Task, gid, moved)
    if old_root != moved["root_gid"]:
        _reroot(ctx, gid, moved["root_gid"])
    return int(old_parent) if old_parent is not None else None


def _reroot(ctx: Caller, gid: int, root: int) -> None:
    """Point the whole subtree's `root_gid` at its new top-level ancestor (its rows locked first)."""
    below = tree.subtree(ctx.conn, gid, lock=True)
    for start in range(0, len(below), 500):
        chunk = below[start : start + 500]
        sql.write(
            ctx.conn, f"UPDATE tasks SET root_gid = ? WHERE gid IN ({sql.marks(len(chunk))})", [root, *chunk]
        )
