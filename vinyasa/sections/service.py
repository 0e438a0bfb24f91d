"""Creating, renaming, moving and deleting sections; their order lives in vinyasa.ordering.

Callers lock the project row first (access.project(..., lock="update") or ordering.lock), so
concurrent reorderings of one project serialize on PostgreSQL (SQLite's writer lock does it there).
"""

from __future__ import annotations

from sqlalchemy import Connection

from vinyasa import access
from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.db import insert_row, update_row
from vinyasa.errors import InvalidRequest
from vinyasa.models import Section
from vinyasa.ordering import BOTTOM, OrderedList, Place, after, before
from vinyasa.protocol import sql
from vinyasa.protocol.gids import new_gid
from vinyasa.sections import queries
from vinyasa.sections.schemas import SectionBody, SectionInsertBody

SECTIONS = OrderedList(Section.__table__)
DEFAULT_NAME = "Untitled section"


def _sync(conn: Connection, section_gid: int | None, position: int, moved: list[tuple[int, int]]) -> None:
    """Copy the positions of the sections that changed (the one placed, unless new, and any
    neighbours a respacing moved) onto their tasks' rows (the project-order index key)."""
    changed = [*([(section_gid, position)] if section_gid is not None else []), *moved]
    sql.execute_many(conn, queries.SYNC_TASKS, [(pos, gid) for gid, pos in changed])


def _insert(conn: Connection, project_gid: int, name: str, where: Place) -> int:
    position, moved = SECTIONS.place_moved(conn, {"project_gid": project_gid}, where)
    gid = new_gid(conn)
    row = {"gid": gid, "project_gid": project_gid, "name": name, "position": position, "created_at": now_ms()}
    insert_row(conn, Section, row)
    _sync(conn, None, position, moved)  # the new section has no tasks yet
    return gid


def _move(conn: Connection, project_gid: int, section_gid: int, where: Place) -> None:
    position, moved = SECTIONS.place_moved(conn, {"project_gid": project_gid}, where, moving=section_gid)
    update_row(conn, Section, section_gid, {"position": position})
    _sync(conn, section_gid, position, moved)


def create_default(conn: Connection, project_gid: int) -> int:
    """A new project's one section, "Untitled section".

    Inferred behaviour (the spec is silent): Asana gives every new project a section, and "the last
    remaining section cannot be deleted", so a project always has one for its tasks to sit in.
    """
    return _insert(conn, project_gid, DEFAULT_NAME, BOTTOM)


def ensure_sections(conn: Connection, project_gid: int) -> None:
    """Give a project that has no section (one made before sections existed) its default section."""
    if sql.fetch_value(conn, queries.FIRST, [project_gid]) is None:
        create_default(conn, project_gid)


def edge_section(conn: Connection, project_gid: int, *, last: bool) -> int:
    """The project's first or last section (the project must have one: see ensure_sections)."""
    gid = sql.fetch_value(conn, queries.LAST if last else queries.FIRST, [project_gid])
    if gid is None:
        raise LookupError(project_gid)
    return int(gid)


def _where(
    ctx: Caller,
    project_gid: int,
    anchors: tuple[tuple[str, str | None], tuple[str, str | None]],
    moving: int | None,
    default: Place | None,
) -> Place | None:
    """The place named by a (before, after) pair of anchor sections, at most one of which is given."""
    (before_field, before_value), (after_field, after_value) = anchors
    if before_value is not None and after_value is not None:
        raise InvalidRequest(f"Cannot provide both {before_field} and {after_field}")
    if before_value is None and after_value is None:
        return default
    field, value = (before_field, before_value) if before_value is not None else (after_field, after_value)
    anchor = access.project_section(ctx, project_gid, field, value)
    if anchor == moving:
        raise InvalidRequest(f"{field}: A section cannot be placed relative to itself")
    return before(anchor) if before_value is not None else after(anchor)


def _name(value: str | None) -> str:
    if value is None:
        raise InvalidRequest("name: Missing input")
    if not value.strip():
        raise InvalidRequest("name: The section name cannot be an empty string")
    return value


def create_section(ctx: Caller, project: access.VisibleProject, body: SectionBody) -> int:
    """A new section, at the bottom unless `insert_before`/`insert_after` says otherwise."""
    access.require_project_level(project, "editor", "add sections to it")
    name = _name(body.name)
    anchors = (("insert_before", body.insert_before), ("insert_after", body.insert_after))
    where = _where(ctx, project.gid, anchors, None, BOTTOM)
    assert where is not None
    gid = _insert(ctx.conn, project.gid, name, where)
    record_added(ctx, gid, project.gid, project.workspace_gid)
    return gid


def record_added(ctx: Caller, gid: int, project_gid: int, workspace_gid: int) -> None:
    """Journal: a section `added` to its project."""
    journal.record(ctx, ("section", gid), "added", parent=("project", project_gid), topics=[workspace_gid])


def _record(
    ctx: Caller, gid: int, project: access.VisibleProject, action: str, field: str | None = None
) -> None:
    topics = [project.gid, project.workspace_gid]
    if field is None:
        journal.record(ctx, ("section", gid), action, topics=topics)
    else:
        journal.changed(ctx, ("section", gid), [field], topics=topics)


def update_section(ctx: Caller, section: access.VisibleSection, body: SectionBody) -> None:
    """Rename a section and/or move it next to another section of its project."""
    project = section.project
    access.require_project_level(project, "editor", "change its sections")
    anchors = (("insert_before", body.insert_before), ("insert_after", body.insert_after))
    where = _where(ctx, project.gid, anchors, section.gid, None)
    if body.name is None and where is None:
        raise InvalidRequest("name: Missing input")
    if body.name is not None:
        update_row(ctx.conn, Section, section.gid, {"name": _name(body.name)})
        _record(ctx, section.gid, project, "changed", "name")
    if where is not None:
        _move(ctx.conn, project.gid, section.gid, where)
        _record(ctx, section.gid, project, "changed", "position")


def insert_section(ctx: Caller, project: access.VisibleProject, body: SectionInsertBody) -> None:
    """Move a section before or after another section of the same project."""
    access.require_project_level(project, "editor", "reorder its sections")
    gid = access.project_section(ctx, project.gid, "section", body.section)
    anchors = (("before_section", body.before_section), ("after_section", body.after_section))
    where = _where(ctx, project.gid, anchors, gid, None)
    if where is None:
        raise InvalidRequest("One of before_section or after_section is required")
    _move(ctx.conn, project.gid, gid, where)
    _record(ctx, gid, project, "changed", "position")


def delete_section(ctx: Caller, section: access.VisibleSection) -> None:
    """Delete an empty section that is not its project's last one; otherwise 400 and nothing changes."""
    project = section.project
    access.require_project_level(project, "editor", "delete its sections")
    has_tasks, count = sql.fetch(ctx.conn, queries.DELETABLE, [section.gid, project.gid])[0]
    if has_tasks:
        raise InvalidRequest("Sections must be empty to be deleted: move or remove its tasks first")
    if count <= 1:
        raise InvalidRequest("The last remaining section of a project cannot be deleted")
    _record(ctx, section.gid, project, "deleted")
    sql.write(ctx.conn, queries.DELETE, [section.gid])
