"""Where a task sits in a project: one section of it and a position there (vinyasa.ordering).

A task is in at most one section of each project it belongs to, so "moving it to a section" also
takes it out of the other sections of that project. Callers lock the project row first.
"""

from __future__ import annotations

from sqlalchemy import Connection

from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.errors import InvalidRequest, NotFound
from vinyasa.models import TaskProject
from vinyasa.ordering import OrderedList, Place
from vinyasa.protocol import sql
from vinyasa.protocol.gids import body_gid
from vinyasa.tasks import queries

TASKS_IN_SECTION = OrderedList(TaskProject.__table__, item="task_gid")
MAX_PROJECTS = 20


def section_of_task(conn: Connection, task_gid: int, project_gid: int) -> int | None:
    """The section the task sits in within the project, or None when it is not in the project."""
    value = sql.fetch_value(conn, queries.SECTION_OF_TASK, [task_gid, project_gid])
    return None if value is None else int(value)


def anchor_task(
    conn: Connection, project_gid: int, field: str, value: object, moving: int
) -> tuple[int, int]:
    """A task named as an anchor, which must be in the project: (its gid, its section)."""
    gid = body_gid(field, value)
    if gid == moving:
        raise InvalidRequest(f"{field}: A task cannot be placed relative to itself")
    section = section_of_task(conn, gid, project_gid)
    if section is None:
        raise InvalidRequest(f"{field}: The task {gid} is not in this project")
    return gid, section


def _bump(conn: Connection, task_gid: int) -> None:
    """Membership changes count as modifying the task (see `modified_since`)."""
    sql.execute(conn, queries.BUMP, [now_ms(), task_gid])


def put(
    caller: Caller,
    task_gid: int,
    project_gid: int,
    section_gid: int,
    where: Place,
    *,
    new: tuple[bool, str] | None = None,
) -> None:
    """Put the task in the project's section at `where` (adding it to the project if need be).

    The caller holds the project's lock; the task's own row is locked here, so a task deleted by a
    concurrent request is a clean 404 (and an anchor that left the section a 400), never a 500.
    Journal: `added` to the project (when new to it) and to the section; `removed` from the section
    it left; a move within its section records nothing.

    `new`: the task was inserted by this transaction, with these (completed, resource_subtype), and
    is not in this project yet; the caller has checked `MAX_PROJECTS` and keeps its `modified_at`.
    Its row is then neither read, locked (no one else sees it yet) nor bumped.
    """
    conn = caller.conn
    flags = new
    if flags is None:
        lock = " FOR UPDATE" if conn.dialect.name == "postgresql" else ""
        found = sql.fetch(conn, queries.LOCK_TASK + lock, [task_gid])
        if not found:
            raise NotFound(f"Unknown task: {task_gid}")
        flags = found[0]
    completed, subtype = flags
    section_position = sql.fetch_value(conn, queries.SECTION_POSITION, [section_gid])
    if section_position is None:  # deleted by a concurrent request since the caller looked it up
        raise InvalidRequest(f"section: Unknown object: {section_gid}")
    current = None if new is not None else section_of_task(conn, task_gid, project_gid)
    if current is None and new is None:
        if sql.fetch_value(conn, queries.PROJECT_COUNT, [task_gid]) >= MAX_PROJECTS:
            raise InvalidRequest(f"project: A task can be in at most {MAX_PROJECTS} projects")
    try:
        position = TASKS_IN_SECTION.place(conn, {"section_gid": section_gid}, where, moving=task_gid)
    except LookupError:
        raise InvalidRequest("insert_before/insert_after: The anchor task is not in that section") from None
    place = [section_gid, section_position, position]
    if current is None:
        flags_row = [task_gid, project_gid, bool(completed), subtype == "milestone", now_ms()]
        sql.execute(conn, queries.INSERT_PLACE, [*flags_row, *place])
    else:
        sql.execute(conn, queries.MOVE_PLACE, [*place, task_gid, project_gid])
    if new is None:
        _bump(conn, task_gid)
    topics = journal.task_topics(caller, task_gid)
    task = ("task", task_gid)
    if current is None:
        journal.record(caller, task, "added", parent=("project", project_gid), topics=topics)
    elif current != section_gid:
        journal.record(caller, task, "removed", parent=("section", current), topics=topics)
    if current != section_gid:
        journal.record(caller, task, "added", parent=("section", section_gid), topics=topics)


def remove(caller: Caller, task_gid: int, project_gid: int) -> None:
    """Take the task out of the project (a no-op when it is not there); journal: `removed`."""
    topics = journal.task_topics(caller, task_gid)
    if sql.execute(caller.conn, queries.REMOVE_PLACE, [task_gid, project_gid]):
        _bump(caller.conn, task_gid)
        journal.record(caller, ("task", task_gid), "removed", parent=("project", project_gid), topics=topics)


def sync_flags(conn: Connection, task_gid: int, completed: bool, subtype: str) -> None:
    """Copy the task's completion and milestone flag onto its project rows (the task_counts index)."""
    sql.execute(conn, queries.SYNC_FLAGS, [completed, subtype == "milestone", task_gid])
