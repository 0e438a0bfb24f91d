"""Project templates: saveAsTemplate, the template endpoints, instantiateProject."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, api_client
from tests.helpers import fails, ok
from tests.jobs.helpers import job_result, source_project, structure

pytestmark = pytest.mark.anyio


async def _save(client, world: World, project: str, **body: Any) -> Any:
    data = {"name": "Plan", "public": True, "team": world.team, **body}
    job = ok(await client.post(f"/projects/{project}/saveAsTemplate", json={"data": data}), 201)
    assert job["resource_subtype"] == "save_as_template"
    done = await job_result(client, world, job)
    assert done["status"] == "succeeded", done
    assert done["new_project_template"]["name"] == data["name"]
    return ok(await client.get(f"/project_templates/{done['new_project_template']['gid']}"))


async def _instantiate(client, world: World, template: str, **body: Any) -> Any:
    job = ok(
        await client.post(
            f"/project_templates/{template}/instantiateProject", json={"data": {"name": "Made", **body}}
        ),
        201,
    )
    assert job["resource_subtype"] == "instantiate_project"
    done = await job_result(client, world, job)
    assert done["status"] == "succeeded", done
    return done["new_project"]


async def test_a_saved_template_has_every_field(client, world: World) -> None:
    src = await source_project(client, world, color="dark-green")
    template = await _save(client, world, src["project"])
    roles = template.pop("requested_roles")
    assert template == {
        "gid": template["gid"],
        "resource_type": "project_template",
        "name": "Plan",
        "description": "About it",
        "html_description": "<body>About it</body>",
        "public": True,
        "owner": {"gid": world.user, "resource_type": "user", "name": "owner"},
        "team": {"gid": world.team, "resource_type": "team", "name": template["team"]["name"]},
        "requested_dates": [
            {"gid": "1", "name": "Start date", "description": "Choose a start date for your project."}
        ],
        "color": "dark-green",
    }
    assert [r["name"] for r in roles] == ["bob"] and roles[0]["resource_type"] == "template_role"


async def test_lists_and_delete(client, world: World) -> None:
    src = await source_project(client, world)
    public = await _save(client, world, src["project"])
    private = await _save(client, world, src["project"], name="Mine", public=False)
    listed = ok(await client.get("/project_templates", params={"workspace": world.workspace}))
    assert sorted(t["name"] for t in listed) == ["Mine", "Plan"]
    assert set(listed[0]) == {"gid", "resource_type", "name"}
    by_team = ok(await client.get(f"/teams/{world.team}/project_templates", params={"limit": 1}))
    assert len(by_team) == 1
    assert len(ok(await client.get("/project_templates", params={"team": world.team}))) == 2
    fails(await client.get("/project_templates"), 400, "workspace")
    bob_token = world.person("carol@example.com")[1]
    async with api_client(world.env, bob_token) as carol:
        # Carol is in the workspace but not the team: she sees neither template.
        assert ok(await carol.get("/project_templates", params={"workspace": world.workspace})) == []
        fails(await carol.get(f"/project_templates/{private['gid']}"), 404)
        fails(await carol.delete(f"/project_templates/{public['gid']}"), 404)
    ok(await client.delete(f"/project_templates/{private['gid']}"))
    fails(await client.get(f"/project_templates/{private['gid']}"), 404)


async def test_round_trip_keeps_structure_and_relative_dates(client, world: World) -> None:
    src = await source_project(client, world)
    template = await _save(client, world, src["project"])
    role = template["requested_roles"][0]["gid"]
    made = await _instantiate(
        client,
        world,
        template["gid"],
        requested_dates=[{"gid": "1", "value": "2026-03-06"}],  # the first date (27 Feb) + 7 days
        requested_roles=[{"gid": role, "value": "me"}],
    )
    got = await structure(client, made["gid"])
    want = await structure(client, src["project"])

    def moved(tasks):
        for task in tasks:
            for key in ("start_on", "due_on"):
                if task[key]:
                    day = int(task[key][-2:]) + 7
                    task[key] = (
                        (task[key][:5] + "03-" + f"{day - 28:02d}")
                        if task[key][5:7] == "02"
                        else task[key][:8] + f"{day:02d}"
                    )
            if task["assignee"] == src["bob"]:
                task["assignee"] = world.user
            task["followers"] = []
            moved(task["subtasks"])

    for _, tasks in want:
        moved(tasks)
    for _, tasks in got:
        for task in tasks:
            task["followers"] = []
    assert got == want
    project = ok(
        await client.get(f"/projects/{made['gid']}", params={"opt_fields": "created_from_template,start_on"})
    )
    assert project["created_from_template"]["gid"] == template["gid"]


async def test_instantiate_without_dates_or_roles_uses_today_and_unassigns(client, world: World) -> None:
    src = await source_project(client, world)
    template = await _save(client, world, src["project"])
    made = await _instantiate(client, world, template["gid"], team=world.team, privacy_setting="private")
    got = await structure(client, made["gid"], subtasks=False)
    assert all(t["assignee"] is None for _, tasks in got for t in tasks)
    project = ok(await client.get(f"/projects/{made['gid']}", params={"opt_fields": "privacy_setting,team"}))
    assert project["privacy_setting"] == "private" and project["team"]["gid"] == world.team


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({}, 400, "name: Missing input"),
        ({"name": "X", "is_strict": True}, 422, "Unprocessable Entity"),
        (
            {"name": "X", "requested_dates": [{"gid": "7", "value": "2026-01-01"}]},
            400,
            "Unknown date variable",
        ),
        ({"name": "X", "requested_dates": [{"gid": "1", "value": "Jan 1"}]}, 400, "requested_dates[0].value"),
        ({"name": "X", "requested_roles": [{"gid": "1", "value": "me"}]}, 400, "Unknown template role"),
        ({"name": "X", "team": "999"}, 400, "team"),
        ({"name": "X", "privacy_setting": "secret"}, 400, "privacy_setting"),
    ],
)
async def test_instantiate_bad_input(client, world: World, body, status, fragment) -> None:
    src = await source_project(client, world)
    template = await _save(client, world, src["project"])
    before = world.count("SELECT count(*) FROM jobs")
    fails(
        await client.post(f"/project_templates/{template['gid']}/instantiateProject", json={"data": body}),
        status,
        fragment,
    )
    assert world.count("SELECT count(*) FROM jobs") == before


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"public": True, "team": "T"}, "name: Missing input"),
        ({"name": "P", "team": "T"}, "public: Missing input"),
        ({"name": "P", "public": True}, "team: Missing input"),
        ({"name": "P", "public": True, "team": "12345"}, "team"),
    ],
)
async def test_save_bad_input(client, world: World, body, fragment) -> None:
    src = await source_project(client, world)
    if body.get("team") == "T":
        body["team"] = world.team
    fails(await client.post(f"/projects/{src['project']}/saveAsTemplate", json={"data": body}), 400, fragment)
    assert world.count("SELECT count(*) FROM jobs") == 0
