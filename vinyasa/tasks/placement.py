"""Where a task sits in a project: one section of it and a position there (vinyasa.ordering).

A task is in at most one section of each project it belongs to, so "moving it to a section" also
takes it out of the other sections of that project. Callers lock the project row first.
"""

from __future__ import annotations

from sqlalchemy import Connection

from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.db import row_lock
from vinyasa.errors import InvalidRequest, NotFound
from vinyasa.models import TaskProject
from vinyasa.ordering import OrderedList, Place
from vinyasa.protocol import sql
from vinyasa.protocol.gids import body_gid
from vinyasa.sections import service as sections
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
    sql.write(conn, queries.BUMP, [now_ms(), task_gid])


def _section(
    conn: Connection, task_gid: int, project_gid: int, section_gid: int | None, where: Place
) -> tuple[int, int, int | None]:
    """(section, its position, the position of its first or last task other than this one when
    `where` is an edge, else None): one statement. `section_gid` None: the project's last section,
    made first when the project has none."""
    edge = where.where in ("top", "bottom")
    columns = ", " + TASKS_IN_SECTION.edge_sql(
        {"section_gid": "s.gid"}, last=where.where == "bottom", exclude=True
    )
    query = queries.SECTION_PLACE if section_gid is not None else queries.LAST_SECTION_PLACE
    found = sql.fetch(
        conn,
        query.format(edge=columns if edge else ""),
        [*([task_gid] if edge else []), project_gid if section_gid is None else section_gid],
    )
    if not found and section_gid is None:
        made = sections.create_default(conn, project_gid)
        return _section(conn, task_gid, project_gid, made, where)
    if not found:  # deleted by a concurrent request since the caller looked it up
        raise InvalidRequest(f"section: Unknown object: {section_gid}")
    row = found[0]
    return int(row[0]), int(row[1]), (None if not edge or row[2] is None else int(row[2]))


def put(
    caller: Caller,
    task_gid: int,
    project_gid: int,
    section_gid: int | None,
    where: Place,
    *,
    new: tuple[bool, str] | None = None,
    topics: frozenset[int] | None = None,
) -> None:
    """Put the task in the project's section at `where` (adding it to the project if need be);
    `section_gid` None: the project's last section (its default one made first when it has none).

    The caller holds the project's lock; the task's own row is locked here, so a task deleted by a
    concurrent request is a clean 404 (and an anchor that left the section a 400), never a 500.
    Journal: `added` to the project (when new to it) and to the section; `removed` from the section
    it left; a move within its section records nothing.

    `new`: the task was inserted by this transaction, with these (completed, resource_subtype), and
    is not in this project yet; the caller has checked `MAX_PROJECTS` and keeps its `modified_at`.
    Its row is then neither read, locked (no one else sees it yet) nor bumped. `topics`: the task's
    streams once in this project, when the caller knows them (a new task: `journal.task_topics`
    would read them).
    """
    conn = caller.conn
    current = None
    if new is None:
        found = sql.fetch(conn, queries.LOCK_TASK + row_lock(conn), [project_gid, task_gid])
        if not found:
            raise NotFound(f"Unknown task: {task_gid}")
        completed, subtype, current = found[0]
    else:
        completed, subtype = new
    section_gid, section_position, edge = _section(conn, task_gid, project_gid, section_gid, where)
    if current is None and new is None:
        if sql.fetch_value(conn, queries.PROJECT_COUNT, [task_gid]) >= MAX_PROJECTS:
            raise InvalidRequest(f"project: A task can be in at most {MAX_PROJECTS} projects")
    scope = {"section_gid": section_gid}
    try:
        if where.where in ("top", "bottom"):
            position = TASKS_IN_SECTION.place_at_edge(conn, scope, where, edge, moving=task_gid)
        else:
            position = TASKS_IN_SECTION.place(conn, scope, where, moving=task_gid)
    except LookupError:
        raise InvalidRequest("insert_before/insert_after: The anchor task is not in that section") from None
    place = [section_gid, section_position, position]
    if current is None:
        flags_row = [task_gid, project_gid, bool(completed), subtype == "milestone", now_ms()]
        sql.write(conn, queries.INSERT_PLACE, [*flags_row, *place])
    else:
        sql.write(conn, queries.MOVE_PLACE, [*place, task_gid, project_gid])
    if new is None:
        _bump(conn, task_gid)
    if topics is None:
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


def hold_projects(caller: Caller, task_gid: int) -> None:
    """Before a change that writes the task's project rows (its due date, by a trigger; its flags,
    `sync_flags`): hold its projects FOR KEY SHARE (PostgreSQL, once a transaction). A row written
    twice in one transaction has its foreign keys checked again (FOR KEY SHARE of its project),
    and a project's DELETE, holding it FOR UPDATE, waited for the rows while the change waited for
    the project: a deadlock. Taken first, one of the two waits for the other to end."""
    key = ("projects held", task_gid)
    if caller.conn.dialect.name != "postgresql" or key in caller.cache:
        return
    caller.cache[key] = True
    sql.fetch(caller.conn, queries.HOLD_PROJECTS, [task_gid])


def sync_flags(conn: Connection, task_gid: int, completed: bool, subtype: str) -> None:
    """Copy the task's completion and milestone flag onto its project rows (the task_counts index)."""
    sql.write(conn, queries.SYNC_FLAGS, [completed, subtype == "milestone", task_gid])
