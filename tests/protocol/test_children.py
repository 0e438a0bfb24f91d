"""Lists of child rows (`RefList.children`): a custom field's enum options, a project's or a
portfolio's custom field settings, read with their columns in one statement per render, in order."""

from __future__ import annotations

from typing import Any

import pytest

from tests.custom_fields.helpers import make_field
from tests.helpers import ok
from tests.projects.helpers import make_project
from vinyasa.protocol import sql

pytestmark = pytest.mark.anyio


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement read through `sql.fetch` (all the render engine's reads) while the test runs."""
    seen: list[str] = []
    fetch = sql.fetch

    def counting(conn: Any, statement: str, params: Any = ()) -> Any:
        seen.append(statement)
        return fetch(conn, statement, params)

    monkeypatch.setattr(sql, "fetch", counting)
    return seen


async def _fields(client, world) -> tuple[str, str, str]:
    """Two enum fields whose option order is not gid order, and a text field (no options)."""
    first = await make_field(client, world, "Stage", "enum", enum_options=[{"name": n} for n in "abc"])
    a, _b, c = (o["gid"] for o in first["enum_options"])
    body = {"enum_option": c, "before_enum_option": a}
    ok(await client.post(f"/custom_fields/{first['gid']}/enum_options/insert", json={"data": body}))
    second = await make_field(client, world, "Size", "enum", enum_options=[{"name": n} for n in "xy"])
    text = await make_field(client, world, "Note")
    return first["gid"], second["gid"], text["gid"]


async def test_options_of_many_fields_in_order_in_one_statement(client, world, statements):
    first, second, text = await _fields(client, world)
    statements.clear()
    listed = ok(
        await client.get(f"/workspaces/{world.workspace}/custom_fields?opt_fields=name,enum_options.name")
    )
    options = {f["name"]: [o["name"] for o in f["enum_options"]] for f in listed}
    assert options == {"Stage": ["c", "a", "b"], "Size": ["x", "y"], "Note": []}
    assert sum("FROM enum_options" in s for s in statements) == 1


async def test_bare_and_default_options(client, world):
    first, _second, _text = await _fields(client, world)
    full = ok(await client.get(f"/custom_fields/{first}"))
    assert [o["name"] for o in full["enum_options"]] == ["c", "a", "b"]
    assert set(full["enum_options"][0]) == {"gid", "resource_type", "name", "enabled", "color"}
    bare = ok(await client.get(f"/custom_fields/{first}?opt_fields=enum_options"))
    assert bare["enum_options"] == [
        {"gid": o["gid"], "resource_type": "enum_option"} for o in full["enum_options"]
    ]


async def test_project_settings_in_order_with_their_options(client, world, statements):
    first, second, text = await _fields(client, world)
    project = (await make_project(client, world))["gid"]
    for field in (first, second, text):
        ok(
            await client.post(
                f"/projects/{project}/addCustomFieldSetting", json={"data": {"custom_field": field}}
            )
        )
    third = ok(await client.get(f"/projects/{project}/custom_field_settings"))[2]["gid"]
    # move the text field's setting first: settings are in position order, not gid order
    ok(
        await client.post(
            f"/projects/{project}/removeCustomFieldSetting", json={"data": {"custom_field": text}}
        )
    )
    body = {
        "custom_field": text,
        "insert_before": ok(await client.get(f"/projects/{project}/custom_field_settings"))[0]["gid"],
    }
    ok(await client.post(f"/projects/{project}/addCustomFieldSetting", json={"data": body}))
    statements.clear()
    tree = "custom_field_settings.custom_field.name,custom_field_settings.custom_field.enum_options.name"
    record = ok(await client.get(f"/projects/{project}?opt_fields={tree}"))
    shown = [
        (s["custom_field"]["name"], [o["name"] for o in s["custom_field"]["enum_options"]])
        for s in record["custom_field_settings"]
    ]
    assert shown == [("Note", []), ("Stage", ["c", "a", "b"]), ("Size", ["x", "y"])]
    assert sum("FROM custom_field_settings" in s for s in statements) == 1
    assert sum("FROM enum_options" in s for s in statements) == 1
    assert third not in {s["gid"] for s in record["custom_field_settings"]}  # removed, not listed
    default = ok(await client.get(f"/projects/{project}"))
    assert [s["custom_field"]["name"] for s in default["custom_field_settings"]] == ["Note", "Stage", "Size"]
    assert default["custom_field_settings"] == ok(
        await client.get(f"/projects/{project}/custom_field_settings")
    )
