"""Asana's events API over the change journal: 412 flows, event shapes, bubbling, paging, expiry,
visibility, rollback, and a gap-free stream under concurrent writers."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import World, api_client
from tests.helpers import fails, in_threads, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.anyio
SYNC_MESSAGE = "Sync token invalid or too old"


async def fresh_sync(client: httpx.AsyncClient, resource: str) -> str:
    """The first call: a 412 whose body carries a sync token (what the SDKs catch)."""
    r = await client.get("/events", params={"resource": resource})
    assert r.status_code == 412, r.text
    body = r.json()
    assert set(body) == {"errors", "sync"}
    assert SYNC_MESSAGE in body["errors"][0]["message"]
    assert isinstance(body["sync"], str) and ":" in body["sync"]
    return str(body["sync"])


async def events(client: httpx.AsyncClient, resource: str, sync: str, **params: Any) -> dict[str, Any]:
    r = await client.get("/events", params={"resource": resource, "sync": sync, **params})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert set(body) == {"data", "sync", "has_more"}
    return body


async def test_first_call_is_412_then_empty_stream(client: httpx.AsyncClient, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    sync = await fresh_sync(client, project)
    body = await events(client, project, sync)
    assert body["data"] == [] and body["has_more"] is False
    assert (await events(client, project, body["sync"]))["data"] == []


async def test_task_lifecycle_events_in_a_project(client: httpx.AsyncClient, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    sync = await fresh_sync(client, project)
    task = await make_task(client, world, "Write", projects=[project])
    ok(await client.put(f"/tasks/{task}", json={"data": {"name": "Rewrite", "assignee": "me"}}))
    ok(await client.put(f"/tasks/{task}", json={"data": {"name": "Rewrite"}}))  # no change, no event
    ok(await client.delete(f"/tasks/{task}"))
    body = await events(client, project, sync)
    got = [
        (e["resource"]["resource_type"], e["action"], (e["parent"] or {}).get("resource_type"))
        for e in body["data"]
    ]
    assert got == [
        ("task", "added", "project"),
        ("task", "added", "section"),
        ("task", "changed", None),
        ("task", "changed", None),
        ("task", "deleted", None),
    ]
    added, _, name, assignee, deleted = body["data"]
    assert set(added) == {"user", "resource", "type", "action", "parent", "created_at"}
    assert added["type"] == "task" and added["parent"]["gid"] == project
    assert added["user"] == {"gid": world.user, "resource_type": "user", "name": added["user"]["name"]}
    assert added["created_at"].endswith("Z")
    assert name["change"] == {"field": "name", "action": "changed"}  # a name carries no value
    assert assignee["change"]["field"] == "assignee"
    assert assignee["change"]["new_value"]["gid"] == world.user
    assert assignee["change"]["new_value"]["resource_type"] == "user"
    assert deleted["resource"] == {"gid": task, "resource_type": "task"}  # gone: a bare reference
    assert "change" not in deleted
    # the same token gives the same events; the next one gives none
    again = await events(client, project, sync)
    assert again["data"] == body["data"] and again["sync"] == body["sync"]
    assert (await events(client, project, body["sync"]))["data"] == []


async def test_events_bubble_up_from_subtasks_and_sections(client: httpx.AsyncClient, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    task = await make_task(client, world, "Parent", projects=[project])
    project_sync, task_sync = await fresh_sync(client, project), await fresh_sync(client, task)
    sub = ok(await client.post(f"/tasks/{task}/subtasks", json={"data": {"name": "Child"}}), 201)["gid"]
    grandchild = ok(await client.post(f"/tasks/{sub}/subtasks", json={"data": {"name": "G"}}), 201)["gid"]
    ok(await client.put(f"/tasks/{grandchild}", json={"data": {"completed": True}}))
    section = ok(await client.post(f"/projects/{project}/sections", json={"data": {"name": "Later"}}), 201)
    in_project = (await events(client, project, project_sync))["data"]
    seen = [(e["resource"]["gid"], e["action"]) for e in in_project]
    assert seen == [(sub, "added"), (grandchild, "added"), (grandchild, "changed"), (section["gid"], "added")]
    assert in_project[0]["parent"]["gid"] == task
    in_task = (await events(client, task, task_sync))["data"]
    assert [(e["resource"]["gid"], e["action"]) for e in in_task] == seen[:3]  # sections are not the task's
    # the path alias gives the same stream
    alias = (await client.get(f"/projects/{project}/events", params={"sync": project_sync})).json()
    assert alias["data"] == in_project


async def test_has_more_pages_by_100(client: httpx.AsyncClient, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    task = await make_task(client, world, "T", projects=[project])
    sync = await fresh_sync(client, project)
    for i in range(150):
        ok(await client.put(f"/tasks/{task}", json={"data": {"name": f"n{i}"}}))
    first = await events(client, project, sync)
    assert len(first["data"]) == 100 and first["has_more"] is True
    second = await events(client, project, first["sync"])
    assert len(second["data"]) == 50 and second["has_more"] is False
    assert (await events(client, project, second["sync"]))["data"] == []


async def test_project_changes_members_and_deletion(client: httpx.AsyncClient, world: World) -> None:
    colleague, _ = world.person("colleague@example.com")
    project = (await make_project(client, world))["gid"]
    sync = await fresh_sync(client, project)
    ok(await client.put(f"/projects/{project}", json={"data": {"name": "Renamed", "color": "dark-red"}}))
    ok(await client.post(f"/projects/{project}/addMembers", json={"data": {"members": [colleague]}}))
    ok(await client.post(f"/projects/{project}/addMembers", json={"data": {"members": [colleague]}}))  # no-op
    ok(await client.post(f"/projects/{project}/removeMembers", json={"data": {"members": [colleague]}}))
    data = (await events(client, project, sync))["data"]
    changes = [(e["change"]["field"], e["change"]["action"]) for e in data]
    assert changes == [
        ("name", "changed"),
        ("color", "changed"),
        ("members", "added"),
        ("members", "removed"),
    ]
    assert data[2]["change"]["added_value"]["gid"] == colleague
    assert data[3]["change"]["removed_value"]["gid"] == colleague
    # a deleted project still shows in its workspace's stream
    ws_sync = (await client.get(f"/workspaces/{world.workspace}/events")).json()["sync"]
    ok(await client.delete(f"/projects/{project}"))
    ws = (await client.get(f"/workspaces/{world.workspace}/events", params={"sync": ws_sync})).json()
    assert [(e["resource"], e["action"]) for e in ws["data"]] == [
        ({"gid": project, "resource_type": "project"}, "deleted")
    ]


async def test_opt_fields_apply_to_events(client: httpx.AsyncClient, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    sync = await fresh_sync(client, project)
    task = await make_task(client, world, "Named", projects=[project])
    body = await events(client, project, sync, opt_fields="action,resource.name,user.email")
    assert body["data"][0] == {
        "action": "added",
        "resource": {"gid": task, "name": "Named"},  # opt_fields: gid and what was named
        "user": {"gid": world.user, "email": "owner@example.com"},
    }


async def test_bad_expired_and_foreign_tokens_are_412(client: httpx.AsyncClient, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    other = (await make_project(client, world, name="Other"))["gid"]
    sync = await fresh_sync(client, project)
    for bad in ["garbage", "0:0", sync.split(":")[0] + ":999999", "x" * 500, await fresh_sync(client, other)]:
        r = await client.get("/events", params={"resource": project, "sync": bad})
        assert r.status_code == 412, (bad, r.text)
        assert SYNC_MESSAGE in r.json()["errors"][0]["message"]
        assert (await events(client, project, r.json()["sync"]))["data"] == []
    # expiry: once the journal is pruned past a token's position, the token is too old
    await make_task(client, world, "T", projects=[project])
    with world.env.engine.begin() as conn:
        from vinyasa.core import journal

        journal.prune(conn, 2**62)
    r = await client.get("/events", params={"resource": project, "sync": sync})
    assert r.status_code == 412
    assert (await events(client, project, r.json()["sync"]))["data"] == []


async def test_events_are_private_to_those_who_see_the_resource(
    client: httpx.AsyncClient, world: World
) -> None:
    _, token = world.person("outsider@example.com")
    secret = (await make_project(client, world, privacy_setting="private"))["gid"]
    public = (await make_project(client, world, name="Public"))["gid"]
    hidden_task = await make_task(client, world, "Hidden", projects=[secret])
    async with api_client(world.env, token) as outsider:
        fails(await outsider.get("/events", params={"resource": secret}), 400, "resource: Unknown object")
        fails(await outsider.get("/events", params={"resource": "12345"}), 400, "resource: Unknown object")
        fails(await outsider.get(f"/projects/{secret}/events"), 404)
        fails(await outsider.get(f"/tasks/{hidden_task}/events"), 404)
        fails(await outsider.get(f"/workspaces/{world.workspace}/events"), 403)  # members: not the stream
        sync = await fresh_sync(outsider, public)
        # a task in both projects: visible through the public one; one in the secret one only: not
        ok(await client.post(f"/tasks/{hidden_task}/addProject", json={"data": {"project": public}}))
        ok(await client.post(f"/tasks/{hidden_task}/removeProject", json={"data": {"project": public}}))
        ok(await client.put(f"/tasks/{hidden_task}", json={"data": {"name": "Still hidden"}}))
        data = (await events(outsider, public, sync))["data"]
        assert data == []  # the task is invisible to the outsider now, so are its events


async def test_an_event_names_what_the_caller_cannot_see_by_its_gid_only(
    client: httpx.AsyncClient, world: World
) -> None:
    # A visible task added to a private project: its events named that project and its section in
    # full to a reader of the public project, who gets 404 for both.
    public = (await make_project(client, world, name="Public"))["gid"]
    secret = (await make_project(client, world, name="Secret plans", privacy_setting="private"))["gid"]
    section = ok(await client.post(f"/projects/{secret}/sections", json={"data": {"name": "Hush"}}), 201)
    task = await make_task(client, world, "Shared", projects=[public])
    _, token = world.person("reader@example.com")
    async with api_client(world.env, token) as reader:
        sync = await fresh_sync(reader, public)
        body = {"data": {"project": secret, "section": section["gid"]}}
        ok(await client.post(f"/tasks/{task}/addProject", json=body))
        data = (await events(reader, public, sync))["data"]
        parents = [e["parent"] for e in data if e["action"] == "added"]
        assert {"gid": secret, "resource_type": "project"} in parents, data
        assert {"gid": section["gid"], "resource_type": "section"} in parents, data
        assert "Secret plans" not in str(data) and "Hush" not in str(data)
        fails(await reader.get(f"/projects/{secret}"), 404)
        own = (await events(client, public, sync))["data"]  # the owner sees the names
        assert {"gid": secret, "resource_type": "project", "name": "Secret plans"} in [
            e["parent"] for e in own
        ]


async def test_a_rolled_back_request_records_nothing(client: httpx.AsyncClient, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    before = world.count("SELECT count(*) FROM journal")
    fails(
        await client.post("/tasks", json={"data": {"name": "x", "projects": [project], "due_on": "bad"}}), 400
    )
    fails(
        await client.put(f"/projects/{project}", json={"data": {"name": "y", "color": "no-such-colour"}}), 400
    )
    assert world.count("SELECT count(*) FROM journal") == before
    assert world.count("SELECT count(*) FROM projects WHERE name = 'y'") == 0


async def test_concurrent_writers_give_a_gap_free_stream(world: World) -> None:
    async with api_client(world.env, world.token) as client:
        project = (await make_project(client, world))["gid"]
        tasks = [await make_task(client, world, f"T{i}", projects=[project]) for i in range(8)]
        sync = await fresh_sync(client, project)
    writers, rounds = 32, 3
    barrier = threading.Barrier(writers)
    codes: list[int] = []

    def worker(i: int) -> None:
        async def go() -> None:
            async with api_client(world.env, world.token) as c:
                barrier.wait()
                for r in range(rounds):
                    task = tasks[(i + r) % len(tasks)]
                    codes.append(
                        (await c.put(f"/tasks/{task}", json={"data": {"name": f"w{i}r{r}"}})).status_code
                    )

        asyncio.run(go())

    in_threads(worker, writers)
    assert codes.count(200) == writers * rounds, codes
    ids = [int(r[0]) for r in _rows(world, "SELECT id FROM journal ORDER BY id")]
    assert ids == list(range(ids[0], ids[0] + len(ids)))  # dense: no gaps, no duplicates
    names: list[str] = []
    async with api_client(world.env, world.token) as client:
        while True:
            body = await events(client, project, sync)
            names.extend(e["resource"]["gid"] for e in body["data"])
            sync = body["sync"]
            if not body["has_more"]:
                break
    assert len(names) == writers * rounds


def _rows(world: World, sql: str) -> list[Any]:
    with world.env.engine.connect() as conn:
        return list(conn.execute(text(sql)))
