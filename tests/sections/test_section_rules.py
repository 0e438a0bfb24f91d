"""Sections: refused requests change nothing (checked in the database), and who may do what."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task, project_for_limited_user, project_with_sections, section_names
from tests.tasks.layout import layout, snapshot

pytestmark = pytest.mark.anyio


async def test_unknown_gids_path_404_body_400(client, world):
    project, (s0, s1) = await project_with_sections(client, world, "S1")
    task = await make_task(client, world, name="t", projects=[project])
    before = snapshot(world)
    for bad in ("999999", "abc", "0", "-1"):
        fails(await client.get(f"/sections/{bad}"), 404)
        fails(await client.put(f"/sections/{bad}", json={"data": {"name": "x"}}), 404)
        fails(await client.delete(f"/sections/{bad}"), 404)
        fails(await client.get(f"/sections/{bad}/tasks"), 404)
        fails(await client.post(f"/sections/{bad}/addTask", json={"data": {"task": task}}), 404)
        fails(await client.get(f"/projects/{bad}/sections"), 404)
        fails(await client.post(f"/projects/{bad}/sections", json={"data": {"name": "x"}}), 404)
        fails(
            await client.post(
                f"/projects/{bad}/sections/insert", json={"data": {"section": s1, "before_section": s0}}
            ),
            404,
        )
    # a section gid used as a project gid (and vice versa) is unknown, not a crash
    fails(await client.get(f"/projects/{s0}/sections"), 404)
    fails(await client.get(f"/sections/{project}"), 404)
    # unknown objects in bodies are 400s naming the field
    insert = f"/projects/{project}/sections/insert"
    fails(
        await client.post(insert, json={"data": {"section": "999999", "before_section": s0}}), 400, "section"
    )
    fails(
        await client.post(insert, json={"data": {"section": s1, "after_section": "999999"}}),
        400,
        "after_section",
    )
    fails(
        await client.post(insert, json={"data": {"section": s1, "before_section": task}}),
        400,
        "before_section",
    )
    fails(
        await client.put(f"/sections/{s1}", json={"data": {"insert_before": "999999"}}), 400, "insert_before"
    )
    fails(await client.put(f"/sections/{s1}", json={"data": {"insert_after": "nope"}}), 400, "insert_after")
    fails(await client.post(f"/sections/{s1}/addTask", json={"data": {"task": "999999"}}), 400, "task")
    fails(await client.post(f"/sections/{s1}/addTask", json={"data": {"task": s0}}), 400, "task")
    fails(
        await client.post(
            f"/sections/{s1}/addTask", json={"data": {"task": task, "insert_before": "999999"}}
        ),
        400,
        "insert_before",
    )
    fails(
        await client.post(
            f"/projects/{project}/sections", json={"data": {"name": "x", "insert_after": s0 + "9"}}
        ),
        400,
        "insert_after",
    )
    assert snapshot(world) == before


async def test_wrong_types_are_400_and_change_nothing(client, world):
    project, (s0, s1) = await project_with_sections(client, world, "S1")
    task = await make_task(client, world, name="t", projects=[project])
    before = snapshot(world)
    p = f"/projects/{project}/sections"
    data: dict[str, Any]
    for data in (
        {"name": 123},
        {"name": ["x"]},
        {"name": None},
        {"name": "   "},
        {"name": "x", "insert_before": 5},
        {"name": "x", "insert_after": [s0]},
        {"name": "x" * 1025},
    ):
        fails(await client.post(p, json={"data": data}), 400)
    for data in ({"name": 5}, {"name": ""}, {"name": " \t"}, {"insert_before": {"gid": s0}}):
        fails(await client.put(f"/sections/{s1}", json={"data": data}), 400)
    insert = f"/projects/{project}/sections/insert"
    for data in (
        {"section": int(s1), "before_section": s0},
        {"section": s1, "before_section": int(s0)},
        {"section": [s1], "before_section": s0},
        {"section": s1, "before_section": None, "after_section": None},
    ):
        fails(await client.post(insert, json={"data": data}), 400)
    for data in ({"task": int(task)}, {"task": [task]}, {"task": task, "insert_after": 1}):
        fails(await client.post(f"/sections/{s1}/addTask", json={"data": data}), 400)
    fails(await client.post(p, content=b"not json", headers={"content-type": "application/json"}), 400)
    fails(await client.post(p, json={"data": "Backlog"}), 400)
    fails(await client.post(p, json=["Backlog"]), 400)
    assert snapshot(world) == before


async def test_anchor_rules_change_nothing(client, world):
    project, (s0, s1, s2) = await project_with_sections(client, world, "S1", "S2")
    other, (foreign,) = await project_with_sections(client, world)
    a = await make_task(client, world, name="a", memberships=[{"project": project, "section": s1}])
    await make_task(client, world, name="b", memberships=[{"project": project, "section": s1}])
    c = await make_task(client, world, name="c", memberships=[{"project": project, "section": s2}])
    outsider = await make_task(client, world, name="o", projects=[other])
    before, shown = snapshot(world), await layout(client, project)
    # create: both anchors; anchor in another project
    p = f"/projects/{project}/sections"
    fails(
        await client.post(p, json={"data": {"name": "X", "insert_before": s1, "insert_after": s2}}),
        400,
        "both",
    )
    fails(await client.post(p, json={"data": {"name": "X", "insert_after": foreign}}), 400, "insert_after")
    # update: both anchors; anchor in another project; itself as its anchor
    u = f"/sections/{s1}"
    fails(
        await client.put(u, json={"data": {"name": "Y", "insert_before": s0, "insert_after": s2}}),
        400,
        "both",
    )
    fails(await client.put(u, json={"data": {"name": "Y", "insert_before": foreign}}), 400, "insert_before")
    fails(await client.put(u, json={"data": {"name": "Y", "insert_after": s1}}), 400, "itself")
    # insert: the moved section and the anchor must both be this project's; not itself
    insert = f"/projects/{project}/sections/insert"
    fails(
        await client.post(insert, json={"data": {"section": s1, "after_section": foreign}}),
        400,
        "between projects",
    )
    fails(
        await client.post(insert, json={"data": {"section": foreign, "after_section": s1}}),
        400,
        "between projects",
    )
    fails(
        await client.post(
            f"/projects/{other}/sections/insert", json={"data": {"section": s1, "after_section": foreign}}
        ),
        400,
        "between projects",
    )
    fails(await client.post(insert, json={"data": {"section": s1, "after_section": s1}}), 400, "itself")
    # addTask: both anchors; anchor in another section of the project; anchor not in the project;
    # anchor is the task itself
    add = f"/sections/{s2}/addTask"
    fails(
        await client.post(add, json={"data": {"task": a, "insert_before": c, "insert_after": c}}), 400, "both"
    )
    fails(await client.post(add, json={"data": {"task": c, "insert_before": a}}), 400, "not in this section")
    fails(
        await client.post(add, json={"data": {"task": a, "insert_after": outsider}}),
        400,
        "not in this project",
    )
    fails(await client.post(add, json={"data": {"task": c, "insert_after": c}}), 400, "itself")
    # the outsider is not added to the project by a refused addTask
    fails(await client.post(add, json={"data": {"task": outsider, "insert_after": a}}), 400)
    assert snapshot(world) == before
    assert await layout(client, project) == shown


async def test_delete_rules_say_why_and_change_nothing(client, world):
    project, (s0, s1, s2) = await project_with_sections(client, world, "S1", "S2")
    task = await make_task(client, world, name="t", memberships=[{"project": project, "section": s1}])
    sub = ok(await client.post(f"/tasks/{task}/subtasks", json={"data": {"name": "sub"}}), 201)["gid"]
    before = snapshot(world)
    message = fails(await client.delete(f"/sections/{s1}"), 400, "must be empty")
    assert "task" in message
    assert snapshot(world) == before
    # a completed task still occupies the section
    ok(await client.put(f"/tasks/{task}", json={"data": {"completed": True}}))
    fails(await client.delete(f"/sections/{s1}"), 400, "empty")
    # deleting an empty middle section keeps the rest in order; DELETE may carry a body
    assert ok(await client.request("DELETE", f"/sections/{s2}", json={})) == {}
    assert await section_names(client, project) == ["Untitled section", "S1"]
    ok(await client.delete(f"/sections/{s0}"))
    assert await section_names(client, project) == ["S1"]
    # the last section: refused even when empty, and not when it holds the only task either
    fails(await client.delete(f"/sections/{s1}"), 400)
    ok(await client.post(f"/tasks/{task}/removeProject", json={"data": {"project": project}}))
    before = snapshot(world)
    fails(await client.delete(f"/sections/{s1}"), 400, "last remaining section")
    assert snapshot(world) == before
    assert world.count("SELECT count(*) FROM sections WHERE project_gid = :p", p=int(project)) == 1
    assert ok(await client.get(f"/tasks/{sub}"))["parent"]["gid"] == task


async def test_section_tasks_paginate_and_filter(client, world):
    project, (s0, s1) = await project_with_sections(client, world, "S1")
    made = [
        await make_task(client, world, name=f"t{i}", memberships=[{"project": project, "section": s1}])
        for i in range(7)
    ]
    await make_task(client, world, name="elsewhere", memberships=[{"project": project, "section": s0}])
    for path in (f"/sections/{s1}/tasks?limit=3", f"/tasks?section={s1}&limit=3"):
        seen, pages, next_path = [], 0, path
        while next_path:
            body = (await client.get(next_path)).json()
            assert len(body["data"]) <= 3
            seen += [t["gid"] for t in body["data"]]
            pages += 1
            next_path = body["next_page"]["path"] if body["next_page"] else ""
        assert seen == made and pages == 3
    ok(await client.put(f"/tasks/{made[2]}", json={"data": {"completed": True}}))
    got = [t["gid"] for t in ok(await client.get(f"/sections/{s1}/tasks?completed_since=now"))]
    assert got == made[:2] + made[3:]
    # default fields of a section task list are the compact task
    first = ok(await client.get(f"/sections/{s1}/tasks?limit=1"))[0]
    assert set(first) == {"gid", "resource_type", "name", "resource_subtype"}


async def test_hidden_projects_sections_are_404(client, world):
    _, token = world.person("bob@example.com")
    private = (await make_project(client, world, privacy_setting="private"))["gid"]
    hidden = ok(await client.get(f"/projects/{private}/sections"))[0]["gid"]
    task = await make_task(client, world, name="secret", projects=[private])
    public, (s0,) = await project_with_sections(client, world)
    own_task = await make_task(client, world, name="shared", projects=[public])
    before = snapshot(world)
    async with api_client(world.env, token) as bob:
        fails(await bob.get(f"/sections/{hidden}"), 404)
        fails(await bob.get(f"/sections/{hidden}/tasks"), 404)
        fails(await bob.put(f"/sections/{hidden}", json={"data": {"name": "x"}}), 404)
        fails(await bob.delete(f"/sections/{hidden}"), 404)
        fails(await bob.post(f"/sections/{hidden}/addTask", json={"data": {"task": own_task}}), 404)
        fails(await bob.get(f"/projects/{private}/sections"), 404)
        fails(await bob.post(f"/projects/{private}/sections", json={"data": {"name": "x"}}), 404)
        fails(
            await bob.post(
                f"/projects/{private}/sections/insert",
                json={"data": {"section": hidden, "after_section": hidden}},
            ),
            404,
        )
        fails(await bob.get(f"/projects/{private}/tasks"), 404)
        fails(await bob.get(f"/projects/{private}/task_counts?opt_fields=num_tasks"), 404)
        fails(await bob.get(f"/tasks?section={hidden}"), 400, "section")
        fails(await bob.get(f"/tasks?project={private}"), 400, "project")
        # a hidden section or task named in a body is an unknown object (400), not a 403 or 404
        fails(await bob.post(f"/sections/{s0}/addTask", json={"data": {"task": task}}), 400, "task")
        fails(
            await bob.post(
                f"/tasks/{own_task}/addProject", json={"data": {"project": public, "section": hidden}}
            ),
            400,
            "section",
        )
        fails(
            await bob.post(
                "/tasks",
                json={"data": {"name": "x", "memberships": [{"project": private, "section": hidden}]}},
            ),
            400,
            "memberships",
        )
    assert snapshot(world) == before


@pytest.mark.parametrize(
    "how", ["viewer by default", "commenter by default", "commenter member", "viewer member"]
)
async def test_below_editor_cannot_change_sections(client, world, how):
    """Sections change with editor access (vinyasa.access): a viewer or commenter gets 403, whether the
    level comes from the project's default_access_level or from their own project membership."""
    project, bob, token = await project_for_limited_user(client, world, how)
    s0 = ok(await client.get(f"/projects/{project}/sections"))[0]["gid"]
    s1 = ok(await client.post(f"/projects/{project}/sections", json={"data": {"name": "S1"}}), 201)["gid"]
    empty = ok(await client.post(f"/projects/{project}/sections", json={"data": {"name": "E"}}), 201)["gid"]
    a = await make_task(client, world, name="a", memberships=[{"project": project, "section": s0}])
    b = await make_task(client, world, name="b", memberships=[{"project": project, "section": s0}])
    loose = await make_task(client, world, name="loose", followers=[bob])
    before = snapshot(world)
    async with api_client(world.env, token) as c:
        # reading is fine
        assert [s["gid"] for s in ok(await c.get(f"/projects/{project}/sections"))] == [s0, s1, empty]
        assert [t["gid"] for t in ok(await c.get(f"/sections/{s0}/tasks"))] == [a, b]
        ok(await c.get(f"/sections/{s1}"))
        ok(await c.get(f"/projects/{project}/tasks"))
        # every change is 403
        for method, path, body in [
            ("POST", f"/projects/{project}/sections", {"name": "X"}),
            ("PUT", f"/sections/{s1}", {"name": "X"}),
            ("PUT", f"/sections/{s1}", {"insert_before": s0}),
            ("DELETE", f"/sections/{empty}", None),
            ("POST", f"/projects/{project}/sections/insert", {"section": s1, "before_section": s0}),
            ("POST", f"/sections/{s1}/addTask", {"task": a}),
            ("POST", f"/sections/{s0}/addTask", {"task": b, "insert_before": a}),
            ("POST", f"/sections/{s1}/addTask", {"task": loose}),
        ]:
            kwargs: dict[str, Any] = {} if body is None else {"json": {"data": body}}
            fails(await c.request(method, path, **kwargs), 403, "access")
    assert snapshot(world) == before
