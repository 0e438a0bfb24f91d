"""Sections: visible (and changeable) exactly as their project is (vinyasa.access)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vinyasa.access.core import unknown
from vinyasa.access.projects import VisibleProject, project
from vinyasa.core import Caller
from vinyasa.errors import InvalidRequest, NotFound
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid, body_gid

PROJECT_OF = "SELECT project_gid FROM sections WHERE gid = ?"  # a section's project


@dataclass(frozen=True)
class VisibleSection:
    """A section the caller can see, with its (visible) project."""

    gid: int
    project: VisibleProject


def section(
    ctx: Caller, value: str, field: str | None = None, *, lock: Literal["share", "update"] | None = None
) -> VisibleSection:
    """A section whose project the caller can see; `lock` locks the project row (PostgreSQL)."""
    gid = as_gid(value)
    project_gid = None
    if gid is not None:
        project_gid = sql.fetch_value(ctx.conn, PROJECT_OF, [gid])
    if project_gid is None:
        raise unknown(field, value, "section")
    try:
        found = project(ctx, str(project_gid), None, lock=lock)
    except NotFound:
        raise unknown(field, value, "section") from None
    return VisibleSection(int(gid or 0), found)


def project_section(ctx: Caller, project_gid: int, field: str, value: object) -> int:
    """A section gid from a body, which must be a section of this project (400 otherwise).

    A section the caller cannot see (of another workspace, or of a project hidden from them) answers
    exactly like a gid that does not exist ("Unknown object"); only a section of another project the
    caller can see says it is not one of this project's.
    """
    gid = body_gid(field, value)
    found = sql.fetch_value(ctx.conn, PROJECT_OF, [gid])
    if found is not None and found != project_gid:
        try:
            project(ctx, str(found))
        except NotFound:
            found = None
        else:
            raise InvalidRequest(
                f"{field}: Not a section of this project. Sections cannot be moved between projects"
            )
    if found is None:
        raise InvalidRequest(f"{field}: Unknown object: {str(value)[:64]}")
    return gid
