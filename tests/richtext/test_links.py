"""The guide's `<a>` write rules over the API ("Writing rich text"): a gid the caller can see is
expanded, `data-asana-dynamic="false"` keeps the caller's text, a gid the caller cannot see (or that
names nothing, including out-of-range 19-digit gids: issue 12) needs an href, and an `<a>` needs a gid
or an href. Every refusal is a 400 that changes nothing."""

from __future__ import annotations

import time

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.richtext.helpers import OBJECTS
from tests.statuses.helpers import post_update
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.anyio
BASE = "http://testserver"


def _link(kind: str, gid: str, name: str, href: str, extra: str = "") -> str:
    return (
        f'<a href="{href}" data-asana-accessible="true" data-asana-dynamic="true"'
        f' data-asana-type="{kind}" data-asana-gid="{gid}"{extra}>{name}</a>'
    )


async def _notes(client, task: str) -> tuple[str, str]:
    data = ok(await client.get(f"/tasks/{task}", params={"opt_fields": "html_notes,notes"}))
    return data["html_notes"], data["notes"]


async def test_every_visible_kind_is_expanded(client, world):
    project = (await make_project(client, world, name="Launch"))["gid"]
    other = await make_task(client, world, "Buy milk", projects=[project])
    update = (await post_update(client, project, title="On track"))["gid"]
    task = await make_task(client, world)
    sent = (
        f'<body><a data-asana-gid="{other}"/> <a data-asana-gid="{other}" data-asana-project="{project}"/>'
        f' <a data-asana-gid="{project}">old</a> <a data-asana-gid="{world.team}"/>'
        f' <a data-asana-gid="{world.user}"/> <a data-asana-gid="{update}"/></body>'
    )
    ok(await client.put(f"/tasks/{task}", json={"data": {"html_notes": sent}}))
    team = ok(await client.get(f"/teams/{world.team}"))["name"]
    me = ok(await client.get("/users/me"))["name"]
    html, text = await _notes(client, task)
    assert html == (
        "<body>"
        + _link("task", other, "Buy milk", f"{BASE}/0/0/{other}/f")
        + " "
        + _link("task", other, "Buy milk", f"{BASE}/0/{project}/{other}", f' data-asana-project="{project}"')
        + " "
        + _link("project", project, "Launch", f"{BASE}/0/{project}/list")
        + " "
        + _link("team", world.team, team, f"{BASE}/0/team/{world.team}")
        + " "
        + _link("user", world.user, me, f"{BASE}/0/profile/{world.user}")
        + " "
        + _link("status_update", update, "On track", f"{BASE}/0/{project}/{update}")
        + "</body>"
    )
    assert text == f"Buy milk Buy milk Launch {team} {me} On track"


async def test_dynamic_false_keeps_the_callers_text(client, world):
    other = await make_task(client, world, "Buy milk")
    task = await make_task(client, world)
    sent = f'<body><a data-asana-gid="{other}" data-asana-dynamic="false">the <b>milk</b> task</a></body>'
    ok(await client.put(f"/tasks/{task}", json={"data": {"html_notes": sent}}))
    assert await _notes(client, task) == (
        f'<body><a href="{BASE}/0/0/{other}/f" data-asana-accessible="true" data-asana-dynamic="false"'
        f' data-asana-type="task" data-asana-gid="{other}">the <strong>milk</strong> task</a></body>',
        "the milk task",
    )


async def test_what_the_caller_cannot_see_answers_like_what_does_not_exist(client, world):
    _, token = world.person("eve@example.com")
    secret = (await make_project(client, world, name="Secret", privacy_setting="private"))["gid"]
    hidden_task = await make_task(client, world, "Hidden", projects=[secret])
    async with api_client(world.env, token) as c:
        task = await make_task(c, world, "Eve's")
        messages = []
        for gid in (secret, hidden_task, "1234567890123456", "9223372036854775807"):
            sent = f'<body><a data-asana-gid="{gid}">x</a></body>'
            message = fails(await c.put(f"/tasks/{task}", json={"data": {"html_notes": sent}}), 400)
            messages.append(message.replace(gid, "G"))
        assert len(set(messages)) == 1 and messages[0].startswith("html_notes: Unknown object: G")
        # With an href the tag is written back as the caller sent it.
        kept = f'<body><a data-asana-gid="{secret}" href="https://app.asana.com/0/{secret}/list">Secret</a></body>'
        ok(await c.put(f"/tasks/{task}", json={"data": {"html_notes": kept}}))
        assert await _notes(c, task) == (kept, "Secret")


@pytest.mark.parametrize("kind", OBJECTS)
@pytest.mark.parametrize("gid", ["9999999999999999999", "99999999999999999999", "0000000000000000000"])
async def test_out_of_range_gids_are_a_400_never_a_500(client, world, kind, gid):
    make, _ = OBJECTS[kind]
    writer = await make(client, world)
    before = await writer.write(client, "<body>before</body>")
    written = ok(before, 201 if writer.method == "POST" else 200)["gid"]
    fails(await writer.write(client, f'<body><a data-asana-gid="{gid}"/></body>'), 400, "Unknown object")
    assert (await writer.stored(client, written))[0] == "<body>before</body>"
    kept = f'<body><a data-asana-gid="{gid}" href="https://app.asana.com/0/0/{gid}">x</a></body>'
    response = await writer.write(client, kept)
    assert (await writer.stored(client, ok(response, before.status_code)["gid"]))[0] == kept


@pytest.mark.parametrize("html", ["<body><a>x</a></body>", '<body><a href="">x</a></body>'])
async def test_a_link_needs_a_gid_or_an_href(client, world, html):
    task = await make_task(client, world)
    fails(
        await client.put(f"/tasks/{task}", json={"data": {"html_notes": html}}),
        400,
        "html_notes: An <a> tag needs a data-asana-gid or an href",
    )
    assert (await _notes(client, task))[0] == "<body></body>"


async def test_many_links_cost_a_few_queries_not_one_per_link(client, world):
    """1,500 links (the most a 64 KB note holds) to 100 visible tasks: one query per kind, so the
    write takes ~0.15 s on either database (one lookup per link took 11 s on SQLite, 22 s on PG)."""
    tasks = [await make_task(client, world, f"t{i}") for i in range(100)]
    task = await make_task(client, world)
    html = "<body>" + "".join(f'<a data-asana-gid="{g}"/>' for g in tasks * 15) + "</body>"
    started = time.perf_counter()
    ok(await client.put(f"/tasks/{task}", json={"data": {"html_notes": html}}))
    assert time.perf_counter() - started < 5
    stored, text = await _notes(client, task)
    assert stored.count('data-asana-type="task"') == 1500 and text.startswith("t0t1t2")
