"""The control plane's raw SQL: the gid counter's position and journal/meta bookkeeping."""

from __future__ import annotations

from sqlalchemy import Connection

from vinyasa.protocol import sql


def gid_position(conn: Connection) -> int:
    """The counter value the last gid was drawn from (the next gid is drawn from this + 1)."""
    if conn.dialect.name == "postgresql":
        row = sql.fetch(conn, "SELECT last_value, is_called FROM gid_seq")[0]
        return int(row[0]) if row[1] else int(row[0]) - 1
    return int(sql.fetch_value(conn, "SELECT value FROM gid_counter WHERE id = 1"))


def set_gid_position(conn: Connection, position: int) -> None:
    """Make the next gid be drawn from `position + 1` (vinyasa.protocol.gids.allocate)."""
    if conn.dialect.name == "postgresql":
        if position < 1:  # a sequence cannot stand below its minimum (1): restart it instead
            sql.fetch(conn, "SELECT setval('gid_seq', 1, false)")
        else:
            sql.fetch(conn, "SELECT setval('gid_seq', ?)", [position])
    else:
        sql.execute_many(conn, "UPDATE gid_counter SET value = ? WHERE id = 1", [(position,)])


# ---- the SQLite image of vinyasa.control.template (sqlite3 driver, `?` placeholders) -------------

SNAPSHOTS = "SELECT name, created_at, objects, data FROM emulator_snapshots"
PUT_SNAPSHOT = "INSERT INTO emulator_snapshots (name, created_at, objects, data) VALUES (?, ?, ?, ?)"
CLEAR_SNAPSHOTS = "DELETE FROM emulator_snapshots"
IMAGE_CLEAR_META = "DELETE FROM meta WHERE key <> 'offset_secret'"
IMAGE_PUT_META = "INSERT INTO meta (key, value) VALUES (?, ?)"
IMAGE_GID_POSITION = "UPDATE gid_counter SET value = ? WHERE id = 1"


def image_clear(table: str) -> str:
    """Every row of one table of the image goes (a table the model names, quoted)."""
    return f'DELETE FROM "{table}"'


def image_insert(table: str, columns: list[str]) -> str:
    """One row of `table` of the image with these columns (names from the model, quoted)."""
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" for _ in columns)})'
