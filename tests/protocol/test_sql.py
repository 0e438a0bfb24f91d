"""Prepared SQL runs the same on both databases: placeholders, a literal `%`, and text clauses."""

from __future__ import annotations

from sqlalchemy import select, text

from tests.conftest import World
from vinyasa.models import User
from vinyasa.protocol import sql


def test_literal_percent_and_placeholders(world: World) -> None:
    with world.env.engine.connect() as conn:
        rows = sql.fetch(
            conn, "SELECT email FROM users WHERE email LIKE 'own%' AND gid = ?", [int(world.user)]
        )
        assert rows == [("owner@example.com",)]
        assert sql.fetch_value(conn, "SELECT '100%' || ?", ["!"]) == "100%!"


def test_clause_binds_positional_parameters(world: World) -> None:
    clause = sql.clause("users.email LIKE ? AND users.gid = ?", ["own%", int(world.user)])
    with world.env.engine.connect() as conn:
        assert conn.execute(select(User.email).where(clause)).scalars().all() == ["owner@example.com"]
        assert conn.execute(select(User.email).where(sql.clause("users.gid = ?", [0]))).all() == []
        assert conn.execute(text("SELECT 1")).scalar() == 1
