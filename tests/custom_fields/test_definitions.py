"""Custom field definitions: create, read, list, change, delete, and every type's attributes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import api_client
from tests.custom_fields.helpers import make_field, option_names
from tests.helpers import fails, ok
from tests.projects.helpers import make_project

pytestmark = pytest.mark.anyio

FULL = {
    "gid",
    "resource_type",
    "name",
    "resource_subtype",
    "type",
    "enum_options",
    "representation_type",
    "id_prefix",
    "input_restrictions",
    "is_formula_field",
    "is_value_read_only",
    "precision",
    "format",
    "currency_code",
    "custom_label",
    "custom_label_position",
    "is_global_to_workspace",
    "has_notifications_enabled",
    "asana_created_field",
    "privacy_setting",
    "default_access_level",
    "created_by",
}
FIELDS = "SELECT count(*) FROM custom_fields"


async def test_create_text_field_and_read_it(client, world):
    r = await client.post(
        "/custom_fields",
        json={"data": {"workspace": world.workspace, "name": "Notes", "resource_subtype": "text"}},
    )
    created = ok(r, 201)
    assert r.headers["Location"].endswith(f"/custom_fields/{created['gid']}")
    assert set(created) == FULL
    assert created["resource_type"] == "custom_field"
    assert created["type"] == created["resource_subtype"] == created["representation_type"] == "text"
    assert created["enum_options"] == []
    assert created["precision"] is None and created["format"] is None
    assert created["created_by"] == {"gid": world.user, "resource_type": "user", "name": "owner"}
    assert created["input_restrictions"] == ["task"]
    assert ok(await client.get(f"/custom_fields/{created['gid']}")) == created
    described = ok(await client.get(f"/custom_fields/{created['gid']}?opt_fields=description,name"))
    assert described == {"gid": created["gid"], "name": "Notes", "description": ""}


@pytest.mark.parametrize("subtype", ["text", "number", "enum", "multi_enum", "date", "people", "reference"])
async def test_every_type_can_be_created(client, world, subtype):
    field = await make_field(client, world, f"F {subtype}", subtype)
    assert field["resource_subtype"] == subtype
    assert (field["precision"], field["format"]) == ((0, "none") if subtype == "number" else (None, None))


async def test_number_formats(client, world):
    money = await make_field(
        client, world, "Cost", "number", format="currency", currency_code="eur", precision=2
    )
    assert (money["format"], money["currency_code"], money["precision"]) == ("currency", "EUR", 2)
    ident = await make_field(client, world, "Id", "number", format="identifier", precision=3)
    assert ident["precision"] == 0
    label = await make_field(client, world, "Pts", "number", format="custom", custom_label="pts")
    assert (label["custom_label"], label["custom_label_position"]) == ("pts", "suffix")
    # switching away from currency drops the code; a code with another format is a 400
    changed = ok(await client.put(f"/custom_fields/{money['gid']}", json={"data": {"format": "percentage"}}))
    assert (changed["format"], changed["currency_code"], changed["precision"]) == ("percentage", None, 2)
    fails(
        await client.put(f"/custom_fields/{money['gid']}", json={"data": {"currency_code": "USD"}}),
        400,
        "currency_code: Only a field with the currency format",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "X"}, "resource_subtype: Missing input"),
        ({"resource_subtype": "text"}, "name: Missing input"),
        ({"resource_subtype": "text", "name": "  "}, "name: Cannot be empty"),
        ({"resource_subtype": "color", "name": "X"}, "resource_subtype: Not a valid enum value"),
        ({"resource_subtype": "text", "name": "X", "precision": 2}, "precision: Only number custom fields"),
        (
            {"resource_subtype": "number", "name": "X", "precision": 7},
            "precision: Must be an integer between 0",
        ),
        (
            {"resource_subtype": "number", "name": "X", "precision": -1},
            "precision: Must be an integer between 0",
        ),
        ({"resource_subtype": "number", "name": "X", "format": "currency"}, "currency_code: Required"),
        (
            {"resource_subtype": "number", "name": "X", "format": "currency", "currency_code": "dollars"},
            "currency_code: Not an ISO 4217",
        ),
        ({"resource_subtype": "number", "name": "X", "custom_label": "x"}, "custom_label: Only a field with"),
        (
            {"resource_subtype": "text", "name": "X", "enum_options": [{"name": "a"}]},
            "enum_options: Only enum",
        ),
        (
            {"resource_subtype": "enum", "name": "X", "enum_options": [{"color": "red"}]},
            "enum_options[0].name",
        ),
        ({"resource_subtype": "text", "name": "X", "type": "number"}, "type: type and resource_subtype"),
        ({"resource_subtype": "text", "name": "x" * 1025}, "name: Must be at most 1024"),
    ],
)
async def test_bad_definitions_change_nothing(client, world, body, message):
    fails(
        await client.post("/custom_fields", json={"data": {"workspace": world.workspace, **body}}),
        400,
        message,
    )
    assert world.count(FIELDS) == 0
    assert world.count("SELECT count(*) FROM journal") == 0


async def test_workspace_is_required_and_must_be_visible(client, world):
    fails(
        await client.post("/custom_fields", json={"data": {"name": "X", "resource_subtype": "text"}}),
        400,
        "workspace: Missing input",
    )
    other = world.other_workspace("Elsewhere", "someone@example.com")
    body = {"workspace": other["workspace"], "name": "X", "resource_subtype": "text"}
    fails(await client.post("/custom_fields", json={"data": body}), 400, "workspace: Unknown object")
    assert world.count(FIELDS) == 0


async def test_duplicate_name_in_workspace_is_400_ignoring_case(client, world):
    first = await make_field(client, world, "Priority")
    body = {"workspace": world.workspace, "name": "PRIORITY", "resource_subtype": "number"}
    fails(await client.post("/custom_fields", json={"data": body}), 400, "already exists")
    other = await make_field(client, world, "Other")
    fails(
        await client.put(f"/custom_fields/{other['gid']}", json={"data": {"name": "priority"}}),
        400,
        "already exists",
    )
    # renaming a field to a new case of its own name is fine
    renamed = ok(await client.put(f"/custom_fields/{first['gid']}", json={"data": {"name": "PRIORITY"}}))
    assert renamed["name"] == "PRIORITY"
    assert world.count(FIELDS) == 2


async def test_update_rules(client, world):
    field = await make_field(client, world, "Size", "number")
    gid = field["gid"]
    fails(
        await client.put(f"/custom_fields/{gid}", json={"data": {"resource_subtype": "text"}}),
        400,
        "resource_subtype: A custom field's type cannot be changed",
    )
    fails(
        await client.put(f"/custom_fields/{gid}", json={"data": {"type": "enum"}}),
        400,
        "type: A custom field's type",
    )
    fails(
        await client.put(f"/custom_fields/{gid}", json={"data": {"enum_options": []}}),
        400,
        "enum_options: Cannot be written",
    )
    fails(
        await client.put(f"/custom_fields/{gid}", json={"data": {"name": None}}), 400, "name: Cannot be null"
    )
    assert ok(await client.get(f"/custom_fields/{gid}")) == field
    same = ok(
        await client.put(
            f"/custom_fields/{gid}", json={"data": {"resource_subtype": "number", "name": "Size"}}
        )
    )
    assert same == field
    changed = ok(
        await client.put(
            f"/custom_fields/{gid}",
            json={
                "data": {
                    "name": "Estimate",
                    "description": "hours",
                    "precision": 1,
                    "has_notifications_enabled": False,
                }
            },
        )
    )
    assert (changed["name"], changed["precision"], changed["has_notifications_enabled"]) == (
        "Estimate",
        1,
        False,
    )
    assert ok(await client.get(f"/custom_fields/{gid}?opt_fields=description"))["description"] == "hours"
    with world.db() as conn:
        from sqlalchemy import text

        fields = {
            r[0]
            for r in conn.execute(
                text("SELECT field FROM journal WHERE resource_gid = :g AND action = 'changed'"),
                {"g": int(gid)},
            )
        }
    assert fields == {"name", "description", "precision", "has_notifications_enabled"}


async def test_workspace_list_is_paginated_oldest_first(client, world, tick):
    made = []
    for i in range(5):
        made.append((await make_field(client, world, f"F{i}"))["gid"])
        tick()
    listed = ok(await client.get(f"/workspaces/{world.workspace}/custom_fields"))
    assert [f["gid"] for f in listed] == made
    assert set(listed[0]) == {
        "gid",
        "resource_type",
        "name",
        "resource_subtype",
        "type",
        "enum_options",
        "representation_type",
        "is_formula_field",
    }
    page = await client.get(f"/workspaces/{world.workspace}/custom_fields?limit=2")
    body = page.json()
    assert [f["gid"] for f in body["data"]] == made[:2]
    rest = ok(
        await client.get(
            f"/workspaces/{world.workspace}/custom_fields?limit=10&offset={body['next_page']['offset']}"
        )
    )
    assert [f["gid"] for f in rest] == made[2:]


async def test_outsiders_see_nothing(client, world):
    field = await make_field(client, world, "Secret", "enum", enum_options=[{"name": "a"}])
    option = field["enum_options"][0]["gid"]
    other = world.other_workspace("Elsewhere", "stranger@example.com")
    _, token = world.person("outsider@example.com", [str(other["workspace"])])
    async with api_client(world.env, token) as stranger:
        fails(await stranger.get(f"/custom_fields/{field['gid']}"), 404)
        fails(await stranger.put(f"/custom_fields/{field['gid']}", json={"data": {"name": "Mine"}}), 404)
        fails(await stranger.delete(f"/custom_fields/{field['gid']}"), 404)
        fails(await stranger.put(f"/enum_options/{option}", json={"data": {"name": "b"}}), 404)
        fails(
            await stranger.post(f"/custom_fields/{field['gid']}/enum_options", json={"data": {"name": "b"}}),
            404,
        )
        fails(await stranger.get(f"/workspaces/{world.workspace}/custom_fields"), 404)
    fails(await client.get("/custom_fields/123"), 404)
    fails(await client.get("/custom_fields/abc"), 404)
    assert ok(await client.get(f"/custom_fields/{field['gid']}"))["name"] == "Secret"


async def test_delete_takes_options_and_settings(client, world):
    field = await make_field(client, world, "Stage", "enum", enum_options=[{"name": "a"}, {"name": "b"}])
    project = (await make_project(client, world))["gid"]
    ok(
        await client.post(
            f"/projects/{project}/addCustomFieldSetting", json={"data": {"custom_field": field["gid"]}}
        )
    )
    ok(await client.delete(f"/custom_fields/{field['gid']}"))
    fails(await client.get(f"/custom_fields/{field['gid']}"), 404)
    assert world.count("SELECT count(*) FROM enum_options") == 0
    assert ok(await client.get(f"/projects/{project}/custom_field_settings")) == []
    assert (
        ok(await client.get(f"/projects/{project}?opt_fields=custom_field_settings"))["custom_field_settings"]
        == []
    )
    actions = world.count("SELECT count(*) FROM journal WHERE action IN ('deleted', 'removed')")
    assert actions == 2
    # the name is free again
    await make_field(client, world, "Stage")


# ---- enum options ---------------------------------------------------------------------------------


async def test_enum_options_on_create_and_after(client, world):
    field = await make_field(
        client, world, "Stage", "enum", enum_options=[{"name": "a", "color": "red"}, {"name": "b"}]
    )
    assert [(o["name"], o["color"], o["enabled"]) for o in field["enum_options"]] == [
        ("a", "red", True),
        ("b", "none", True),
    ]
    assert set(field["enum_options"][0]) == {"gid", "resource_type", "name", "enabled", "color"}
    a, b = (o["gid"] for o in field["enum_options"])
    gid = field["gid"]
    r = await client.post(f"/custom_fields/{gid}/enum_options", json={"data": {"name": "c"}})
    c = ok(r, 201)
    assert c == {
        "gid": c["gid"],
        "resource_type": "enum_option",
        "name": "c",
        "enabled": True,
        "color": "none",
    }
    ok(
        await client.post(
            f"/custom_fields/{gid}/enum_options", json={"data": {"name": "d", "insert_before": a}}
        ),
        201,
    )
    ok(
        await client.post(
            f"/custom_fields/{gid}/enum_options", json={"data": {"name": "e", "insert_after": a}}
        ),
        201,
    )
    assert await option_names(client, gid) == ["d", "a", "e", "b", "c"]
    moved = ok(
        await client.post(
            f"/custom_fields/{gid}/enum_options/insert",
            json={"data": {"enum_option": c["gid"], "before_enum_option": a}},
        )
    )
    assert moved["gid"] == c["gid"]
    ok(
        await client.post(
            f"/custom_fields/{gid}/enum_options/insert",
            json={"data": {"enum_option": a, "after_enum_option": b}},
        )
    )
    assert await option_names(client, gid) == ["d", "c", "e", "b", "a"]


async def test_many_inserts_keep_order(client, world):
    field = await make_field(
        client, world, "Many", "multi_enum", enum_options=[{"name": "first"}, {"name": "last"}]
    )
    first = field["enum_options"][0]["gid"]
    for i in range(30):  # always just after `first`: gaps halve until the list is renumbered
        ok(
            await client.post(
                f"/custom_fields/{field['gid']}/enum_options",
                json={"data": {"name": str(i), "insert_after": first}},
            ),
            201,
        )
    assert await option_names(client, field["gid"]) == [
        "first",
        *[str(i) for i in reversed(range(30))],
        "last",
    ]


async def test_enum_option_bad_input_changes_nothing(client, world):
    field = await make_field(client, world, "Stage", "enum", enum_options=[{"name": "a"}])
    other = await make_field(client, world, "Other", "enum", enum_options=[{"name": "x"}])
    text = await make_field(client, world, "Text")
    ids = {"gid": field["gid"], "a": field["enum_options"][0]["gid"], "x": other["enum_options"][0]["gid"]}
    ids["text"] = text["gid"]
    options, insert = "/custom_fields/{gid}/enum_options", "/custom_fields/{gid}/enum_options/insert"
    cases: list[tuple[str, str, dict[str, Any], int, str]] = [
        ("POST", options, {}, 400, "name: Missing input"),
        ("POST", options, {"name": ""}, 400, "name: Cannot be empty"),
        (
            "POST",
            options,
            {"name": "b", "insert_before": "{x}"},
            400,
            "insert_before: Not an enum option of this",
        ),
        (
            "POST",
            options,
            {"name": "b", "insert_before": "{a}", "insert_after": "{a}"},
            400,
            "Cannot provide both",
        ),
        ("POST", "/custom_fields/{text}/enum_options", {"name": "b"}, 400, "Only enum and multi_enum"),
        ("POST", insert, {"enum_option": "{a}"}, 400, "One of before_enum_option or after_enum_option"),
        ("POST", insert, {"enum_option": "{a}", "after_enum_option": "{a}"}, 400, "relative to itself"),
        (
            "POST",
            insert,
            {"enum_option": "{x}", "after_enum_option": "{a}"},
            400,
            "enum_option: Not an enum option",
        ),
        ("PUT", "/enum_options/{a}", {"name": None}, 400, "name: Cannot be null"),
        ("PUT", "/enum_options/{a}", {"enabled": "maybe"}, 400, "enabled: Not a boolean"),
        ("PUT", "/enum_options/999", {"name": "z"}, 404, "Unknown enum_option"),
    ]
    before = world.count("SELECT count(*) FROM journal")
    for method, path, body, status, message in cases:
        data = {k: v.format(**ids) if isinstance(v, str) else v for k, v in body.items()}
        fails(await client.request(method, path.format(**ids), json={"data": data}), status, message)
    gid = field["gid"]
    assert await option_names(client, gid) == ["a"]
    assert world.count("SELECT count(*) FROM journal") == before


async def test_disable_and_rename_option(client, world):
    field = await make_field(client, world, "Stage", "enum", enum_options=[{"name": "a"}])
    a = field["enum_options"][0]["gid"]
    changed = ok(
        await client.put(
            f"/enum_options/{a}", json={"data": {"enabled": False, "name": "A", "color": "blue"}}
        )
    )
    assert changed == {
        "gid": a,
        "resource_type": "enum_option",
        "name": "A",
        "enabled": False,
        "color": "blue",
    }
    assert ok(await client.get(f"/custom_fields/{field['gid']}"))["enum_options"] == [changed]
    assert ok(await client.put(f"/enum_options/{a}", json={"data": {"enabled": True}}))["enabled"] is True
