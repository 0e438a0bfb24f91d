"""32 addItem calls at once on one portfolio, from 32 threads so transactions really overlap
(PostgreSQL row locks; SQLite's single writer): the order stays total and each item is there once.
Nesting races too: two portfolios each added to the other at once never make a cycle."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

import pytest

from tests.conftest import api_client
from tests.helpers import ok
from tests.portfolios.helpers import add_item, items, make_portfolio
from tests.projects.helpers import make_project

pytestmark = pytest.mark.anyio
WRITERS = 32


def _race(world: Any, calls: list[tuple[str, dict[str, Any]]]) -> Counter[int]:
    """Send each (path, data) POST from its own thread at the same moment; the status codes."""
    barrier = threading.Barrier(len(calls))
    codes: list[int] = []

    def worker(path: str, data: dict[str, Any]) -> None:
        async def go() -> int:
            async with api_client(world.env, world.token) as c:
                barrier.wait()
                return (await c.post(path, json={"data": data})).status_code

        codes.append(asyncio.run(go()))

    threads = [threading.Thread(target=worker, args=call) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Counter(codes)


async def test_concurrent_add_items_keep_a_total_order(client, world):
    folio = (await make_portfolio(client, world))["gid"]
    seeded = [(await make_project(client, world, name=f"S{i}"))["gid"] for i in range(4)]
    for gid in seeded:
        await add_item(client, folio, gid)
    fresh = [(await make_project(client, world, name=f"N{i}"))["gid"] for i in range(WRITERS // 2)]
    calls = []
    for i in range(WRITERS):
        item = fresh[i // 2]  # each new item added twice at once (a move the second time)
        anchor = seeded[i % len(seeded)]
        where = {"insert_before": anchor} if i % 3 == 0 else {"insert_after": anchor} if i % 3 == 1 else {}
        calls.append((f"/portfolios/{folio}/addItem", {"item": item, **where}))
    codes = _race(world, calls)
    assert codes == Counter({200: WRITERS}), codes
    listed = await items(client, folio)
    assert len(listed) == len(set(listed)) == len(seeded) + len(fresh)
    assert set(listed) == {*seeded, *fresh}
    p = int(folio)
    stored = world.count("SELECT count(*) FROM portfolio_items WHERE portfolio_gid = :p", p=p)
    assert stored == world.count(
        "SELECT count(DISTINCT position) FROM portfolio_items WHERE portfolio_gid = :p", p=p
    )
    assert [s for s in listed if s in seeded] == seeded  # the anchors kept their own order


async def test_concurrent_nesting_never_makes_a_cycle(client, world):
    for _ in range(3):
        a = (await make_portfolio(client, world, name="A"))["gid"]
        b = (await make_portfolio(client, world, name="B"))["gid"]
        calls = [(f"/portfolios/{a}/addItem", {"item": b}), (f"/portfolios/{b}/addItem", {"item": a})] * 4
        codes = _race(world, calls)
        assert set(codes) <= {200, 400}, codes
        nested = bool(await items(client, a)), bool(await items(client, b))
        assert nested in ((True, False), (False, True)), nested
    ok(await client.get(f"/portfolios/{a}"))
