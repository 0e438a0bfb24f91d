"""Portfolio members and memberships, and the access rule: members_only portfolios are invisible
(404) to non-members; viewers read, editors change fields and items, admins members and settings."""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.portfolios.helpers import add_item, items, make_portfolio
from tests.projects.helpers import make_project

pytestmark = pytest.mark.anyio


async def test_add_and_remove_members(client, world):
    bob, _ = world.person("bob@example.com")
    carl, _ = world.person("carl@example.com")
    folio = (await make_portfolio(client, world, default_access_level="viewer"))["gid"]
    got = ok(
        await client.post(
            f"/portfolios/{folio}/addMembers", json={"data": {"members": [bob, "carl@example.com"]}}
        )
    )
    assert {m["gid"] for m in got["members"]} == {world.user, bob, carl}
    memberships = ok(await client.get(f"/portfolios/{folio}/portfolio_memberships"))
    assert {(m["user"]["gid"], m["access_level"]) for m in memberships} == {
        (world.user, "admin"),
        (bob, "viewer"),
        (carl, "viewer"),
    }
    assert set(memberships[0]) == {"gid", "resource_type", "user", "access_level"}
    one = memberships[0]["gid"]
    full = ok(
        await client.get(
            f"/portfolio_memberships/{one}", params={"opt_fields": "portfolio,user,access_level"}
        )
    )
    assert full["portfolio"]["gid"] == folio
    # the owner always stays; others go
    got = ok(await client.post(f"/portfolios/{folio}/removeMembers", json={"data": {"members": ["me", bob]}}))
    assert {m["gid"] for m in got["members"]} == {world.user, carl}
    fails(
        await client.post(f"/portfolios/{folio}/addMembers", json={"data": {"members": ["x@nowhere.com"]}}),
        400,
    )
    fails(await client.post(f"/portfolios/{folio}/addMembers", json={"data": {}}), 400, "members")
    assert world.count("SELECT count(*) FROM portfolio_members") == 2


async def test_membership_lists(client, world):
    bob, token = world.person("bob@example.com")
    one = (await make_portfolio(client, world))["gid"]
    two = (await make_portfolio(client, world))["gid"]
    for folio in (one, two):
        ok(await client.post(f"/portfolios/{folio}/addMembers", json={"data": {"members": [bob]}}))
    by_portfolio = ok(await client.get("/portfolio_memberships", params={"portfolio": one}))
    assert len(by_portfolio) == 2
    mine = ok(await client.get("/portfolio_memberships", params={"portfolio": one, "user": bob}))
    assert [m["user"]["gid"] for m in mine] == [bob]
    in_workspace = ok(
        await client.get("/portfolio_memberships", params={"workspace": world.workspace, "user": bob})
    )
    assert len(in_workspace) == 2
    for params in ({}, {"workspace": world.workspace}, {"user": bob}):
        fails(await client.get("/portfolio_memberships", params=params), 400, "You must specify")
    fails(await client.get("/portfolio_memberships", params={"portfolio": "42"}), 400)
    page = (await client.get("/portfolio_memberships", params={"portfolio": one, "limit": 1})).json()
    assert len(page["data"]) == 1 and page["next_page"]
    async with api_client(world.env, token) as c:
        ok(await c.get(f"/portfolios/{one}"))
    ok(await client.post(f"/portfolios/{one}/removeMembers", json={"data": {"members": [bob]}}))
    async with api_client(world.env, token) as c:
        fails(await c.get(f"/portfolios/{one}"), 404)
        seen = ok(await c.get("/portfolio_memberships", params={"workspace": world.workspace, "user": "me"}))
        assert len(seen) == 1


async def test_members_only_is_invisible_to_others(client, world):
    _, token = world.person("bob@example.com")
    folio = (await make_portfolio(client, world))["gid"]
    membership = ok(await client.get(f"/portfolios/{folio}/portfolio_memberships"))[0]["gid"]
    (project,) = [(await make_project(client, world))["gid"]]
    await add_item(client, folio, project)
    status = ok(
        await client.post(
            "/status_updates", json={"data": {"parent": folio, "status_type": "on_track", "text": "ok"}}
        ),
        201,
    )["gid"]
    async with api_client(world.env, token) as c:
        for path in (
            f"/portfolios/{folio}",
            f"/portfolios/{folio}/items",
            f"/portfolios/{folio}/portfolio_memberships",
            f"/portfolio_memberships/{membership}",
            f"/status_updates/{status}",
        ):
            fails(await c.get(path), 404)
        fails(await c.put(f"/portfolios/{folio}", json={"data": {"name": "x"}}), 404)
        fails(await c.delete(f"/portfolios/{folio}"), 404)
        fails(await c.post(f"/portfolios/{folio}/addItem", json={"data": {"item": project}}), 404)
        fails(await c.post(f"/portfolios/{folio}/addMembers", json={"data": {"members": ["me"]}}), 404)
        fails(await c.get("/status_updates", params={"parent": folio}), 400)
        fails(await c.get("/portfolio_memberships", params={"portfolio": folio}), 400)
        mine = await make_portfolio(c, world, name="Mine")
        fails(
            await c.post(f"/portfolios/{mine['gid']}/addItem", json={"data": {"item": folio}}), 400, "Unknown"
        )


