"""Changes and deletes of one object racing each other (tests/abuse/test_races.py drives them).

On PostgreSQL a request that changes or deletes an object locks its row when it looks it up
(vinyasa.access.core.locking; a project's sections, statuses, briefs and memberships lock the
project and read themselves again), so the second request reads what the first left: a second
DELETE answers 404 and journals nothing, a PUT after a DELETE answers 404 (not a record of nulls),
two PUTs are checked against each other's results. Found by a fresh attack on several server
processes; SQLite's one writer always behaved so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.abuse.test_races import pool, race
from tests.conftest import World
from tests.helpers import ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.anyio
__all__ = ["pool"]  # the fixture, used by name
ROUNDS = 15

Make = Callable[[httpx.AsyncClient, World, str], Awaitable[tuple[str, str, dict[str, Any]]]]


async def _task(client: httpx.AsyncClient, world: World, project: str) -> tuple[str, str, dict[str, Any]]:
    return (
        "task",
        f"/tasks/{await make_task(client, world, 'doomed', projects=[project])}",
        {"name": "renamed"},
    )


async def _tag(client: httpx.AsyncClient, world: World, _project: str) -> tuple[str, str, dict[str, Any]]:
    tag = ok(await client.post("/tags", json={"data": {"name": "doomed", "workspace": world.workspace}}), 201)
    return "tag", f"/tags/{tag['gid']}", {"name": "renamed"}


async def _section(client: httpx.AsyncClient, world: World, project: str) -> tuple[str, str, dict[str, Any]]:
    section = ok(await client.post(f"/projects/{project}/sections", json={"data": {"name": "doomed"}}), 201)
    return "section", f"/sections/{section['gid']}", {"name": "renamed"}


async def _brief(client: httpx.AsyncClient, world: World, _project: str) -> tuple[str, str, dict[str, Any]]:
    project = (await make_project(client, world, name="Briefed"))["gid"]
    brief = ok(
        await client.post(f"/projects/{project}/project_briefs", json={"data": {"title": "doomed"}}), 201
    )
    return "project_brief", f"/project_briefs/{brief['gid']}", {"title": "renamed"}


async def _status(client: httpx.AsyncClient, world: World, project: str) -> tuple[str, str, dict[str, Any]]:
    body = {"parent": project, "status_type": "on_track", "text": "fine"}
    status = ok(await client.post("/status_updates", json={"data": body}), 201)
    return "status_update", f"/status_updates/{status['gid']}", {}


async def _membership(
    client: httpx.AsyncClient, world: World, project: str
) -> tuple[str, str, dict[str, Any]]:
    user, _ = world.person(f"member{world.count('SELECT count(*) FROM users')}@example.com")
    body = {"parent": project, "member": user, "access_level": "editor"}
    membership = ok(await client.post("/memberships", json={"data": body}), 201)
    # Ending a membership journals the project's `members` change (the membership has no events).
    return f"members:{user}", f"/memberships/{membership['gid']}", {"access_level": "commenter"}


MAKERS: dict[str, Make] = {
    "task": _task,
    "tag": _tag,
    "section": _section,
    "brief": _brief,
    "status": _status,
    "membership": _membership,
}


def _deleted_events(world: World, kind: str, path: str) -> int:
    """How many times the journal says the object was deleted (a membership: its user removed)."""
    if kind.startswith("members:"):
        query = "SELECT count(*) FROM journal WHERE field = 'members' AND change_action = 'removed' AND value_gid = :gid"
        return world.count(query, gid=int(kind.split(":")[1]))
    query = "SELECT count(*) FROM journal WHERE resource_type = :kind AND resource_gid = :gid AND action = 'deleted'"
    return world.count(query, kind=kind, gid=int(path.rsplit("/", 1)[1]))


@pytest.mark.parametrize("what", sorted(MAKERS))
async def test_two_deletes_one_succeeds_and_one_deleted_event(client, world, pool, what):
    project = (await make_project(client, world))["gid"]
    for _ in range(ROUNDS):
        kind, path, _body = await MAKERS[what](client, world, project)
        answers = race(pool, world, ("DELETE", path, None), ("DELETE", path, None))
        assert sorted(a[0] for a in answers) == [200, 404], answers
        assert _deleted_events(world, kind, path) == 1


@pytest.mark.parametrize("what", sorted(k for k in MAKERS if k != "status"))  # a status has no PUT
async def test_a_change_racing_a_delete_is_either_done_before_or_a_404(client, world, pool, what):
    project = (await make_project(client, world))["gid"]
    for _ in range(ROUNDS):
        _kind, path, body = await MAKERS[what](client, world, project)
        (put_status, put_answer), (delete_status, _) = race(
            pool, world, ("PUT", path, body), ("DELETE", path, None)
        )
        assert delete_status == 200
        assert put_status in (200, 404), put_answer
        if put_status == 200:  # done before the delete: the record as changed, never one of nulls
            field, value = next(iter(body.items()))
            assert put_answer["data"][field] == value, put_answer


def _sound(task: dict[str, Any]) -> None:
    """Asana's date rules hold on the stored task."""
    assert task["due_on"] is None or task["due_at"] is None, task
    due = task["due_on"] or (task["due_at"] or "")[:10] or None
    if task["start_on"] is not None:
        assert due is not None and task["start_on"] <= due, task
        assert task["resource_subtype"] != "milestone", task


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"due_at": "2030-01-02T10:00:00.000Z"}, {"due_on": "2030-03-04"}),
        ({"due_on": "2030-01-01"}, {"start_on": "2030-06-01"}),
        ({"resource_subtype": "milestone"}, {"start_on": "2030-01-01"}),
    ],
)
async def test_two_changes_of_one_task_are_checked_against_each_other(client, world, pool, first, second):
    fields = "due_on,due_at,start_on,resource_subtype"
    for i in range(ROUNDS):
        task = await make_task(client, world, f"t{i}", due_on="2030-12-31")
        answers = race(pool, world, ("PUT", f"/tasks/{task}", first), ("PUT", f"/tasks/{task}", second))
        assert all(a[0] in (200, 400) for a in answers), answers
        _sound(ok(await client.get(f"/tasks/{task}?opt_fields={fields}")))


async def test_two_identical_changes_journal_one_change(client, world, pool):
    for i in range(ROUNDS):
        task = await make_task(client, world, f"t{i}")
        change = ("PUT", f"/tasks/{task}", {"completed": True})
        assert [a[0] for a in race(pool, world, change, change)] == [200, 200]
        changed = world.count(
            "SELECT count(*) FROM journal WHERE resource_gid = :gid AND action = 'changed' AND field = 'completed'",
            gid=int(task),
        )
        assert changed == 1
