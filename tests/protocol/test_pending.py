"""A request's write transaction on PostgreSQL begins lazily (vinyasa.protocol.sql.begin_later): its BEGIN
and the INSERTs nobody reads travel with the next statement, and the transaction stays one transaction:
what a statement or SQLAlchemy runs sees them, a failure takes everything back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import World
from tests.helpers import ok
from vinyasa.db import RequestTransactions, savepoint
from vinyasa.protocol import sql

pytestmark = pytest.mark.anyio


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The statements of each pipeline sent (`_together` calls), first words only."""
    sent: list[list[str]] = []
    real = sql._together

    def counted(conn: Connection, statements: list[Any]) -> list[Any]:
        sent.append([" ".join(q.split()[:3]) for q, _ in statements])
        return real(conn, statements)

    monkeypatch.setattr(sql, "_together", counted)
    return sent


def _tags(world: World, name: str) -> int:
    with world.db() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM tags WHERE name = :n"), {"n": name}).scalar_one())


def _tag(conn: Connection, world: World, gid: int, name: str) -> None:
    sql.insert(
        conn,
        "tags",
        {
            "gid": gid,
            "workspace_gid": int(world.workspace),
            "name": name,
            "color": None,
            "notes": "",
            "created_at": 0,
        },
    )


def test_begin_and_unread_inserts_travel_with_the_next_statement(
    world: World, trips: list[list[str]]
) -> None:
    transactions = RequestTransactions(world.env.engine)
    try:
        with transactions.begin(write=True) as conn:
            _tag(conn, world, 9_000_001, "lazy")
            _tag(conn, world, 9_000_002, "lazy")
            seen = sql.fetch_value(conn, "SELECT COUNT(*) FROM tags WHERE name = ?", ["lazy"])
            assert seen == 2  # the waiting INSERTs ran before the read, in its transaction
            _tag(conn, world, 9_000_003, "lazy")
            # SQLAlchemy's own statements send what waits first
            assert conn.execute(text("SELECT COUNT(*) FROM tags WHERE name = 'lazy'")).scalar_one() == 3
            _tag(conn, world, 9_000_004, "lazy")
    finally:
        transactions.close()
    assert _tags(world, "lazy") == 4
    if world.env.backend == "postgresql":
        assert trips == [
            ["BEGIN", "INSERT INTO tags", "INSERT INTO tags", "SELECT COUNT(*) FROM"],
            ["INSERT INTO tags"],
            ["INSERT INTO tags", "COMMIT"],  # the last INSERT goes with the COMMIT
        ]
    else:
        assert trips == [], "SQLite: every statement runs at once"


def _fails_after_writing(transactions: RequestTransactions, world: World) -> None:
    with transactions.begin(write=True) as conn:
        _tag(conn, world, 9_000_011, "undone")
        assert sql.fetch_value(conn, "SELECT COUNT(*) FROM tags WHERE name = ?", ["undone"]) == 1
        _tag(conn, world, 9_000_012, "undone")  # still waiting when the block fails
        raise RuntimeError("the request failed")


def test_a_failure_takes_back_what_was_sent_and_what_waited(world: World) -> None:
    transactions = RequestTransactions(world.env.engine)
    try:
        with pytest.raises(RuntimeError):
            _fails_after_writing(transactions, world)
        assert _tags(world, "undone") == 0
        with transactions.begin(write=True) as conn:  # the connection kept is clean: nothing waits
            _tag(conn, world, 9_000_013, "after")
        assert _tags(world, "undone") == 0 and _tags(world, "after") == 1
    finally:
        transactions.close()


def _same_gid_twice(transactions: RequestTransactions, world: World) -> None:
    with transactions.begin(write=True) as conn:
        _tag(conn, world, 9_000_021, "dup")
        _tag(conn, world, 9_000_021, "dup")  # the same gid: fails where it is sent
        sql.fetch(conn, "SELECT 1")


def test_a_waiting_insert_that_fails_raises_an_integrity_error_and_changes_nothing(world: World) -> None:
    transactions = RequestTransactions(world.env.engine)
    try:
        with pytest.raises(IntegrityError):
            _same_gid_twice(transactions, world)
        assert _tags(world, "dup") == 0
    finally:
        transactions.close()


def test_a_transaction_that_runs_nothing_sends_nothing(world: World, trips: list[list[str]]) -> None:
    transactions = RequestTransactions(world.env.engine)
    try:
        with transactions.begin(write=True):
            pass
    finally:
        transactions.close()
    assert trips == []


async def test_a_task_create_on_postgresql_sends_its_begin_and_rows_with_reads(
    client: Any, world: World, trips: list[list[str]]
) -> None:
    project = ok(await client.post("/projects", json={"data": {"name": "P", "team": world.team}}), 201)
    trips.clear()
    ok(await client.post("/tasks", json={"data": {"name": "T", "projects": [project["gid"]]}}), 201)
    if world.env.backend == "postgresql":
        assert trips[0][0] == "BEGIN" and len(trips[0]) == 2, trips[0]  # with the first read
        inserts = [t for trip in trips for t in trip if t.startswith("INSERT INTO tasks")]
        assert inserts and all(len(trip) > 1 for trip in trips if "INSERT INTO tasks" in trip)


def _failing_savepoint(conn: Connection, world: World) -> None:
    with savepoint(conn):
        _tag(conn, world, 9_000_031, "kept")  # the same gid as before the savepoint: fails when sent


def test_a_waiting_write_fails_inside_its_savepoint(world: World) -> None:
    transactions = RequestTransactions(world.env.engine)
    try:
        with transactions.begin(write=True) as conn:
            _tag(conn, world, 9_000_031, "kept")
            with pytest.raises(IntegrityError):
                _failing_savepoint(conn, world)
            _tag(conn, world, 9_000_032, "kept")  # the transaction goes on, back at the savepoint
    finally:
        transactions.close()
    assert _tags(world, "kept") == 2
