"""Concurrent writers on one workspace and one field: names stay unique, option order stays total."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from tests.conftest import World, api_client
from tests.custom_fields.helpers import make_field, option_names
from tests.helpers import in_threads, ok

pytestmark = pytest.mark.anyio
WRITERS = 12


def _race(world: World, call: Callable[[Any, int], Coroutine[Any, Any, int]]) -> Counter[int]:
    """Run `call(client, i)` from WRITERS threads released together; the status codes."""
    barrier = threading.Barrier(WRITERS)
    codes: list[int] = []

    def worker(i: int) -> None:
        async def go() -> int:
            async with api_client(world.env, world.token) as c:
                barrier.wait()
                return await call(c, i)

        codes.append(asyncio.run(go()))

    in_threads(worker, WRITERS)
    return Counter(codes)


async def test_concurrent_creates_of_one_name_make_one_field(world):
    async def create(c: Any, i: int) -> int:
        name = "Priority" if i % 2 else "PRIORITY"
        body = {"workspace": world.workspace, "name": name, "resource_subtype": "text"}
        return int((await c.post("/custom_fields", json={"data": body})).status_code)

    codes = _race(world, create)
    assert codes == {201: 1, 400: WRITERS - 1}, codes
    assert world.count("SELECT count(*) FROM custom_fields") == 1


async def test_concurrent_option_inserts_keep_a_total_order(world):
    async with api_client(world.env, world.token) as client:
        field = await make_field(client, world, "Stage", "enum", enum_options=[{"name": "first"}])
    first = field["enum_options"][0]["gid"]

    async def add(c: Any, i: int) -> int:
        body = {"name": f"o{i}", "insert_after": first}
        return int(
            (await c.post(f"/custom_fields/{field['gid']}/enum_options", json={"data": body})).status_code
        )

    codes = _race(world, add)
    assert codes == {201: WRITERS}, codes
    assert world.count("SELECT count(DISTINCT position) FROM enum_options") == WRITERS + 1
    async with api_client(world.env, world.token) as client:
        names = await option_names(client, field["gid"])
    assert names[0] == "first" and sorted(names[1:]) == sorted(f"o{i}" for i in range(WRITERS))


@pytest.mark.parametrize("kind", ["rename", "describe"])
async def test_concurrent_updates_of_one_field_all_succeed(world, kind):
    async with api_client(world.env, world.token) as client:
        field = await make_field(client, world, "Estimate", "number", precision=1)

    async def update(c: Any, i: int) -> int:
        body = {"name": f"Estimate {i}"} if kind == "rename" else {"description": f"d{i}", "precision": i % 6}
        r = await c.put(f"/custom_fields/{field['gid']}", json={"data": body})
        return int(r.status_code)

    codes = _race(world, update)
    assert codes == {200: WRITERS}, codes
    assert world.count("SELECT count(*) FROM custom_fields") == 1


async def test_concurrent_updates_of_a_field_with_values_all_succeed(world):
    """Each PUT that changes a rendering rebuilds the display maps of every task carrying the field."""
    async with api_client(world.env, world.token) as client:
        field = await make_field(client, world, "Points", "number", precision=0)
        project = ok(
            await client.post("/projects", json={"data": {"workspace": world.workspace, "name": "P"}}), 201
        )
        ok(
            await client.post(
                f"/projects/{project['gid']}/addCustomFieldSetting",
                json={"data": {"custom_field": field["gid"]}},
            )
        )
        for n in range(20):
            body = {"name": f"t{n}", "projects": [project["gid"]], "custom_fields": {field["gid"]: n + 0.25}}
            ok(await client.post("/tasks", json={"data": body}), 201)

    async def update(c: Any, i: int) -> int:
        body: dict[str, Any] = {"precision": i % 4, "format": "none"}
        if i % 2:
            body = {"precision": i % 4, "format": "currency", "currency_code": "EUR"}
        if i % 3 == 0:
            body = {"name": f"Points {i}"}
        r = await c.put(f"/custom_fields/{field['gid']}", json={"data": body})
        return int(r.status_code)

    codes = _race(world, update)
    assert codes == {200: WRITERS}, codes
