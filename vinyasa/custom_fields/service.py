"""Custom field definitions and their enum options: who sees them, creating, changing, deleting.

A custom field belongs to one workspace and every member of it can see, use and change it (Asana's
default `public_with_guests` field; locked fields are not built). Names are unique in a workspace,
ignoring case; creators and renamers serialize on the workspace row so two concurrent requests can
never both take a name. Enum options are ordered with vinyasa.ordering and never deleted, only
disabled (Asana: "It is not possible to remove or delete an enum option").

Deleting a field (the spec is silent on what follows; decided here): its enum options and every
setting that puts it on a container go with it, each setting journaled as `removed` from its
container; values on tasks go with it too (Asana's web app does the same: a deleted field
disappears from every project and task).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from vinyasa import access, ordering
from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.custom_fields import custom_ids, queries, values
from vinyasa.custom_fields.schemas import CustomFieldFields, EnumOptionFields, EnumOptionInsertBody
from vinyasa.db import delete_row, insert_row, read_row, update_row
from vinyasa.errors import Forbidden, InvalidRequest, NotFound
from vinyasa.models import CustomField, EnumOption
from vinyasa.ordering import BOTTOM, OrderedList, Place
from vinyasa.protocol.gids import as_gid, new_gid
from vinyasa.protocol.messages import say

ENUM_OPTIONS = OrderedList(EnumOption.__table__)
ENUM_TYPES = frozenset({"enum", "multi_enum"})
MAX_ENUM_OPTIONS = 500  # per field, disabled ones included (Asana's Custom fields docs)
NUMBER_ATTRIBUTES = ("precision", "format", "currency_code", "custom_label", "custom_label_position")
_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class VisibleField:
    """A custom field the caller can see."""

    gid: int
    workspace_gid: int
    resource_subtype: str


@dataclass(frozen=True)
class VisibleOption:
    """An enum option of a field the caller can see."""

    gid: int
    field: VisibleField


def custom_field(
    ctx: Caller, value: str, field: str | None = None, *, lock: access.Lock = False
) -> VisibleField:
    """A field in one of the caller's workspaces (404 in a path, 400 naming `field` in a body);
    `lock` holds its row to the end of the transaction (PostgreSQL), serializing enum option changes."""
    gid = as_gid(value)
    rows = []
    if gid is not None:
        rows = queries.field(ctx.conn, gid, lock=lock)
    if not rows or rows[0][1] not in access.workspace_roles(ctx):
        raise access.unknown(field, value, "custom_field")
    return VisibleField(*rows[0])


def enum_option(ctx: Caller, value: str) -> VisibleOption:
    """An enum option of a field the caller can see (404 otherwise); locks the field's row."""
    gid = as_gid(value)
    field_gid = None if gid is None else queries.option_field(ctx.conn, gid)
    if field_gid is None:
        raise access.unknown(None, value, "enum_option")
    try:
        field = custom_field(ctx, str(field_gid), lock=True)
    except NotFound:
        raise access.unknown(None, value, "enum_option") from None
    return VisibleOption(int(str(gid)), field)


# ---- definitions --------------------------------------------------------------------------------


def _name(value: str | None, given: bool) -> str:
    if value is None:
        raise InvalidRequest(say("not_null" if given else "missing", "name"))
    if not value.strip():
        raise InvalidRequest(say("empty", "name"))
    return value


def _require_unique(ctx: Caller, workspace_gid: int, name: str, gid: int | None) -> None:
    """400 when another field of the workspace has this name, ignoring case (Asana: "A custom
    field's name must be unique within a workspace"). The caller holds the workspace row lock."""
    found = queries.field_named(ctx.conn, workspace_gid, name.casefold())
    if found is not None and found != gid:
        raise InvalidRequest(f"name: A custom field named {name[:64]!r} already exists in this workspace")


