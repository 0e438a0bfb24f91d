"""All raw SQL of the custom fields family (vinyasa.protocol.sql; `?` placeholders).

`table`/`owner`/`column` arguments are identifiers chosen by the code (a value store's table, a
container's column in custom_field_settings), never client input."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from vinyasa.protocol import sql

VALUE_COLUMNS = "text_value, number_value, enum_option_gid, list_value, date_on, date_at"
# A task's containers: the projects it is in, oldest first (`{marks}`: the task gids).
TASK_CONTAINERS = (
    "SELECT task_gid, project_gid FROM task_projects WHERE task_gid IN ({marks})"
    " ORDER BY task_gid, added_at, project_gid"
)
_DEFINITION = (
    "SELECT gid, name, resource_subtype, description, precision, format, currency_code, custom_label,"
    " custom_label_position FROM custom_fields WHERE gid IN ({marks})"
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


def definitions(conn: Connection, field_gids: list[int]) -> list[Row]:
    """What rendering or validating a value needs of each field."""
    return sql.fetch(conn, _DEFINITION.format(marks=sql.marks(len(field_gids))), field_gids)


def containers(conn: Connection, containers_sql: str, owner_gids: list[int]) -> list[Row]:
    """(owner, container) pairs from a value store's containers query."""
    return sql.fetch(conn, containers_sql.format(marks=sql.marks(len(owner_gids))), owner_gids)


def stored_values(conn: Connection, table: str, owner: str, owner_gids: list[int]) -> list[Row]:
    """(owner, field, *value columns) of every stored value of these owners."""
    return sql.fetch(
        conn,
        f"SELECT {owner}, custom_field_gid, {VALUE_COLUMNS} FROM {table}"
        f" WHERE {owner} IN ({sql.marks(len(owner_gids))})",
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
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(owner_gid, field_gid, *value)],
        )


def user_names(conn: Connection, user_gids: list[int]) -> dict[int, str]:
    """Names of these users."""
    return dict(
        sql.fetch(conn, f"SELECT gid, name FROM users WHERE gid IN ({sql.marks(len(user_gids))})", user_gids)
    )
