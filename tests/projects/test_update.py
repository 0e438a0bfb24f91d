"""PUT /projects/{gid}: partial changes, modified_at, owner, team moves, dates, bad input."""

from __future__ import annotations

import pytest

from tests.helpers import fails, ok
from tests.projects.helpers import make_project

pytestmark = pytest.mark.anyio


async def _put(client, project_gid, **fields):
    return await client.put(f"/projects/{project_gid}", json={"data": fields})


async def test_partial_update_keeps_the_rest(client, world):
    before = await make_project(client, world, color="dark-red", notes="n", due_on="2030-01-10")
    gid = before["gid"]
    after = ok(await _put(client, gid, name="Renamed"))
    assert after["name"] == "Renamed"
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"name", "modified_at"}
    assert after["modified_at"] > before["modified_at"] and after["created_at"] == before["created_at"]


async def test_read_only_fields_are_ignored(client, world):
    bob, _ = world.person("bob@example.com")
    before = await make_project(client, world)
    gid = before["gid"]
    after = ok(
        await _put(
            client,
            gid,
            gid="1",
            resource_type="task",
            created_at="2001-01-01T00:00:00.000Z",
            modified_at="2001-01-01T00:00:00.000Z",
            members=[bob],
            followers=bob,
            completed=True,
            permalink_url="http://evil",
            custom_field_settings=[{"gid": "1"}],
            workspace=world.workspace,
        )
    )
    assert after == before


async def test_same_values_do_not_move_modified_at(client, world):
    before = await make_project(client, world, color="dark-red")
    after = ok(await _put(client, before["gid"], name=before["name"], color="dark-red", archived=False))
    assert after["modified_at"] == before["modified_at"]


async def test_fields_change(client, world):
    gid = (await make_project(client, world))["gid"]
    data = ok(
        await _put(
            client,
            gid,
            archived=True,
            color="light-blue",
            icon="bug",
            default_view="timeline",
            html_notes="<body><em>Now</em> richer</body>",
            default_access_level="viewer",
            privacy_setting="private",
            minimum_access_level_for_customization="admin",
            minimum_access_level_for_sharing="admin",
        )
    )
    assert data["archived"] is True and data["color"] == "light-blue" and data["icon"] == "bug"
    assert data["default_view"] == "timeline" and data["notes"] == "Now richer"
    assert data["default_access_level"] == "viewer" and data["privacy_setting"] == "private"
    assert data["public"] is False
    assert data["minimum_access_level_for_customization"] == "admin"
    assert data["minimum_access_level_for_sharing"] == "admin"
    data = ok(
        await _put(client, gid, archived="false", color=None, icon=None, notes="plain & simple", public=True)
    )
    assert data["archived"] is False and data["color"] is None and data["icon"] is None
    assert data["notes"] == "plain & simple" and data["privacy_setting"] == "public_to_workspace"
    assert ok(await client.get(f"/projects/{gid}?opt_fields=html_notes"))["html_notes"] == (
        "<body>plain &amp; simple</body>"
    )
    assert ok(await _put(client, gid, color="none"))["color"] == "none"


async def test_owner_changes(client, world):
    bob, _ = world.person("bob@example.com")
    gid = (await make_project(client, world))["gid"]
    data = ok(await _put(client, gid, owner="bob@example.com"))
    assert data["owner"]["gid"] == bob
    assert {m["gid"] for m in data["members"]} == {world.user, bob}
    level = ok(await client.get(f"/projects/{gid}/project_memberships?user={bob}"))[0]["access_level"]
    assert level == "admin"
    assert ok(await _put(client, gid, owner=None))["owner"] is None
    assert ok(await _put(client, gid, owner="me"))["owner"]["gid"] == world.user


async def test_bad_owner_changes_nothing(client, world):
    second = world.other_workspace("Second", "owner@example.com")
    elsewhere, _ = world.person("elsewhere@example.com", [second["workspace"]])
    before = await make_project(client, world)
    for owner in ("ghost@example.com", "123", elsewhere, ""):
        fails(await _put(client, before["gid"], owner=owner), 400, "owner")
    assert ok(await client.get(f"/projects/{before['gid']}")) == before


