"""POST /tasks/{gid}/duplicate: include elements, placement, errors, access."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import World, api_client
from tests.helpers import fails, ok
from tests.jobs.helpers import TASK_FIELDS, depends, job_result, names_of, new_tags, source_project, tag
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.anyio


async def _duplicate(client, world: World, task: str, **body: Any) -> Any:
    job = ok(await client.post(f"/tasks/{task}/duplicate", json={"data": body}), 201)
    assert job["resource_subtype"] == "duplicate_task" and job["new_task"] is None
    done = await job_result(client, world, job)
    assert done["status"] == "succeeded", done
    assert done["new_task"]["gid"] != task
    return ok(
        await client.get(
            f"/tasks/{done['new_task']['gid']}", params={"opt_fields": TASK_FIELDS + ",projects,parent"}
        )
    )


async def test_a_bare_duplicate_keeps_name_and_custom_field_values_only(client, world: World) -> None:
    src = await source_project(client, world)
    copy = await _duplicate(client, world, src["tasks"]["B"])
    assert (
        copy["name"] == "B" and copy["due_on"] is None and copy["projects"] == [] and copy["parent"] is None
    )
    assert copy["num_subtasks"] == 0
    assert [v["display_value"] for v in copy["custom_fields"]] == ["late"]


async def test_every_element(client, world: World) -> None:
    src = await source_project(client, world)
    include = "assignee,attachments,dates,dependencies,followers,notes,parent,projects,subtasks,tags"
    copy = await _duplicate(client, world, src["tasks"]["A"], name="A again", include=include)
    assert copy["name"] == "A again" and copy["notes"] == "a notes"
    assert (copy["start_on"], copy["due_on"]) == ("2026-02-27", "2026-03-02")
    assert copy["assignee"]["gid"] == src["bob"]
    assert [p["gid"] for p in copy["projects"]] == [src["project"]]
    assert copy["num_subtasks"] == 2
    subtasks = ok(await client.get(f"/tasks/{copy['gid']}/subtasks"))
    assert [s["name"] for s in subtasks] == ["A1", "A2"]
    names = [t["name"] for t in ok(await client.get(f"/sections/{src['sections'][0]}/tasks"))]
    assert names == ["A", "B", "A again"]  # at the bottom of the same section


async def test_parent_puts_the_copy_under_the_same_parent(client, world: World) -> None:
    src = await source_project(client, world)
    subtasks = ok(await client.get(f"/tasks/{src['tasks']['A']}/subtasks"))
    copy = await _duplicate(client, world, subtasks[0]["gid"], include="parent,subtasks")
    assert copy["parent"]["gid"] == src["tasks"]["A"]
    names = [s["name"] for s in ok(await client.get(f"/tasks/{src['tasks']['A']}/subtasks"))]
    assert names == ["A1", "A2", "A1"]
    assert [s["name"] for s in ok(await client.get(f"/tasks/{copy['gid']}/subtasks"))] == ["A1a"]


async def test_parent_only_where_the_creator_may_add_subtasks(client, world: World) -> None:
    # A viewer of the parent's project gets a 403 adding a subtask to it; a duplicate with `parent`
    # put the copy there all the same. Now the copy is a top-level task, as `projects` skips what
    # the creator may not add to.
    src = await source_project(client, world, privacy_setting="private")
    parent = src["tasks"]["A"]
    first = ok(await client.get(f"/tasks/{parent}/subtasks"))[0]["gid"]
    viewer, token = world.person("dave@example.com")
    body = {"data": {"parent": src["project"], "member": viewer, "access_level": "viewer"}}
    ok(await client.post("/memberships", json=body), 201)
    async with api_client(world.env, token) as dave:
        fails(await dave.post(f"/tasks/{parent}/subtasks", json={"data": {"name": "no"}}), 403)
        job = ok(
            await dave.post(f"/tasks/{first}/duplicate", json={"data": {"include": "parent,projects"}}), 201
        )
        done = await job_result(dave, world, job)
        assert done["status"] == "succeeded", done
        copy = ok(
            await dave.get(f"/tasks/{done['new_task']['gid']}", params={"opt_fields": "parent,projects"})
        )
    assert copy["parent"] is None and copy["projects"] == []
    assert [s["name"] for s in ok(await client.get(f"/tasks/{parent}/subtasks"))] == ["A1", "A2"]


async def test_a_source_deleted_between_the_jobs_reads_fails_the_job(
    client, world: World, monkeypatch
) -> None:
    # PostgreSQL: the job reads the task, then its blueprint, each statement seeing the newest data;
    # a DELETE committed between them left a blueprint of no task (IndexError, a traceback).
    if world.env.backend != "postgresql":
        pytest.skip("a SQLite read transaction sees one snapshot")
    from vinyasa.jobs import blueprint

    task = await make_task(client, world, "doomed")
    job = ok(await client.post(f"/tasks/{task}/duplicate", json={"data": {}}), 201)
    of_task = blueprint.of_task

    def deleted_first(conn, gid, include):
        with world.env.engine.begin() as other:
            other.execute(text("DELETE FROM tasks WHERE gid = :g"), {"g": gid})
        return of_task(conn, gid, include)

    monkeypatch.setattr(blueprint, "of_task", deleted_first)
    done = await job_result(client, world, job)
    assert done["status"] == "failed", done
    assert world.count("SELECT attempts FROM jobs WHERE gid = :g", g=int(job["gid"])) == 1


async def test_bad_input_and_access(client, world: World) -> None:
    src = await source_project(client, world, privacy_setting="private")
    task = src["tasks"]["A"]
    fails(
        await client.post(f"/tasks/{task}/duplicate", json={"data": {"include": "members"}}), 400, "include"
    )
    fails(await client.post(f"/tasks/{task}/duplicate", json={"data": {"name": ""}}), 400, "name")
    fails(await client.post("/tasks/42/duplicate", json={"data": {}}), 404)
    _, token = world.person("eve@example.com")
    async with api_client(world.env, token) as eve:
        fails(await eve.post(f"/tasks/{task}/duplicate", json={"data": {}}), 404)
    assert world.count("SELECT count(*) FROM jobs") == 0


async def _linked(client, world: World) -> dict[str, Any]:
    """A with tags T2, T1 that depends on X, blocks Y; its subtask A1 depends on A2 and is tagged T1."""
    src = await source_project(client, world)
    t1, t2 = await new_tags(client, world, "T1", "T2")
    a = src["tasks"]["A"]
    a1, a2 = (s["gid"] for s in ok(await client.get(f"/tasks/{a}/subtasks")))
    outside = {}
    for name in ("X", "Y"):
        body = {"data": {"name": name, "workspace": world.workspace}}
        outside[name] = ok(await client.post("/tasks", json=body), 201)["gid"]
    await tag(client, a, t2, t1)
    await tag(client, a1, t1)
    await depends(client, a, outside["X"])
    await depends(client, outside["Y"], a)
    await depends(client, a1, a2)
    return {**src, **outside}


async def test_tags_and_dependencies_are_copied(client, world: World) -> None:
    src = await _linked(client, world)
    copy = await _duplicate(client, world, src["tasks"]["A"], include="tags,dependencies,subtasks")
    assert await names_of(client, f"/tasks/{copy['gid']}/tags") == ["T2", "T1"]
    # The copy depends on, and blocks, the same outside tasks.
    assert [t["gid"] for t in ok(await client.get(f"/tasks/{copy['gid']}/dependencies"))] == [src["X"]]
    assert [t["gid"] for t in ok(await client.get(f"/tasks/{copy['gid']}/dependents"))] == [src["Y"]]
    assert await names_of(client, f"/tasks/{src['Y']}/dependencies") == ["A", "A"]
    # Between the copied subtasks: the copies' link.
    c1, c2 = (s["gid"] for s in ok(await client.get(f"/tasks/{copy['gid']}/subtasks")))
    assert [t["gid"] for t in ok(await client.get(f"/tasks/{c1}/dependencies"))] == [c2]
    assert await names_of(client, f"/tasks/{c1}/tags") == ["T1"]


async def test_without_the_elements_no_tags_nor_dependencies(client, world: World) -> None:
    src = await _linked(client, world)
    copy = await _duplicate(client, world, src["tasks"]["A"], include="subtasks")
    c1, _ = (s["gid"] for s in ok(await client.get(f"/tasks/{copy['gid']}/subtasks")))
    for gid in (copy["gid"], c1):
        assert await names_of(client, f"/tasks/{gid}/tags") == []
        assert await names_of(client, f"/tasks/{gid}/dependencies") == []
    assert await names_of(client, f"/tasks/{copy['gid']}/dependents") == []


async def test_an_outside_task_at_its_limit_gets_no_link_to_the_copy(client, world: World) -> None:
    src = await _linked(client, world)
    blockers = []
    for n in range(29):  # X: A and 29 more dependents, Asana's 30 links in all
        body = {"data": {"name": f"Z{n}", "workspace": world.workspace}}
        blockers.append(ok(await client.post("/tasks", json=body), 201)["gid"])
    ok(await client.post(f"/tasks/{src['X']}/addDependents", json={"data": {"dependents": blockers}}))
    copy = await _duplicate(client, world, src["tasks"]["A"], include="dependencies")
    assert ok(await client.get(f"/tasks/{copy['gid']}/dependencies")) == []
    assert [t["gid"] for t in ok(await client.get(f"/tasks/{copy['gid']}/dependents"))] == [src["Y"]]


async def test_a_text_search_finds_the_copy_and_its_subtasks_at_once(client, world: World) -> None:
    """The job's new tasks are in the search index the moment the job is done (SQLite queues them:
    vinyasa.search.indexing)."""
    src = await source_project(client, world)
    copy = await _duplicate(client, world, src["tasks"]["A"], name="Zebra copy", include="notes,subtasks")
    search = f"/workspaces/{world.workspace}/tasks/search"
    assert [t["gid"] for t in ok(await client.get(search, params={"text": "zebra"}))] == [copy["gid"]]
    copies = {s["name"]: s["gid"] for s in ok(await client.get(f"/tasks/{copy['gid']}/subtasks"))}
    originals = {s["name"]: s["gid"] for s in ok(await client.get(f"/tasks/{src['tasks']['A']}/subtasks"))}
    found = {t["gid"] for t in ok(await client.get(search, params={"text": "a2"}))}
    assert found == {copies["A2"], originals["A2"]}
