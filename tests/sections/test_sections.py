"""Sections: create, read, rename, move, insert, delete, and their order."""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task, project_with_sections, section_names

pytestmark = pytest.mark.anyio

SECTIONS = "SELECT count(*) FROM sections WHERE project_gid = :p"


async def test_new_project_has_one_untitled_section(client, world):
    project = (await make_project(client, world))["gid"]
    data = ok(await client.get(f"/projects/{project}/sections"))
    assert [(s["resource_type"], s["name"]) for s in data] == [("section", "Untitled section")]
    assert set(data[0]) == {"gid", "resource_type", "name"}


async def test_create_and_get_section(client, world):
    project = (await make_project(client, world))["gid"]
    r = await client.post(f"/projects/{project}/sections", json={"data": {"name": "Backlog"}})
    created = ok(r, 201)
    assert r.headers["Location"].endswith(f"/sections/{created['gid']}")
    assert set(created) == {"gid", "resource_type", "name", "created_at", "project", "projects"}
    assert created["project"] == {"gid": project, "resource_type": "project", "name": "Roadmap"}
    assert created["projects"] == [created["project"]]
    assert created["created_at"].endswith("Z")
    assert ok(await client.get(f"/sections/{created['gid']}")) == created
    assert ok(await client.get(f"/sections/{created['gid']}?opt_fields=name,project.name")) == {
        "gid": created["gid"],
        "name": "Backlog",
        "project": {"gid": project, "name": "Roadmap"},
    }


async def test_create_positions(client, world):
    project, (untitled, a) = await project_with_sections(client, world, "A")
    ok(
        await client.post(f"/projects/{project}/sections", json={"data": {"name": "B", "insert_before": a}}),
        201,
    )
    ok(
        await client.post(
            f"/projects/{project}/sections", json={"data": {"name": "C", "insert_after": untitled}}
        ),
        201,
    )
    ok(
        await client.post(f"/projects/{project}/sections", json={"data": {"name": "D", "insert_after": a}}),
        201,
    )
    assert await section_names(client, project) == ["Untitled section", "C", "B", "A", "D"]


async def test_create_bad_input_changes_nothing(client, world):
    project, (untitled,) = await project_with_sections(client, world)
    other, (foreign,) = await project_with_sections(client, world)
    p = f"/projects/{project}/sections"
    fails(await client.post(p, json={"data": {}}), 400, "name")
    fails(await client.post(p, json={"data": {"name": ""}}), 400, "name")
    fails(
        await client.post(
            p, json={"data": {"name": "X", "insert_before": untitled, "insert_after": untitled}}
        ),
        400,
    )
    fails(await client.post(p, json={"data": {"name": "X", "insert_before": foreign}}), 400, "insert_before")
    fails(await client.post(p, json={"data": {"name": "X", "insert_after": "123"}}), 400, "insert_after")
    fails(await client.post("/projects/999/sections", json={"data": {"name": "X"}}), 404)
    assert world.count(SECTIONS, p=int(project)) == 1
    assert world.count(SECTIONS, p=int(other)) == 1


async def test_update_renames_and_moves(client, world):
    project, (untitled, a, b) = await project_with_sections(client, world, "A", "B")
    data = ok(await client.put(f"/sections/{a}", json={"data": {"name": "Alpha"}}))
    assert data["name"] == "Alpha" and data["project"]["gid"] == project
    ok(await client.put(f"/sections/{b}", json={"data": {"name": "Beta", "insert_before": untitled}}))
    assert await section_names(client, project) == ["Beta", "Untitled section", "Alpha"]
    fails(await client.put(f"/sections/{a}", json={"data": {"name": ""}}), 400, "empty")
    fails(await client.put(f"/sections/{a}", json={"data": {}}), 400, "name")
    fails(await client.put(f"/sections/{a}", json={"data": {"name": "Z", "insert_after": a}}), 400)
    assert await section_names(client, project) == ["Beta", "Untitled section", "Alpha"]
    fails(await client.put("/sections/123", json={"data": {"name": "Z"}}), 404)


