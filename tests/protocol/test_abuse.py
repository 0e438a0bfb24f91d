"""The bad-input corpus: huge lists, huge gids, huge form bodies, odd encodings — 4xx, nothing changed."""

from __future__ import annotations

import pytest

from tests.helpers import fails, ok
from tests.projects.helpers import make_project

pytestmark = pytest.mark.anyio


async def test_ten_thousand_member_list_is_400_and_changes_nothing(client, world):
    project = await make_project(client, world)
    before = world.count("SELECT count(*) FROM project_members")
    members = ",".join(f"user{i}@example.com" for i in range(10_000))
    fails(
        await client.post(f"/projects/{project['gid']}/addMembers", json={"data": {"members": members}}),
        400,
        "members",
    )
    fails(
        await client.post(
            f"/projects/{project['gid']}/addMembers", json={"data": {"members": members.split(",")}}
        ),
        400,
    )
    assert world.count("SELECT count(*) FROM project_members") == before


@pytest.mark.parametrize(
    "path", ["/projects/{g}", "/projects/{g}/project_memberships", "/teams/{g}", "/users/{g}"]
)
async def test_two_hundred_digit_gids_are_404(client, path):
    fails(await client.get(path.format(g="9" * 200)), 404)


async def test_two_hundred_digit_gids_in_bodies_are_400(client, world):
    before = world.count("SELECT count(*) FROM projects")
    fails(
        await client.post(
            "/projects", json={"data": {"name": "x", "workspace": "9" * 200, "team": world.team}}
        ),
        400,
    )
    fails(await client.post("/projects", json={"data": {"name": "x", "team": "1" * 200}}), 400, "team")
    assert world.count("SELECT count(*) FROM projects") == before


async def test_form_body_with_a_huge_field_is_rejected_cleanly(client, world):
    project = await make_project(client, world)
    r = await client.put(f"/projects/{project['gid']}", data={"name": "n" * 100_000})
    fails(r, 400, "name")
    assert ok(await client.get(f"/projects/{project['gid']}?opt_fields=name"))["name"] == "Roadmap"


async def test_control_characters_in_text_are_dropped(client, world):
    project = await make_project(client, world, notes="a\x01b\x1fc")
    data = ok(await client.get(f"/projects/{project['gid']}?opt_fields=notes,html_notes"))
    assert data["notes"] == "abc"
    assert data["html_notes"] == "<body>abc</body>"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/projects", {"name": "a\x00", "team": "TEAM"}, "name"),
        ("put", "/teams/TEAM", {"name": "\x00"}, "name"),
        ("post", "/teams", {"name": "x", "organization": "WS", "description": "nul\x00"}, "description"),
        ("post", "/workspaces/WS/addUser", {"user": "a\x00@example.com"}, "user"),
    ],
)
async def test_nul_characters_are_400_on_every_database(client, world, method, path, body, field):
    before = world.count("SELECT count(*) FROM projects") + world.count("SELECT count(*) FROM teams")
    fill = {"TEAM": world.team, "WS": world.workspace}
    body = {k: fill.get(v, v) for k, v in body.items()}
    r = await getattr(client, method)(
        path.replace("TEAM", world.team).replace("WS", world.workspace), json={"data": body}
    )
    fails(r, 400, f"{field}: NUL")
    after = world.count("SELECT count(*) FROM projects") + world.count("SELECT count(*) FROM teams")
    assert after == before


async def test_nul_in_path_or_query_is_400(client):
    fails(await client.get("/users/a%00@example.com"), 400, "NUL")
    fails(await client.get("/users?workspace=%00"), 400, "NUL")


async def test_null_data_and_wrong_content_type(client, world):
    fails(await client.post("/projects", json={"data": None}), 400)
    r = await client.post("/projects", content=b"name=x", headers={"content-type": "text/plain"})
    fails(r, 400)
    assert world.count("SELECT count(*) FROM projects") == 0
