"""Asana's validation messages: the one table every 400 about bad input is worded from.

Integrations match on these strings, so each entry names its source: Asana's docs and spec, or
public reports of what Asana answered. Entries marked *inferred* follow the shape of the sourced
ones (`<field>: <problem>`, Asana's "Not a <Type>" wording) where no source gives the exact text;
docs/wire-fidelity.md lists them. `explain` turns Pydantic's errors into these messages, so no library
wording ("Input should be...", "Field required") reaches a client.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, get_args

from pydantic_core.core_schema import ErrorType

MESSAGES: dict[str, str] = {
    # Docs, "Errors" page, and the spec's Error.message example ("project: Missing input").
    "missing": "{field}: Missing input",
    # A gid that is not a number. Asana forum t/19570 and mannieschumpert/quicktask#12 (2020):
    # "workspace: Not a Long".
    "not_a_long": "{field}: Not a Long",
    # A gid sent as a JSON number (or another non-string). getsentry/sentry#14520 and
    # Asana/python-asana#93 (2019): "workspace: Not a valid GID type: number".
    "gid_type": "{field}: Not a valid GID type: {kind}",
    # A well-formed gid the caller cannot see, or that does not exist (vinyasa.access): "Unknown object".
    "unknown_object": "{field}: Unknown object: {value}",
    # A field that cannot be null (docs: "null clears" only the nullable ones). *inferred*
    "not_null": "{field}: Cannot be null",
    # Wrong JSON types. *inferred* from "Not a Long".
    "not_a_string": "{field}: Not a string",
    "not_a_boolean": "{field}: Not a boolean",
    "not_a_number": "{field}: Not a number",
    "not_an_integer": "{field}: Not an integer",
    "not_an_object": "{field}: Not an object",
    "not_an_array": "{field}: Not an array",
    # A value outside an enum; the allowed values are the spec's. *inferred*
    "bad_enum": "{field}: Not a valid enum value: {value}. Valid values are: {allowed}",
    # Dates and date-times (spec: `format: date` YYYY-MM-DD, `format: date-time` ISO 8601). *inferred*
    "bad_date": "{field}: Not a valid date (YYYY-MM-DD): {value}",
    "bad_datetime": "{field}: Not a valid ISO 8601 date-time: {value}",
    # Length limits. *inferred*
    "too_long": "{field}: Must be at most {limit} characters",
    "too_short": "{field}: Must be at least {limit} characters",
    "empty": "{field}: Cannot be empty",
    "too_many": "{field}: At most {limit} items can be given",
    # A field PUT cannot write (the resource's table of refused fields; see Ctx.input). The 400 for
    # task followers: roychri/mcp-server-asana#48 (2026, "Bad Request"); wording *inferred*.
    "unwritable": "{field}: Cannot be written with this request. {hint}",
    # Fallback for anything else a validator refuses. *inferred*
    "invalid": "{field}: Invalid value",
}

# Pydantic error types -> table entries (types not listed, and not ours, fall back to "invalid").
_BY_TYPE: dict[str, str] = {
    "missing": "missing",
    "string_type": "not_a_string",
    "string_sub_type": "not_a_string",
    "bool_type": "not_a_boolean",
    "bool_parsing": "not_a_boolean",
    "int_type": "not_an_integer",
    "int_parsing": "not_an_integer",
    "int_from_float": "not_an_integer",
    "float_type": "not_a_number",
    "float_parsing": "not_a_number",
    "dict_type": "not_an_object",
    "model_type": "not_an_object",
    "model_attributes_type": "not_an_object",
    "list_type": "not_an_array",
    "literal_error": "bad_enum",
    "enum": "bad_enum",
    "string_too_long": "too_long",
    "string_too_short": "too_short",
    "too_long": "too_many",
    "date_parsing": "bad_date",
    "date_from_datetime_parsing": "bad_date",
    "datetime_parsing": "bad_datetime",
    "datetime_from_date_parsing": "bad_datetime",
}
_LIBRARY_TYPES = frozenset(get_args(ErrorType))

# Body fields that name objects by gid (users also by `me` or email): a non-string there is Asana's
# "Not a valid GID type".
GID_FIELDS = frozenset(
    {
        "assignee",
        "owner",
        "user",
        "workspace",
        "organization",
        "team",
        "project",
        "projects",
        "section",
        "parent",
        "task",
        "tags",
        "insert_before",
        "insert_after",
        "before_section",
        "after_section",
    }
)
MAX_SHOWN = 64  # characters of a caller's value echoed back


def say(key: str, field: str, **values: Any) -> str:
    """One message from the table, e.g. `say("missing", "workspace")` -> "workspace: Missing input"."""
    shown = {k: str(v)[:MAX_SHOWN] if k == "value" else v for k, v in values.items()}
    return MESSAGES[key].format(field=field, **shown)


def json_kind(value: Any) -> str:
    """The JSON type name of a decoded value, as Asana words it ("number", "boolean", ...)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null" if value is None else "string"


