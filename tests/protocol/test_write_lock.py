"""A write that finds SQLite's write lock held by another process (the webhook delivery worker, the
job runner) waits for it off the event loop: other requests are served meanwhile, and the write then
commits as usual (vinyasa.protocol.context, vinyasa.db.WriteLockBusy)."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from tests.conftest import World
from tests.helpers import ok
from tests.projects.helpers import make_project
from vinyasa.db import RequestTransactions, WriteLockBusy

pytestmark = pytest.mark.anyio
HELD = 1.0  # seconds the other connection holds the write lock


def _holder(world: World) -> sqlite3.Connection:
    if world.env.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock")
    held = sqlite3.connect(world.env.engine.url.database or "", isolation_level=None)
    held.execute("BEGIN IMMEDIATE")
    return held


async def test_a_write_waiting_for_the_lock_does_not_stop_reads(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    held = _holder(world)
    released = time.monotonic() + HELD
    asyncio.get_running_loop().call_later(HELD, held.commit)  # runs only if the loop is free
    try:
        write = asyncio.ensure_future(client.put(f"/projects/{project}", json={"data": {"name": "Later"}}))
        await asyncio.sleep(0.01)
        assert ok(await client.get(f"/projects/{project}"))["name"] != "Later"
        assert time.monotonic() < released and not write.done()  # read while the write waits
        assert ok(await write)["name"] == "Later"
        assert time.monotonic() >= released
    finally:
        held.close()


def test_a_transaction_that_must_not_wait_says_the_lock_is_busy(world: World) -> None:
    held = _holder(world)
    transactions = RequestTransactions(world.env.engine)
    try:
        with pytest.raises(WriteLockBusy), transactions.begin(write=True, wait=False):
            pass
        held.commit()
        with transactions.begin(write=True, wait=False) as conn:  # free: no error, a normal writer
            conn.exec_driver_sql("UPDATE meta SET value = value WHERE 0")
    finally:
        held.close()
        transactions.close()
