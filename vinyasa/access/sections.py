"""Sections: visible (and changeable) exactly as their project is (vinyasa.access)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vinyasa.access.projects import VisibleProject, hidden_projects, project, project_child
from vinyasa.core import Caller
from vinyasa.errors import InvalidRequest, NotFound
from vinyasa.protocol import sql
from vinyasa.protocol.gids import body_gid

PROJECT_OF = "SELECT project_gid FROM sections WHERE gid = ?"  # a section's project


@dataclass(frozen=True)
class VisibleSection:
    """A section the caller can see, with its (visible) project."""

    gid: int
    project: VisibleProject


def section(ctx: Caller, value: str, field: str | None = None, *, lock: bool = False) -> VisibleSection:
    """A section whose project the caller can see; `lock` (a change of the section or of its tasks'
    places) locks the project row and reads the section again (access.project_child)."""
    gid, found = project_child(ctx, "sections", value, "section", field, lock=lock)
    return VisibleSection(gid, found)


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


def hidden_sections(conn: Any, viewer: Caller, gids: list[int]) -> set[int]:
    """Of these section gids, the ones the viewer cannot see: those of projects hidden from them."""
    if not gids:
        return set()
    statement = f"SELECT gid, project_gid FROM sections WHERE gid IN ({sql.marks(len(gids))})"
    rows = sql.fetch(conn, statement, gids)
    hidden = hidden_projects(conn, viewer, sorted({int(r[1]) for r in rows}))
    return {int(r[0]) for r in rows if int(r[1]) in hidden}
