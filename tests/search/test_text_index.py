"""SQLite's search index off the write path (migration a8c0ffee001d, vinyasa.search.indexing): writes
queue, a text search catches the index up first, the idle job runner catches it up in batches."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from tests.conftest import World
from tests.helpers import ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from vinyasa.core import runner
from vinyasa.search import indexing

pytestmark = pytest.mark.anyio


@pytest.fixture
def lite(world: World) -> World:
    if world.env.backend != "sqlite":
        pytest.skip("PostgreSQL's search column is generated with the row: nothing is queued")
    indexing.catch_up(world.env.app.state.runtime.transactions)  # what the wipe of the last test queued
    return world


def _queued(world: World, index: str = "task_text") -> int:
    return world.count(f"SELECT count(*) FROM {index}_pending")


def _indexed(world: World, gid: str, index: str = "task_text") -> int:
    return world.count(f"SELECT count(*) FROM {index} WHERE rowid = :g", g=int(gid))


async def test_a_write_only_queues_and_a_text_search_indexes_the_queue_first(client, lite: World) -> None:
    gid = await make_task(client, lite, "Quarterly plan")
    project = (await make_project(client, lite, name="Roadmap"))["gid"]
    assert _queued(lite) == 1 and _indexed(lite, gid) == 0  # the write wrote no index segment
    assert _queued(lite, "project_text") == 1 and _indexed(lite, project, "project_text") == 0
    found = ok(await client.get(f"/workspaces/{lite.workspace}/tasks/search", params={"text": "quart"}))
    assert [t["gid"] for t in found] == [gid]  # a read that found the queue ran again as a write
    assert _queued(lite) == 0 and _indexed(lite, gid) == 1
    assert _queued(lite, "project_text") == 1  # only the index the search reads
    found = ok(await client.get(f"/workspaces/{lite.workspace}/projects/search", params={"text": "road"}))
    assert [p["gid"] for p in found] == [project]
    assert _queued(lite, "project_text") == 0
    # A search without text reads no index and leaves the queue alone.
    other = await make_task(client, lite, "Other")
    ok(await client.get(f"/workspaces/{lite.workspace}/tasks/search", params={"completed": "false"}))
    assert _queued(lite) == 1 and _indexed(lite, other) == 0


async def test_the_idle_runner_indexes_the_queue_in_batches(
    client, lite: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    gids = [await make_task(client, lite, f"Batch {i}") for i in range(5)]
    ok(await client.put(f"/tasks/{gids[0]}", json={"data": {"name": "Renamed"}}))
    ok(await client.delete(f"/tasks/{gids[1]}"))
    assert _queued(lite) == 5
    monkeypatch.setattr(indexing, "STEP", 2)
    transactions = lite.env.app.state.runtime.transactions
    assert indexing.catch_up_step(transactions) == 2  # one step: one transaction of at most two
    assert _queued(lite) == 3
    assert indexing.catch_up(transactions) == 3  # two more steps
    assert _queued(lite) == 0
    assert [_indexed(lite, g) for g in gids] == [1, 0, 1, 1, 1]
    assert indexing.catch_up(transactions) == 0  # nothing queued: one read an index
    names = ok(await client.get(f"/workspaces/{lite.workspace}/tasks/search", params={"text": "renamed"}))
    assert [t["gid"] for t in names] == [gids[0]]
    assert ok(await client.get(f"/workspaces/{lite.workspace}/tasks/search", params={"text": "batch"}))


async def _run_until(worker: runner.Runner, done: Callable[[], bool], linger: float = 0.0) -> None:
    """Start `worker`, wait (up to 3 s) until `done()`, `linger` s more, then stop it."""
    worker.start()
    try:
        for _ in range(300):
            if done():
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(linger)
    finally:
        await worker.stop()


async def test_an_idle_runner_runs_the_idle_hooks(lite: World, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    monkeypatch.setattr(runner, "_IDLE_HOOKS", [seen.append])
    transactions = lite.env.app.state.runtime.transactions
    await _run_until(runner.Runner(transactions, poll=0.02, workers=2), lambda: len(seen) >= 3)
    assert len(seen) >= 3 and all(s is transactions for s in seen)


async def test_an_idle_hook_with_more_left_runs_again_after_a_rest(
    lite: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hook's call is one step: while it answers that more is left the runner calls it again, after
    resting `pause` times the step's duration (the write lock is free in between)."""
    calls: list[tuple[float, float]] = []

    def step(_transactions: object) -> bool:
        started = time.monotonic()
        time.sleep(0.01)
        calls.append((started, time.monotonic()))
        return len(calls) < 3

    monkeypatch.setattr(runner, "_IDLE_HOOKS", [step])
    worker = runner.Runner(lite.env.app.state.runtime.transactions, poll=30, workers=1, pause=3)
    await _run_until(worker, lambda: len(calls) >= 3, linger=0.1)
    assert len(calls) == 3  # the third said nothing is left: no fourth before the next poll (30 s)
    rests = [calls[i + 1][0] - calls[i][1] for i in range(2)]
    assert all(rest >= 0.025 for rest in rests), rests  # ~3 x 10 ms


def test_the_search_index_registers_its_idle_hook() -> None:
    assert indexing.catch_up_step in runner._IDLE_HOOKS


async def test_two_servers_on_one_file_search_what_either_wrote(
    client, lite: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second server process on the same SQLite file (its own engine and idle runner catching up)
    while the first renames and searches: every search finds each rename that answered before it."""
    from tests.conftest import Env, api_client
    from vinyasa.app import build_runtime, create_app
    from vinyasa.config import Settings

    monkeypatch.setattr(indexing, "BATCH", 3)
    url = lite.env.url
    other_app = create_app(Settings(database_url=url, webhook_delivery="off", job_runner="thread"))
    other_app.state.runtime = build_runtime(Settings(database_url=url))
    other = Env("sqlite", url, other_app, other_app.state.runtime.engine)
    gids = [await make_task(client, lite, f"Start {i}") for i in range(12)]
    worker = runner.Runner(other_app.state.runtime.transactions, poll=0.002, workers=2)
    worker.start()
    try:
        async with api_client(other, lite.token) as second:

            async def rename(i: int, gid: str) -> None:
                for round_ in range(4):
                    name = f"W{i}x{round_}"
                    writer = client if (i + round_) % 2 else second
                    ok(await writer.put(f"/tasks/{gid}", json={"data": {"name": name}}))
                    reader = second if (i + round_) % 2 else client
                    found = ok(
                        await reader.get(f"/workspaces/{lite.workspace}/tasks/search", params={"text": name})
                    )
                    assert [t["gid"] for t in found] == [gid], (name, found)

            await asyncio.gather(*(rename(i, g) for i, g in enumerate(gids)))
    finally:
        await worker.stop()
        other_app.state.runtime.close()
    assert not ok(await client.get(f"/workspaces/{lite.workspace}/tasks/search", params={"text": "start"}))
