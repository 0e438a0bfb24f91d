"""Tasks in projects and sections: addProject, removeProject, addTask, lists, counts, concurrency."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task, names, project_with_sections
from tests.tasks.layout import stored_invariants

pytestmark = pytest.mark.anyio

ROWS = "SELECT count(*) FROM task_projects WHERE task_gid = :t"


async def _order(client, project):
    return await names(client, f"/projects/{project}/tasks")


async def _add(client, task, **data):
    return await client.post(f"/tasks/{task}/addProject", json={"data": data})


async def test_add_project_positions(client, world):
    project, (s0, s1) = await project_with_sections(client, world, "S1")
    t = {n: await make_task(client, world, name=n) for n in "abcdefg"}
    assert ok(await _add(client, t["a"], project=project)) == {}  # end of project = bottom of last section
    ok(await _add(client, t["b"], project=project))
    ok(await _add(client, t["c"], project=project, section=s0))  # bottom of S0
    ok(await _add(client, t["d"], project=project, section=s0, insert_after=None))  # top of S0
    ok(await _add(client, t["e"], project=project, insert_after=None))  # start of the project
    ok(await _add(client, t["f"], project=project, insert_before=t["b"]))
    ok(await _add(client, t["g"], project=project, insert_before=None))  # end of project
    assert await _order(client, project) == ["e", "d", "c", "a", "f", "b", "g"]
    assert await names(client, f"/sections/{s0}/tasks") == ["e", "d", "c"]
    # re-adding moves; after/before a task of another section moves it there
    ok(await _add(client, t["a"], project=project, insert_after=t["d"]))
    ok(await _add(client, t["g"], project=project, section=s0, insert_before=t["e"]))
    assert await _order(client, project) == ["g", "e", "d", "a", "c", "f", "b"]
    data = ok(await client.get(f"/tasks/{t['a']}?opt_fields=memberships.section"))
    assert data["memberships"] == [{"section": {"gid": s0, "resource_type": "section"}}]
    assert world.count(ROWS, t=int(t["a"])) == 1


async def test_add_project_bad_input_changes_nothing(client, world):
    project, (s0, s1) = await project_with_sections(client, world, "S1")
    other, (foreign,) = await project_with_sections(client, world)
    a = await make_task(client, world, name="a", projects=[project])
    b = await make_task(client, world, name="b", projects=[project])
    stray = await make_task(client, world, name="stray")
    fails(await _add(client, a, project=project, insert_before=b, insert_after=b), 400, "both")
    fails(await _add(client, a, project=project, section=foreign), 400, "section")
    fails(await _add(client, a, project=project, insert_before=stray), 400, "not in this project")
    fails(await _add(client, a, project=project, section=s0, insert_after=b), 400, "section")
    fails(await _add(client, a, project=project, insert_before=a), 400)
    fails(await _add(client, a, project="123"), 400, "project")
    fails(await _add(client, a), 400, "project")
    fails(await _add(client, "123", project=project), 404)
    assert await _order(client, project) == ["a", "b"]
    assert world.count(ROWS, t=int(a)) == 1


async def test_twenty_projects_at_most(client, world):
    task = await make_task(client, world)
    projects = [(await make_project(client, world, name=f"P{i}"))["gid"] for i in range(21)]
    for project in projects[:20]:
        ok(await _add(client, task, project=project))
    fails(await _add(client, task, project=projects[20]), 400, "20")
    ok(await _add(client, task, project=projects[0]))  # re-adding is a move, not a 21st project
    assert world.count(ROWS, t=int(task)) == 20
    listed = ok(await client.get(f"/tasks/{task}/projects?limit=7"))
    assert len(listed) == 7
    fails(await client.post("/tasks", json={"data": {"name": "x", "projects": projects}}), 400, "20")


async def test_remove_project(client, world):
    project, _ = await project_with_sections(client, world)
    task = await make_task(client, world, projects=[project])
    assert ok(await client.post(f"/tasks/{task}/removeProject", json={"data": {"project": project}})) == {}
    assert world.count(ROWS, t=int(task)) == 0
    assert ok(await client.get(f"/tasks/{task}"))["projects"] == []
    ok(await client.post(f"/tasks/{task}/removeProject", json={"data": {"project": project}}))
    fails(await client.post(f"/tasks/{task}/removeProject", json={"data": {}}), 400, "project")


async def test_add_task_to_section(client, world):
    project, (s0, s1) = await project_with_sections(client, world, "S1")
    t = {n: await make_task(client, world, name=n) for n in "abcde"}
    assert ok(await client.post(f"/sections/{s1}/addTask", json={"data": {"task": t["a"]}})) == {}
    ok(await client.post(f"/sections/{s1}/addTask", json={"data": {"task": t["b"]}}))  # top
    ok(await client.post(f"/sections/{s1}/addTask", json={"data": {"task": t["c"], "insert_after": t["a"]}}))
    ok(await client.post(f"/sections/{s1}/addTask", json={"data": {"task": t["d"], "insert_before": t["a"]}}))
    assert await names(client, f"/sections/{s1}/tasks") == ["b", "d", "a", "c"]
    ok(await client.post(f"/sections/{s0}/addTask", json={"data": {"task": t["a"]}}))  # leaves S1
    assert await names(client, f"/sections/{s1}/tasks") == ["b", "d", "c"]
    assert await _order(client, project) == ["a", "b", "d", "c"]
    # bad input: nothing changes
    body = {"task": t["e"], "insert_before": t["b"], "insert_after": t["c"]}
    fails(await client.post(f"/sections/{s1}/addTask", json={"data": body}), 400, "both")
    fails(
        await client.post(
            f"/sections/{s1}/addTask", json={"data": {"task": t["e"], "insert_before": t["a"]}}
        ),
        400,
    )
    fails(await client.post(f"/sections/{s1}/addTask", json={"data": {"task": "123"}}), 400, "task")
    fails(await client.post(f"/sections/{s1}/addTask", json={"data": {}}), 400, "task")
    fails(await client.post("/sections/123/addTask", json={"data": {"task": t["e"]}}), 404)
    assert world.count(ROWS, t=int(t["e"])) == 0
    assert await _order(client, project) == ["a", "b", "d", "c"]


async def test_section_moves_reorder_project_tasks(client, world):
    project, (s0, s1) = await project_with_sections(client, world, "S1")
    ok(
        await client.post(
            "/tasks", json={"data": {"name": "x", "memberships": [{"project": project, "section": s0}]}}
        ),
        201,
    )
    ok(
        await client.post(
            "/tasks", json={"data": {"name": "y", "memberships": [{"project": project, "section": s1}]}}
        ),
        201,
    )
    assert await _order(client, project) == ["x", "y"]
    ok(
        await client.post(
            f"/projects/{project}/sections/insert", json={"data": {"section": s1, "before_section": s0}}
        )
    )
    assert await _order(client, project) == ["y", "x"]


async def test_get_tasks_filters(client, world):
    project, (s0,) = await project_with_sections(client, world)
    a = await make_task(client, world, name="a", projects=[project], assignee="me")
    b = await make_task(client, world, name="b", projects=[project])
    ok(await client.put(f"/tasks/{b}", json={"data": {"completed": True}}))
    assert await names(client, f"/tasks?project={project}") == ["a", "b"]
    assert await names(client, f"/tasks?section={s0}") == ["a", "b"]
    assert await names(client, f"/tasks?project={project}&completed_since=now") == ["a"]
    assert await names(client, f"/projects/{project}/tasks?completed_since=2000-01-01T00:00:00Z") == [
        "a",
        "b",
    ]
    assert await names(client, f"/sections/{s0}/tasks?completed_since=now") == ["a"]
    assert await names(client, f"/tasks?workspace={world.workspace}&assignee=me") == ["a"]
    assert await names(client, f"/tasks?project={project}&modified_since=2999-01-01T00:00:00Z") == []
    assert a
    for query in ("", f"workspace={world.workspace}", "assignee=me", f"project={project}&section={s0}"):
        fails(await client.get(f"/tasks?{query}"), 400, "You should specify one of workspace, project")
    fails(await client.get("/tasks?project=123"), 400, "project")
    fails(await client.get(f"/tasks?project={project}&completed_since=yesterday"), 400, "completed_since")


async def test_project_tasks_paginate(client, world):
    project, (s0, s1) = await project_with_sections(client, world, "S1")
    for i in range(7):
        section = s0 if i % 2 else s1
        await make_task(client, world, name=f"t{i}", memberships=[{"project": project, "section": section}])
    expected = await _order(client, project)
    assert expected == ["t1", "t3", "t5", "t0", "t2", "t4", "t6"]
    seen, path = [], f"/projects/{project}/tasks?limit=3"
    while path:
        body = (await client.get(path)).json()
        seen += [t["name"] for t in body["data"]]
        path = body["next_page"]["path"] if body["next_page"] else ""
    assert seen == expected


async def test_task_counts(client, world):
    project, _ = await project_with_sections(client, world)
    counts = f"/projects/{project}/task_counts"
    assert ok(await client.get(counts)) == {}
    a = await make_task(client, world, projects=[project])
    await make_task(client, world, projects=[project])
    m = await make_task(client, world, projects=[project], resource_subtype="milestone")
    await make_task(client, world)  # not in the project
    ok(
        await client.post(f"/tasks/{a}/subtasks", json={"data": {"name": "sub"}}), 201
    )  # subtasks do not count
    ok(await client.put(f"/tasks/{a}", json={"data": {"completed": True}}))
    ok(await client.put(f"/tasks/{m}", json={"data": {"completed": True}}))
    fields = "num_tasks,num_incomplete_tasks,num_completed_tasks,num_milestones,num_incomplete_milestones,num_completed_milestones"
    assert ok(await client.get(f"{counts}?opt_fields={fields}")) == {
        "num_tasks": 3,
        "num_incomplete_tasks": 1,
        "num_completed_tasks": 2,
        "num_milestones": 1,
        "num_incomplete_milestones": 0,
        "num_completed_milestones": 1,
    }
    assert ok(await client.get(f"{counts}?opt_fields=num_milestones")) == {"num_milestones": 1}
    ok(await client.post(f"/tasks/{m}/removeProject", json={"data": {"project": project}}))
    ok(await client.put(f"/tasks/{a}", json={"data": {"resource_subtype": "milestone"}}))
    assert ok(await client.get(f"{counts}?opt_fields=num_tasks,num_completed_milestones")) == {
        "num_tasks": 2,
        "num_completed_milestones": 1,
    }
    fails(await client.get("/projects/123/task_counts"), 404)


async def test_concurrent_inserts_and_add_task(client, world):
    """32 section moves and 32 addTask calls (to the top, or next to a task that may or may not be
    in that section yet) at once: no 5xx, and afterwards every section and task is in the project
    exactly once, in a consistent order, with distinct stored positions."""
    project, sections = await project_with_sections(client, world, *[f"S{i}" for i in range(4)])
    tasks = [await make_task(client, world, name=f"t{i}") for i in range(32)]
    seed = tasks[:4]
    for i, task in enumerate(seed):  # a few anchors already in the project
        ok(await client.post(f"/sections/{sections[i]}/addTask", json={"data": {"task": task}}))

    async def move(i):
        return await client.post(
            f"/projects/{project}/sections/insert",
            json={"data": {"section": sections[i % 5], "before_section": sections[(i * 3 + 1) % 5]}},
        )

    async def add(i):
        body = {"task": tasks[i]}
        if i % 4 == 1:
            body["insert_after"] = seed[i % 3]
        elif i % 4 == 2:
            body["insert_before"] = seed[(i + 1) % 3]
        return await client.post(f"/sections/{sections[i % 5]}/addTask", json={"data": body})

    results = await asyncio.gather(*[move(i) for i in range(32)], *[add(i) for i in range(32)])
    assert all(r.status_code < 500 for r in results), [r.text for r in results if r.status_code >= 500]
    assert all(r.status_code in (200, 400) for r in results), [r.text for r in results]
    assert sum(r.status_code == 200 for r in results[:32]) >= 16  # i % 5 == 2 moves a section before itself
    listed = [s["gid"] for s in ok(await client.get(f"/projects/{project}/sections"))]
    assert sorted(listed) == sorted(sections)  # each exactly once
    in_project = [t["gid"] for t in ok(await client.get(f"/projects/{project}/tasks"))]
    assert len(in_project) == len(set(in_project))
    added = {tasks[i] for i, r in enumerate(results[32:]) if r.status_code == 200} | set(seed)
    assert set(in_project) == added
    by_section = []
    for section in listed:
        by_section += [t["gid"] for t in ok(await client.get(f"/sections/{section}/tasks"))]
    assert by_section == in_project  # the project order is the section order, then the order within
    rows = world.count("SELECT count(*) FROM task_projects WHERE project_gid = :p", p=int(project))
    assert rows == len(added)
    stored_invariants(world, project)  # distinct positions; section positions copied correctly


async def test_a_project_without_sections_gets_its_default_one_for_a_new_task(client, world):
    # a project from before sections existed: a new task (no section named) makes "Untitled section"
    # and goes to its bottom; the next task goes after it
    project = (await make_project(client, world))["gid"]
    with world.env.engine.begin() as conn:
        conn.execute(text("DELETE FROM sections WHERE project_gid = :p"), {"p": int(project)})
    first = await make_task(client, world, "first", projects=[project])
    await make_task(client, world, "second", projects=[project])
    sections = ok(await client.get(f"/projects/{project}/sections"))
    assert [s["name"] for s in sections] == ["Untitled section"]
    assert await _order(client, project) == ["first", "second"]
    memberships = ok(await client.get(f"/tasks/{first}", params={"opt_fields": "memberships.section"}))
    assert memberships["memberships"][0]["section"]["gid"] == sections[0]["gid"]
    stored_invariants(world, project)
