"""Many writers at once, from threads so transactions really overlap: incoming-web-request runs on
the same task, event-triggering writes, and rule edits. No 5xx; every run is recorded once."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

import pytest

from tests.conftest import World, api_client
from tests.helpers import in_threads
from tests.rules.helpers import OWN, drain, project, rule, task, text_field

pytestmark = pytest.mark.anyio
WRITERS = 16


async def test_overlapping_runs_and_edits(client, world: World) -> None:
    p = await project(client, world)
    field = await text_field(client, world, p["project"])
    hook = await rule(
        client,
        p["project"],
        {"type": "incoming_web_request"},
        [
            {"type": "set_custom_field", "custom_field": field, "value": "{{action_data.n}}"},
            {"type": "mark_complete"},
        ],
    )
    moved = await rule(
        client,
        p["project"],
        {"type": "task_moved_to_section", "section": p["done"]},
        [{"type": "mark_incomplete"}],
    )
    shared = await task(client, p, "shared")
    own = [await task(client, p, f"T{i}") for i in range(WRITERS)]
    trigger = hook["trigger"]["rule_trigger_gid"]
    barrier = threading.Barrier(WRITERS)
    results: list[list[int]] = []

    def worker(i: int) -> None:
        async def go() -> list[int]:
            async with api_client(world.env, world.token) as c:
                barrier.wait()
                codes = []
                body: dict[str, Any] = {"resource": shared, "action_data": {"n": str(i)}}
                codes.append((await c.post(f"/rule_triggers/{trigger}/run", json={"data": body})).status_code)
                move = {"task": own[i]}
                codes.append(
                    (await c.post(f"/sections/{p['done']}/addTask", json={"data": move})).status_code
                )
                if i % 4 == 0:
                    edit = {"name": f"Renamed {i}"}
                    codes.append(
                        (await c.put(f"{OWN}/rules/{moved['gid']}", json={"data": edit})).status_code
                    )
                return codes

        results.append(asyncio.run(go()))

    in_threads(worker, WRITERS)
    codes = Counter(code for batch in results for code in batch)
    assert codes == Counter({200: WRITERS * 2 + WRITERS // 4}), codes
    drain(world)
    assert world.count("SELECT count(*) FROM rule_runs WHERE rule_gid = :r", r=int(hook["gid"])) == WRITERS
    assert world.count("SELECT count(*) FROM rule_runs WHERE rule_gid = :r", r=int(moved["gid"])) == WRITERS
    assert world.count("SELECT count(*) FROM rule_runs WHERE status <> 'succeeded'") == 0
