"""`insert_ignore` counts the rows it really inserted, on both databases (psycopg's rowcount for a
many-row insert is -1, which callers used to read as "inserted")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from tests.conftest import World
from vinyasa.db import insert_ignore
from vinyasa.models import WorkspaceMember
from vinyasa.users.service import create_user


def _members(conn: Connection, world: World, prefix: str, count: int) -> list[dict[str, Any]]:
    """Rows of new users joining the world's workspace."""
    users = [create_user(conn, f"{prefix}{i}@example.com") for i in range(count)]
    return [
        {"workspace_gid": int(world.workspace), "user_gid": u, "is_admin": False, "created_at": 1}
        for u in users
    ]


def test_counts_only_new_rows(world: World) -> None:
    with world.env.engine.begin() as conn:
        rows = _members(conn, world, "i", 3)
        assert insert_ignore(conn, WorkspaceMember, rows[:2]) == 2
        assert insert_ignore(conn, WorkspaceMember, rows) == 1
        assert insert_ignore(conn, WorkspaceMember, rows) == 0
        assert insert_ignore(conn, WorkspaceMember, []) == 0


def test_many_rows_in_few_statements_duplicates_and_all(world: World) -> None:
    # rows go in multi-row INSERTs (200 a statement): a row repeated within the list, rows already
    # there and new ones are each counted once, across statement boundaries
    with world.env.engine.begin() as conn:
        rows = _members(conn, world, "m", 450)
        assert insert_ignore(conn, WorkspaceMember, rows[100:250]) == 150
        assert insert_ignore(conn, WorkspaceMember, [rows[0], rows[0], *rows]) == 300
        stored = conn.exec_driver_sql(
            f"SELECT count(*) FROM workspace_members WHERE workspace_gid = {int(world.workspace)}"
        ).scalar_one()
        assert stored == 451  # and the owner
