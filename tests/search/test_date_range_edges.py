"""Search date filters at the ends of the calendar (0001-01-01, 9999-12-31): the true answer, never a 500.

Nothing lies before year 1 or after 9999-12-31, so a `.before`/`.after` bound beyond them matches no
date; a moment column still compares exactly (a time later in the last second is after it).
"""

from __future__ import annotations

import pytest

from tests.helpers import ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.anyio

NOTHING = [
    {"due_on.before": "0001-01-01"},
    {"due_on.after": "9999-12-31"},
    {"start_on.before": "0001-01-01"},
    {"start_on.after": "9999-12-31"},
    {"due_at.before": "0001-01-01T00:00:00Z"},
    {"due_at.before": "0001-01-01T00:00:00Z", "due_on": "0001-01-01"},
    {"created_at.after": "9999-12-31T23:59:59Z"},
    {"created_at.before": "0001-01-01T00:00:00Z"},
    {"created_on.after": "9999-12-31"},
    {"created_on.before": "0001-01-01"},
    {"modified_at.before": "0001-01-01T00:00:00Z"},
    {"modified_on.before": "0001-01-01"},
    {"modified_on.after": "9999-12-31"},
    {"completed_on.before": "0001-01-01"},
    {"completed_on.after": "9999-12-31"},
    {"completed_at.after": "9999-12-31T23:59:59.999Z"},
]


async def task_search(client, world, params) -> list[str]:
    found = ok(await client.get(f"/workspaces/{world.workspace}/tasks/search", params=params))
    return sorted(t["name"] for t in found)


async def project_search(client, world, params) -> list[str]:
    found = ok(await client.get(f"/workspaces/{world.workspace}/projects/search", params=params))
    return sorted(p["name"] for p in found)


@pytest.mark.parametrize("params", NOTHING, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
async def test_task_search_beyond_the_calendar_finds_nothing(client, world, params):
    await make_task(client, world, "First", due_on="0001-01-01", start_on="0001-01-01")
    await make_task(client, world, "Last", due_on="9999-12-31", start_on="9999-12-31")
    await make_task(client, world, "Early", due_at="0001-01-01T00:00:00Z")
    done = await make_task(client, world, "Done")
    ok(await client.put(f"/tasks/{done}", json={"data": {"completed": True}}))
    assert await task_search(client, world, params) == []


async def test_task_search_at_the_ends_of_the_calendar_is_exact(client, world):
    await make_task(client, world, "First", due_on="0001-01-01")
    await make_task(client, world, "Last", due_on="9999-12-31")
    await make_task(client, world, "Early", due_at="0001-01-01T00:00:00.001Z")
    await make_task(client, world, "Late", due_at="9999-12-31T23:59:59.500Z")
    assert await task_search(client, world, {"due_on.before": "0001-01-02"}) == ["Early", "First"]
    assert await task_search(client, world, {"due_on.after": "9999-12-30"}) == ["Last", "Late"]
    assert await task_search(client, world, {"due_on": "0001-01-01"}) == ["Early", "First"]
    assert await task_search(client, world, {"due_on": "9999-12-31"}) == ["Last", "Late"]
    # A date counts as its day's start for `.before` and as that whole day for `.after`.
    assert await task_search(client, world, {"due_at.before": "0001-01-01T00:00:00.001Z"}) == ["First"]
    assert await task_search(client, world, {"due_at.before": "0001-01-01T00:00:00.002Z"}) == [
        "Early",
        "First",
    ]
    assert await task_search(client, world, {"due_at.after": "9999-12-31T23:59:59Z"}) == ["Late"]


@pytest.mark.parametrize(
    "params",
    [
        {"due_on.before": "0001-01-01"},
        {"due_on.after": "9999-12-31"},
        {"start_on.before": "0001-01-01"},
        {"start_on.after": "9999-12-31"},
        {"completed_on.before": "0001-01-01"},
        {"completed_on.after": "9999-12-31"},
        {"completed_at.after": "9999-12-31T23:59:59Z"},
        {"created_at.after": "9999-12-31T23:59:59Z"},
        {"created_at.before": "0001-01-01T00:00:00Z"},
        {"created_on.after": "9999-12-31"},
        {"created_on.before": "0001-01-01"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
)
async def test_project_search_beyond_the_calendar_finds_nothing(client, world, params):
    await make_project(client, world, name="First", due_on="0001-01-02", start_on="0001-01-01")
    await make_project(client, world, name="Last", due_on="9999-12-31", start_on="9999-12-30")
    assert await project_search(client, world, params) == []
    assert await project_search(client, world, {"start_on.before": "0001-01-02"}) == ["First"]
    assert await project_search(client, world, {"due_on.after": "9999-12-30"}) == ["Last"]
