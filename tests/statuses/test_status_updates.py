"""Status updates, and that they and project statuses are one thing seen two ways."""

from __future__ import annotations

import pytest

from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.statuses.helpers import UPDATE_FULL, current, post_status, post_update

pytestmark = pytest.mark.anyio

COUNT = "SELECT count(*) FROM statuses"
# vinyasa's documented mapping (vinyasa.statuses.schemas).
TYPE_TO_COLOR = {
    "on_track": "green",
    "at_risk": "yellow",
    "off_track": "red",
    "on_hold": "blue",
    "complete": "complete",
    "dropped": "complete",
}
COLOR_TO_TYPE = {
    "green": "on_track",
    "yellow": "at_risk",
    "red": "off_track",
    "blue": "on_hold",
    "complete": "complete",
}


async def test_create_returns_the_full_record(client, world):
    project = await make_project(client, world)
    response = await client.post(
        "/status_updates",
        json={
            "data": {"parent": project["gid"], "status_type": "at_risk", "title": "Q3", "text": "Slipping"}
        },
    )
    created = ok(response, 201)
    assert set(created) == UPDATE_FULL
    assert created["resource_type"] == "status_update"
    assert created["resource_subtype"] == "project_status_update"
    assert created["title"] == "Q3" and created["text"] == "Slipping" and created["status_type"] == "at_risk"
    assert created["parent"] == {"gid": project["gid"], "resource_type": "project", "name": "Roadmap"}
    assert created["author"]["gid"] == world.user and created["created_by"]["gid"] == world.user
    assert created["hearts"] == [] and created["likes"] == [] and created["reaction_summary"] == []
    assert created["liked"] is False and created["hearted"] is False
    assert created["num_likes"] == 0 and created["num_hearts"] == 0
    assert response.headers["location"].endswith(f"/api/1.0/status_updates/{created['gid']}")
    got = ok(await client.get(f"/status_updates/{created['gid']}"))
    assert got == created
    html = ok(
        await client.get(f"/status_updates/{created['gid']}", params={"opt_fields": "html_text,parent.name"})
    )
    assert html == {
        "gid": created["gid"],
        "html_text": "<body>Slipping</body>",
        "parent": {"gid": project["gid"], "name": "Roadmap"},
    }


async def test_form_encoded_create(client, world):
    project = (await make_project(client, world))["gid"]
    response = await client.post(
        "/status_updates", data={"parent": project, "status_type": "on_hold", "text": "Paused"}
    )
    assert ok(response, 201)["status_type"] == "on_hold"


async def test_list_newest_first_with_created_since(client, world):
    project = (await make_project(client, world))["gid"]
    made = [await post_update(client, project, title=f"u{i}") for i in range(3)]
    listed = ok(await client.get("/status_updates", params={"parent": project}))
    assert [u["gid"] for u in listed] == [u["gid"] for u in made[::-1]]
    assert listed[0] == {
        "gid": made[-1]["gid"],
        "resource_type": "status_update",
        "title": "u2",
        "resource_subtype": "project_status_update",
    }
    since = ok(
        await client.get(
            "/status_updates", params={"parent": project, "created_since": made[1]["created_at"]}
        )
    )
    assert {u["gid"] for u in since} >= {made[1]["gid"], made[2]["gid"]}
    assert (
        ok(
            await client.get(
                "/status_updates", params={"parent": project, "created_since": "2999-01-01T00:00:00Z"}
            )
        )
        == []
    )
    page = (await client.get("/status_updates", params={"parent": project, "limit": 2})).json()
    assert [u["gid"] for u in page["data"]] == [made[2]["gid"], made[1]["gid"]]
    rest = (await client.get(page["next_page"]["path"])).json()
    assert [u["gid"] for u in rest["data"]] == [made[0]["gid"]] and rest["next_page"] is None
    fails(
        await client.get("/status_updates", params={"parent": project, "created_since": "yesterday"}),
        400,
        "created_since",
    )
    fails(await client.get("/status_updates"), 400, "parent")
    fails(await client.get("/status_updates", params={"parent": world.workspace}), 400, "parent")
    fails(await client.get("/status_updates", params={"parent": "x"}), 400, "parent")


@pytest.mark.parametrize(("status_type", "color"), list(TYPE_TO_COLOR.items()))
async def test_each_status_type_shows_as_its_color(client, world, status_type, color):
    project = (await make_project(client, world))["gid"]
    made = await post_update(client, project, status_type=status_type)
    assert ok(await client.get(f"/project_statuses/{made['gid']}"))["color"] == color
    status, update = await current(client, project)
    assert status == {"gid": made["gid"], "color": color}
    assert update == {"gid": made["gid"], "status_type": status_type}
    assert [s["gid"] for s in ok(await client.get(f"/projects/{project}/project_statuses"))] == [made["gid"]]


