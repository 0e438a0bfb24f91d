"""Legacy project statuses: create, read, list (newest first), delete, and the project's current_status."""

from __future__ import annotations

import pytest

from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.statuses.helpers import STATUS_FULL, current, post_status

pytestmark = pytest.mark.anyio

COUNT = "SELECT count(*) FROM statuses"


async def test_create_returns_the_full_record(client, world):
    project = (await make_project(client, world))["gid"]
    response = await client.post(
        f"/projects/{project}/project_statuses",
        json={"data": {"title": "Week 1", "text": "a < b", "color": "yellow"}},
    )
    created = ok(response, 201)
    assert set(created) == STATUS_FULL
    assert created["resource_type"] == "project_status"
    assert created["title"] == "Week 1" and created["text"] == "a < b" and created["color"] == "yellow"
    me = {"gid": world.user, "resource_type": "user", "name": created["author"]["name"]}
    assert created["author"] == me and created["created_by"] == me
    assert created["created_at"].endswith("Z") and created["modified_at"] == created["created_at"]
    assert response.headers["location"].endswith(f"/api/1.0/project_statuses/{created['gid']}")
    got = ok(await client.get(f"/project_statuses/{created['gid']}", params={"opt_fields": "html_text,text"}))
    assert got == {"gid": created["gid"], "html_text": "<body>a &lt; b</body>", "text": "a < b"}
    assert world.count(COUNT) == 1


async def test_html_text_gives_the_plain_text(client, world):
    project = (await make_project(client, world))["gid"]
    html = "<body><strong>Done</strong> with <ul><li>one</li><li>two</li></ul></body>"
    created = await post_status(client, project, text=None, html_text=html)
    got = ok(await client.get(f"/project_statuses/{created['gid']}", params={"opt_fields": "text,html_text"}))
    assert got["html_text"] == html and got["text"] == "Done with \none\ntwo"


async def test_title_defaults_to_empty(client, world):
    project = (await make_project(client, world))["gid"]
    assert (await post_status(client, project))["title"] == ""


async def test_list_is_newest_first_and_paginates(client, world):
    project = (await make_project(client, world))["gid"]
    made = [(await post_status(client, project, title=f"s{i}"))["gid"] for i in range(5)]
    listed = ok(await client.get(f"/projects/{project}/project_statuses"))
    assert [s["gid"] for s in listed] == made[::-1]
    assert listed[0] == {"gid": made[-1], "resource_type": "project_status", "title": "s4"}
    first = (await client.get(f"/projects/{project}/project_statuses", params={"limit": 2})).json()
    assert [s["gid"] for s in first["data"]] == [made[4], made[3]]
    second = (await client.get(first["next_page"]["path"])).json()
    assert [s["gid"] for s in second["data"]] == [made[2], made[1]]
    third = (await client.get(second["next_page"]["path"])).json()
    assert [s["gid"] for s in third["data"]] == [made[0]] and third["next_page"] is None
    other = (await make_project(client, world, name="Other"))["gid"]
    assert ok(await client.get(f"/projects/{other}/project_statuses")) == []


async def test_current_status_is_the_newest_and_falls_back_on_delete(client, world):
    project = (await make_project(client, world))["gid"]
    assert await current(client, project) == (None, None)
    first = await post_status(client, project, color="green")
    second = await post_status(client, project, color="red")
    status, update = await current(client, project)
    assert status == {"gid": second["gid"], "color": "red"}
    assert update == {"gid": second["gid"], "status_type": "off_track"}
    default = ok(await client.get(f"/projects/{project}"))
    assert default["current_status"] == {"gid": second["gid"], "resource_type": "project_status", "title": ""}
    assert default["current_status_update"] == {
        "gid": second["gid"],
        "resource_type": "status_update",
        "title": "",
        "resource_subtype": "project_status_update",
    }
    assert ok(await client.delete(f"/project_statuses/{second['gid']}")) == {}
    status, update = await current(client, project)
    assert status == {"gid": first["gid"], "color": "green"} and update["gid"] == first["gid"]
    fails(await client.get(f"/project_statuses/{second['gid']}"), 404)
    fails(await client.get(f"/status_updates/{second['gid']}"), 404)
    ok(await client.delete(f"/project_statuses/{first['gid']}"))
    assert await current(client, project) == (None, None)
    assert world.count(COUNT) == 0


async def test_current_status_for_many_projects(client, world):
    a = (await make_project(client, world, name="A"))["gid"]
    b = (await make_project(client, world, name="B"))["gid"]
    c = (await make_project(client, world, name="C"))["gid"]
    sa = await post_status(client, a, color="blue")
    await post_status(client, b, color="green")
    sb = await post_status(client, b, color="yellow")
    listed = ok(await client.get("/projects", params={"opt_fields": "name,current_status.color"}))
    by_name = {p["name"]: p["current_status"] for p in listed}
    assert by_name["A"] == {"gid": sa["gid"], "color": "blue"}
    assert by_name["B"] == {"gid": sb["gid"], "color": "yellow"}
    assert by_name["C"] is None and c


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"text": "x", "color": "purple"}, "color"),
        ({"text": "x", "color": None}, "color: Missing input"),
        ({"text": "x"}, "color: Missing input"),
        ({"color": "green"}, "text: Missing input"),
        ({"color": "green", "text": "x", "html_text": "<body>x</body>"}, "one of text or html_text"),
        ({"color": "green", "html_text": "<body><strong>x</body>"}, "html_text: XML is invalid"),
        ({"color": "green", "html_text": "<body><table/></body>"}, "<table>"),
        ({"color": "green", "html_text": "<body><em class='x'>x</em></body>"}, "class"),
        ({"color": "green", "html_text": "plain"}, "html_text"),
        ({"color": "green", "text": 5}, "text"),
    ],
)
async def test_bad_input_is_a_400_and_stores_nothing(client, world, data, fragment):
    project = (await make_project(client, world))["gid"]
    fails(await client.post(f"/projects/{project}/project_statuses", json={"data": data}), 400, fragment)
    assert world.count(COUNT) == 0
    assert await current(client, project) == (None, None)


async def test_unknown_objects_are_404(client, world):
    fails(
        await client.post("/projects/123/project_statuses", json={"data": {"color": "green", "text": "x"}}),
        404,
    )
    fails(await client.get("/projects/123/project_statuses"), 404)
    fails(await client.get("/project_statuses/123"), 404)
    fails(await client.get("/project_statuses/abc"), 404)
    fails(await client.delete("/project_statuses/123"), 404)
    project = (await make_project(client, world))["gid"]
    fails(await client.get(f"/project_statuses/{project}"), 404)  # a gid of another kind
    assert world.count(COUNT) == 0


async def test_deleting_the_project_deletes_its_statuses(client, world):
    project = (await make_project(client, world))["gid"]
    made = await post_status(client, project)
    await post_status(client, project)
    ok(await client.delete(f"/projects/{project}"))
    assert world.count(COUNT) == 0
    fails(await client.get(f"/project_statuses/{made['gid']}"), 404)
