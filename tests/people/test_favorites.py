"""GET /users/{gid}/favorites: required parameters, only the caller's own, sidebar order,
pagination, each type, and favorites of deleted or hidden objects (issue 23). Favorites are set
with vinyasa.users.favorites.change, what the control plane and fixtures call."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, api_client
from tests.helpers import fails, ok
from tests.portfolios.helpers import make_portfolio
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from vinyasa.errors import InvalidRequest
from vinyasa.users import favorites

pytestmark = pytest.mark.anyio


def favor(world: World, resource: str, *, user: str | None = None, **options: Any) -> list[str]:
    with world.env.engine.begin() as conn:
        return favorites.change(conn, int(user or world.user), resource, **options)


async def listed(client, world: World, kind: str, **params: Any) -> list[str]:
    query = {"resource_type": kind, "workspace": world.workspace, **params}
    return [item["gid"] for item in ok(await client.get("/users/me/favorites", params=query))]


async def test_both_parameters_are_required(client, world: World) -> None:
    fails(
        await client.get(f"/users/me/favorites?workspace={world.workspace}"),
        400,
        "resource_type: Missing input",
    )
    fails(await client.get("/users/me/favorites?resource_type=project"), 400, "workspace: Missing input")
    fails(
        await client.get(f"/users/me/favorites?resource_type=goal&workspace={world.workspace}"),
        400,
        "resource_type",
    )
    fails(await client.get("/users/me/favorites?resource_type=project&workspace=1"), 400, "workspace")


async def test_projects_in_sidebar_order_compact_and_paginated(client, world: World) -> None:
    made = [(await make_project(client, world, name=f"P{i}"))["gid"] for i in range(3)]
    for gid in made:
        favor(world, gid)
    favor(world, made[2], before=made[0])  # moves to the top
    assert await listed(client, world, "project") == [made[2], made[0], made[1]]
    page = await client.get(
        "/users/me/favorites", params={"resource_type": "project", "workspace": world.workspace, "limit": 2}
    )
    body = page.json()
    assert body["data"] == [
        {"gid": made[2], "resource_type": "project", "name": "P2"},
        {"gid": made[0], "resource_type": "project", "name": "P0"},
    ]
    rest = ok(await client.get(body["next_page"]["path"]))
    assert [p["gid"] for p in rest] == [made[1]]
    assert await listed(client, world, "task") == []


async def test_each_type_lists_only_its_own(client, world: World) -> None:
    task = await make_task(client, world, "T", workspace=world.workspace)
    portfolio = (await make_portfolio(client, world))["gid"]
    tag = ok(await client.post("/tags", json={"data": {"name": "Hot", "workspace": world.workspace}}), 201)[
        "gid"
    ]
    bob, _ = world.person("bob@example.com")
    for gid in (task, portfolio, tag):
        favor(world, gid)
    favor(world, bob, workspace=world.workspace)
    assert await listed(client, world, "task") == [task]
    assert await listed(client, world, "portfolio") == [portfolio]
    assert await listed(client, world, "tag") == [tag]
    assert await listed(client, world, "user") == [bob]
    item = ok(await client.get(f"/users/me/favorites?resource_type=tag&workspace={world.workspace}"))[0]
    assert item == {"gid": tag, "resource_type": "tag", "name": "Hot"}


async def test_removing_and_bad_changes(client, world: World) -> None:
    one, two = (
        (await make_project(client, world, name="A"))["gid"],
        (await make_project(client, world))["gid"],
    )
    favor(world, one)
    favor(world, two, after=one)
    assert favor(world, one, remove=True) == [two]
    assert favor(world, one, remove=True) == [two]  # not being one is no error
    for resource, options, words in (
        ("1", {}, "resource: Unknown object"),
        (one, {"before": "1"}, "insert_before: Not a favorite"),
        (one, {"before": two, "after": two}, "not both"),
        (world.user, {}, "workspace"),
    ):
        with pytest.raises(InvalidRequest, match=words):
            favor(world, resource, **options)


async def test_deleted_and_hidden_objects_are_not_listed(client, world: World) -> None:
    shown = (await make_project(client, world, name="Shown"))["gid"]
    gone = (await make_project(client, world, name="Gone"))["gid"]
    secret = (await make_project(client, world, name="Secret", privacy_setting="private"))["gid"]
    bob, token = world.person("bob@example.com")
    for gid in (shown, gone, secret):
        favor(world, gid)
        favor(world, gid, user=bob)
    ok(await client.delete(f"/projects/{gone}"))
    assert await listed(client, world, "project") == [shown, secret]
    async with api_client(world.env, token) as as_bob:
        assert await listed(as_bob, world, "project") == [shown]


async def test_only_the_callers_own_favorites(client, world: World) -> None:
    bob, _ = world.person("bob@example.com")
    query = {"resource_type": "project", "workspace": world.workspace}
    fails(await client.get(f"/users/{bob}/favorites", params=query), 403, "your own favorites")
    fails(await client.get("/users/42/favorites", params=query), 404)
    assert ok(await client.get(f"/users/{world.user}/favorites", params=query)) == []
