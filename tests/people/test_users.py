"""GET /users/{gid}, /users, /workspaces/{gid}/users, /teams/{gid}/users."""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok

pytestmark = pytest.mark.anyio


async def test_me_full_record(client, world):
    data = ok(await client.get("/users/me"))
    assert data == {
        "gid": world.user,
        "resource_type": "user",
        "name": "owner",
        "email": "owner@example.com",
        "photo": None,
        "workspaces": [{"gid": world.workspace, "resource_type": "workspace", "name": "Acme"}],
        "custom_fields": [],
    }


@pytest.mark.parametrize("ref", ["me", "owner@example.com", "OWNER@Example.com", "gid"])
async def test_user_by_me_email_or_gid(client, world, ref):
    ref = world.user if ref == "gid" else ref
    assert ok(await client.get(f"/users/{ref}"))["gid"] == world.user


async def test_workspaces_field_lists_only_shared_ones(client, world):
    bob, _ = world.person("bob@example.com")
    other = world.other_workspace("Bob's", "bob@example.com")
    data = ok(await client.get(f"/users/{bob}?opt_fields=workspaces"))
    assert data["workspaces"] == [{"gid": world.workspace, "resource_type": "workspace"}]
    assert other["user"] == bob


async def test_users_outside_my_workspaces_are_404(client, world):
    stranger = world.other_workspace("Elsewhere", "stranger@example.com")
    fails(await client.get(f"/users/{stranger['user']}"), 404)
    fails(await client.get("/users/stranger@example.com"), 404)
    fails(await client.get("/users/nobody@example.com"), 404)


async def test_users_list_filters(client, world):
    bob, _ = world.person("bob@example.com")
    world.other_workspace("Elsewhere", "stranger@example.com")
    everyone = [u["gid"] for u in ok(await client.get("/users"))]
    assert sorted(everyone, key=int) == everyone
    assert set(everyone) == {world.user, bob}
    in_ws = {u["gid"] for u in ok(await client.get(f"/users?workspace={world.workspace}"))}
    assert in_ws == {world.user, bob}
    in_team = [u["gid"] for u in ok(await client.get(f"/users?team={world.team}"))]
    assert in_team == [world.user]


async def test_users_list_bad_filters(client, world):
    other = world.other_workspace("Elsewhere", "stranger@example.com")
    fails(await client.get(f"/users?workspace={other['workspace']}"), 400, "workspace")
    fails(await client.get("/users?workspace=abc"), 400, "workspace")
    fails(await client.get(f"/users?team={other['team']}"), 400, "team")


async def test_workspace_users_alphabetical(client, world):
    for email in ("zed@example.com", "amy@example.com", "kim@example.com"):
        world.person(email)
    names = [u["name"] for u in ok(await client.get(f"/workspaces/{world.workspace}/users"))]
    assert names == ["amy", "kim", "owner", "zed"]


async def test_team_users(client, world):
    bob, _ = world.person("bob@example.com")
    ok(await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": bob}}))
    names = [u["name"] for u in ok(await client.get(f"/teams/{world.team}/users"))]
    assert names == ["bob", "owner"]
    fails(await client.get("/teams/123/users"), 404)


async def test_other_users_see_me_through_shared_workspace(world):
    bob, token = world.person("bob@example.com")
    async with api_client(world.env, token) as c:
        assert ok(await c.get("/users/me"))["gid"] == bob
        assert ok(await c.get(f"/users/{world.user}?opt_fields=email")) == {
            "gid": world.user,
            "email": "owner@example.com",
        }


async def test_user_for_workspace(client, world):
    bob, _ = world.person("bob@example.com")
    other = world.other_workspace("Elsewhere", "stranger@example.com")
    data = ok(await client.get(f"/workspaces/{world.workspace}/users/{bob}"))
    assert data["gid"] == bob and data["email"] == "bob@example.com"
    assert ok(await client.get(f"/workspaces/{world.workspace}/users/me"))["gid"] == world.user
    fails(await client.get(f"/workspaces/{world.workspace}/users/{other['user']}"), 404)
    fails(await client.get(f"/workspaces/{other['workspace']}/users/me"), 404)
    fails(await client.get(f"/workspaces/{world.workspace}/users/nobody@example.com"), 404)


@pytest.mark.parametrize("goal", ["123", "nope"])
async def test_goal_custom_field_settings_are_unknown(client, world, goal):
    fails(await client.get(f"/goals/{goal}/custom_field_settings"), 404)


@pytest.mark.parametrize("path", ["/users/me", "/workspaces/{ws}/users/me"])
async def test_update_own_name(client, world, path):
    path = path.format(ws=world.workspace)
    data = ok(await client.put(path, json={"data": {"name": "  New Name ", "email": "ignored@x.io"}}))
    assert data["name"] == "New Name" and data["email"] == "owner@example.com"
    assert ok(await client.get("/users/me"))["name"] == "New Name"
    assert world.count("SELECT count(*) FROM journal WHERE resource_gid = :g", g=int(world.user)) >= 1


async def test_update_user_refusals(client, world):
    bob, _ = world.person("bob@example.com")
    other = world.other_workspace("Elsewhere", "stranger@example.com")
    fails(await client.put(f"/users/{bob}", json={"data": {"name": "Robert"}}), 403)
    fails(await client.put(f"/workspaces/{world.workspace}/users/{bob}", json={"data": {"name": "R"}}), 403)
    assert ok(await client.get(f"/users/{bob}"))["name"] == "bob"
    fails(await client.put(f"/users/{other['user']}", json={"data": {"name": "X"}}), 404)
    fails(await client.put(f"/workspaces/{other['workspace']}/users/me", json={"data": {"name": "X"}}), 404)
    fails(await client.put("/users/me", json={"data": {"name": ""}}), 400)
    fails(await client.put("/users/me", json={"data": {"name": "   "}}), 400)
    fails(await client.put("/users/me", json={"data": {"custom_fields": {"1": "x"}}}), 400)
    assert ok(await client.get("/users/me"))["name"] == "owner"
    # an empty change answers the record, unchanged
    assert ok(await client.put(f"/users/{bob}", json={"data": {}}))["name"] == "bob"
