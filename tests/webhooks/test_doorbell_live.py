"""The delivery child as the server runs it (vinyasa.webhooks.worker.DeliveryProcess) hears every
commit's ring: with a poll interval far longer than the test, each change arrives at a real receiver
within moments, whether commits come one at a time, between the child's rounds, or in bursts."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from tests.conftest import World
from tests.helpers import ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from tests.webhooks.helpers import fast, make_webhook
from tests.webhooks.receiver import Receiver, receiving
from vinyasa.webhooks.worker import DeliveryProcess

pytestmark = pytest.mark.anyio


def _events_arrive(rx: Receiver, count: int, within: float = 20.0) -> None:
    """Until `count` events arrived (a lost ring would wait for the 120 s poll; 20 s leaves room for a
    busy machine, where the child runs behind everything)."""
    end = time.monotonic() + within
    while len(rx.events()) < count:
        assert time.monotonic() < end, f"{len(rx.events())} of {count} events: a lost wake-up"
        time.sleep(0.001)


async def test_every_commit_wakes_the_delivery_child(client, world: World, monkeypatch) -> None:
    project = (await make_project(client, world))["gid"]
    task = await make_task(client, world, "T", projects=[project])
    with receiving() as rx:
        await make_webhook(client, task, rx.url)
        child = DeliveryProcess(fast(world.env, webhook_poll_interval=120.0))
        child.start()
        monkeypatch.setattr(world.env.app.state.runtime.transactions, "on_journal", child.wake)
        try:
            rng = random.Random(7)
            writes = 0
            for i in range(40):
                for _ in range(rng.choice([1, 1, 2, 3])):  # one commit, or a few in a row
                    await asyncio.sleep(rng.choice([0, 0, 0.0005, 0.002]))
                    ok(await client.put(f"/tasks/{task}", json={"data": {"name": f"name {i} {writes}"}}))
                    writes += 1
                _events_arrive(rx, writes)  # one event a rename
                time.sleep(rng.choice([0, 0.0002, 0.001, 0.005]))  # the child mid-round, or waiting
        finally:
            child.stop()
