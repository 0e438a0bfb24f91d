"""Task dependencies: add/remove both ways, lists, cycles, limits, task fields, search flags."""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from vinyasa.core import clock

pytestmark = pytest.mark.anyio

LINKS = "SELECT count(*) FROM task_dependencies"


async def gids(client, path) -> list[str]:
    return [t["gid"] for t in ok(await client.get(path))]


async def test_order_added_holds_within_one_millisecond(client, world):
    """A task's dependents and dependencies list in the order they were added, even when every
    request happens in the same millisecond (a frozen clock), whatever the gids' order."""
    hub = await make_task(client, world, "Hub")
    others = [await make_task(client, world, f"Same {i}") for i in range(6)]
    clock.freeze()
    try:
        for t in reversed(others[:3]):
            ok(await client.post(f"/tasks/{t}/addDependencies", json={"data": {"dependencies": [hub]}}))
        for t in reversed(others[3:]):
            ok(await client.post(f"/tasks/{hub}/addDependencies", json={"data": {"dependencies": [t]}}))
    finally:
        clock.reset()
    assert await gids(client, f"/tasks/{hub}/dependents") == list(reversed(others[:3]))
    assert await gids(client, f"/tasks/{hub}/dependencies") == list(reversed(others[3:]))


async def test_add_list_remove_both_ways(client, world):
    a, b, c = [await make_task(client, world, n) for n in "ABC"]
    assert ok(await client.post(f"/tasks/{a}/addDependencies", json={"data": {"dependencies": [b, c]}})) == {}
    assert await gids(client, f"/tasks/{a}/dependencies") == [b, c]
    assert await gids(client, f"/tasks/{b}/dependents") == [a]
    record = ok(await client.get(f"/tasks/{a}?opt_fields=dependencies,dependents"))
    assert [t["gid"] for t in record["dependencies"]] == [b, c] and record["dependents"] == []
    ok(await client.post(f"/tasks/{a}/addDependencies", json={"data": {"dependencies": b}}))  # again: no-op
    assert world.count(LINKS) == 2
    ok(await client.post(f"/tasks/{c}/removeDependents", json={"data": {"dependents": [a]}}))
    assert await gids(client, f"/tasks/{a}/dependencies") == [b]
    ok(await client.post(f"/tasks/{c}/addDependents", json={"data": {"dependents": f"{a},{b}"}}))
    assert await gids(client, f"/tasks/{c}/dependents") == [a, b]
    ok(await client.post(f"/tasks/{a}/removeDependencies", json={"data": {"dependencies": [b, c]}}))
    ok(await client.post(f"/tasks/{a}/removeDependencies", json={"data": {"dependencies": [b]}}))  # no error
    assert await gids(client, f"/tasks/{a}/dependencies") == []
    page = (await client.get(f"/tasks/{c}/dependents?limit=1")).json()
    assert len(page["data"]) == 1 and page["next_page"] is None
    ok(await client.delete(f"/tasks/{b}"))
    assert world.count(LINKS) == 0


async def test_cycles_self_and_bad_input_change_nothing(client, world):
    a, b, c = [await make_task(client, world, n) for n in "ABC"]
    ok(await client.post(f"/tasks/{a}/addDependencies", json={"data": {"dependencies": [b]}}))
    ok(await client.post(f"/tasks/{b}/addDependencies", json={"data": {"dependencies": [c]}}))
    fails(
        await client.post(f"/tasks/{c}/addDependencies", json={"data": {"dependencies": [a]}}), 400, "cycle"
    )
    fails(await client.post(f"/tasks/{a}/addDependents", json={"data": {"dependents": [c]}}), 400, "cycle")
    fails(
        await client.post(f"/tasks/{a}/addDependencies", json={"data": {"dependencies": [a]}}), 400, "itself"
    )
    bodies: list[dict[str, object]] = [
        {},
        {"dependencies": []},
        {"dependencies": ["nope"]},
        {"dependencies": [1]},
    ]
    for body in bodies:
        fails(await client.post(f"/tasks/{a}/addDependencies", json={"data": body}), 400)
    fails(await client.post("/tasks/123/addDependencies", json={"data": {"dependencies": [b]}}), 404)
    assert world.count(LINKS) == 2


async def test_at_most_thirty_links(client, world):
    hub = await make_task(client, world, "Hub")
    many = [await make_task(client, world, f"T{i}") for i in range(31)]
    ok(await client.post(f"/tasks/{hub}/addDependencies", json={"data": {"dependencies": many[:20]}}))
    fails(
        await client.post(f"/tasks/{hub}/addDependents", json={"data": {"dependents": many[20:]}}), 400, "30"
    )
    ok(await client.post(f"/tasks/{hub}/addDependents", json={"data": {"dependents": many[20:30]}}))
    assert world.count(LINKS) == 30


async def test_visibility_and_permissions(client, world):
    bob, token = world.person("bob@example.com")
    secret = (await make_project(client, world, privacy_setting="private"))["gid"]
    hidden = await make_task(client, world, "Hidden", projects=[secret])
    mine = await make_task(client, world, "Bob's", assignee=bob)
    async with api_client(world.env, token) as as_bob:
        body = {"data": {"dependencies": [hidden]}}
        fails(await as_bob.post(f"/tasks/{mine}/addDependencies", json=body), 400, "Unknown object")
        fails(await as_bob.get(f"/tasks/{hidden}/dependencies"), 404)
    viewer_project = (await make_project(client, world, default_access_level="viewer"))["gid"]
    viewed = await make_task(client, world, "Viewed", projects=[viewer_project])
    other = await make_task(client, world, "Other", projects=[viewer_project])
    async with api_client(world.env, token) as as_bob:
        body = {"data": {"dependencies": [other]}}
        fails(await as_bob.post(f"/tasks/{viewed}/addDependencies", json=body), 403)
    outsider = world.other_workspace("Elsewhere", "owner@example.com")
    far = await make_task(client, world, "Far", workspace=outsider["workspace"])
    fails(await client.post(f"/tasks/{mine}/addDependencies", json={"data": {"dependencies": [far]}}), 400)


async def test_search_blocked_and_blocking(client, world):
    a, b, c = [await make_task(client, world, n) for n in "ABC"]
    ok(await client.post(f"/tasks/{a}/addDependencies", json={"data": {"dependencies": [b]}}))

    async def names(**params):
        found = ok(await client.get(f"/workspaces/{world.workspace}/tasks/search", params=params))
        return sorted(t["name"] for t in found)

    assert await names(is_blocked="true") == ["A"]
    assert await names(is_blocked="false") == ["B", "C"]
    assert await names(is_blocking="true") == ["B"]
    ok(await client.put(f"/tasks/{b}", json={"data": {"completed": True}}))
    assert await names(is_blocked="true") == []  # its dependency is done
    assert await names(is_blocking="true") == []
    assert c