def _number_attributes(subtype: str, body: CustomFieldFields, row: dict[str, Any]) -> dict[str, Any]:
    """The number attributes after applying `body` to `row` (the stored field, {} on create).

    Number fields: `precision` 0-6 (0 for `identifier`), `format` (default `none`), `currency_code`
    (ISO 4217, only and required with `currency`), `custom_label` and `custom_label_position`
    (only with `custom`; position defaults to `suffix`). Other types have none of them (null);
    naming one with a value is a 400."""
    given = {k: getattr(body, k) for k in NUMBER_ATTRIBUTES if k in body.model_fields_set}
    if subtype != "number":
        for name, value in given.items():
            if value is not None and not (name == "format" and value == "none"):
                raise InvalidRequest(f"{name}: Only number custom fields have a {name}")
        return dict.fromkeys(NUMBER_ATTRIBUTES)
    state = {k: row.get(k) for k in NUMBER_ATTRIBUTES} | given
    fmt = state["format"] or "none"
    precision = 0 if state["precision"] is None else state["precision"]
    if isinstance(precision, bool) or not 0 <= precision <= 6:
        raise InvalidRequest("precision: Must be an integer between 0 and 6")
    if fmt == "identifier":
        precision = 0
    code = state["currency_code"]
    if fmt == "currency":
        if code is None:
            raise InvalidRequest("currency_code: Required when the format is currency")
        if not _CURRENCY.fullmatch(code.upper()):
            raise InvalidRequest(f"currency_code: Not an ISO 4217 currency code: {code[:64]}")
        code = code.upper()
    elif given.get("currency_code") is not None:
        raise InvalidRequest("currency_code: Only a field with the currency format has a currency_code")
    else:
        code = None
    label, position = state["custom_label"], state["custom_label_position"]
    if fmt == "custom":
        position = position or "suffix"
    else:
        for name in ("custom_label", "custom_label_position"):
            if given.get(name) is not None:
                raise InvalidRequest(f"{name}: Only a field with the custom format has a {name}")
        label = position = None
    return {
        "precision": precision,
        "format": fmt,
        "currency_code": code,
        "custom_label": label,
        "custom_label_position": position,
    }


def _topics(field: VisibleField) -> list[int]:
    return [field.gid, field.workspace_gid]


def create_field(ctx: Caller, body: CustomFieldFields, workspace_gid: int | None = None) -> int:
    """A new field in `body.workspace` (or in `workspace_gid`, for a field created inline by
    addCustomFieldSetting), with its enum options in the order given. 400 naming the bad field."""
    if body.workspace is not None:
        named = access.workspace(ctx, body.workspace, "workspace")
        if workspace_gid is not None and named != workspace_gid:
            raise InvalidRequest("workspace: The custom field must be in the container's workspace")
        workspace_gid = named
    if workspace_gid is None:
        raise InvalidRequest(say("missing", "workspace"))
    subtype = body.resource_subtype or body.type
    if subtype is None:
        raise InvalidRequest(say("missing", "resource_subtype"))
    if body.type is not None and body.type != subtype:
        raise InvalidRequest("type: type and resource_subtype must be the same when both are given")
    if body.owned_by_app:
        raise Forbidden("owned_by_app: Only allow-listed apps can create app-owned custom fields.")
    name = _name(body.name, "name" in body.model_fields_set)
    id_prefix = custom_ids.prefix(body.id_prefix, subtype)
    numbers = _number_attributes(subtype, body, {})
    options = body.enum_options or []
    if options and subtype not in ENUM_TYPES:
        raise InvalidRequest("enum_options: Only enum and multi_enum custom fields have enum options")
    if len(options) > MAX_ENUM_OPTIONS:
        raise InvalidRequest(say("too_many", "enum_options", limit=MAX_ENUM_OPTIONS))
    for i, option in enumerate(options):
        _option_name(option.name, False, f"enum_options[{i}].name")
    ordering.lock(ctx.conn, "workspaces", workspace_gid)
    _require_unique(ctx, workspace_gid, name, None)
    if id_prefix is not None:
        custom_ids.require_free(ctx, workspace_gid, id_prefix)
    gid = new_gid(ctx.conn)
    insert_row(
        ctx.conn,
        CustomField,
        {
            "gid": gid,
            "workspace_gid": workspace_gid,
            "name": name,
            "name_key": name.casefold(),
            "resource_subtype": subtype,
            "description": body.description or "",
            "has_notifications_enabled": True
            if body.has_notifications_enabled is None
            else body.has_notifications_enabled,
            "privacy_setting": body.privacy_setting or "public_with_guests",
            "default_access_level": body.default_access_level or "editor",
            "input_restrictions": ",".join(dict.fromkeys(body.input_restrictions or ["task"])),
            "created_by_gid": ctx.user_gid,
            "created_at": now_ms(),
            "id_prefix": id_prefix,
            **numbers,
        },
    )
    journal.record(
        ctx, ("custom_field", gid), "added", parent=("workspace", workspace_gid), topics=[workspace_gid]
    )
    field = VisibleField(gid, workspace_gid, subtype)
    for option in options:
        _insert_option(ctx, field, option, BOTTOM)
    return gid


