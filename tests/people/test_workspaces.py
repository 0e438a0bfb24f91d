"""Workspace endpoints: read, rename, addUser, removeUser."""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok

pytestmark = pytest.mark.anyio


async def test_list_and_get(client, world):
    assert ok(await client.get("/workspaces")) == [
        {"gid": world.workspace, "resource_type": "workspace", "name": "Acme"}
    ]
    data = ok(await client.get(f"/workspaces/{world.workspace}"))
    assert data == {
        "gid": world.workspace,
        "resource_type": "workspace",
        "name": "Acme",
        "email_domains": [],
        "is_organization": True,
    }


async def test_other_workspaces_are_invisible(client, world):
    other = world.other_workspace("Hidden", "someone@example.com")
    fails(await client.get(f"/workspaces/{other['workspace']}"), 404)
    assert [w["gid"] for w in ok(await client.get("/workspaces"))] == [world.workspace]


async def test_rename(client, world):
    data = ok(await client.put(f"/workspaces/{world.workspace}", json={"data": {"name": "Acme Inc"}}))
    assert data["name"] == "Acme Inc"
    data = ok(await client.put(f"/workspaces/{world.workspace}", json={"data": {"is_organization": False}}))
    assert data["is_organization"] is True  # only the name can change


async def test_rename_needs_admin(world):
    _, token = world.person("bob@example.com")
    async with api_client(world.env, token) as c:
        fails(await c.put(f"/workspaces/{world.workspace}", json={"data": {"name": "Mine"}}), 403)
    async with api_client(world.env, world.token) as c:
        assert ok(await c.get(f"/workspaces/{world.workspace}"))["name"] == "Acme"


async def test_rename_bad_input(client, world):
    fails(await client.put(f"/workspaces/{world.workspace}", json={"data": {"name": ""}}), 400, "name")
    fails(await client.put(f"/workspaces/{world.workspace}", json={"data": {"name": ["x"]}}), 400, "name")
    fails(await client.put("/workspaces/42", json={"data": {"name": "x"}}), 404)


async def test_rename_with_nul_characters(client, world):
    """Schemathesis regression: a NUL in the name was a 500 on PostgreSQL (text cannot hold it)."""
    fails(await client.put(f"/workspaces/{world.workspace}", json={"data": {"name": "\x00"}}), 400, "name")
    fails(
        await client.put(f"/workspaces/{world.workspace}", json={"data": {"name": "A\x00cme"}}),
        400,
        "name: NUL",
    )
    assert ok(await client.get(f"/workspaces/{world.workspace}"))["name"] == "Acme"


async def test_add_user_by_new_email_creates_them(client, world):
    data = ok(
        await client.post(
            f"/workspaces/{world.workspace}/addUser", json={"data": {"user": "New.Person@Example.com"}}
        )
    )
    assert set(data) == {"gid", "resource_type", "name", "email", "photo"}
    assert data["email"] == "new.person@example.com" and data["name"] == "new.person"
    assert world.count("SELECT count(*) FROM users WHERE email = 'new.person@example.com'") == 1
    again = ok(
        await client.post(
            f"/workspaces/{world.workspace}/addUser", json={"data": {"user": "new.person@example.com"}}
        )
    )
    assert again["gid"] == data["gid"]
    assert world.count("SELECT count(*) FROM workspace_members") == 2


async def test_add_existing_user_by_gid(client, world):
    other = world.other_workspace("Theirs", "them@example.com")
    # not visible yet: a gid of someone who shares no workspace is unknown
    fails(
        await client.post(f"/workspaces/{world.workspace}/addUser", json={"data": {"user": other["user"]}}),
        400,
        "user",
    )
    data = ok(
        await client.post(
            f"/workspaces/{world.workspace}/addUser", json={"data": {"user": "them@example.com"}}
        )
    )
    assert data["gid"] == other["user"]


async def test_add_user_bad_input(client, world):
    before = world.count("SELECT count(*) FROM users")
    fails(
        await client.post(f"/workspaces/{world.workspace}/addUser", json={"data": {"user": "not-an-email@"}}),
        400,
        "user",
    )
    fails(
        await client.post(f"/workspaces/{world.workspace}/addUser", json={"data": {"user": 12}}), 400, "user"
    )
    fails(
        await client.post(f"/workspaces/{world.workspace}/addUser", json={"data": {}}),
        400,
        "user: Missing input",
    )
    assert world.count("SELECT count(*) FROM users") == before


async def test_remove_user_also_leaves_teams(client, world):
    bob, token = world.person("bob@example.com")
    ok(await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": bob}}))
    assert (
        ok(
            await client.post(
                f"/workspaces/{world.workspace}/removeUser", json={"data": {"user": "bob@example.com"}}
            )
        )
        == {}
    )
    assert world.count("SELECT count(*) FROM team_members WHERE user_gid = :u", u=int(bob)) == 0
    async with api_client(world.env, token) as c:
        fails(await c.get(f"/workspaces/{world.workspace}"), 404)


async def test_remove_user_needs_admin(world):
    bob, token = world.person("bob@example.com")
    async with api_client(world.env, token) as c:
        fails(
            await c.post(f"/workspaces/{world.workspace}/removeUser", json={"data": {"user": world.user}}),
            403,
        )
    assert world.count("SELECT count(*) FROM workspace_members") == 2
