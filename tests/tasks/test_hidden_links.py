"""Lists that reach tasks through a link (dependencies, dependents, subtasks) and events whose value is
a task show only what the caller can see: a task in a private project is left out of a list, and is a
bare `{gid, resource_type}` where it is a value (found by a fresh review: they showed its name and
notes)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import World, api_client
from tests.helpers import ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.anyio


async def _bob_public_private(client: httpx.AsyncClient, world: World) -> tuple[str, str, str]:
    """Bob's token (a member of the workspace), a public project and a private one Bob is not in."""
    _bob, token = world.person("bob@example.com")
    public = (await make_project(client, world, name="Open"))["gid"]
    private = (await make_project(client, world, name="Secret", privacy_setting="private"))["gid"]
    return token, public, private


async def test_dependencies_and_dependents_leave_out_tasks_the_caller_cannot_see(
    client: httpx.AsyncClient, world: World
) -> None:
    token, public, private = await _bob_public_private(client, world)
    shown = await make_task(client, world, "shown", projects=[public])
    secret = await make_task(client, world, "secret", projects=[private], notes="top secret")
    blocker = await make_task(client, world, "blocker", projects=[private])
    other = await make_task(client, world, "other", projects=[public])
    free = await make_task(client, world, "free", projects=[public])
    ok(await client.post(f"/tasks/{secret}/addDependencies", json={"data": {"dependencies": [shown]}}))
    ok(await client.post(f"/tasks/{other}/addDependencies", json={"data": {"dependencies": [shown]}}))
    ok(await client.post(f"/tasks/{shown}/addDependencies", json={"data": {"dependencies": [blocker, free]}}))

    owner_dependents = ok(await client.get(f"/tasks/{shown}/dependents?opt_fields=name"))
    assert [t["name"] for t in owner_dependents] == ["secret", "other"]
    async with api_client(world.env, token) as bob:
        assert (await bob.get(f"/tasks/{secret}")).status_code == 404
        dependents = ok(await bob.get(f"/tasks/{shown}/dependents?opt_fields=name,notes"))
        assert dependents == [{"gid": other, "name": "other", "notes": ""}]
        dependencies = ok(await bob.get(f"/tasks/{shown}/dependencies?opt_fields=name"))
        assert dependencies == [{"gid": free, "name": "free"}]
        # As a field of a task the caller sees, a hidden task stays a bare reference.
        task = ok(await bob.get(f"/tasks/{shown}?opt_fields=dependencies.name,dependents.name"))
        assert task["dependencies"] == [
            {"gid": blocker, "resource_type": "task"},
            {"gid": free, "name": "free"},
        ]
        assert task["dependents"] == [
            {"gid": secret, "resource_type": "task"},
            {"gid": other, "name": "other"},
        ]


async def test_subtasks_leave_out_tasks_the_caller_cannot_see(
    client: httpx.AsyncClient, world: World
) -> None:
    bob, token = world.person("bob@example.com")
    private = (await make_project(client, world, name="Secret", privacy_setting="private"))["gid"]
    root = await make_task(client, world, "root", projects=[private])
    mine = await make_task(client, world, "assigned to bob", parent=root, assignee=bob)
    hidden = await make_task(client, world, "hidden", parent=mine)
    visible = await make_task(client, world, "followed by bob", parent=mine, followers=[bob])

    assert [t["name"] for t in ok(await client.get(f"/tasks/{mine}/subtasks?opt_fields=name"))] == [
        "hidden",
        "followed by bob",
    ]
    async with api_client(world.env, token) as bob_client:
        assert (await bob_client.get(f"/tasks/{hidden}")).status_code == 404
        assert ok(await bob_client.get(f"/tasks/{mine}/subtasks?opt_fields=name")) == [
            {"gid": visible, "name": "followed by bob"}
        ]


async def test_an_event_whose_value_is_a_hidden_task_names_only_its_gid(
    client: httpx.AsyncClient, world: World
) -> None:
    token, public, private = await _bob_public_private(client, world)
    shown = await make_task(client, world, "shown", projects=[public])
    secret = await make_task(client, world, "secret", projects=[private])
    async with api_client(world.env, token) as bob:
        first = await bob.get("/events", params={"resource": shown})
        assert first.status_code == 412
        ok(await client.post(f"/tasks/{shown}/addDependencies", json={"data": {"dependencies": [secret]}}))
        body = (
            await bob.get(
                "/events", params={"resource": shown, "sync": first.json()["sync"], "opt_fields": "change"}
            )
        ).json()
    owner_first = await client.get("/events", params={"resource": shown})
    values = [e["change"] for e in body["data"] if e.get("change")]
    assert values == [
        {"field": "dependencies", "action": "added", "added_value": {"gid": secret, "resource_type": "task"}}
    ]
    assert owner_first.status_code == 412
