"""Portfolio items: order after each kind of addItem, moves, removal, nesting, cycles, the 1,500
limit, visibility of items, pagination, and items leaving with deleted projects and portfolios."""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.portfolios.helpers import add_item, items, make_portfolio
from tests.projects.helpers import make_project

pytestmark = pytest.mark.anyio


async def _projects(client, world, count):
    return [(await make_project(client, world, name=f"P{i}"))["gid"] for i in range(count)]


async def test_order_after_each_kind_of_add(client, world):
    folio = (await make_portfolio(client, world))["gid"]
    a, b, c, d, e = await _projects(client, world, 5)
    assert await items(client, folio) == []
    await add_item(client, folio, a)  # appended
    await add_item(client, folio, b)
    assert await items(client, folio) == [a, b]
    await add_item(client, folio, c, insert_before=a)  # before the first
    assert await items(client, folio) == [c, a, b]
    await add_item(client, folio, d, insert_after=c)  # between two
    assert await items(client, folio) == [c, d, a, b]
    await add_item(client, folio, e, insert_after=b)  # after the last
    assert await items(client, folio) == [c, d, a, b, e]
    await add_item(client, folio, e, insert_before=c)  # present: moves
    assert await items(client, folio) == [e, c, d, a, b]
    await add_item(client, folio, c)  # present, no anchor: to the end
    assert await items(client, folio) == [e, d, a, b, c]
    await add_item(client, folio, a, insert_after=a)  # its own anchor: stays
    assert await items(client, folio) == [e, d, a, b, c]
    listed = ok(await client.get(f"/portfolios/{folio}/items"))
    assert set(listed[0]) == {"gid", "resource_type", "name"} and listed[0]["resource_type"] == "project"
    assert world.count("SELECT count(*) FROM portfolio_items") == 5


async def test_add_item_bad_input_changes_nothing(client, world):
    folio = (await make_portfolio(client, world))["gid"]
    a, b, outside = await _projects(client, world, 3)
    await add_item(client, folio, a)
    path = f"/portfolios/{folio}/addItem"
    for data, fragment in [
        ({}, "item"),
        ({"item": "abc"}, "item"),
        ({"item": "123456"}, "item"),
        ({"item": b, "insert_before": a, "insert_after": a}, "insert_before"),
        ({"item": b, "insert_before": outside}, "insert_before"),
        ({"item": b, "insert_after": "nope"}, "insert_after"),
        ({"item": world.user}, "item"),
    ]:
        fails(await client.post(path, json={"data": data}), 400, fragment)
    assert await items(client, folio) == [a]
    fails(await client.post("/portfolios/123/addItem", json={"data": {"item": a}}), 404)


async def test_remove_item(client, world):
    folio = (await make_portfolio(client, world))["gid"]
    a, b = await _projects(client, world, 2)
    await add_item(client, folio, a)
    await add_item(client, folio, b)
    assert ok(await client.post(f"/portfolios/{folio}/removeItem", json={"data": {"item": a}})) == {}
    assert await items(client, folio) == [b]
    fails(
        await client.post(f"/portfolios/{folio}/removeItem", json={"data": {"item": a}}), 400, "Not an item"
    )
    fails(await client.post(f"/portfolios/{folio}/removeItem", json={"data": {}}), 400, "item")
    assert await items(client, folio) == [b]


async def test_other_workspace_items_are_refused(client, world):
    folio = (await make_portfolio(client, world))["gid"]
    other = world.other_workspace("Elsewhere", "owner@example.com", organization=False)
    data = {"name": "There", "workspace": other["workspace"]}
    there = ok(await client.post("/projects", json={"data": data}), 201)["gid"]
    fails(await client.post(f"/portfolios/{folio}/addItem", json={"data": {"item": there}}), 400, "workspace")
    folio2 = ok(await client.post("/portfolios", json={"data": data}), 201)["gid"]
    fails(
        await client.post(f"/portfolios/{folio}/addItem", json={"data": {"item": folio2}}), 400, "workspace"
    )
    assert await items(client, folio) == []


async def test_nesting_and_cycles(client, world):
    top = (await make_portfolio(client, world, name="Top"))["gid"]
    mid = (await make_portfolio(client, world, name="Mid"))["gid"]
    low = (await make_portfolio(client, world, name="Low"))["gid"]
    (project,) = await _projects(client, world, 1)
    await add_item(client, top, mid)
    await add_item(client, mid, low)
    await add_item(client, low, project)
    listed = ok(await client.get(f"/portfolios/{top}/items"))
    assert listed == [{"gid": mid, "resource_type": "portfolio", "name": "Mid"}]
    for folio, item in [(top, top), (low, top), (low, mid), (mid, top)]:
        fails(
            await client.post(f"/portfolios/{folio}/addItem", json={"data": {"item": item}}), 400, "contain"
        )
    assert await items(client, low) == [project]
    await add_item(client, top, low)  # a portfolio may sit in two places (no cycle)
    assert await items(client, top) == [mid, low]
    ok(await client.delete(f"/portfolios/{mid}"))
    assert await items(client, top) == [low]


