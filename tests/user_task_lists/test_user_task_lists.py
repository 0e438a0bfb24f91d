"""My Tasks: getUserTaskListForUser, getUserTaskList, getTasksForUserTaskList."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.anyio


async def test_list_is_created_once_and_owned(client, world):
    path = f"/users/me/user_task_list?workspace={world.workspace}"
    first = ok(await client.get(path))
    assert first == {
        "gid": first["gid"],
        "resource_type": "user_task_list",
        "name": "My tasks in Acme",
        "owner": {"gid": world.user, "resource_type": "user", "name": "owner"},
        "workspace": {"gid": world.workspace, "resource_type": "workspace", "name": "Acme"},
    }
    assert ok(await client.get(f"/users/{world.user}/user_task_list?workspace={world.workspace}")) == first
    assert ok(await client.get(f"/user_task_lists/{first['gid']}")) == first
    assert world.count("SELECT count(*) FROM user_task_lists") == 1


async def test_only_the_owner_sees_it(client, world):
    bob, bob_token = world.person("bob@example.com")
    mine = ok(await client.get(f"/users/me/user_task_list?workspace={world.workspace}"))["gid"]
    fails(await client.get(f"/users/{bob}/user_task_list?workspace={world.workspace}"), 404)
    async with api_client(world.env, bob_token) as as_bob:
        fails(await as_bob.get(f"/user_task_lists/{mine}"), 404)
        fails(await as_bob.get(f"/user_task_lists/{mine}/tasks"), 404)
        theirs = ok(await as_bob.get(f"/users/me/user_task_list?workspace={world.workspace}"))["gid"]
    assert theirs != mine
    fails(await client.get(f"/user_task_lists/{theirs}"), 404)
    fails(await client.get("/user_task_lists/nope"), 404)
    fails(await client.get("/users/me/user_task_list"), 400)
    other = world.other_workspace("Elsewhere", "stranger@example.com")
    fails(await client.get(f"/users/me/user_task_list?workspace={other['workspace']}"), 400)


async def test_tasks_assigned_in_order_with_completed_since(client, world):
    bob, _ = world.person("bob@example.com")
    one = await make_task(client, world, name="one", assignee="me")
    await make_task(client, world, name="bob's", assignee=bob)
    two = await make_task(client, world, name="two", assignee="me")
    done = await make_task(client, world, name="done", assignee="me")
    ok(await client.put(f"/tasks/{done}", json={"data": {"completed": True}}))
    utl = ok(await client.get(f"/users/me/user_task_list?workspace={world.workspace}"))["gid"]
    listed = ok(await client.get(f"/user_task_lists/{utl}/tasks"))
    assert [t["gid"] for t in listed] == [done, two, one]  # most recently assigned first
    assert set(listed[0]) == {"gid", "resource_type", "name", "resource_subtype"}
    now = ok(await client.get(f"/user_task_lists/{utl}/tasks?completed_since=now"))
    assert [t["gid"] for t in now] == [two, one]
    page = (await client.get(f"/user_task_lists/{utl}/tasks?limit=2")).json()
    assert [t["gid"] for t in page["data"]] == [done, two]
    rest = ok(await client.get(f"/user_task_lists/{utl}/tasks?limit=2&offset={page['next_page']['offset']}"))
    assert [t["gid"] for t in rest] == [one]
    fails(await client.get(f"/user_task_lists/{utl}/tasks?completed_since=garbage"), 400)


async def test_a_new_assignment_comes_to_the_top(client, world, tick):
    bob, _ = world.person("bob@example.com")
    old = await make_task(client, world, name="old")  # created unassigned, first
    tick()
    mine = await make_task(client, world, name="mine", assignee="me")
    tick()
    theirs = await make_task(client, world, name="theirs", assignee=bob)
    utl = ok(await client.get(f"/users/me/user_task_list?workspace={world.workspace}"))["gid"]
    path = f"/user_task_lists/{utl}/tasks"
    assert [t["gid"] for t in ok(await client.get(path))] == [mine]
    tick()
    ok(await client.put(f"/tasks/{old}", json={"data": {"assignee": "me"}}))
    tick()
    ok(await client.put(f"/tasks/{theirs}", json={"data": {"assignee": "me"}}))
    assert [t["gid"] for t in ok(await client.get(path))] == [theirs, old, mine]
    tick()
    ok(await client.put(f"/tasks/{mine}", json={"data": {"assignee": None}}))
    tick()
    ok(await client.put(f"/tasks/{mine}", json={"data": {"assignee": "me"}}))  # assigned again: on top
    assert [t["gid"] for t in ok(await client.get(path))] == [mine, theirs, old]


async def test_first_use_while_another_process_holds_the_write_lock(world):
    """Making the list on first use is a write inside a GET: it must not fail because another
    process (the job runner, a second server) wrote meanwhile (SQLite: SQLITE_BUSY_SNAPSHOT was a 500)."""
    if world.env.backend != "sqlite":
        pytest.skip("SQLite's one write lock")
    other = sqlite3.connect(world.env.engine.url.database, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE workspaces SET name = name")
    codes: list[int] = []

    def get() -> None:
        async def go() -> int:
            async with api_client(world.env, world.token) as c:
                r = await c.get(f"/users/me/user_task_list?workspace={world.workspace}")
                return r.status_code

        codes.append(asyncio.run(go()))

    reader = threading.Thread(target=get)
    reader.start()
    time.sleep(0.3)  # the GET has read (its snapshot is older than this write) and wants to write
    other.execute("COMMIT")
    other.close()
    reader.join(30)
    assert codes == [200]
    assert world.count("SELECT count(*) FROM user_task_lists") == 1
