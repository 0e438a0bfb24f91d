"""All SQL of the search endpoints: conditions over the `tasks` / `projects` tables, `?` placeholders.

Each builder returns `(sql, params)`; the service ANDs them together with the visibility rule.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from sqlalchemy import Connection

from vinyasa.protocol import sql

Cond = tuple[str, list[Any]]

# A word is a run of letters and digits: what both engines index (SQLite's unicode61 tokenizer and
# PostgreSQL's parser split at everything else, `_`, punctuation, symbols and emoji included).
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of a search text, lower-cased (what both engines index); at most 32."""
    return [w.lower() for w in _WORD.findall(text)][:32]


def queued(conn: Connection, fts: str) -> bool:
    """Whether SQLite's search index `fts` has objects queued for indexing (migration a8c0ffee001d)."""
    return bool(sql.fetch(conn, f"SELECT 1 FROM {fts}_pending LIMIT 1"))


def index_queued(conn: Connection, table: str, fts: str, notes: str | None, limit: int) -> int:
    """Index up to `limit` of the objects queued for `fts`, oldest gid first, and unqueue them:
    each one's old entry goes, its current name and notes (plain text) go in, a deleted one's
    nothing. How many it indexed."""
    gids = [
        int(r[0]) for r in sql.fetch(conn, f"SELECT gid FROM {fts}_pending ORDER BY gid LIMIT ?", [limit])
    ]
    if not gids:
        return 0
    # One statement a gid: FTS5 finds a row by `rowid = ?`, an IN list would scan the whole index.
    sql.execute_many(conn, f"DELETE FROM {fts} WHERE rowid = ?", [(g,) for g in gids])
    text = f"CASE WHEN {notes} = '<body></body>' THEN '' ELSE vinyasa_plain({notes}) END" if notes else "''"
    marks = sql.marks(len(gids))
    sql.write(
        conn,
        f"INSERT INTO {fts} (rowid, name, notes) SELECT gid, name, {text} FROM {table}"
        f" WHERE gid IN ({marks}) ORDER BY gid",
        gids,
    )
    sql.write(conn, f"DELETE FROM {fts}_pending WHERE gid IN ({marks})", gids)
    return len(gids)


def text_match(dialect: str, table: str, fts: str, terms: list[str]) -> Cond:
    """Every term is a prefix of an indexed word (SQLite FTS5 / PostgreSQL tsquery): a task's name
    and notes, a project's name (migration a8c0ffee0014)."""
    if dialect == "sqlite":
        query = " ".join(f'"{term}"*' for term in terms)
        return f"{table}.gid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)", [query]
    return f"{table}.search_text @@ to_tsquery('simple', ?)", [" & ".join(f"{t}:*" for t in terms)]


def among(column: str, values: list[int], negate: bool = False, nulls: bool = False) -> Cond:
    """`column` is one of `values` (or NULL when `nulls`); `negate`: none of them (NULL is none)."""
    marks = ", ".join("?" * len(values))
    inside = f"{column} IN ({marks})" if values else "1 = 0"
    if nulls:
        inside = f"({inside} OR {column} IS NULL)"
    if negate:
        return f"NOT ({inside})" if nulls else f"({column} IS NULL OR NOT {inside})", list(values)
    return inside, list(values)


def linked(link: str, own: str, column: str, values: list[int], mode: str, also: Cond = ("", [])) -> Cond:
    """Through a link table (`link` rows with `own` = the task): `any` of the values (an IN list the
    planner can drive from the link's index; `also` narrows those link rows further), `not` any of
    them, or `all` of them (one each). No values (`projects.any=`) is no filter, as for tags."""
    if not values:
        return "1 = 1", []
    marks = ", ".join("?" * len(values))
    if mode == "all":
        one = f"EXISTS (SELECT 1 FROM {link} l WHERE l.{own} = tasks.gid AND l.{column} = ?)"
        return " AND ".join([one] * len(values)), list(values)
    if mode == "any":
        narrowed = f" AND {also[0]}" if also[0] else ""
        inside = f"SELECT l.{own} FROM {link} l WHERE l.{column} IN ({marks}){narrowed}"
        return f"tasks.gid IN ({inside})", [*values, *also[1]]
    found = f"EXISTS (SELECT 1 FROM {link} l WHERE l.{own} = tasks.gid AND l.{column} IN ({marks}))"
    return f"NOT {found}", list(values)


def task_teams(values: list[int]) -> Cond:
    """The task is in a project of one of these teams (none given: no filter)."""
    if not values:
        return "1 = 1", []
    marks = ", ".join("?" * len(values))
    return (
        "EXISTS (SELECT 1 FROM task_projects l JOIN projects p ON p.gid = l.project_gid"
        f" WHERE l.task_gid = tasks.gid AND p.team_gid IN ({marks}))",
        list(values),
    )


BLOCKED = (
    "EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks b ON b.gid = d.dependency_gid"
    " WHERE d.task_gid = tasks.gid AND b.completed = ?)"
)
BLOCKING = (
    "tasks.completed = ? AND EXISTS (SELECT 1 FROM task_dependencies d WHERE d.dependency_gid = tasks.gid)"
)


def flag(condition: str, wanted: bool, params: list[Any]) -> Cond:
    """`condition` when `wanted`, its negation otherwise."""
    return (condition if wanted else f"NOT ({condition})"), params


def _either(day: Cond | None, moment: Cond | None) -> Cond:
    parts = [c for c in (day, moment) if c is not None]
    if len(parts) == 1:
        return parts[0]
    return f"({parts[0][0]} OR {parts[1][0]})", parts[0][1] + parts[1][1]