async def test_deleting_a_project_removes_it_everywhere(client, world):
    one = (await make_portfolio(client, world))["gid"]
    two = (await make_portfolio(client, world))["gid"]
    a, b = await _projects(client, world, 2)
    for folio in (one, two):
        await add_item(client, folio, a)
        await add_item(client, folio, b)
    ok(await client.delete(f"/projects/{a}"))
    assert await items(client, one) == [b] and await items(client, two) == [b]
    removed = world.count(
        "SELECT count(*) FROM journal WHERE resource_gid = :g AND action = 'removed' AND parent_type = 'portfolio'",
        g=int(a),
    )
    assert removed == 2


async def test_items_the_caller_cannot_see_are_skipped(client, world):
    bob, token = world.person("bob@example.com")
    folio = (await make_portfolio(client, world, public=True))["gid"]
    public = (await make_project(client, world, name="Open"))["gid"]
    private = (await make_project(client, world, name="Closed", privacy_setting="private"))["gid"]
    hidden = (await make_portfolio(client, world, name="Hidden"))["gid"]
    shown = (await make_portfolio(client, world, name="Shown", public=True))["gid"]
    for item in (private, public, hidden, shown):
        await add_item(client, folio, item)
    assert await items(client, folio) == [private, public, hidden, shown]
    async with api_client(world.env, token) as c:
        assert await items(c, folio) == [public, shown]
        page = (await c.get(f"/portfolios/{folio}/items", params={"limit": 1})).json()
        assert [i["gid"] for i in page["data"]] == [public]
        fails(await c.post(f"/portfolios/{folio}/addItem", json={"data": {"item": public}}), 403)
        ok(await client.post(f"/projects/{private}/addMembers", json={"data": {"members": [bob]}}))
        assert await items(c, folio) == [private, public, shown]


async def test_pagination_in_portfolio_order(client, world):
    folio = (await make_portfolio(client, world))["gid"]
    made = await _projects(client, world, 7)
    for gid in made:
        await add_item(client, folio, gid, **({"insert_before": made[0]} if gid != made[0] else {}))
    expected = [*made[1:], made[0]]
    seen, params = [], {"limit": 3}
    while True:
        body = (await client.get(f"/portfolios/{folio}/items", params=params)).json()
        seen += [i["gid"] for i in body["data"]]
        if body["next_page"] is None:
            break
        params["offset"] = body["next_page"]["offset"]
    assert seen == expected
    named = ok(await client.get(f"/portfolios/{folio}/items", params={"opt_fields": "name,owner.name"}))
    assert named[0] == {"gid": made[1], "name": "P1", "owner": {"gid": world.user, "name": "owner"}}


async def test_at_most_1500_items(client, world):
    folio = (await make_portfolio(client, world))["gid"]
    (first,) = await _projects(client, world, 1)
    await add_item(client, folio, first)
    # Fill up to the limit directly: 1,499 more items through the API would take minutes.
    with world.env.engine.begin() as conn:
        from sqlalchemy import text

        ws = int(world.workspace)
        for i in range(1499):
            conn.execute(
                text(
                    "INSERT INTO projects (gid, workspace_gid, name, html_notes, archived, default_view,"
                    " privacy_setting, default_access_level, minimum_access_level_for_customization,"
                    " minimum_access_level_for_sharing, completed, created_at, modified_at)"
                    " VALUES (:g, :w, 'x', '', false, 'list', 'public_to_workspace', 'editor', 'editor',"
                    " 'editor', false, 0, 0)"
                ),
                {"g": 9_000_000 + i, "w": ws},
            )
            conn.execute(
                text(
                    "INSERT INTO portfolio_items (portfolio_gid, item_gid, item_type, project_gid, position,"
                    " created_at) VALUES (:p, :g, 'project', :g, :pos, 0)"
                ),
                {"p": int(folio), "g": 9_000_000 + i, "pos": (i + 1) << 32},
            )
    (extra,) = await _projects(client, world, 1)
    fails(await client.post(f"/portfolios/{folio}/addItem", json={"data": {"item": extra}}), 400, "1500")
    await add_item(client, folio, first)  # moving an item already there is fine at the limit
    assert world.count("SELECT count(*) FROM portfolio_items") == 1500
    ok(await client.post(f"/portfolios/{folio}/removeItem", json={"data": {"item": first}}))
    await add_item(client, folio, extra)
    assert world.count("SELECT count(*) FROM portfolio_items") == 1500
