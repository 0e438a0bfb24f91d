"""sql.gather: independent reads answer as they would one by one; on PostgreSQL they share round trips."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import pytest
from sqlalchemy import Connection

from tests.conftest import World
from vinyasa.protocol import sql

_SEEN: ContextVar[str] = ContextVar("test_gather_seen", default="unset")


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many statements each round trip of a gather carried (`_round_trip` calls)."""
    sent: list[int] = []
    real = sql._round_trip

    def counted(conn: Connection, statements: list[Any]) -> list[list[Any]]:
        sent.append(len(statements))
        return real(conn, statements)

    monkeypatch.setattr(sql, "_round_trip", counted)
    return sent


def _chain(conn: Connection, start: int, steps: int) -> list[int]:
    """`steps` dependent reads: each uses the previous one's answer."""
    seen = [start]
    for _ in range(steps):
        seen.append(int(sql.fetch_value(conn, "SELECT CAST(? AS INTEGER) + 1", [seen[-1]])))
    return seen


def test_results_in_order_and_one_round_trip_per_step(world: World, trips: list[int]) -> None:
    with world.env.engine.connect() as conn:
        got = sql.gather(
            conn,
            lambda: _chain(conn, 0, 3),
            lambda: sql.fetch(conn, "SELECT email FROM users WHERE gid = ?", [int(world.user)]),
            lambda: "no read",
            lambda: _chain(conn, 100, 1),
        )
    assert got == [[0, 1, 2, 3], [("owner@example.com",)], "no read", [100, 101]]
    if world.env.backend == "postgresql":
        # step 1: three calls wait for a read (one round trip); steps 2 and 3: only the long chain
        assert trips == [3, 1, 1]
    else:
        assert trips == [], "SQLite: the calls run one after another, each read as it comes"


def test_nested_gathers_and_context_variables(world: World, trips: list[int]) -> None:
    token = _SEEN.set("outer")
    try:
        with world.env.engine.connect() as conn:

            def inner() -> list[Any]:
                return [
                    _SEEN.get(),
                    *sql.gather(conn, lambda: _chain(conn, 10, 1), lambda: _chain(conn, 20, 1)),
                ]

            got = sql.gather(conn, inner, lambda: _chain(conn, 0, 2))
    finally:
        _SEEN.reset(token)
    assert got == [["outer", [10, 11], [20, 21]], [0, 1, 2]]
    if world.env.backend == "postgresql":
        # the inner gather's two reads travel with the outer call's first one: 3, then the last one
        assert trips == [3, 1]


