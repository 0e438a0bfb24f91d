"""All raw SQL of the custom fields family (vinyasa.protocol.sql; `?` placeholders).

`table`/`owner`/`column` arguments are identifiers chosen by the code (a value store's table, a
container's column in custom_field_settings), never client input."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from vinyasa.protocol import sql

VALUE_COLUMNS = "text_value, number_value, enum_option_gid, list_value, date_on, date_at, display_value"
# A task's containers: the projects it is in, oldest first (`{marks}`: the task gids).
TASK_CONTAINERS = (
    "SELECT task_gid, project_gid FROM task_projects WHERE task_gid IN ({marks})"
    " ORDER BY task_gid, added_at, project_gid"
)
_DEFINITION = (
    "SELECT gid, name, resource_subtype, description, precision, format, currency_code, custom_label,"
    " custom_label_position, input_restrictions FROM custom_fields WHERE gid IN ({marks})"
)
Row = tuple[Any, ...]


def field(conn: Connection, gid: int, *, lock: bool) -> list[Row]:
    """(gid, workspace, subtype) of a field; `lock` holds its row to the end (PostgreSQL)."""
    locking = " FOR UPDATE" if lock and conn.dialect.name == "postgresql" else ""
    return sql.fetch(
        conn, "SELECT gid, workspace_gid, resource_subtype FROM custom_fields WHERE gid = ?" + locking, [gid]
    )


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


def definitions(conn: Connection, field_gids: list[int], *, share: bool = False) -> list[Row]:
    """What rendering or validating a value needs of each field. `share` holds the rows against
    changes until the transaction ends (PostgreSQL), so a value's stored display_value is computed
    from the definition its transaction commits with (changes lock the field's row for update)."""
    locking = " FOR SHARE" if share and conn.dialect.name == "postgresql" else ""
    return sql.fetch(conn, _DEFINITION.format(marks=sql.marks(len(field_gids))) + locking, field_gids)


def containers(conn: Connection, containers_sql: str, owner_gids: list[int]) -> list[Row]:
    """(owner, container) pairs from a value store's containers query."""
    return sql.fetch(conn, containers_sql.format(marks=sql.marks(len(owner_gids))), owner_gids)


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
    sql.execute(conn, f"DELETE FROM {maps} WHERE {owner} IN ({marks})", owner_gids)
    sql.execute(
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
    sql.execute(conn, f"DELETE FROM {table} WHERE custom_field_gid = ?", [field_gid])


def set_displays(conn: Connection, table: str, owner: str, rows: list[tuple[str | None, int, int]]) -> None:
    """Store display values: (display_value, owner gid, field gid) each."""
    if rows:
        sql.execute_many(
            conn, f"UPDATE {table} SET display_value = ? WHERE {owner} = ? AND custom_field_gid = ?", rows
        )


def user_names(conn: Connection, user_gids: list[int]) -> dict[int, str]:
    """Names of these users."""
    return dict(
        sql.fetch(conn, f"SELECT gid, name FROM users WHERE gid IN ({sql.marks(len(user_gids))})", user_gids)
    )