def bad_gid(field: str, value: Any) -> str:
    """Why `value` names no object: not a string, not a number, or (well-formed) unknown."""
    if not isinstance(value, str):
        return say("gid_type", field, kind=json_kind(value))
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        return say("not_a_long", field)
    return say("unknown_object", field, value=value)


_LOST = object()  # the data under a location part the body does not hold (a value a validator made)


def _where(loc: Iterable[Any]) -> str:
    """A Pydantic location as a field path: `memberships[0].project`."""
    path = ""
    for part in loc:
        if part in ("body", "query", "path", "header", "data"):
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        elif isinstance(part, str) and "[" not in part:  # not a Pydantic tag like `function-after[...]`
            path += f".{part}" if path else part
    return path or "data"


def _walk(err: Mapping[str, Any], data: Any) -> tuple[str, tuple[str, ...]]:
    """An error's field path read against the `data` it was raised on, and the paths of the unions
    it went through. A union's errors carry the name of the branch that raised them in their
    location (`include.str`, `include.list[str][0]`); such a part names nothing in the data, so it
    is left out of the path (a field that is missing is the one part the data may lack)."""
    loc = list(err.get("loc", ()))
    path, unions, here = "", [], data
    for i, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
            here = here[part] if isinstance(here, list) and -len(here) <= part < len(here) else _LOST
        elif isinstance(here, dict) and part in here:
            path += f".{part}" if path else str(part)
            here = here[part]
        elif (isinstance(here, dict) and i == len(loc) - 1 and err.get("type") == "missing") or (
            here is _LOST and "[" not in str(part)
        ):
            path += f".{part}" if path else str(part)
            here = _LOST
        else:  # a union's branch (or another Pydantic tag): nothing in the data
            unions.append(path)
    return path or "data", tuple(unions)


def _named(errors: list[Mapping[str, Any]], data: Any) -> list[tuple[str, bool]]:
    """Each error's message, a union's errors told as one field's: when the value has the shape of
    a branch (an array, an object), only what is wrong inside it (`include[0]: Not a string`);
    when it fits no branch, flagged to be joined (`explain`: `include: Not a string or an array`)."""
    walked = [(err, *_walk(err, data)) for err in errors]
    inside = {u for _, field, unions in walked for u in unions if field != u}
    return [
        (_one(err, field), field in unions)
        for err, field, unions in walked
        if not (field in unions and field in inside)
    ]


def _joined(named: list[tuple[str, bool]]) -> list[str]:
    """The messages, those flagged about one field (a union's branches) as one, in first-seen
    order: `Not a string` and `Not an array` make `Not a string or an array`."""
    out: dict[str, list[str]] = {}
    for message, union in named:
        field, _, problem = message.partition(": ")
        said = out.setdefault(field if union else message, [])
        if union and problem not in said:
            said.append(problem)
    return [f"{key}: {_either(said)}" if said else key for key, said in out.items()]


def _either(problems: list[str]) -> str:
    if all(p.startswith("Not ") for p in problems):
        return "Not " + " or ".join(p[4:] for p in problems)
    return " or ".join(problems)


def _one(err: Mapping[str, Any], field: str | None = None) -> str:
    kind, ctx = str(err.get("type", "")), err.get("ctx") or {}
    loc = list(err.get("loc", ()))
    if field is None:
        field, name = _where(loc), next((p for p in reversed(loc) if isinstance(p, str)), "")
    else:  # a path read against the data: its last key (a union branch's name is not one)
        name = re.sub(r"\[\d+\]", "", field).rsplit(".", 1)[-1]
    given = err.get("input")
    key = _BY_TYPE.get(kind)
    if given is None and "input" in err and key is not None:
        return say("missing", field)  # null where a value is required
    if kind == "string_type" and name in GID_FIELDS:
        return say("gid_type", field, kind=json_kind(given))
    if key == "bad_enum" and not isinstance(given, str):
        return say("not_a_string", field)
    if key == "too_short" and ctx.get("min_length") == 1:
        return say("empty", field)
    if key == "bad_enum":
        allowed = str(ctx.get("expected", "")).replace("'", "")
        return say("bad_enum", field, value=given, allowed=allowed)
    if key in ("too_long", "too_short", "too_many"):
        return say(key, field, limit=ctx.get("max_length", ctx.get("min_length", "")))
    if key in ("bad_date", "bad_datetime"):
        return say(key, field, value=given)
    if key is not None:
        return say(key, field)
    if kind in _LIBRARY_TYPES or kind == "value_error":
        return say("invalid", field)
    return f"{field}: {err.get('msg', 'Invalid value')}"  # our own PydanticCustomError wording


def explain(errors: Iterable[Mapping[str, Any]], *, limit: int = 5, data: Any = _LOST) -> str:
    """Pydantic / FastAPI validation errors as Asana's `field: problem` messages, `; `-joined.

    Given the `data` a body model validated, a union-typed field's errors name the field only
    (`_named`), never the branch Pydantic tried (`include.str`)."""
    if data is _LOST:
        parts = list(dict.fromkeys(_one(err) for err in list(errors)[:limit]))
        return "; ".join(parts) or "Invalid request"
    return "; ".join(_joined(_named(list(errors), data))[:limit]) or "Invalid request"
