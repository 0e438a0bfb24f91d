"""Team endpoints: create, read, update, lists, addUser, removeUser, visibility."""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok

pytestmark = pytest.mark.anyio


async def test_create_full_record(client, world):
    r = await client.post(
        "/teams",
        json={
            "data": {
                "name": "Platform",
                "organization": world.workspace,
                "description": "a < b",
                "visibility": "secret",
            }
        },
    )
    data = ok(r, 201)
    assert data["name"] == "Platform" and data["visibility"] == "secret"
    assert data["organization"]["gid"] == world.workspace
    assert data["edit_team_name_or_description_access_level"] == "all_team_members"
    assert data["team_content_management_access_level"] == "no_restriction"
    assert data["endorsed"] is False
    desc = ok(await client.get(f"/teams/{data['gid']}?opt_fields=description,html_description"))
    assert desc["description"] == "a < b" and desc["html_description"] == "<body>a &lt; b</body>"
    members = ok(await client.get(f"/teams/{data['gid']}/users"))
    assert [m["gid"] for m in members] == [world.user]


async def test_create_bad_input_changes_nothing(client, world):
    plain = world.other_workspace("Plain", "owner@example.com", organization=False)
    stranger = world.other_workspace("Theirs", "x@example.com")
    before = world.count("SELECT count(*) FROM teams")
    fails(
        await client.post("/teams", json={"data": {"name": "x", "organization": plain["workspace"]}}),
        400,
        "organization",
    )
    fails(
        await client.post("/teams", json={"data": {"name": "x", "organization": stranger["workspace"]}}),
        400,
        "organization",
    )
    fails(
        await client.post("/teams", json={"data": {"name": "x", "organization": "nope"}}), 400, "organization"
    )
    fails(
        await client.post(
            "/teams",
            json={
                "data": {
                    "name": "x",
                    "organization": world.workspace,
                    "html_description": "<body><p>x</p></body>",
                }
            },
        ),
        400,
        "<p>",
    )
    fails(
        await client.post(
            "/teams",
            json={
                "data": {"name": "x", "organization": world.workspace, "html_description": "<body>unclosed"}
            },
        ),
        400,
        "html_description",
    )
    fails(
        await client.post(
            "/teams",
            json={
                "data": {
                    "name": "x",
                    "organization": world.workspace,
                    "description": "a",
                    "html_description": "<body>b</body>",
                }
            },
        ),
        400,
    )
    assert world.count("SELECT count(*) FROM teams") == before


async def test_update(client, world):
    data = ok(
        await client.put(f"/teams/{world.team}", json={"data": {"name": "Renamed", "visibility": "public"}})
    )
    assert data["name"] == "Renamed" and data["visibility"] == "public"
    fails(
        await client.put(f"/teams/{world.team}", json={"data": {"organization": "1234"}}), 400, "organization"
    )


async def test_update_respects_team_permissions(client, world):
    bob, token = world.person("bob@example.com")
    async with api_client(world.env, token) as bob_client:
        fails(
            await bob_client.put(f"/teams/{world.team}", json={"data": {"name": "Bob's"}}), 403
        )  # not a member
        ok(await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": bob}}))
        ok(await bob_client.put(f"/teams/{world.team}", json={"data": {"name": "Bob's"}}))
        fails(await bob_client.put(f"/teams/{world.team}", json={"data": {"endorsed": True}}), 403)
        ok(
            await client.put(
                f"/teams/{world.team}",
                json={"data": {"edit_team_name_or_description_access_level": "only_team_admins"}},
            )
        )
        fails(await bob_client.put(f"/teams/{world.team}", json={"data": {"name": "Again"}}), 403)
    assert ok(await client.get(f"/teams/{world.team}"))["name"] == "Bob's"


async def test_secret_teams_are_invisible_to_non_members(client, world):
    secret = ok(
        await client.post(
            "/teams",
            json={"data": {"name": "Secret", "organization": world.workspace, "visibility": "secret"}},
        ),
        201,
    )
    _, token = world.person("bob@example.com")
    async with api_client(world.env, token) as c:
        fails(await c.get(f"/teams/{secret['gid']}"), 404)
        listed = {t["gid"] for t in ok(await c.get(f"/workspaces/{world.workspace}/teams"))}
        assert listed == {world.team}


async def test_other_organizations_teams_are_404(client, world):
    other = world.other_workspace("Theirs", "x@example.com")
    fails(await client.get(f"/teams/{other['team']}"), 404)
    fails(await client.get(f"/workspaces/{other['workspace']}/teams"), 404)


async def test_teams_for_user(client, world):
    second = ok(
        await client.post("/teams", json={"data": {"name": "B-team", "organization": world.workspace}}), 201
    )
    names = [t["name"] for t in ok(await client.get(f"/users/me/teams?organization={world.workspace}"))]
    assert names == ["Acme Team", "B-team"]
    fails(await client.get("/users/me/teams"), 400, "organization")
    fails(await client.get("/users/me/teams?organization=999"), 400, "organization")
    assert second["gid"]


async def test_add_and_remove_user(client, world):
    bob, _ = world.person("bob@example.com")
    data = ok(await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": "bob@example.com"}}))
    assert data["resource_type"] == "team_membership"
    assert data["user"] == {"gid": bob, "resource_type": "user", "name": "bob"}
    assert data["is_guest"] is False and data["is_admin"] is False and data["is_limited_access"] is False
    again = ok(await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": bob}}))
    assert again["gid"] == data["gid"]
    assert world.count("SELECT count(*) FROM team_members WHERE user_gid = :u", u=int(bob)) == 1
    assert ok(await client.post(f"/teams/{world.team}/removeUser", json={"data": {"user": bob}})) == {}
    assert world.count("SELECT count(*) FROM team_members WHERE user_gid = :u", u=int(bob)) == 0


async def test_add_user_bad_input(client, world):
    outsider = world.other_workspace("Theirs", "out@example.com")
    fails(
        await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": outsider["user"]}}),
        400,
        "user",
    )
    fails(
        await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": "ghost@example.com"}}),
        400,
        "user",
    )
    fails(await client.post("/teams/77/addUser", json={"data": {"user": "me"}}), 404)
    assert world.count("SELECT count(*) FROM team_members") == 2  # owner in both teams


async def test_non_members_cannot_add_others(client, world):
    bob, token = world.person("bob@example.com")
    carl, _ = world.person("carl@example.com")
    async with api_client(world.env, token) as c:
        fails(await c.post(f"/teams/{world.team}/addUser", json={"data": {"user": carl}}), 403)
    ok(
        await client.put(
            f"/teams/{world.team}", json={"data": {"team_member_removal_access_level": "only_team_admins"}}
        )
    )
    ok(await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": bob}}))
    ok(await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": carl}}))
    async with api_client(world.env, token) as c:
        fails(await c.post(f"/teams/{world.team}/removeUser", json={"data": {"user": carl}}), 403)
        ok(
            await c.post(f"/teams/{world.team}/removeUser", json={"data": {"user": "me"}})
        )  # leaving is always allowed
    assert world.count("SELECT count(*) FROM team_members WHERE team_gid = :t", t=int(world.team)) == 2