def on_day(day_column: str | None, ms_column: str | None, day: str, start: int, end: int) -> Cond:
    """On the day: the date column is `day`, or the moment falls in [start, end) (UTC ms)."""
    return _either(
        None if day_column is None else (f"{day_column} = ?", [day]),
        None if ms_column is None else (f"({ms_column} >= ? AND {ms_column} < ?)", [start, end]),
    )


def no_time(day_column: str | None, ms_column: str | None) -> Cond:
    """`…_on=null`: neither a date nor a moment."""
    return " AND ".join(f"{c} IS NULL" for c in (day_column, ms_column) if c is not None), []


def _day_bound(day_column: str | None, op: str, day: str | None) -> Cond | None:
    """`day_column op day`; no day (a bound beyond 0001-01-01 or 9999-12-31): no date matches."""
    if day_column is None:
        return None
    return (f"{day_column} {op} ?", [day]) if day is not None else ("1 = 0", [])


def before(day_column: str | None, ms_column: str | None, last_day: str | None, limit: int) -> Cond:
    """Strictly before `limit` (ms): a moment before it, or a date on or before `last_day` (the day
    whose start is the last one before `limit`; None when that would be before 0001-01-01)."""
    return _either(
        _day_bound(day_column, "<=", last_day),
        None if ms_column is None else (f"{ms_column} < ?", [limit]),
    )


def after(day_column: str | None, ms_column: str | None, first_day: str | None, limit: int) -> Cond:
    """Strictly after `limit` (ms): a moment after it, or a date from `first_day` on (the first day
    that starts after `limit`; None when that would be after 9999-12-31)."""
    return _either(
        _day_bound(day_column, ">=", first_day),
        None if ms_column is None else (f"{ms_column} > ?", [limit]),
    )


def due_key(dialect: str, table: str, moments: bool = True) -> str:
    """A task's or project's due time as one sortable number (epoch ms; a date is its UTC start)."""
    if dialect == "sqlite":
        day = f"CAST((julianday({table}.due_on) - 2440587.5) * 86400000 AS INTEGER)"
    else:
        day = f"(EXTRACT(EPOCH FROM CAST({table}.due_on AS date)) * 1000)::bigint"
    return f"COALESCE({table}.due_at, {day})" if moments else day


class Values(NamedTuple):
    """Where the custom field values of a searched kind of object are: the values table, its
    column naming the object, and the searched object's gid column."""

    table: str
    key: str
    owner: str


TASK_VALUES = Values("task_custom_field_values", "task_gid", "tasks.gid")
PROJECT_VALUES = Values("project_custom_field_values", "project_gid", "projects.gid")


def custom_value(
    values: Values, field_gid: int, condition: str, params: list[Any], *, negate: bool = False
) -> Cond:
    """The object has a value of the custom field meeting `condition` (over `v`); `negate`: it has none."""
    found = (
        f"EXISTS (SELECT 1 FROM {values.table} v WHERE v.{values.key} = {values.owner}"
        f" AND v.custom_field_gid = ? AND {condition})"
    )
    return (f"NOT {found}" if negate else found), [field_gid, *params]


SET_VALUE = (
    "(v.text_value IS NOT NULL OR v.number_value IS NOT NULL OR v.enum_option_gid IS NOT NULL"
    " OR v.list_value IS NOT NULL OR v.date_on IS NOT NULL OR v.date_at IS NOT NULL)"
)


def like_pattern(value: str, where: str) -> str:
    """A LIKE pattern (escape `\\`) for `value` at the start, end, or anywhere of the text."""
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return {"starts_with": escaped + "%", "ends_with": "%" + escaped}.get(where, "%" + escaped + "%")


CUSTOM_FIELD = "SELECT resource_subtype FROM custom_fields WHERE gid = ? AND workspace_gid = ?"


def in_portfolios(searched: str, portfolio_gids: list[int], also: Cond = ("", [])) -> Cond:
    """`searched` "projects": the project is a direct item of any of the portfolios; "tasks": the
    task is in such a project. `also` narrows the items (portfolio_items rows `pi`). The projects of
    nested portfolios are not among them."""
    marks = ", ".join("?" * len(portfolio_gids)) or "NULL"
    narrowed = f" AND {also[0]}" if also[0] else ""
    items = (
        "SELECT pi.project_gid FROM portfolio_items pi"
        f" WHERE pi.portfolio_gid IN ({marks}) AND pi.project_gid IS NOT NULL{narrowed}"
    )
    if searched == "tasks":
        items = f"SELECT l.task_gid FROM task_projects l WHERE l.project_gid IN ({items})"
    return f"{searched}.gid IN ({items})", [*portfolio_gids, *also[1]]


def ordered(table: str, where: str, order: str) -> str:
    """The gids of `table` rows meeting `where`, in `order`, one page (`LIMIT ? OFFSET ?`)."""
    return f"SELECT {table}.gid FROM {table} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"


def placed(where: str, order: str) -> str:
    """Like `ordered`, driven from one project's placements `tp` (`tp.project_gid = ?` first)."""
    return (
        "SELECT tasks.gid FROM task_projects tp JOIN tasks ON tasks.gid = tp.task_gid"
        f" WHERE tp.project_gid = ? AND {where} ORDER BY {order} LIMIT ? OFFSET ?"
    )


def placed_due_order(dialect: str, ascending: bool) -> str:
    """Due date order over `tp.due_key` (no date last either way), as ix_task_projects_due stores it."""
    postgres = dialect == "postgresql"
    if ascending:
        first = "tp.due_key ASC NULLS LAST" if postgres else "tp.due_key IS NULL, tp.due_key ASC"
        return f"{first}, tp.task_gid ASC"
    return ("tp.due_key DESC NULLS LAST" if postgres else "tp.due_key DESC") + ", tp.task_gid DESC"
