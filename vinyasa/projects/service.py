"""Creating, changing and deleting projects, with Asana's rules for teams, dates and rich notes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vinyasa import access
from vinyasa.core import Caller
from vinyasa.core.clock import now_ms
from vinyasa.db import delete_row, insert_row, read_row, update_row
from vinyasa.errors import InvalidRequest
from vinyasa.models import Project
from vinyasa.notes import stored_rich_text
from vinyasa.portfolios import items as portfolio_items
from vinyasa.portfolios.fields import PROJECT_VALUES
from vinyasa.projects import changes as recorded
from vinyasa.projects import members
from vinyasa.projects.schemas import NOT_NULL, ProjectFields
from vinyasa.protocol import changes
from vinyasa.protocol.gids import new_gid
from vinyasa.protocol.values import check_span, parse_date, parse_datetime_ms
from vinyasa.sections import service as sections

# vinyasa's defaults for a new project (Asana documents none).
DEFAULTS: dict[str, Any] = {
    "name": "",
    "html_notes": "<body></body>",
    "archived": False,
    "color": None,
    "icon": None,
    "default_view": "list",
    "due_on": None,
    "start_on": None,
    "privacy_setting": "public_to_workspace",
    "default_access_level": "editor",
    "minimum_access_level_for_customization": "editor",
    "minimum_access_level_for_sharing": "editor",
}
SIMPLE = (
    "name",
    "archived",
    "color",
    "icon",
    "default_view",
    "default_access_level",
    "minimum_access_level_for_customization",
    "minimum_access_level_for_sharing",
)


def _announce(ctx: Caller, fields: ProjectFields) -> None:
    """Note the Asana changes a deprecated input touches (`team`, `private_to_team`; digest §A.12)."""
    if "team" in fields.model_fields_set:
        changes.announce(ctx, changes.TEAMLESS_PROJECTS)
    if fields.privacy_setting == "private_to_team":
        changes.announce(ctx, changes.PROJECT_TEAM_SHARING)


def _no_nulls(fields: ProjectFields) -> None:
    for name in NOT_NULL:
        if name in fields.model_fields_set and getattr(fields, name) is None:
            raise InvalidRequest(f"{name}: Cannot be null")


def _simple(fields: ProjectFields) -> dict[str, Any]:
    return {name: getattr(fields, name) for name in SIMPLE if name in fields.model_fields_set}


def _privacy(fields: ProjectFields) -> str | None:
    """The privacy setting from `privacy_setting` or the deprecated `public` (false means private)."""
    setting = fields.privacy_setting
    if fields.public is None:
        return setting
    if setting is not None and (setting == "public_to_workspace") != fields.public:
        raise InvalidRequest("public: Contradicts privacy_setting; give only privacy_setting")
    return setting or ("public_to_workspace" if fields.public else "private")


def _due(fields: ProjectFields) -> tuple[bool, str | None]:
    """Whether a due date was given (`due_on`, its alias `due_date`, or `due_at`), and which date."""
    given = fields.model_fields_set
    found: dict[str, str | None] = {}
    for name in ("due_on", "due_date"):
        if name in given:
            value = getattr(fields, name)
            found[name] = None if value is None else parse_date(name, value)
    if "due_at" in given:
        at = fields.due_at
        found["due_at"] = (
            None
            if at is None
            else datetime.fromtimestamp(parse_datetime_ms("due_at", at) / 1000, UTC).date().isoformat()
        )
    if len(set(found.values())) > 1:
        raise InvalidRequest(f"{', '.join(found)}: These due dates disagree; give only due_on")
    return bool(found), next(iter(found.values()), None)


def _dates(fields: ProjectFields, start: str | None, due: str | None) -> dict[str, str | None]:
    """Changes to start_on/due_on; start_on needs a due date in the same request, before it."""
    changes: dict[str, str | None] = {}
    due_given, new_due = _due(fields)
    if due_given:
        changes["due_on"] = due = new_due
    if "start_on" in fields.model_fields_set:
        if not due_given:
            raise InvalidRequest(
                "start_on: due_on or due_at must be present in the request when setting or unsetting start_on"
            )
        value = fields.start_on
        changes["start_on"] = start = None if value is None else parse_date("start_on", value)
    if start is not None and due is None:
        raise InvalidRequest("due_on: A project with a start date must also have a due date")
    check_span("start_on", start, due)
    return changes


def _custom_fields(fields: ProjectFields) -> None:
    """A new project is in no portfolio yet, so it has no custom field: any named one is unknown."""
    for key in fields.custom_fields or {}:
        raise InvalidRequest(f"custom_fields: Unknown custom field: {key[:64]}")


def _owner(ctx: Caller, value: str | None, workspace_gid: int) -> int | None:
    if value is None:
        return None
    return members.resolve_users(ctx, "owner", [value], workspace_gid)[0]


def _placement(
    ctx: Caller, fields: ProjectFields, workspace_gid: int | None, team_gid: int | None
) -> tuple[int, int | None]:
    """The new project's workspace and team, from the URL and the body, which must agree."""
    if fields.workspace is not None:
        named = access.workspace(ctx, fields.workspace, "workspace")
        if workspace_gid is not None and named != workspace_gid:
            raise InvalidRequest("workspace: Does not match the workspace of the request's URL")
        workspace_gid = named
    if fields.team is not None:
        named_team, team_workspace = access.team(ctx, fields.team, "team")
        if team_gid is not None and named_team != team_gid:
            raise InvalidRequest("team: Does not match the team of the request's URL")
        if workspace_gid is not None and team_workspace != workspace_gid:
            raise InvalidRequest("team: The team is not in the project's workspace")
        team_gid, workspace_gid = named_team, team_workspace
    if workspace_gid is None:
        raise InvalidRequest("workspace: Missing input")
    organization = access.is_organization(ctx.conn, workspace_gid)
    if organization and team_gid is None and ctx.keeps_old(changes.TEAMLESS_PROJECTS):
        raise InvalidRequest("team: Missing input. A project in an organization must be shared with a team")
    if not organization and team_gid is not None:
        raise InvalidRequest("team: Projects in a workspace that is not an organization cannot have a team")
    return workspace_gid, team_gid


