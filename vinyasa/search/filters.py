"""Reading Asana's search query parameters into SQL conditions (shared by task and project search).

Each reader validates its value (400 naming the parameter, in Asana's words) and returns conditions
built by `vinyasa.search.queries`. Dates are UTC days; `.before`/`.after` are strict. A bound at an
end of the calendar (`due_on.before=0001-01-01`, `created_at.after=9999-12-31T23:59:59Z`) has no day
beyond it: the date column then matches nothing, the moment column still compares exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from vinyasa import access
from vinyasa.core import Caller
from vinyasa.errors import InvalidRequest
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid
from vinyasa.protocol.values import parse_bool, parse_date, parse_datetime_ms, split_list
from vinyasa.search import indexing, queries
from vinyasa.search.queries import Cond, Values
from vinyasa.users.service import resolve_user

DAY_MS = 86_400_000
CUSTOM_OPS = (
    "value", "is_set", "less_than", "greater_than", "before", "after", "starts_with", "ends_with", "contains"
)  # fmt: skip
_COMPARE = {"value": "=", "less_than": "<", "greater_than": ">", "before": "<", "after": ">"}
_EPOCH_DAY = date(1970, 1, 1)


def _day_start(day: str) -> int:
    """The first millisecond of a day (UTC)."""
    return (date.fromisoformat(day) - _EPOCH_DAY).days * DAY_MS


def _day_of(ms: int) -> str | None:
    """The UTC day holding a moment (epoch ms); None outside years 0001-9999, where no day is."""
    try:
        return (_EPOCH_DAY + timedelta(days=ms // DAY_MS)).isoformat()
    except OverflowError:
        return None


def _next_day(day: str | None) -> str | None:
    """The day after `day`; None after 9999-12-31 (or after no day)."""
    try:
        return None if day is None else (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    except OverflowError:
        return None


def boolean(params: Mapping[str, str], name: str) -> bool | None:
    """A `true`/`false` parameter; absent: None; anything else: 400."""
    raw = params.get(name)
    if raw is None:
        return None
    value = parse_bool(raw)
    if value is None:
        raise InvalidRequest(f"{name}: Not a boolean: {raw[:64]}")
    return value


def users(
    ctx: Caller, params: Mapping[str, str], name: str, *, nulls: bool = False
) -> tuple[list[int], bool] | None:
    """The users (`me`, email or gid) a `….any`/`….not` parameter names, and whether it names `null`
    (only where `nulls`: an unassigned task). Absent or empty (no filter): None; an unknown user: 400."""
    raw = params.get(name)
    if raw is None or not split_list(raw):
        return None
    gids: list[int] = []
    has_null = False
    for value in split_list(raw):
        if nulls and value == "null":
            has_null = True
        else:
            gids.append(resolve_user(ctx, value, name))
    return gids, has_null


def times(
    params: Mapping[str, str], prefix: str, day_column: str | None, ms_column: str | None
) -> list[Cond]:
    """`{prefix}_on`, `_on.before`, `_on.after` (dates; `_on` may be `null`) and
    `{prefix}_at.before`/`.after` (date-times) over a date column and/or an epoch-ms column."""
    out: list[Cond] = []
    on = params.get(f"{prefix}_on")
    if on is not None:
        if on == "null":
            out.append(queries.no_time(day_column, ms_column))
        else:
            day = parse_date(f"{prefix}_on", on)
            start = _day_start(day)
            out.append(queries.on_day(day_column, ms_column, day, start, start + DAY_MS))
    raw = params.get(f"{prefix}_on.before")
    if raw is not None:
        day = parse_date(f"{prefix}_on.before", raw)
        out.append(queries.before(day_column, ms_column, _day_of(_day_start(day) - 1), _day_start(day)))
    raw = params.get(f"{prefix}_on.after")
    if raw is not None:
        day = parse_date(f"{prefix}_on.after", raw)
        out.append(queries.after(day_column, ms_column, _next_day(day), _day_start(day) + DAY_MS - 1))
    raw = params.get(f"{prefix}_at.before")
    if raw is not None:
        limit = parse_datetime_ms(f"{prefix}_at.before", raw)
        out.append(queries.before(day_column, ms_column, _day_of(limit - 1), limit))
    raw = params.get(f"{prefix}_at.after")
    if raw is not None:
        limit = parse_datetime_ms(f"{prefix}_at.after", raw)
        out.append(queries.after(day_column, ms_column, _next_day(_day_of(limit)), limit))
    return out


def order_by(key: str, ascending: bool, gid: str, *, nullable: bool) -> str:
    """The ORDER BY of a search sorted by `key` (SQL), the `gid` column breaking ties in the same
    direction. A key that can be NULL (a due date, completed_at) puts its NULLs last either way, as
    Asana lists them; one that cannot (created_at, modified_at) is ordered bare, so an index on
    (workspace, key) serves the order: the CASE made SQLite sort every task of the workspace
    (~150 µs of 500 tasks, against ~30 µs read in index order)."""
    direction = "ASC" if ascending else "DESC"
    nulls = f"CASE WHEN {key} IS NULL THEN 1 ELSE 0 END, " if nullable else ""
    return f"{nulls}{key} {direction}, {gid} {direction}"


def sort(params: Mapping[str, str], allowed: tuple[str, ...]) -> tuple[str, bool]:
    """`sort_by` (default `modified_at`) and `sort_ascending` (default false)."""
    by = params.get("sort_by", "modified_at")
    if by not in allowed:
        raise InvalidRequest(f"sort_by: Not one of {', '.join(allowed)}: {by[:64]}")
    return by, bool(boolean(params, "sort_ascending"))


def text(ctx: Caller, params: Mapping[str, str], index: indexing.Index) -> list[Cond]:
    """`text`: every word of it begins a word of the object's indexed text (`index`). No text, or
    only white space: no filter. Text with no word the index could hold (`???`, an emoji: both
    engines index letters and digits only, vinyasa.search.queries.words) matches nothing."""
    raw = params.get("text") or ""
    if not raw.strip():
        return []
    terms = queries.words(raw)
    if not terms:
        return [("1 = 0", [])]
    indexing.current(ctx, index)  # SQLite: what is queued for the index, indexed first
    return [queries.text_match(ctx.conn.dialect.name, index.table, index.fts, terms)]


def portfolios(ctx: Caller, params: Mapping[str, str], workspace_gid: int) -> list[int] | None:
    """The portfolios `portfolios.any` names, each visible to the caller (vinyasa.access.portfolio)
    and in the searched workspace: 400 `portfolios.any: Unknown object` otherwise. Absent or empty
    (no filter): None."""
    values = split_list(params.get("portfolios.any"))
    if not values:
        return None
    gids = []
    for value in values:
        portfolio = access.portfolio(ctx, value, "portfolios.any")
        if portfolio.workspace_gid != workspace_gid:
            raise access.unknown("portfolios.any", value, "portfolio")
        gids.append(portfolio.gid)
    return gids


def custom_fields(ctx: Caller, params: Mapping[str, str], workspace_gid: int, values: Values) -> list[Cond]:
    """`custom_fields.{gid}.{op}` over the searched objects' `values`: is_set, value (by the
    field's type), less_than/greater_than (numbers), before/after (dates), starts_with/ends_with/
    contains (text, case-insensitive). A field not in the workspace: 400 `Unknown object`; an
    operation its type does not have: 400 (Asana: the "Custom field parameters" table of
    searchTasksForWorkspace and searchProjectsForWorkspace)."""
    out: list[Cond] = []
    for name, raw in params.items():
        if not name.startswith("custom_fields."):
            continue
        _, gid_text, op = (name.split(".", 2) + ["", ""])[:3]
        gid = as_gid(gid_text)
        kind = None if gid is None else sql.fetch_value(ctx.conn, queries.CUSTOM_FIELD, [gid, workspace_gid])
        if gid is None or kind is None:
            raise access.unknown(name, gid_text, "custom field")
        if op not in CUSTOM_OPS:
            raise InvalidRequest(f"{name}: Not one of custom_fields.{{gid}}.{', .'.join(CUSTOM_OPS)}")
        out.append(_custom_condition(values, name, gid, str(kind), op, raw))
    return out


def _custom_condition(values: Values, name: str, gid: int, kind: str, op: str, raw: str) -> Cond:
    if op == "is_set":
        wanted = boolean({name: raw}, name)
        return queries.custom_value(values, gid, queries.SET_VALUE, [], negate=not wanted)
    if op in ("starts_with", "ends_with", "contains"):
        if kind != "text":
            raise InvalidRequest(f"{name}: Only for text custom fields")
        return queries.custom_value(
            values, gid, "lower(v.text_value) LIKE ? ESCAPE '\\'", [queries.like_pattern(raw, op)]
        )
    if kind == "number" or op in ("less_than", "greater_than", "before", "after"):
        if kind not in ("number", "date"):
            raise InvalidRequest(f"{name}: Only for number and date custom fields")
        if kind == "date":
            day = parse_date(name, raw)
            return queries.custom_value(values, gid, f"v.date_on {_COMPARE[op]} ?", [day])
        try:
            number = float(raw)
        except ValueError:
            raise InvalidRequest(f"{name}: Not a number: {raw[:64]}") from None
        return queries.custom_value(values, gid, f"v.number_value {_COMPARE[op]} ?", [number])
    if kind == "enum":
        option = as_gid(raw)
        if option is None:
            raise InvalidRequest(f"{name}: Not an enum option gid: {raw[:64]}")
        return queries.custom_value(values, gid, "v.enum_option_gid = ?", [option])
    if kind in ("multi_enum", "people"):
        item = as_gid(raw)
        if item is None:
            raise InvalidRequest(f"{name}: Not a gid: {raw[:64]}")
        return queries.custom_value(values, gid, "(',' || v.list_value || ',') LIKE ?", [f"%,{item},%"])
    if kind == "date":
        return queries.custom_value(values, gid, "v.date_on = ?", [parse_date(name, raw)])
    return queries.custom_value(values, gid, "v.text_value = ?", [raw])
