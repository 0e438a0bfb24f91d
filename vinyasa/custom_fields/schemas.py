"""Custom fields, enum options and custom field settings on the wire, and the bodies their endpoints take.

Shapes: CustomFieldResponse, EnumOption and CustomFieldSettingResponse of Asana's spec
(vinyasa/spec/asana_oas.yaml; digest §C.5).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from vinyasa import access
from vinyasa.custom_fields import queries
from vinyasa.models import CustomField, CustomFieldSetting, EnumOption
from vinyasa.protocol.resources import Resource
from vinyasa.protocol.specs import Col, Derived, OneOf, Ref, RefList, Viewer, constant
from vinyasa.protocol.values import Boolean

Subtype = Literal["text", "enum", "multi_enum", "number", "date", "people", "reference"]
Format = Literal["currency", "identifier", "percentage", "custom", "duration", "none"]
LabelPosition = Literal["prefix", "suffix"]
Privacy = Literal["public_with_guests", "public", "private"]
AccessLevel = Literal["admin", "editor", "user"]
Restriction = Literal["task", "project", "portfolio", "goal"]
# EnumOption.color: Asana's option palette (`none` by default). The spec types it a bare string
# (example `blue`); the one list of these names it enumerates is TimeTrackingCategoryBaseRequest.color.
# Not the project palette (`dark-pink`...): vinyasa.projects.schemas.PaletteColor.
OptionColor = Literal[
    "none",
    "red",
    "orange",
    "yellow-orange",
    "yellow",
    "yellow-green",
    "green",
    "blue-green",
    "aqua",
    "blue",
    "indigo",
    "purple",
    "magenta",
    "hot-pink",
    "pink",
    "cool-gray",
]


def _restrictions(row: Mapping[str, Any], _viewer: Viewer) -> list[str]:
    return [r for r in row["input_restrictions"].split(",") if r]


def _representation(row: Mapping[str, Any], _viewer: Viewer) -> str:
    return "custom_id" if row["id_prefix"] is not None else str(row["resource_subtype"])


def _read_only(row: Mapping[str, Any], _viewer: Viewer) -> bool:
    return row["id_prefix"] is not None  # a custom ID is given, never written


ENUM_OPTION = Resource(
    "enum_option",
    EnumOption.__table__,
    {"name": Col("name"), "enabled": Col("enabled", bool), "color": Col("color")},
    compact=("name", "enabled", "color"),
)

CUSTOM_FIELD = Resource(
    "custom_field",
    CustomField.__table__,
    {
        "name": Col("name"),
        "resource_subtype": Col("resource_subtype"),
        "type": Col("resource_subtype"),  # deprecated: the same as resource_subtype
        "enum_options": RefList("enum_option", children=("custom_field_gid", ("position", "gid"))),
        "representation_type": Derived(("resource_subtype", "id_prefix"), _representation),
        "id_prefix": Col("id_prefix"),
        "input_restrictions": Derived(("input_restrictions",), _restrictions),
        "is_formula_field": constant(False),  # formula fields are not built
        "is_value_read_only": Derived(("id_prefix",), _read_only),
        "description": Col("description"),
        "precision": Col("precision"),
        "format": Col("format"),
        "currency_code": Col("currency_code"),
        "custom_label": Col("custom_label"),
        "custom_label_position": Col("custom_label_position"),
        "is_global_to_workspace": constant(True),
        "has_notifications_enabled": Col("has_notifications_enabled", bool),
        "asana_created_field": constant(None),
        "privacy_setting": Col("privacy_setting"),
        "default_access_level": Col("default_access_level"),
        "created_by": Ref("created_by_gid", "user"),
    },
    compact=("name", "resource_subtype", "type", "enum_options", "representation_type", "is_formula_field"),
    opt_in=frozenset({"description"}),
)

CUSTOM_FIELD_SETTING = Resource(
    "custom_field_setting",
    CustomFieldSetting.__table__,
    {
        "project": Ref("project_gid", "project"),  # deprecated: the parent, when it is a project
        "is_important": Col("is_important", bool),
        "parent": OneOf(
            (
                Ref("project_gid", "project"),
                Ref("portfolio_gid", "portfolio"),
                Ref("workspace_gid", "workspace"),
            )
        ),
        "custom_field": Ref("custom_field_gid", "custom_field"),
    },
    # Every list that shows settings (a container's list, `project.custom_field_settings`) is typed
    # CustomFieldSettingResponse in the spec, so the compact form is the whole record.
    compact=("project", "is_important", "parent", "custom_field"),
)


# ---- bodies -----------------------------------------------------------------------------------


class EnumOptionFields(BaseModel):
    """EnumOptionRequest (createEnumOptionForCustomField; with `enum_options` on create) and
    EnumOptionBase (updateEnumOption)."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, max_length=1024)
    enabled: Boolean | None = None
    color: OptionColor | None = None
    insert_before: str | None = None
    insert_after: str | None = None


