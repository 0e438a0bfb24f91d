"""addMembers / removeMembers / addFollowers / removeFollowers, and project memberships."""

from __future__ import annotations

import asyncio
import threading

import pytest

from tests.conftest import api_client
from tests.helpers import fails, in_threads, ok
from tests.projects.helpers import make_project

pytestmark = pytest.mark.anyio

ROWS = "SELECT count(*) FROM project_members WHERE project_gid = :p"


def _people(data, key):
    return {u["gid"] for u in data[key]}


async def _levels(client, gid):
    items = ok(await client.get(f"/projects/{gid}/project_memberships"))
    return {m["member"]["gid"]: m["access_level"] for m in items}


async def test_add_members_string_or_array(client, world):
    bob, _ = world.person("bob@example.com")
    carl, _ = world.person("carl@example.com")
    dan, _ = world.person("dan@example.com")
    gid = (await make_project(client, world, default_access_level="commenter"))["gid"]
    r = await client.post(
        f"/projects/{gid}/addMembers", json={"data": {"members": f"bob@example.com, {carl}"}}
    )
    data = ok(r)
    assert data["gid"] == gid and data["resource_type"] == "project" and "permalink_url" in data
    assert _people(data, "members") == {world.user, bob, carl}
    assert _people(data, "followers") == set()  # addMembers does not make followers
    data = ok(
        await client.post(f"/projects/{gid}/addMembers", json={"data": {"members": [dan, "DAN@example.com"]}})
    )
    assert _people(data, "members") == {world.user, bob, carl, dan}
    assert await _levels(client, gid) == {
        world.user: "admin",
        bob: "commenter",
        carl: "commenter",
        dan: "commenter",
    }


async def test_add_members_honours_opt_fields(client, world):
    bob, _ = world.person("bob@example.com")
    gid = (await make_project(client, world))["gid"]
    data = ok(
        await client.post(
            f"/projects/{gid}/addMembers?opt_fields=members.email", json={"data": {"members": bob}}
        )
    )
    assert data == {
        "gid": gid,
        "members": [
            {"gid": world.user, "email": "owner@example.com"},
            {"gid": bob, "email": "bob@example.com"},
        ],
    }
    data = ok(
        await client.post(
            f"/projects/{gid}/addFollowers",
            json={"data": {"followers": bob}, "options": {"fields": ["followers"]}},
        )
    )
    assert data == {"gid": gid, "followers": [{"gid": bob, "resource_type": "user"}]}


async def test_adding_an_existing_member_is_a_no_op(client, world):
    bob, _ = world.person("bob@example.com")
    gid = (await make_project(client, world))["gid"]
    ok(await client.post(f"/projects/{gid}/addMembers", json={"data": {"members": bob}}))
    first = ok(await client.get(f"/projects/{gid}/project_memberships?user={bob}"))
    ok(
        await client.post(
            f"/projects/{gid}/addMembers", json={"data": {"members": f"{bob},bob@example.com,me"}}
        )
    )
    assert ok(await client.get(f"/projects/{gid}/project_memberships?user={bob}")) == first
    assert world.count(ROWS, p=int(gid)) == 2
    assert (await _levels(client, gid))[world.user] == "admin"  # the creator keeps admin


async def test_followers_are_members(client, world):
    bob, _ = world.person("bob@example.com")
    carl, _ = world.person("carl@example.com")
    gid = (await make_project(client, world, default_access_level="viewer"))["gid"]
    ok(await client.post(f"/projects/{gid}/addMembers", json={"data": {"members": carl}}))
    data = ok(await client.post(f"/projects/{gid}/addFollowers", json={"data": {"followers": [bob, carl]}}))
    assert _people(data, "followers") == {bob, carl}
    assert _people(data, "members") == {world.user, bob, carl}
    assert await _levels(client, gid) == {world.user: "admin", bob: "viewer", carl: "viewer"}
    # removeFollowers keeps membership
    data = ok(
        await client.post(f"/projects/{gid}/removeFollowers", json={"data": {"followers": "bob@example.com"}})
    )
    assert _people(data, "followers") == {carl}
    assert _people(data, "members") == {world.user, bob, carl}
    # removeMembers also unfollows; re-adding as a member does not restore following
    data = ok(await client.post(f"/projects/{gid}/removeMembers", json={"data": {"members": carl}}))
    assert _people(data, "followers") == set() and _people(data, "members") == {world.user, bob}
    data = ok(await client.post(f"/projects/{gid}/addMembers", json={"data": {"members": carl}}))
    assert _people(data, "followers") == set() and carl in _people(data, "members")
    # removing someone who is not a member (or not following) changes nothing
    dan, _ = world.person("dan@example.com")
    ok(await client.post(f"/projects/{gid}/removeMembers", json={"data": {"members": dan}}))
    ok(await client.post(f"/projects/{gid}/removeFollowers", json={"data": {"followers": dan}}))
    assert world.count(ROWS, p=int(gid)) == 3


