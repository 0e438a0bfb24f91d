"""Workspaces on the wire, and the bodies their endpoints take."""

from __future__ import annotations

import orjson
from pydantic import BaseModel, ConfigDict, Field

from vinyasa.models import Workspace
from vinyasa.protocol.resources import Resource
from vinyasa.protocol.specs import Col

WORKSPACE = Resource(
    "workspace",
    Workspace.__table__,
    {
        "name": Col("name"),
        "email_domains": Col("email_domains", orjson.loads),
        "is_organization": Col("is_organization", bool),
    },
    compact=("name",),
)


class WorkspaceUpdate(BaseModel):
    """PUT /workspaces/{gid}: only the name can change."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, min_length=1, max_length=512)
