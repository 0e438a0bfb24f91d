"""All raw SQL of the custom fields family (vinyasa.protocol.sql; `?` placeholders).

`table`/`owner`/`column` arguments are identifiers chosen by the code (a value store's table, a
container's column in custom_field_settings), never client input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from vinyasa.db import row_lock
from vinyasa.protocol import pagination, sql
from vinyasa.protocol.pagination import Listing

VALUE_COLUMNS = "text_value, number_value, enum_option_gid, list_value, date_on, date_at, display_value"


@dataclass(frozen=True)
class Containers:
    """Where the containers of a kind of object are listed (a value store's, vinyasa.custom_fields.values):
    each row of `table` names an owner (column `owner`) and one of its containers (`container`), an
    owner's containers ordered by `order`, then by gid (oldest first)."""

    table: str
    owner: str
    container: str
    order: str


# A task's containers: the projects it is in, oldest first.
TASK_CONTAINERS = Containers("task_projects", "task_gid", "project_gid", "added_at")
_DEFINITION_COLUMNS = (
    "{f}gid, {f}name, {f}resource_subtype, {f}description, {f}precision, {f}format, {f}currency_code,"
    " {f}custom_label, {f}custom_label_position, {f}input_restrictions, {f}id_prefix"
)
# A field's enum options as one JSON array of [gid, name, enabled, color, position] (in no
# order; null for a field without options), read with its definition (`{f}`: its table's alias).
_OPTIONS = {
    "sqlite": "(SELECT json_group_array(json_array(o.gid, o.name, o.enabled, o.color, o.position))"
    " FROM enum_options o WHERE o.custom_field_gid = {f}gid HAVING count(*) > 0)",
    "postgresql": "(SELECT json_agg(json_build_array(o.gid, o.name, o.enabled, o.color, o.position)"
    " ORDER BY o.position, o.gid)::text FROM enum_options o WHERE o.custom_field_gid = {f}gid)",
}
Row = tuple[Any, ...]
_DEFINITION_WIDTH = _DEFINITION_COLUMNS.count("{f}") + 1  # and the options


def field(conn: Connection, gid: int, *, lock: bool | str) -> list[Row]:
    """(gid, workspace, subtype) of a field; `lock` holds its row to the end (PostgreSQL; "delete":
    for its deletion, vinyasa.db.row_lock)."""
    locking = row_lock(conn, delete=lock == "delete") if lock else ""
    return sql.fetch(
        conn, "SELECT gid, workspace_gid, resource_subtype FROM custom_fields WHERE gid = ?" + locking, [gid]
    )


def option_field(conn: Connection, option_gid: int) -> int | None:
    """The field of an enum option, or None when there is no such option."""
    found = sql.fetch_value(conn, "SELECT custom_field_gid FROM enum_options WHERE gid = ?", [option_gid])
    return None if found is None else int(found)


def option_of(conn: Connection, field_gid: int, option_gid: int) -> bool:
    """Whether `option_gid` is an enum option of the field."""
    return bool(
        sql.fetch(
            conn, "SELECT 1 FROM enum_options WHERE gid = ? AND custom_field_gid = ?", [option_gid, field_gid]
        )
    )


def count_options(conn: Connection, field_gid: int) -> int:
    """How many enum options the field has, disabled ones included."""
    return int(
        sql.fetch_value(conn, "SELECT count(*) FROM enum_options WHERE custom_field_gid = ?", [field_gid])
    )


def field_named(conn: Connection, workspace_gid: int, name_key: str) -> int | None:
    """The workspace's field with this name key (its case-folded name), if any."""
    found = sql.fetch_value(
        conn,
        "SELECT gid FROM custom_fields WHERE workspace_gid = ? AND name_key = ?",
        [workspace_gid, name_key],
    )
    return None if found is None else int(found)


def delete_field_rows(conn: Connection, field_gid: int) -> None:
    """Delete a field's settings and enum options (its values and its own row are deleted apart)."""
    sql.write(conn, "DELETE FROM custom_field_settings WHERE custom_field_gid = ?", [field_gid])
    sql.write(conn, "DELETE FROM enum_options WHERE custom_field_gid = ?", [field_gid])


def enum_options(conn: Connection, field_gids: list[int], columns: str = "name, enabled, color") -> list[Row]:
    """(field, option, *columns) for each field's enum options, in order (`columns` "" for gids only)."""
    extra = f", {columns}" if columns else ""
    return sql.fetch(
        conn,
        f"SELECT custom_field_gid, gid{extra} FROM enum_options"
        f" WHERE custom_field_gid IN ({sql.marks(len(field_gids))}) ORDER BY custom_field_gid, position, gid",
        field_gids,
    )


def settings_in(conn: Connection, column: str, container_gids: list[int], *, of: str = "gid") -> list[Row]:
    """(container, setting gid or `of`) for each container's settings, in order."""
    return sql.fetch(
        conn,
        f"SELECT {column}, {of} FROM custom_field_settings"
        f" WHERE {column} IN ({sql.marks(len(container_gids))}) ORDER BY {column}, position, gid",
        container_gids,
    )


def settings_of_field(conn: Connection, column: str, field_gid: int) -> list[Row]:
    """(setting, container) of each setting of a field on one kind of container, by setting gid,
    locked (vinyasa.db.row_lock: the field is being deleted, and a concurrent removal of one of
    them commits first, then is not listed)."""
    return sql.fetch(
        conn,
        f"SELECT gid, {column} FROM custom_field_settings"
        f" WHERE custom_field_gid = ? AND {column} IS NOT NULL ORDER BY gid{row_lock(conn)}",
        [field_gid],
    )


def setting_for(
    conn: Connection, column: str, container_gid: int, field_gid: int, *, lock: bool = False
) -> int | None:
    """The container's setting of the field, if any; `lock` holds it (its removal: a concurrent
    deletion of the field or the container commits first, then it is gone)."""
    found = sql.fetch_value(
        conn,
        f"SELECT gid FROM custom_field_settings WHERE {column} = ? AND custom_field_gid = ?"
        + (row_lock(conn) if lock else ""),
        [container_gid, field_gid],
    )
    return None if found is None else int(found)


def setting_on(conn: Connection, column: str, container_gid: int, setting_gid: int) -> bool:
    """Whether `setting_gid` is a setting of the container."""
    return bool(
        sql.fetch(
            conn,
            f"SELECT 1 FROM custom_field_settings WHERE gid = ? AND {column} = ?",
            [setting_gid, container_gid],
        )
    )


def count_settings(conn: Connection, column: str, container_gid: int) -> int:
    """How many settings the container has."""
    return int(
        sql.fetch_value(
            conn, f"SELECT count(*) FROM custom_field_settings WHERE {column} = ?", [container_gid]
        )
    )


def _definition(conn: Connection, alias: str, options: bool) -> str:
    """The columns of a definition row: `definitions`' (table alias `alias`, e.g. "f." or "")."""
    listed = _OPTIONS[conn.dialect.name].format(f=alias) if options else "null"
    return f"{_DEFINITION_COLUMNS.format(f=alias)}, {listed}"


def fields_given(
    conn: Connection, column: str, held: Containers, owner_gids: list[int], *, options: bool
) -> tuple[list[Row], list[Row]]:
    """The (owner, container) pairs of these owners (`held`), in order, and (container,
    *definition) for each setting of those containers (`column` of custom_field_settings names
    one), in order, the definition as `definitions` reads it. One statement (a UNION ALL, its rows
    told apart by their first column) for what the pairs, the settings, the definitions and the
    options cost four, and one round trip on PostgreSQL where the pairs and then their settings cost two."""
    marks = sql.marks(len(owner_gids))
    blank = ", ".join(["NULL"] * _DEFINITION_WIDTH)
    rows = sql.fetch(
        conn,
        f"SELECT 0, h.{held.owner}, h.{held.order}, h.{held.container}, {blank}"
        f" FROM {held.table} h WHERE h.{held.owner} IN ({marks})"
        f" UNION ALL SELECT 1, s.{column}, s.position, s.gid, {_definition(conn, 'f.', options)}"
        " FROM custom_field_settings s JOIN custom_fields f ON f.gid = s.custom_field_gid"
        f" WHERE s.{column} IN (SELECT {held.container} FROM {held.table} WHERE {held.owner} IN ({marks}))"
        " ORDER BY 1, 2, 3, 4",
        [*owner_gids, *owner_gids],
    )
    return [(r[1], r[3]) for r in rows if r[0] == 0], [(r[1], *r[4:]) for r in rows if r[0] == 1]


def definitions(
    conn: Connection, field_gids: list[int], *, share: bool = False, options: bool = False
) -> list[Row]:
    """What rendering or validating a value needs of each field: (gid, name, resource_subtype,
    description, precision, format, currency_code, custom_label, custom_label_position,
    input_restrictions, id_prefix, options), `options` (with `options`, else null) the JSON of
    `_OPTIONS`. `share` holds the rows against changes until the transaction ends (PostgreSQL),
    so a value's stored display_value is computed from the definition its transaction commits
    with (changes lock the field's row for update)."""
    locking = " FOR SHARE" if share and conn.dialect.name == "postgresql" else ""
    return sql.fetch(
        conn,
        f"SELECT {_definition(conn, '', options)} FROM custom_fields"
        f" WHERE gid IN ({sql.marks(len(field_gids))}){locking}",
        field_gids,
    )


def team_settings(conn: Connection, team_gids: list[int], visible: str, params: list[Any]) -> list[Row]:
    """(team, field, setting) of the settings on the teams' projects passing `visible` (a project
    visibility rule), oldest first per team."""
    return sql.fetch(
        conn,
        "SELECT projects.team_gid, s.custom_field_gid, s.gid FROM custom_field_settings s"
        " JOIN projects ON projects.gid = s.project_gid"
        f" WHERE projects.team_gid IN ({sql.marks(len(team_gids))}) AND ({visible})"
        " ORDER BY projects.team_gid, s.created_at, s.gid",
        [*team_gids, *params],
    )


def stored_values(
    conn: Connection, table: str, owner: str, owner_gids: list[int], field_gid: int | None = None
) -> list[Row]:
    """(owner, field, *value columns) of every stored value of these owners (of one field)."""
    one = "" if field_gid is None else " AND custom_field_gid = ?"
    return sql.fetch(
        conn,
        f"SELECT {owner}, custom_field_gid, {VALUE_COLUMNS} FROM {table}"
        f" WHERE {owner} IN ({sql.marks(len(owner_gids))}){one}",
        [*owner_gids, *([] if field_gid is None else [field_gid])],
    )


def stored_displays(conn: Connection, maps: str, owner: str, owner_gids: list[int]) -> list[Row]:
    """(owner, displays, late) per owner with stored values, from its display map (`maps`, see
    vinyasa.models.custom_fields.DisplayMap): two JSON objects keyed by field gid, `displays` each
    value's stored display_value (null where none is stored), `late` the list_value of those
    without one (people and reference values, rows older than displays), or null/`{}`. One row
    per owner, parsed in C: far cheaper than a row per value."""
    return sql.fetch(
        conn,
        f"SELECT {owner}, displays, late FROM {maps} WHERE {owner} IN ({sql.marks(len(owner_gids))})",
        owner_gids,
    )


def rebuild_displays(conn: Connection, table: str, owner: str, maps: str, owner_gids: list[int]) -> None:
    """Recompute these owners' display maps (`maps`) from their values in `table`: one row per
    owner that has values, none for the others."""
    if not owner_gids:
        return
    if conn.dialect.name == "postgresql":
        displays = "json_object_agg(custom_field_gid, display_value)::text"
        late = "(json_object_agg(custom_field_gid, list_value) FILTER (WHERE display_value IS NULL))::text"
    else:
        displays = "json_group_object(custom_field_gid, display_value)"
        late = "json_group_object(custom_field_gid, list_value) FILTER (WHERE display_value IS NULL)"
    marks = sql.marks(len(owner_gids))
    sql.write(conn, f"DELETE FROM {maps} WHERE {owner} IN ({marks})", owner_gids)
    sql.write(
        conn,
        f"INSERT INTO {maps} ({owner}, displays, late) SELECT {owner}, {displays}, {late} FROM {table}"
        f" WHERE {owner} IN ({marks}) GROUP BY {owner}",
        owner_gids,
    )


def replace_value(
    conn: Connection, table: str, owner: str, owner_gid: int, field_gid: int, value: Row | None
) -> None:
    """Set (or, with None, clear) one owner's value of one field."""
    sql.execute_many(
        conn, f"DELETE FROM {table} WHERE {owner} = ? AND custom_field_gid = ?", [(owner_gid, field_gid)]
    )
    if value is not None:
        sql.execute_many(
            conn,
            f"INSERT INTO {table} ({owner}, custom_field_gid, {VALUE_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(owner_gid, field_gid, *value)],
        )


def values_of_field(conn: Connection, table: str, owner: str, field_gid: int) -> list[Row]:
    """(owner, *value columns) of every stored value of one field."""
    return sql.fetch(
        conn, f"SELECT {owner}, {VALUE_COLUMNS} FROM {table} WHERE custom_field_gid = ?", [field_gid]
    )


def delete_values_of_field(conn: Connection, table: str, field_gid: int) -> None:
    """Delete every stored value of one field."""
    sql.write(conn, f"DELETE FROM {table} WHERE custom_field_gid = ?", [field_gid])


def set_displays(conn: Connection, table: str, owner: str, rows: list[tuple[str | None, int, int]]) -> None:
    """Store display values: (display_value, owner gid, field gid) each."""
    if rows:
        sql.execute_many(
            conn, f"UPDATE {table} SET display_value = ? WHERE {owner} = ? AND custom_field_gid = ?", rows
        )


def names_of(conn: Connection, table: str, gids: list[int]) -> dict[int, str]:
    """Names of these rows of `table` (one with `gid` and `name`: users, tasks, projects...)."""
    return dict(sql.fetch(conn, f"SELECT gid, name FROM {table} WHERE gid IN ({sql.marks(len(gids))})", gids))


# ---- custom ID fields (vinyasa.custom_fields.custom_ids) -----------------------------------------


def field_with_prefix(conn: Connection, workspace_gid: int, id_prefix: str) -> bool:
    """Whether a field of the workspace has this ID prefix."""
    return bool(
        sql.fetch(
            conn,
            "SELECT 1 FROM custom_fields WHERE workspace_gid = ? AND id_prefix = ?",
            [workspace_gid, id_prefix],
        )
    )


def task_with_custom_id(conn: Connection, workspace_gid: int, id_prefix: str, number: int) -> int | None:
    """The task numbered `number` by the workspace's ID field with this prefix, if any."""
    rows = sql.fetch(
        conn,
        "SELECT v.task_gid FROM custom_fields f JOIN task_custom_field_values v ON v.custom_field_gid = f.gid"
        " WHERE f.workspace_gid = ? AND f.id_prefix = ? AND v.number_value = ?",
        [workspace_gid, id_prefix, number],
    )
    return int(rows[0][0]) if rows else None


def any_id_field(project_gids: list[int]) -> tuple[str, list[int]]:
    """Scalar SQL (with its parameters): 1 when an ID field is set on one of these projects, else
    NULL (a journal flush probe, vinyasa.custom_fields.custom_ids)."""
    return (
        "SELECT 1 FROM custom_field_settings s JOIN custom_fields f ON f.gid = s.custom_field_gid"
        f" WHERE s.project_gid IN ({sql.marks(len(project_gids))}) AND f.id_prefix IS NOT NULL LIMIT 1",
        project_gids,
    )


def id_fields_on(conn: Connection, project_gids: list[int]) -> list[tuple[int, int, str]]:
    """(project, field, prefix) for each ID field set on these projects."""
    rows = sql.fetch(
        conn,
        "SELECT s.project_gid, f.gid, f.id_prefix FROM custom_field_settings s"
        " JOIN custom_fields f ON f.gid = s.custom_field_gid"
        f" WHERE s.project_gid IN ({sql.marks(len(project_gids))}) AND f.id_prefix IS NOT NULL",
        project_gids,
    )
    return [(int(p), int(f), str(x)) for p, f, x in rows]


def unnumbered(
    conn: Connection, field_gid: int, project_gids: list[int], task_gids: list[int] | None
) -> list[int]:
    """Tasks in these projects (of `task_gids` only, unless None) without a value of the field,
    oldest first."""
    among = "" if task_gids is None else f" AND t.gid IN ({sql.marks(len(task_gids))})"
    rows = sql.fetch(
        conn,
        "SELECT DISTINCT t.created_at, t.gid FROM tasks t JOIN task_projects tp ON tp.task_gid = t.gid"
        f" WHERE tp.project_gid IN ({sql.marks(len(project_gids))}){among}"
        " AND NOT EXISTS (SELECT 1 FROM task_custom_field_values v"
        " WHERE v.task_gid = t.gid AND v.custom_field_gid = ?) ORDER BY t.created_at, t.gid",
        [*project_gids, *(task_gids or []), field_gid],
    )
    return [int(gid) for _, gid in rows]


def take_numbers(conn: Connection, field_gid: int, count: int) -> int:
    """Reserve `count` more numbers of an ID field (locking its row to the commit); the last one."""
    sql.execute_many(
        conn, "UPDATE custom_fields SET id_counter = id_counter + ? WHERE gid = ?", [(count, field_gid)]
    )
    return int(sql.fetch_value(conn, "SELECT id_counter FROM custom_fields WHERE gid = ?", [field_gid]))


def insert_ids(conn: Connection, rows: list[tuple[int, int, str, int]]) -> None:
    """Store custom IDs: (task, field, "PREFIX-n", n) each, the text also the display."""
    sql.execute_many(
        conn,
        "INSERT INTO task_custom_field_values (task_gid, custom_field_gid, text_value, number_value,"
        " display_value) VALUES (?, ?, ?, ?, ?)",
        [(t, f, text, n, text) for t, f, text, n in rows],
    )


def team_listing(team_gid: int, visible: str, params: list[Any]) -> Listing:
    """A team's settings: for each field on a project of the team that passes `visible` (the
    caller's project rule as SQL, with `params`), its oldest such setting, as (created_at, gid)."""
    projects = f"SELECT projects.gid FROM projects WHERE projects.team_gid = ? AND ({visible})"
    on_team = (f"s.project_gid IN ({projects})", [team_gid, *params])
    earlier = (
        "NOT EXISTS (SELECT 1 FROM custom_field_settings older"
        f" WHERE older.custom_field_gid = s.custom_field_gid AND older.project_gid IN ({projects})"
        " AND (older.created_at, older.gid) < (s.created_at, s.gid))",
        [team_gid, *params],
    )
    return pagination.listing("custom_field_settings s", [on_team, earlier], ("s.created_at", "s.gid"))
