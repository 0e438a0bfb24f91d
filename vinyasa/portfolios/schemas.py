"""Portfolios and portfolio memberships on the wire, and the bodies portfolio endpoints take.

Shapes: PortfolioResponse / PortfolioCompact and DeprecatedPortfolioMembershipCompact of Asana's spec
(vinyasa/spec/asana_oas.yaml; digest §B.3, §C.8).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vinyasa.custom_fields.schemas import settings_of
from vinyasa.models import Portfolio, PortfolioMember
from vinyasa.portfolios import queries
from vinyasa.portfolios.fields import PORTFOLIO_VALUES
from vinyasa.projects.schemas import PaletteColor
from vinyasa.protocol.resources import Resource
from vinyasa.protocol.specs import Col, Derived, Ref, RefList, Viewer, constant
from vinyasa.protocol.values import Boolean, iso_ms
from vinyasa.statuses.queries import PORTFOLIO_CURRENT_STATUS

Color = PaletteColor  # the project palette without `none` (digest §G.10)
AccessLevel = Literal["admin", "editor", "viewer"]
Privacy = Literal["public_to_domain", "members_only"]


def _permalink(row: Mapping[str, Any], viewer: Viewer) -> str:
    return f"{viewer.base_url}/0/portfolio/{row['gid']}/list"


PORTFOLIO = Resource(
    "portfolio",
    Portfolio.__table__,
    {
        "name": Col("name"),
        "archived": Col("archived", bool),
        "color": Col("color"),
        "created_at": Col("created_at", iso_ms),
        "created_by": Ref("created_by_gid", "user"),
        "custom_field_settings": settings_of("portfolio_gid"),
        "custom_fields": PORTFOLIO_VALUES.field,
        "current_status_update": Ref(
            "current_status_update_gid", "status_update", sql=PORTFOLIO_CURRENT_STATUS
        ),
        "default_access_level": Col("default_access_level"),
        "due_on": Col("due_on"),
        "members": RefList("user", link=queries.USERS),
        "owner": Ref("owner_gid", "user"),
        "permalink_url": Derived(("gid",), _permalink),
        "privacy_setting": Col("privacy_setting"),
        "public": Derived(("privacy_setting",), lambda row, _: row["privacy_setting"] == "public_to_domain"),
        # Project templates are not built yet: no portfolio holds any.
        "project_templates": constant([]),
        "start_on": Col("start_on"),
        "workspace": Ref("workspace_gid", "workspace"),
    },
    compact=("name",),
    opt_in=frozenset({"archived"}),
)

PORTFOLIO_MEMBERSHIP = Resource(
    "portfolio_membership",
    PortfolioMember.__table__,
    {
        "portfolio": Ref("portfolio_gid", "portfolio"),
        "user": Ref("user_gid", "user"),
        "access_level": Col("access_level"),
        # PortfolioMembershipCompact's names for the same (the newer schema), on request.
        "parent": Ref("portfolio_gid", "portfolio"),
        "member": Ref("user_gid", "user"),
    },
    compact=("user", "access_level"),
    opt_in=frozenset({"portfolio", "parent", "member"}),
)

# The same memberships as GET/POST/PUT /memberships show them (PortfolioMembershipCompactResponse),
# beside projects' (vinyasa.projects.schemas.MEMBERSHIP, which is the registered "membership").
PORTFOLIO_AS_MEMBERSHIP = Resource(
    "membership",
    PortfolioMember.__table__,
    {
        "parent": Ref("portfolio_gid", "portfolio"),
        "member": Ref("user_gid", "user"),
        "access_level": Col("access_level"),
        "resource_subtype": constant("portfolio_membership"),
    },
    compact=("parent", "member", "access_level", "resource_subtype"),  # parent is no opt-in here
    register=False,
)


# ---- bodies -----------------------------------------------------------------------------------


class PortfolioFields(BaseModel):
    """PortfolioRequest (create) / PortfolioUpdateRequest (update).

    `workspace`, `public` and `privacy_setting` count on create only: an update ignores them, as
    older clients still send their copies (digest §B.3). `members` (the seed's older schema) is
    ignored everywhere: members change through addMembers/removeMembers."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, max_length=1024)
    archived: Boolean | None = None
    color: Color | None = None
    start_on: str | None = None
    due_on: str | None = None
    default_access_level: AccessLevel | None = None
    workspace: str | None = Field(default=None, max_length=64)
    public: Boolean | None = None
    privacy_setting: Privacy | None = None
    custom_fields: dict[str, Any] | None = None


# Fields that may not be set to null.
NOT_NULL = ("name", "archived", "color", "default_access_level", "public", "privacy_setting")


class ItemBody(BaseModel):
    """PortfolioAddItemRequest / PortfolioRemoveItemRequest."""

    model_config = ConfigDict(extra="ignore")
    item: str | None = Field(default=None, max_length=64)
    insert_before: str | None = Field(default=None, max_length=64)
    insert_after: str | None = Field(default=None, max_length=64)
