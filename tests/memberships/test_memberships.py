"""GET/POST/PUT/DELETE /memberships for project memberships (Asana's Memberships tag): shapes,
filters, pagination, permissions and bad input."""

from __future__ import annotations

import asyncio
import threading

import pytest

from tests.conftest import api_client
from tests.helpers import fails, in_threads, ok
from tests.projects.helpers import make_project

pytestmark = pytest.mark.anyio
ROWS = "SELECT count(*) FROM project_members"


async def _team(client, world, name="Design"):
    data = {"data": {"name": name, "organization": world.workspace}}
    return ok(await client.post("/teams", json=data), 201)


async def test_create_read_update_delete(client, world):
    bob, _ = world.person("bob@example.com")
    team = await _team(client, world)
    gid = (await make_project(client, world, default_access_level="commenter"))["gid"]
    r = await client.post("/memberships", json={"data": {"parent": gid, "member": team["gid"]}})
    made = ok(r, 201)
    assert r.headers["location"] == f"http://testserver/api/1.0/memberships/{made['gid']}"
    assert made == {
        "gid": made["gid"],
        "resource_type": "membership",
        "resource_subtype": "project_membership",
        "member": {"gid": team["gid"], "resource_type": "team", "name": "Design"},
        "access_level": "commenter",  # the project's default_access_level
    }
    by_email = ok(
        await client.post(
            "/memberships",
            json={"data": {"parent": gid, "member": "bob@example.com", "role": "editor"}},
            params={"opt_fields": "member.email,access_level,parent.name"},
        ),
        201,
    )
    assert by_email["member"] == {"gid": bob, "email": "bob@example.com"}
    assert by_email["access_level"] == "editor" and by_email["parent"] == {"gid": gid, "name": "Roadmap"}
    assert ok(await client.get(f"/memberships/{made['gid']}")) == made
    legacy = ok(await client.get(f"/project_memberships/{made['gid']}"))  # the same membership
    assert legacy["resource_type"] == "project_membership" and legacy["user"] is None
    assert legacy["member"]["gid"] == team["gid"] and legacy["write_access"] == "comment_only"
    changed = ok(await client.put(f"/memberships/{made['gid']}", json={"data": {"access_level": "editor"}}))
    assert changed["access_level"] == "editor" and changed["member"]["gid"] == team["gid"]
    assert ok(await client.delete(f"/memberships/{made['gid']}")) == {}
    fails(await client.get(f"/memberships/{made['gid']}"), 404)
    fails(await client.delete(f"/memberships/{made['gid']}"), 404)
    project = ok(await client.get(f"/projects/{gid}", params={"opt_fields": "members"}))
    assert {m["gid"] for m in project["members"]} == {world.user, bob}


async def test_lists_filters_and_pagination(client, world):
    team = await _team(client, world)
    gid = (await make_project(client, world))["gid"]
    other = (await make_project(client, world, name="Other"))["gid"]
    people = [world.person(f"p{i}@example.com")[0] for i in range(3)]
    for person in people:
        await client.post("/memberships", json={"data": {"parent": gid, "member": person}})
    for project in (gid, other):
        ok(await client.post("/memberships", json={"data": {"parent": project, "member": team["gid"]}}), 201)
    everything = ok(await client.get("/memberships", params={"parent": gid}))
    assert len(everything) == 5 and all(m["resource_type"] == "membership" for m in everything)
    assert all(
        set(m) == {"gid", "resource_type", "resource_subtype", "member", "access_level"} for m in everything
    )
    walked, params = [], {"parent": gid, "limit": "2"}
    while True:
        body = (await client.get("/memberships", params=params)).json()
        walked += body["data"]
        if body["next_page"] is None:
            break
        assert body["next_page"]["path"].startswith("/memberships?")
        params = {**params, "offset": body["next_page"]["offset"]}
    assert walked == everything
    mine = ok(await client.get("/memberships", params={"parent": gid, "member": "me"}))
    assert [m["member"]["gid"] for m in mine] == [world.user]
    teams = ok(
        await client.get(
            "/memberships",
            params={"member": team["gid"], "resource_subtype": "project_membership", "opt_fields": "parent"},
        )
    )
    assert sorted(m["parent"]["gid"] for m in teams) == sorted([gid, other])
    as_listed = ok(await client.get(f"/projects/{gid}/project_memberships"))
    assert sorted(m["gid"] for m in as_listed) == sorted(m["gid"] for m in everything)


