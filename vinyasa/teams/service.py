"""Creating and changing teams, and their memberships, with Asana's team permission settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from vinyasa import access
from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.db import insert_new, insert_row, update_row
from vinyasa.errors import Forbidden, InvalidRequest
from vinyasa.models import Team, TeamMember
from vinyasa.notes import stored_rich_text
from vinyasa.protocol.gids import new_gid
from vinyasa.teams import queries
from vinyasa.teams.schemas import ACCESS_LEVELS, TeamFields

# vinyasa's defaults for a new team (Asana documents none): open to request, every member may act.
DEFAULTS: dict[str, Any] = {
    "visibility": "request_to_join",
    **dict.fromkeys(ACCESS_LEVELS, "all_team_members"),
    "team_content_management_access_level": "no_restriction",
    "endorsed": False,
}


def _settings(ctx: Caller, fields: TeamFields) -> dict[str, Any]:
    keys = ("name", "visibility", *ACCESS_LEVELS, "endorsed")
    values = {k: getattr(fields, k) for k in keys if getattr(fields, k) is not None}
    html = stored_rich_text(
        ctx, ("html_description", fields.html_description), ("description", fields.description)
    )
    if html is not None:
        values["html_description"] = html
    return values


def insert_team(conn: Connection, workspace_gid: int, owner_gid: int, values: dict[str, Any]) -> int:
    """Store a new team with vinyasa's defaults under `values`; the owner joins as its admin."""
    gid = new_gid(conn)
    row = {**DEFAULTS, "html_description": "<body></body>", **values}
    insert_row(conn, Team, {"gid": gid, "workspace_gid": workspace_gid, "created_at": now_ms(), **row})
    add_member(conn, gid, owner_gid, admin=True)
    return gid


def create_team(ctx: Caller, fields: TeamFields) -> int:
    """A new team in an organization; the creator joins it as its admin."""
    if fields.name is None:
        raise InvalidRequest("name: Missing input")
    if fields.organization is None:
        raise InvalidRequest("organization: Missing input")
    workspace_gid = access.workspace(ctx, fields.organization, "organization")
    if not access.is_organization(ctx.conn, workspace_gid):
        raise InvalidRequest("organization: Teams can only be created in an organization, not a workspace")
    gid = insert_team(ctx.conn, workspace_gid, ctx.user_gid, _settings(ctx, fields))
    journal.record(ctx, ("team", gid), "added", parent=("workspace", workspace_gid), topics=())
    return gid


def _require_level(ctx: Caller, team_gid: int, level_field: str, what: str) -> None:
    """403 unless the caller is in the team and, where the team says so, one of its admins."""
    role = access.team_role(ctx, team_gid)
    if role is None:
        raise Forbidden(f"You must be a member of this team to {what}.")
    if queries.setting(ctx.conn, team_gid, level_field) == "only_team_admins" and not role:
        raise Forbidden(f"Only team admins can {what}.")


def update_team(ctx: Caller, team_gid: int, workspace_gid: int, fields: TeamFields) -> None:
    """Apply a partial change, checking the team's own edit permissions for each kind of field."""
    if fields.organization is not None and fields.organization != str(workspace_gid):
        raise InvalidRequest("organization: The organization of a team cannot be changed")
    values = _settings(ctx, fields)
    if not values:
        _require_level(ctx, team_gid, "edit_team_name_or_description_access_level", "edit this team")
        return
    if {"name", "html_description"} & values.keys():
        _require_level(ctx, team_gid, "edit_team_name_or_description_access_level", "edit this team")
    if "visibility" in values:
        _require_level(ctx, team_gid, "edit_team_visibility_or_trash_team_access_level", "change visibility")
    if ({*ACCESS_LEVELS, "endorsed"} & values.keys()) and not access.team_role(ctx, team_gid):
        raise Forbidden("Only team admins can change team permission settings.")
    update_row(ctx.conn, Team, team_gid, values)
    names = [{"html_description": "description"}.get(k, k) for k in values]
    journal.changed(ctx, ("team", team_gid), names, topics=[workspace_gid])


def add_member(conn: Connection, team_gid: int, user_gid: int, *, admin: bool = False) -> int:
    """Put a user in a team (a no-op when present); returns the membership gid."""
    return _join(conn, team_gid, user_gid, admin)[0]


def _join(conn: Connection, team_gid: int, user_gid: int, admin: bool) -> tuple[int, bool]:
    """`add_member`: (the membership gid, whether it is new)."""
    row = {
        "gid": new_gid(conn),
        "team_gid": team_gid,
        "user_gid": user_gid,
        "is_admin": admin,
        "is_guest": False,
        "created_at": now_ms(),
    }
    new = insert_new(conn, TeamMember, [row], "gid")
    if new:
        return int(new[0]), True
    present = queries.membership(conn, team_gid, user_gid)
    assert present is not None  # the insert met this membership
    return present, False


def invite(ctx: Caller, team_gid: int, workspace_gid: int, user_gid: int) -> int:
    """addUser: the caller must be allowed to invite, and the user must be in the organization."""
    _require_level(ctx, team_gid, "member_invite_management_access_level", "add members")
    if workspace_gid not in access.workspaces_of(ctx.conn, user_gid):
        raise InvalidRequest("user: The user must be a member of the team's organization")
    gid, added = _join(ctx.conn, team_gid, user_gid, False)
    if added:
        _record_member(ctx, team_gid, workspace_gid, "added", user_gid)
    return gid


def _record_member(caller: Caller, team_gid: int, workspace_gid: int, action: str, user_gid: int) -> None:
    """Journal: the team's `members` field `changed` (a user `added` or `removed`)."""
    journal.member(caller, ("team", team_gid), action, ("user", user_gid), topics=[workspace_gid])


def remove_member(ctx: Caller, team_gid: int, workspace_gid: int, user_gid: int) -> None:
    """removeUser: anyone may leave; removing others follows the team's removal setting
    (`workspace_gid`: the team's organization)."""
    if user_gid != ctx.user_gid:
        _require_level(ctx, team_gid, "team_member_removal_access_level", "remove members")
    if queries.remove_member(ctx.conn, team_gid, user_gid):
        _record_member(ctx, team_gid, workspace_gid, "removed", user_gid)
