"""Posting, finding and deleting statuses, and writing project briefs (services flush, never commit).

Access (vinyasa's choice; Asana lets project editors post status updates): reading a status or brief
needs its project to be visible (else 404); creating or deleting a status, and creating, changing or
deleting a brief, needs editor access to the project (else 403).
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from vinyasa import access, richtext
from vinyasa.core import Caller, journal
from vinyasa.db import insert_row, update_row
from vinyasa.errors import InvalidRequest
from vinyasa.models import ProjectBrief, Status
from vinyasa.notes import stored_rich_text
from vinyasa.protocol.gids import new_gid
from vinyasa.protocol.values import now_ms
from vinyasa.statuses.schemas import (
    COLOR_TO_STATUS,
    PROJECT_STATUS_TYPES,
    STATUS_TO_COLOR,
    BriefFields,
    ProjectStatusFields,
    RichFields,
    StatusUpdateFields,
)


def rich_text(ctx: Caller, fields: RichFields, allowed: frozenset[str], *, required: bool) -> str | None:
    """The stored rich text from `html_text` or plain `text` (not both); None when neither was given."""
    html = stored_rich_text(ctx, ("html_text", fields.html_text), ("text", fields.text), allowed)
    if html is not None:
        return html
    if required:
        raise InvalidRequest("text: Missing input")
    return None


# ---- statuses ---------------------------------------------------------------------------------


def _post(
    ctx: Caller, project: access.VisibleProject, title: str | None, html: str, color: str, kind: str
) -> int:
    """Insert a status as the project's newest (the project row is locked, so `seq` is race-free)."""
    access.require_project_level(project, "editor", "post a status")
    last = ctx.conn.execute(select(func.max(Status.seq)).where(Status.project_gid == project.gid)).scalar()
    gid, now = new_gid(ctx.conn), now_ms()
    insert_row(
        ctx.conn,
        Status,
        {
            "gid": gid,
            "project_gid": project.gid,
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
    _record(ctx, ("status_update", gid), "added", project)
    return gid


def _record(ctx: Caller, resource: tuple[str, int], action: str, project: access.VisibleProject) -> None:
    """Journal for statuses and briefs (`added`, `deleted`): the project is their parent and stream."""
    parent = ("project", project.gid) if action == "added" else None
    journal.record(ctx, resource, action, parent=parent, topics=[project.gid, project.workspace_gid])


def create_project_status(ctx: Caller, project_gid: str, fields: ProjectStatusFields) -> int:
    """A legacy project status; its `status_type` is the colour's (module docstring of schemas)."""
    project = access.project(ctx, project_gid, lock="update")
    html = rich_text(ctx, fields, richtext.BASIC_TAGS, required=True)
    if fields.color is None:
        raise InvalidRequest("color: Missing input")
    assert html is not None
    return _post(ctx, project, fields.title, html, fields.color, COLOR_TO_STATUS[fields.color])


def create_status_update(ctx: Caller, fields: StatusUpdateFields) -> int:
    """A status update on a project (`parent`); portfolios and goals do not exist yet, so any other
    parent is a 400 ("Unknown object")."""
    if fields.parent is None:
        raise InvalidRequest("parent: Missing input")
    html = rich_text(ctx, fields, richtext.BASIC_TAGS, required=True)
    if fields.status_type is None:
        raise InvalidRequest("status_type: Missing input")
    if fields.status_type not in PROJECT_STATUS_TYPES:
        raise InvalidRequest(
            f"status_type: {fields.status_type[:32]} is not valid for a project; "
            f"use one of {', '.join(PROJECT_STATUS_TYPES)}"
        )
    project = access.project(ctx, fields.parent, "parent", lock="update")
    assert html is not None
    return _post(ctx, project, fields.title, html, STATUS_TO_COLOR[fields.status_type], fields.status_type)


def find_status(ctx: Caller, value: str, kind: str) -> tuple[int, int]:
    """A status whose project the caller can see, as (gid, project gid); 404 otherwise."""
    return access.project_child(ctx, "statuses", value, kind)


def delete_status(ctx: Caller, value: str, kind: str) -> None:
    """Delete a status from both views; the previous one becomes current again."""
    gid, project_gid = find_status(ctx, value, kind)
    project = access.project(ctx, str(project_gid), lock="update")
    access.require_project_level(project, "editor", "delete a status")
    _record(ctx, ("status_update", gid), "deleted", project)
    ctx.conn.execute(delete(Status).where(Status.gid == gid))


# ---- briefs -----------------------------------------------------------------------------------


def create_brief(ctx: Caller, project_gid: str, fields: BriefFields) -> int:
    """A project's brief. Deviation (Asana is silent): a project has at most one, a second is a 400."""
    project = access.project(ctx, project_gid, lock="update")
    access.require_project_level(project, "editor", "write its brief")
    html = rich_text(ctx, fields, richtext.BRIEF_TAGS, required=False)
    existing = ctx.conn.execute(
        select(ProjectBrief.gid).where(ProjectBrief.project_gid == project.gid)
    ).first()
    if existing is not None:
        raise InvalidRequest(f"This project already has a project brief: {existing[0]}; update it instead")
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


def find_brief(ctx: Caller, value: str) -> tuple[int, int]:
    """A brief whose project the caller can see, as (gid, project gid); 404 otherwise."""
    return access.project_child(ctx, "project_briefs", value, "project brief")


def _editable_brief(ctx: Caller, value: str) -> tuple[int, access.VisibleProject]:
    gid, project_gid = find_brief(ctx, value)
    project = access.project(ctx, str(project_gid), lock="update")
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
    ctx.conn.execute(delete(ProjectBrief).where(ProjectBrief.gid == gid))
