"""Custom field settings on projects: add, remove, re-add, order, limits, and concurrent adds."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import pytest

from tests.conftest import api_client
from tests.custom_fields.helpers import make_field
from tests.helpers import fails, in_threads, ok
from tests.projects.helpers import make_project

pytestmark = pytest.mark.anyio
SETTINGS = "SELECT count(*) FROM custom_field_settings"


async def _add(client, project, field, **extra):
    body = {"data": {"custom_field": field, **extra}}
    return await client.post(f"/projects/{project}/addCustomFieldSetting", json=body)


async def _field_names(client, project) -> list[str]:
    data = ok(await client.get(f"/projects/{project}/custom_field_settings?opt_fields=custom_field.name"))
    return [s["custom_field"]["name"] for s in data]


async def test_add_answers_the_setting_and_the_project_lists_it(client, world):
    field = await make_field(client, world, "Stage", "enum", enum_options=[{"name": "a"}])
    project = (await make_project(client, world))["gid"]
    setting = ok(await _add(client, project, field["gid"], is_important=True))
    assert set(setting) == {"gid", "resource_type", "project", "is_important", "parent", "custom_field"}
    assert setting["resource_type"] == "custom_field_setting"
    assert setting["is_important"] is True
    assert (
        setting["parent"]
        == setting["project"]
        == {"gid": project, "resource_type": "project", "name": "Roadmap"}
    )
    assert setting["custom_field"]["gid"] == field["gid"]
    assert setting["custom_field"]["enum_options"] == field["enum_options"]
    listed = ok(await client.get(f"/projects/{project}/custom_field_settings"))
    assert listed == [setting]
    record = ok(await client.get(f"/projects/{project}"))
    assert record["custom_field_settings"] == [setting]
    compact = ok(await client.get(f"/projects/{project}?opt_fields=custom_field_settings.is_important"))
    assert compact["custom_field_settings"] == [{"gid": setting["gid"], "is_important": True}]


async def test_order_with_insert_before_and_after(client, world):
    project = (await make_project(client, world))["gid"]
    fields = [(await make_field(client, world, name))["gid"] for name in "ABCD"]
    a = ok(await _add(client, project, fields[0]))["gid"]
    ok(await _add(client, project, fields[1]))
    ok(await _add(client, project, fields[2], insert_before=a))
    ok(await _add(client, project, fields[3], insert_after=a))
    assert await _field_names(client, project) == ["C", "A", "D", "B"]
    page = await client.get(f"/projects/{project}/custom_field_settings?limit=3")
    assert len(page.json()["data"]) == 3 and page.json()["next_page"] is not None


async def test_remove_and_re_add(client, world):
    project = (await make_project(client, world))["gid"]
    field = (await make_field(client, world, "Stage"))["gid"]
    first = ok(await _add(client, project, field))["gid"]
    assert (
        ok(
            await client.post(
                f"/projects/{project}/removeCustomFieldSetting", json={"data": {"custom_field": field}}
            )
        )
        == {}
    )
    assert ok(await client.get(f"/projects/{project}/custom_field_settings")) == []
    fails(
        await client.post(
            f"/projects/{project}/removeCustomFieldSetting", json={"data": {"custom_field": field}}
        ),
        400,
        "custom_field: The custom field is not on this project",
    )
    again = ok(await _add(client, project, field))["gid"]
    assert again != first
    assert world.count(SETTINGS) == 1
    actions = world.count("SELECT count(*) FROM journal WHERE resource_type = 'custom_field_setting'")
    assert actions == 3


async def test_inline_new_field(client, world):
    project = (await make_project(client, world))["gid"]
    body = {"name": "Cost", "resource_subtype": "number", "format": "currency", "currency_code": "USD"}
    setting = ok(await _add(client, project, body))
    field = ok(await client.get(f"/custom_fields/{setting['custom_field']['gid']}"))
    assert (field["name"], field["currency_code"]) == ("Cost", "USD")
    fails(await _add(client, project, {"name": "Cost", "resource_subtype": "text"}), 400, "already exists")
    fails(await _add(client, project, {"name": "X"}), 400, "resource_subtype: Missing input")
    assert world.count("SELECT count(*) FROM custom_fields") == 1


async def test_bad_adds_change_nothing(client, world):
    project = (await make_project(client, world))["gid"]
    field = (await make_field(client, world, "Stage"))["gid"]
    setting = ok(await _add(client, project, field))["gid"]
    other_field = (await make_field(client, world, "Other"))["gid"]
    other_project = (await make_project(client, world, name="Other"))["gid"]
    foreign = ok(await _add(client, other_project, other_field))["gid"]
    stranger = world.other_workspace("Elsewhere", "s@example.com")
    _, token = world.person("s2@example.com", [str(stranger["workspace"])])
    async with api_client(world.env, token) as c:
        theirs = await make_field(c, world, "Theirs", workspace=stranger["workspace"])
    before = (world.count(SETTINGS), world.count("SELECT count(*) FROM journal"))
    fails(
        await _add(client, project, field), 400, "custom_field: The custom field is already on this project"
    )
    fails(
        await _add(client, project, other_field, insert_before=foreign),
        400,
        "insert_before: Not a custom field setting of this project",
    )
    fails(
        await _add(client, project, other_field, insert_before=setting, insert_after=setting),
        400,
        "cannot both be specified",
    )
    fails(await _add(client, project, theirs["gid"]), 400, "custom_field: Unknown object")
    fails(await _add(client, project, "abc"), 400, "custom_field: Not a Long")
    fails(await _add(client, project, 12), 400, "custom_field")
    fails(
        await client.post(f"/projects/{project}/addCustomFieldSetting", json={"data": {}}),
        400,
        "custom_field: Missing input",
    )
    fails(
        await client.post(
            f"/projects/{project}/removeCustomFieldSetting", json={"data": {"custom_field": "1"}}
        ),
        400,
        "custom_field: Unknown object",
    )
    assert (world.count(SETTINGS), world.count("SELECT count(*) FROM journal")) == before


async def test_at_most_twenty_fields(client, world):
    project = (await make_project(client, world))["gid"]
    for i in range(20):
        ok(await _add(client, project, (await make_field(client, world, f"F{i}"))["gid"]))
    last = (await make_field(client, world, "F20"))["gid"]
    fails(await _add(client, project, last), 400, "at most 20 custom fields")
    assert world.count(SETTINGS) == 20


async def test_access(client, world):
    project = (await make_project(client, world, privacy_setting="private"))["gid"]
    field = (await make_field(client, world, "Stage"))["gid"]
    viewer, token = world.person("v@example.com")
    ok(await client.put(f"/projects/{project}", json={"data": {"default_access_level": "viewer"}}))
    ok(await client.post(f"/projects/{project}/addMembers", json={"data": {"members": [viewer]}}))
    _, outsider_token = world.person("o@example.com")
    async with api_client(world.env, outsider_token) as c:
        fails(await _add(c, project, field), 404)
        fails(await c.get(f"/projects/{project}/custom_field_settings"), 404)
    async with api_client(world.env, token) as c:
        assert ok(await c.get(f"/projects/{project}/custom_field_settings")) == []
        fails(await _add(c, project, field), 403, "editor access")
    assert world.count(SETTINGS) == 0


async def test_concurrent_adds_keep_one_setting_each_in_a_total_order(world):
    async with api_client(world.env, world.token) as client:
        project = (await make_project(client, world))["gid"]
        fields = [(await make_field(client, world, f"F{i}"))["gid"] for i in range(8)]
    writers = 16
    barrier = threading.Barrier(writers)
    codes: list[int] = []

    def worker(i: int) -> None:
        async def go() -> int:
            async with api_client(world.env, world.token) as c:
                barrier.wait()
                return int((await _add(c, project, fields[i % len(fields)])).status_code)

        codes.append(asyncio.run(go()))

    in_threads(worker, writers)
    assert Counter(codes) == {200: 8, 400: 8}, codes
    assert world.count(SETTINGS) == 8
    assert world.count("SELECT count(DISTINCT position) FROM custom_field_settings") == 8
    async with api_client(world.env, world.token) as client:
        listed = ok(await client.get(f"/projects/{project}/custom_field_settings"))
    assert sorted(s["custom_field"]["gid"] for s in listed) == sorted(fields)


async def test_team_settings_are_the_fields_of_its_projects_the_caller_sees(client, world):
    shown = (await make_project(client, world, name="Shown"))["gid"]
    private = (await make_project(client, world, name="Private", privacy_setting="private"))["gid"]
    a, b, c = [(await make_field(client, world, name))["gid"] for name in "ABC"]
    made = []
    for project, field in ((shown, a), (shown, b), (private, b), (private, c)):
        made.append(ok(await _add(client, project, field))["gid"])
        await asyncio.sleep(0.002)  # "oldest" is by creation time (milliseconds)
    first_a, first_b, _, only_c = made
    url = f"/teams/{world.team}/custom_field_settings?opt_fields=custom_field.name,parent.name"
    listed = ok(await client.get(url))
    assert [s["gid"] for s in listed] == [first_a, first_b, only_c]
    assert [(s["custom_field"]["name"], s["parent"]["name"]) for s in listed] == [
        ("A", "Shown"),
        ("B", "Shown"),
        ("C", "Private"),
    ]
    record = ok(await client.get(f"/teams/{world.team}?opt_fields=custom_field_settings"))
    assert [s["gid"] for s in record["custom_field_settings"]] == [first_a, first_b, only_c]
    _, token = world.person("o@example.com")
    async with api_client(world.env, token) as other:
        assert [s["gid"] for s in ok(await other.get(url))] == [first_a, first_b]
        record = ok(await other.get(f"/teams/{world.team}?opt_fields=custom_field_settings"))
        assert [s["gid"] for s in record["custom_field_settings"]] == [first_a, first_b]
    ok(await client.post(f"/projects/{shown}/removeCustomFieldSetting", json={"data": {"custom_field": a}}))
    assert [s["gid"] for s in ok(await client.get(url))] == [first_b, only_c]
    fails(await client.get("/teams/123456789/custom_field_settings"), 404)
