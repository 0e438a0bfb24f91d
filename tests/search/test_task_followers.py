"""Task followers: addFollowers / removeFollowers return the task; who may change whom."""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.anyio


def followers(task) -> list[str]:
    return [f["gid"] for f in task["followers"]]


async def test_add_and_remove(client, world):
    bob, _ = world.person("bob@example.com")
    carol, _ = world.person("carol@example.com")
    project = (await make_project(client, world))["gid"]
    task = await make_task(client, world, projects=[project])  # still visible to the owner unfollowing it
    data = ok(
        await client.post(
            f"/tasks/{task}/addFollowers", json={"data": {"followers": [bob, "carol@example.com"]}}
        )
    )
    assert data["gid"] == task and followers(data) == [world.user, *sorted([bob, carol])]
    data = ok(await client.post(f"/tasks/{task}/addFollowers", json={"data": {"followers": bob}}))  # again
    assert len(followers(data)) == 3
    data = ok(await client.post(f"/tasks/{task}/removeFollowers", json={"data": {"followers": ["me", bob]}}))
    assert followers(data) == [carol]
    data = ok(await client.post(f"/tasks/{task}/removeFollowers", json={"data": {"followers": [bob]}}))
    assert followers(data) == [carol]
    bodies: list[dict[str, object]] = [{}, {"followers": []}, {"followers": ["nobody@example.com"]}]
    for body in bodies:
        fails(await client.post(f"/tasks/{task}/addFollowers", json={"data": body}), 400)
    outsider = world.other_workspace("Elsewhere", "dave@example.com")
    fails(
        await client.post(f"/tasks/{task}/addFollowers", json={"data": {"followers": [outsider["user"]]}}),
        400,
    )


async def test_viewers_follow_themselves_only(client, world):
    bob, token = world.person("bob@example.com")
    carol, _ = world.person("carol@example.com")
    project = (await make_project(client, world, default_access_level="viewer"))["gid"]
    task = await make_task(client, world, projects=[project])
    async with api_client(world.env, token) as as_bob:
        data = ok(await as_bob.post(f"/tasks/{task}/addFollowers", json={"data": {"followers": ["me"]}}))
        assert bob in followers(data)
        fails(await as_bob.post(f"/tasks/{task}/addFollowers", json={"data": {"followers": [carol]}}), 403)
        fails(
            await as_bob.post(f"/tasks/{task}/removeFollowers", json={"data": {"followers": [world.user]}}),
            403,
        )
        ok(await as_bob.post(f"/tasks/{task}/removeFollowers", json={"data": {"followers": ["me"]}}))
        fails(await as_bob.post("/tasks/999/addFollowers", json={"data": {"followers": ["me"]}}), 404)
