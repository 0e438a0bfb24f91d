"""The request layer's one answer to a lost race (vinyasa.protocol.context, vinyasa.db.race_kind).

A transaction that lost a race (deadlock, serialization failure, unique or foreign-key violation,
or a service's ConcurrentChange) is rolled back and the whole request runs again from fresh state;
a race lost every time answers as Asana would, never with a 500. The real races are in test_races;
here a service is made to lose on purpose, so the counts and answers are exact.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from tests.helpers import fails, ok
from tests.tasks.helpers import make_task
from vinyasa.db import ConcurrentChange
from vinyasa.protocol.context import ATTEMPTS
from vinyasa.tasks import service

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.deadlocks("simulated: the retry of a lost race is what is tested"),
]


class _PgError(Exception):
    """Stands in for a psycopg error: what race_kind reads is `sqlstate` and `diag`."""

    def __init__(self, sqlstate: str, detail: str | None = None) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate
        self.diag = type("Diag", (), {"message_detail": detail})()


def _lose_with(monkeypatch: pytest.MonkeyPatch, error: Exception, times: int) -> list[Any]:
    """Make update_task write, then raise `error`, on its first `times` runs; returns the ctxs seen."""
    real = service.update_task
    seen: list[Any] = []

    def flaky(ctx: Any, task: Any, fields: Any) -> None:
        seen.append(ctx)
        if len(seen) <= times:
            real(ctx, task, fields.model_copy(update={"name": "half-written"}))
            ctx.headers["X-Stale"] = "1"
            ctx.cache["stale"] = True
            raise error
        assert "stale" not in ctx.cache and "X-Stale" not in ctx.headers  # fresh state per run
        real(ctx, task, fields)

    monkeypatch.setattr(service, "update_task", flaky)
    return seen


@pytest.mark.parametrize(
    "error",
    [
        ConcurrentChange("moved meanwhile"),
        OperationalError("UPDATE", {}, _PgError("40P01")),  # deadlock detected
        OperationalError("UPDATE", {}, _PgError("40001")),  # serialization failure
        IntegrityError("INSERT", {}, _PgError("23505")),  # unique violation
        IntegrityError("INSERT", {}, sqlite3.IntegrityError("FOREIGN KEY constraint failed")),
    ],
    ids=["concurrent-change", "deadlock", "serialization", "unique", "sqlite-foreign-key"],
)
async def test_a_lost_race_runs_the_whole_request_again(client, world, monkeypatch, error):
    task = await make_task(client, world, "before")
    seen = _lose_with(monkeypatch, error, ATTEMPTS - 1)
    r = await client.put(f"/tasks/{task}", json={"data": {"name": "after"}})
    assert ok(r)["name"] == "after"
    assert "X-Stale" not in r.headers
    assert len(seen) == ATTEMPTS and len({id(ctx) for ctx in seen}) == ATTEMPTS
    assert world.count("SELECT count(*) FROM tasks WHERE name = 'half-written'") == 0


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        (ConcurrentChange("moved meanwhile"), 429, "too many requests"),
        (OperationalError("UPDATE", {}, _PgError("40P01")), 429, "too many requests"),
        (
            IntegrityError(
                "INSERT", {}, _PgError("23503", 'Key (parent_gid)=(123) is not present in table "tasks".')
            ),
            404,
            "Unknown object: 123",
        ),
        (
            IntegrityError("INSERT", {}, sqlite3.IntegrityError("FOREIGN KEY constraint failed")),
            404,
            "Unknown object",
        ),
        (IntegrityError("INSERT", {}, _PgError("23505")), 400, "already exists"),
    ],
    ids=["concurrent-change", "deadlock", "pg-foreign-key", "sqlite-foreign-key", "unique"],
)
async def test_a_race_lost_every_time_answers_as_asana_would(
    client, world, monkeypatch, error, status, message
):
    task = await make_task(client, world, "before")
    seen = _lose_with(monkeypatch, error, ATTEMPTS)
    r = await client.put(f"/tasks/{task}", json={"data": {"name": "after"}})
    fails(r, status, message)
    if status == 429:
        assert r.headers["Retry-After"] == "1"
    assert len(seen) == ATTEMPTS
    assert world.count("SELECT count(*) FROM tasks WHERE name = 'before'") == 1  # nothing changed


async def test_other_errors_are_not_retried(client, world, monkeypatch):
    task = await make_task(client, world, "before")
    seen = _lose_with(monkeypatch, OperationalError("UPDATE", {}, _PgError("42P01")), ATTEMPTS)
    r = await client.put(f"/tasks/{task}", json={"data": {"name": "after"}})
    fails(r, 500, "Server Error")  # an undefined table is a bug, not a race: reported once
    assert len(seen) == 1
