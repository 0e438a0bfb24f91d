"""GET /tasks by `tag` and by `user_task_list`: the same lists as the tag's and the My Tasks' own routes."""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task, names

pytestmark = pytest.mark.anyio

ONE_OF = "You should specify one of workspace, project, tag, section, user_task_list"


async def gids(client, path: str) -> list[str]:
    return [t["gid"] for t in ok(await client.get(path))]


async def make_tag(client, workspace: str) -> str:
    return str(
        ok(await client.post("/tags", json={"data": {"name": "T", "workspace": workspace}}), 201)["gid"]
    )


async def test_get_tasks_by_tag_is_the_tags_list(client, world, tick):
    bob, token = world.person("bob@example.com")
    private = (await make_project(client, world, privacy_setting="private"))["gid"]
    tag = await make_tag(client, world.workspace)
    a = await make_task(client, world, name="a")
    b = await make_task(client, world, name="b", assignee=bob)
    hidden = await make_task(client, world, name="hidden", projects=[private])
    await make_task(client, world, name="untagged")
    for task in (b, hidden, a):  # the tag's order: the order it was put on them
        tick()
        ok(await client.post(f"/tasks/{task}/addTag", json={"data": {"tag": tag}}))
    own = await gids(client, f"/tags/{tag}/tasks")
    assert own == [b, hidden, a]
    assert await gids(client, f"/tasks?tag={tag}") == own
    page = (await client.get(f"/tasks?tag={tag}&limit=2")).json()
    assert [t["gid"] for t in page["data"]] == [b, hidden]
    assert await gids(client, f"/tasks?tag={tag}&limit=2&offset={page['next_page']['offset']}") == [a]
    listed = ok(await client.get(f"/tasks?tag={tag}&opt_fields=name,completed"))
    assert listed[0] == {"gid": b, "name": "b", "completed": False}
    async with api_client(world.env, token) as as_bob:  # only the tasks the caller sees
        assert await gids(as_bob, f"/tasks?tag={tag}") == await gids(as_bob, f"/tags/{tag}/tasks") == [b]
    # completed_since and modified_since filter it as they do the other lists
    tick()
    ok(await client.put(f"/tasks/{b}", json={"data": {"completed": True}}))
    done_at = ok(await client.get(f"/tasks/{b}"))["completed_at"]
    assert await names(client, f"/tasks?tag={tag}&completed_since=now") == ["hidden", "a"]
    assert await names(client, f"/tasks?tag={tag}&completed_since={done_at}") == ["b", "hidden", "a"]
    assert await names(client, f"/tasks?tag={tag}&modified_since={done_at}") == ["b"]
    fails(await client.get(f"/tasks?tag={tag}&modified_since=soon"), 400, "modified_since")


async def test_get_tasks_by_user_task_list_is_my_tasks(client, world, tick):
    bob, token = world.person("bob@example.com")
    utl = ok(await client.get(f"/users/me/user_task_list?workspace={world.workspace}"))["gid"]
    one = await make_task(client, world, name="one", assignee="me")
    await make_task(client, world, name="bob's", assignee=bob)
    tick()
    two = await make_task(client, world, name="two", assignee="me")
    tick()
    done = await make_task(client, world, name="done", assignee="me")
    tick()
    ok(await client.put(f"/tasks/{done}", json={"data": {"completed": True}}))
    mark = ok(await client.get(f"/tasks/{done}"))["modified_at"]
    own = await gids(client, f"/user_task_lists/{utl}/tasks")
    assert own == [done, two, one]  # most recently assigned first
    assert await gids(client, f"/tasks?user_task_list={utl}") == own
    page = (await client.get(f"/tasks?user_task_list={utl}&limit=2")).json()
    assert [t["gid"] for t in page["data"]] == [done, two]
    rest = f"/tasks?user_task_list={utl}&limit=2&offset={page['next_page']['offset']}"
    assert await gids(client, rest) == [one]
    assert await gids(client, f"/tasks?user_task_list={utl}&completed_since=now") == [two, one]
    assert await gids(client, f"/tasks?user_task_list={utl}&modified_since={mark}") == [done]
    # only its owner sees a list: another user's is unknown, as in the list's own route (a 404 there)
    async with api_client(world.env, token) as as_bob:
        fails(await as_bob.get(f"/tasks?user_task_list={utl}"), 400, f"user_task_list: Unknown object: {utl}")


async def test_tag_and_user_task_list_are_one_of_the_filters(client, world):
    project = (await make_project(client, world))["gid"]
    tag = await make_tag(client, world.workspace)
    utl = ok(await client.get(f"/users/me/user_task_list?workspace={world.workspace}"))["gid"]
    for query in (
        f"tag={tag}&project={project}",
        f"tag={tag}&user_task_list={utl}",
        f"tag={tag}&workspace={world.workspace}&assignee=me",
        f"tag={tag}&workspace={world.workspace}",
        f"user_task_list={utl}&project={project}",
        f"user_task_list={utl}&assignee=me",
    ):
        fails(await client.get(f"/tasks?{query}"), 400, ONE_OF)
    # unknown or unseen objects in the query: 400 naming the parameter (as project and section)
    fails(await client.get("/tasks?tag=999999"), 400, "tag: Unknown object: 999999")
    fails(await client.get("/tasks?tag=abc"), 400, "tag: Not a Long")
    fails(await client.get("/tasks?user_task_list=999999"), 400, "user_task_list: Unknown object: 999999")
    outsider = world.other_workspace("Elsewhere", "owner@example.com")
    assert outsider["workspace"] is not None
    far = await make_tag(client, outsider["workspace"])
    _, token = world.person("stranger@example.com")
    async with api_client(world.env, token) as stranger:
        fails(await stranger.get(f"/tasks?tag={far}"), 400, f"tag: Unknown object: {far}")


async def test_the_docs_list_tag_and_user_task_list(world):
    from vinyasa.spec.openapi import build_openapi

    operation = build_openapi(world.env.app)["paths"]["/tasks"]["get"]
    named = {p.get("name") for p in operation["parameters"]}
    assert {"project", "section", "workspace", "assignee", "tag", "user_task_list"} <= named
    extra = {p["name"]: p for p in operation["parameters"] if p.get("x-vinyasa")}
    assert set(extra) == {"tag", "user_task_list"}
    assert extra["tag"]["in"] == "query" and "tags/{tag_gid}/tasks" in extra["tag"]["description"]
