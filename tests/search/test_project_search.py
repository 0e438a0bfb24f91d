"""Project search: text on names, team/owner/member/portfolio filters, custom fields, completion, dates,
sorting, visibility."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.portfolios.helpers import add_item, make_portfolio
from tests.projects.helpers import make_project

pytestmark = pytest.mark.anyio


async def search(client, world, **params) -> list[str]:
    found = ok(await client.get(f"/workspaces/{world.workspace}/projects/search", params=params))
    return [p["name"] for p in found]


async def test_filters_and_sorting(client, world, tick):
    bob, _ = world.person("bob@example.com")
    a = (await make_project(client, world, name="Launch website", due_on="2030-02-01"))["gid"]
    tick()
    b = (await make_project(client, world, name="Website copy", notes="launch", due_on="2030-01-01"))["gid"]
    tick()
    c = (await make_project(client, world, name="Hiring plan"))["gid"]
    with world.db() as db:  # no API sets a project's completion yet
        db.execute(
            text("UPDATE projects SET completed = :t, completed_at = 5 WHERE gid = :g"),
            {"t": True, "g": int(b)},
        )
        db.commit()
    ok(await client.post(f"/projects/{c}/addMembers", json={"data": {"members": bob}}))
    assert sorted(await search(client, world, text="web")) == ["Launch website", "Website copy"]
    assert await search(client, world, text="launch") == ["Launch website"]  # names only
    assert await search(client, world, completed="true") == ["Website copy"]
    assert await search(client, world, **{"members.any": bob}) == ["Hiring plan"]
    assert sorted(await search(client, world, **{"members.not": bob})) == ["Launch website", "Website copy"]
    assert len(await search(client, world, **{"owner.any": "me", "teams.any": world.team})) == 3
    assert await search(client, world, sort_by="due_date", sort_ascending="true") == [
        "Website copy", "Launch website", "Hiring plan"
    ]  # fmt: skip
    assert await search(client, world, **{"due_on.before": "2030-01-15"}) == ["Website copy"]
    assert await search(client, world, due_on="null") == ["Hiring plan"]
    assert await search(client, world, sort_by="created_at", limit="1") == ["Hiring plan"]
    assert await search(client, world, **{"completed_on.before": "2000-01-01"}) == ["Website copy"]
    assert await search(client, world, **{"completed_at.after": "2000-01-01T00:00:00Z"}) == []
    assert a


@pytest.mark.parametrize(
    "query", ["completed=x", "sort_by=likes", "teams.any=1", "owner.any=no@example.com", "portfolios.any=1",
              "due_on=x", "limit=0"],
)  # fmt: skip
async def test_bad_filters(client, world, query):
    fails(await client.get(f"/workspaces/{world.workspace}/projects/search?{query}"), 400)


async def test_visibility(client, world):
    _, token = world.person("bob@example.com")
    await make_project(client, world, name="Secret roadmap", privacy_setting="private")
    await make_project(client, world, name="Open roadmap")
    async with api_client(world.env, token) as as_bob:
        found = ok(await as_bob.get(f"/workspaces/{world.workspace}/projects/search?text=roadmap"))
        assert [p["name"] for p in found] == ["Open roadmap"]
    assert len(await search(client, world, text="roadmap")) == 2


async def test_custom_field_filters_on_the_values_portfolios_give(client, world):
    """A project's custom field values come from its portfolios' settings; every filter of the
    spec's table reads them, as task search reads a task's."""
    fields = {}
    for name, kind, extra in (
        ("Budget", "number", {"precision": 0}),
        ("Label", "text", {}),
        ("Stage", "enum", {"enum_options": [{"name": "Plan"}, {"name": "Build"}]}),
    ):
        body = {"workspace": world.workspace, "name": name, "resource_subtype": kind, **extra}
        fields[name] = ok(await client.post("/custom_fields", json={"data": body}), 201)
    budget, label, stage = (fields[n]["gid"] for n in ("Budget", "Label", "Stage"))
    build = fields["Stage"]["enum_options"][1]["gid"]
    folio = (await make_portfolio(client, world))["gid"]
    for gid in (budget, label, stage):
        body = {"data": {"custom_field": gid}}
        ok(await client.post(f"/portfolios/{folio}/addCustomFieldSetting", json=body))
    values = {
        "Three": {budget: 3, label: "Red apple"},
        "Eight": {budget: 8, label: "green", stage: build},
        "Unset": {},
    }
    for name, given in values.items():
        project = (await make_project(client, world, name=name))["gid"]
        await add_item(client, folio, project)
        if given:
            ok(await client.put(f"/projects/{project}", json={"data": {"custom_fields": given}}))
    await make_project(client, world, name="Outside")
    cf, lb = f"custom_fields.{budget}", f"custom_fields.{label}"
    assert await search(client, world, **{f"{cf}.value": "3"}) == ["Three"]
    assert await search(client, world, **{f"{cf}.less_than": "5"}) == ["Three"]
    assert await search(client, world, **{f"{cf}.greater_than": "5"}) == ["Eight"]
    assert sorted(await search(client, world, **{f"{cf}.is_set": "true"})) == ["Eight", "Three"]
    assert sorted(await search(client, world, **{f"{cf}.is_set": "false"})) == ["Outside", "Unset"]
    assert await search(client, world, **{f"{lb}.value": "green"}) == ["Eight"]
    assert await search(client, world, **{f"{lb}.starts_with": "red"}) == ["Three"]
    assert await search(client, world, **{f"{lb}.ends_with": "APPLE"}) == ["Three"]
    assert await search(client, world, **{f"{lb}.contains": "ree"}) == ["Eight"]
    assert await search(client, world, **{f"{lb}.contains": "%"}) == []
    assert await search(client, world, **{f"custom_fields.{stage}.value": build}) == ["Eight"]
    assert await search(client, world, **{f"{cf}.value": "3", f"{lb}.contains": "ree"}) == []
    path = f"/workspaces/{world.workspace}/projects/search"
    fails(await client.get(f"{path}?{cf}.starts_with=3"), 400, "Only for text custom fields")
    fails(await client.get(f"{path}?{cf}.value=many"), 400, "Not a number")
    fails(await client.get(f"{path}?{cf}.nearly=3"), 400)
    message = fails(await client.get(f"{path}?custom_fields.1.is_set=true"), 400)
    tasks_message = fails(
        await client.get(f"/workspaces/{world.workspace}/tasks/search?custom_fields.1.is_set=true"), 400
    )
    assert message == tasks_message == "custom_fields.1.is_set: Unknown object: 1"
    elsewhere = world.other_workspace("Elsewhere", "owner@example.com")
    body = {"workspace": elsewhere["workspace"], "name": "Far", "resource_subtype": "text"}
    far = ok(await client.post("/custom_fields", json={"data": body}), 201)["gid"]
    fails(await client.get(f"{path}?custom_fields.{far}.is_set=true"), 400, "Unknown object")


async def test_portfolios_any_finds_the_direct_items_the_caller_sees(client, world):
    bob, token = world.person("bob@example.com")
    folio = (await make_portfolio(client, world, name="Bets", privacy_setting="public_to_domain"))["gid"]
    nested = (await make_portfolio(client, world, name="Nested"))["gid"]
    other = (await make_portfolio(client, world, name="Other"))["gid"]
    for name, into, privacy in (
        ("Open", folio, "public_to_workspace"),
        ("Closed", folio, "private"),
        ("Deep", nested, "public_to_workspace"),
        ("Side", other, "public_to_workspace"),
    ):
        await add_item(
            client, into, (await make_project(client, world, name=name, privacy_setting=privacy))["gid"]
        )
    await add_item(client, folio, nested)
    await make_project(client, world, name="Loose")
    assert sorted(await search(client, world, **{"portfolios.any": folio})) == ["Closed", "Open"]
    assert sorted(await search(client, world, **{"portfolios.any": f"{folio},{nested}"})) == [
        "Closed", "Deep", "Open"
    ]  # fmt: skip
    assert await search(client, world, **{"portfolios.any": folio, "text": "open"}) == ["Open"]
    assert len(await search(client, world, **{"portfolios.any": ""})) == 5  # no portfolios: no filter
    path = f"/workspaces/{world.workspace}/projects/search"
    async with api_client(world.env, token) as as_bob:
        found = ok(await as_bob.get(path, params={"portfolios.any": folio}))
        assert [p["name"] for p in found] == ["Open"]  # the private item stays hidden
        # a members_only portfolio bob is not in answers as a made-up gid does
        hidden = fails(await as_bob.get(path, params={"portfolios.any": other}), 400)
        assert hidden == f"portfolios.any: Unknown object: {other}"
    assert bob
    elsewhere = world.other_workspace("Elsewhere", "owner@example.com")
    far = ok(
        await client.post("/portfolios", json={"data": {"name": "Far", "workspace": elsewhere["workspace"]}}),
        201,
    )
    fails(
        await client.get(path, params={"portfolios.any": far["gid"]}), 400, "portfolios.any: Unknown object"
    )
