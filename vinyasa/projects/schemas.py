"""Projects and project memberships on the wire, and the bodies project endpoints take."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from vinyasa import richtext
from vinyasa.custom_fields.schemas import settings_of
from vinyasa.models import Project, ProjectMember
from vinyasa.portfolios.fields import PROJECT_VALUES
from vinyasa.projects import queries
from vinyasa.protocol.changes import TEAMLESS_PROJECTS
from vinyasa.protocol.resources import Resource
from vinyasa.protocol.specs import Col, Derived, OneOf, Ref, RefList, Viewer, constant
from vinyasa.protocol.values import Boolean, iso_ms
from vinyasa.statuses.queries import CURRENT_STATUS, PROJECT_BRIEF

# Asana's palette; projects add `none`, portfolios do not (digest §G.10).
PaletteColor = Literal[
    "dark-pink",
    "dark-green",
    "dark-blue",
    "dark-red",
    "dark-teal",
    "dark-brown",
    "dark-orange",
    "dark-purple",
    "dark-warm-gray",
    "light-pink",
    "light-green",
    "light-blue",
    "light-red",
    "light-teal",
    "light-brown",
    "light-orange",
    "light-purple",
    "light-warm-gray",
]
Color = Literal[PaletteColor, "none"]
Icon = Literal[
    "list",
    "board",
    "timeline",
    "calendar",
    "rocket",
    "people",
    "graph",
    "star",
    "bug",
    "light_bulb",
    "globe",
    "gear",
    "notebook",
    "computer",
    "check",
    "target",
    "html",
    "megaphone",
    "chat_bubbles",
    "briefcase",
    "page_layout",
    "mountain_flag",
    "puzzle",
    "presentation",
    "line_and_symbols",
    "speed_dial",
    "ribbon",
    "shoe",
    "shopping_basket",
    "map",
    "ticket",
    "coins",
]
View = Literal["list", "board", "calendar", "timeline"]
Privacy = Literal["public_to_workspace", "private_to_team", "private"]
AccessLevel = Literal["admin", "editor", "commenter", "viewer"]
MinimumLevel = Literal["admin", "editor"]
MAX_USERS = 1000


def _user_list(value: Any) -> list[str]:
    """Users given as a comma-separated string or an array of strings (`me`, emails, gids)."""
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = value
    else:
        raise PydanticCustomError(
            "user_list", "Must be a comma-separated string or an array of strings identifying users"
        )
    users = list(dict.fromkeys(item.strip() for item in items if item.strip()))
    if len(users) > MAX_USERS:
        raise PydanticCustomError("user_list", f"At most {MAX_USERS} users can be given at once")
    return users


UserList = Annotated[list[str], BeforeValidator(_user_list)]


# ---- projects ---------------------------------------------------------------------------------


def _permalink(row: Mapping[str, Any], viewer: Viewer) -> str:
    return f"{viewer.base_url}/0/{row['gid']}/list"


PROJECT = Resource(
    "project",
    Project.__table__,
    {
        "name": Col("name"),
        "archived": Col("archived", bool),
        "color": Col("color"),
        "icon": Col("icon"),
        "created_at": Col("created_at", iso_ms),
        # The newest status, in its legacy and its status-update form (vinyasa.statuses).
        "current_status": Ref("current_status_gid", "project_status", sql=CURRENT_STATUS),
        "current_status_update": Ref("current_status_gid", "status_update", sql=CURRENT_STATUS),
        "custom_field_settings": settings_of("project_gid"),
        "default_view": Col("default_view"),
        "due_date": Col("due_on"),
        "due_on": Col("due_on"),
        "html_notes": Col("html_notes"),
        "members": RefList("user", link=queries.MEMBERS),
        "modified_at": Col("modified_at", iso_ms),
        "notes": Derived(("html_notes",), lambda row, _: richtext.to_text(row["html_notes"])),
        "public": Derived(
            ("privacy_setting",), lambda row, _: row["privacy_setting"] == "public_to_workspace"
        ),
        "privacy_setting": Col("privacy_setting"),
        "start_on": Col("start_on"),
        "default_access_level": Col("default_access_level"),
        "minimum_access_level_for_customization": Col("minimum_access_level_for_customization"),
        "minimum_access_level_for_sharing": Col("minimum_access_level_for_sharing"),
        # Values of the fields its portfolios give it (vinyasa.portfolios.fields).
        "custom_fields": PROJECT_VALUES.field,
        "completed": Col("completed", bool),
        "completed_at": Col("completed_at", iso_ms),
        "completed_by": Ref("completed_by_gid", "user"),
        "followers": RefList("user", link=queries.FOLLOWERS),
        "owner": Ref("owner_gid", "user"),
        # Asana's "associated team": null unless one was given; grants no access (vinyasa.access).
        "team": Ref("team_gid", "team", change=TEAMLESS_PROJECTS),
        "permalink_url": Derived(("gid",), _permalink),
        "project_brief": Ref("project_brief_gid", "project_brief", sql=PROJECT_BRIEF),
        # The template it was instantiated from, while that template exists (vinyasa.jobs.templates).
        "created_from_template": Ref(
            "created_from_template_gid", "project_template", sql=queries.FROM_TEMPLATE
        ),
        "workspace": Ref("workspace_gid", "workspace"),
    },
    compact=("name",),
    opt_in=frozenset({"html_notes", "project_brief", "created_from_template"}),
)


def _write_access(row: Mapping[str, Any], _viewer: Viewer) -> str:
    return "full_write" if row["access_level"] in ("admin", "editor") else "comment_only"


# A membership's member: a user or a team (MemberCompact).
MEMBER = OneOf((Ref("user_gid", "user"), Ref("team_gid", "team")))

PROJECT_MEMBERSHIP = Resource(
    "project_membership",
    ProjectMember.__table__,
    {
        "parent": Ref("project_gid", "project"),
        "member": MEMBER,
        "access_level": Col("access_level"),
        "user": Ref("user_gid", "user"),  # null for a team's membership
        "project": Ref("project_gid", "project"),
        "write_access": Derived(("access_level",), _write_access),
    },
    compact=("member", "access_level"),
    opt_in=frozenset({"parent", "project"}),
)

# The same memberships as GET/POST/PUT /memberships show them (ProjectMembershipCompactResponse).
MEMBERSHIP = Resource(
    "membership",
    ProjectMember.__table__,
    {
        "parent": Ref("project_gid", "project"),
        "member": MEMBER,
        "access_level": Col("access_level"),
        "resource_subtype": constant("project_membership"),
    },
    compact=("member", "access_level", "resource_subtype"),
    opt_in=frozenset({"parent"}),
)


# ---- bodies -----------------------------------------------------------------------------------


class ProjectFields(BaseModel):
    """Fields a project body may set (ProjectRequest / ProjectUpdateRequest); read-only ones are ignored.

    Which fields were given at all (`model_fields_set`) matters: `null` clears the nullable ones.
    """

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, max_length=1024)
    notes: str | None = Field(default=None, max_length=65536)
    html_notes: str | None = Field(default=None, max_length=65536)
    archived: Boolean | None = None
    color: Color | None = None
    icon: Icon | None = None
    default_view: View | None = None
    due_on: str | None = None
    due_date: str | None = None
    due_at: str | None = None
    start_on: str | None = None
    public: Boolean | None = None
    privacy_setting: Privacy | None = None
    default_access_level: AccessLevel | None = None
    minimum_access_level_for_customization: MinimumLevel | None = None
    minimum_access_level_for_sharing: MinimumLevel | None = None
    custom_fields: dict[str, Any] | None = None
    followers: UserList | None = None
    owner: str | None = None
    team: str | None = None
    workspace: str | None = None


# Fields that may not be set to null (everything else named above is nullable or create-only).
NOT_NULL = (
    "name",
    "notes",
    "html_notes",
    "archived",
    "default_view",
    "public",
    "privacy_setting",
    "default_access_level",
    "minimum_access_level_for_customization",
    "minimum_access_level_for_sharing",
)


class MembersBody(BaseModel):
    """addMembers / removeMembers."""

    model_config = ConfigDict(extra="ignore")
    members: UserList


class FollowersBody(BaseModel):
    """addFollowers / removeFollowers."""

    model_config = ConfigDict(extra="ignore")
    followers: UserList
