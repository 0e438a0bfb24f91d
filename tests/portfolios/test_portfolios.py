"""Portfolio CRUD: create, read, update (Asana's date and enum rules), delete, and the owner's list."""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.portfolios.helpers import FULL, make_portfolio

pytestmark = pytest.mark.anyio


async def test_create_and_read(client, world):
    made = await make_portfolio(client, world, color="dark-blue", due_on="2027-01-31", start_on="2027-01-01")
    assert set(made) == FULL
    assert made["resource_type"] == "portfolio"
    assert made["name"] == "Bets" and made["color"] == "dark-blue"
    assert (made["start_on"], made["due_on"]) == ("2027-01-01", "2027-01-31")
    assert made["owner"]["gid"] == world.user and made["created_by"]["gid"] == world.user
    assert [m["gid"] for m in made["members"]] == [world.user]
    assert made["privacy_setting"] == "members_only" and made["public"] is False
    assert made["default_access_level"] == "editor"
    assert made["current_status_update"] is None
    assert made["workspace"]["gid"] == world.workspace
    got = ok(await client.get(f"/portfolios/{made['gid']}"))
    assert got == made
    assert ok(await client.get(f"/portfolios/{made['gid']}", params={"opt_fields": "archived"})) == {
        "gid": made["gid"],
        "archived": False,
    }


async def test_create_public_and_bad_input(client, world):
    assert (await make_portfolio(client, world, public=True))["privacy_setting"] == "public_to_domain"
    before = world.count("SELECT count(*) FROM portfolios")
    ws = world.workspace
    for data, fragment in [
        ({"name": "x"}, "workspace"),
        ({"workspace": ws}, "name"),
        ({"name": "x", "workspace": ws, "color": "none"}, "color"),
        ({"name": "x", "workspace": ws, "color": "purple"}, "color"),
        ({"name": "x", "workspace": ws, "start_on": "2027-01-01"}, "start_on"),
        ({"name": "x", "workspace": ws, "start_on": "2027-01-01", "due_on": "2027-01-01"}, "start_on"),
        ({"name": "x", "workspace": ws, "start_on": "2027-02-01", "due_on": "2027-01-01"}, "start_on"),
        ({"name": "x", "workspace": ws, "due_on": "tomorrow"}, "due_on"),
        ({"name": "x", "workspace": ws, "default_access_level": "commenter"}, "default_access_level"),
        ({"name": "x", "workspace": "123"}, "workspace"),
        ({"name": "x", "workspace": ws, "public": True, "privacy_setting": "members_only"}, "public"),
    ]:
        fails(await client.post("/portfolios", json={"data": data}), 400, fragment)
    assert world.count("SELECT count(*) FROM portfolios") == before


async def test_update_partial_and_ignored_fields(client, world):
    gid = (await make_portfolio(client, world))["gid"]
    data = {
        "name": "Renamed",
        "color": "light-teal",
        "workspace": "1",
        "public": True,
        "privacy_setting": "public_to_domain",
        "members": ["me"],
    }
    got = ok(await client.put(f"/portfolios/{gid}", json={"data": data}))
    assert (got["name"], got["color"], got["privacy_setting"]) == ("Renamed", "light-teal", "members_only")
    assert got["workspace"]["gid"] == world.workspace
    got = ok(
        await client.put(
            f"/portfolios/{gid}", json={"data": {"due_on": "2027-03-01", "start_on": "2027-02-01"}}
        )
    )
    assert (got["start_on"], got["due_on"]) == ("2027-02-01", "2027-03-01")
    fails(await client.put(f"/portfolios/{gid}", json={"data": {"start_on": "2027-01-01"}}), 400, "due_on")
    fails(await client.put(f"/portfolios/{gid}", json={"data": {"due_on": None}}), 400, "start date")
    fails(await client.put(f"/portfolios/{gid}", json={"data": {"name": None}}), 400, "name")
    fails(await client.put(f"/portfolios/{gid}", json={"data": {"color": "red"}}), 400, "color")
    got = ok(await client.put(f"/portfolios/{gid}", json={"data": {"due_on": None, "start_on": None}}))
    assert (got["start_on"], got["due_on"]) == (None, None)
    got = ok(
        await client.put(
            f"/portfolios/{gid}", json={"data": {"default_access_level": "viewer", "archived": True}}
        )
    )
    assert got["default_access_level"] == "viewer"
    assert ok(await client.get(f"/portfolios/{gid}", params={"opt_fields": "archived"}))["archived"] is True
    assert ok(await client.get(f"/portfolios/{gid}"))["name"] == "Renamed"


async def test_delete(client, world):
    gid = (await make_portfolio(client, world))["gid"]
    assert ok(await client.delete(f"/portfolios/{gid}")) == {}
    fails(await client.get(f"/portfolios/{gid}"), 404)
    fails(await client.delete(f"/portfolios/{gid}"), 404)
    assert world.count("SELECT count(*) FROM portfolio_members") == 0


async def test_list_is_the_callers_own(client, world):
    mine = [(await make_portfolio(client, world, name=f"P{i}"))["gid"] for i in range(3)]
    bob, token = world.person("bob@example.com")
    async with api_client(world.env, token) as c:
        theirs = (await make_portfolio(c, world, public=True))["gid"]
        listed = ok(await c.get("/portfolios", params={"workspace": world.workspace, "owner": world.user}))
        assert [p["gid"] for p in listed] == [theirs]
    listed = ok(await client.get("/portfolios", params={"workspace": world.workspace}))
    assert sorted(p["gid"] for p in listed) == sorted(mine)
    assert set(listed[0]) == {"gid", "resource_type", "name"}
    page = await client.get("/portfolios", params={"workspace": world.workspace, "limit": 2})
    assert len(page.json()["data"]) == 2 and page.json()["next_page"]["offset"]
    fails(await client.get("/portfolios"), 400, "workspace")
    fails(
        await client.get("/portfolios", params={"workspace": world.workspace, "owner": "nobody@x.com"}), 400
    )
    assert bob
