"""Who may read statuses and briefs (anyone who sees the project) and write them (editors)."""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.statuses.helpers import post_status, post_update

pytestmark = pytest.mark.anyio

STATUSES = "SELECT count(*) FROM statuses"
BRIEFS = "SELECT count(*) FROM project_briefs"


async def _setup(client, world, **project_fields):
    project = (await make_project(client, world, **project_fields))["gid"]
    status = (await post_status(client, project))["gid"]
    brief = ok(await client.post(f"/projects/{project}/project_briefs", json={"data": {"text": "b"}}), 201)[
        "gid"
    ]
    return project, status, brief


async def test_outsiders_of_a_private_project_get_404_everywhere(client, world):
    project, status, brief = await _setup(client, world, privacy_setting="private")
    _, token = world.person("eve@example.com")
    async with api_client(world.env, token) as eve:
        fails(await eve.get(f"/projects/{project}/project_statuses"), 404)
        fails(
            await eve.post(
                f"/projects/{project}/project_statuses", json={"data": {"color": "red", "text": "x"}}
            ),
            404,
        )
        fails(await eve.get(f"/project_statuses/{status}"), 404)
        fails(await eve.delete(f"/project_statuses/{status}"), 404)
        fails(await eve.get(f"/status_updates/{status}"), 404)
        fails(await eve.delete(f"/status_updates/{status}"), 404)
        fails(await eve.get("/status_updates", params={"parent": project}), 400, "parent")
        body = {"parent": project, "status_type": "on_track", "text": "x"}
        fails(await eve.post("/status_updates", json={"data": body}), 400, "parent")
        fails(await eve.get(f"/project_briefs/{brief}"), 404)
        fails(await eve.put(f"/project_briefs/{brief}", json={"data": {"text": "x"}}), 404)
        fails(await eve.delete(f"/project_briefs/{brief}"), 404)
        fails(await eve.post(f"/projects/{project}/project_briefs", json={"data": {"text": "x"}}), 404)
    assert world.count(STATUSES) == 1 and world.count(BRIEFS) == 1
    assert ok(await client.get(f"/project_briefs/{brief}"))["html_text"] == "<body>b</body>"


async def test_another_workspace_cannot_see_them(client, world):
    project, status, brief = await _setup(client, world)
    other = world.other_workspace("Elsewhere", "out@example.com")
    _, token = world.person("out2@example.com", [str(other["workspace"])])
    async with api_client(world.env, token) as out:
        fails(await out.get(f"/project_statuses/{status}"), 404)
        fails(await out.get(f"/project_briefs/{brief}"), 404)


@pytest.mark.parametrize("level", ["commenter", "viewer"])
async def test_below_editor_may_read_but_not_write(client, world, level):
    project, status, brief = await _setup(client, world, default_access_level=level)
    _, token = world.person("bob@example.com")
    async with api_client(world.env, token) as bob:
        assert [s["gid"] for s in ok(await bob.get(f"/projects/{project}/project_statuses"))] == [status]
        ok(await bob.get(f"/project_statuses/{status}"))
        ok(await bob.get(f"/status_updates/{status}"))
        assert len(ok(await bob.get("/status_updates", params={"parent": project}))) == 1
        ok(await bob.get(f"/project_briefs/{brief}"))
        fails(
            await bob.post(
                f"/projects/{project}/project_statuses", json={"data": {"color": "red", "text": "x"}}
            ),
            403,
        )
        body = {"parent": project, "status_type": "off_track", "text": "x"}
        fails(await bob.post("/status_updates", json={"data": body}), 403)
        fails(await bob.delete(f"/project_statuses/{status}"), 403)
        fails(await bob.delete(f"/status_updates/{status}"), 403)
        fails(await bob.post(f"/projects/{project}/project_briefs", json={"data": {"text": "x"}}), 403)
        fails(await bob.put(f"/project_briefs/{brief}", json={"data": {"text": "x"}}), 403)
        fails(await bob.delete(f"/project_briefs/{brief}"), 403)
    assert world.count(STATUSES) == 1 and world.count(BRIEFS) == 1
    assert ok(await client.get(f"/project_briefs/{brief}"))["html_text"] == "<body>b</body>"


async def test_editors_may_write_and_author_is_the_caller(client, world):
    project = (await make_project(client, world))["gid"]  # default_access_level editor
    bob, token = world.person("bob@example.com")
    async with api_client(world.env, token) as c:
        made = await post_update(c, project)
        assert made["author"]["gid"] == bob and made["created_by"]["gid"] == bob
        legacy = await post_status(c, project)
        ok(await c.delete(f"/status_updates/{made['gid']}"))
        ok(await c.delete(f"/project_statuses/{legacy['gid']}"))
        brief = ok(await c.post(f"/projects/{project}/project_briefs", json={"data": {"text": "x"}}), 201)
        ok(await c.put(f"/project_briefs/{brief['gid']}", json={"data": {"title": "y"}}))
        ok(await c.delete(f"/project_briefs/{brief['gid']}"))
    assert world.count(STATUSES) == 0 and world.count(BRIEFS) == 0


async def test_unauthenticated_is_401(world):
    async with api_client(world.env, None) as anon:
        fails(await anon.get("/status_updates", params={"parent": "1"}), 401)
        fails(await anon.get("/project_briefs/1"), 401)