async def test_member_changes_do_not_move_modified_at(client, world):
    bob, _ = world.person("bob@example.com")
    before = await make_project(client, world)
    gid = before["gid"]
    for action, key in (
        ("addMembers", "members"),
        ("addFollowers", "followers"),
        ("removeMembers", "members"),
    ):
        ok(await client.post(f"/projects/{gid}/{action}", json={"data": {key: bob}}))
    assert ok(await client.get(f"/projects/{gid}"))["modified_at"] == before["modified_at"]


async def test_form_encoded_members(client, world):
    bob, _ = world.person("bob@example.com")
    carl, _ = world.person("carl@example.com")
    gid = (await make_project(client, world))["gid"]
    data = ok(await client.post(f"/projects/{gid}/addMembers", data={"members": f"{bob},{carl}"}))
    assert _people(data, "members") == {world.user, bob, carl}


@pytest.mark.parametrize("action", ["addMembers", "removeMembers", "addFollowers", "removeFollowers"])
@pytest.mark.parametrize(
    "value",
    [42, [{"gid": "1"}], [1], "", " , ", [], None, {"a": "b"}, "me,ghost@example.com", ["me", "999"], "nope"],
)
async def test_bad_user_lists_change_nothing(client, world, action, value):
    bob, _ = world.person("bob@example.com")
    gid = (await make_project(client, world, followers=bob))["gid"]
    key = "members" if action.endswith("Members") else "followers"
    before = (
        world.count("SELECT count(*) FROM project_members WHERE is_follower"),
        world.count(ROWS, p=int(gid)),
    )
    fails(await client.post(f"/projects/{gid}/{action}", json={"data": {key: value}}), 400, key)
    fails(await client.post(f"/projects/{gid}/{action}", json={"data": {}}), 400, f"{key}: Missing input")
    after = (
        world.count("SELECT count(*) FROM project_members WHERE is_follower"),
        world.count(ROWS, p=int(gid)),
    )
    assert after == before


async def test_members_must_be_in_the_projects_workspace(client, world):
    second = world.other_workspace("Second", "owner@example.com")
    elsewhere, _ = world.person("elsewhere@example.com", [second["workspace"]])
    stranger = world.other_workspace("Theirs", "x@example.com")
    bob, _ = world.person("bob@example.com")
    gid = (await make_project(client, world))["gid"]
    for value in (elsewhere, [bob, elsewhere], stranger["user"], "x@example.com"):
        fails(
            await client.post(f"/projects/{gid}/addMembers", json={"data": {"members": value}}),
            400,
            "members",
        )
        fails(await client.post(f"/projects/{gid}/addFollowers", json={"data": {"followers": value}}), 400)
    assert world.count(ROWS, p=int(gid)) == 1
    fails(await client.post("/projects/123/addMembers", json={"data": {"members": bob}}), 404)


async def test_memberships_list_and_filter(client, world):
    bob, _ = world.person("bob@example.com")
    gid = (await make_project(client, world, followers=bob, default_access_level="commenter"))["gid"]
    items = ok(await client.get(f"/projects/{gid}/project_memberships"))
    assert len(items) == 2
    assert all(set(m) == {"gid", "resource_type", "member", "access_level"} for m in items)
    assert all(m["resource_type"] == "project_membership" for m in items)
    by_member = {m["member"]["gid"]: m for m in items}
    assert by_member[bob]["member"] == {"gid": bob, "resource_type": "user", "name": "bob"}
    assert by_member[bob]["access_level"] == "commenter" and by_member[world.user]["access_level"] == "admin"
    for who in (bob, "bob@example.com", "BOB@example.com"):
        assert ok(await client.get(f"/projects/{gid}/project_memberships?user={who}")) == [by_member[bob]]
    assert ok(await client.get(f"/projects/{gid}/project_memberships?user=me")) == [by_member[world.user]]
    carl, _ = world.person("carl@example.com")  # visible but not a member
    assert ok(await client.get(f"/projects/{gid}/project_memberships?user={carl}")) == []
    fails(await client.get(f"/projects/{gid}/project_memberships?user=ghost@example.com"), 400, "user")
    fails(await client.get(f"/projects/{gid}/project_memberships?user=42"), 400, "user")
    parent = ok(
        await client.get(f"/projects/{gid}/project_memberships?opt_fields=parent,parent.name,access_level")
    )
    assert all(m["parent"] == {"gid": gid, "name": "Roadmap"} for m in parent)
    fails(await client.get("/projects/123/project_memberships"), 404)


