"""Reference custom field values (lists of tasks and projects) and stored display values:
access to what is referenced, input_restrictions, and displays kept right after field changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import api_client
from tests.custom_fields.helpers import make_field
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from vinyasa.custom_fields.values import TASK_VALUES

pytestmark = pytest.mark.anyio


async def _attach(client, project: str, field: str) -> None:
    ok(
        await client.post(
            f"/projects/{project}/addCustomFieldSetting", json={"data": {"custom_field": field}}
        )
    )


async def _put(client, task: str, values: dict[str, Any], fields: str = "") -> Any:
    query = f"?opt_fields={fields}" if fields else ""
    return await client.put(f"/tasks/{task}{query}", json={"data": {"custom_fields": values}})


def _value(task: dict[str, Any], field: str) -> dict[str, Any]:
    found: dict[str, Any] = next(v for v in task["custom_fields"] if v["gid"] == field)
    return found


async def test_reference_values_round_trip_in_order_and_render_names(client, world):
    project = (await make_project(client, world, name="Board"))["gid"]
    field = (await make_field(client, world, "Links", "reference", input_restrictions=["task", "project"]))[
        "gid"
    ]
    await _attach(client, project, field)
    task = await make_task(client, world, "T", projects=[project])
    first = await make_task(client, world, "First")
    second = await make_task(client, world, "Second")
    got = ok(await _put(client, task, {field: [second, project, first, second]}))
    value = _value(got, field)
    assert value["resource_subtype"] == "reference"
    assert value["reference_value"] == [
        {"gid": second, "resource_type": "task", "name": "Second"},
        {"gid": project, "resource_type": "project", "name": "Board"},
        {"gid": first, "resource_type": "task", "name": "First"},
    ]
    assert value["display_value"] == "Second, Board, First"
    shown = ok(await client.get(f"/tasks/{task}?opt_fields=custom_fields.display_value"))
    assert shown["custom_fields"] == [{"gid": field, "display_value": "Second, Board, First"}]
    names = ok(await client.get(f"/tasks/{task}?opt_fields=custom_fields.reference_value.name"))
    assert names["custom_fields"][0]["reference_value"][0] == {"gid": second, "name": "Second"}
    # names follow renames; deleted objects drop out; [] and null clear
    ok(await client.put(f"/tasks/{first}", json={"data": {"name": "Renamed"}}))
    ok(await client.delete(f"/tasks/{second}"))
    again = _value(ok(await client.get(f"/tasks/{task}")), field)
    assert [r["name"] for r in again["reference_value"]] == ["Board", "Renamed"]
    assert again["display_value"] == "Board, Renamed"
    cleared = _value(ok(await _put(client, task, {field: []})), field)
    assert cleared["reference_value"] == [] and cleared["display_value"] is None
    assert world.count("SELECT count(*) FROM task_custom_field_values") == 0


async def test_bad_references_are_400s_and_change_nothing(client, world):
    project = (await make_project(client, world))["gid"]
    tasks_only = (await make_field(client, world, "Tasks only", "reference"))["gid"]  # default: task
    await _attach(client, project, tasks_only)
    task = await make_task(client, world, "T", projects=[project])
    hidden_project = (await make_project(client, world, name="Secret", privacy_setting="private"))["gid"]
    hidden_task = await make_task(client, world, "Hidden", projects=[hidden_project])
    user, token = world.person("r@example.com")
    ok(await client.post(f"/projects/{project}/addMembers", json={"data": {"members": [user]}}))
    ok(await client.put(f"/projects/{project}", json={"data": {"default_access_level": "editor"}}))
    label = f"custom_fields.{tasks_only}"
    for value, message in (
        ("x", "Not an array of object gids"),
        ([1], "Not an array of object gids"),
        (["abc"], "Not a Long"),
        (["123456789"], "Unknown object"),
        ([project], "A project cannot be a value of the custom field 'Tasks only'"),
        ([world.workspace], "Unknown object"),
    ):
        fails(await _put(client, task, {tasks_only: value}), 400, label, message)
    async with api_client(world.env, token) as other:
        # a task the caller cannot see answers exactly like one that does not exist
        unseen = (await _put(other, task, {tasks_only: [hidden_task]})).json()
        unknown = (await _put(other, task, {tasks_only: ["123456789"]})).json()
        assert unseen["errors"][0]["message"].replace(hidden_task, "N") == unknown["errors"][0][
            "message"
        ].replace("123456789", "N")
        ok(await _put(other, task, {tasks_only: [task]}))
    assert world.count("SELECT count(*) FROM task_custom_field_values") == 1
    # what the reader cannot see is left out of what they read
    ok(await _put(client, task, {tasks_only: [hidden_task, task]}))
    async with api_client(world.env, token) as other:
        seen = _value(ok(await other.get(f"/tasks/{task}")), tasks_only)
        assert [r["gid"] for r in seen["reference_value"]] == [task]
        assert seen["display_value"] == "T"
    assert [
        r["gid"] for r in _value(ok(await client.get(f"/tasks/{task}")), tasks_only)["reference_value"]
    ] == [
        hidden_task,
        task,
    ]


async def test_references_must_be_in_the_tasks_workspace(client, world):
    project = (await make_project(client, world))["gid"]
    field = (await make_field(client, world, "Links", "reference"))["gid"]
    await _attach(client, project, field)
    task = await make_task(client, world, "T", projects=[project])
    other = world.other_workspace("Elsewhere", "owner@example.com")
    body = {"data": {"name": "Far", "workspace": other["workspace"]}}
    far = ok(await client.post("/tasks", json=body), 201)["gid"]
    fails(await _put(client, task, {field: [far]}), 400, "in another workspace")


async def test_stored_displays_follow_field_and_option_changes(client, world):
    project = (await make_project(client, world))["gid"]
    number = await make_field(client, world, "Cost", "number", precision=1)
    tags = await make_field(
        client, world, "Tags", "multi_enum", enum_options=[{"name": "x"}, {"name": "y"}, {"name": "z"}]
    )
    stage = await make_field(client, world, "Stage", "enum", enum_options=[{"name": "a"}])
    for field in (number, tags, stage):
        await _attach(client, project, field["gid"])
    x, y, z = (o["gid"] for o in tags["enum_options"])
    (a,) = (o["gid"] for o in stage["enum_options"])
    task = await make_task(client, world, "T", projects=[project])
    ok(await _put(client, task, {number["gid"]: 2.25, tags["gid"]: [z, x], stage["gid"]: a}))

    async def displays() -> list[str | None]:
        got = ok(await client.get(f"/tasks/{task}?opt_fields=custom_fields.display_value"))
        full = ok(await client.get(f"/tasks/{task}"))  # computed from the typed values
        assert [v["display_value"] for v in full["custom_fields"]] == [
            v["display_value"] for v in got["custom_fields"]
        ]
        return [v["display_value"] for v in got["custom_fields"]]

    assert await displays() == ["2.2", "x, z", "a"]
    ok(
        await client.put(
            f"/custom_fields/{number['gid']}", json={"data": {"precision": 3, "format": "percentage"}}
        )
    )
    ok(await client.put(f"/enum_options/{a}", json={"data": {"name": "Alpha"}}))
    body = {"data": {"enum_option": x, "after_enum_option": z}}
    ok(await client.post(f"/custom_fields/{tags['gid']}/enum_options/insert", json=body))
    ok(await client.put(f"/enum_options/{z}", json={"data": {"name": "Zed"}}))
    assert await displays() == ["220.000%", "Zed, x", "Alpha"]
    # a value stored without a display (written before displays were stored, its display map
    # built by the migration from it) is computed when read
    with world.env.engine.begin() as conn:
        conn.execute(text("UPDATE task_custom_field_values SET display_value = NULL"))
        owners = conn.execute(text("SELECT DISTINCT task_gid FROM task_custom_field_values")).scalars()
        TASK_VALUES.rebuild_displays(conn, sorted(owners))
    assert await displays() == ["220.000%", "Zed, x", "Alpha"]


async def test_people_display_follows_user_names(client, world):
    project = (await make_project(client, world))["gid"]
    who = (await make_field(client, world, "Who", "people"))["gid"]
    await _attach(client, project, who)
    tasks = [await make_task(client, world, f"T{i}", projects=[project]) for i in range(3)]
    for task in tasks:
        ok(await _put(client, task, {who: ["me"]}))
    with world.env.engine.begin() as conn:  # no API renames a user; a directory sync would
        conn.execute(
            text("UPDATE users SET name = 'Renamed Owner' WHERE gid = :gid"), {"gid": int(world.user)}
        )
    page = ok(await client.get(f"/projects/{project}/tasks?opt_fields=custom_fields.display_value"))
    assert [t["custom_fields"] for t in page] == [[{"gid": who, "display_value": "Renamed Owner"}]] * 3
