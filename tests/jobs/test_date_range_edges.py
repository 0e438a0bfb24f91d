"""Moving a copy's dates (schedule_dates, a template's date variables) past the calendar's ends
(0001-01-01, 9999-12-31): a 400 naming the field before any job exists; a move that fits to the day
works; what changed after the request fails the job with a message (never a traceback)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import World
from tests.helpers import fails, ok
from tests.jobs.helpers import job_result, save_template, source_project, structure
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.anyio
# source_project's dates run from A's start, Fri 2026-02-27 (the first start date), to C's due date,
# Fri 2026-03-13 (the last due date): 14 days.


def _error(world: World, job: dict[str, Any]) -> str:
    """The failure message a job ended with (kept in its row)."""
    with world.db() as db:
        return str(
            db.execute(text("SELECT error FROM jobs WHERE gid = :g"), {"g": int(job["gid"])}).scalar_one()
        )


def _dates(tree: list[Any]) -> dict[str, tuple[str | None, str | None]]:
    out: dict[str, tuple[str | None, str | None]] = {}

    def walk(tasks: list[Any]) -> None:
        for t in tasks:
            out[t["name"]] = (t["start_on"], t["due_on"])
            walk(t.get("subtasks", []))

    for _, tasks in tree:
        walk(tasks)
    return out


async def _post_duplicate(
    client, project: str, schedule: dict[str, Any], include: str = "task_dates,task_subtasks"
):
    return await client.post(
        f"/projects/{project}/duplicate",
        json={"data": {"name": "Copy", "include": include, "schedule_dates": schedule}},
    )


@pytest.mark.parametrize(
    ("schedule", "field"),
    [
        ({"start_on": "9999-12-30", "should_skip_weekends": False}, "schedule_dates.start_on"),
        ({"start_on": "9999-12-18", "should_skip_weekends": False}, "schedule_dates.start_on"),  # a day late
        ({"start_on": "9999-12-30", "should_skip_weekends": True}, "schedule_dates.start_on"),
        ({"start_on": "9999-12-31", "should_skip_weekends": True}, "schedule_dates.start_on"),
        ({"due_on": "0001-01-01", "should_skip_weekends": False}, "schedule_dates.due_on"),
        ({"due_on": "0001-01-14", "should_skip_weekends": False}, "schedule_dates.due_on"),  # a day early
        ({"due_on": "0001-01-02", "should_skip_weekends": True}, "schedule_dates.due_on"),
    ],
)
async def test_dates_moved_out_of_the_calendar_are_a_400_and_start_no_job(
    client, world: World, schedule, field
) -> None:
    src = await source_project(client, world)
    fails(await _post_duplicate(client, src["project"], schedule), 400, f"{field}: ", "0001", "9999")
    assert world.count("SELECT count(*) FROM jobs") == 0
    assert world.count("SELECT count(*) FROM projects") == 1


@pytest.mark.parametrize(
    ("schedule", "first", "last"),
    [
        ({"start_on": "9999-12-17", "should_skip_weekends": False}, "9999-12-17", "9999-12-31"),
        ({"due_on": "0001-01-15", "should_skip_weekends": False}, "0001-01-01", "0001-01-15"),
    ],
)
async def test_dates_moved_to_the_calendar_ends_exactly_work(
    client, world: World, schedule, first, last
) -> None:
    src = await source_project(client, world)
    job = ok(await _post_duplicate(client, src["project"], schedule), 201)
    done = await job_result(client, world, job)
    assert done["status"] == "succeeded", done
    got = _dates(await structure(client, done["new_project"]["gid"]))
    assert got["A"][0] == first and got["C"][1] == last


async def test_only_the_dates_that_are_copied_count(client, world: World) -> None:
    src = await source_project(client, world)
    a1 = ok(await client.get(f"/tasks/{src['tasks']['A']}/subtasks"))[0]["gid"]
    ok(await client.put(f"/tasks/{a1}", json={"data": {"due_on": "2030-01-01"}}))
    schedule = {"start_on": "9999-12-17", "should_skip_weekends": False}
    fails(await _post_duplicate(client, src["project"], schedule), 400, "schedule_dates.start_on")
    job = ok(await _post_duplicate(client, src["project"], schedule, include="task_dates"), 201)
    done = await job_result(client, world, job)  # without task_subtasks A1 and its date are not copied
    assert done["status"] == "succeeded", done


async def test_the_projects_own_dates_and_due_times_count(client, world: World) -> None:
    src = await source_project(client, world)
    schedule = {"start_on": "9999-12-01", "should_skip_weekends": False}
    ok(await client.put(f"/projects/{src['project']}", json={"data": {"due_on": "2026-12-31"}}))
    fails(await _post_duplicate(client, src["project"], schedule), 400, "schedule_dates.start_on")
    ok(await client.put(f"/projects/{src['project']}", json={"data": {"due_on": None}}))
    await make_task(client, world, "Timed", projects=[src["project"]], due_at="2026-12-31T10:00:00Z")
    fails(await _post_duplicate(client, src["project"], schedule), 400, "schedule_dates.start_on")
    assert world.count("SELECT count(*) FROM jobs") == 0


async def test_a_project_without_task_dates_moves_nothing(client, world: World) -> None:
    project = ok(
        await client.post("/projects", json={"data": {"name": "P", "workspace": world.workspace}}), 201
    )
    await make_task(client, world, "Undated", projects=[project["gid"]])
    schedule = {"start_on": "9999-12-31", "should_skip_weekends": True}
    job = ok(await _post_duplicate(client, project["gid"], schedule), 201)
    assert (await job_result(client, world, job))["status"] == "succeeded"


async def test_a_date_added_after_the_request_fails_the_job_cleanly(client, world: World, caplog) -> None:
    src = await source_project(client, world)
    schedule = {"start_on": "9999-12-17", "should_skip_weekends": False}
    job = ok(await _post_duplicate(client, src["project"], schedule), 201)
    await make_task(client, world, "Late", projects=[src["project"]], due_on="2026-03-14")
    with caplog.at_level(logging.WARNING, logger="vinyasa"):
        done = await job_result(client, world, job)
    assert done["status"] == "failed" and done["new_project"] is None
    error = _error(world, job)
    assert error.startswith("The dates cannot be moved to 9999-12-17: 2026-03-14 "), error
    assert "9999-12-31" in error
    assert not [r for r in caplog.records if r.exc_info], caplog.text
    assert world.count("SELECT count(*) FROM projects") == 1


async def _instantiate(client, template: str, *dates: dict[str, str]):
    body = {"name": "Made", "requested_dates": list(dates)}
    return await client.post(f"/project_templates/{template}/instantiateProject", json={"data": body})


@pytest.mark.parametrize("value", ["9999-12-30", "9999-12-18"])
async def test_instantiating_past_the_calendar_is_a_400(client, world: World, value) -> None:
    src = await source_project(client, world)
    template = await save_template(client, world, src["project"])
    before = world.count("SELECT count(*) FROM jobs")
    r = await _instantiate(client, template, {"gid": "1", "value": value})
    fails(r, 400, "requested_dates[0].value: ", "9999-12-31")
    assert world.count("SELECT count(*) FROM jobs") == before
    assert world.count("SELECT count(*) FROM projects") == 1


async def test_instantiating_to_the_last_day_works(client, world: World) -> None:
    src = await source_project(client, world)
    template = await save_template(client, world, src["project"])
    job = ok(await _instantiate(client, template, {"gid": "1", "value": "9999-12-17"}), 201)
    done = await job_result(client, world, job)
    assert done["status"] == "succeeded", done
    got = _dates(await structure(client, done["new_project"]["gid"]))
    assert got["A"][0] == "9999-12-17" and got["C"][1] == "9999-12-31"


async def test_a_due_date_variable_replaces_the_projects_due_date_unmoved(client, world: World) -> None:
    src = await source_project(client, world)
    ok(await client.put(f"/projects/{src['project']}", json={"data": {"due_on": "2027-06-30"}}))
    template = await save_template(client, world, src["project"])
    start = {"gid": "1", "value": "9999-12-17"}
    fails(await _instantiate(client, template, start), 400, "requested_dates[0].value")
    job = ok(await _instantiate(client, template, {"gid": "2", "value": "9999-12-31"}, start), 201)
    done = await job_result(client, world, job)
    assert done["status"] == "succeeded", done
    project = ok(await client.get(f"/projects/{done['new_project']['gid']}"))
    assert (project["start_on"], project["due_on"]) == ("9999-12-17", "9999-12-31")


async def test_a_template_changed_after_the_request_fails_the_job_cleanly(
    client, world: World, caplog
) -> None:
    src = await source_project(client, world)
    template = await save_template(client, world, src["project"])
    job = ok(await _instantiate(client, template, {"gid": "1", "value": "9999-12-17"}), 201)
    with world.db() as db:  # the template's start date variable now stands a day earlier
        db.execute(
            text("UPDATE project_templates SET anchor_on = '2026-02-26' WHERE gid = :g"), {"g": int(template)}
        )
        db.commit()
    with caplog.at_level(logging.WARNING, logger="vinyasa"):
        done = await job_result(client, world, job)
    assert done["status"] == "failed", done
    error = _error(world, job)
    assert error.startswith("The template's dates cannot be moved to 9999-12-17: 2026-03-13 "), error
    assert not [r for r in caplog.records if r.exc_info], caplog.text
