"""POST /projects/{gid}/duplicate: include elements, order, custom fields, schedule_dates, errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, api_client
from tests.helpers import fails, ok
from tests.jobs.helpers import depends, job_result, names_of, new_tags, source_project, structure, tag

pytestmark = pytest.mark.anyio
EVERYTHING = "members,notes,task_assignee,task_dates,task_followers,task_notes,task_projects,task_subtasks"


async def test_duplicate_with_everything_copies_the_structure(client, world: World) -> None:
    src = await source_project(client, world)
    job = ok(
        await client.post(
            f"/projects/{src['project']}/duplicate", json={"data": {"name": "Copy", "include": EVERYTHING}}
        ),
        201,
    )
    assert job["resource_subtype"] == "duplicate_project" and job["new_project"] is None
    done = await job_result(client, world, job)
    assert done["status"] == "succeeded", done
    new = done["new_project"]["gid"]
    assert done["new_project"]["name"] == "Copy"
    assert await structure(client, new) == await structure(client, src["project"])
    copy = ok(
        await client.get(
            f"/projects/{new}", params={"opt_fields": "notes,custom_field_settings.custom_field.name"}
        )
    )
    assert copy["notes"] == "About it"
    assert [s["custom_field"]["name"] for s in copy["custom_field_settings"]] == ["Stage"]


async def _duplicate(client, world: World, project: str, **body: Any) -> Any:
    job = ok(
        await client.post(f"/projects/{project}/duplicate", json={"data": {"name": "Copy", **body}}), 201
    )
    done = await job_result(client, world, job)
    assert done["status"] == "succeeded", done
    return done


async def test_without_include_only_sections_tasks_and_custom_field_values_are_copied(
    client, world: World
) -> None:
    src = await source_project(client, world)
    done = await _duplicate(client, world, src["project"])
    got = await structure(client, done["new_project"]["gid"])
    blank: dict[str, Any] = {
        "notes": "",
        "due_on": None,
        "start_on": None,
        "assignee": None,
        "followers": [],
        "subtasks": [],
    }
    assert got == [
        ["Todo", [{"name": "A", "values": [None], **blank}, {"name": "B", "values": ["late"], **blank}]],
        ["Done", [{"name": "C", "values": [None], **blank}, {"name": "D", "values": [None], **blank}]],
    ]
    copy = ok(
        await client.get(f"/projects/{done['new_project']['gid']}", params={"opt_fields": "notes,members"})
    )
    assert copy["notes"] == "" and [m["gid"] for m in copy["members"]] == [world.user]


async def test_subtasks_only_with_task_subtasks(client, world: World) -> None:
    src = await source_project(client, world)
    done = await _duplicate(client, world, src["project"], include=["task_subtasks"])  # an array works too
    got = await structure(client, done["new_project"]["gid"])
    a = got[0][1][0]
    assert [s["name"] for s in a["subtasks"]] == ["A1", "A2"]
    assert [s["name"] for s in a["subtasks"][0]["subtasks"]] == ["A1a"]


async def test_members_are_copied_with_members(client, world: World) -> None:
    src = await source_project(client, world)
    ok(await client.post(f"/projects/{src['project']}/addMembers", json={"data": {"members": src["bob"]}}))
    done = await _duplicate(client, world, src["project"], include="members")
    copy = ok(await client.get(f"/projects/{done['new_project']['gid']}", params={"opt_fields": "members"}))
    assert sorted(m["gid"] for m in copy["members"]) == sorted([world.user, src["bob"]])


async def test_task_projects_puts_copies_into_the_other_projects_too(client, world: World) -> None:
    src = await source_project(client, world)
    other = ok(
        await client.post("/projects", json={"data": {"name": "Other", "workspace": world.workspace}}), 201
    )
    ok(await client.post(f"/tasks/{src['tasks']['D']}/addProject", json={"data": {"project": other["gid"]}}))
    done = await _duplicate(client, world, src["project"], include="task_projects")
    names = [t["name"] for t in ok(await client.get(f"/projects/{other['gid']}/tasks"))]
    assert names == ["D", "D"]
    copies = ok(await client.get(f"/projects/{done['new_project']['gid']}/tasks"))
    assert [t["name"] for t in copies] == ["A", "B", "C", "D"]


def _dates(got: Any) -> dict[str, Any]:
    out = {}

    def walk(task):
        out[task["name"]] = (task["start_on"], task["due_on"])
        for sub in task.get("subtasks", []):
            walk(sub)

    for _, tasks in got:
        for task in tasks:
            walk(task)
    return out


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (  # the last due date (C, Fri 13 Mar) moves to Fri 10 Apr: everything 28 days later
            {"should_skip_weekends": False, "due_on": "2026-04-10"},
            {
                "A": ("2026-03-27", "2026-03-30"),
                "A1": (None, "2026-03-31"),
                "B": (None, "2026-04-03"),
                "C": (None, "2026-04-10"),
            },
        ),
        (  # to Mon 13 Apr skipping weekends: every date keeps its distance in weekdays
            {"should_skip_weekends": True, "due_on": "2026-04-13"},
            {
                "A": ("2026-03-30", "2026-03-31"),
                "A1": (None, "2026-04-01"),
                "B": (None, "2026-04-06"),
                "C": (None, "2026-04-13"),
            },
        ),
        (  # the first start date (A, Fri 27 Feb) moves to Fri 1 May: 63 days later
            {"should_skip_weekends": False, "start_on": "2026-05-01"},
            {
                "A": ("2026-05-01", "2026-05-04"),
                "A1": (None, "2026-05-05"),
                "B": (None, "2026-05-08"),
                "C": (None, "2026-05-15"),
            },
        ),
        (  # the first start date to Sat 2 May skipping weekends: A starts that day, the rest on weekdays
            {"should_skip_weekends": True, "start_on": "2026-05-02"},
            {
                "A": ("2026-05-02", "2026-05-05"),
                "A1": (None, "2026-05-06"),
                "B": (None, "2026-05-11"),
                "C": (None, "2026-05-18"),
            },
        ),
    ],
)
async def test_schedule_dates_shift_every_date(client, world: World, schedule, expected) -> None:
    src = await source_project(client, world)
    done = await _duplicate(
        client, world, src["project"], include="task_dates,task_subtasks", schedule_dates=schedule
    )
    got = _dates(await structure(client, done["new_project"]["gid"]))
    assert {k: v for k, v in got.items() if k in expected} == expected
    assert got["D"] == (None, None) and got["A2"] == (None, None)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "name: Missing input"),
        ({"name": "  "}, "name: Missing input"),
        ({"name": "C", "include": "task_dates,bogus"}, "include: Not a valid element: bogus"),
        ({"name": "C", "include": 7}, "include"),
        (
            {"name": "C", "schedule_dates": {"should_skip_weekends": True, "due_on": "2026-01-01"}},
            "task_dates must be included",
        ),
        (
            {"name": "C", "include": "task_dates", "schedule_dates": {"due_on": "2026-01-01"}},
            "should_skip_weekends: Missing input",
        ),
        (
            {"name": "C", "include": "task_dates", "schedule_dates": {"should_skip_weekends": False}},
            "either start_on or due_on",
        ),
        (
            {
                "name": "C",
                "include": "task_dates",
                "schedule_dates": {
                    "should_skip_weekends": False,
                    "due_on": "2026-01-01",
                    "start_on": "2026-01-01",
                },
            },
            "but not both",
        ),
        (
            {
                "name": "C",
                "include": "task_dates",
                "schedule_dates": {"should_skip_weekends": False, "due_on": "soon"},
            },
            "schedule_dates.due_on",
        ),
        ({"name": "C", "schedule_dates": "tomorrow"}, "schedule_dates"),
    ],
)
async def test_bad_input_is_a_400_and_starts_nothing(client, world: World, body, fragment) -> None:
    src = await source_project(client, world)
    fails(await client.post(f"/projects/{src['project']}/duplicate", json={"data": body}), 400, fragment)
    assert world.count("SELECT count(*) FROM jobs") == 0


async def test_elements_vinyasa_does_not_hold_are_accepted(client, world: World) -> None:
    src = await source_project(client, world)
    body = "allocations,forms,permissions,task_attachments,task_templates,task_type_default"
    await _duplicate(client, world, src["project"], include=body, team=world.team)


async def test_an_outsider_cannot_duplicate_a_private_project_nor_see_the_job(client, world: World) -> None:
    src = await source_project(client, world, privacy_setting="private")
    _, token = world.person("eve@example.com")
    async with api_client(world.env, token) as eve:
        fails(await eve.post(f"/projects/{src['project']}/duplicate", json={"data": {"name": "X"}}), 404)
        job = ok(
            await client.post(f"/projects/{src['project']}/duplicate", json={"data": {"name": "X"}}), 201
        )
        fails(await eve.get(f"/jobs/{job['gid']}"), 404)
    fails(await client.post("/projects/123/duplicate", json={"data": {"name": "X"}}), 404)


async def test_a_source_deleted_before_the_job_runs_fails_the_job(client, world: World) -> None:
    src = await source_project(client, world)
    job = ok(await client.post(f"/projects/{src['project']}/duplicate", json={"data": {"name": "X"}}), 201)
    ok(await client.delete(f"/projects/{src['project']}"))
    done = await job_result(client, world, job)
    assert done["status"] == "failed" and done["new_project"] is None
    assert (
        world.count("SELECT count(*) FROM jobs WHERE error LIKE 'The project to duplicate was deleted%'") == 1
    )


async def test_big_projects_are_written_in_chunks_of_whole_trees(client, world: World, monkeypatch) -> None:
    from vinyasa.jobs import build

    monkeypatch.setattr(build, "CHUNK", 2)
    src = await source_project(client, world)
    done = await _duplicate(client, world, src["project"], include=EVERYTHING)
    assert await structure(client, done["new_project"]["gid"]) == await structure(client, src["project"])


async def _tagged_and_linked(client, world: World) -> dict[str, Any]:
    """The source project with tags (A: T2 then T1, its subtask A1: T1) and dependencies (B and D
    on A, C on A1, A on an outside task X)."""
    src = await source_project(client, world)
    t1, t2 = await new_tags(client, world, "T1", "T2")
    tasks = src["tasks"]
    a1 = ok(await client.get(f"/tasks/{tasks['A']}/subtasks"))[0]["gid"]
    await tag(client, tasks["A"], t2, t1)
    await tag(client, a1, t1)
    other = ok(await client.post("/tasks", json={"data": {"name": "X", "workspace": world.workspace}}), 201)
    await depends(client, tasks["B"], tasks["A"])
    await depends(client, tasks["D"], tasks["A"])
    await depends(client, tasks["C"], a1)
    await depends(client, tasks["A"], other["gid"])
    return {**src, "tags": [t1, t2], "outside": other["gid"]}


async def _copies(client, project: str) -> dict[str, str]:
    """name -> gid of a project's tasks and their first subtask (as "A1")."""
    out = {t["name"]: t["gid"] for t in ok(await client.get(f"/projects/{project}/tasks"))}
    subtasks = ok(await client.get(f"/tasks/{out['A']}/subtasks"))
    if subtasks:
        out["A1"] = subtasks[0]["gid"]
    return out


