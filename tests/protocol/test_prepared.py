"""PostgreSQL: each round trip of vinyasa.protocol.sql is one query of `EXECUTE`s of statements vinyasa
prepares itself (sql._together, prepared.PreparedStatements). A statement answers the same the first time and every
time after, whatever failed or was rolled back on the connection in between."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import World
from vinyasa.protocol import prepared, sql

_USER = "SELECT email FROM users WHERE gid = ?"


@pytest.fixture
def conn(world: World) -> Iterator[Connection]:
    if world.env.backend != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    with world.env.engine.connect() as conn:
        yield conn


def _prepared(conn: Connection) -> set[str]:
    rows = conn.exec_driver_sql("SELECT name FROM pg_prepared_statements").all()
    return {name for (name,) in rows}


def test_statements_are_prepared_once_and_psycopg_prepares_none(conn: Connection, world: World) -> None:
    before = _prepared(conn)
    for _ in range(3):
        got = sql.fetch(conn, "SELECT email FROM users WHERE gid = ? AND 2 > 1", [int(world.user)])
        assert got == [("owner@example.com",)]
    names = _prepared(conn)
    assert len([n for n in names - before if n.startswith("vinyasa_")]) == 1, names - before
    assert not [n for n in names if n.startswith("_pg3_")], "psycopg's own would be deallocated on rollback"
    assert conn.connection.dbapi_connection.prepare_threshold is None  # type: ignore[union-attr]


def test_parameters_type_as_psycopg_declares_them(conn: Connection) -> None:
    # an untyped `$1` would be text here: psycopg sends an int as an integer type, so must the PREPARE
    reach = (
        "WITH RECURSIVE reach(n) AS (SELECT ? UNION SELECT n + 1 FROM reach WHERE n < ?) "
        "SELECT COUNT(*), SUM(n) FROM reach"
    )
    assert sql.fetch(conn, reach, [1, 4]) == [(4, 10)]
    assert sql.fetch(conn, "SELECT ?, ?, ?, ?", [True, 2.5, None, "it's"]) == [(True, 2.5, None, "it's")]
    assert sql.fetch_value(conn, "SELECT ? || 'x'", ["50%"]) == "50%x"  # a `%` in a value and in SQL
    assert sql.fetch_value(conn, "SELECT '100%' || ?", ["!"]) == "100%!"


def test_a_failed_query_leaves_its_statements_usable(conn: Connection, world: World) -> None:
    taken = "INSERT INTO users (gid, email, name) VALUES (?, ?, ?)"
    transaction = conn.begin()
    with pytest.raises(IntegrityError):
        # the SELECT is prepared by this query, which then fails: it stays prepared
        sql.fetch_all(
            conn,
            [
                ("SELECT email FROM users WHERE gid = ? AND email IS NOT NULL", [int(world.user)]),
                (taken, [int(world.user), "dup@example.com", "Dup"]),
            ],
        )
    transaction.rollback()
    for _ in range(2):  # known again from pg_prepared_statements, not prepared twice
        got = sql.fetch(
            conn, "SELECT email FROM users WHERE gid = ? AND email IS NOT NULL", [int(world.user)]
        )
        assert got == [("owner@example.com",)]


def test_a_rollback_to_a_savepoint_keeps_them(conn: Connection, world: World) -> None:
    with conn.begin():
        assert sql.fetch(conn, _USER, [int(world.user)]) == [("owner@example.com",)]
        nested = conn.begin_nested()
        conn.execute(text("SELECT 1"))
        nested.rollback()  # psycopg deallocates its own prepared statements on this
        assert sql.fetch(conn, _USER, [int(world.user)]) == [("owner@example.com",)]
    assert sql.fetch(conn, _USER, [int(world.user)]) == [("owner@example.com",)]


def test_the_least_recently_used_are_deallocated(
    conn: Connection, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prepared, "PREPARED_MAX", 3)
    for i in range(6):
        for _ in range(2):  # prepared when it runs again
            assert sql.fetch_value(conn, f"SELECT ? + {i}", [1]) == 1 + i
    assert sql.fetch(conn, _USER, [int(world.user)]) == [("owner@example.com",)]
    ours = {n for n in _prepared(conn) if n.startswith("vinyasa_")}
    assert len(ours) == 3, ours
    assert sql.fetch_value(conn, "SELECT ? + 0", [1]) == 1  # deallocated: plain SQL, then prepared again


def test_a_one_off_statement_is_not_prepared(conn: Connection, world: World) -> None:
    before = _prepared(conn)
    once = "SELECT email FROM users WHERE gid = ? AND 4 > 3"
    assert sql.fetch(conn, once, [int(world.user)]) == [("owner@example.com",)]
    assert _prepared(conn) == before  # a multi-row INSERT of some row count would hold a plan for nothing
    wide = f"SELECT COALESCE({sql.marks(51)})"  # (long IN lists become one array parameter each)
    for _ in range(3):  # more than 50 parameters: never prepared
        assert sql.fetch_value(conn, wide, [None] * 50 + [7]) == 7
    assert _prepared(conn) == before


def test_values_keep_their_exact_value(conn: Connection) -> None:
    for _ in range(2):  # plain SQL, then prepared
        got = sql.fetch(conn, "SELECT ?, CAST(? AS text), ?, substr(?, ?)", [-0.0, -0.0, 0.1 + 0.2, "abc", 2])
        assert got == [(-0.0, "-0", 0.1 + 0.2, "bc")]
        assert str(got[0][0]) == "-0.0"
        assert sql.fetch_value(conn, "SELECT ?", [float("inf")]) == float("inf")


def test_a_statement_of_two_commands_is_refused(conn: Connection) -> None:
    with pytest.raises(RuntimeError, match="more than one command"):
        sql.fetch_all(conn, [("SELECT 1; SELECT 2", []), ("SELECT 3", [])])


def test_a_statement_that_cannot_be_prepared_leaves_the_next_ones_preparable(
    conn: Connection, world: World
) -> None:
    broken, later = "SELECT no_such_column FROM users", "SELECT email FROM users WHERE gid = ? AND 3 > 2"
    assert sql.fetch(conn, later, [int(world.user)]) == [("owner@example.com",)]  # plain SQL: seen once
    rounds: list[list[tuple[str, list[int]]]] = [[(broken, [])], [(broken, []), (later, [int(world.user)])]]
    for statements in rounds:
        # the first time plain SQL; the second, both are prepared at the query's head: the broken
        # one's PREPARE fails, so the later one's never runs
        transaction = conn.begin()
        with pytest.raises(psycopg.errors.UndefinedColumn):
            sql.fetch_all(conn, statements)
        transaction.rollback()
    assert sql.fetch(conn, later, [int(world.user)]) == [("owner@example.com",)]


_LITERALS = [0, 7, -1, -(2**40), 2**63, None, True, False, "", "it's", "''", "50%", "é ✓", "a\\b", "--", 2.5]


def test_parameters_are_quoted_as_psycopg_quotes_them(conn: Connection) -> None:
    # the kinds quoted without psycopg (int, None, bool, a str without backslash) and the rest through it
    kept = prepared.PreparedStatements(conn.connection.dbapi_connection)
    for value in _LITERALS:
        assert kept._literal(value) == kept.cursor.mogrify("%s", (value,)), value
    with pytest.raises(psycopg.DataError):  # a NUL cannot be sent: psycopg refuses it, never cut short
        kept._literal("a\0b")


def test_a_prepared_statement_reads_back_every_value_exactly(conn: Connection) -> None:
    texts = [v for v in _LITERALS if isinstance(v, str)]
    for _ in range(3):  # sent as plain SQL, then prepared, then executed
        for value in texts:
            assert sql.fetch_value(conn, "SELECT CAST(? AS text)", [value]) == value
        assert sql.fetch(conn, "SELECT ?, ?, ?, ?", [-5, 2**40, None, False]) == [(-5, 2**40, None, False)]
