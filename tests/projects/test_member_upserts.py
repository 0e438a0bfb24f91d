"""Writes that meet an existing membership: an owner who already is a member, a follower who already
is one (vinyasa.projects.queries.upsert_user_members)."""

from __future__ import annotations

import pytest

from tests.helpers import ok
from tests.projects.helpers import make_project

pytestmark = pytest.mark.anyio


async def _membership(client, gid, user):
    return ok(await client.get(f"/projects/{gid}/project_memberships?user={user}"))[0]


async def test_new_owner_already_a_following_member(client, world):
    bob, _ = world.person("bob@example.com")
    gid = (await make_project(client, world, default_access_level="viewer"))["gid"]
    ok(await client.post(f"/projects/{gid}/addFollowers", json={"data": {"followers": [bob]}}))
    first = await _membership(client, gid, bob)
    assert first["access_level"] == "viewer"
    data = ok(await client.put(f"/projects/{gid}", json={"data": {"owner": bob}}))
    assert bob in {u["gid"] for u in data["followers"]}  # still following
    after = await _membership(client, gid, bob)
    assert after["gid"] == first["gid"] and after["access_level"] == "admin"


async def test_following_keeps_an_existing_level(client, world):
    bob, _ = world.person("bob@example.com")
    gid = (await make_project(client, world, default_access_level="viewer"))["gid"]
    body = {"data": {"parent": gid, "member": bob, "access_level": "editor"}}
    ok(await client.post("/memberships", json=body), 201)
    first = await _membership(client, gid, bob)
    data = ok(await client.post(f"/projects/{gid}/addFollowers", json={"data": {"followers": [bob]}}))
    assert bob in {u["gid"] for u in data["followers"]}
    after = await _membership(client, gid, bob)
    assert after["gid"] == first["gid"] and after["access_level"] == "editor"
