"""Tasks: refused requests change nothing (checked in the database), filters, counts, access levels."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task, names, project_for_limited_user, project_with_sections
from tests.tasks.layout import layout, snapshot

pytestmark = pytest.mark.anyio


async def test_create_bad_input_changes_nothing(client, world):
    project, (s0, s1) = await project_with_sections(client, world, "S1")
    other, (foreign,) = await project_with_sections(client, world)
    elsewhere = world.other_workspace("Elsewhere", "stranger@example.com")
    stranger = world.count("SELECT gid FROM users WHERE email = 'stranger@example.com'")
    parent = await make_task(client, world, name="parent")
    ws = world.workspace
    before = snapshot(world)
    cases: list[tuple[dict[str, Any], str]] = [
        # memberships: a section of another project; unknown project/section; malformed
        ({"memberships": [{"project": project, "section": foreign}]}, "memberships.section"),
        ({"memberships": [{"project": "999999", "section": s0}]}, "memberships.project"),
        ({"memberships": [{"project": project, "section": "999999"}]}, "memberships.section"),
        ({"memberships": [{"project": project, "section": "abc"}]}, "memberships.section"),
        ({"memberships": {"project": project, "section": s0}}, "memberships"),
        ({"memberships": project}, "memberships"),
        ({"memberships": [project]}, "memberships"),
        ({"memberships": [{"section": s0}]}, "memberships"),
        ({"memberships": [{"project": int(project)}]}, "memberships"),
        ({"memberships": [{"project": project, "section": s0}, "x"]}, "memberships"),
        # projects / parent / workspace unknown or malformed
        ({"projects": ["999999"]}, "projects"),
        ({"projects": [project, "999999"]}, "projects"),
        ({"projects": 5, "workspace": ws}, "projects"),
        ({"projects": [5], "workspace": ws}, "projects"),
        ({"parent": "999999"}, "parent"),
        ({"workspace": "999999"}, "workspace"),
        ({"workspace": elsewhere["workspace"]}, "workspace"),  # not a member there
        # dates
        ({"workspace": ws, "due_on": "2031-01-01", "due_at": "2031-01-01T10:00:00Z"}, "due_on"),
        ({"workspace": ws, "start_on": "2031-01-01"}, "start_on"),
        ({"workspace": ws, "start_on": "2031-01-05", "due_on": "2031-01-01"}, "start_on"),
        ({"workspace": ws, "start_at": "2031-01-01T10:00:00Z"}, "start_at"),
        (
            {
                "workspace": ws,
                "resource_subtype": "milestone",
                "start_on": "2031-01-01",
                "due_on": "2031-01-02",
            },
            "milestone",
        ),
        ({"workspace": ws, "due_on": "tomorrow"}, "due_on"),
        ({"workspace": ws, "due_on": "2031-02-30"}, "due_on"),
        ({"workspace": ws, "due_at": "2031-01-01 25:00"}, "due_at"),
        # subtype, assignee, followers
        ({"workspace": ws, "resource_subtype": "section"}, "resource_subtype"),
        ({"workspace": ws, "resource_subtype": "epic"}, "resource_subtype"),
        ({"workspace": ws, "assignee": str(stranger)}, "assignee"),  # exists, but in another workspace
        ({"workspace": ws, "assignee": "stranger@example.com"}, "assignee"),
        ({"workspace": ws, "followers": [str(stranger)]}, "followers"),
        # wrong types
        ({"workspace": ws, "name": 123}, "name"),
        ({"workspace": ws, "name": ["x"]}, "name"),
        ({"workspace": ws, "completed": "maybe"}, "completed"),
        ({"workspace": ws, "completed": [True]}, "completed"),
        ({"workspace": ws, "assignee": 5}, "assignee"),
        ({"workspace": ws, "due_on": 20310101}, "due_on"),
        ({"workspace": ws, "notes": {"text": "x"}}, "notes"),
        ({"workspace": ws, "name": None}, "name"),
        ({"workspace": int(ws)}, "workspace"),
        # create-only lists naming nothing that exists
        ({"workspace": ws, "tags": ["999999"]}, "tags"),
    ]
    for data, fragment in cases:
        fails(await client.post("/tasks", json={"data": {"name": "x", **data}}), 400, fragment)
        if "parent" not in data:  # the path names the parent of a subtask
            fails(await client.post(f"/tasks/{parent}/subtasks", json={"data": {"name": "x", **data}}), 400)
    fails(await client.post("/tasks/999999/subtasks", json={"data": {"name": "x"}}), 404)
    fails(await client.post("/tasks", json={"data": "x"}), 400)
    assert snapshot(world) == before


async def test_assignee_from_another_workspace_is_refused_on_update(client, world):
    elsewhere = world.other_workspace("Elsewhere", "stranger@example.com")
    assert elsewhere["workspace"]
    stranger = world.count("SELECT gid FROM users WHERE email = 'stranger@example.com'")
    task = await make_task(client, world, name="t", assignee="me")
    before = snapshot(world)
    fails(await client.put(f"/tasks/{task}", json={"data": {"assignee": str(stranger)}}), 400, "assignee")
    assert snapshot(world) == before
    assert ok(await client.get(f"/tasks/{task}"))["assignee"]["gid"] == world.user


async def test_update_bad_input_changes_nothing(client, world):
    project, _ = await project_with_sections(client, world)
    task = await make_task(client, world, name="t", projects=[project], due_on="2031-01-10")
    milestone = await make_task(client, world, name="m", resource_subtype="milestone", due_on="2031-01-10")
    before = snapshot(world)
    record = ok(await client.get(f"/tasks/{task}"))
    for data, fragment in [
        ({"due_on": "2031-01-01", "due_at": "2031-01-01T10:00:00Z"}, "due_on"),
        ({"start_on": "2031-01-20"}, "start_on"),  # after the due date
        ({"due_on": None, "start_on": "2031-01-01"}, "start_on"),  # no due date left
        ({"start_at": "2031-01-01T10:00:00Z"}, "due_at"),  # start_at needs due_at in the request
        ({"resource_subtype": "bug"}, "resource_subtype"),
        ({"completed": None}, "completed"),
        ({"completed": "perhaps"}, "completed"),
        ({"name": 7}, "name"),
        ({"assignee": "999999"}, "assignee"),
        ({"parent": "999999"}, "parent"),
        ({"workspace": "999999"}, "workspace"),
        ({"custom_fields": {"1": "x"}}, "custom_fields"),
    ]:
        fails(await client.put(f"/tasks/{task}", json={"data": data}), 400, fragment)
    fails(
        await client.put(f"/tasks/{milestone}", json={"data": {"start_on": "2031-01-01"}}), 400, "milestone"
    )
    fails(await client.put("/tasks/999999", json={"data": {"name": "x"}}), 404)
    fails(await client.put("/tasks/abc", json={"data": {"name": "x"}}), 404)
    fails(await client.get("/tasks/999999"), 404)
    fails(await client.delete("/tasks/999999"), 404)
    assert snapshot(world) == before
    assert ok(await client.get(f"/tasks/{task}")) == record


async def test_milestone_counts_as_task_and_start_on_rules(client, world):
    gid = await make_task(client, world, name="m", resource_subtype="milestone", due_on="2031-01-02")
    data = ok(await client.get(f"/tasks/{gid}"))
    assert data["resource_subtype"] == "milestone" and data["start_on"] is None
    # start_on before the due date is fine for other subtypes, and a change back clears nothing else
    data = ok(
        await client.put(
            f"/tasks/{gid}",
            json={"data": {"resource_subtype": "default_task", "start_on": "2031-01-01"}},
        )
    )
    assert (data["resource_subtype"], data["start_on"], data["due_on"]) == (
        "default_task",
        "2031-01-01",
        "2031-01-02",
    )


async def test_get_tasks_filters_precisely(client, world):
    bob, _ = world.person("bob@example.com")
    project, (s0, s1) = await project_with_sections(client, world, "S1")
    a = await make_task(
        client, world, name="a", memberships=[{"project": project, "section": s1}], assignee=bob
    )
    b = await make_task(client, world, name="b", memberships=[{"project": project, "section": s0}])
    c = await make_task(client, world, name="c", workspace=world.workspace, assignee=bob)
    ok(await client.put(f"/tasks/{b}", json={"data": {"completed": True}}))
    await asyncio.sleep(0.01)
    completed_b = ok(await client.get(f"/tasks/{b}"))["completed_at"]
    await asyncio.sleep(0.01)
    ok(await client.put(f"/tasks/{c}", json={"data": {"completed": True}}))
    mark = ok(await client.get(f"/tasks/{c}"))["modified_at"]
    await asyncio.sleep(0.01)
    # project order is section order, then position
    assert await names(client, f"/tasks?project={project}") == ["b", "a"]
    assert await names(client, f"/tasks?section={s1}") == ["a"]
    # (an assignee's tasks come in gid order, which is not creation order: compare as sets)
    assert sorted(await names(client, f"/tasks?workspace={world.workspace}&assignee={bob}")) == ["a", "c"]
    assert sorted(await names(client, f"/tasks?workspace={world.workspace}&assignee=bob@example.com")) == [
        "a",
        "c",
    ]
    assert await names(client, f"/tasks?workspace={world.workspace}&assignee=me") == []
    # completed_since: incomplete ones, plus those completed at or after the time
    assert await names(client, f"/tasks?project={project}&completed_since={completed_b}") == ["b", "a"]
    assert await names(client, f"/tasks?project={project}&completed_since=2999-01-01T00:00:00Z") == ["a"]
    assert sorted(
        await names(client, f"/tasks?workspace={world.workspace}&assignee={bob}&completed_since={mark}")
    ) == ["a", "c"]
    assert await names(client, f"/tasks?workspace={world.workspace}&assignee={bob}&completed_since=now") == [
        "a"
    ]
    assert await names(client, f"/projects/{project}/tasks?completed_since=now") == ["a"]
    # modified_since: only what changed at or after the time
    assert await names(
        client, f"/tasks?workspace={world.workspace}&assignee={bob}&modified_since={mark}"
    ) == ["c"]
    assert await names(client, f"/tasks?project={project}&modified_since={mark}") == []
    ok(await client.put(f"/tasks/{a}", json={"data": {"name": "a2"}}))
    assert await names(client, f"/tasks?project={project}&modified_since={mark}") == ["a2"]
    # adding to a project counts as a modification (spec), moving within it too
    ok(await client.post(f"/sections/{s1}/addTask", json={"data": {"task": b}}))
    assert await names(client, f"/tasks?project={project}&modified_since={mark}") == ["b", "a2"]
    assert await names(client, f"/tasks?project={project}&modified_since=2000-01-01T00:00:00Z") == ["b", "a2"]
    # filters that are missing, ambiguous or half given are 400; so are bad times and unknown objects
    for query in (
        "",
        f"workspace={world.workspace}",
        "assignee=me",
        f"project={project}&section={s0}",
        f"project={project}&workspace={world.workspace}&assignee=me",
        f"section={s0}&assignee=me",
        "completed_since=now",
    ):
        fails(await client.get(f"/tasks?{query}"), 400, "You should specify one of workspace, project")
    fails(await client.get(f"/tasks?project={project}&modified_since=now-ish"), 400, "modified_since")
    fails(await client.get(f"/sections/{s0}/tasks?completed_since=soon"), 400, "completed_since")
    fails(await client.get("/tasks?section=999999"), 400, "section")
    fails(await client.get("/tasks?workspace=999999&assignee=me"), 400, "workspace")
    fails(
        await client.get(f"/tasks?workspace={world.workspace}&assignee=nobody@example.com"), 400, "assignee"
    )


async def test_task_counts_follow_every_change(client, world):
    project, (s0, s1) = await project_with_sections(client, world, "S1")
    counts = f"/projects/{project}/task_counts"
    every = "num_tasks,num_incomplete_tasks,num_completed_tasks,num_milestones,num_incomplete_milestones,num_completed_milestones"

    async def expect(tasks, done, milestones, done_milestones):
        assert ok(await client.get(f"{counts}?opt_fields={every}")) == {
            "num_tasks": tasks,
            "num_incomplete_tasks": tasks - done,
            "num_completed_tasks": done,
            "num_milestones": milestones,
            "num_incomplete_milestones": milestones - done_milestones,
            "num_completed_milestones": done_milestones,
        }

    assert ok(await client.get(counts)) == {}
    await expect(0, 0, 0, 0)
    a = await make_task(client, world, projects=[project])
    m = await make_task(
        client, world, resource_subtype="milestone", memberships=[{"project": project, "section": s1}]
    )
    await expect(2, 0, 1, 0)
    ok(await client.put(f"/tasks/{m}", json={"data": {"completed": True}}))
    await expect(2, 1, 1, 1)
    ok(await client.put(f"/tasks/{m}", json={"data": {"completed": False}}))  # toggled back
    await expect(2, 0, 1, 0)
    ok(await client.put(f"/tasks/{a}", json={"data": {"completed": True}}))
    ok(await client.put(f"/tasks/{a}", json={"data": {"completed": True}}))  # no change
    await expect(2, 1, 1, 0)
    # a completed task joining keeps its state; moving within the project changes no count
    done = await make_task(client, world, completed=True)
    ok(await client.post(f"/tasks/{done}/addProject", json={"data": {"project": project}}))
    ok(await client.post(f"/sections/{s0}/addTask", json={"data": {"task": m}}))
    await expect(3, 2, 1, 0)
    # subtasks and tasks outside do not count; a subtask added to the project does
    sub = ok(await client.post(f"/tasks/{a}/subtasks", json={"data": {"name": "s"}}), 201)["gid"]
    await make_task(client, world)
    await expect(3, 2, 1, 0)
    ok(await client.post(f"/tasks/{sub}/addProject", json={"data": {"project": project}}))
    await expect(4, 2, 1, 0)
    # a milestone turned into a task and back; deletion and removal
    ok(await client.put(f"/tasks/{m}", json={"data": {"resource_subtype": "default_task"}}))
    await expect(4, 2, 0, 0)
    ok(await client.put(f"/tasks/{done}", json={"data": {"resource_subtype": "milestone"}}))
    await expect(4, 2, 1, 1)
    ok(await client.delete(f"/tasks/{a}"))  # takes its subtask along
    await expect(2, 1, 1, 1)
    ok(await client.post(f"/tasks/{done}/removeProject", json={"data": {"project": project}}))
    await expect(1, 0, 0, 0)
    # each field only when named; unknown names are ignored
    assert ok(await client.get(f"{counts}?opt_fields=num_incomplete_tasks")) == {"num_incomplete_tasks": 1}
    assert ok(await client.get(f"{counts}?opt_fields=num_completed_milestones,num_tasks")) == {
        "num_completed_milestones": 0,
        "num_tasks": 1,
    }


async def test_projects_of_a_task(client, world):
    bob, token = world.person("bob@example.com")
    one = (await make_project(client, world, name="One"))["gid"]
    two = (await make_project(client, world, name="Two", privacy_setting="private"))["gid"]
    three = (await make_project(client, world, name="Three"))["gid"]
    task = await make_task(client, world, projects=[one, two], followers=[bob])
    ok(await client.post(f"/tasks/{task}/addProject", json={"data": {"project": three}}))
    listed = ok(await client.get(f"/tasks/{task}/projects"))
    assert sorted((p["gid"], p["name"], p["resource_type"]) for p in listed) == sorted(
        [(one, "One", "project"), (two, "Two", "project"), (three, "Three", "project")]
    )
    assert set(listed[0]) == {"gid", "resource_type", "name"}
    ok(await client.post(f"/tasks/{task}/removeProject", json={"data": {"project": one}}))
    assert sorted(p["gid"] for p in ok(await client.get(f"/tasks/{task}/projects"))) == sorted([two, three])
    async with api_client(world.env, token) as as_bob:  # the private project is hidden from Bob
        assert [p["gid"] for p in ok(await as_bob.get(f"/tasks/{task}/projects"))] == [three]
    fails(await client.get("/tasks/999999/projects"), 404)


async def test_add_and_remove_project_refusals_change_nothing(client, world):
    project, (s0, s1) = await project_with_sections(client, world, "S1")
    other, (foreign,) = await project_with_sections(client, world)
    elsewhere = world.other_workspace("Elsewhere", "owner@example.com")
    far = ok(await client.post(f"/teams/{elsewhere['team']}/projects", json={"data": {"name": "Far"}}), 201)[
        "gid"
    ]
    a = await make_task(client, world, name="a", memberships=[{"project": project, "section": s0}])
    b = await make_task(client, world, name="b", memberships=[{"project": project, "section": s1}])
    c = await make_task(client, world, name="c")
    before, shown = snapshot(world), await layout(client, project)
    add = f"/tasks/{c}/addProject"
    for data, fragment in [
        ({"project": project, "insert_before": a, "insert_after": b}, "both"),
        ({"project": project, "insert_before": None, "insert_after": None}, "both"),
        ({"project": project, "section": foreign}, "section"),
        ({"project": project, "section": "999999"}, "section"),
        ({"project": project, "section": s1, "insert_before": a}, "section"),  # anchor in another section
        ({"project": project, "insert_after": "999999"}, "insert_after"),
        ({"project": project, "insert_after": c}, "itself"),
        ({"project": "999999"}, "project"),
        ({"project": far}, "workspace"),
        ({"project": int(project)}, "project"),
        ({"project": project, "insert_before": 5}, "insert_before"),
        ({}, "project"),
    ]:
        fails(await client.post(add, json={"data": data}), 400, fragment)
    fails(await client.post("/tasks/999999/addProject", json={"data": {"project": project}}), 404)
    fails(await client.post("/tasks/999999/removeProject", json={"data": {"project": project}}), 404)
    fails(
        await client.post(f"/tasks/{a}/removeProject", json={"data": {"project": "999999"}}), 400, "project"
    )
    fails(
        await client.post(f"/tasks/{a}/removeProject", json={"data": {"project": [project]}}), 400, "project"
    )
    assert snapshot(world) == before
    assert await layout(client, project) == shown


async def test_add_task_into_a_twenty_first_project_is_refused(client, world):
    task = await make_task(client, world)
    projects = [(await make_project(client, world, name=f"P{i}"))["gid"] for i in range(21)]
    for project in projects[:20]:
        ok(await client.post(f"/tasks/{task}/addProject", json={"data": {"project": project}}))
    last = ok(await client.get(f"/projects/{projects[20]}/sections"))[0]["gid"]
    before = snapshot(world)
    fails(await client.post(f"/sections/{last}/addTask", json={"data": {"task": task}}), 400, "20")
    fails(await client.post(f"/tasks/{task}/addProject", json={"data": {"project": projects[20]}}), 400, "20")
    assert snapshot(world) == before
    # after leaving one, there is room again
    ok(await client.post(f"/tasks/{task}/removeProject", json={"data": {"project": projects[0]}}))
    ok(await client.post(f"/sections/{last}/addTask", json={"data": {"task": task}}))
    assert world.count("SELECT count(*) FROM task_projects WHERE task_gid = :t", t=int(task)) == 20


async def test_set_parent_refusals_change_nothing(client, world):
    elsewhere = world.other_workspace("Elsewhere", "owner@example.com")
    parent = await make_task(client, world, name="P")
    kids = [
        ok(await client.post(f"/tasks/{parent}/subtasks", json={"data": {"name": n}}), 201)["gid"]
        for n in "abc"
    ]
    grandchild = ok(await client.post(f"/tasks/{kids[0]}/subtasks", json={"data": {"name": "g"}}), 201)["gid"]
    other_parent = await make_task(client, world, name="Q")
    cousin = ok(await client.post(f"/tasks/{other_parent}/subtasks", json={"data": {"name": "x"}}), 201)[
        "gid"
    ]
    far = await make_task(client, world, name="far", workspace=str(elsewhere["workspace"]))
    loose = await make_task(client, world, name="loose")
    before = snapshot(world)
    sp = f"/tasks/{loose}/setParent"
    for data, fragment in [
        ({"parent": parent, "insert_before": kids[0], "insert_after": kids[1]}, "both"),
        ({"parent": parent, "insert_after": cousin}, "insert_after"),  # a sibling of another parent
        ({"parent": parent, "insert_before": grandchild}, "insert_before"),  # not a direct child
        ({"parent": parent, "insert_before": "999999"}, "insert_before"),
        ({"parent": None, "insert_before": kids[0]}, "insert_before"),
        ({"parent": "999999"}, "parent"),
        ({"parent": far}, "workspace"),
        ({"parent": loose}, "parent"),
        ({"parent": int(parent)}, "parent"),
        ({}, "parent"),
    ]:
        fails(await client.post(sp, json={"data": data}), 400, fragment)
    # cycles: under itself, its child, its grandchild
    for under in (kids[0], grandchild):
        fails(
            await client.post(f"/tasks/{parent}/setParent", json={"data": {"parent": under}}), 400, "subtask"
        )
    fails(await client.post(f"/tasks/{kids[0]}/setParent", json={"data": {"parent": grandchild}}), 400)
    fails(await client.post("/tasks/999999/setParent", json={"data": {"parent": parent}}), 404)
    assert snapshot(world) == before
    assert [t["name"] for t in ok(await client.get(f"/tasks/{parent}/subtasks"))] == ["a", "b", "c"]


async def test_set_parent_orders_and_reroots(client, world):
    parent = await make_task(client, world, name="P")
    kids = {
        n: ok(await client.post(f"/tasks/{parent}/subtasks", json={"data": {"name": n}}), 201)["gid"]
        for n in "abc"
    }
    other = await make_task(client, world, name="Q")

    async def subtasks(gid):
        return [t["name"] for t in ok(await client.get(f"/tasks/{gid}/subtasks"))]

    assert await subtasks(parent) == ["a", "b", "c"]
    # within the same parent: before / after a sibling, and to the bottom with no anchor
    ok(
        await client.post(
            f"/tasks/{kids['c']}/setParent", json={"data": {"parent": parent, "insert_before": kids["a"]}}
        )
    )
    assert await subtasks(parent) == ["c", "a", "b"]
    ok(
        await client.post(
            f"/tasks/{kids['c']}/setParent", json={"data": {"parent": parent, "insert_after": kids["a"]}}
        )
    )
    assert await subtasks(parent) == ["a", "c", "b"]
    ok(await client.post(f"/tasks/{kids['a']}/setParent", json={"data": {"parent": parent}}))
    assert await subtasks(parent) == ["c", "b", "a"]
    # to another parent (with its own subtree), then back to top level
    grandchild = ok(await client.post(f"/tasks/{kids['b']}/subtasks", json={"data": {"name": "g"}}), 201)[
        "gid"
    ]
    ok(await client.post(f"/tasks/{kids['b']}/setParent", json={"data": {"parent": other}}))
    assert await subtasks(parent) == ["c", "a"] and await subtasks(other) == ["b"]
    assert world.count("SELECT root_gid FROM tasks WHERE gid = :g", g=int(grandchild)) == int(other)
    data = ok(await client.post(f"/tasks/{kids['b']}/setParent", json={"data": {"parent": None}}))
    assert data["parent"] is None and await subtasks(other) == []
    assert world.count("SELECT root_gid FROM tasks WHERE gid = :g", g=int(grandchild)) == int(kids["b"])
    assert ok(await client.get(f"/tasks/{parent}?opt_fields=num_subtasks"))["num_subtasks"] == 2
    # subtasks list paginates in order
    for n in "defg":
        ok(await client.post(f"/tasks/{parent}/subtasks", json={"data": {"name": n}}), 201)
    seen, path = [], f"/tasks/{parent}/subtasks?limit=4"
    while path:
        body = (await client.get(path)).json()
        seen += [t["name"] for t in body["data"]]
        path = body["next_page"]["path"] if body["next_page"] else ""
    assert seen == ["c", "a", "d", "e", "f", "g"]


async def test_hidden_project_tasks_are_404(client, world):
    _, token = world.person("bob@example.com")
    private = (await make_project(client, world, privacy_setting="private"))["gid"]
    task = await make_task(client, world, name="secret", projects=[private])
    mine = None
    before = snapshot(world)
    async with api_client(world.env, token) as bob:
        mine = await make_task(bob, world, name="bob's")
        before = snapshot(world)
        fails(await bob.get(f"/projects/{private}/tasks"), 404)
        fails(await bob.get(f"/tasks/{task}"), 404)
        fails(await bob.get(f"/tasks/{task}/projects"), 404)
        fails(await bob.get(f"/tasks/{task}/subtasks"), 404)
        fails(await bob.post(f"/tasks/{task}/subtasks", json={"data": {"name": "x"}}), 404)
        fails(await bob.post(f"/tasks/{task}/addProject", json={"data": {"project": private}}), 404)
        fails(await bob.post(f"/tasks/{task}/setParent", json={"data": {"parent": None}}), 404)
        fails(
            await bob.post(f"/tasks/{mine}/addProject", json={"data": {"project": private}}), 400, "project"
        )
        fails(await bob.post(f"/tasks/{mine}/setParent", json={"data": {"parent": task}}), 400, "parent")
        fails(await bob.post("/tasks", json={"data": {"name": "x", "projects": [private]}}), 400, "projects")
        fails(await bob.post("/tasks", json={"data": {"name": "x", "parent": task}}), 400, "parent")
    assert snapshot(world) == before


@pytest.mark.parametrize(
    "how", ["viewer by default", "commenter by default", "commenter member", "viewer member"]
)
async def test_below_editor_cannot_place_tasks(client, world, how):
    """Putting a task into a project, moving it there or taking it out needs editor (vinyasa.access),
    and so does changing, re-parenting or deleting a task of that project (tasks follow its levels)."""
    project, bob, token = await project_for_limited_user(client, world, how)
    s0 = ok(await client.get(f"/projects/{project}/sections"))[0]["gid"]
    s1 = ok(await client.post(f"/projects/{project}/sections", json={"data": {"name": "S1"}}), 201)["gid"]
    a = await make_task(client, world, name="a", memberships=[{"project": project, "section": s0}])
    b = await make_task(client, world, name="b", memberships=[{"project": project, "section": s0}])
    async with api_client(world.env, token) as c:
        own = await make_task(c, world, name="own")
        before = snapshot(world)
        assert [t["gid"] for t in ok(await c.get(f"/projects/{project}/tasks"))] == [a, b]
        for path, body in [
            (f"/tasks/{a}/addProject", {"project": project, "section": s1}),
            (f"/tasks/{b}/addProject", {"project": project, "insert_before": a}),
            (f"/tasks/{b}/addProject", {"project": project, "insert_after": None}),
            (f"/tasks/{own}/addProject", {"project": project}),
            (f"/tasks/{a}/removeProject", {"project": project}),
            (f"/sections/{s1}/addTask", {"task": a}),
            (f"/sections/{s0}/addTask", {"task": own}),
            ("/tasks", {"name": "new", "projects": [project]}),
            ("/tasks", {"name": "new", "memberships": [{"project": project, "section": s1}]}),
        ]:
            fails(await c.post(path, json={"data": body}), 403, "access")
        fails(await c.put(f"/tasks/{a}", json={"data": {"name": "a2"}}), 403, "editor access")
        fails(await c.delete(f"/tasks/{a}"), 403, "editor access")
        fails(await c.post(f"/tasks/{a}/setParent", json={"data": {"parent": b}}), 403, "editor access")
        fails(await c.post(f"/tasks/{own}/setParent", json={"data": {"parent": b}}), 403, "editor access")
        fails(await c.post(f"/tasks/{a}/subtasks", json={"data": {"name": "x"}}), 403, "editor access")
        assert snapshot(world) == before
        # a task in none of the projects is changed by its collaborators
        assert ok(await c.put(f"/tasks/{own}", json={"data": {"name": "own2"}}))["name"] == "own2"
    assert await layout(client, project) == [("Untitled section", ["a", "b"]), ("S1", [])]


async def test_add_task_from_another_workspace_and_create_only_fields(client, world):
    project, (s0, s1) = await project_with_sections(client, world, "S1")
    elsewhere = world.other_workspace("Elsewhere", "owner@example.com")
    far = await make_task(client, world, name="far", workspace=str(elsewhere["workspace"]))
    task = await make_task(client, world, name="t", memberships=[{"project": project, "section": s0}])
    before = snapshot(world)
    fails(await client.post(f"/sections/{s1}/addTask", json={"data": {"task": far}}), 400, "workspace")
    # memberships and projects are create-only: PUT ignores them, the task does not move
    other, _ = await project_with_sections(client, world)
    before = snapshot(world)
    data = ok(
        await client.put(
            f"/tasks/{task}",
            json={"data": {"memberships": [{"project": project, "section": s1}], "projects": [other]}},
        )
    )
    assert [m["section"]["gid"] for m in data["memberships"]] == [s0]
    assert snapshot(world) == before
    # removeProject counts as a modification
    stamp = data["modified_at"]
    ok(await client.post(f"/tasks/{task}/removeProject", json={"data": {"project": project}}))
    assert ok(await client.get(f"/tasks/{task}"))["modified_at"] >= stamp
    assert await layout(client, project) == [("Untitled section", []), ("S1", [])]
