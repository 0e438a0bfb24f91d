"""Tags on the wire (TagResponse / TagCompact) and the bodies tag endpoints take.

Asana: https://developers.asana.com/reference/tags
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vinyasa.models import Tag
from vinyasa.projects.schemas import PaletteColor, UserList
from vinyasa.protocol.resources import Resource
from vinyasa.protocol.specs import Col, Derived, Ref, RefList, Viewer
from vinyasa.protocol.values import iso_ms
from vinyasa.tags import queries

# TagBase.color: Asana's palette (null clears it; no "none" as projects have).
Color = PaletteColor


def _permalink(row: Mapping[str, Any], viewer: Viewer) -> str:
    return f"{viewer.base_url}/0/{row['gid']}/list"


TAG = Resource(
    "tag",
    Tag.__table__,
    {
        "name": Col("name"),
        "color": Col("color"),
        "notes": Col("notes"),
        "created_at": Col("created_at", iso_ms),
        "followers": RefList("user", link=queries.FOLLOWERS),
        "workspace": Ref("workspace_gid", "workspace"),
        "permalink_url": Derived(("gid",), _permalink),
    },
    compact=("name",),
)


class TagFields(BaseModel):
    """TagBaseRequest (updateTag): `name`, `color`, `notes`."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, max_length=1024)
    color: Color | None = None
    notes: str | None = Field(default=None, max_length=65536)


class TagCreateFields(TagFields):
    """TagCreateRequest: also `followers` (users) and `workspace` (a path may name it instead)."""

    followers: UserList | None = None
    workspace: str | None = Field(default=None, max_length=64)


class TagBody(BaseModel):
    """addTag/removeTag: `tag`, a tag gid."""

    model_config = ConfigDict(extra="ignore")
    tag: str | None = Field(default=None, max_length=64)
