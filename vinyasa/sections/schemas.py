"""Sections on the wire, and the bodies section endpoints take."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vinyasa.models import Section
from vinyasa.protocol.resources import Resource
from vinyasa.protocol.specs import Col, Ref, RefList
from vinyasa.protocol.values import iso_ms

SECTION = Resource(
    "section",
    Section.__table__,
    {
        "name": Col("name"),
        "created_at": Col("created_at", iso_ms),
        "project": Ref("project_gid", "project"),
        "projects": RefList("project", column="project_gid"),  # deprecated: [project]
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
