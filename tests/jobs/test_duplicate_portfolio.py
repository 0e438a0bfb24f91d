"""POST /portfolios/{gid}/duplicate: settings always, members and child items with include."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, api_client
from tests.helpers import fails, ok
from tests.jobs.helpers import job_result

pytestmark = pytest.mark.anyio


async def _portfolio(client: Any, world: World) -> dict[str, Any]:
    body = {"name": "Bets", "workspace": world.workspace, "color": "dark-teal", "due_on": "2026-09-01"}
    folio = ok(await client.post("/portfolios", json={"data": body}), 201)["gid"]
    child = ok(
        await client.post("/portfolios", json={"data": {"name": "Child", "workspace": world.workspace}}), 201
    )
    projects = []
    for name in ("P1", "P2"):
        made = ok(
            await client.post("/projects", json={"data": {"name": name, "workspace": world.workspace}}), 201
        )
        projects.append(made["gid"])
        ok(await client.post(f"/portfolios/{folio}/addItem", json={"data": {"item": made["gid"]}}))
    ok(await client.post(f"/portfolios/{folio}/addItem", json={"data": {"item": child["gid"]}}))
    bob, _ = world.person("bob@example.com")
    ok(await client.post(f"/portfolios/{folio}/addMembers", json={"data": {"members": [bob]}}))
    field = {"custom_field": {"name": "Budget", "resource_subtype": "text"}}
    ok(await client.post(f"/portfolios/{folio}/addCustomFieldSetting", json={"data": field}))
    return {"portfolio": folio, "child": child["gid"], "projects": projects, "bob": bob}


async def _duplicate(client: Any, world: World, folio: str, **body: Any) -> dict[str, Any]:
    job = ok(
        await client.post(f"/portfolios/{folio}/duplicate", json={"data": {"name": "Copy", **body}}), 201
    )
    assert job["resource_subtype"] == "duplicate_portfolio" and job["new_portfolio"] is None
    done = await job_result(client, world, job)
    assert done["status"] == "succeeded", done
    assert done["new_portfolio"]["name"] == "Copy"
    fields = "name,color,due_on,members,custom_field_settings.custom_field.name"
    copy: dict[str, Any] = ok(
        await client.get(f"/portfolios/{done['new_portfolio']['gid']}", params={"opt_fields": fields})
    )
    return copy


async def test_a_bare_duplicate_keeps_settings_not_items_or_members(client: Any, world: World) -> None:
    src = await _portfolio(client, world)
    copy = await _duplicate(client, world, src["portfolio"])
    assert (copy["color"], copy["due_on"]) == ("dark-teal", "2026-09-01")
    assert [s["custom_field"]["name"] for s in copy["custom_field_settings"]] == ["Budget"]
    assert [m["gid"] for m in copy["members"]] == [world.user]
    assert ok(await client.get(f"/portfolios/{copy['gid']}/items")) == []


async def test_include_members_and_children(client: Any, world: World) -> None:
    src = await _portfolio(client, world)
    include = "members,child_projects,child_portfolios,description,permissions,templates,rules"
    copy = await _duplicate(client, world, src["portfolio"], include=include)
    assert sorted(m["gid"] for m in copy["members"]) == sorted([world.user, src["bob"]])
    items = ok(await client.get(f"/portfolios/{copy['gid']}/items"))
    assert [i["gid"] for i in items] == [*src["projects"], src["child"]]
    only = await _duplicate(client, world, src["portfolio"], include="child_portfolios")
    assert [i["gid"] for i in ok(await client.get(f"/portfolios/{only['gid']}/items"))] == [src["child"]]


async def test_bad_input_and_access(client: Any, world: World) -> None:
    src = await _portfolio(client, world)
    folio = src["portfolio"]
    fails(await client.post(f"/portfolios/{folio}/duplicate", json={"data": {}}), 400, "name: Missing input")
    fails(
        await client.post(f"/portfolios/{folio}/duplicate", json={"data": {"name": "X", "include": "tasks"}}),
        400,
        "include: Not a valid element: tasks",
    )
    _, token = world.person("eve@example.com")
    async with api_client(world.env, token) as eve:  # a members_only portfolio: not visible to her
        fails(await eve.post(f"/portfolios/{folio}/duplicate", json={"data": {"name": "X"}}), 404)
    assert world.count("SELECT count(*) FROM jobs") == 0
