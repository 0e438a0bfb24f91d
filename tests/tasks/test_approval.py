"""A task's approval_status: stored, validated, kept in sync with completed, journaled and copied."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.events.test_events import events, fresh_sync
from tests.helpers import fails, ok
from tests.jobs.helpers import job_result
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task, names
from tests.tasks.layout import snapshot

pytestmark = pytest.mark.anyio

FIELDS = "completed,completed_at,approval_status"


async def status(client, task: str) -> tuple[bool, str]:
    got = ok(await client.get(f"/tasks/{task}", params={"opt_fields": FIELDS}))
    assert (got["completed_at"] is not None) == got["completed"]
    return got["completed"], got["approval_status"]


async def put(client, task: str, **data: Any) -> tuple[bool, str]:
    ok(await client.put(f"/tasks/{task}", json={"data": data}))
    return await status(client, task)


async def test_every_status_is_stored_and_kept_in_sync_with_completed(client, world):
    project = (await make_project(client, world))["gid"]
    made = ok(
        await client.post(
            "/tasks",
            params={"opt_fields": FIELDS},
            json={
                "data": {
                    "name": "Sign-off",
                    "projects": [project],
                    "resource_subtype": "approval",
                    "approval_status": "changes_requested",
                }
            },
        ),
        201,
    )
    task = made["gid"]
    assert (made["completed"], made["approval_status"]) == (True, "changes_requested")  # it completes
    assert made["completed_at"] is not None
    assert await put(client, task, approval_status="rejected") == (True, "rejected")
    # "If you set completed to true, this field will be set to approved" (TaskBase.approval_status)
    assert await put(client, task, completed=True) == (True, "approved")
    assert await put(client, task, completed=True, approval_status="rejected") == (True, "rejected")
    assert await put(client, task, completed=False) == (False, "pending")
    assert await put(client, task, approval_status="approved") == (True, "approved")
    assert await put(client, task, approval_status="pending") == (False, "pending")
    assert await put(client, task, approval_status="changes_requested") == (True, "changes_requested")
    # a body that contradicts itself: `completed` decides
    assert await put(client, task, completed=False, approval_status="rejected") == (False, "pending")
    assert await put(client, task, completed=True, approval_status="pending") == (True, "approved")
    # the project's lists and counts see a decided task as completed
    ok(await client.put(f"/tasks/{task}", json={"data": {"approval_status": "rejected"}}))
    assert await names(client, f"/tasks?project={project}&completed_since=now") == []
    counts = ok(await client.get(f"/projects/{project}/task_counts?opt_fields=num_completed_tasks"))
    assert counts == {"num_completed_tasks": 1}
    # no task reads `approval_status` without asking for it
    assert "approval_status" not in ok(await client.get(f"/tasks/{task}"))


async def test_a_task_of_any_subtype_takes_it(client, world):
    """The spec restricts approval_status to no subtype: a default task takes it as well."""
    task = await make_task(client, world, name="plain")
    assert await status(client, task) == (False, "pending")
    assert await put(client, task, approval_status="rejected") == (True, "rejected")
    got = ok(await client.get(f"/tasks/{task}", params={"opt_fields": "resource_subtype"}))
    assert got["resource_subtype"] == "default_task"
    created = ok(
        await client.post(
            "/tasks",
            params={"opt_fields": FIELDS},
            json={"data": {"name": "m", "workspace": world.workspace, "approval_status": "approved"}},
        ),
        201,
    )
    assert (created["completed"], created["approval_status"]) == (True, "approved")


async def test_a_bad_status_is_a_400_that_changes_nothing(client, world):
    task = await make_task(client, world, name="t", resource_subtype="approval")
    ok(await client.put(f"/tasks/{task}", json={"data": {"approval_status": "rejected"}}))
    before = snapshot(world)
    valid = "Valid values are: pending, approved, rejected or changes_requested"
    for value, message in (
        ("maybe", f"approval_status: Not a valid enum value: maybe. {valid}"),
        ("Approved", "approval_status: Not a valid enum value: Approved"),
        (None, "approval_status: Cannot be null"),
        (True, "approval_status: Not a string"),
    ):
        body = {"approval_status": value, "name": "renamed", "completed": False}
        fails(await client.put(f"/tasks/{task}", json={"data": body}), 400, message)
        create = {"name": "new", "workspace": world.workspace, "approval_status": value}
        fails(await client.post("/tasks", json={"data": create}), 400, message)
    assert snapshot(world) == before
    assert await status(client, task) == (True, "rejected")


async def test_a_change_is_journaled_as_completed_is(client, world):
    project = (await make_project(client, world))["gid"]
    task = await make_task(client, world, name="t", projects=[project], resource_subtype="approval")
    sync = await fresh_sync(client, task)

    async def changes() -> list[str]:
        nonlocal sync
        body = await events(client, task, sync)
        sync = body["sync"]
        return [e["change"]["field"] for e in body["data"] if e["action"] == "changed"]

    ok(await client.put(f"/tasks/{task}", json={"data": {"approval_status": "rejected"}}))
    assert await changes() == ["completed", "approval_status"]
    ok(await client.put(f"/tasks/{task}", json={"data": {"approval_status": "rejected"}}))
    assert await changes() == []  # no change, no entry
    ok(await client.put(f"/tasks/{task}", json={"data": {"approval_status": "changes_requested"}}))
    assert await changes() == ["approval_status"]
    ok(await client.put(f"/tasks/{task}", json={"data": {"completed": True}}))  # now approved
    assert await changes() == ["approval_status"]
    ok(await client.put(f"/tasks/{task}", json={"data": {"approval_status": "pending"}}))
    assert await changes() == ["completed"]  # pending is what completed: false says
    ok(await client.put(f"/tasks/{task}", json={"data": {"approval_status": "approved"}}))
    assert await changes() == ["completed"]


async def _run(client, world: World, path: str, body: dict[str, Any]) -> dict[str, Any]:
    job = ok(await client.post(path, json={"data": body}), 201)
    done = await job_result(client, world, job)
    assert done["status"] == "succeeded", done
    return done


async def test_copies_keep_it_as_they_keep_completed(client, world):
    project = (await make_project(client, world))["gid"]
    rejected = await make_task(client, world, name="r", projects=[project], resource_subtype="approval")
    ok(await client.put(f"/tasks/{rejected}", json={"data": {"approval_status": "rejected"}}))
    await make_task(client, world, name="p", projects=[project], resource_subtype="approval")
    done = await _run(client, world, f"/tasks/{rejected}/duplicate", {"name": "r2"})
    assert await status(client, done["new_task"]["gid"]) == (True, "rejected")
    done = await _run(client, world, f"/projects/{project}/duplicate", {"name": "Copy", "team": world.team})
    copied = ok(await client.get(f"/projects/{done['new_project']['gid']}/tasks"))
    assert [await status(client, t["gid"]) for t in copied] == [(True, "rejected"), (False, "pending")]
    data = {"name": "Plan", "public": True, "team": world.team}
    done = await _run(client, world, f"/projects/{project}/saveAsTemplate", data)
    template = done["new_project_template"]["gid"]
    made = await _run(client, world, f"/project_templates/{template}/instantiateProject", {"name": "Made"})
    listed = ok(await client.get(f"/projects/{made['new_project']['gid']}/tasks"))
    assert [await status(client, t["gid"]) for t in listed] == [(True, "rejected"), (False, "pending")]