@pytest.mark.parametrize(("color", "status_type"), list(COLOR_TO_TYPE.items()))
async def test_each_color_shows_as_its_status_type(client, world, color, status_type):
    project = (await make_project(client, world))["gid"]
    made = await post_status(client, project, color=color, text="x")
    got = ok(await client.get(f"/status_updates/{made['gid']}"))
    assert got["status_type"] == status_type and got["text"] == "x"
    status, update = await current(client, project)
    assert status == {"gid": made["gid"], "color": color}
    assert update == {"gid": made["gid"], "status_type": status_type}
    assert [s["gid"] for s in ok(await client.get("/status_updates", params={"parent": project}))] == [
        made["gid"]
    ]


async def test_both_apis_share_one_history(client, world):
    project = (await make_project(client, world))["gid"]
    legacy = await post_status(client, project, color="red")
    update = await post_update(client, project, status_type="dropped")
    assert await current(client, project) == (
        {"gid": update["gid"], "color": "complete"},
        {"gid": update["gid"], "status_type": "dropped"},
    )
    both = [legacy["gid"], update["gid"]][::-1]
    assert [s["gid"] for s in ok(await client.get(f"/projects/{project}/project_statuses"))] == both
    assert [s["gid"] for s in ok(await client.get("/status_updates", params={"parent": project}))] == both
    # Deleting through one API removes it from both views.
    ok(await client.delete(f"/project_statuses/{update['gid']}"))
    assert await current(client, project) == (
        {"gid": legacy["gid"], "color": "red"},
        {"gid": legacy["gid"], "status_type": "off_track"},
    )
    assert [s["gid"] for s in ok(await client.get("/status_updates", params={"parent": project}))] == [
        legacy["gid"]
    ]
    ok(await client.delete(f"/status_updates/{legacy['gid']}"))
    fails(await client.get(f"/project_statuses/{legacy['gid']}"), 404)
    fails(await client.delete(f"/status_updates/{legacy['gid']}"), 404)
    assert ok(await client.get(f"/projects/{project}/project_statuses")) == []
    assert await current(client, project) == (None, None)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"status_type": "on_track", "text": "x"}, "parent: Missing input"),
        ({"parent": "P", "text": "x"}, "status_type: Missing input"),
        ({"parent": "P", "status_type": "on_track"}, "text: Missing input"),
        ({"parent": "P", "status_type": "achieved", "text": "x"}, "status_type"),
        ({"parent": "P", "status_type": "green", "text": "x"}, "status_type"),
        (
            {"parent": "P", "status_type": "on_track", "text": "x", "html_text": "<body>x</body>"},
            "one of text",
        ),
        ({"parent": "P", "status_type": "on_track", "html_text": "<body><p>x</p></body>"}, "<p>"),
        ({"parent": "P", "status_type": "on_track", "html_text": "<body>x"}, "XML is invalid"),
        ({"parent": "P", "status_type": "on_track", "html_text": "<body><table/></body>"}, "<table>"),
        ({"parent": "123", "status_type": "on_track", "text": "x"}, "parent: Unknown object"),
        ({"parent": "W", "status_type": "on_track", "text": "x"}, "parent: Unknown object"),
        ({"parent": "U", "status_type": "on_track", "text": "x"}, "parent: Unknown object"),
    ],
)
async def test_bad_input_is_a_400_and_stores_nothing(client, world, data, fragment):
    project = (await make_project(client, world))["gid"]
    swap = {"P": project, "W": world.workspace, "U": world.user}
    data = {k: swap.get(v, v) for k, v in data.items()}
    fails(await client.post("/status_updates", json={"data": data}), 400, fragment)
    assert world.count(COUNT) == 0
    assert await current(client, project) == (None, None)


async def test_unknown_status_updates_are_404(client, world):
    fails(await client.get("/status_updates/123"), 404)
    fails(await client.get("/status_updates/-1"), 404)
    fails(await client.delete("/status_updates/123"), 404)


async def test_mentions_link_to_this_server(client, world):
    project = (await make_project(client, world))["gid"]
    html = f'<body>See <a data-asana-gid="{project}"/> and <a data-asana-gid="{world.user}">me</a></body>'
    made = await post_update(client, project, text=None, html_text=html)
    got = ok(await client.get(f"/status_updates/{made['gid']}", params={"opt_fields": "html_text,text"}))
    project_link = f"http://testserver/0/{project}/list"
    me = ok(await client.get("/users/me"))["name"]
    assert got["html_text"] == (
        f'<body>See <a href="{project_link}" data-asana-accessible="true" data-asana-dynamic="true"'
        f' data-asana-type="project" data-asana-gid="{project}">Roadmap</a> and <a'
        f' href="http://testserver/0/profile/{world.user}" data-asana-accessible="true"'
        f' data-asana-dynamic="true" data-asana-type="user" data-asana-gid="{world.user}">{me}</a></body>'
    )
    assert got["text"] == f"See Roadmap and {me}"
    fails(
        await client.post(
            "/status_updates",
            json={
                "data": {
                    "parent": project,
                    "status_type": "on_track",
                    "html_text": '<body><a data-asana-gid="x"/></body>',
                }
            },
        ),
        400,
        "data-asana-gid",
    )
