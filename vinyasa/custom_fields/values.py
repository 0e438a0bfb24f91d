"""Custom field values on objects (tasks today; projects and portfolios reuse `ValueStore`).

An object *has* a field when one of its containers has a setting for it (a task: any project it
is in; Asana: "Custom field settings only go one child deep"); it may also keep a value of a field
no container gives any more: that value is shown with `enabled: false`, cannot be changed, only
cleared with `null` (Asana's "Enabled and disabled values"). Rendering: `ValueStore.field` is the
`Embedded` projection field (vinyasa.protocol.resources) of the object's `custom_fields`, each a
CustomFieldResponse with its typed value and `display_value` (always a string or null).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vinyasa.core import Caller, journal
from vinyasa.custom_fields import queries
from vinyasa.errors import InvalidRequest
from vinyasa.projects import members
from vinyasa.protocol.messages import json_kind
from vinyasa.protocol.resources import Embedded, Viewer
from vinyasa.protocol.values import iso_ms, parse_date, parse_datetime_ms

MAX_TEXT = 1024  # Asana: "Text fields are currently limited to 1024 characters"
# What a value shows by default (CustomFieldResponse as embedded in a task), in Asana's order.
KEYS = (
    "resource_type",
    "name",
    "type",
    "resource_subtype",
    "enabled",
    "display_value",
    "description",
    "precision",
    "format",
    "currency_code",
    "custom_label",
    "custom_label_position",
    "enum_options",
    "text_value",
    "number_value",
    "enum_value",
    "multi_enum_values",
    "date_value",
    "people_value",
    "reference_value",
    "is_formula_field",
    "representation_type",
)
# The typed-value key each type shows; the others are left out for that type.
_VALUE_KEY = {
    "text": "text_value",
    "number": "number_value",
    "enum": "enum_value",
    "multi_enum": "multi_enum_values",
    "date": "date_value",
    "people": "people_value",
    "reference": "reference_value",
}
_ALL_VALUE_KEYS = frozenset(_VALUE_KEY.values())


@dataclass(frozen=True)
class ValueStore:
    """Where one kind of object keeps its values, and which fields its containers give it.

    `containers` is SQL with `{marks}` for the object gids, returning (object gid, container gid),
    oldest container first; `settings` the column of custom_field_settings naming such a container.
    The object's fields are its containers' settings in order (read per container, not per object:
    a hundred tasks of one project cost one row each, plus the project's settings once)."""

    table: str
    owner: str  # the object's gid column in `table`
    kind: str  # its resource type, for the journal
    containers: str
    settings: str
    field: Embedded = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field", Embedded(self._load, KEYS))

    # ---- reading ---------------------------------------------------------------------------------

    def _rows(
        self, conn: Any, gids: list[int]
    ) -> tuple[dict[int, list[int]], dict[tuple[int, int], tuple[Any, ...]]]:
        held = queries.containers(conn, self.containers, gids)
        given: dict[int, list[int]] = {}
        if held:
            parents = sorted({p for _, p in held})
            for parent, field_gid in queries.settings_in(conn, self.settings, parents, of="custom_field_gid"):
                given.setdefault(parent, []).append(field_gid)
        fields: dict[int, list[int]] = {}
        for owner, parent in held:
            if parent not in given:
                continue
            listed = fields.get(owner)
            if listed is None:
                fields[owner] = list(given[parent])
            else:
                listed.extend(f for f in given[parent] if f not in listed)
        stored = {(r[0], r[1]): r[2:] for r in queries.stored_values(conn, self.table, self.owner, gids)}
        return fields, stored

    def _load(
        self, conn: Any, viewer: Viewer, gids: list[int], wanted: frozenset[str]
    ) -> Mapping[int, list[dict[str, Any]]]:
        enabled, stored = self._rows(conn, gids)
        if not enabled and not stored:
            return {}
        kept: dict[int, list[int]] = {}
        for owner, field_gid in stored:
            kept.setdefault(owner, []).append(field_gid)
        order: dict[int, list[tuple[int, bool]]] = {}
        for gid in gids:
            on = enabled.get(gid, [])
            pairs = [(f, True) for f in on]
            mine = kept.get(gid)
            if mine:  # values of fields no container gives any more: shown disabled, after the rest
                pairs.extend((f, False) for f in sorted(set(mine).difference(on)))
            order[gid] = pairs
        field_gids = sorted({f for pairs in order.values() for f, _ in pairs})
        if not field_gids:
            return {}
        definitions = {r[0]: r for r in queries.definitions(conn, field_gids)}
        needs_values = bool(wanted & (_ALL_VALUE_KEYS | {"display_value"}))
        options = _options(conn, [g for g, d in definitions.items() if d[2] in ("enum", "multi_enum")])
        people_fields = {g for g, d in definitions.items() if d[2] == "people"}
        people = (
            _people(conn, [v for k, v in stored.items() if k[1] in people_fields]) if needs_values else {}
        )
        # Values repeat (an enum's few options, fields nobody filled): each distinct one renders once
        # and is shared, read-only, by every object that has it (the engine copies the keys it shows).
        rendered: dict[tuple[int, bool, tuple[Any, ...] | None], dict[str, Any]] = {}
        out: dict[int, list[dict[str, Any]]] = {}
        for gid in gids:
            items = []
            for field_gid, is_on in order[gid]:
                definition = definitions.get(field_gid)
                if definition is None:
                    continue
                row = stored.get((gid, field_gid))
                item = rendered.get((field_gid, is_on, row))
                if item is None:
                    item = rendered[(field_gid, is_on, row)] = _render(
                        definition, is_on, row, options, people, needs_values
                    )
                items.append(item)
            out[gid] = items
        return out

    # ---- writing ---------------------------------------------------------------------------------

    def write(self, ctx: Caller, owner: int, workspace_gid: int, given: Mapping[str, Any]) -> bool:
        """Apply `{field_gid: value}` (null clears) to one object; all values are checked before
        anything is written (400 naming `custom_fields.<gid>`). Journals a `changed` entry with
        `field = "custom_fields"` and the custom field as its value for each value that changed.
        Returns whether anything changed."""
        if not given:
            return False
        enabled, stored = self._rows(ctx.conn, [owner])
        on = set(enabled.get(owner, []))
        planned: list[tuple[int, tuple[Any, ...] | None]] = []
        for key, value in given.items():
            label = f"custom_fields.{str(key)[:64]}"
            field_gid = _gid(key)
            if field_gid is None or (field_gid not in on and (owner, field_gid) not in stored):
                raise InvalidRequest(
                    f"{label}: Not a custom field of this {self.kind} (add it to one of its projects)"
                )
            definition = queries.definitions(ctx.conn, [field_gid])
            if not definition:
                raise InvalidRequest(f"{label}: Unknown object: {key}")
            if value is not None and field_gid not in on:
                raise InvalidRequest(
                    f"{label}: The custom field {definition[0][1]!r} is disabled on this {self.kind}:"
                    " its value can only be cleared with null"
                )
            parsed = None if value is None else _parse(ctx, label, definition[0], value, workspace_gid)
            planned.append((field_gid, parsed))
        changed = []
        for field_gid, parsed in planned:
            before = stored.get((owner, field_gid))
            if parsed == before:
                continue
            queries.replace_value(ctx.conn, self.table, self.owner, owner, field_gid, parsed)
            changed.append(field_gid)
        if changed:
            topics = journal.task_topics(ctx, owner) if self.kind == "task" else {owner, workspace_gid}
            for field_gid in changed:
                journal.record(
                    ctx,
                    (self.kind, owner),
                    "changed",
                    topics=topics,
                    field="custom_fields",
                    value=("custom_field", field_gid),
                )
        return bool(changed)


def _gid(key: Any) -> int | None:
    text = str(key)
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 19 else None


def _options(conn: Any, field_gids: list[int]) -> dict[int, list[tuple[int, str, bool, str]]]:
    """Each enum field's options in order: (gid, name, enabled, color)."""
    if not field_gids:
        return {}
    out: dict[int, list[tuple[int, str, bool, str]]] = {}
    for field_gid, gid, name, enabled, color in queries.enum_options(conn, field_gids):
        out.setdefault(field_gid, []).append((gid, name, bool(enabled), color))
    return out


def _people(conn: Any, stored: Any) -> dict[int, str]:
    """Names of the users named by people values (list_value of any row; non-users are skipped)."""
    gids = sorted({int(g) for row in stored if row[3] for g in row[3].split(",")})
    if not gids:
        return {}
    return queries.user_names(conn, gids)


def _option(option: tuple[int, str, bool, str]) -> dict[str, Any]:
    gid, name, enabled, color = option
    return {"gid": str(gid), "resource_type": "enum_option", "name": name, "enabled": enabled, "color": color}


def _number_display(value: float, definition: tuple[Any, ...]) -> str:
    """Asana's display of a number (inferred wording: the value rounded to the field's precision,
    with its format: `12.5%`, `EUR 3.10`, a custom label before or after)."""
    _gid_, _name, _subtype, _desc, precision, fmt, code, label, position = definition
    places = precision or 0
    if fmt == "percentage":
        return f"{value * 100:.{places}f}%"
    shown = f"{value:.{places}f}"
    if fmt == "currency":
        return f"{code} {shown}"
    if fmt == "custom" and label:
        return f"{label}{shown}" if position == "prefix" else f"{shown}{label}"
    return shown


def _render(
    definition: tuple[Any, ...],
    enabled: bool,
    row: tuple[Any, ...] | None,
    options: dict[int, list[tuple[int, str, bool, str]]],
    people: dict[int, str],
    with_values: bool,
) -> dict[str, Any]:
    gid, name, subtype, description, precision, fmt, code, label, position = definition
    value_key = _VALUE_KEY[subtype]
    item: dict[str, Any] = {
        "gid": str(gid),
        "resource_type": "custom_field",
        "name": name,
        "type": subtype,
        "resource_subtype": subtype,
        "representation_type": subtype,
        "enabled": enabled,
        "description": description,
        "is_formula_field": False,
    }
    if subtype == "number":
        item.update(
            precision=precision,
            format=fmt,
            currency_code=code,
            custom_label=label,
            custom_label_position=position,
        )
    field_options = options.get(gid, [])
    if subtype in ("enum", "multi_enum"):
        item["enum_options"] = [_option(o) for o in field_options]
    if not with_values:
        return item
    text, number, option_gid, listed, date_on, date_at = row or (None,) * 6
    display: str | None = None
    value: Any = None
    if subtype == "text":
        value = display = text
    elif subtype == "number":
        value = None if number is None else round(number, precision or 0)
        display = None if value is None else _number_display(value, definition)
        if value is not None and (precision or 0) == 0:
            value = int(value)
    elif subtype == "enum":
        chosen = next((o for o in field_options if o[0] == option_gid), None)
        value = None if chosen is None else _option(chosen)
        display = None if chosen is None else chosen[1]
    elif subtype == "multi_enum":
        wanted = {int(g) for g in (listed or "").split(",") if g}
        value = [_option(o) for o in field_options if o[0] in wanted]
        display = ", ".join(o["name"] for o in value) if value else None
    elif subtype == "date":
        if date_on is not None or date_at is not None:
            stamp = iso_ms(date_at)
            value = {"date": date_on or (stamp or "")[:10], "date_time": stamp}
            display = stamp or date_on
    elif subtype == "people":
        users = [int(g) for g in (listed or "").split(",") if g and int(g) in people]
        value = [{"gid": str(u), "resource_type": "user", "name": people[u]} for u in users]
        display = ", ".join(people[u] for u in users) if users else None
    else:  # reference: writing reference values is not supported, so there is never one
        value = []
    item[value_key] = value
    item["display_value"] = display
    return item


def _parse(
    ctx: Caller, label: str, definition: tuple[Any, ...], value: Any, workspace_gid: int
) -> tuple[Any, ...] | None:
    """A value as the stored columns (text, number, enum option, list, date, date-time); None for
    an empty multi_enum or people list (no value); 400 naming the field for anything else."""
    field_gid, name, subtype = definition[0], definition[1], definition[2]
    kind = json_kind(value)
    if subtype == "text":
        if not isinstance(value, str):
            raise InvalidRequest(f"{label}: Not a string (the custom field {name!r} is a text field): {kind}")
        if len(value) > MAX_TEXT:
            raise InvalidRequest(f"{label}: Must be at most {MAX_TEXT} characters")
        return (value, None, None, None, None, None)
    if subtype == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidRequest(
                f"{label}: Not a number (the custom field {name!r} is a number field): {kind}"
            )
        return (None, round(float(value), definition[4] or 0), None, None, None, None)
    if subtype in ("enum", "multi_enum"):
        chosen = [value] if subtype == "enum" else value
        if not isinstance(chosen, list) or not all(isinstance(v, str) for v in chosen):
            shape = "an enum option gid" if subtype == "enum" else "an array of enum option gids"
            raise InvalidRequest(f"{label}: Not {shape} (the custom field {name!r}): {kind}")
        options = {o[0]: o for o in _options(ctx.conn, [field_gid]).get(field_gid, [])}
        picked: list[int] = []
        for option in chosen:
            gid = _gid(option)
            if gid is None or gid not in options:
                raise InvalidRequest(
                    f"{label}: Not an enum option of the custom field {name!r}: {option[:64]}"
                )
            if not options[gid][2]:
                raise InvalidRequest(f"{label}: The enum option {options[gid][1]!r} is disabled")
            if gid not in picked:
                picked.append(gid)
        if subtype == "enum":
            return (None, None, picked[0], None, None, None)
        return (None, None, None, ",".join(map(str, picked)), None, None) if picked else None
    if subtype == "date":
        if not isinstance(value, dict) or set(value) - {"date", "date_time"} or len(value) != 1:
            raise InvalidRequest(
                f"{label}: Must be an object with one of date or date_time (the custom field {name!r})"
            )
        if "date" in value:
            if not isinstance(value["date"], str):
                raise InvalidRequest(f"{label}.date: Not a string")
            return (None, None, None, None, parse_date(f"{label}.date", value["date"]), None)
        if not isinstance(value["date_time"], str):
            raise InvalidRequest(f"{label}.date_time: Not a string")
        return (None, None, None, None, None, parse_datetime_ms(f"{label}.date_time", value["date_time"]))
    if subtype == "people":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidRequest(f"{label}: Not an array of users (the custom field {name!r}): {kind}")
        if not value:
            return None
        users = members.resolve_users(ctx, label, value, workspace_gid)
        return (None, None, None, ",".join(map(str, users)), None, None)
    raise InvalidRequest(
        f"{label}: Values of reference custom fields cannot be written yet (the custom field {name!r})"
    )


TASK_VALUES = ValueStore(
    "task_custom_field_values",
    "task_gid",
    "task",
    queries.TASK_CONTAINERS,
    "project_gid",
)