def test_an_error_propagates_and_ends_the_other_calls(world: World) -> None:
    ended: list[str] = []

    def waits_then_ends(conn: Connection) -> int:
        try:
            _chain(conn, 0, 2)
            return 1
        finally:
            ended.append("finally ran")

    with world.env.engine.connect() as conn:
        with pytest.raises(ZeroDivisionError):
            sql.gather(conn, lambda: waits_then_ends(conn), lambda: [_chain(conn, 0, 1), 1 // 0][1])
        # the connection is usable afterwards, inside and outside a gather
        assert sql.gather(conn, lambda: _chain(conn, 1, 1), lambda: _chain(conn, 2, 1)) == [[1, 2], [2, 3]]
    assert ended == ["finally ran"]


def test_a_failing_statement_raises_the_database_error(world: World) -> None:
    with world.env.engine.connect() as conn:
        with pytest.raises(Exception, match="no_such_table"):
            sql.gather(
                conn,
                lambda: sql.fetch(conn, "SELECT 1"),
                lambda: sql.fetch(conn, "SELECT gid FROM no_such_table"),
            )


def test_fetch_all_runs_in_order_each_seeing_the_ones_before(world: World, trips: list[int]) -> None:
    with world.env.engine.connect() as conn, conn.begin():
        got = sql.fetch_all(
            conn,
            [
                ("UPDATE users SET name = ? WHERE gid = ? RETURNING name", ["Renamed", int(world.user)]),
                ("SELECT name FROM users WHERE gid = ?", [int(world.user)]),
                ("SELECT CAST(? AS INTEGER) + 1", [41]),
            ],
        )
        conn.rollback()
    assert got == [[("Renamed",)], [("Renamed",)], [(42,)]]
    if world.env.backend == "postgresql":
        assert trips == [3], "one round trip for the three"
    else:
        assert trips == []


def test_fetch_all_inside_a_gather_travels_with_the_other_reads(world: World, trips: list[int]) -> None:
    with world.env.engine.connect() as conn:
        got = sql.gather(
            conn,
            lambda: sql.fetch_all(conn, [("SELECT 1", []), ("SELECT 2", [])]),
            lambda: _chain(conn, 0, 1),
        )
    assert got == [[[(1,)], [(2,)]], [0, 1]]
    if world.env.backend == "postgresql":
        assert trips == [3]


def test_fetch_all_stops_at_a_failing_statement(world: World) -> None:
    with world.env.engine.connect() as conn:
        with pytest.raises(Exception, match="no_such_table"):
            sql.fetch_all(conn, [("SELECT gid FROM no_such_table", []), ("SELECT 1", [])])
        conn.connection.rollback()  # the statements ran on the driver: SQLAlchemy saw no transaction
        assert sql.fetch_all(conn, [("SELECT 3", [])]) == [[(3,)]]


def test_fetch_all_answers_no_rows_for_a_write_without_returning(world: World, trips: list[int]) -> None:
    with world.env.engine.connect() as conn, conn.begin():
        got = sql.fetch_all(
            conn,
            [
                ("UPDATE users SET name = ? WHERE gid = ?", ["Renamed", int(world.user)]),
                ("UPDATE users SET name = ? WHERE gid = ? RETURNING gid", ["Nobody", -1]),
                ("SELECT name FROM users WHERE gid = ?", [-1]),
                ("SELECT name FROM users WHERE gid = ?", [int(world.user)]),
            ],
        )
        conn.rollback()
    assert got == [[], [], [], [("Renamed",)]]
    if world.env.backend == "postgresql":
        import psycopg

        assert trips == [4]
        # a pipeline tells a result with rows by its status, the value libpq gives it
        assert sql._TUPLES_OK == psycopg.pq.ExecStatus.TUPLES_OK


def test_the_same_read_of_two_calls_is_sent_once(world: World, trips: list[int]) -> None:
    email = "SELECT email FROM users WHERE gid = ?"
    with world.env.engine.connect() as conn:
        got = sql.gather(
            conn,
            lambda: sql.fetch(conn, email, [int(world.user)]),
            lambda: sql.fetch(conn, email, [int(world.user)]),
            lambda: sql.fetch(conn, email, [-1]),  # other parameters: a read of its own
            # a pair of statements (fetch_all) is never shared: the second may see the first's effect
            lambda: sql.fetch_all(conn, [(email, [int(world.user)]), (email, [int(world.user)])]),
        )
    assert got == [[("owner@example.com",)]] * 2 + [[]] + [[[("owner@example.com",)]] * 2]
    assert got[0] is not got[1], "each call has rows of its own to change"
    if world.env.backend == "postgresql":
        assert trips == [4]  # the repeated single read once, the other read, the pair


def test_a_value_from_a_sequence_is_never_shared(world: World, trips: list[int]) -> None:
    if world.env.backend != "postgresql":
        pytest.skip("PostgreSQL's gid sequence")
    with world.env.engine.connect() as conn, conn.begin():
        first, second = sql.gather(
            conn,
            lambda: sql.fetch_value(conn, "SELECT nextval('gid_seq')"),
            lambda: sql.fetch_value(conn, "SELECT nextval('gid_seq')"),
        )
    assert first != second
    assert trips == [2]


def test_values_equal_in_python_but_not_to_the_database_are_not_shared(
    world: World, trips: list[int]
) -> None:
    # 1 == True == 1.0 and 0.0 == -0.0 in Python; the server reads each differently
    as_text = "SELECT CAST(? AS text)"
    values: list[object] = [1, True, 0.0, -0.0, 0, False]
    with world.env.engine.connect() as conn:
        got = sql.gather(conn, *(lambda v=v: sql.fetch_value(conn, as_text, [v]) for v in values))
        alone = [sql.fetch_value(conn, as_text, [v]) for v in values]
    assert got == alone
    if world.env.backend == "postgresql":
        assert got == ["1", "true", "0", "-0", "0", "false"]
        assert trips == [6]
