"""Teams and team memberships on the wire, and the bodies team endpoints take."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vinyasa import access, richtext
from vinyasa.custom_fields.schemas import team_settings
from vinyasa.models import Team, TeamMember
from vinyasa.protocol.resources import Resource
from vinyasa.protocol.specs import Col, Derived, Ref, RefList, Viewer
from vinyasa.protocol.values import Boolean

Everyone = Literal["all_team_members", "only_team_admins"]
ACCESS_LEVELS = (
    "edit_team_name_or_description_access_level",
    "edit_team_visibility_or_trash_team_access_level",
    "member_invite_management_access_level",
    "guest_invite_management_access_level",
    "join_request_management_access_level",
    "team_member_removal_access_level",
    "team_content_management_access_level",
)


def _permalink(row: Mapping[str, Any], viewer: Viewer) -> str:
    return f"{viewer.base_url}/0/team/{row['gid']}"


TEAM = Resource(
    "team",
    Team.__table__,
    {
        "name": Col("name"),
        "description": Derived(
            ("html_description",), lambda row, _: richtext.to_text(row["html_description"])
        ),
        "html_description": Col("html_description"),
        "organization": Ref("workspace_gid", "workspace"),
        "permalink_url": Derived(("gid",), _permalink),
        "visibility": Col("visibility"),
        **{level: Col(level) for level in ACCESS_LEVELS},
        "endorsed": Col("endorsed", bool),
        "custom_field_settings": RefList("custom_field_setting", team_settings),
    },
    compact=("name",),
    opt_in=frozenset({"description", "html_description"}),
    hidden=access.hidden_teams,  # a secret team named by a public project, a membership...
    # Not secret: every member of its organization sees it, and whoever sees an object naming it is one.
    shown_when=("visibility", lambda visibility: visibility != "secret"),
)

TEAM_MEMBERSHIP = Resource(
    "team_membership",
    TeamMember.__table__,
    {
        "user": Ref("user_gid", "user"),
        "team": Ref("team_gid", "team"),
        "is_guest": Col("is_guest", bool),
        "is_limited_access": Derived((), lambda _row, _viewer: False),
        "is_admin": Col("is_admin", bool),
    },
    compact=("user", "team", "is_guest", "is_limited_access", "is_admin"),
)


class TeamFields(BaseModel):
    """Fields a team body may set (TeamRequest); read-only ones are ignored."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, min_length=1, max_length=512)
    description: str | None = Field(default=None, max_length=65536)
    html_description: str | None = Field(default=None, max_length=65536)
    organization: str | None = None
    visibility: Literal["secret", "request_to_join", "public"] | None = None
    edit_team_name_or_description_access_level: Everyone | None = None
    edit_team_visibility_or_trash_team_access_level: Everyone | None = None
    member_invite_management_access_level: Everyone | None = None
    guest_invite_management_access_level: Everyone | None = None
    join_request_management_access_level: Everyone | None = None
    team_member_removal_access_level: Everyone | None = None
    team_content_management_access_level: Literal["no_restriction", "only_team_admins"] | None = None
    endorsed: Boolean | None = None