async def test_memberships_paginate(client, world):
    people = [world.person(f"u{i}@example.com")[0] for i in range(5)]
    gid = (await make_project(client, world))["gid"]
    ok(await client.post(f"/projects/{gid}/addMembers", json={"data": {"members": people}}))
    seen, url = [], f"/projects/{gid}/project_memberships?limit=2&opt_fields=member"
    while url:
        body = (await client.get(url)).json()
        seen += [m["member"]["gid"] for m in body["data"]]
        url = body["next_page"]["path"] if body["next_page"] else ""
    assert sorted(seen) == sorted([world.user, *people])


@pytest.mark.parametrize(
    ("level", "write"),
    [
        ("admin", "full_write"),
        ("editor", "full_write"),
        ("commenter", "comment_only"),
        ("viewer", "comment_only"),
    ],
)
async def test_get_membership(client, world, level, write):
    bob, _ = world.person("bob@example.com")
    gid = (await make_project(client, world, default_access_level=level, followers=bob))["gid"]
    membership = ok(await client.get(f"/projects/{gid}/project_memberships?user={bob}"))[0]["gid"]
    data = ok(await client.get(f"/project_memberships/{membership}"))
    user = {"gid": bob, "resource_type": "user", "name": "bob"}
    assert data == {
        "gid": membership,
        "resource_type": "project_membership",
        "member": user,
        "access_level": level,
        "user": user,
        "write_access": write,
    }
    opted = ok(
        await client.get(f"/project_memberships/{membership}?opt_fields=project,parent.name,write_access")
    )
    assert opted == {
        "gid": membership,
        "project": {"gid": gid, "resource_type": "project"},  # a bare reference
        "parent": {"gid": gid, "name": "Roadmap"},
        "write_access": write,
    }


async def test_get_membership_unknown_is_404(client, world):
    for gid in ("123", "x", world.user):
        fails(await client.get(f"/project_memberships/{gid}"), 404)


async def test_concurrent_add_members_never_duplicates(client, world):
    people = [world.person(f"c{i}@example.com")[0] for i in range(12)]
    gid = (await make_project(client, world))["gid"]
    bodies = [{"data": {"members": [people[(i + k) % 12] for k in range(5)]}} for i in range(32)]
    responses = await asyncio.gather(*(client.post(f"/projects/{gid}/addMembers", json=b) for b in bodies))
    assert [r.status_code for r in responses] == [200] * 32
    assert world.count(ROWS, p=int(gid)) == 13
    assert (
        world.count(
            "SELECT count(*) FROM (SELECT user_gid FROM project_members WHERE project_gid = :p "
            "GROUP BY user_gid HAVING count(*) > 1) dup",
            p=int(gid),
        )
        == 0
    )


async def test_concurrent_add_members_from_threads(world):
    """32 requests in 32 threads, so their transactions really overlap on PostgreSQL."""
    people = [world.person(f"t{i}@example.com")[0] for i in range(12)]
    async with api_client(world.env, world.token) as client:
        gid = (await make_project(client, world))["gid"]
    statuses: list[int] = []
    barrier = threading.Barrier(32)

    def worker(i: int) -> None:
        async def go() -> int:
            async with api_client(world.env, world.token) as c:
                barrier.wait()
                users = [people[(i * 5 + k) % 12] for k in range(6)]
                action = "addFollowers" if i % 2 else "addMembers"
                key = "followers" if i % 2 else "members"
                r = await c.post(f"/projects/{gid}/{action}", json={"data": {key: users}})
                return r.status_code

        statuses.append(asyncio.run(go()))

    in_threads(worker, 32)
    assert sorted(statuses) == [200] * 32
    assert world.count(ROWS, p=int(gid)) == 13
    assert (
        world.count("SELECT count(DISTINCT user_gid) FROM project_members WHERE project_gid = :p", p=int(gid))
        == 13
    )


async def test_named_users_resolve_together_and_the_first_bad_one_is_named(client, world):
    second = world.other_workspace("Second", "owner@example.com")
    elsewhere, _ = world.person("elsewhere@example.com", [second["workspace"]])  # seen, not in the workspace
    world.other_workspace("Theirs", "x@example.com")  # a user the caller cannot see
    bob, _ = world.person("bob@example.com")
    gid = (await make_project(client, world))["gid"]
    add = f"/projects/{gid}/addMembers"
    data = ok(await client.post(add, json={"data": {"members": [" BOB@Example.com ", "me", bob]}}))
    assert _people(data, "members") == {world.user, bob}
    for members, named in (
        (["me", "x@example.com", "999", "nope"], "x@example.com"),
        (["999", "x@example.com"], "999"),
        (["nope", "x@example.com"], "nope"),
        ([bob, "ghost@example.com"], "ghost@example.com"),
    ):
        message = fails(await client.post(add, json={"data": {"members": members}}), 400, "members")
        assert named in message, (members, message)
    fails(
        await client.post(add, json={"data": {"members": [elsewhere, bob, "me"]}}),
        400,
        f"members: User {elsewhere} is not a member of the project's workspace",
    )
    assert world.count(ROWS, p=int(gid)) == 2
