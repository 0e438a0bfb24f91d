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
from tests.helpers import in_threads

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
