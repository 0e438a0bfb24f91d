"""Typed custom field values: parsing what a client writes, and rendering what a reader sees.

A stored value is a `Stored` tuple of the value columns (`text_value`, `number_value`,
`enum_option_gid`, `list_value`, `date_on`, `date_at`, `display_value`; see the model
TaskCustomFieldValue). `display_value` is computed when the value is written (`display`), except for
people and reference values, whose names change and whose references depend on who reads: those
(and rows written before the column existed) are NULL and computed when read (`Names`).

A definition is the row of `queries.definitions`: (gid, name, resource_subtype, description,
precision, format, currency_code, custom_label, custom_label_position, input_restrictions,
id_prefix, options JSON or null).
Shapes: CustomFieldResponse of Asana's spec (digest §C.5); display formats in docs/deviations.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import FromClause, Table

from vinyasa import access
from vinyasa.core import Caller
from vinyasa.custom_fields import queries
from vinyasa.errors import InvalidRequest, NotFound
from vinyasa.models import Project, Task
from vinyasa.projects import members
from vinyasa.protocol.messages import bad_gid, json_kind
from vinyasa.protocol.specs import Viewer
from vinyasa.protocol.values import iso_ms, parse_date, parse_datetime_ms

MAX_TEXT = 1024  # Asana: "Text fields are currently limited to 1024 characters"
Stored = tuple[Any, ...]
Option = tuple[int, str, bool, str]  # (gid, name, enabled, color)


@dataclass(frozen=True)
class Referable:
    """A kind of object a reference value can hold: its table (with `gid` and `name`), the
    caller's lookup of one by gid string (NotFound when unseen: vinyasa.access), and the reader's
    hidden check for many (the gids they cannot see)."""

    table: FromClause  # a Table
    lookup: Callable[[Caller, str], Any]  # -> an object with `workspace_gid`
    hidden: Callable[[Any, Viewer, list[int]], set[int]]


# The kinds of objects a reference field can hold in vinyasa, in lookup order (Asana's
# `input_restrictions` also names portfolio and goal: their families add themselves here).
REFERABLE: dict[str, Referable] = {
    "task": Referable(Task.__table__, lambda ctx, gid: access.task(ctx, gid), access.hidden_tasks),
    "project": Referable(
        Project.__table__, lambda ctx, gid: access.project(ctx, gid), access.hidden_projects
    ),
}
VALUE_KEY = {
    "text": "text_value",
    "number": "number_value",
    "enum": "enum_value",
    "multi_enum": "multi_enum_values",
    "date": "date_value",
    "people": "people_value",
    "reference": "reference_value",
}
READ_TIME = frozenset({"people", "reference"})  # display computed when read


@dataclass
class Names:
    """Names a page of values needs at read time: users of people values, the visible objects of
    reference values (gid -> (resource type, name)); loaded once for all the values of a page."""

    users: dict[int, str]
    objects: dict[int, tuple[str, str]]

    @staticmethod
    def load(conn: Any, viewer: Viewer, rows: list[Stored], subtypes: list[str]) -> Names:
        """The names the people and reference values among `rows` (with their fields' subtypes) name."""
        users: set[int] = set()
        refs: dict[str, set[int]] = {}
        for row, subtype in zip(rows, subtypes, strict=True):
            if subtype == "people" and row[3]:
                users.update(int(g) for g in row[3].split(","))
            elif subtype == "reference" and row[3]:
                for entry in row[3].split(","):
                    kind, _, gid = entry.partition(":")
                    refs.setdefault(kind, set()).add(int(gid))
        names = Names(queries.names_of(conn, "users", sorted(users)) if users else {}, {})
        for kind, gids in refs.items():
            referable = REFERABLE.get(kind)
            if referable is None:
                continue
            found = queries.names_of(conn, cast(Table, referable.table).name, sorted(gids))
            for hidden in referable.hidden(conn, viewer, list(found)) if found else ():
                del found[hidden]
            names.objects.update((gid, (kind, name)) for gid, name in found.items())
        return names


NO_NAMES = Names({}, {})


def option_dict(option: Option) -> dict[str, Any]:
    """An enum option as EnumOption on the wire."""
    gid, name, enabled, color = option
    return {"gid": str(gid), "resource_type": "enum_option", "name": name, "enabled": enabled, "color": color}


def places(definition: Stored) -> int:
    """The decimal places a number field's values keep: its `precision`, counted on the shown
    percent for a `percentage` field (Asana's spec, CustomFieldBase.precision: "a value of 0.25 has
    a precision of 0, while a value of 0.251 has a precision of 1", as 0.25 shows as 25%)."""
    precision, fmt = definition[4] or 0, definition[5]
    return precision + 2 if fmt == "percentage" else precision


def _number_display(value: float, definition: Stored) -> str:
    """Asana's display of a number (inferred wording: the value rounded to the field's precision,
    with its format: `12.5%`, `EUR 3.10`, a custom label before or after)."""
    precision, fmt, code, label, position = definition[4:9]
    places = precision or 0
    if fmt == "percentage":
        return f"{value * 100:.{places}f}%"
    shown = f"{value:.{places}f}"
    if fmt == "currency":
        return f"{code} {shown}"
    if fmt == "custom" and label:
        return f"{label}{shown}" if position == "prefix" else f"{shown}{label}"
    return shown


def value_of(
    definition: Stored, row: Stored | None, options: list[Option], names: Names
) -> tuple[Any, str | None]:
    """(the typed value as the wire shows it, its display_value) of a stored value (None: none)."""
    subtype = definition[2]
    text, number, option_gid, listed, date_on, date_at = (row or (None,) * 6)[:6]
    if subtype == "text":
        return text, text
    if subtype == "number":
        if number is None:
            return None, None
        kept = places(definition)
        value = round(number, kept)
        return (int(value) if kept == 0 else value), _number_display(value, definition)
    if subtype == "enum":
        chosen = next((o for o in options if o[0] == option_gid), None)
        return (None, None) if chosen is None else (option_dict(chosen), chosen[1])
    if subtype == "multi_enum":
        wanted = {int(g) for g in (listed or "").split(",") if g}
        picked = [o for o in options if o[0] in wanted]
        return [option_dict(o) for o in picked], (", ".join(o[1] for o in picked) if picked else None)
    if subtype == "date":
        if date_on is None and date_at is None:
            return None, None
        stamp = iso_ms(date_at)
        return {"date": date_on or (stamp or "")[:10], "date_time": stamp}, stamp or date_on
    entries = [e for e in (listed or "").split(",") if e]
    if subtype == "people":
        users = [u for u in map(int, entries) if u in names.users]
        value = [{"gid": str(u), "resource_type": "user", "name": names.users[u]} for u in users]
        return value, (", ".join(names.users[u] for u in users) if users else None)
    shown = [
        names.objects[g] + (g,) for g in (int(e.partition(":")[2]) for e in entries) if g in names.objects
    ]
    refs = [{"gid": str(gid), "resource_type": kind, "name": name} for kind, name, gid in shown]
    return refs, (", ".join(name for _, name, _ in shown) if shown else None)


def display(definition: Stored, row: Stored, options: list[Option]) -> str | None:
    """The display_value to store with a value written now (None: computed when read)."""
    if definition[2] in READ_TIME:
        return None
    return value_of(definition, row, options, NO_NAMES)[1]


def parse(
    ctx: Caller, label: str, definition: Stored, value: Any, workspace_gid: int, options: list[Option]
) -> Stored | None:
    """A value as the stored columns without display_value (text, number, enum option, list, date,
    date-time); None for an empty multi_enum, people or reference list (no value); 400 naming the
    field for anything else. `options`: the field's enum options (enum and multi_enum fields)."""
    name, subtype = definition[1], definition[2]
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
        return (None, round(float(value), places(definition)), None, None, None, None)
    if subtype in ("enum", "multi_enum"):
        return _parse_options(label, definition, value, options)
    if subtype == "date":
        return _parse_date(label, name, value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        what = "users" if subtype == "people" else "object gids"
        raise InvalidRequest(f"{label}: Not an array of {what} (the custom field {name!r}): {kind}")
    if not value:
        return None
    if subtype == "people":
        users = members.resolve_users(ctx, label, value, workspace_gid)
        return (None, None, None, ",".join(map(str, users)), None, None)
    refs = _references(ctx, label, definition, value, workspace_gid)
    return (None, None, None, ",".join(f"{k}:{g}" for k, g in refs), None, None)


def _parse_options(label: str, definition: Stored, value: Any, options: list[Option]) -> Stored | None:
    name, subtype = definition[1], definition[2]
    chosen = [value] if subtype == "enum" else value
    if not isinstance(chosen, list) or not all(isinstance(v, str) for v in chosen):
        shape = "an enum option gid" if subtype == "enum" else "an array of enum option gids"
        raise InvalidRequest(f"{label}: Not {shape} (the custom field {name!r}): {json_kind(value)}")
    by_gid = {o[0]: o for o in options}
    picked: list[int] = []
    for option in chosen:
        gid = int(option) if option.isascii() and option.isdigit() and len(option) <= 19 else None
        if gid is None or gid not in by_gid:
            raise InvalidRequest(f"{label}: Not an enum option of the custom field {name!r}: {option[:64]}")
        if not by_gid[gid][2]:
            raise InvalidRequest(f"{label}: The enum option {by_gid[gid][1]!r} is disabled")
        if gid not in picked:
            picked.append(gid)
    if subtype == "enum":
        return (None, None, picked[0], None, None, None)
    return (None, None, None, ",".join(map(str, picked)), None, None) if picked else None


def _parse_date(label: str, name: str, value: Any) -> Stored:
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


def _references(
    ctx: Caller, label: str, definition: Stored, values: list[str], workspace_gid: int
) -> list[tuple[str, int]]:
    """The objects a reference value names, in the given order without repeats, as (kind, gid).
    An object the caller cannot see answers like one that does not exist (400 "Unknown object");
    one of a kind the field's `input_restrictions` leaves out, or of another workspace, is a 400."""
    allowed = [k for k in (definition[9] or "").split(",") if k]
    out: list[tuple[str, int]] = []
    for value in values:
        gid = int(value) if value.isascii() and value.isdigit() and 0 < len(value) <= 19 else None
        found = None if gid is None else _referable(ctx, gid)
        if found is None or gid is None:
            raise InvalidRequest(bad_gid(label, value))
        kind, workspace = found
        if kind not in allowed:
            raise InvalidRequest(
                f"{label}: A {kind} cannot be a value of the custom field {definition[1]!r}"
                f" (its input_restrictions: {', '.join(allowed)})"
            )
        if workspace != workspace_gid:
            raise InvalidRequest(f"{label}: The {kind} {gid} is in another workspace")
        if (kind, gid) not in out:
            out.append((kind, gid))
    return out


def _referable(ctx: Caller, gid: int) -> tuple[str, int] | None:
    """(kind, workspace) of the object with this gid that the caller can see, or None."""
    for kind, referable in REFERABLE.items():
        try:
            return kind, int(referable.lookup(ctx, str(gid)).workspace_gid)
        except NotFound:
            continue
    return None


def options_of(conn: Any, field_gids: list[int]) -> Mapping[int, list[Option]]:
    """Each enum field's options in order."""
    out: dict[int, list[Option]] = {}
    if field_gids:
        for field_gid, gid, name, enabled, color in queries.enum_options(conn, field_gids):
            out.setdefault(field_gid, []).append((gid, name, bool(enabled), color))
    return out
