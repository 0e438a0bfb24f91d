"""Teams as project members grant access; the associated team (`project.team`) does not.

Sources: "[Change] Project team sharing is coming!" (forum.asana.com/t/740939), "[Change] Teamless
Projects" (forum.asana.com/t/929205) and help.asana.com "teamless projects" (the associated team
"does not control permissions or access").
"""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.projects.helpers import gids, make_project

pytestmark = pytest.mark.anyio
OLD = {"Asana-Disable": "teamless_projects"}


async def _team(client, world, name, *people):
    """A new team of the organization holding `people` (and its creator)."""
    team = ok(
        await client.post("/teams", json={"data": {"name": name, "organization": world.workspace}}), 201
    )
    for person in people:
        ok(await client.post(f"/teams/{team['gid']}/addUser", json={"data": {"user": person}}))
    return team["gid"]


async def _share(client, project, member, level=None):
    data = {"parent": project, "member": member}
    if level is not None:
        data["access_level"] = level
    return ok(await client.post("/memberships", json={"data": data}), 201)


async def _sees(c, world, gid):
    """Whether the client sees the project by every read path (asserting they all agree)."""
    found = (await c.get(f"/projects/{gid}")).status_code == 200
    for path in ("/projects", f"/workspaces/{world.workspace}/projects"):
        assert (gid in gids(ok(await c.get(path)))) == found
    assert ((await c.get(f"/projects/{gid}/project_memberships")).status_code == 200) == found
    assert ((await c.get("/memberships", params={"parent": gid})).status_code == 200) == found
    return found


async def test_team_membership_grants_access_until_it_is_deleted(client, world):
    bob, token = world.person("bob@example.com")
    team = await _team(client, world, "Design", bob)
    gid = (await make_project(client, world, team=None, privacy_setting="private"))["gid"]
    async with api_client(world.env, token) as c:
        assert not await _sees(c, world, gid)
        membership = await _share(client, gid, team, "commenter")
        assert membership["member"]["gid"] == team and membership["member"]["resource_type"] == "team"
        assert await _sees(c, world, gid)
        assert gid in gids(ok(await c.get(f"/teams/{team}/projects")))  # shared with the team
        fails(await c.put(f"/projects/{gid}", json={"data": {"name": "x"}}), 403, "editor")
        ok(await client.put(f"/memberships/{membership['gid']}", json={"data": {"access_level": "editor"}}))
        assert ok(await c.put(f"/projects/{gid}", json={"data": {"name": "By Bob"}}))["name"] == "By Bob"
        ok(await client.delete(f"/memberships/{membership['gid']}"))
        assert not await _sees(c, world, gid)
        fails(await c.put(f"/projects/{gid}", json={"data": {"name": "x"}}), 404)


async def test_the_strongest_membership_wins(client, world):
    """Own membership and teams' memberships: the caller acts with the highest level among them."""
    bob, token = world.person("bob@example.com")
    readers = await _team(client, world, "Readers", bob)
    writers = await _team(client, world, "Writers", bob)
    gid = (await make_project(client, world, team=None, privacy_setting="private"))["gid"]
    ok(await client.post(f"/projects/{gid}/addMembers", json={"data": {"members": bob}}))
    own = ok(await client.get("/memberships", params={"parent": gid, "member": bob}))[0]["gid"]
    ok(await client.put(f"/memberships/{own}", json={"data": {"access_level": "commenter"}}))
    await _share(client, gid, readers, "commenter")
    async with api_client(world.env, token) as c:
        fails(await c.put(f"/projects/{gid}", json={"data": {"name": "x"}}), 403)
        writing = await _share(client, gid, writers, "editor")
        ok(await c.put(f"/projects/{gid}", json={"data": {"name": "x"}}))
        ok(await client.delete(f"/memberships/{writing['gid']}"))
        fails(await c.put(f"/projects/{gid}", json={"data": {"name": "y"}}), 403)


