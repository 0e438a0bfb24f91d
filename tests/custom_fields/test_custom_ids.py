"""Custom ID fields (id_prefix) and GET /workspaces/{gid}/tasks/custom_id/{custom_id}: numbering
when a task gets the field, lookup, visibility, read-only values, duplicates (issue 23)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.abuse.test_races import pool, race, retried
from tests.conftest import World, api_client
from tests.custom_fields.helpers import make_field
from tests.helpers import fails, ok
from tests.jobs.helpers import job_result
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.anyio
__all__ = ["pool", "retried"]  # the fixtures, used by name


async def _attach(client, project: str, field: str) -> None:
    ok(
        await client.post(
            f"/projects/{project}/addCustomFieldSetting", json={"data": {"custom_field": field}}
        )
    )


async def _id_of(client, task: str, field: str) -> Any:
    data = ok(await client.get(f"/tasks/{task}", params={"opt_fields": "custom_fields.display_value"}))
    return next((v["display_value"] for v in data["custom_fields"] if v["gid"] == field), "absent")


async def _lookup(client, world: World, custom_id: str):
    return await client.get(f"/workspaces/{world.workspace}/tasks/custom_id/{custom_id}")


async def _scene(client, world: World) -> tuple[str, str]:
    """A project with an ENG ID field; (project, field)."""
    field = (await make_field(client, world, "Ticket", id_prefix="eng"))["gid"]
    project = (await make_project(client, world))["gid"]
    await _attach(client, project, field)
    return project, field


async def test_an_id_field_shows_its_prefix_and_representation(client, world: World) -> None:
    field = await make_field(client, world, "Ticket", id_prefix="eng")
    assert field["id_prefix"] == "ENG" and field["representation_type"] == "custom_id"
    assert field["resource_subtype"] == "text" and field["is_value_read_only"] is True
    plain = await make_field(client, world, "Plain")
    assert plain["id_prefix"] is None and plain["representation_type"] == "text"
    assert plain["is_value_read_only"] is False


async def test_bad_prefixes_are_400_and_create_nothing(client, world: World) -> None:
    await make_field(client, world, "Ticket", id_prefix="ENG")
    before = world.count("SELECT count(*) FROM custom_fields")
    body = {"workspace": world.workspace, "resource_subtype": "text"}
    for extra, words in (
        ({"name": "A", "id_prefix": "Eng"}, "already exists"),
        ({"name": "B", "id_prefix": "E-1"}, "letters or digits"),
        ({"name": "C", "id_prefix": ""}, "letters or digits"),
        ({"name": "D", "id_prefix": "ABCDEFGHIJK"}, "letters or digits"),
        ({"name": "E", "id_prefix": "N", "resource_subtype": "number"}, "Only a text custom field"),
    ):
        fails(await client.post("/custom_fields", json={"data": body | extra}), 400, "id_prefix", words)
    assert world.count("SELECT count(*) FROM custom_fields") == before


async def test_the_prefix_cannot_change(client, world: World) -> None:
    field = (await make_field(client, world, "Ticket", id_prefix="ENG"))["gid"]
    path = f"/custom_fields/{field}"
    fails(await client.put(path, json={"data": {"id_prefix": "OPS"}}), 400, "cannot be changed")
    ok(await client.put(path, json={"data": {"id_prefix": "ENG", "name": "Tickets"}}))


async def test_tasks_are_numbered_when_they_get_the_field(client, world: World) -> None:
    project, field = await _scene(client, world)
    first = await make_task(client, world, "one", projects=[project])
    second = await make_task(client, world, "two", projects=[project])
    loose = await make_task(client, world, "loose")
    assert await _id_of(client, first, field) == "ENG-1"
    assert await _id_of(client, second, field) == "ENG-2"
    assert await _id_of(client, loose, field) == "absent"
    ok(await client.post(f"/tasks/{loose}/addProject", json={"data": {"project": project}}))
    assert await _id_of(client, loose, field) == "ENG-3"
    # leaving and coming back keeps the number; the value is typed text and read-only
    ok(await client.post(f"/tasks/{loose}/removeProject", json={"data": {"project": project}}))
    ok(await client.post(f"/tasks/{loose}/addProject", json={"data": {"project": project}}))
    assert await _id_of(client, loose, field) == "ENG-3"
    data = ok(
        await client.get(
            f"/tasks/{first}",
            params={"opt_fields": "custom_fields.text_value,custom_fields.representation_type"},
        )
    )
    value = data["custom_fields"][0]
    assert value["text_value"] == "ENG-1" and value["representation_type"] == "custom_id"


async def test_adding_the_field_numbers_the_projects_tasks_oldest_first(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    tasks = [await make_task(client, world, f"t{i}", projects=[project]) for i in range(3)]
    field = (await make_field(client, world, "Ticket", id_prefix="OPS"))["gid"]
    await _attach(client, project, field)
    assert [await _id_of(client, t, field) for t in tasks] == ["OPS-1", "OPS-2", "OPS-3"]


async def test_lookup_answers_the_task(client, world: World) -> None:
    project, _ = await _scene(client, world)
    task = await make_task(client, world, "one", projects=[project])
    for custom_id in ("ENG-1", "eng-1"):
        data = ok(await _lookup(client, world, custom_id))
        assert data["gid"] == task and data["name"] == "one" and data["resource_type"] == "task"
    data = ok(await client.get(f"/workspaces/{world.workspace}/tasks/custom_id/ENG-1?opt_fields=name"))
    assert data == {"gid": task, "name": "one"}


async def test_unknown_ids_are_404_like_unknown_tasks(client, world: World) -> None:
    project, _ = await _scene(client, world)
    await make_task(client, world, "one", projects=[project])
    for custom_id in ("ENG-2", "OPS-1", "ENG-0", "ENG", "ENG-x", "-1", "ENG-1-1"):
        fails(await _lookup(client, world, custom_id), 404, f"Unknown task: {custom_id}")
    fails(await client.get("/workspaces/1/tasks/custom_id/ENG-1"), 404)
    other = world.other_workspace("Elsewhere", "stranger@example.com")["workspace"]
    fails(await client.get(f"/workspaces/{other}/tasks/custom_id/ENG-1"), 404, "Unknown workspace")


async def test_a_task_the_caller_cannot_see_is_404_as_unknown(client, world: World) -> None:
    field = (await make_field(client, world, "Ticket", id_prefix="SEC"))["gid"]
    project = (await make_project(client, world, privacy_setting="private"))["gid"]
    await _attach(client, project, field)
    await make_task(client, world, "hidden", projects=[project])
    _, token = world.person("bob@example.com")
    async with api_client(world.env, token) as bob:
        hidden = await bob.get(f"/workspaces/{world.workspace}/tasks/custom_id/SEC-1")
        unknown = await bob.get(f"/workspaces/{world.workspace}/tasks/custom_id/SEC-2")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["errors"][0]["message"].replace("SEC-1", "X") == unknown.json()["errors"][0][
        "message"
    ].replace("SEC-2", "X")


async def test_id_values_are_read_only(client, world: World) -> None:
    project, field = await _scene(client, world)
    task = await make_task(client, world, "one", projects=[project])
    for value in ("ENG-9", None):
        body = {"data": {"custom_fields": {field: value}}}
        fails(await client.put(f"/tasks/{task}", json=body), 400, f"custom_fields.{field}", "read-only")
    assert await _id_of(client, task, field) == "ENG-1"


async def test_a_duplicate_gets_a_number_of_its_own(client, world: World) -> None:
    project, field = await _scene(client, world)
    task = await make_task(client, world, "one", projects=[project])
    body = {"data": {"name": "copy", "include": "projects"}}
    job = ok(await client.post(f"/tasks/{task}/duplicate", json=body), 201)
    copy = (await job_result(client, world, job))["new_task"]["gid"]
    assert await _id_of(client, copy, field) == "ENG-2"
    assert ok(await _lookup(client, world, "ENG-1"))["gid"] == task
    assert ok(await _lookup(client, world, "ENG-2"))["gid"] == copy


async def test_racing_creates_never_share_a_number(client, world: World, pool) -> None:
    project, field = await _scene(client, world)
    create = ("POST", "/tasks", {"name": "raced", "projects": [project]})
    made: list[str] = []
    for _ in range(5):
        answers = race(pool, world, *([create] * 8))
        assert [a[0] for a in answers] == [201] * 8
        made += [a[1]["data"]["gid"] for a in answers]
    ids = [await _id_of(client, task, field) for task in made]
    assert sorted(ids, key=lambda i: int(i.split("-")[1])) == [f"ENG-{n}" for n in range(1, 41)]


async def test_one_task_numbered_by_two_settings_at_once_gets_one_number(client, world: World, pool, retried):
    # A task in two projects, the ID field added to both at once: one number, and neither request
    # has to run again (the counter's row is held before the unnumbered tasks are read).
    for i in range(10):
        field = (await make_field(client, world, f"Ticket {i}", id_prefix=f"T{i}"))["gid"]
        first, second = [(await make_project(client, world, name=f"P{i}{n}"))["gid"] for n in "ab"]
        task = await make_task(client, world, "x", projects=[first, second])
        answers = race(
            pool,
            world,
            *(
                ("POST", f"/projects/{p}/addCustomFieldSetting", {"custom_field": field})
                for p in (first, second)
            ),
        )
        assert [a[0] for a in answers] == [200, 200], answers
        assert await _id_of(client, task, field) == f"T{i}-1"
    assert retried == []