async def test_team_listing_shows_only_visible_projects(client, world):
    bob, bob_token = world.person("bob@example.com")
    _, carl_token = world.person("carl@example.com")
    data = {"name": "Open team", "organization": world.workspace, "visibility": "public"}
    team = ok(await client.post("/teams", json={"data": data}), 201)["gid"]
    ok(await client.post(f"/teams/{team}/addUser", json={"data": {"user": bob}}))
    hidden = (await make_project(client, world, privacy_setting="private"))["gid"]
    shown = (await make_project(client, world, name="Open"))["gid"]
    for project in (hidden, shown):
        ok(await client.post("/memberships", json={"data": {"parent": project, "member": team}}), 201)
    params = {"member": team, "resource_subtype": "project_membership", "opt_fields": "parent"}
    for token, expected in ((bob_token, {hidden, shown}), (carl_token, {shown})):
        async with api_client(world.env, token) as c:
            assert {m["parent"]["gid"] for m in ok(await c.get("/memberships", params=params))} == expected
    async with api_client(world.env, carl_token) as c:
        fails(await c.get("/memberships", params={"parent": hidden}), 400, "parent: Unknown object")


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({}, "parent: Missing input"),
        ({"member": "me", "resource_subtype": "project_membership"}, "member"),
        ({"resource_subtype": "project_membership"}, "parent"),
        ({"parent": "999"}, "parent: Unknown object"),
        ({"parent": "abc"}, "parent"),
        ({"member": "999", "resource_subtype": "project_membership"}, "member: Unknown object"),
        ({"member": "TEAM", "resource_subtype": "goal_membership"}, "resource_subtype"),
    ],
)
async def test_bad_list_filters(client, world, params, fragment):
    params = {k: world.team if v == "TEAM" else v for k, v in params.items()}
    fails(await client.get("/memberships", params=params), 400, fragment)


async def test_bad_writes_change_nothing(client, world):
    second = world.other_workspace("Second", "owner@example.com")
    stranger = world.other_workspace("Theirs", "x@example.com")
    outsider, _ = world.person("out@example.com", [second["workspace"]])
    gid = (await make_project(client, world))["gid"]
    before = world.count(ROWS)
    for data, fragment in [
        ({"member": world.team}, "parent: Missing input"),
        ({"parent": gid}, "member: Missing input"),
        ({"parent": "999", "member": world.team}, "parent: Unknown object"),
        ({"parent": world.team, "member": world.team}, "parent: Unknown object"),  # not a project
        ({"parent": gid, "member": "ghost@example.com"}, "member: Unknown object"),
        ({"parent": gid, "member": stranger["team"]}, "member: Unknown object"),  # a team they cannot see
        ({"parent": gid, "member": second["team"]}, "member: Team"),  # another workspace's team
        ({"parent": gid, "member": outsider}, "member"),
        ({"parent": gid, "member": world.team, "access_level": "owner"}, "access_level"),
        ({"parent": gid, "member": world.team, "role": "boss"}, "role"),
        ({"parent": gid, "member": "me"}, "already a member"),
        ({"parent": gid, "member": ["me"]}, "member"),
    ]:
        fails(await client.post("/memberships", json={"data": data}), 400, fragment)
    made = ok(await client.post("/memberships", json={"data": {"parent": gid, "member": world.team}}), 201)
    fails(
        await client.post("/memberships", json={"data": {"parent": gid, "member": world.team}}),
        400,
        "already",
    )
    for data, fragment in [({}, "access_level: Missing input"), ({"access_level": "owner"}, "access_level")]:
        fails(await client.put(f"/memberships/{made['gid']}", json={"data": data}), 400, fragment)
    for path in ("/memberships/999", "/memberships/abc", f"/memberships/{gid}"):
        fails(await client.get(path), 404)
        fails(await client.put(path, json={"data": {"access_level": "editor"}}), 404)
        fails(await client.delete(path), 404)
    assert ok(await client.get(f"/memberships/{made['gid']}"))["access_level"] == "editor"
    assert world.count(ROWS) == before + 1


