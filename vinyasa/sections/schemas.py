"""Sections on the wire, and the bodies section endpoints take."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from vinyasa.models import Section
from vinyasa.protocol import sql
from vinyasa.protocol.resources import Col, Ref, RefList, Resource, Viewer
from vinyasa.protocol.values import iso_ms
from vinyasa.sections import queries


def _projects(conn: Connection, _viewer: Viewer, gids: list[int]) -> dict[int, list[int]]:
    rows = sql.fetch(conn, queries.PROJECTS.format(gids=sql.marks(len(gids))), gids)
    return {gid: [project_gid] for gid, project_gid in rows}


SECTION = Resource(
    "section",
    Section.__table__,
    {
        "name": Col("name"),
        "created_at": Col("created_at", iso_ms),
        "project": Ref("project_gid", "project"),
        "projects": RefList("project", _projects),  # deprecated: [project]
    },
    compact=("name",),
)


class SectionBody(BaseModel):
    """SectionRequest: createSectionForProject and updateSection."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, max_length=1024)
    insert_before: str | None = None
    insert_after: str | None = None


class SectionInsertBody(BaseModel):
    """ProjectSectionInsertRequest: insertSectionForProject."""

    model_config = ConfigDict(extra="ignore")
    section: str
    before_section: str | None = None
    after_section: str | None = None


class SectionTaskBody(BaseModel):
    """SectionTaskInsertRequest: addTaskForSection."""

    model_config = ConfigDict(extra="ignore")
    task: str
    insert_before: str | None = None
    insert_after: str | None = None
