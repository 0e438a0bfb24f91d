"""Custom field settings: which fields a container (a project; portfolios later) gives its items.

One service for every kind of container: a `Container` names the settings table's column for it,
and `CONTAINERS` holds every kind (a new kind adds its nullable column to custom_field_settings
with a unique (column, custom_field_gid) constraint and a (column, position) index, then calls
`register`). Routes check access to and lock the container, then call `add_setting`,
`remove_setting` and `listing` with a `Parent`/`Container`.
Settings are ordered within their container (vinyasa.ordering); the caller locks the container's
row first, so concurrent adds on one container serialize (PostgreSQL row lock, SQLite's writer
lock): the order stays total and a field is never on a container twice (also a unique constraint).
"""

from __future__ import annotations

from dataclasses import dataclass

from vinyasa import access, ordering
from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.custom_fields import queries, service
from vinyasa.custom_fields.schemas import AddSettingBody
from vinyasa.db import delete_row, insert_row
from vinyasa.errors import InvalidRequest
from vinyasa.models import CustomFieldSetting
from vinyasa.ordering import BOTTOM, OrderedList, Place
from vinyasa.protocol import pagination
from vinyasa.protocol.gids import as_gid, new_gid
from vinyasa.protocol.pagination import Listing

SETTINGS = OrderedList(CustomFieldSetting.__table__)
# Asana's Portfolios docs: "like projects, a maximum of 20 custom fields" per container.
MAX_SETTINGS = 20


@dataclass(frozen=True)
class Container:
    """A kind of container that carries settings: its resource type and its column in the table."""

    kind: str
    column: str


CONTAINERS: dict[str, Container] = {}


def register(container: Container) -> Container:
    """Make a kind of container known (its settings are then removed with their field, etc.)."""
    CONTAINERS[container.kind] = container
    return container


PROJECT = register(Container("project", "project_gid"))


@dataclass(frozen=True)
class Parent:
    """One container the caller may change (checked and locked by the route)."""

    container: Container
    gid: int
    workspace_gid: int


def listing(container: Container, gid: int) -> Listing:
    """The container's settings in its order, as (position, gid) for `Ctx.page`."""
    return pagination.listing(
        "custom_field_settings", [(f"{container.column} = ?", [gid])], ("position", "gid")
    )


def team_listing(ctx: Caller, team_gid: int) -> Listing:
    """A team's settings (vinyasa's reading of Asana's team field library, docs/deviations.md):
    for each field on a project of the team that the caller can see, its oldest such setting,
    oldest first, as (created_at, gid) for `Ctx.page`."""
    visible, params = access.project_visible_sql(ctx)
    return queries.team_listing(team_gid, visible, params)


def of_field(ctx: Caller, field_gid: int) -> list[tuple[int, Container, int]]:
    """Every setting of a field on any kind of container: (setting gid, container kind, container gid)."""
    out: list[tuple[int, Container, int]] = []
    for container in CONTAINERS.values():
        rows = queries.settings_of_field(ctx.conn, container.column, field_gid)
        out.extend((int(gid), container, int(parent)) for gid, parent in rows)
    return out


def drop_field(ctx: Caller, field_gid: int, workspace_gid: int) -> None:
    """Journal the removal of every setting of a field about to be deleted."""
    for gid, container, parent in of_field(ctx, field_gid):
        _record(ctx, Parent(container, parent, workspace_gid), gid, "removed")


def _record(ctx: Caller, parent: Parent, gid: int, action: str) -> None:
    """Journal: a setting `added` to or `removed` from its container."""
    journal.record(
        ctx,
        ("custom_field_setting", gid),
        action,
        parent=(parent.container.kind, parent.gid),
        topics=[parent.workspace_gid],
    )


def _scope(parent: Parent) -> dict[str, int]:
    return {parent.container.column: parent.gid}


def _find(ctx: Caller, parent: Parent, field_gid: int, *, lock: bool = False) -> int | None:
    return queries.setting_for(ctx.conn, parent.container.column, parent.gid, field_gid, lock=lock)


def _anchor(ctx: Caller, parent: Parent, name: str, value: str) -> int:
    gid = as_gid(value)
    if gid is None or not queries.setting_on(ctx.conn, parent.container.column, parent.gid, gid):
        raise InvalidRequest(
            f"{name}: Not a custom field setting of this {parent.container.kind}: {value[:64]}"
        )
    return int(str(gid))


def _where(ctx: Caller, parent: Parent, body: AddSettingBody) -> Place:
    if body.insert_before is not None and body.insert_after is not None:
        raise InvalidRequest(
            "insert_before, insert_after: insert_before and insert_after parameters cannot both be specified"
        )
    if body.insert_before is not None:
        return ordering.before(_anchor(ctx, parent, "insert_before", body.insert_before))
    if body.insert_after is not None:
        return ordering.after(_anchor(ctx, parent, "insert_after", body.insert_after))
    return BOTTOM


def add_setting(ctx: Caller, parent: Parent, body: AddSettingBody) -> int:
    """Put a field on the container (a field of its workspace named by gid, or a new one created
    from the inline definition), at the end or next to another of its settings; returns the
    setting's gid. 400: the field is already there, the container is full, a bad anchor."""
    where = _where(ctx, parent, body)
    if queries.count_settings(ctx.conn, parent.container.column, parent.gid) >= MAX_SETTINGS:
        raise InvalidRequest(
            f"custom_field: A {parent.container.kind} can have at most {MAX_SETTINGS} custom fields"
        )
    if isinstance(body.custom_field, str):
        field = service.custom_field(ctx, body.custom_field, "custom_field")
        if field.workspace_gid != parent.workspace_gid:
            raise InvalidRequest(
                f"custom_field: The custom field is not in the {parent.container.kind}'s workspace"
            )
        field_gid = field.gid
        if _find(ctx, parent, field_gid) is not None:
            raise InvalidRequest(f"custom_field: The custom field is already on this {parent.container.kind}")
    else:
        field_gid = service.create_field(ctx, body.custom_field, parent.workspace_gid)
    try:
        position = SETTINGS.place(ctx.conn, _scope(parent), where)
    except LookupError:  # the anchor setting was removed (or its field deleted) after it was checked
        raise InvalidRequest(
            f"insert_before/insert_after: Not a custom field setting of this {parent.container.kind}"
        ) from None
    gid = new_gid(ctx.conn)
    insert_row(
        ctx.conn,
        CustomFieldSetting,
        {
            "gid": gid,
            "custom_field_gid": field_gid,
            parent.container.column: parent.gid,
            "is_important": bool(body.is_important),
            "position": position,
            "created_at": now_ms(),
        },
    )
    _record(ctx, parent, gid, "added")
    return gid


def remove_setting(ctx: Caller, parent: Parent, field_value: str) -> None:
    """Take a field (named by the field's gid) off the container; 400 when it is not on it.
    Values of the field on the container's items stay (disabled where no other container gives it)."""
    field = service.custom_field(ctx, field_value, "custom_field")
    gid = _find(ctx, parent, field.gid, lock=True)  # journaled `removed` once, here or by drop_field
    if gid is None:
        raise InvalidRequest(f"custom_field: The custom field is not on this {parent.container.kind}")
    _record(ctx, parent, gid, "removed")
    delete_row(ctx.conn, CustomFieldSetting, gid)