_NOT_NULL = (
    "name",
    "has_notifications_enabled",
    "privacy_setting",
    "default_access_level",
    "input_restrictions",
)


def update_field(ctx: Caller, field: VisibleField, body: CustomFieldFields) -> None:
    """Change a field's name, description, number attributes and settings; `resource_subtype` (and
    `type`) cannot change, `enum_options` are changed through their own endpoints (400 for either)."""
    given = body.model_fields_set
    for name in ("resource_subtype", "type"):
        value = getattr(body, name)
        if value is not None and value != field.resource_subtype:
            raise InvalidRequest(f"{name}: A custom field's type cannot be changed")
    if "enum_options" in given:
        raise InvalidRequest(
            say(
                "unwritable",
                "enum_options",
                hint="Use POST /custom_fields/{custom_field_gid}/enum_options"
                " and PUT /enum_options/{enum_option_gid}",
            )
        )
    if body.workspace is not None and body.workspace != str(field.workspace_gid):
        raise InvalidRequest("workspace: A custom field cannot be moved to another workspace")
    for name in _NOT_NULL:
        if name in given and getattr(body, name) is None:
            raise InvalidRequest(say("not_null", name))
    row = read_row(ctx.conn, CustomField, field.gid)
    assert row is not None  # the caller holds it (custom_field with `lock`)
    if "id_prefix" in given and body.id_prefix != row["id_prefix"]:
        raise InvalidRequest("id_prefix: A custom field's ID prefix cannot be changed")
    changes: dict[str, Any] = dict(_number_attributes(field.resource_subtype, body, row))
    if body.name is not None:
        changes["name"] = _name(body.name, True)
        changes["name_key"] = body.name.casefold()
    if "description" in given:
        changes["description"] = body.description or ""
    for name in ("has_notifications_enabled", "privacy_setting", "default_access_level"):
        if getattr(body, name) is not None:
            changes[name] = getattr(body, name)
    if body.input_restrictions is not None:
        changes["input_restrictions"] = ",".join(dict.fromkeys(body.input_restrictions))
    actual = {k: v for k, v in changes.items() if row[k] != v}
    if not actual:
        return
    if "name_key" in actual:
        ordering.lock(ctx.conn, "workspaces", field.workspace_gid)
        _require_unique(ctx, field.workspace_gid, actual.get("name", row["name"]), field.gid)
    update_row(ctx.conn, CustomField, field.gid, actual)
    if set(NUMBER_ATTRIBUTES) & actual.keys():
        values.refresh_displays(ctx.conn, field.gid)
    journal.changed(
        ctx, ("custom_field", field.gid), [k for k in actual if k != "name_key"], topics=_topics(field)
    )


def delete_field(ctx: Caller, field: VisibleField) -> None:
    """Delete a field with its enum options, settings and values (see the module docstring); the
    caller first journals the settings' removal (vinyasa.custom_fields.settings.drop_field)."""
    journal.record(ctx, ("custom_field", field.gid), "deleted", topics=_topics(field))
    queries.delete_field_rows(ctx.conn, field.gid)
    values.forget_field(ctx.conn, field.gid)
    delete_row(ctx.conn, CustomField, field.gid)


# ---- enum options -------------------------------------------------------------------------------


def _option_name(value: str | None, given: bool, label: str = "name") -> str:
    if value is None:
        raise InvalidRequest(say("not_null" if given else "missing", label))
    if not value.strip():
        raise InvalidRequest(say("empty", label))
    return value


def _anchor(ctx: Caller, field: VisibleField, name: str, value: str, moving: int | None) -> int:
    """An enum option of `field` named by `name` (400 otherwise, and for the moving option itself)."""
    gid = as_gid(value)
    if gid is None or not queries.option_of(ctx.conn, field.gid, gid):
        raise InvalidRequest(f"{name}: Not an enum option of this custom field: {value[:64]}")
    if gid == moving:
        raise InvalidRequest(f"{name}: An enum option cannot be placed relative to itself")
    return int(str(gid))


