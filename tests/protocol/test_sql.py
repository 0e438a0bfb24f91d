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


def test_in_lists_answer_alike_on_both_databases(world: World) -> None:
    """IN / NOT IN lists of any length, among other placeholders, also executemany's; on PostgreSQL
    they travel as one array parameter (`= ANY(?)`, `<> ALL(?)`), on SQLite as they are written."""
    people = sorted([int(world.user)] + [int(world.person(f"p{i}@example.com")[0]) for i in range(60)])
    absent = [1, 2, 3]
    listed = "SELECT gid FROM users WHERE email LIKE ? AND gid IN ({}) AND gid NOT IN ({}) ORDER BY gid"
    with world.env.engine.begin() as conn:
        for wanted, left_out in [(people, absent), (people[:1], people[1:2]), (people + absent, people[:58])]:
            query = listed.format(sql.marks(len(wanted)), sql.marks(len(left_out)))
            rows = sql.fetch(conn, query, ["%@example.com", *wanted, *left_out])
            assert [r[0] for r in rows] == sorted(set(wanted) - set(left_out) - set(absent))
        # NULL in a NOT IN list: no row qualifies, as SQL has it, on both (short and long lists).
        for excluded in ([absent[0], None], [*range(1, 60), None]):
            query = f"SELECT gid FROM users WHERE gid NOT IN ({sql.marks(len(excluded))})"
            assert sql.fetch(conn, query, excluded) == []
        names = "UPDATE users SET name = ? WHERE gid IN (?, ?)"
        sql.execute_many(conn, names, [("Both", people[0], people[1]), ("Third", people[2], absent[0])])
        assert sql.execute(conn, "UPDATE users SET name = name WHERE gid IN (?)", [people[3]]) == 1
        assert sql.fetch(
            conn, f"SELECT name FROM users WHERE gid IN ({sql.marks(3)}) ORDER BY gid", people[:3]
        ) == [
            ("Both",),
            ("Both",),
            ("Third",),
        ]


def test_postgresql_statements_take_long_in_lists_as_arrays() -> None:
    """Over 50 parameters (psycopg's limit for keeping a statement's conversion), IN lists become
    one array parameter each; up to 50, and on SQLite, the statement is left as written."""
    tail = " AND x = ? AND y not in ( ? ) AND z LIKE 'a%' AND (a, b) IN ((?, ?))"
    statement, runs = sql._adapt(f"SELECT a FROM t WHERE g IN ({sql.marks(48)}){tail}", "postgresql")
    assert statement == (
        "SELECT a FROM t WHERE g = ANY(%s) AND x = %s AND y <> ALL(%s) AND z LIKE 'a%%' AND (a, b) IN ((%s, %s))"
    )
    values = list(range(48))
    assert sql._params([*values, "x", 4, 5, 6], runs) == (values, "x", [4], 5, 6)
    short = f"SELECT a FROM t WHERE g IN ({sql.marks(46)}){tail}"
    assert sql._adapt(short, "postgresql") == (short.replace("%", "%%").replace("?", "%s"), ())
    assert sql._adapt(f"SELECT 1 WHERE g IN ({sql.marks(60)})", "sqlite")[1] == ()
