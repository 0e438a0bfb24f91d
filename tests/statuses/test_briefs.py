"""Project briefs: one per project, rich text with headers, rules, images and tables."""

from __future__ import annotations

import pytest

from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.statuses.helpers import BRIEF_FULL

pytestmark = pytest.mark.anyio

COUNT = "SELECT count(*) FROM project_briefs"
RICH = (
    "<body><h1>Goal <em>ship</em></h1><hr/><table><tr><td>who</td><td>what</td></tr></table>"
    '<img src="https://example.com/a.png" alt="chart"/><ul><li>one</li></ul></body>'
)


async def _brief(client, project, **data):
    return ok(await client.post(f"/projects/{project}/project_briefs", json={"data": data}), 201)


async def test_create_get_and_the_projects_link(client, world):
    project = (await make_project(client, world))["gid"]
    assert (
        ok(await client.get(f"/projects/{project}", params={"opt_fields": "project_brief"}))["project_brief"]
        is None
    )
    response = await client.post(
        f"/projects/{project}/project_briefs", json={"data": {"title": "Plan", "html_text": RICH}}
    )
    created = ok(response, 201)
    assert set(created) == BRIEF_FULL
    assert (
        created["resource_type"] == "project_brief"
        and created["title"] == "Plan"
        and created["html_text"] == RICH
    )
    assert created["project"] == {"gid": project, "resource_type": "project", "name": "Roadmap"}
    assert created["permalink_url"] == f"http://testserver/0/{project}/{created['gid']}"
    assert response.headers["location"].endswith(f"/api/1.0/project_briefs/{created['gid']}")
    text = ok(await client.get(f"/project_briefs/{created['gid']}", params={"opt_fields": "text"}))
    assert text == {"gid": created["gid"], "text": "Goal ship\nwho\twhat\none"}
    assert ok(await client.get(f"/project_briefs/{created['gid']}")) == created
    linked = ok(
        await client.get(f"/projects/{project}", params={"opt_fields": "project_brief,project_brief.title"})
    )
    assert linked["project_brief"] == {"gid": created["gid"], "title": "Plan"}
    default = ok(await client.get(f"/projects/{project}", params={"opt_fields": "project_brief"}))
    assert default["project_brief"] == {"gid": created["gid"], "resource_type": "project_brief"}
    assert "project_brief" not in ok(await client.get(f"/projects/{project}"))
    assert world.count(COUNT) == 1


async def test_plain_text_is_escaped(client, world):
    project = (await make_project(client, world))["gid"]
    created = await _brief(client, project, text="1 < 2 & <b>")
    assert created["html_text"] == "<body>1 &lt; 2 &amp; &lt;b&gt;</body>" and created["title"] == ""
    assert (
        ok(await client.get(f"/project_briefs/{created['gid']}", params={"opt_fields": "text"}))["text"]
        == "1 < 2 & <b>"
    )


async def test_empty_brief(client, world):
    project = (await make_project(client, world))["gid"]
    assert (await _brief(client, project))["html_text"] == "<body></body>"


async def test_a_second_brief_is_a_400(client, world):
    project = (await make_project(client, world))["gid"]
    first = await _brief(client, project, text="one")
    fails(
        await client.post(f"/projects/{project}/project_briefs", json={"data": {"text": "two"}}),
        400,
        "already",
    )
    assert world.count(COUNT) == 1
    assert ok(await client.get(f"/project_briefs/{first['gid']}"))["html_text"] == "<body>one</body>"


async def test_update_changes_only_given_fields(client, world):
    project = (await make_project(client, world))["gid"]
    made = await _brief(client, project, title="T", text="old")
    updated = ok(
        await client.put(
            f"/project_briefs/{made['gid']}", json={"data": {"html_text": "<body><h2>new</h2></body>"}}
        )
    )
    assert updated["title"] == "T" and updated["html_text"] == "<body><h2>new</h2></body>"
    updated = ok(await client.put(f"/project_briefs/{made['gid']}", json={"data": {"title": "U"}}))
    assert updated["title"] == "U" and updated["html_text"] == "<body><h2>new</h2></body>"
    updated = ok(
        await client.put(
            f"/project_briefs/{made['gid']}",
            json={"data": {"text": "plain"}},
            params={"opt_fields": "text,html_text"},
        )
    )
    assert updated == {"gid": made["gid"], "text": "plain", "html_text": "<body>plain</body>"}


async def test_delete(client, world):
    project = (await make_project(client, world))["gid"]
    made = await _brief(client, project, text="x")
    assert ok(await client.delete(f"/project_briefs/{made['gid']}")) == {}
    fails(await client.get(f"/project_briefs/{made['gid']}"), 404)
    fails(await client.delete(f"/project_briefs/{made['gid']}"), 404)
    assert (
        ok(await client.get(f"/projects/{project}", params={"opt_fields": "project_brief"}))["project_brief"]
        is None
    )
    assert world.count(COUNT) == 0
    await _brief(client, project, text="again")  # a new one may be made after a delete
    ok(await client.delete(f"/projects/{project}"))
    assert world.count(COUNT) == 0


BAD_HTML = [
    ("<body><h1>x</body>", "XML is invalid"),
    ("<body><h3>x</h3></body>", "<h3>"),
    ("<body><h1><ul><li>x</li></ul></h1></body>", "<ul> is not allowed inside <h1>"),
    ("<body><h1>a\nb</h1></body>", "line break"),
    ("<body><hr>x</hr></body>", "<hr>"),
    ('<body><img src="a" onerror="x"/></body>', "onerror"),
    ("<body><img/></body>", "src"),
    ("<body><table><td>x</td></table></body>", "<td>"),
    ("<body><table>x<tr><td>y</td></tr></table></body>", "Text"),
    ("<body><li>x</li></body>", "<li>"),
    ('<body><h1 class="big">x</h1></body>', "class"),
    ("<p>x</p>", "<body>"),
]


@pytest.mark.parametrize(("html", "fragment"), BAD_HTML)
async def test_bad_rich_text_is_a_400_and_changes_nothing(client, world, html, fragment):
    project = (await make_project(client, world))["gid"]
    fails(
        await client.post(f"/projects/{project}/project_briefs", json={"data": {"html_text": html}}),
        400,
        fragment,
    )
    assert world.count(COUNT) == 0
    made = await _brief(client, project, title="T", text="keep")
    fails(
        await client.put(
            f"/project_briefs/{made['gid']}", json={"data": {"title": "new", "html_text": html}}
        ),
        400,
        fragment,
    )
    assert ok(await client.get(f"/project_briefs/{made['gid']}")) == made


async def test_text_and_html_text_together_are_a_400(client, world):
    project = (await make_project(client, world))["gid"]
    both = {"text": "a", "html_text": "<body>a</body>"}
    fails(
        await client.post(f"/projects/{project}/project_briefs", json={"data": both}),
        400,
        "one of text or html_text",
    )
    assert world.count(COUNT) == 0
    made = await _brief(client, project, text="keep")
    fails(
        await client.put(f"/project_briefs/{made['gid']}", json={"data": both}),
        400,
        "one of text or html_text",
    )
    assert ok(await client.get(f"/project_briefs/{made['gid']}"))["html_text"] == "<body>keep</body>"


async def test_unknown_objects_are_404(client, world):
    fails(await client.post("/projects/123/project_briefs", json={"data": {"text": "x"}}), 404)
    fails(await client.get("/project_briefs/123"), 404)
    fails(await client.put("/project_briefs/123", json={"data": {"text": "x"}}), 404)
    fails(await client.delete("/project_briefs/nope"), 404)
    assert world.count(COUNT) == 0