async def test_dates(client, world):
    gid = (await make_project(client, world, due_on="2030-01-10"))["gid"]
    fails(await _put(client, gid, start_on="2030-01-01"), 400, "start_on")  # needs a due date alongside
    fails(await _put(client, gid, start_on=None), 400, "start_on")
    data = ok(await _put(client, gid, start_on="2030-01-01", due_on="2030-01-10"))
    assert data["start_on"] == "2030-01-01" and data["due_on"] == "2030-01-10"
    fails(await _put(client, gid, due_on="2029-12-31"), 400, "start_on")  # would end before it starts
    fails(await _put(client, gid, due_on="2030-01-01"), 400, "same date")
    fails(await _put(client, gid, due_on=None), 400, "due_on")  # a start date needs a due date
    moved = ok(await _put(client, gid, due_at="2030-02-01T10:00:00Z", start_on="2030-01-15"))
    assert moved["due_on"] == "2030-02-01" and moved["start_on"] == "2030-01-15"
    cleared = ok(await _put(client, gid, start_on=None, due_on=None))
    assert cleared["start_on"] is None and cleared["due_on"] is None and cleared["due_date"] is None


async def test_team_change_moves_the_associated_team(client, world):
    """PUT team changes the associated team (one of the same organization); null clears it."""
    other_team = ok(
        await client.post("/teams", json={"data": {"name": "Other", "organization": world.workspace}}), 201
    )
    gid = (await make_project(client, world))["gid"]
    r = await _put(client, gid, team=other_team["gid"])
    assert ok(r)["team"]["gid"] == other_team["gid"]
    assert "name=teamless_projects" in r.headers["asana-change"]
    assert [p["gid"] for p in ok(await client.get(f"/teams/{other_team['gid']}/projects"))] == [gid]
    assert ok(await client.get(f"/teams/{world.team}/projects")) == []
    assert ok(await _put(client, gid, team=None))["team"] is None


async def test_bad_team_changes_nothing(client, world):
    second = world.other_workspace("Second", "owner@example.com")
    stranger = world.other_workspace("Theirs", "x@example.com")
    plain = world.other_workspace("Plain", "owner@example.com", organization=False)
    before = await make_project(client, world)
    gid = before["gid"]
    fails(await _put(client, gid, team=second["team"]), 400, "team")  # another workspace's team
    fails(await _put(client, gid, team=stranger["team"]), 400, "team")  # invisible team
    fails(await _put(client, gid, team="999"), 400, "team")
    old = {"Asana-Disable": "teamless_projects"}  # before teamless projects, an organization's needed one
    fails(await client.put(f"/projects/{gid}", json={"data": {"team": None}}, headers=old), 400, "team")
    fails(await _put(client, gid, workspace=second["workspace"]), 400, "workspace")
    assert ok(await client.get(f"/projects/{gid}")) == before
    in_plain = ok(
        await client.post("/projects", json={"data": {"name": "P", "workspace": plain["workspace"]}}), 201
    )
    fails(await _put(client, in_plain["gid"], team=world.team), 400, "team")
    fails(await _put(client, in_plain["gid"], privacy_setting="private_to_team"), 400, "privacy_setting")
    assert ok(await _put(client, in_plain["gid"], team=None))["team"] is None


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"color": "purple"}, "color"),
        ({"privacy_setting": "members_only"}, "privacy_setting"),
        ({"default_access_level": "user"}, "default_access_level"),
        ({"archived": None}, "archived"),
        ({"archived": "sometimes"}, "archived"),
        ({"name": None}, "name"),
        ({"html_notes": "<body><h3>x</h3></body>"}, "h3"),
        ({"notes": "a", "html_notes": "<body>b</body>"}, "notes"),
        ({"custom_fields": {"1": "x"}}, "custom_fields"),
        ({"due_on": "01/02/2030"}, "due_on"),
    ],
)
async def test_bad_update_input_changes_nothing(client, world, fields, fragment):
    before = await make_project(client, world)
    fails(await client.put(f"/projects/{before['gid']}", json={"data": fields}), 400, fragment)
    assert ok(await client.get(f"/projects/{before['gid']}")) == before


async def test_update_honours_opt_fields_and_unknown_is_404(client, world):
    gid = (await make_project(client, world))["gid"]
    data = ok(
        await client.put(f"/projects/{gid}?opt_fields=name,archived", json={"data": {"archived": True}})
    )
    assert data == {"gid": gid, "name": "Roadmap", "archived": True}
    fails(await client.put("/projects/123", json={"data": {"name": "x"}}), 404)
    fails(await client.put("/projects/abc", json={"data": {"name": "x"}}), 404)
