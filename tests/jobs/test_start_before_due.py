"""A copy's project must start before it is due, as `POST /projects` requires (start_on and due_on
not the same date, the start not after the due date): a template's date variables or a duplicate's
schedule_dates that break it are a 400 at request time naming the field, and no job is made."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.helpers import fails, ok
from tests.jobs.helpers import job_result, save_template, source_project

pytestmark = pytest.mark.anyio
# source_project's task dates run from Fri 2026-02-27 (A's start: the template's variable 1 and the
# anchor of a duplicate's schedule_dates.start_on) to Fri 2026-03-13.


def _counts(world: World) -> tuple[int, int]:
    return world.count("SELECT count(*) FROM jobs"), world.count("SELECT count(*) FROM projects")


@pytest.mark.parametrize(
    ("start", "due", "message"),
    [
        ("2026-06-10", "2026-06-01", "requested_dates: start_on must be before due_on"),
        ("2026-06-01", "2026-06-01", "requested_dates: start_on and due_on cannot be the same date"),
    ],
)
async def test_a_due_date_variable_not_after_the_start_is_a_400(
    client, world: World, start, due, message
) -> None:
    src = await source_project(client, world)
    ok(await client.put(f"/projects/{src['project']}", json={"data": {"due_on": "2026-03-31"}}))
    template = await save_template(client, world, src["project"])
    before = _counts(world)
    dates = [{"gid": "1", "value": start}, {"gid": "2", "value": due}]
    response = await client.post(
        f"/project_templates/{template}/instantiateProject",
        json={"data": {"name": "Made", "requested_dates": dates}},
    )
    fails(response, 400, message)
    assert _counts(world) == before
    # The same dates on a project of its own: the same answer, naming its own field.
    body = {"name": "P", "workspace": world.workspace, "start_on": start, "due_on": due}
    fails(
        await client.post("/projects", json={"data": body}),
        400,
        message.replace("requested_dates", "start_on"),
    )


@pytest.mark.parametrize("value", ["2026-06-02junk", "2026-06-02T00:00:00Z", "2026-06-02 "])
async def test_a_date_variable_is_a_whole_date(client, world: World, value) -> None:
    src = await source_project(client, world)
    template = await save_template(client, world, src["project"])
    before = _counts(world)
    response = await client.post(
        f"/project_templates/{template}/instantiateProject",
        json={"data": {"name": "Made", "requested_dates": [{"gid": "1", "value": value}]}},
    )
    fails(response, 400, f"requested_dates[0].value: Not a valid date (YYYY-MM-DD): {value}")
    assert _counts(world) == before


async def _duplicate(client, project: str, skip_weekends: bool) -> Any:
    schedule = {"start_on": "2026-04-06", "should_skip_weekends": skip_weekends}
    body = {"name": "Copy", "include": "task_dates", "schedule_dates": schedule}
    return await client.post(f"/projects/{project}/duplicate", json={"data": body})


async def test_schedule_dates_that_make_the_copy_start_on_its_due_date_is_a_400(client, world: World) -> None:
    src = await source_project(client, world)
    weekend = {"start_on": "2026-02-28", "due_on": "2026-03-01"}  # a Saturday and the Sunday after
    ok(await client.put(f"/projects/{src['project']}", json={"data": weekend}))
    before = _counts(world)
    # Skipping weekends moves both to the same Tuesday (A's Friday start moves to Mon 2026-04-06).
    fails(
        await _duplicate(client, src["project"], True),
        400,
        "schedule_dates.start_on: start_on and due_on cannot be the same date",
    )
    assert _counts(world) == before
    done = await job_result(client, world, ok(await _duplicate(client, src["project"], False), 201))
    assert done["status"] == "succeeded", done
    copy = ok(await client.get(f"/projects/{done['new_project']['gid']}"))
    assert (copy["start_on"], copy["due_on"]) == ("2026-04-07", "2026-04-08")