async def test_sharing_needs_the_projects_sharing_level(client, world):
    bob, token = world.person("bob@example.com")
    carl, _ = world.person("carl@example.com")
    gid = (await make_project(client, world, default_access_level="commenter"))["gid"]
    admin_row = ok(await client.get("/memberships", params={"parent": gid, "member": "me"}))[0]["gid"]
    async with api_client(world.env, token) as c:  # bob sees the project as a commenter
        fails(await c.post("/memberships", json={"data": {"parent": gid, "member": carl}}), 403)
        fails(await c.put(f"/memberships/{admin_row}", json={"data": {"access_level": "viewer"}}), 403)
        fails(await c.delete(f"/memberships/{admin_row}"), 403)
        ok(
            await client.post(
                "/memberships", json={"data": {"parent": gid, "member": bob, "access_level": "editor"}}
            ),
            201,
        )
        made = ok(await c.post("/memberships", json={"data": {"parent": gid, "member": carl}}), 201)
        assert made["access_level"] == "commenter"
        fails(
            await c.put(f"/memberships/{made['gid']}", json={"data": {"access_level": "admin"}}), 403, "admin"
        )
        ok(await c.put(f"/memberships/{made['gid']}", json={"data": {"access_level": "editor"}}))
    private = (await make_project(client, world, name="Private", privacy_setting="private"))["gid"]
    row = ok(await client.get("/memberships", params={"parent": private}))[0]["gid"]
    async with api_client(world.env, token) as c:  # invisible: exactly like unknown
        fails(await c.get(f"/memberships/{row}"), 404)
        fails(await c.put(f"/memberships/{row}", json={"data": {"access_level": "editor"}}), 404)
        fails(await c.delete(f"/memberships/{row}"), 404)
        fails(
            await c.post("/memberships", json={"data": {"parent": private, "member": "me"}}),
            400,
            "Unknown object",
        )
    assert ok(await client.get(f"/memberships/{row}"))["access_level"] == "admin"


async def test_an_admins_membership_is_lowered_or_ended_only_by_an_admin_and_one_admin_stays(client, world):
    # As removeMembers rules: an editor lowered or ended the only admin's membership, and the owner
    # could no longer edit (or, the project private, see) it.
    bob, token = world.person("bob@example.com")
    gid = (await make_project(client, world, privacy_setting="private"))["gid"]
    mine = ok(await client.get("/memberships", params={"parent": gid, "member": "me"}))[0]["gid"]
    body = {"data": {"parent": gid, "member": bob, "access_level": "editor"}}
    bobs = ok(await client.post("/memberships", json=body), 201)["gid"]
    async with api_client(world.env, token) as c:
        lowered = {"data": {"access_level": "viewer"}}
        fails(await c.put(f"/memberships/{mine}", json=lowered), 403, "admin access", "lower the access of")
        fails(await c.delete(f"/memberships/{mine}"), 403, "You need admin access to this project")
    for level in ("editor", "viewer"):
        fails(
            await client.put(f"/memberships/{mine}", json={"data": {"access_level": level}}),
            400,
            "access_level: A project must keep at least one admin",
        )
    fails(
        await client.delete(f"/memberships/{mine}"), 400, "membership: A project must keep at least one admin"
    )
    assert ok(await client.get(f"/memberships/{mine}"))["access_level"] == "admin"
    assert world.count("SELECT count(*) FROM journal WHERE resource_type = 'project_membership'") == 0
    # with another admin, the first may step down, and then leave
    ok(await client.put(f"/memberships/{bobs}", json={"data": {"access_level": "admin"}}))
    ok(await client.put(f"/memberships/{mine}", json={"data": {"role": "editor"}}))
    fails(await client.put(f"/memberships/{bobs}", json={"data": {"access_level": "editor"}}), 403)
    async with api_client(world.env, token) as c:
        fails(
            await c.put(f"/memberships/{bobs}", json={"data": {"role": "editor"}}),
            400,
            "role: A project must keep at least one admin",
        )
        ok(await c.delete(f"/memberships/{mine}"))
    fails(await client.get(f"/projects/{gid}"), 404)  # private, and no longer a member


