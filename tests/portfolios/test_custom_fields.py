"""Custom fields on portfolios: settings (add, remove, list, the 20 limit), values on the item
projects one child deep (not their tasks), written with PUT /projects, and the portfolio's own
values (given by a portfolio it is in) written with PUT /portfolios."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.portfolios.helpers import add_item, make_portfolio
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.anyio


async def _field(client, world, name, kind="text", **extra):
    data = {"workspace": world.workspace, "name": name, "resource_subtype": kind, **extra}
    made: dict[str, Any] = ok(await client.post("/custom_fields", json={"data": data}), 201)
    return made


async def _values(client, path):
    got = ok(
        await client.get(path, params={"opt_fields": "custom_fields.display_value,custom_fields.enabled"})
    )
    return {v["gid"]: (v["display_value"], v["enabled"]) for v in got["custom_fields"]}


async def test_settings_on_a_portfolio(client, world):
    folio = (await make_portfolio(client, world))["gid"]
    first = await _field(client, world, "Budget", "number", precision=0)
    second = await _field(client, world, "Stage", "enum", enum_options=[{"name": "a"}])
    made = ok(
        await client.post(
            f"/portfolios/{folio}/addCustomFieldSetting", json={"data": {"custom_field": first["gid"]}}
        )
    )
    assert made["parent"] == {"gid": folio, "resource_type": "portfolio", "name": "Bets"}
    assert made["project"] is None and made["custom_field"]["gid"] == first["gid"]
    body = {"data": {"custom_field": second["gid"], "insert_before": made["gid"]}}
    ok(await client.post(f"/portfolios/{folio}/addCustomFieldSetting", json=body))
    listed = ok(await client.get(f"/portfolios/{folio}/custom_field_settings"))
    assert [s["custom_field"]["gid"] for s in listed] == [second["gid"], first["gid"]]
    got = ok(
        await client.get(
            f"/portfolios/{folio}", params={"opt_fields": "custom_field_settings.custom_field.name"}
        )
    )
    assert [s["custom_field"]["name"] for s in got["custom_field_settings"]] == ["Stage", "Budget"]
    fails(
        await client.post(
            f"/portfolios/{folio}/addCustomFieldSetting", json={"data": {"custom_field": first["gid"]}}
        ),
        400,
        "already",
    )
    path = f"/portfolios/{folio}/removeCustomFieldSetting"
    assert ok(await client.post(path, json={"data": {"custom_field": second["gid"]}})) == {}
    fails(
        await client.post(path, json={"data": {"custom_field": second["gid"]}}), 400, "not on this portfolio"
    )
    assert len(ok(await client.get(f"/portfolios/{folio}/custom_field_settings"))) == 1


async def test_at_most_20_fields(client, world):
    folio = (await make_portfolio(client, world))["gid"]
    for i in range(20):
        body = {"data": {"custom_field": {"name": f"F{i}", "resource_subtype": "text"}}}
        ok(await client.post(f"/portfolios/{folio}/addCustomFieldSetting", json=body))
    body = {"data": {"custom_field": {"name": "F20", "resource_subtype": "text"}}}
    fails(await client.post(f"/portfolios/{folio}/addCustomFieldSetting", json=body), 400, "20")
    assert world.count("SELECT count(*) FROM custom_field_settings") == 20


async def test_fields_reach_item_projects_one_level_deep(client, world):
    folio = (await make_portfolio(client, world))["gid"]
    field = await _field(client, world, "Budget", "number", precision=0)
    project = (await make_project(client, world))["gid"]
    outside = (await make_project(client, world, name="Outside"))["gid"]
    task = await make_task(client, world, "T", projects=[project])
    await add_item(client, folio, project)
    ok(
        await client.post(
            f"/portfolios/{folio}/addCustomFieldSetting", json={"data": {"custom_field": field["gid"]}}
        )
    )
    assert await _values(client, f"/projects/{project}") == {field["gid"]: (None, True)}
    assert await _values(client, f"/projects/{outside}") == {}
    assert await _values(client, f"/tasks/{task}") == {}  # not the project's tasks
    got = ok(await client.put(f"/projects/{project}", json={"data": {"custom_fields": {field["gid"]: 42}}}))
    assert [(v["gid"], v["number_value"]) for v in got["custom_fields"]] == [(field["gid"], 42)]
    assert await _values(client, f"/projects/{project}") == {field["gid"]: ("42", True)}
    fails(
        await client.put(f"/projects/{outside}", json={"data": {"custom_fields": {field["gid"]: 1}}}),
        400,
        f"custom_fields.{field['gid']}: Not a custom field of this project (add it to one of its portfolios)",
    )
    fails(
        await client.put(f"/tasks/{task}", json={"data": {"custom_fields": {field["gid"]: 1}}}),
        400,
        f"custom_fields.{field['gid']}: Not a custom field of this task (add it to one of its projects)",
    )
    fails(
        await client.put(f"/projects/{project}", json={"data": {"custom_fields": {field["gid"]: "many"}}}),
        400,
        "custom_fields",
    )
    assert await _values(client, f"/projects/{project}") == {field["gid"]: ("42", True)}
    # out of the portfolio: the value stays, disabled, and can only be cleared
    ok(await client.post(f"/portfolios/{folio}/removeItem", json={"data": {"item": project}}))
    assert await _values(client, f"/projects/{project}") == {field["gid"]: ("42", False)}
    fails(
        await client.put(f"/projects/{project}", json={"data": {"custom_fields": {field["gid"]: 7}}}),
        400,
        "disabled",
    )
    ok(await client.put(f"/projects/{project}", json={"data": {"custom_fields": {field["gid"]: None}}}))
    assert await _values(client, f"/projects/{project}") == {}
    changed = world.count(
        "SELECT count(*) FROM journal WHERE resource_gid = :p AND field = 'custom_fields'", p=int(project)
    )
    assert changed == 2


async def test_a_portfolios_own_values_come_from_its_parents(client, world):
    top = (await make_portfolio(client, world, name="Top"))["gid"]
    child = (await make_portfolio(client, world, name="Child"))["gid"]
    field = await _field(client, world, "Owner note")
    ok(
        await client.post(
            f"/portfolios/{top}/addCustomFieldSetting", json={"data": {"custom_field": field["gid"]}}
        )
    )
    fails(
        await client.put(f"/portfolios/{child}", json={"data": {"custom_fields": {field["gid"]: "x"}}}),
        400,
        "Not a custom field of this portfolio (add it to one of its portfolios)",
    )
    assert (await _values(client, f"/portfolios/{top}")) == {}  # its settings are for its items
    await add_item(client, top, child)
    got = ok(
        await client.put(f"/portfolios/{child}", json={"data": {"custom_fields": {field["gid"]: "hello"}}})
    )
    assert [(v["gid"], v["text_value"]) for v in got["custom_fields"]] == [(field["gid"], "hello")]
    assert await _values(client, f"/portfolios/{child}") == {field["gid"]: ("hello", True)}
    viewer, token = world.person("viewer@example.com")
    ok(await client.put(f"/portfolios/{child}", json={"data": {"default_access_level": "viewer"}}))
    ok(await client.post(f"/portfolios/{child}/addMembers", json={"data": {"members": [viewer]}}))
    async with api_client(world.env, token) as c:
        fails(
            await c.put(f"/portfolios/{child}", json={"data": {"custom_fields": {field["gid"]: "no"}}}), 403
        )
        fails(
            await c.post(
                f"/portfolios/{child}/addCustomFieldSetting", json={"data": {"custom_field": field["gid"]}}
            ),
            403,
        )
        assert len(ok(await c.get(f"/portfolios/{child}/custom_field_settings"))) == 0
    ok(await client.delete(f"/custom_fields/{field['gid']}"))
    assert await _values(client, f"/portfolios/{child}") == {}


async def test_reference_values_may_hold_portfolios(client, world):
    folio = (await make_portfolio(client, world, name="Bets"))["gid"]
    hidden = (await make_portfolio(client, world, name="Secret"))["gid"]
    field = await _field(client, world, "Related", "reference", input_restrictions=["portfolio"])
    project = (await make_project(client, world))["gid"]
    ok(
        await client.post(
            f"/projects/{project}/addCustomFieldSetting", json={"data": {"custom_field": field["gid"]}}
        )
    )
    task = await make_task(client, world, "T", projects=[project])
    got = ok(
        await client.put(f"/tasks/{task}", json={"data": {"custom_fields": {field["gid"]: [folio, hidden]}}})
    )
    (value,) = got["custom_fields"]
    assert [(r["gid"], r["resource_type"]) for r in value["reference_value"]] == [
        (folio, "portfolio"),
        (hidden, "portfolio"),
    ]
    bob, token = world.person("bob@example.com")
    ok(await client.post(f"/projects/{project}/addMembers", json={"data": {"members": [bob]}}))
    ok(await client.post(f"/portfolios/{folio}/addMembers", json={"data": {"members": [bob]}}))
    async with api_client(world.env, token) as c:
        seen = ok(await c.get(f"/tasks/{task}", params={"opt_fields": "custom_fields.reference_value.name"}))
        assert [r["gid"] for r in seen["custom_fields"][0]["reference_value"]] == [folio]
        fails(await c.put(f"/tasks/{task}", json={"data": {"custom_fields": {field["gid"]: [hidden]}}}), 400)