async def test_the_associated_team_alone_grants_nothing(client, world):
    bob, token = world.person("bob@example.com")
    ok(await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": bob}}))
    private = (await make_project(client, world, privacy_setting="private"))["gid"]
    public = (await make_project(client, world, name="Read only", default_access_level="commenter"))["gid"]
    assert ok(await client.get(f"/projects/{private}"))["team"]["gid"] == world.team
    assert [
        m["member"]["resource_type"] for m in ok(await client.get(f"/projects/{public}/project_memberships"))
    ] == ["user"]
    async with api_client(world.env, token) as c:
        assert not await _sees(c, world, private)
        for headers in ({}, OLD):  # access is stored memberships: a request header changes nothing
            fails(await c.get(f"/projects/{private}", headers=headers), 404)
            r = await c.put(f"/projects/{public}", json={"data": {"name": "x"}}, headers=headers)
            fails(r, 403)  # the team grants no more than the workspace's default level
        assert public in gids(ok(await c.get(f"/teams/{world.team}/projects")))  # associated: listed


async def test_old_behaviour_makes_the_team_a_member(client, world):
    """With `Asana-Disable: teamless_projects` the team contains the project and grants access, as
    containing teams did before Asana migrated them to memberships; `private` ends that."""
    bob, token = world.person("bob@example.com")
    ok(await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": bob}}))
    body = {"data": {"name": "Old", "team": world.team, "default_access_level": "commenter"}}
    r = await client.post(f"/workspaces/{world.workspace}/projects", json=body, headers=OLD)
    gid = ok(r, 201)["gid"]
    assert "asana-change" not in r.headers  # the client opted out of the change
    listed = ok(await client.get("/memberships", params={"parent": gid, "member": world.team}))
    assert [(m["member"]["gid"], m["access_level"]) for m in listed] == [(world.team, "commenter")]
    today = ok(
        await client.post("/projects", json={"data": {**body["data"], "workspace": world.workspace}}), 201
    )
    assert ok(await client.get("/memberships", params={"parent": today["gid"], "member": world.team})) == []
    other = await _team(client, world, "Other")
    ok(await client.put(f"/projects/{gid}", json={"data": {"team": other}}, headers=OLD))  # moves along
    teams = ok(await client.get("/memberships", params={"parent": gid, "opt_fields": "member.resource_type"}))
    assert [m["member"]["gid"] for m in teams if m["member"]["resource_type"] == "team"] == [other]
    ok(await client.put(f"/projects/{gid}", json={"data": {"team": world.team}}, headers=OLD))
    async with api_client(world.env, token) as c:
        ok(await c.get(f"/projects/{gid}"))
    ok(await client.put(f"/projects/{gid}", json={"data": {"privacy_setting": "private"}}, headers=OLD))
    async with api_client(world.env, token) as c:
        fails(await c.get(f"/projects/{gid}"), 404)
    ok(await client.put(f"/projects/{gid}", json={"data": {"privacy_setting": "private_to_team"}}))
    async with api_client(world.env, token) as c:
        ok(await c.get(f"/projects/{gid}"))


async def test_private_to_team_shares_with_the_team(client, world):
    """The deprecated `private_to_team` keeps its meaning (visible to the team) through a membership."""
    bob, token = world.person("bob@example.com")
    gid = (await make_project(client, world, privacy_setting="private_to_team"))["gid"]
    members = ok(
        await client.get(f"/projects/{gid}/project_memberships", params={"opt_fields": "member,user"})
    )
    team_row = [m for m in members if m["member"]["resource_type"] == "team"]
    assert team_row and team_row[0]["member"]["gid"] == world.team and team_row[0]["user"] is None
    project = ok(await client.get(f"/projects/{gid}"))
    assert [m["gid"] for m in project["members"]] == [world.user]  # members: users only
    async with api_client(world.env, token) as c:
        assert not await _sees(c, world, gid)
        ok(await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": bob}}))
        assert await _sees(c, world, gid)
        ok(await client.delete(f"/memberships/{team_row[0]['gid']}"))
        assert not await _sees(c, world, gid)


async def test_reads_of_project_team_announce_the_change(client, world):
    gid = (await make_project(client, world))["gid"]
    r = await client.get(f"/projects/{gid}")
    assert r.headers["asana-change"] == (
        "name=teamless_projects;info=https://forum.asana.com/t/change-teamless-projects/929205;affected=true"
    )
    assert "asana-change" not in (await client.get(f"/projects/{gid}", params={"opt_fields": "name"})).headers
    assert "asana-change" not in (await client.get("/projects")).headers  # compact: no team
    nested = await client.get("/memberships", params={"parent": gid, "opt_fields": "parent.team.name"})
    assert ok(nested)[0]["parent"]["team"]["gid"] == world.team
    assert "name=teamless_projects" in nested.headers["asana-change"]
    for disable in ("teamless_projects", "new_user_task_lists, teamless_projects"):
        r = await client.get(f"/projects/{gid}", headers={"Asana-Disable": disable})
        assert ok(r)["team"]["gid"] == world.team and "asana-change" not in r.headers
    r = await client.get(f"/projects/{gid}", headers={"Asana-Disable": "something_else"})
    assert "name=teamless_projects" in r.headers["asana-change"]


async def test_tasks_and_sections_follow_team_sharing(client, world):
    """Everything that inherits a project's visibility (sections, tasks) follows its team memberships."""
    bob, token = world.person("bob@example.com")
    team = await _team(client, world, "Ops", bob)
    gid = (await make_project(client, world, team=None, privacy_setting="private"))["gid"]
    task = ok(await client.post("/tasks", json={"data": {"name": "Ship", "projects": [gid]}}), 201)["gid"]
    section = ok(await client.get(f"/projects/{gid}/sections"))[0]["gid"]
    paths = (f"/tasks/{task}", f"/sections/{section}", f"/projects/{gid}/tasks", f"/sections/{section}/tasks")
    async with api_client(world.env, token) as c:
        for path in paths:
            fails(await c.get(path), 404)
        membership = await _share(client, gid, team, "viewer")
        for path in paths:
            ok(await c.get(path))
        assert [t["gid"] for t in ok(await c.get(f"/projects/{gid}/tasks"))] == [task]
        ok(await client.delete(f"/memberships/{membership['gid']}"))
        for path in paths:
            fails(await c.get(path), 404)
