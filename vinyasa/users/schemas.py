"""How users look on the wire (UserCompact / UserResponse / UserBaseResponse)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from vinyasa.models import User
from vinyasa.protocol.resources import Resource
from vinyasa.protocol.specs import Col, RefList, Viewer, constant
from vinyasa.users import queries
from vinyasa.users.fields import USER_VALUES


def _shared_workspaces(conn: Connection, viewer: Viewer, gids: list[int]) -> dict[int, list[int]]:
    """Each user's workspaces, limited to those the viewer is also in (as Asana does)."""
    rows = queries.shared_workspaces(conn, viewer.user_gid, gids)
    out: dict[int, list[int]] = {}
    for user_gid, workspace_gid in rows:
        out.setdefault(user_gid, []).append(workspace_gid)
    return out


USER = Resource(
    "user",
    User.__table__,
    {
        "name": Col("name"),
        "email": Col("email"),
        "photo": constant(None),  # vinyasa stores no profile photos: always null
        "workspaces": RefList("workspace", _shared_workspaces),
        "custom_fields": USER_VALUES.field,  # the fields its workspaces give (vinyasa.users.fields)
    },
    compact=("name",),
)

USER_BASE = USER.view(("name", "email", "photo"))


class UserReference(BaseModel):
    """addUser / removeUser bodies: `me`, an email or a gid."""

    model_config = ConfigDict(extra="ignore")
    user: str = Field(min_length=1, max_length=320)


class UserFields(BaseModel):
    """updateUser bodies (UserUpdateRequest): `name` (the caller's own only) and `custom_fields`."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, min_length=1, max_length=512)
    custom_fields: dict[str, object] | None = None
