"""The durable runner (vinyasa.core.runner): claims, leases, retries, failures, the lifespan."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from typing import Any

import pytest

from tests.conftest import World, api_client
from tests.helpers import fails, ok
from vinyasa.core import runner, runner_claims
from vinyasa.core.clock import now_ms
from vinyasa.core.unit import unit_of_work
from vinyasa.errors import InvalidRequest
from vinyasa.protocol import sql

pytestmark = pytest.mark.anyio


def _counter_step(run: runner.Run) -> runner.Step:
    """Adds 1 to the meta counter `params.key` per step, `params.steps` steps in all."""
    done = int(run.progress.get("done", 0))
    with run.unit() as caller:
        key = run.params["key"]
        value = sql.fetch_value(caller.conn, "SELECT value FROM meta WHERE key = ?", [key])
        sql.execute_many(caller.conn, "DELETE FROM meta WHERE key = ?", [(key,)])
        sql.execute_many(
            caller.conn, "INSERT INTO meta (key, value) VALUES (?, ?)", [(key, str(int(value or 0) + 1))]
        )
        run.progress["done"] = done + 1
        if done + 1 >= int(run.params["steps"]):
            run.done = True
    return runner.MORE


def _failing_step(run: runner.Run) -> runner.Step:
    if run.params.get("clean"):
        raise runner.JobFailed("The source project was deleted")
    if run.params.get("service"):
        raise InvalidRequest("name: Missing input")
    raise ValueError("a bug")


def _later_step(run: runner.Run) -> runner.Step:
    with run.transaction():
        run.progress["seen"] = int(run.progress.get("seen", 0)) + 1
    return runner.DONE if run.progress["seen"] >= 2 else runner.later(0.05)


runner.register(runner.Kind("test_counter", _counter_step, public=True))
runner.register(runner.Kind("test_failing", _failing_step, max_attempts=2, backoff=lambda _: 0.0))
runner.register(runner.Kind("test_later", _later_step))


def _enqueue(world: World, kind: str, params: dict[str, Any], user: str | None = None) -> int:
    transactions = world.env.app.state.runtime.transactions
    with unit_of_work(transactions, int(user or world.user), "http://testserver") as caller:
        return runner.enqueue(caller, kind, params)


def _job(world: World, gid: int) -> dict[str, Any]:
    with world.db() as conn:
        row = sql.fetch(
            conn, "SELECT status, attempts, error, progress, due_at FROM jobs WHERE gid = ?", [gid]
        )[0]
    return {
        "status": row[0],
        "attempts": row[1],
        "error": row[2],
        "progress": json.loads(row[3] or "{}"),
        "due_at": row[4],
    }


def _counter(world: World, key: str) -> int:
    with world.db() as conn:
        return int(sql.fetch_value(conn, "SELECT value FROM meta WHERE key = ?", [key]) or 0)


def _claim(world: World, lease: float = 30.0) -> runner.Run | None:
    transactions = world.env.app.state.runtime.transactions
    return runner_claims._claim(transactions, uuid.uuid4().hex, int(lease * 1000), sorted(runner.KINDS))


def _drain(world: World) -> int:
    return runner.drain(world.env.app.state.runtime.transactions)


def test_a_job_runs_its_steps_once_each_and_succeeds(world: World) -> None:
    key = "t-" + uuid.uuid4().hex
    gid = _enqueue(world, "test_counter", {"key": key, "steps": 5})
    assert _job(world, gid)["status"] == "not_started"
    assert _drain(world) == 1
    job = _job(world, gid)
    assert job["status"] == "succeeded" and job["attempts"] == 1 and job["due_at"] is None
    assert _counter(world, key) == 5
    assert _drain(world) == 0  # nothing runs twice


def test_a_job_exists_only_if_its_transaction_committed(world: World) -> None:
    transactions = world.env.app.state.runtime.transactions

    def request_that_fails() -> None:
        with unit_of_work(transactions, int(world.user), "http://x") as caller:
            runner.enqueue(caller, "test_counter", {"key": "never", "steps": 1})
            raise RuntimeError("the request failed")

    with pytest.raises(RuntimeError):
        request_that_fails()
    assert world.count("SELECT count(*) FROM jobs") == 0
    assert _drain(world) == 0


def test_a_claimed_job_is_not_claimed_again_while_its_lease_holds(world: World) -> None:
    _enqueue(world, "test_counter", {"key": "k", "steps": 1})
    first = _claim(world)
    assert first is not None and first.attempts == 1
    assert _claim(world) is None
    assert _drain(world) == 0


def test_an_expired_lease_is_claimed_again_and_the_old_holder_commits_nothing(world: World) -> None:
    key = "t-" + uuid.uuid4().hex
    gid = _enqueue(world, "test_counter", {"key": key, "steps": 3})
    stale = _claim(world, lease=0.05)
    assert stale is not None
    runner._advance(stale)  # one step under the first claim
    assert _counter(world, key) == 1
    time.sleep(0.12)  # its process "died": the lease runs out
    fresh = _claim(world)
    assert fresh is not None and fresh.gid == gid and fresh.attempts == 2
    assert fresh.progress == {"done": 1}  # it resumes after the committed step
    assert runner._advance(stale) is None  # the old holder's step is refused (LeaseLost) ...
    assert _counter(world, key) == 1  # ... and rolled back
    runner.run_to_end(fresh)
    assert _counter(world, key) == 3
    assert _job(world, gid)["status"] == "succeeded"


def test_concurrent_claims_take_each_job_once(world: World) -> None:
    keys = ["t-" + uuid.uuid4().hex for _ in range(6)]
    for key in keys:
        _enqueue(world, "test_counter", {"key": key, "steps": 2})
    transactions = world.env.app.state.runtime.transactions
    counts: list[int] = []

    def work() -> None:
        counts.append(runner.drain(transactions))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(counts) == 6
    assert [_counter(world, k) for k in keys] == [2] * 6


def test_a_step_that_fails_cleanly_fails_the_job_with_its_message(world: World) -> None:
    gid = _enqueue(world, "test_failing", {"clean": True})
    _drain(world)
    job = _job(world, gid)
    assert job["status"] == "failed" and job["error"] == "The source project was deleted"


def test_a_service_error_fails_the_job_at_once_with_its_message(world: World) -> None:
    gid = _enqueue(world, "test_failing", {"service": True})
    assert _drain(world) == 1
    job = _job(world, gid)
    assert job["status"] == "failed" and job["attempts"] == 1 and job["error"] == "name: Missing input"


def test_an_unexpected_error_is_retried_then_fails_the_job(world: World) -> None:
    gid = _enqueue(world, "test_failing", {})
    assert _drain(world) == 2  # two claims: max_attempts=2, no backoff
    job = _job(world, gid)
    assert job["status"] == "failed" and job["attempts"] == 2
    assert job["error"] == "Internal error (ValueError)"


def test_a_job_interrupted_too_often_fails(world: World) -> None:
    gid = _enqueue(world, "test_failing", {})
    for _ in range(2):  # two claims whose process "died" at once
        assert _claim(world, lease=0.01) is not None
        time.sleep(0.03)
    run = _claim(world)
    assert run is not None and run.attempts == 3
    runner.run_to_end(run)
    job = _job(world, gid)
    assert job["status"] == "failed" and job["error"] == "The job was interrupted too many times"


def test_a_step_can_ask_to_run_later(world: World) -> None:
    gid = _enqueue(world, "test_later", {})
    assert _drain(world) == 1  # released for 50 ms: not due
    assert _job(world, gid)["status"] == "in_progress"
    time.sleep(0.08)
    _drain(world)
    assert _job(world, gid)["status"] == "succeeded"


async def test_the_lifespan_runner_picks_up_work_as_it_is_created(world: World) -> None:
    key = "t-" + uuid.uuid4().hex
    worker = runner.Runner(world.env.app.state.runtime.transactions, poll=5.0, workers=2)
    worker.start()
    try:
        gid = _enqueue(world, "test_counter", {"key": key, "steps": 4})  # enqueue wakes it at once
        for _ in range(200):
            if _job(world, gid)["status"] == "succeeded":
                break
            await asyncio.sleep(0.02)
        assert _job(world, gid)["status"] == "succeeded"
        assert _counter(world, key) == 4
    finally:
        await worker.stop()


async def test_only_the_creator_sees_a_job(client, world: World) -> None:
    key = "t-" + uuid.uuid4().hex
    gid = _enqueue(world, "test_counter", {"key": key, "steps": 1})
    job = ok(await client.get(f"/jobs/{gid}"))
    assert job == {
        "gid": str(gid),
        "resource_type": "job",
        "resource_subtype": "test_counter",
        "status": "not_started",
        "new_project": None,
        "new_task": None,
        "new_portfolio": None,
        "new_project_template": None,
        "new_graph_export": None,
        "new_resource_export": None,
    }
    _drain(world)
    assert ok(await client.get(f"/jobs/{gid}", params={"opt_fields": "status"})) == {
        "gid": str(gid),
        "status": "succeeded",
    }
    _, token = world.person("eve@example.com")
    async with api_client(world.env, token) as eve:
        fails(await eve.get(f"/jobs/{gid}"), 404, "Unknown job")
    fails(await client.get("/jobs/123"), 404)
    fails(await client.get("/jobs/abc"), 404)


async def test_internal_work_is_not_an_asana_job(client, world: World) -> None:
    gid = _enqueue(world, "test_later", {})
    fails(await client.get(f"/jobs/{gid}"), 404)


DAY_MS = 86_400_000


def _age(world: World, gid: int, days: float) -> None:
    """Make a job look as if it ended (or was created) `days` ago."""
    then = now_ms() - int(days * DAY_MS)
    with world.env.engine.begin() as conn:
        sql.execute_many(
            conn, "UPDATE jobs SET finished_at = ?, created_at = ? WHERE gid = ?", [(then, then, gid)]
        )


def _exists(world: World, gid: int) -> bool:
    with world.db() as conn:
        return bool(sql.fetch(conn, "SELECT 1 FROM jobs WHERE gid = ?", [gid]))


def _aged_jobs(world: World) -> dict[str, int]:
    """An old succeeded, an old failed, a recent succeeded and an old waiting job."""
    key = "t-" + uuid.uuid4().hex
    jobs = {
        "old_done": _enqueue(world, "test_counter", {"key": key, "steps": 1}),
        "old_failed": _enqueue(world, "test_failing", {"clean": True}),
        "recent": _enqueue(world, "test_counter", {"key": key, "steps": 1}),
    }
    _drain(world)
    jobs["waiting"] = _enqueue(world, "test_later", {}, None)
    with world.env.engine.begin() as conn:  # not due for a long time: never claimed, never ended
        sql.execute_many(
            conn, "UPDATE jobs SET due_at = ? WHERE gid = ?", [(now_ms() + DAY_MS, jobs["waiting"])]
        )
    for name in ("old_done", "old_failed", "waiting"):
        _age(world, jobs[name], 8)
    _age(world, jobs["recent"], 6)
    return jobs


def test_prune_deletes_only_work_that_ended_before_the_retention(world: World) -> None:
    jobs = _aged_jobs(world)
    transactions = world.env.app.state.runtime.transactions
    assert runner.prune(transactions, now_ms() - 7 * DAY_MS) == 2
    assert {name: _exists(world, gid) for name, gid in jobs.items()} == {
        "old_done": False,
        "old_failed": False,
        "recent": True,
        "waiting": True,
    }


async def test_an_idle_runner_prunes_with_its_retention(client, world: World) -> None:
    jobs = _aged_jobs(world)
    assert ok(await client.get(f"/jobs/{jobs['old_done']}"))["status"] == "succeeded"
    worker = runner.Runner(world.env.app.state.runtime.transactions, poll=0.05, retention=7 * 86_400)
    worker.start()
    try:
        for _ in range(200):
            if not _exists(world, jobs["old_done"]):
                break
            await asyncio.sleep(0.02)
    finally:
        await worker.stop()
    assert not _exists(world, jobs["old_failed"]) and _exists(world, jobs["recent"])
    fails(await client.get(f"/jobs/{jobs['old_done']}"), 404)


async def test_a_job_enqueued_while_the_idle_hooks_run_starts_at_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wake of a job enqueued while the only worker runs the idle hooks (SQLite's search index
    catching up: vinyasa.search.indexing) is kept for the wait after them, not cleared by it."""
    in_hook = threading.Event()

    def slow_hook(_: object) -> None:
        in_hook.set()
        time.sleep(0.3)

    monkeypatch.setattr(runner, "_IDLE_HOOKS", [slow_hook])
    key = "t-" + uuid.uuid4().hex
    worker = runner.Runner(world.env.app.state.runtime.transactions, poll=5.0, workers=1)
    worker.start()
    try:
        for _ in range(200):
            if in_hook.is_set():
                break
            await asyncio.sleep(0.01)
        assert in_hook.is_set()
        gid = _enqueue(world, "test_counter", {"key": key, "steps": 1})  # wakes the runner at once
        started = time.monotonic()
        while _job(world, gid)["status"] != "succeeded" and time.monotonic() - started < 3:
            await asyncio.sleep(0.02)
        assert _job(world, gid)["status"] == "succeeded"  # not after the 5 s poll
    finally:
        await worker.stop()