def _shares_with_team(ctx: Caller, privacy: str) -> bool:
    """Whether a project's `team` is also made a member (so its people get access).

    Today's Asana: only for the deprecated `private_to_team` ("visible to members of the team"), which
    keeps its meaning that way; the team alone is an associated team that grants nothing. With
    `Asana-Disable: teamless_projects` (the old behaviour): the team contains the project and grants
    access, as every containing team did before Asana migrated them to members, unless it is `private`.
    """
    if privacy == "private_to_team":
        return True
    return privacy != "private" and ctx.keeps_old(changes.TEAMLESS_PROJECTS)


def create_project(
    ctx: Caller, fields: ProjectFields, *, workspace_gid: int | None = None, team_gid: int | None = None
) -> int:
    """A new project; the creator (and owner, by default the creator) become admins, followers members."""
    _no_nulls(fields)
    workspace_gid, team_gid = _placement(ctx, fields, workspace_gid, team_gid)
    values = {**DEFAULTS, **_simple(fields)}
    values["privacy_setting"] = _privacy(fields) or values["privacy_setting"]
    if values["privacy_setting"] == "private_to_team" and team_gid is None:
        raise InvalidRequest(
            "privacy_setting: private_to_team needs a team, and only organizations have teams"
        )
    values["html_notes"] = (
        stored_rich_text(ctx, ("html_notes", fields.html_notes), ("notes", fields.notes))
        or values["html_notes"]
    )
    values.update(_dates(fields, None, None))
    _custom_fields(fields)
    owner = _owner(ctx, fields.owner, workspace_gid) if "owner" in fields.model_fields_set else ctx.user_gid
    followers = (
        members.resolve_users(ctx, "followers", fields.followers, workspace_gid) if fields.followers else []
    )

    gid = new_gid(ctx.conn)
    now = now_ms()
    row = {
        "gid": gid,
        "workspace_gid": workspace_gid,
        "team_gid": team_gid,
        "owner_gid": owner,
        "completed": False,
        "created_at": now,
        "modified_at": now,
        **values,
    }
    insert_row(ctx.conn, Project, row)
    levels = {ctx.user_gid: "admin"}
    if owner is not None:
        levels[owner] = "admin"
    for user in followers:
        levels.setdefault(user, values["default_access_level"])
    members.add_members(ctx.conn, gid, levels)
    members.add_followers(ctx.conn, gid, followers, values["default_access_level"])
    if team_gid is not None and _shares_with_team(ctx, values["privacy_setting"]):
        members.add_team(ctx.conn, gid, team_gid, values["default_access_level"])
    section = sections.create_default(ctx.conn, gid)  # every new project starts with one section
    recorded.created(ctx, gid, workspace_gid, team_gid, section)
    _announce(ctx, fields)
    return gid


