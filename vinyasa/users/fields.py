"""Custom field values on users: UserResponse `custom_fields` and UserUpdateRequest `custom_fields`
(`PUT /users/{gid}`, `PUT /workspaces/{gid}/users/{user_gid}`).

The generic value machinery (vinyasa.custom_fields.values.ValueStore) does the work: a user *has*
the fields their workspaces give their members, a custom field setting on the workspace
(`workspace_gid`; Asana sets these "profile fields" only in its admin console, vinyasa through its
control plane: `POST /_vinyasa/workspaces/{gid}/user_custom_fields`). Decided here
(docs/deviations.md):

- A viewer sees only the values of fields of workspaces they share with the user.
- A user may set their own values; a workspace admin anyone's in that workspace; others get a 403.
- The values of one request are of one workspace's fields (the route's workspace, `?workspace=`, or
  the fields' own); a field of another workspace, or one the workspace does not give its members,
  is a 400 naming `custom_fields.<gid>`; values are typed and checked as on tasks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vinyasa import access, ordering
from vinyasa.core import Caller
from vinyasa.custom_fields import settings
from vinyasa.custom_fields.queries import settings_in
from vinyasa.custom_fields.schemas import AddSettingBody
from vinyasa.custom_fields.values import ValueStore
from vinyasa.errors import Forbidden, InvalidRequest
from vinyasa.protocol.gids import as_gid
from vinyasa.protocol.specs import Viewer
from vinyasa.users import queries

WORKSPACE = settings.register(settings.Container("workspace", "workspace_gid"))


def _visible(conn: Any, viewer: Viewer, field_gids: list[int]) -> set[int]:
    """The fields of workspaces the viewer is in."""
    return queries.fields_in_viewer_workspaces(conn, viewer.user_gid, field_gids)


USER_VALUES = ValueStore(
    "user_custom_field_values",
    "user_gid",
    "user",
    queries.USER_CONTAINERS,
    "workspace_gid",
    visible=_visible,
)


def write(ctx: Caller, user_gid: int, given: Mapping[str, Any], workspace_gid: int | None) -> None:
    """Apply `custom_fields` of an updateUser (see the module docstring for the rules)."""
    if not given:
        return
    spaces = queries.field_workspaces(ctx.conn, [str(k) for k in given])
    for key in given:
        found = spaces.get(str(key))
        if found is None or found not in access.workspace_roles(ctx):
            raise InvalidRequest(f"custom_fields.{str(key)[:64]}: Unknown object: {str(key)[:64]}")
        if workspace_gid is not None and found != workspace_gid:
            raise InvalidRequest(f"custom_fields.{str(key)[:64]}: The custom field is in another workspace")
        workspace_gid = found
    assert workspace_gid is not None
    if user_gid != ctx.user_gid and not access.workspace_roles(ctx)[workspace_gid]:
        raise Forbidden("Only the user or an admin of the workspace can change a user's custom fields.")
    USER_VALUES.write(ctx, user_gid, workspace_gid, given)


def change_setting(ctx: Caller, workspace: str, field: str, *, remove: bool = False) -> list[str]:
    """Give the workspace's members a custom field of the workspace (or stop: `remove`; their values
    stay, shown disabled), acting as an admin of the workspace (`ctx.user_gid` is set to one): the
    control plane's way, as Asana's is its admin console. 400 for an unknown workspace or field, a
    field already given (or not given, to remove). Returns the workspace's user fields in order."""
    gid = as_gid(workspace)
    admin = queries.workspace_admin(ctx.conn, gid) if gid is not None else None
    if gid is None or admin is None:
        raise InvalidRequest(f"workspace: Unknown object: {workspace[:64]}")
    ctx.user_gid = admin
    ordering.lock(ctx.conn, "workspaces", gid)
    parent = settings.Parent(WORKSPACE, gid, gid)
    if remove:
        settings.remove_setting(ctx, parent, field)
    else:
        settings.add_setting(ctx, parent, AddSettingBody(custom_field=field))
    return [str(f) for _, f in settings_in(ctx.conn, WORKSPACE.column, [gid], of="custom_field_gid")]