async def test_insert_section(client, world):
    project, (s0, s1, s2, s3) = await project_with_sections(client, world, "1", "2", "3")
    insert = f"/projects/{project}/sections/insert"
    assert ok(await client.post(insert, json={"data": {"section": s3, "before_section": s0}})) == {}
    assert await section_names(client, project) == ["3", "Untitled section", "1", "2"]
    ok(await client.post(insert, json={"data": {"section": s3, "after_section": s2}}))
    assert await section_names(client, project) == ["Untitled section", "1", "2", "3"]
    ok(await client.post(insert, json={"data": {"section": s0, "after_section": s1}}))
    assert await section_names(client, project) == ["1", "Untitled section", "2", "3"]
    # bad input: nothing moves
    fails(await client.post(insert, json={"data": {"section": s0}}), 400, "before_section")
    fails(
        await client.post(insert, json={"data": {"section": s0, "before_section": s1, "after_section": s2}}),
        400,
    )
    fails(await client.post(insert, json={"data": {"before_section": s1}}), 400, "section")
    other, (foreign,) = await project_with_sections(client, world)
    fails(
        await client.post(insert, json={"data": {"section": foreign, "before_section": s1}}),
        400,
        "between projects",
    )
    fails(
        await client.post(insert, json={"data": {"section": s0, "before_section": foreign}}),
        400,
        "between projects",
    )
    fails(await client.post(insert, json={"data": {"section": s0, "before_section": s0}}), 400)
    assert await section_names(client, project) == ["1", "Untitled section", "2", "3"]
    assert await section_names(client, other) == ["Untitled section"]


async def test_delete_rules(client, world):
    project, (untitled, a) = await project_with_sections(client, world, "A")
    task = await make_task(client, world, memberships=[{"project": project, "section": a}])
    fails(await client.delete(f"/sections/{a}"), 400, "empty")
    assert world.count(SECTIONS, p=int(project)) == 2
    ok(await client.post(f"/sections/{untitled}/addTask", json={"data": {"task": task}}))
    assert ok(await client.delete(f"/sections/{a}")) == {}
    fails(await client.get(f"/sections/{a}"), 404)
    ok(await client.post(f"/tasks/{task}/removeProject", json={"data": {"project": project}}))
    fails(await client.delete(f"/sections/{untitled}"), 400, "last")
    assert world.count(SECTIONS, p=int(project)) == 1


async def test_sections_paginate_in_order(client, world):
    project, sections = await project_with_sections(client, world, *[f"S{i}" for i in range(6)])
    seen, path = [], f"/projects/{project}/sections?limit=4"
    while path:
        body = (await client.get(path)).json()
        seen += [s["gid"] for s in body["data"]]
        path = body["next_page"]["path"] if body["next_page"] else ""
    assert seen == sections


async def test_sections_follow_project_visibility(client, world):
    project, (untitled,) = await project_with_sections(client, world)
    private = (await make_project(client, world, privacy_setting="private"))["gid"]
    hidden = ok(await client.get(f"/projects/{private}/sections"))[0]["gid"]
    bob, token = world.person("bob@example.com")
    async with api_client(world.env, token) as as_bob:
        assert ok(await as_bob.get(f"/sections/{untitled}"))["gid"] == untitled
        fails(await as_bob.get(f"/sections/{hidden}"), 404)
        fails(await as_bob.get(f"/projects/{private}/sections"), 404)
        fails(await as_bob.delete(f"/sections/{hidden}"), 404)
    viewer = (await make_project(client, world, default_access_level="viewer"))["gid"]
    async with api_client(world.env, token) as as_bob:
        fails(await as_bob.post(f"/projects/{viewer}/sections", json={"data": {"name": "X"}}), 403)
    assert world.count(SECTIONS, p=int(viewer)) == 1


async def test_deleting_project_removes_sections_and_memberships_not_tasks(client, world):
    project, (untitled,) = await project_with_sections(client, world)
    task = await make_task(client, world, projects=[project])
    ok(await client.delete(f"/projects/{project}"))
    assert world.count(SECTIONS, p=int(project)) == 0
    assert world.count("SELECT count(*) FROM task_projects WHERE task_gid = :t", t=int(task)) == 0
    assert ok(await client.get(f"/tasks/{task}"))["projects"] == []
