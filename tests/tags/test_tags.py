"""Tags: create/read/update/delete, workspace lists, a task's tags, a tag's tasks (paginated, only
visible tasks), addTag/removeTag, tags on task records and at task create, the tags.* search filters,
access and bad input."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.conftest import api_client
from tests.events.test_events import events, fresh_sync
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from vinyasa.core import clock

pytestmark = pytest.mark.anyio

TAGGED = "SELECT count(*) FROM task_tags"


async def make_tag(client, world, name="Urgent", **fields) -> dict[str, Any]:
    body = {"name": name, "workspace": world.workspace, **fields}
    made: dict[str, Any] = ok(await client.post("/tags", json={"data": body}), 201)
    return made


async def test_create_read_update_delete(client, world):
    made = await make_tag(client, world, color="light-green", notes="Do it now")
    assert made["resource_type"] == "tag" and made["name"] == "Urgent"
    assert made["color"] == "light-green" and made["notes"] == "Do it now"
    assert made["workspace"]["gid"] == world.workspace
    assert [f["gid"] for f in made["followers"]] == [world.user]  # the creator follows it
    assert made["created_at"].endswith("Z") and made["permalink_url"].endswith(f"/{made['gid']}/list")
    got = ok(await client.get(f"/tags/{made['gid']}"))
    assert got == made
    assert ok(await client.get(f"/tags/{made['gid']}?opt_fields=name")) == {
        "gid": made["gid"],
        "name": "Urgent",
    }
    changed = ok(await client.put(f"/tags/{made['gid']}", json={"data": {"name": "Later", "color": None}}))
    assert changed["name"] == "Later" and changed["color"] is None and changed["notes"] == "Do it now"
    fails(await client.put(f"/tags/{made['gid']}", json={"data": {"color": "purple"}}), 400, "color")
    fails(await client.put(f"/tags/{made['gid']}", json={"data": {"name": ""}}), 400, "name")
    assert ok(await client.get(f"/tags/{made['gid']}"))["name"] == "Later"
    assert ok(await client.delete(f"/tags/{made['gid']}")) == {}
    fails(await client.get(f"/tags/{made['gid']}"), 404)
    fails(await client.delete(f"/tags/{made['gid']}"), 404)


async def test_workspace_lists_and_create_in_workspace(client, world):
    a = await make_tag(client, world, "A")
    b = ok(await client.post(f"/workspaces/{world.workspace}/tags", json={"data": {"name": "B"}}), 201)
    assert b["workspace"]["gid"] == world.workspace
    listed = ok(await client.get(f"/workspaces/{world.workspace}/tags"))
    compact = {"gid": a["gid"], "resource_type": "tag", "name": "A"}
    assert compact in listed and {t["gid"] for t in listed} == {a["gid"], b["gid"]}
    by_query = ok(await client.get("/tags", params={"workspace": world.workspace}))
    assert by_query == listed
    page = (await client.get("/tags", params={"workspace": world.workspace, "limit": 1})).json()
    assert [t["gid"] for t in page["data"]] == [listed[0]["gid"]]
    rest = (
        await client.get(
            "/tags", params={"workspace": world.workspace, "limit": 1, "offset": page["next_page"]["offset"]}
        )
    ).json()
    assert [t["gid"] for t in rest["data"]] == [listed[1]["gid"]] and rest["next_page"] is None
    fails(await client.get("/tags"), 400, "workspace")
    fails(await client.post("/tags", json={"data": {"name": "X"}}), 400, "workspace")
    fails(await client.post("/tags", json={"data": {"workspace": world.workspace}}), 400, "name")
    fails(await client.post("/tags", json={"data": {"name": "X", "workspace": "123"}}), 400)
    fails(
        await client.post("/tags", json={"data": {"name": "X", "workspace": world.workspace, "color": "x"}}),
        400,
    )
    body = {"name": "X", "workspace": world.workspace, "followers": ["nobody@example.com"]}
    fails(await client.post("/tags", json={"data": body}), 400, "followers")
    fails(await client.get("/workspaces/123/tags"), 404)
    assert world.count("SELECT count(*) FROM tags") == 2


async def test_followers_at_create(client, world):
    bob, _ = world.person("bob@example.com")
    made = await make_tag(client, world, followers=["me", "bob@example.com", bob])
    followers = [f["gid"] for f in made["followers"]]
    assert sorted(followers) == sorted([world.user, bob])  # named twice: follows once


async def test_add_remove_and_task_fields(client, world):
    tag, other = await make_tag(client, world, "T1"), await make_tag(client, world, "T2")
    task = await make_task(client, world, "Job")
    assert ok(await client.post(f"/tasks/{task}/addTag", json={"data": {"tag": tag["gid"]}})) == {}
    ok(await client.post(f"/tasks/{task}/addTag", json={"data": {"tag": other["gid"]}}))
    ok(await client.post(f"/tasks/{task}/addTag", json={"data": {"tag": tag["gid"]}}))  # again: no-op
    assert world.count(TAGGED) == 2
    record = ok(await client.get(f"/tasks/{task}"))
    assert [t["gid"] for t in record["tags"]] == [tag["gid"], other["gid"]]
    assert record["tags"][0] == {"gid": tag["gid"], "resource_type": "tag", "name": "T1"}
    assert [t["gid"] for t in ok(await client.get(f"/tasks/{task}/tags"))] == [tag["gid"], other["gid"]]
    ok(await client.post(f"/tasks/{task}/removeTag", json={"data": {"tag": tag["gid"]}}))
    ok(await client.post(f"/tasks/{task}/removeTag", json={"data": {"tag": tag["gid"]}}))  # not on it: fine
    assert [t["gid"] for t in ok(await client.get(f"/tasks/{task}?opt_fields=tags"))["tags"]] == [
        other["gid"]
    ]
    for body in ({}, {"tag": ""}, {"tag": "nope"}, {"tag": "123"}, {"tag": task}):
        fails(await client.post(f"/tasks/{task}/addTag", json={"data": body}), 400)
    fails(await client.post("/tasks/123/addTag", json={"data": {"tag": tag["gid"]}}), 404)
    fails(await client.get("/tasks/123/tags"), 404)
    ok(await client.delete(f"/tags/{other['gid']}"))  # the tag leaves its tasks
    assert ok(await client.get(f"/tasks/{task}?opt_fields=tags"))["tags"] == [] and world.count(TAGGED) == 0


async def test_create_task_with_tags(client, world):
    tag = await make_tag(client, world)
    body = {"name": "New", "workspace": world.workspace, "tags": [tag["gid"]]}
    made = ok(await client.post("/tasks", json={"data": body}), 201)
    assert [t["gid"] for t in made["tags"]] == [tag["gid"]]
    before = world.count("SELECT count(*) FROM tasks")
    bad = {"name": "Bad", "workspace": world.workspace, "tags": ["123"]}
    fails(await client.post("/tasks", json={"data": bad}), 400, "tags")
    assert world.count("SELECT count(*) FROM tasks") == before


async def test_tasks_for_tag_paginated_and_visible_only(client, world):
    tag = await make_tag(client, world)
    secret = (await make_project(client, world, privacy_setting="private"))["gid"]
    hidden = await make_task(client, world, "Hidden", projects=[secret])
    shown = [await make_task(client, world, f"S{i}", workspace=world.workspace) for i in range(3)]
    bob, token = world.person("bob@example.com")
    mine = await make_task(client, world, "Bob's", assignee=bob)
    for task in [shown[0], hidden, *shown[1:], mine]:
        ok(await client.post(f"/tasks/{task}/addTag", json={"data": {"tag": tag["gid"]}}))
    assert [t["gid"] for t in ok(await client.get(f"/tags/{tag['gid']}/tasks"))] == [
        shown[0], hidden, *shown[1:], mine
    ]  # fmt: skip
    page = (await client.get(f"/tags/{tag['gid']}/tasks?limit=2")).json()
    assert [t["gid"] for t in page["data"]] == [shown[0], hidden] and page["next_page"]["offset"]
    rest = ok(await client.get(f"/tags/{tag['gid']}/tasks?limit=10&offset={page['next_page']['offset']}"))
    assert [t["gid"] for t in rest] == [*shown[1:], mine]
    async with api_client(world.env, token) as as_bob:
        seen = [t["gid"] for t in ok(await as_bob.get(f"/tags/{tag['gid']}/tasks"))]
        assert hidden not in seen and mine in seen
        assert ok(await as_bob.get(f"/tags/{tag['gid']}"))["name"] == "Urgent"  # workspace members see tags
        fails(await as_bob.post(f"/tasks/{hidden}/addTag", json={"data": {"tag": tag["gid"]}}), 404)
    fails(await client.get("/tags/123/tasks"), 404)


async def test_other_workspace_is_unknown(client, world):
    outsider = world.other_workspace("Elsewhere", "owner@example.com")
    tag = await make_tag(client, world)
    far_task = await make_task(client, world, "Far", workspace=outsider["workspace"])
    fails(
        await client.post(f"/tasks/{far_task}/addTag", json={"data": {"tag": tag["gid"]}}), 400, "workspace"
    )
    _, token = world.person("stranger@example.com", workspaces=[outsider["workspace"]])
    async with api_client(world.env, token) as stranger:
        fails(await stranger.get(f"/tags/{tag['gid']}"), 404)
        fails(await stranger.get(f"/tags/{tag['gid']}/tasks"), 404)
        fails(await stranger.put(f"/tags/{tag['gid']}", json={"data": {"name": "x"}}), 404)
        fails(await stranger.delete(f"/tags/{tag['gid']}"), 404)
        fails(await stranger.get(f"/workspaces/{world.workspace}/tags"), 404)
    assert ok(await client.get(f"/tags/{tag['gid']}"))["name"] == "Urgent"


async def test_search_by_tags(client, world):
    red, blue = await make_tag(client, world, "red"), await make_tag(client, world, "blue")
    a, b, c = [await make_task(client, world, n) for n in "ABC"]
    for task, tag in ((a, red), (a, blue), (b, red)):
        ok(await client.post(f"/tasks/{task}/addTag", json={"data": {"tag": tag["gid"]}}))

    async def names(**params):
        found = ok(await client.get(f"/workspaces/{world.workspace}/tasks/search", params=params))
        return sorted(t["name"] for t in found)

    assert await names(**{"tags.any": red["gid"]}) == ["A", "B"]
    assert await names(**{"tags.any": f"{red['gid']},{blue['gid']}"}) == ["A", "B"]
    assert await names(**{"tags.all": f"{red['gid']},{blue['gid']}"}) == ["A"]
    assert await names(**{"tags.not": blue["gid"]}) == ["B", "C"]
    fails(await client.get(f"/workspaces/{world.workspace}/tasks/search", params={"tags.any": "123"}), 400)
    assert c


async def test_concurrent_add_remove_and_delete(client, world):
    """Racing addTag/removeTag of one tag and a tag delete: only 200s/404s, the tag added (and
    journaled) at most once per add, nothing left pointing at a deleted tag."""
    tag = await make_tag(client, world)
    task = await make_task(client, world, "Raced")
    body = {"data": {"tag": tag["gid"]}}
    added = await asyncio.gather(*(client.post(f"/tasks/{task}/addTag", json=body) for _ in range(8)))
    assert {r.status_code for r in added} == {200} and world.count(TAGGED) == 1
    journaled = "SELECT count(*) FROM journal WHERE resource_gid = :task AND action = 'added'"
    assert world.count(journaled, task=int(task)) == 2  # the task's creation and one addTag
    calls = [client.post(f"/tasks/{task}/removeTag", json=body) for _ in range(4)]
    calls += [client.post(f"/tasks/{task}/addTag", json=body) for _ in range(4)]
    raced = await asyncio.gather(*calls, client.delete(f"/tags/{tag['gid']}"))
    assert {r.status_code for r in raced} <= {200, 400, 404}, [r.text for r in raced if r.status_code >= 500]
    assert world.count(TAGGED) == 0


async def test_add_and_remove_are_task_events_with_the_tag_as_parent(client, world):
    project = (await make_project(client, world))["gid"]
    task = await make_task(client, world, "Evented", projects=[project])
    tag = await make_tag(client, world)
    sync = await fresh_sync(client, project)
    ok(await client.post(f"/tasks/{task}/addTag", json={"data": {"tag": tag["gid"]}}))
    ok(await client.post(f"/tasks/{task}/removeTag", json={"data": {"tag": tag["gid"]}}))
    seen = [
        (e["action"], e["resource"]["gid"], e["parent"]["resource_type"], e["parent"]["gid"])
        for e in (await events(client, project, sync))["data"]
    ]
    assert seen == [("added", task, "tag", tag["gid"]), ("removed", task, "tag", tag["gid"])]


async def test_order_put_on_holds_within_one_millisecond(client, world):
    """A task's tags and a tag's tasks list in the order they were put on, even when every addTag
    happens in the same millisecond (a frozen clock), whatever the gids' order."""
    tags = [await make_tag(client, world, f"Same {i}") for i in range(5)]
    tasks = [await make_task(client, world, f"Same {i}") for i in range(5)]
    clock.freeze()
    try:
        for t in reversed(tags):
            ok(await client.post(f"/tasks/{tasks[0]}/addTag", json={"data": {"tag": t["gid"]}}))
        for task in reversed(tasks[1:]):
            ok(await client.post(f"/tasks/{task}/addTag", json={"data": {"tag": tags[0]["gid"]}}))
    finally:
        clock.reset()
    listed = [t["gid"] for t in ok(await client.get(f"/tasks/{tasks[0]}/tags"))]
    assert listed == [t["gid"] for t in reversed(tags)]
    on_tag = [t["gid"] for t in ok(await client.get(f"/tags/{tags[0]['gid']}/tasks"))]
    assert on_tag == [tasks[0], *reversed(tasks[1:])]