async def test_a_teams_admin_membership_is_lowered_or_ended_only_by_an_admin(client, world):
    # A team's admin membership holds admin for each of its members: an editor lowered or ended it.
    _, token = world.person("bob@example.com")
    gid = (await make_project(client, world, privacy_setting="private"))["gid"]
    team = await _team(client, world)
    body = {"data": {"parent": gid, "member": team["gid"], "access_level": "admin"}}
    teams = ok(await client.post("/memberships", json=body), 201)["gid"]
    body = {"data": {"parent": gid, "member": "bob@example.com", "access_level": "editor"}}
    ok(await client.post("/memberships", json=body), 201)
    async with api_client(world.env, token) as bob:
        lowered = {"data": {"access_level": "viewer"}}
        fails(await bob.put(f"/memberships/{teams}", json=lowered), 403, "lower the access of its admins")
        fails(await bob.delete(f"/memberships/{teams}"), 403, "remove its admins")
    assert ok(await client.get(f"/memberships/{teams}"))["access_level"] == "admin"
    ok(await client.put(f"/memberships/{teams}", json={"data": {"access_level": "editor"}}))
    async with api_client(world.env, token) as bob:  # an editor's membership: editors may end it
        ok(await bob.delete(f"/memberships/{teams}"))


async def test_setting_the_level_a_membership_has_journals_nothing(client, world):
    gid = (await make_project(client, world))["gid"]
    body = {"data": {"parent": gid, "member": "bob@example.com", "access_level": "editor"}}
    world.person("bob@example.com")
    made = ok(await client.post("/memberships", json=body), 201)["gid"]
    for _ in range(2):
        same = ok(await client.put(f"/memberships/{made}", json={"data": {"access_level": "editor"}}))
        assert same["access_level"] == "editor"
    assert world.count("SELECT count(*) FROM journal WHERE resource_gid = :m", m=int(made)) == 0
    ok(await client.put(f"/memberships/{made}", json={"data": {"access_level": "viewer"}}))
    assert world.count("SELECT count(*) FROM journal WHERE resource_gid = :m", m=int(made)) == 1


async def test_concurrent_shares_of_one_member_make_one_membership(world):
    """16 threads share one project with one team at once: one 201, the rest 400, never a 5xx."""
    async with api_client(world.env, world.token) as client:
        gid = (await make_project(client, world))["gid"]
    statuses: list[int] = []
    barrier = threading.Barrier(16)

    def worker() -> None:
        async def go() -> int:
            async with api_client(world.env, world.token) as c:
                barrier.wait()
                body = {"data": {"parent": gid, "member": world.team, "access_level": "viewer"}}
                return (await c.post("/memberships", json=body)).status_code

        statuses.append(asyncio.run(go()))

    in_threads(lambda _: worker(), 16)
    assert sorted(statuses) == [201] + [400] * 15
    assert world.count("SELECT count(*) FROM project_members WHERE team_gid IS NOT NULL") == 1