def _team_change(ctx: Caller, value: str | None, workspace_gid: int) -> int | None:
    """A new associated team for a project (see the route's docstring); null clears it, except with
    `Asana-Disable: teamless_projects`, where a project in an organization must keep a team."""
    if value is None:
        if ctx.keeps_old(changes.TEAMLESS_PROJECTS) and access.is_organization(ctx.conn, workspace_gid):
            raise InvalidRequest("team: A project in an organization must have a team")
        return None
    team_gid, team_workspace = access.team(ctx, value, "team")
    if team_workspace != workspace_gid:
        raise InvalidRequest("team: A project can only move to a team of its own workspace")
    return team_gid


def _reshare(ctx: Caller, project: access.VisibleProject, row: Any, actual: dict[str, Any]) -> None:
    """Keep the team's membership in step with a changed team or privacy (see `_shares_with_team`).

    The old behaviour (`Asana-Disable: teamless_projects`) treats the team as the project's container:
    its membership moves to a new team, and ends when the project becomes `private`."""
    team_gid = actual.get("team_gid", row["team_gid"])
    privacy = actual.get("privacy_setting", row["privacy_setting"])
    if ctx.keeps_old(changes.TEAMLESS_PROJECTS) and row["team_gid"] is not None:
        if "team_gid" in actual or privacy == "private":
            members.remove_team(ctx.conn, project.gid, row["team_gid"])
    if team_gid is not None and actual.keys() & {"team_gid", "privacy_setting"}:
        if _shares_with_team(ctx, privacy):
            level = actual.get("default_access_level", row["default_access_level"])
            members.add_team(ctx.conn, project.gid, team_gid, level)


def update_project(ctx: Caller, project: access.VisibleProject, fields: ProjectFields) -> None:
    """Apply a partial change; `modified_at` moves only when a stored value actually changes."""
    access.require_project_level(project, "editor", "edit it")
    _no_nulls(fields)
    given = fields.model_fields_set
    row = read_row(ctx.conn, Project, project.gid)
    assert row is not None  # the caller holds it (access.project)
    if fields.workspace is not None and fields.workspace != str(project.workspace_gid):
        raise InvalidRequest("workspace: A project cannot be moved to another workspace")
    changes = _simple(fields)
    privacy = _privacy(fields)
    if privacy is not None:
        changes["privacy_setting"] = privacy
    html = stored_rich_text(ctx, ("html_notes", fields.html_notes), ("notes", fields.notes))
    if html is not None:
        changes["html_notes"] = html
    changes.update(_dates(fields, row["start_on"], row["due_on"]))
    if "owner" in given:
        changes["owner_gid"] = _owner(ctx, fields.owner, project.workspace_gid)
    if "team" in given:
        changes["team_gid"] = _team_change(ctx, fields.team, project.workspace_gid)
    if (
        changes.get("privacy_setting") == "private_to_team"
        and changes.get("team_gid", row["team_gid"]) is None
    ):
        raise InvalidRequest(
            "privacy_setting: private_to_team needs a team, and only organizations have teams"
        )

    actual = {k: v for k, v in changes.items() if row[k] != v}
    access.require_project_change(project, set(actual))
    if actual:
        actual["modified_at"] = max(now_ms(), row["modified_at"] + 1)
        update_row(ctx.conn, Project, project.gid, actual)
        recorded.changed(ctx, project.gid, project.workspace_gid, actual)
    if actual.get("owner_gid") is not None:  # the owner is an admin (only admins change owners)
        members.make_admin(ctx.conn, [project.gid], actual["owner_gid"])
    _reshare(ctx, project, row, actual)
    if fields.custom_fields:  # the fields its portfolios give it (vinyasa.portfolios.fields)
        PROJECT_VALUES.write(ctx, project.gid, project.workspace_gid, fields.custom_fields)
    _announce(ctx, fields)


def delete_project(ctx: Caller, project: access.VisibleProject) -> None:
    """Delete a project; its memberships go with it (ON DELETE CASCADE), in the request's transaction."""
    access.require_project_level(project, "editor", "delete it")
    recorded.deleted(ctx, project.gid, project.workspace_gid)
    portfolio_items.forget(ctx, "project", project.gid)  # the rows go with it (ON DELETE CASCADE)
    delete_row(ctx.conn, Project, project.gid)