def _place(
    ctx: Caller,
    field: VisibleField,
    anchors: tuple[tuple[str, str | None], tuple[str, str | None]],
    moving: int | None,
) -> Place | None:
    (before_name, before_value), (after_name, after_value) = anchors
    if before_value is not None and after_value is not None:
        raise InvalidRequest(
            f"{before_name}, {after_name}: Cannot provide both {before_name} and {after_name}"
        )
    if before_value is not None:
        return ordering.before(_anchor(ctx, field, before_name, before_value, moving))
    if after_value is not None:
        return ordering.after(_anchor(ctx, field, after_name, after_value, moving))
    return None


def _require_enum(field: VisibleField) -> None:
    if field.resource_subtype not in ENUM_TYPES:
        raise InvalidRequest("custom_field: Only enum and multi_enum custom fields have enum options")


def _insert_option(ctx: Caller, field: VisibleField, body: EnumOptionFields, where: Place) -> int:
    gid = new_gid(ctx.conn)
    position = ENUM_OPTIONS.place(ctx.conn, {"custom_field_gid": field.gid}, where)
    insert_row(
        ctx.conn,
        EnumOption,
        {
            "gid": gid,
            "custom_field_gid": field.gid,
            "name": _option_name(body.name, "name" in body.model_fields_set),
            "color": body.color or "none",
            "enabled": True if body.enabled is None else body.enabled,
            "position": position,
        },
    )
    journal.record(
        ctx, ("enum_option", gid), "added", parent=("custom_field", field.gid), topics=_topics(field)
    )
    return gid


def create_option(ctx: Caller, field: VisibleField, body: EnumOptionFields) -> int:
    """A new option of an enum or multi_enum field: at the end, or just before/after another one of
    its options (`insert_before`/`insert_after`); at most 500 per field. The field row is locked."""
    _require_enum(field)
    _option_name(body.name, "name" in body.model_fields_set)
    if "color" in body.model_fields_set and body.color is None:
        raise InvalidRequest(say("not_null", "color"))
    if queries.count_options(ctx.conn, field.gid) >= MAX_ENUM_OPTIONS:
        raise InvalidRequest(f"custom_field: A custom field can have at most {MAX_ENUM_OPTIONS} enum options")
    where = _place(
        ctx, field, (("insert_before", body.insert_before), ("insert_after", body.insert_after)), None
    )
    return _insert_option(ctx, field, body, where or BOTTOM)


def insert_option(ctx: Caller, field: VisibleField, body: EnumOptionInsertBody) -> int:
    """Move one of the field's options just before or after another (exactly one anchor)."""
    _require_enum(field)
    gid = _anchor(ctx, field, "enum_option", body.enum_option, None)
    anchors = (("before_enum_option", body.before_enum_option), ("after_enum_option", body.after_enum_option))
    where = _place(ctx, field, anchors, gid)
    if where is None:
        raise InvalidRequest("One of before_enum_option or after_enum_option is required")
    position = ENUM_OPTIONS.place(ctx.conn, {"custom_field_gid": field.gid}, where, moving=gid)
    update_row(ctx.conn, EnumOption, gid, {"position": position})
    journal.changed(ctx, ("custom_field", field.gid), ["enum_options"], topics=_topics(field))
    if field.resource_subtype == "multi_enum":  # a multi_enum value shows its options in the field's order
        values.refresh_displays(ctx.conn, field.gid)
    return gid


def update_option(ctx: Caller, option: VisibleOption, body: EnumOptionFields) -> None:
    """Rename, recolour, disable or re-enable an option (`null` for any of them is a 400)."""
    given = body.model_fields_set
    for name in ("name", "color", "enabled"):
        if name in given and getattr(body, name) is None:
            raise InvalidRequest(say("not_null", name))
    row = read_row(ctx.conn, EnumOption, option.gid)
    assert row is not None  # options are deleted only with their field, whose row the caller holds
    changes: dict[str, Any] = {}
    if body.name is not None:
        changes["name"] = _option_name(body.name, True)
    if body.color is not None:
        changes["color"] = body.color
    if body.enabled is not None:
        changes["enabled"] = body.enabled
    actual = {k: v for k, v in changes.items() if row[k] != v}
    if actual:
        update_row(ctx.conn, EnumOption, option.gid, actual)
        journal.changed(ctx, ("enum_option", option.gid), list(actual), topics=_topics(option.field))
        if "name" in actual:
            values.refresh_displays(ctx.conn, option.field.gid)