@pytest.mark.parametrize("chunk", [250, 1])
async def test_task_tags_and_dependencies_are_copied(client, world: World, monkeypatch, chunk) -> None:
    from vinyasa.jobs import build

    monkeypatch.setattr(build, "CHUNK", chunk)  # 1: every tree its own step, links across steps
    src = await _tagged_and_linked(client, world)
    include = "task_tags,task_dependencies,task_subtasks"
    done = await _duplicate(client, world, src["project"], include=include)
    new = await _copies(client, done["new_project"]["gid"])
    assert await names_of(client, f"/tasks/{new['A']}/tags") == ["T2", "T1"]
    assert await names_of(client, f"/tasks/{new['A1']}/tags") == ["T1"]
    assert await names_of(client, f"/tasks/{new['B']}/tags") == []
    # Between copies only: the copy of A does not depend on the outside task X.
    assert await names_of(client, f"/tasks/{new['A']}/dependencies") == []
    assert await names_of(client, f"/tasks/{new['A']}/dependents") == ["B", "D"]
    for name, on in (("B", "A"), ("D", "A"), ("C", "A1")):
        got = ok(await client.get(f"/tasks/{new[name]}/dependencies"))
        assert [t["gid"] for t in got] == [new[on]]
    assert await names_of(client, f"/tasks/{src['outside']}/dependents") == ["A"]
    t1 = ok(await client.get(f"/tags/{src['tags'][0]}/tasks"))
    assert sorted(t["name"] for t in t1) == ["A", "A", "A1", "A1"]
    assert {new["A"], new["A1"], src["tasks"]["A"]} <= {t["gid"] for t in t1}


async def test_without_the_elements_no_tags_nor_dependencies(client, world: World) -> None:
    src = await _tagged_and_linked(client, world)
    done = await _duplicate(client, world, src["project"], include="task_subtasks,task_followers")
    new = await _copies(client, done["new_project"]["gid"])
    for name in ("A", "A1", "B", "C", "D"):
        assert await names_of(client, f"/tasks/{new[name]}/tags") == []
        assert await names_of(client, f"/tasks/{new[name]}/dependencies") == []
    assert await names_of(client, f"/tasks/{new['A']}/dependents") == []
