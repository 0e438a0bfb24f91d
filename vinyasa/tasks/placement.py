"""Where a task sits in a project: one section of it and a position there (vinyasa.ordering).

A task is in at most one section of each project it belongs to, so "moving it to a section" also
takes it out of the other sections of that project. Callers lock the project row first.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select, update

from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.errors import InvalidRequest, NotFound
from vinyasa.models import Section, Task, TaskProject
from vinyasa.ordering import OrderedList, Place
from vinyasa.protocol.gids import body_gid

TASKS_IN_SECTION = OrderedList(TaskProject.__table__, item="task_gid")
MAX_PROJECTS = 20


def section_of_task(conn: Connection, task_gid: int, project_gid: int) -> int | None:
    """The section the task sits in within the project, or None when it is not in the project."""
    value = conn.execute(
        select(TaskProject.section_gid).where(
            TaskProject.task_gid == task_gid, TaskProject.project_gid == project_gid
        )
    ).scalar()
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
    conn.execute(update(Task).where(Task.gid == task_gid).values(modified_at=now_ms()))


def put(caller: Caller, task_gid: int, project_gid: int, section_gid: int, where: Place) -> None:
    """Put the task in the project's section at `where` (adding it to the project if need be).

    The caller holds the project's lock; the task's own row is locked here, so a task deleted by a
    concurrent request is a clean 404 (and an anchor that left the section a 400), never a 500.
    Journal: `added` to the project (when new to it) and to the section; `removed` from the section
    it left; a move within its section records nothing.
    """
    conn = caller.conn
    flags = conn.execute(
        select(Task.completed, Task.resource_subtype).where(Task.gid == task_gid).with_for_update()
    ).first()
    if flags is None:
        raise NotFound(f"Unknown task: {task_gid}")
    section_position = conn.execute(select(Section.position).where(Section.gid == section_gid)).scalar()
    if section_position is None:  # deleted by a concurrent request since the caller looked it up
        raise InvalidRequest(f"section: Unknown object: {section_gid}")
    current = conn.execute(
        select(TaskProject.section_gid).where(
            TaskProject.task_gid == task_gid, TaskProject.project_gid == project_gid
        )
    ).first()
    if current is None:
        count = conn.execute(
            select(func.count()).select_from(TaskProject).where(TaskProject.task_gid == task_gid)
        ).scalar_one()
        if count >= MAX_PROJECTS:
            raise InvalidRequest(f"project: A task can be in at most {MAX_PROJECTS} projects")
    try:
        position = TASKS_IN_SECTION.place(conn, {"section_gid": section_gid}, where, moving=task_gid)
    except LookupError:
        raise InvalidRequest("insert_before/insert_after: The anchor task is not in that section") from None
    values = {"section_gid": section_gid, "section_position": section_position, "position": position}
    if current is None:
        conn.execute(
            insert(TaskProject).values(
                task_gid=task_gid,
                project_gid=project_gid,
                completed=flags.completed,
                is_milestone=flags.resource_subtype == "milestone",
                added_at=now_ms(),
                **values,
            )
        )
    else:
        conn.execute(
            update(TaskProject)
            .where(TaskProject.task_gid == task_gid, TaskProject.project_gid == project_gid)
            .values(**values)
        )
    _bump(conn, task_gid)
    topics = journal.task_topics(caller, task_gid)
    task = ("task", task_gid)
    if current is None:
        journal.record(caller, task, "added", parent=("project", project_gid), topics=topics)
    elif current.section_gid != section_gid:
        journal.record(caller, task, "removed", parent=("section", current.section_gid), topics=topics)
    if current is None or current.section_gid != section_gid:
        journal.record(caller, task, "added", parent=("section", section_gid), topics=topics)


def remove(caller: Caller, task_gid: int, project_gid: int) -> None:
    """Take the task out of the project (a no-op when it is not there); journal: `removed`."""
    topics = journal.task_topics(caller, task_gid)
    result = caller.conn.execute(
        delete(TaskProject).where(TaskProject.task_gid == task_gid, TaskProject.project_gid == project_gid)
    )
    if result.rowcount:
        _bump(caller.conn, task_gid)
        journal.record(caller, ("task", task_gid), "removed", parent=("project", project_gid), topics=topics)


def sync_flags(conn: Connection, task_gid: int, completed: bool, subtype: str) -> None:
    """Copy the task's completion and milestone flag onto its project rows (the task_counts index)."""
    conn.execute(
        update(TaskProject)
        .where(TaskProject.task_gid == task_gid)
        .values(completed=completed, is_milestone=subtype == "milestone")
    )
