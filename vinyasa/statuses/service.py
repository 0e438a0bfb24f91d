"""Posting, finding and deleting statuses, and writing project briefs (services flush, never commit).

Access (vinyasa's choice; Asana lets project editors post status updates): reading a status or brief
needs its project to be visible (else 404); creating or deleting a status, and creating, changing or
deleting a brief, needs editor access to the project (else 403).
"""

from __future__ import annotations

from dataclasses import dataclass

from vinyasa import access, richtext
from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.db import insert_row, update_row
from vinyasa.errors import InvalidRequest, NotFound
from vinyasa.models import ProjectBrief, Status
from vinyasa.notes import stored_rich_text
from vinyasa.protocol.gids import as_gid, new_gid
from vinyasa.statuses import queries
from vinyasa.statuses.schemas import (
    COLOR_TO_STATUS,
    PROJECT_STATUS_TYPES,
    STATUS_TO_COLOR,
    BriefFields,
    ProjectStatusFields,
    RichFields,
    StatusUpdateFields,
)

Parentage = access.VisibleProject | access.VisiblePortfolio


def rich_text(ctx: Caller, fields: RichFields, allowed: frozenset[str], *, required: bool) -> str | None:
    """The stored rich text from `html_text` or plain `text` (not both); None when neither was given."""
    html = stored_rich_text(ctx, ("html_text", fields.html_text), ("text", fields.text), allowed)
    if html is not None:
        return html
    if required:
        raise InvalidRequest("text: Missing input")
    return None


# ---- statuses ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusParent:
    """What a status is posted on: a project or a portfolio the caller can see."""

    kind: str  # "project" | "portfolio"
    gid: int
    workspace_gid: int
    column: str  # its column in `statuses`

    @classmethod
    def of(cls, found: Parentage) -> StatusParent:
        if isinstance(found, access.VisibleProject):
            return cls("project", found.gid, found.workspace_gid, "project_gid")
        return cls("portfolio", found.gid, found.workspace_gid, "portfolio_gid")


def _require_editor(found: Parentage, what: str) -> None:
    if isinstance(found, access.VisibleProject):
        access.require_project_level(found, "editor", what)
    else:
        access.require_portfolio_level(found, "editor", what)


def status_parent(ctx: Caller, value: str, *, lock: bool = False) -> tuple[StatusParent, Parentage]:
    """The project or portfolio a status update names as `parent` (400 "Unknown object" when the
    caller sees neither by that gid); `lock` locks its row (PostgreSQL)."""
    try:
        found: Parentage = access.project(ctx, value, "parent", lock="update" if lock else None)
    except InvalidRequest as error:
        try:
            found = access.portfolio(ctx, value, "parent", lock=lock)
        except InvalidRequest:
            raise error from None
    return StatusParent.of(found), found


def _post(
    ctx: Caller,
    found: Parentage,
    title: str | None,
    html: str,
    color: str,
    kind: str,
) -> int:
    """Insert a status as the parent's newest (the parent row is locked, so `seq` is race-free)."""
    _require_editor(found, "post a status")
    parent = StatusParent.of(found)
    last = queries.last_seq(ctx.conn, parent.column, parent.gid)
    gid, now = new_gid(ctx.conn), now_ms()
    insert_row(
        ctx.conn,
        Status,
        {
            "gid": gid,
            parent.column: parent.gid,
            "seq": (last or 0) + 1,
            "author_gid": ctx.user_gid,
            "title": title or "",
            "html_text": html,
            "color": color,
            "status_type": kind,
            "created_at": now,
            "modified_at": now,
        },
    )
    _record(ctx, ("status_update", gid), "added", parent)
    return gid


def _record(
    ctx: Caller, resource: tuple[str, int], action: str, parent: StatusParent | access.VisibleProject
) -> None:
    """Journal for statuses and briefs (`added`, `deleted`): the project (or portfolio) is their
    parent and stream."""
    if isinstance(parent, access.VisibleProject):
        parent = StatusParent.of(parent)
    ref = (parent.kind, parent.gid) if action == "added" else None
    journal.record(ctx, resource, action, parent=ref, topics=[parent.gid, parent.workspace_gid])


def create_project_status(ctx: Caller, project_gid: str, fields: ProjectStatusFields) -> int:
    """A legacy project status; its `status_type` is the colour's (module docstring of schemas)."""
    project = access.project(ctx, project_gid, lock="update")
    html = rich_text(ctx, fields, richtext.BASIC_TAGS, required=True)
    if fields.color is None:
        raise InvalidRequest("color: Missing input")
    assert html is not None
    return _post(ctx, project, fields.title, html, fields.color, COLOR_TO_STATUS[fields.color])


