"""Who sees a project (public, private to team, private) and who may change it (access levels)."""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.projects.helpers import gids, make_project

pytestmark = pytest.mark.anyio


async def _sees(c, world, gid):
    """Whether the client sees the project by every read path (asserting they all agree)."""
    found = (await c.get(f"/projects/{gid}")).status_code == 200
    for path in ("/projects", f"/workspaces/{world.workspace}/projects", f"/teams/{world.team}/projects"):
        assert (gid in gids(ok(await c.get(path)))) == found
    assert ((await c.get(f"/projects/{gid}/project_memberships")).status_code == 200) == found
    return found


async def test_public_projects_are_visible_to_the_workspace(client, world):
    _, token = world.person("bob@example.com")
    gid = (await make_project(client, world))["gid"]
    async with api_client(world.env, token) as bob:
        assert await _sees(bob, world, gid)


async def test_private_projects_only_to_members(client, world):
    bob, token = world.person("bob@example.com")
    gid = (await make_project(client, world, privacy_setting="private"))["gid"]
    membership = ok(await client.get(f"/projects/{gid}/project_memberships"))[0]["gid"]
    async with api_client(world.env, token) as c:
        assert not await _sees(c, world, gid)
        fails(await c.get(f"/project_memberships/{membership}"), 404)
        fails(await c.put(f"/projects/{gid}", json={"data": {"name": "x"}}), 404)
        fails(await c.delete(f"/projects/{gid}"), 404)
        fails(await c.post(f"/projects/{gid}/addMembers", json={"data": {"members": "me"}}), 404)
        ok(await client.post(f"/projects/{gid}/addMembers", json={"data": {"members": bob}}))
        assert await _sees(c, world, gid)
        ok(await c.get(f"/project_memberships/{membership}"))
        ok(await client.post(f"/projects/{gid}/removeMembers", json={"data": {"members": bob}}))
        assert not await _sees(c, world, gid)
    assert ok(await client.get(f"/projects/{gid}"))["name"] == "Roadmap"


async def test_private_to_team_projects_to_the_team_and_members(client, world):
    bob, token = world.person("bob@example.com")
    carl, carl_token = world.person("carl@example.com")
    gid = (await make_project(client, world, privacy_setting="private_to_team"))["gid"]
    async with api_client(world.env, token) as c:
        assert not await _sees(c, world, gid)
        ok(await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": bob}}))
        assert await _sees(c, world, gid)
    async with api_client(world.env, carl_token) as c:
        assert not await _sees(c, world, gid)
        ok(await client.post(f"/projects/{gid}/addMembers", json={"data": {"members": carl}}))
        assert await _sees(c, world, gid)


async def test_other_workspaces_projects_are_invisible(client, world):
    stranger = world.other_workspace("Theirs", "x@example.com")
    _, token = world.person("x2@example.com", [stranger["workspace"]])
    async with api_client(world.env, token) as c:
        theirs = ok(
            await c.post(f"/teams/{stranger['team']}/projects", json={"data": {"name": "Theirs"}}), 201
        )
    fails(await client.get(f"/projects/{theirs['gid']}"), 404)
    assert ok(await client.get("/projects")) == []


async def test_workspace_members_act_with_the_default_access_level(client, world):
    """A non-member who sees a public project acts with its default_access_level."""
    _, token = world.person("bob@example.com")
    editable = (await make_project(client, world, name="Editable"))["gid"]
    readonly = (await make_project(client, world, name="Read only", default_access_level="commenter"))["gid"]
    async with api_client(world.env, token) as bob:
        assert (
            ok(await bob.put(f"/projects/{editable}", json={"data": {"name": "By Bob"}}))["name"] == "By Bob"
        )
        ok(await bob.get(f"/projects/{readonly}"))
        for method, path, body in [
            ("PUT", f"/projects/{readonly}", {"name": "x"}),
            ("DELETE", f"/projects/{readonly}", {}),
            ("POST", f"/projects/{readonly}/addMembers", {"members": "me"}),
            ("POST", f"/projects/{readonly}/removeMembers", {"members": "owner@example.com"}),
            ("POST", f"/projects/{readonly}/addFollowers", {"followers": "me"}),
            ("POST", f"/projects/{readonly}/removeFollowers", {"followers": "me"}),
        ]:
            fails(await bob.request(method, path, json={"data": body}), 403, "access")
    after = ok(await client.get(f"/projects/{readonly}"))
    assert after["name"] == "Read only" and [m["gid"] for m in after["members"]] == [world.user]


async def test_commenter_members_cannot_edit_even_public_projects(client, world):
    bob, token = world.person("bob@example.com")
    gid = (await make_project(client, world, default_access_level="commenter"))["gid"]
    ok(await client.post(f"/projects/{gid}/addMembers", json={"data": {"members": bob}}))
    ok(await client.put(f"/projects/{gid}", json={"data": {"default_access_level": "editor"}}))
    async with api_client(world.env, token) as c:
        # Bob's own membership (commenter) counts, not the now-higher default level.
        fails(await c.put(f"/projects/{gid}", json={"data": {"name": "x"}}), 403)
        fails(await c.delete(f"/projects/{gid}"), 403)
    assert world.count("SELECT count(*) FROM projects") == 1


async def test_editors_cannot_change_permission_settings(client, world):
    bob, token = world.person("bob@example.com")
    gid = (await make_project(client, world, followers=bob))["gid"]  # bob: editor member
    async with api_client(world.env, token) as c:
        ok(await c.put(f"/projects/{gid}", json={"data": {"name": "Bob's", "color": "dark-red"}}))
        for change in (
            {"privacy_setting": "private"},
            {"public": False},
            {"default_access_level": "admin"},
            {"minimum_access_level_for_sharing": "admin"},
            {"minimum_access_level_for_customization": "admin"},
        ):
            fails(await c.put(f"/projects/{gid}", json={"data": change}), 403, "admin")
        # Sending a setting unchanged is not a change.
        ok(await c.put(f"/projects/{gid}", json={"data": {"privacy_setting": "public_to_workspace"}}))
    data = ok(await client.get(f"/projects/{gid}"))
    assert data["privacy_setting"] == "public_to_workspace" and data["default_access_level"] == "editor"


async def test_minimum_levels_for_customization_and_sharing(client, world):
    bob, token = world.person("bob@example.com")
    carl, _ = world.person("carl@example.com")
    gid = (
        await make_project(
            client,
            world,
            followers=bob,
            minimum_access_level_for_customization="admin",
            minimum_access_level_for_sharing="admin",
        )
    )["gid"]
    async with api_client(world.env, token) as c:
        ok(await c.put(f"/projects/{gid}", json={"data": {"name": "Still editable"}}))
        fails(await c.put(f"/projects/{gid}", json={"data": {"color": "dark-red"}}), 403)
        fails(await c.put(f"/projects/{gid}", json={"data": {"default_view": "board"}}), 403)
        fails(await c.post(f"/projects/{gid}/addMembers", json={"data": {"members": carl}}), 403)
        fails(await c.post(f"/projects/{gid}/addFollowers", json={"data": {"followers": carl}}), 403)
    ok(await client.put(f"/projects/{gid}", json={"data": {"minimum_access_level_for_sharing": "editor"}}))
    async with api_client(world.env, token) as c:
        data = ok(await c.post(f"/projects/{gid}/addMembers", json={"data": {"members": carl}}))
    assert {m["gid"] for m in data["members"]} == {world.user, bob, carl}
    assert ok(await client.get(f"/projects/{gid}"))["color"] is None
