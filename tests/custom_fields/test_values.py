"""Custom field values on tasks: every type's valid and invalid values, enabled/disabled rules,
multi-project tasks, opt_fields, and the journal."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import make_engine_for
from tests.custom_fields.helpers import make_field
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from vinyasa.custom_fields.values import KEYS

pytestmark = pytest.mark.anyio
VALUES = "SELECT count(*) FROM task_custom_field_values"
MAPS = "SELECT count(*) FROM task_custom_field_displays"


async def _attach(client, project: str, field: str) -> None:
    body = {"data": {"custom_field": field}}
    ok(await client.post(f"/projects/{project}/addCustomFieldSetting", json=body))


async def _detach(client, project: str, field: str) -> None:
    body = {"data": {"custom_field": field}}
    ok(await client.post(f"/projects/{project}/removeCustomFieldSetting", json=body))


async def _scene(client, world) -> dict[str, Any]:
    """A project with one field of each writable type, and a task in it."""
    project = (await make_project(client, world))["gid"]
    made = {
        "text": await make_field(client, world, "Notes"),
        "number": await make_field(
            client, world, "Cost", "number", precision=2, format="currency", currency_code="EUR"
        ),
        "enum": await make_field(client, world, "Stage", "enum", enum_options=[{"name": "a"}, {"name": "b"}]),
        "multi_enum": await make_field(
            client, world, "Tags", "multi_enum", enum_options=[{"name": "x"}, {"name": "y"}, {"name": "z"}]
        ),
        "date": await make_field(client, world, "When", "date"),
        "people": await make_field(client, world, "Who", "people"),
    }
    for field in made.values():
        await _attach(client, project, field["gid"])
    task = await make_task(client, world, "T", projects=[project])
    return {"project": project, "task": task, **made}


def _by_name(task: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in task["custom_fields"]}


async def test_task_shows_its_projects_fields_with_null_values(client, world):
    s = await _scene(client, world)
    task = ok(await client.get(f"/tasks/{s['task']}"))
    values = _by_name(task)
    assert list(values) == ["Notes", "Cost", "Stage", "Tags", "When", "Who"]
    assert all(v["enabled"] is True and v["display_value"] is None for v in values.values())
    assert values["Notes"]["text_value"] is None
    assert values["Cost"]["number_value"] is None and values["Cost"]["precision"] == 2
    assert [o["name"] for o in values["Stage"]["enum_options"]] == ["a", "b"]
    assert values["Tags"]["multi_enum_values"] == [] and values["Who"]["people_value"] == []
    assert (
        values["Stage"]["resource_type"] == "custom_field" and values["Stage"]["resource_subtype"] == "enum"
    )
    # a task in no project with settings has none
    lone = await make_task(client, world, "Lone")
    assert ok(await client.get(f"/tasks/{lone}"))["custom_fields"] == []


async def test_every_type_round_trips(client, world):
    s = await _scene(client, world)
    a, b = (o["gid"] for o in s["enum"]["enum_options"])
    x, y, z = (o["gid"] for o in s["multi_enum"]["enum_options"])
    colleague = world.person("pat@example.com")[0]
    given = {
        s["text"]["gid"]: "hello",
        s["number"]["gid"]: 3.14159,
        s["enum"]["gid"]: b,
        s["multi_enum"]["gid"]: [z, x],
        s["date"]["gid"]: {"date": "2026-12-01"},
        s["people"]["gid"]: ["me", colleague],
    }
    task = ok(await client.put(f"/tasks/{s['task']}", json={"data": {"custom_fields": given}}))
    values = _by_name(task)
    assert (values["Notes"]["text_value"], values["Notes"]["display_value"]) == ("hello", "hello")
    assert (values["Cost"]["number_value"], values["Cost"]["display_value"]) == (3.14, "EUR 3.14")
    assert values["Stage"]["enum_value"] == {
        "gid": b,
        "resource_type": "enum_option",
        "name": "b",
        "enabled": True,
        "color": "none",
    }
    assert values["Stage"]["display_value"] == "b"
    assert [o["name"] for o in values["Tags"]["multi_enum_values"]] == ["x", "z"]  # in the field's order
    assert values["Tags"]["display_value"] == "x, z"
    assert values["When"]["date_value"] == {"date": "2026-12-01", "date_time": None}
    assert values["When"]["display_value"] == "2026-12-01"
    assert sorted(u["gid"] for u in values["Who"]["people_value"]) == sorted([world.user, colleague])
    assert isinstance(values["Who"]["display_value"], str)
    assert ok(await client.get(f"/tasks/{s['task']}"))["custom_fields"] == task["custom_fields"]
    # a date-time, then clearing with null
    stamp = {s["date"]["gid"]: {"date_time": "2026-12-01T10:30:00+01:00"}}
    task = ok(await client.put(f"/tasks/{s['task']}", json={"data": {"custom_fields": stamp}}))
    assert _by_name(task)["When"]["date_value"] == {
        "date": "2026-12-01",
        "date_time": "2026-12-01T09:30:00.000Z",
    }
    cleared: dict[str, Any] = {s["text"]["gid"]: None, s["multi_enum"]["gid"]: []}
    task = ok(await client.put(f"/tasks/{s['task']}", json={"data": {"custom_fields": cleared}}))
    assert _by_name(task)["Notes"]["text_value"] is None
    assert _by_name(task)["Tags"]["multi_enum_values"] == []
    assert world.count(VALUES) == 4


@pytest.mark.parametrize(
    ("precision", "given", "kept", "shown"),
    [
        (0, 0.25, 0.25, "25%"),  # was stored as 0: the precision was counted on the fraction
        (0, 0.5, 0.5, "50%"),
        (0, 0.251, 0.25, "25%"),
        (1, 0.251, 0.251, "25.1%"),
        (2, 0.12345, 0.1235, "12.35%"),
        (0, 3, 3, "300%"),
    ],
)
async def test_a_percentage_keeps_its_precision_in_percent(client, world, precision, given, kept, shown):
    # Asana's spec (CustomFieldBase.precision): "For percentage format ... a value of 0.25 has a
    # precision of 0, while a value of 0.251 has a precision of 1. This is due to 0.25 being
    # displayed as 25%."
    project = (await make_project(client, world))["gid"]
    field = await make_field(client, world, "Done", "number", format="percentage", precision=precision)
    await _attach(client, project, field["gid"])
    task = await make_task(client, world, "T", projects=[project])
    body = {"data": {"custom_fields": {field["gid"]: given}}}
    (value,) = ok(await client.put(f"/tasks/{task}", json=body))["custom_fields"]
    assert (value["number_value"], value["display_value"]) == (kept, shown)
    search = f"/workspaces/{world.workspace}/tasks/search"
    found = ok(await client.get(search, params={f"custom_fields.{field['gid']}.value": kept}))
    assert [t["gid"] for t in found] == [task]


async def test_values_on_create(client, world):
    s = await _scene(client, world)
    body = {"name": "New", "projects": [s["project"]], "custom_fields": {s["number"]["gid"]: 2}}
    task = ok(await client.post("/tasks", json={"data": body}), 201)
    assert _by_name(task)["Cost"]["number_value"] == 2
    fails(
        await client.post(
            "/tasks",
            json={
                "data": {"name": "No", "workspace": world.workspace, "custom_fields": {s["number"]["gid"]: 2}}
            },
        ),
        400,
        f"custom_fields.{s['number']['gid']}: Not a custom field of this task",
    )
    assert world.count("SELECT count(*) FROM tasks WHERE name = 'No'") == 0


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("text", 5, "Not a string"),
        ("text", "x" * 1025, "Must be at most 1024 characters"),
        ("number", "5", "Not a number"),
        ("number", True, "Not a number"),
        ("enum", ["a"], "Not an enum option gid"),
        ("enum", "123", "Not an enum option of the custom field 'Stage'"),
        ("multi_enum", "x", "Not an array of enum option gids"),
        ("date", "2026-12-01", "Must be an object with one of date or date_time"),
        ("date", {"date": "2026-13-01"}, "Not a valid date"),
        ("date", {"date_time": "yesterday"}, "Not a valid ISO 8601 date-time"),
        (
            "date",
            {"date": "2026-12-01", "date_time": "2026-12-01T00:00:00Z"},
            "Must be an object with one of",
        ),
        ("people", "me", "Not an array of users"),
        ("people", ["nobody@example.com"], "Unknown object"),
    ],
)
async def test_bad_values_name_the_field_and_change_nothing(client, world, kind, value, message):
    s = await _scene(client, world)
    gid = s[kind]["gid"]
    good = {s["text"]["gid"]: "kept"}
    ok(await client.put(f"/tasks/{s['task']}", json={"data": {"custom_fields": good}}))
    before = world.count("SELECT count(*) FROM journal")
    body = {"name": "Renamed", "custom_fields": {s["text"]["gid"]: "changed", gid: value}}
    fails(await client.put(f"/tasks/{s['task']}", json={"data": body}), 400, f"custom_fields.{gid}", message)
    task = ok(await client.get(f"/tasks/{s['task']}"))
    assert task["name"] == "T" and _by_name(task)["Notes"]["text_value"] == "kept"
    assert world.count("SELECT count(*) FROM journal") == before


async def test_disabled_and_foreign_enum_options(client, world):
    s = await _scene(client, world)
    a, b = (o["gid"] for o in s["enum"]["enum_options"])
    other = await make_field(client, world, "Other", "enum", enum_options=[{"name": "o"}])
    ok(await client.put(f"/enum_options/{b}", json={"data": {"enabled": False}}))
    gid = s["enum"]["gid"]
    fails(
        await client.put(f"/tasks/{s['task']}", json={"data": {"custom_fields": {gid: b}}}),
        400,
        "The enum option 'b' is disabled",
    )
    fails(
        await client.put(
            f"/tasks/{s['task']}", json={"data": {"custom_fields": {gid: other["enum_options"][0]["gid"]}}}
        ),
        400,
        "Not an enum option",
    )
    ok(await client.put(f"/tasks/{s['task']}", json={"data": {"custom_fields": {gid: a}}}))
    # disabling the chosen option keeps the value
    ok(await client.put(f"/enum_options/{a}", json={"data": {"enabled": False}}))
    value = _by_name(ok(await client.get(f"/tasks/{s['task']}")))["Stage"]
    assert value["enum_value"]["gid"] == a and value["enum_value"]["enabled"] is False


async def test_removed_setting_disables_values_which_can_only_be_cleared(client, world):
    s = await _scene(client, world)
    gid = s["text"]["gid"]
    ok(await client.put(f"/tasks/{s['task']}", json={"data": {"custom_fields": {gid: "v"}}}))
    await _detach(client, s["project"], gid)
    value = _by_name(ok(await client.get(f"/tasks/{s['task']}")))["Notes"]
    assert (value["enabled"], value["text_value"]) == (False, "v")
    fails(
        await client.put(f"/tasks/{s['task']}", json={"data": {"custom_fields": {gid: "w"}}}),
        400,
        "is disabled on this task",
    )
    # re-adding the setting enables it again
    await _attach(client, s["project"], gid)
    assert _by_name(ok(await client.get(f"/tasks/{s['task']}")))["Notes"]["enabled"] is True
    await _detach(client, s["project"], gid)
    task = ok(await client.put(f"/tasks/{s['task']}", json={"data": {"custom_fields": {gid: None}}}))
    assert "Notes" not in _by_name(task)
    assert world.count(VALUES) == 0


async def test_multi_project_task_stays_enabled_while_any_project_has_the_field(client, world):
    s = await _scene(client, world)
    other = (await make_project(client, world, name="Other"))["gid"]
    gid = s["text"]["gid"]
    await _attach(client, other, gid)
    ok(await client.post(f"/tasks/{s['task']}/addProject", json={"data": {"project": other}}))
    ok(await client.put(f"/tasks/{s['task']}", json={"data": {"custom_fields": {gid: "v"}}}))
    await _detach(client, s["project"], gid)
    values = _by_name(ok(await client.get(f"/tasks/{s['task']}")))
    assert values["Notes"]["enabled"] is True
    assert [v["name"] for v in ok(await client.get(f"/tasks/{s['task']}"))["custom_fields"]].count(
        "Notes"
    ) == 1
    ok(await client.post(f"/tasks/{s['task']}/removeProject", json={"data": {"project": other}}))
    assert _by_name(ok(await client.get(f"/tasks/{s['task']}")))["Notes"]["enabled"] is False


async def test_deleting_the_field_deletes_values(client, world):
    s = await _scene(client, world)
    ok(await client.put(f"/tasks/{s['task']}", json={"data": {"custom_fields": {s["text"]["gid"]: "v"}}}))
    ok(await client.delete(f"/custom_fields/{s['text']['gid']}"))
    assert "Notes" not in _by_name(ok(await client.get(f"/tasks/{s['task']}")))
    assert world.count(VALUES) == 0
    assert world.count(MAPS) == 0  # the task's display map went with its last value


async def test_display_maps_follow_the_values(client, world):
    s = await _scene(client, world)
    task, text_field, number = s["task"], s["text"]["gid"], s["number"]["gid"]
    page = f"/projects/{s['project']}/tasks?opt_fields=custom_fields.display_value"

    async def shown() -> dict[str, Any]:
        listed = ok(await client.get(page))[0]["custom_fields"]
        return {v["gid"]: v["display_value"] for v in listed if v["display_value"] is not None}

    ok(await client.put(f"/tasks/{task}", json={"data": {"custom_fields": {text_field: "v", number: 2}}}))
    assert await shown() == {text_field: "v", number: "EUR 2.00"} and world.count(MAPS) == 1
    ok(await client.put(f"/tasks/{task}", json={"data": {"custom_fields": {text_field: "w"}}}))
    assert await shown() == {text_field: "w", number: "EUR 2.00"}
    ok(await client.delete(f"/custom_fields/{number}"))
    assert await shown() == {text_field: "w"}
    with world.env.engine.connect() as conn:  # the deleted field's key left the map too
        stored = conn.execute(
            text("SELECT displays FROM task_custom_field_displays WHERE task_gid = :t"), {"t": int(task)}
        ).scalar_one()
    assert number not in stored and text_field in stored
    ok(await client.put(f"/tasks/{task}", json={"data": {"custom_fields": {text_field: None}}}))
    assert await shown() == {} and world.count(MAPS) == 0


async def test_opt_fields_select_value_keys(client, world):
    s = await _scene(client, world)
    a = s["enum"]["enum_options"][0]["gid"]
    ok(await client.put(f"/tasks/{s['task']}", json={"data": {"custom_fields": {s["enum"]["gid"]: a}}}))
    task = ok(await client.get(f"/tasks/{s['task']}?opt_fields=custom_fields.display_value"))
    assert task["custom_fields"][2] == {"gid": s["enum"]["gid"], "display_value": "a"}
    assert all(set(v) == {"gid", "display_value"} for v in task["custom_fields"])
    task = ok(await client.get(f"/tasks/{s['task']}?opt_fields=custom_fields.enum_value.name"))
    assert task["custom_fields"][2] == {"gid": s["enum"]["gid"], "enum_value": {"gid": a, "name": "a"}}
    bare = ok(await client.get(f"/tasks/{s['task']}?opt_fields=custom_fields"))
    assert bare["custom_fields"][0] == {"gid": s["text"]["gid"], "resource_type": "custom_field"}
    listed = ok(
        await client.get(f"/projects/{s['project']}/tasks?opt_fields=name,custom_fields.display_value")
    )
    assert listed[0]["custom_fields"][2]["display_value"] == "a"


async def test_changes_are_journaled_as_custom_fields_changes(client, world):
    s = await _scene(client, world)
    before = world.count("SELECT count(*) FROM journal")
    body = {"custom_fields": {s["text"]["gid"]: "v", s["number"]["gid"]: 1}}
    ok(await client.put(f"/tasks/{s['task']}", json={"data": body}))
    rows = world.count(
        "SELECT count(*) FROM journal WHERE resource_gid = :t AND field = 'custom_fields' AND value_type = 'custom_field'",
        t=int(s["task"]),
    )
    assert rows == 2 and world.count("SELECT count(*) FROM journal") == before + 2
    ok(await client.put(f"/tasks/{s['task']}", json={"data": body}))  # unchanged: nothing recorded
    assert world.count("SELECT count(*) FROM journal") == before + 2


async def test_default_keys_follow_the_type(client, world):
    s = await _scene(client, world)
    values = _by_name(ok(await client.get(f"/tasks/{s['task']}")))
    common = {"gid", "resource_type", "name", "type", "resource_subtype", "representation_type", "enabled"}
    common |= {"display_value", "description", "is_formula_field"}
    assert set(values["Notes"]) == common | {"text_value"}
    number = {"precision", "format", "currency_code", "custom_label", "custom_label_position", "number_value"}
    assert set(values["Cost"]) == common | number
    assert set(values["Stage"]) == common | {"enum_options", "enum_value"}
    assert set(values["Tags"]) == common | {"enum_options", "multi_enum_values"}
    assert set(values["When"]) == common | {"date_value"}
    assert set(values["Who"]) == common | {"people_value"}
    # a key named explicitly is always there, null where the type has none
    named = ok(await client.get(f"/tasks/{s['task']}?opt_fields=custom_fields.number_value"))
    assert named["custom_fields"][0] == {"gid": s["text"]["gid"], "number_value": None}


async def test_deleting_a_project_or_a_task_cascades(client, world):
    s = await _scene(client, world)
    text_field = s["text"]["gid"]
    ok(await client.put(f"/tasks/{s['task']}", json={"data": {"custom_fields": {text_field: "v"}}}))
    other = await make_task(client, world, "Other", projects=[s["project"]])
    ok(await client.put(f"/tasks/{other}", json={"data": {"custom_fields": {text_field: "w"}}}))
    ok(await client.delete(f"/tasks/{other}"))
    assert world.count(VALUES) == 1
    ok(await client.delete(f"/projects/{s['project']}"))
    assert world.count("SELECT count(*) FROM custom_field_settings") == 0
    # the task outlives its project (Asana: it stays in no project); its value stays, disabled
    url = f"/tasks/{s['task']}?opt_fields=custom_fields.display_value,custom_fields.enabled"
    assert ok(await client.get(url))["custom_fields"] == [
        {"gid": text_field, "display_value": "v", "enabled": False}
    ]
    assert ok(await client.get(f"/tasks/{s['task']}?opt_fields=custom_fields.display_value"))[
        "custom_fields"
    ] == [{"gid": text_field, "display_value": "v"}]


async def test_display_only_pages_show_disabled_values_last(client, world):
    s = await _scene(client, world)
    a = s["enum"]["enum_options"][0]["gid"]
    values = {s["text"]["gid"]: "v", s["enum"]["gid"]: a, s["people"]["gid"]: ["me"]}
    ok(await client.put(f"/tasks/{s['task']}", json={"data": {"custom_fields": values}}))
    await _detach(client, s["project"], s["text"]["gid"])
    fields = "custom_fields.display_value,custom_fields.enabled,custom_fields.name"
    page = ok(await client.get(f"/projects/{s['project']}/tasks?opt_fields={fields}"))
    shown = [(v["name"], v["enabled"], v["display_value"]) for v in page[0]["custom_fields"]]
    owner = ok(await client.get("/users/me"))["name"]
    assert shown == [
        ("Cost", True, None),
        ("Stage", True, "a"),
        ("Tags", True, None),
        ("When", True, None),
        ("Who", True, owner),
        ("Notes", False, "v"),
    ]
    full = ok(await client.get(f"/tasks/{s['task']}"))
    assert [(v["name"], v["enabled"], v["display_value"]) for v in full["custom_fields"]] == shown


async def test_default_values_show_their_keys_in_asana_order(client, world):
    s = await _scene(client, world)
    a = s["enum"]["enum_options"][0]["gid"]
    body = {"custom_fields": {s["enum"]["gid"]: a, s["number"]["gid"]: 2, s["people"]["gid"]: ["me"]}}
    ok(await client.put(f"/tasks/{s['task']}", json={"data": body}))
    values = _by_name(ok(await client.get(f"/tasks/{s['task']}")))
    for value in values.values():  # gid, then the default keys each type has (a set test above)
        assert list(value) == ["gid", *(key for key in KEYS if key in value)]
    assert values["Cost"]["number_value"] == 2 and values["Cost"]["display_value"] == "EUR 2.00"


async def test_definition_changes_show_at_once(client, world):
    """Rendered values are kept between requests by what they were built from: a renamed enum
    option, a field's new name or precision, a user's new name show on the next read."""
    s = await _scene(client, world)
    task, stage, cost, who = s["task"], s["enum"], s["number"]["gid"], s["people"]["gid"]
    a = stage["enum_options"][0]["gid"]
    body = {"custom_fields": {stage["gid"]: a, cost: 2.75, who: ["me"]}}
    ok(await client.put(f"/tasks/{task}", json={"data": body}))
    before = _by_name(ok(await client.get(f"/tasks/{task}")))
    assert before["Stage"]["enum_value"]["name"] == "a" and before["Cost"]["display_value"] == "EUR 2.75"
    ok(await client.put(f"/enum_options/{a}", json={"data": {"name": "Alpha", "color": "red"}}))
    ok(await client.put(f"/custom_fields/{cost}", json={"data": {"name": "Price", "precision": 0}}))
    ok(await client.put(f"/custom_fields/{stage['gid']}", json={"data": {"description": "Where it is"}}))
    after = _by_name(ok(await client.get(f"/tasks/{task}")))
    assert after["Stage"]["enum_value"] == {
        "gid": a,
        "resource_type": "enum_option",
        "name": "Alpha",
        "enabled": True,
        "color": "red",
    }
    assert after["Stage"]["display_value"] == "Alpha" and after["Stage"]["description"] == "Where it is"
    assert after["Stage"]["enum_options"][0]["name"] == "Alpha"
    assert after["Price"]["display_value"] == "EUR 3" and after["Price"]["number_value"] == 3
    listed = ok(await client.get(f"/projects/{s['project']}/tasks?opt_fields=custom_fields.display_value"))
    assert {v["gid"]: v["display_value"] for v in listed[0]["custom_fields"]}[stage["gid"]] == "Alpha"


async def test_changes_by_another_process_show_at_once(client, world):
    """What one server process keeps of rendered values never hides a change another process
    committed (here: rows changed through another engine, behind this process's back)."""
    s = await _scene(client, world)
    task, stage, who = s["task"], s["enum"], s["people"]["gid"]
    a = stage["enum_options"][0]["gid"]
    ok(await client.put(f"/tasks/{task}", json={"data": {"custom_fields": {stage["gid"]: a, who: ["me"]}}}))
    before = _by_name(ok(await client.get(f"/tasks/{task}")))
    assert before["Stage"]["enum_value"]["name"] == "a" and before["Who"]["display_value"] is not None
    other = make_engine_for(world.env.url)
    try:
        with other.begin() as conn:
            conn.execute(
                text("UPDATE enum_options SET name = 'Other', enabled = :f WHERE gid = :g"),
                {"g": int(a), "f": False},
            )
            conn.execute(
                text("UPDATE custom_fields SET name = 'Phase' WHERE gid = :g"), {"g": int(stage["gid"])}
            )
            conn.execute(text("UPDATE users SET name = 'Renamed' WHERE gid = :g"), {"g": int(world.user)})
    finally:
        other.dispose()
    after = _by_name(ok(await client.get(f"/tasks/{task}")))
    assert (
        after["Phase"]["enum_value"]["name"] == "Other" and after["Phase"]["enum_value"]["enabled"] is False
    )
    assert (
        after["Phase"]["display_value"] == "Other" and after["Phase"]["enum_options"][0]["enabled"] is False
    )
    assert after["Who"]["people_value"][0]["name"] == "Renamed" and after["Who"]["display_value"] == "Renamed"


async def test_fields_follow_the_order_of_projects_then_of_settings(client, world):
    # the fields of the project a task joined first, in its settings' order, then the new ones of the next
    first = (await make_project(client, world, name="First"))["gid"]
    second = (await make_project(client, world, name="Second"))["gid"]
    a, b, c = [(await make_field(client, world, name))["gid"] for name in ("A", "B", "C")]
    for project, field in ((second, c), (second, a), (first, b), (first, a)):
        await _attach(client, project, field)
    both = await make_task(client, world, "Both", projects=[first])
    ok(await client.post(f"/tasks/{both}/addProject", json={"data": {"project": second}}))
    only = await make_task(client, world, "Only", projects=[second])
    assert [v["name"] for v in ok(await client.get(f"/tasks/{both}"))["custom_fields"]] == ["B", "A", "C"]
    listed = ok(await client.get(f"/projects/{second}/tasks?opt_fields=custom_fields.name"))
    assert {t["gid"]: [v["name"] for v in t["custom_fields"]] for t in listed} == {
        both: ["B", "A", "C"],
        only: ["C", "A"],
    }