def create_status_update(ctx: Caller, fields: StatusUpdateFields) -> int:
    """A status update on a project or a portfolio (`parent`); goals do not exist, so any other
    parent is a 400 ("Unknown object"). Both take the same `status_type`s (Asana's StatusUpdateBase)."""
    if fields.parent is None:
        raise InvalidRequest("parent: Missing input")
    html = rich_text(ctx, fields, richtext.BASIC_TAGS, required=True)
    if fields.status_type is None:
        raise InvalidRequest("status_type: Missing input")
    if fields.status_type not in PROJECT_STATUS_TYPES:
        raise InvalidRequest(
            f"status_type: {fields.status_type[:32]} is not valid for a project or portfolio; "
            f"use one of {', '.join(PROJECT_STATUS_TYPES)}"
        )
    _, found = status_parent(ctx, fields.parent, lock=True)
    assert html is not None
    return _post(ctx, found, fields.title, html, STATUS_TO_COLOR[fields.status_type], fields.status_type)


def find_status(
    ctx: Caller, value: str, kind: str, *, lock: bool = False
) -> tuple[int, access.VisibleProject]:
    """A project's status the caller can see, as (gid, project); 404 otherwise (a portfolio's status
    update is unknown to the legacy project-status view). `lock`: access.project_child."""
    return access.project_child(ctx, "statuses", value, kind, lock=lock)


def find_status_update(ctx: Caller, value: str, *, lock: bool = False) -> tuple[int, Parentage]:
    """A status update whose project or portfolio the caller can see, with it; 404 otherwise. `lock`:
    its parent's row, and the status read again under that lock (access.project_child)."""
    gid = as_gid(value)
    parents = None if gid is None else queries.status_parents(ctx.conn, gid)
    if gid is not None and parents is not None and parents[1] is not None:
        try:
            found = access.portfolio(ctx, str(parents[1]), lock=lock)
        except NotFound:
            found = None
        if found is None or (access.locking(ctx, lock) and queries.status_parents(ctx.conn, gid) != parents):
            raise access.unknown(None, value, "status update")
        return gid, found
    return find_status(ctx, value, "status update", lock=lock)


def delete_status(ctx: Caller, value: str, kind: str) -> None:
    """Delete a status from both views; the previous one becomes current again."""
    if kind == "status update":
        gid, found = find_status_update(ctx, value, lock=True)
    else:
        gid, found = find_status(ctx, value, kind, lock=True)
    _require_editor(found, "delete a status")
    _record(ctx, ("status_update", gid), "deleted", StatusParent.of(found))
    queries.delete_status(ctx.conn, gid)


# ---- briefs -----------------------------------------------------------------------------------


def create_brief(ctx: Caller, project_gid: str, fields: BriefFields) -> int:
    """A project's brief. Deviation (Asana is silent): a project has at most one, a second is a 400."""
    project = access.project(ctx, project_gid, lock="update")
    access.require_project_level(project, "editor", "write its brief")
    html = rich_text(ctx, fields, richtext.BRIEF_TAGS, required=False)
    existing = queries.project_brief(ctx.conn, project.gid)
    if existing is not None:
        raise InvalidRequest(f"This project already has a project brief: {existing}; update it instead")
    gid, now = new_gid(ctx.conn), now_ms()
    brief = {
        "gid": gid,
        "project_gid": project.gid,
        "title": fields.title or "",
        "html_text": html if html is not None else "<body></body>",
        "created_at": now,
        "modified_at": now,
    }
    insert_row(ctx.conn, ProjectBrief, brief)
    _record(ctx, ("project_brief", gid), "added", project)
    return gid


def find_brief(ctx: Caller, value: str, *, lock: bool = False) -> tuple[int, access.VisibleProject]:
    """A brief whose project the caller can see, as (gid, project); 404 otherwise. `lock`:
    access.project_child."""
    return access.project_child(ctx, "project_briefs", value, "project brief", lock=lock)


def _editable_brief(ctx: Caller, value: str) -> tuple[int, access.VisibleProject]:
    gid, project = find_brief(ctx, value, lock=True)
    access.require_project_level(project, "editor", "change its brief")
    return gid, project


def update_brief(ctx: Caller, value: str, fields: BriefFields) -> int:
    """Change the given fields of a brief (`title: null` clears it to "")."""
    gid, project = _editable_brief(ctx, value)
    values: dict[str, object] = {}
    html = rich_text(ctx, fields, richtext.BRIEF_TAGS, required=False)
    if html is not None:
        values["html_text"] = html
    if "title" in fields.model_fields_set:
        values["title"] = fields.title or ""
    if values:
        values["modified_at"] = now_ms()
        update_row(ctx.conn, ProjectBrief, gid, values)
        names = [{"html_text": "text"}.get(k, k) for k in values if k != "modified_at"]
        journal.changed(ctx, ("project_brief", gid), names, topics=[project.gid, project.workspace_gid])
    return gid


def delete_brief(ctx: Caller, value: str) -> None:
    """Delete a brief; the project's `project_brief` is null again."""
    gid, project = _editable_brief(ctx, value)
    _record(ctx, ("project_brief", gid), "deleted", project)
    queries.delete_brief(ctx.conn, gid)