async def test_levels(client, world):
    viewer, viewer_token = world.person("viewer@example.com")
    editor, editor_token = world.person("editor@example.com")
    folio = (await make_portfolio(client, world, default_access_level="viewer"))["gid"]
    ok(await client.post(f"/portfolios/{folio}/addMembers", json={"data": {"members": [viewer]}}))
    ok(await client.put(f"/portfolios/{folio}", json={"data": {"default_access_level": "editor"}}))
    ok(await client.post(f"/portfolios/{folio}/addMembers", json={"data": {"members": [editor]}}))
    project = (await make_project(client, world))["gid"]
    status = {"parent": folio, "status_type": "at_risk", "text": "hm"}
    async with api_client(world.env, viewer_token) as c:
        ok(await c.get(f"/portfolios/{folio}"))
        ok(await c.get(f"/portfolios/{folio}/items"))
        fails(await c.put(f"/portfolios/{folio}", json={"data": {"name": "x"}}), 403)
        fails(await c.post(f"/portfolios/{folio}/addItem", json={"data": {"item": project}}), 403)
        fails(await c.post("/status_updates", json={"data": status}), 403)
        fails(await c.delete(f"/portfolios/{folio}"), 403)
    async with api_client(world.env, editor_token) as c:
        ok(await c.put(f"/portfolios/{folio}", json={"data": {"name": "Edited"}}))
        await add_item(c, folio, project)
        ok(await c.post("/status_updates", json={"data": status}), 201)
        fails(await c.put(f"/portfolios/{folio}", json={"data": {"default_access_level": "admin"}}), 403)
        fails(await c.post(f"/portfolios/{folio}/addMembers", json={"data": {"members": ["me"]}}), 403)
        fails(await c.post(f"/portfolios/{folio}/removeMembers", json={"data": {"members": [viewer]}}), 403)
        fails(await c.delete(f"/portfolios/{folio}"), 403)
        ok(await c.post(f"/portfolios/{folio}/removeItem", json={"data": {"item": project}}))
    assert await items(client, folio) == []
    got = ok(await client.get(f"/portfolios/{folio}"))
    assert got["name"] == "Edited" and got["default_access_level"] == "editor"


async def test_public_portfolios_are_read_only_to_non_members(client, world):
    _, token = world.person("bob@example.com")
    folio = (await make_portfolio(client, world, public=True))["gid"]
    async with api_client(world.env, token) as c:
        assert ok(await c.get(f"/portfolios/{folio}"))["public"] is True
        fails(await c.put(f"/portfolios/{folio}", json={"data": {"name": "x"}}), 403)
        # not theirs: the list shows only the caller's own portfolios
        assert ok(await c.get("/portfolios", params={"workspace": world.workspace})) == []


async def test_leaving_the_workspace_hands_portfolios_over(client, world):
    bob, token = world.person("bob@example.com")
    carl, _ = world.person("carl@example.com")
    async with api_client(world.env, token) as c:
        theirs = (await make_portfolio(c, world, name="Bob's"))["gid"]
        ok(await c.post(f"/portfolios/{theirs}/addMembers", json={"data": {"members": [carl]}}))
    mine = (await make_portfolio(client, world))["gid"]
    ok(await client.post(f"/portfolios/{mine}/addMembers", json={"data": {"members": [bob]}}))
    ok(await client.post(f"/workspaces/{world.workspace}/removeUser", json={"data": {"user": bob}}))
    got = ok(await client.get(f"/portfolios/{theirs}"))
    assert got["owner"]["gid"] == world.user
    assert {m["gid"] for m in got["members"]} == {world.user, carl}
    levels = ok(await client.get(f"/portfolios/{theirs}/portfolio_memberships"))
    assert {(m["user"]["gid"], m["access_level"]) for m in levels} >= {(world.user, "admin")}
    assert [m["gid"] for m in ok(await client.get(f"/portfolios/{mine}"))["members"]] == [world.user]