class EnumOptionInsertBody(BaseModel):
    """EnumOptionInsertRequest: insertEnumOptionForCustomField."""

    model_config = ConfigDict(extra="ignore")
    enum_option: str
    before_enum_option: str | None = None
    after_enum_option: str | None = None


class CustomFieldFields(BaseModel):
    """CustomFieldCreateRequest / CustomFieldRequest; read-only fields are ignored.

    Which fields were given (`model_fields_set`) matters: `null` clears the nullable ones."""

    model_config = ConfigDict(extra="ignore")
    workspace: str | None = None
    resource_subtype: Subtype | None = None
    type: Subtype | None = None  # deprecated alias of resource_subtype
    name: str | None = Field(default=None, max_length=1024)
    description: str | None = Field(default=None, max_length=65536)
    enum_options: list[EnumOptionFields] | None = None
    precision: int | None = None
    format: Format | None = None
    currency_code: str | None = None
    custom_label: str | None = Field(default=None, max_length=1024)
    custom_label_position: LabelPosition | None = None
    has_notifications_enabled: Boolean | None = None
    privacy_setting: Privacy | None = None
    default_access_level: AccessLevel | None = None
    input_restrictions: list[Restriction] | None = None
    owned_by_app: Boolean | None = None
    id_prefix: str | None = Field(default=None, max_length=64)  # a custom ID field (custom_ids)


class AddSettingBody(BaseModel):
    """AddCustomFieldSettingRequest: a field's gid, or a new field to create and attach at once."""

    model_config = ConfigDict(extra="ignore")
    custom_field: str | CustomFieldFields
    is_important: Boolean | None = None
    insert_before: str | None = None
    insert_after: str | None = None


class RemoveSettingBody(BaseModel):
    """RemoveCustomFieldSettingRequest: the custom field's gid (not the setting's)."""

    model_config = ConfigDict(extra="ignore")
    custom_field: str


def settings_of(column: str) -> RefList:
    """A container resource's `custom_field_settings`: its settings in order (`column`: the
    container's column in custom_field_settings)."""
    return RefList("custom_field_setting", children=(column, ("position", "gid")))


def team_settings(conn: Connection, viewer: Viewer, gids: list[int]) -> Mapping[int, list[int]]:
    """Loader of a team's `custom_field_settings`: for each field on a project of the team that the
    viewer can see, its oldest such setting, oldest first (vinyasa.custom_fields.settings.team_listing)."""
    visible, params = access.project_visible_sql(viewer)
    rows = queries.team_settings(conn, gids, visible, params)
    out: dict[int, list[int]] = {}
    seen: set[tuple[int, int]] = set()
    for team_gid, field_gid, gid in rows:
        if team_gid is not None and (team_gid, field_gid) not in seen:
            seen.add((team_gid, field_gid))
            out.setdefault(team_gid, []).append(gid)
    return out
