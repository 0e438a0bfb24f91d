"""Project create, read and delete: full record, defaults, rich notes, teams, dates, bad input."""

from __future__ import annotations

import re

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.projects.helpers import FULL, make_project

pytestmark = pytest.mark.anyio

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
NOTHING = "SELECT count(*) FROM projects"
NO_MEMBERS = "SELECT count(*) FROM project_members"


async def test_create_returns_the_full_record(client, world):
    r = await client.post(
        "/projects",
        json={
            "data": {
                "name": "Launch",
                "workspace": world.workspace,
                "team": world.team,
                "notes": "a < b & c",
                "color": "dark-teal",
                "icon": "rocket",
                "default_view": "board",
                "due_on": "2030-05-02",
                "start_on": "2030-05-01",
                "default_access_level": "commenter",
                "minimum_access_level_for_sharing": "admin",
                "members": "ignored@example.com",
                "gid": "1",
                "created_at": "2001-01-01T00:00:00.000Z",
                "completed": True,
            }
        },
    )
    data = ok(r, 201)
    gid = data["gid"]
    assert r.headers["location"] == f"http://testserver/api/1.0/projects/{gid}"
    assert "name=teamless_projects" in r.headers["asana-change"]
    assert r.headers["asana-change"].endswith("affected=true")
    assert set(data) == FULL
    assert gid.isdigit() and data["resource_type"] == "project"
    assert data["name"] == "Launch" and data["notes"] == "a < b & c"
    assert data["color"] == "dark-teal" and data["icon"] == "rocket" and data["default_view"] == "board"
    assert data["due_on"] == data["due_date"] == "2030-05-02" and data["start_on"] == "2030-05-01"
    assert data["default_access_level"] == "commenter"
    assert data["minimum_access_level_for_sharing"] == "admin"
    assert data["minimum_access_level_for_customization"] == "editor"
    assert data["archived"] is False and data["completed"] is False
    assert data["completed_at"] is None and data["completed_by"] is None
    assert data["privacy_setting"] == "public_to_workspace" and data["public"] is True
    assert data["custom_field_settings"] == [] and data["custom_fields"] == []
    assert data["current_status"] is None and data["current_status_update"] is None
    owner = {"gid": world.user, "resource_type": "user", "name": "owner"}
    assert data["owner"] == owner
    assert data["members"] == [owner] and data["followers"] == []
    assert data["team"] == {"gid": world.team, "resource_type": "team", "name": "Acme Team"}
    assert data["workspace"] == {"gid": world.workspace, "resource_type": "workspace", "name": "Acme"}
    assert ISO_MS.match(data["created_at"]) and data["modified_at"] == data["created_at"]
    assert data["created_at"] != "2001-01-01T00:00:00.000Z"
    assert data["permalink_url"] == f"http://testserver/0/{gid}/list"
    assert (
        world.count(
            "SELECT count(*) FROM project_members WHERE project_gid = :p AND user_gid = :u AND access_level = 'admin'",
            p=int(gid),
            u=int(world.user),
        )
        == 1
    )
    assert ok(await client.get(f"/projects/{gid}")) == data


async def test_opt_in_fields_only_when_named(client, world):
    gid = (await make_project(client, world, html_notes="<body><strong>Big</strong> plan</body>"))["gid"]
    plain = ok(await client.get(f"/projects/{gid}"))
    assert not {"html_notes", "project_brief", "created_from_template"} & set(plain)
    asked = ok(
        await client.get(f"/projects/{gid}?opt_fields=html_notes,notes,project_brief,created_from_template")
    )
    assert asked == {
        "gid": gid,
        "html_notes": "<body><strong>Big</strong> plan</body>",
        "notes": "Big plan",
        "project_brief": None,
        "created_from_template": None,
    }
    nested = ok(await client.get(f"/projects/{gid}?opt_fields=owner.email,team,workspace.name"))
    assert nested == {
        "gid": gid,
        "owner": {"gid": world.user, "email": "owner@example.com"},
        "team": {"gid": world.team, "resource_type": "team"},
        "workspace": {"gid": world.workspace, "name": "Acme"},
    }


async def test_defaults(client, world):
    data = await make_project(client, world)
    assert data["name"] == "Roadmap" and data["notes"] == ""
    assert data["archived"] is False and data["color"] is None and data["icon"] is None
    assert data["default_view"] == "list" and data["privacy_setting"] == "public_to_workspace"
    assert data["default_access_level"] == "editor"
    assert data["minimum_access_level_for_customization"] == "editor"
    assert data["minimum_access_level_for_sharing"] == "editor"
    assert data["due_on"] is None and data["start_on"] is None
    html = ok(await client.get(f"/projects/{data['gid']}?opt_fields=html_notes"))["html_notes"]
    assert html == "<body></body>"


async def test_plain_notes_are_stored_escaped(client, world):
    gid = (await make_project(client, world, notes="x < y\nz & w"))["gid"]
    got = ok(await client.get(f"/projects/{gid}?opt_fields=notes,html_notes"))
    assert got["html_notes"] == "<body>x &lt; y\nz &amp; w</body>" and got["notes"] == "x < y\nz & w"


async def test_rich_notes_validation(client, world):
    body = {"name": "x", "workspace": world.workspace, "team": world.team}
    for html, fragment in [
        ("<body><p>bold</p></body>", "<p>"),
        ("<body>unclosed", "html_notes"),
        ("<p>no body</p>", "html_notes"),
        ("<body><a onclick='x'>l</a></body>", "onclick"),
    ]:
        fails(await client.post("/projects", json={"data": {**body, "html_notes": html}}), 400, fragment)
    fails(
        await client.post("/projects", json={"data": {**body, "notes": "a", "html_notes": "<body>b</body>"}}),
        400,
        "notes",
    )
    assert world.count(NOTHING) == 0


async def test_privacy_private_to_team_announces_the_change(client, world):
    r = await client.post(
        f"/teams/{world.team}/projects",
        json={"data": {"name": "T", "privacy_setting": "private_to_team"}},
        params={"opt_fields": "privacy_setting,public"},
    )
    data = ok(r, 201)
    assert data["privacy_setting"] == "private_to_team" and data["public"] is False
    assert "name=project_team_sharing" in r.headers["asana-change"]
    assert "teamless_projects" not in r.headers["asana-change"]  # team neither given nor read


async def test_deprecated_public_maps_to_privacy_setting(client, world):
    assert (await make_project(client, world, public=False))["privacy_setting"] == "private"
    assert (await make_project(client, world, public=True))["privacy_setting"] == "public_to_workspace"
    fails(
        await client.post(
            "/projects",
            json={
                "data": {
                    "name": "x",
                    "workspace": world.workspace,
                    "team": world.team,
                    "public": False,
                    "privacy_setting": "public_to_workspace",
                }
            },
        ),
        400,
        "public",
    )
    assert world.count(NOTHING) == 2


async def test_create_for_team_and_for_workspace(client, world):
    r = await client.post(f"/teams/{world.team}/projects", json={"data": {"name": "By team"}})
    data = ok(r, 201)
    assert data["team"]["gid"] == world.team and data["workspace"]["gid"] == world.workspace
    assert "name=teamless_projects" in r.headers["asana-change"]  # the answer reads project.team
    assert r.headers["location"].endswith(f"/api/1.0/projects/{data['gid']}")
    r = await client.post(
        f"/teams/{world.team}/projects", json={"data": {"name": "Quiet"}}, params={"opt_fields": "name"}
    )
    assert ok(r, 201)["name"] == "Quiet" and "asana-change" not in r.headers
    r = await client.post(
        f"/workspaces/{world.workspace}/projects", json={"data": {"name": "By ws", "team": world.team}}
    )
    assert ok(r, 201)["team"]["gid"] == world.team and "teamless_projects" in r.headers["asana-change"]
    fails(await client.post("/teams/123/projects", json={"data": {"name": "x"}}), 404)
    fails(
        await client.post("/workspaces/123/projects", json={"data": {"name": "x", "team": world.team}}), 404
    )
    second = world.other_workspace("Second", "owner@example.com")
    fails(
        await client.post(
            f"/teams/{world.team}/projects", json={"data": {"name": "x", "team": second["team"]}}
        ),
        400,
        "team",
    )
    fails(
        await client.post(
            f"/teams/{world.team}/projects", json={"data": {"name": "x", "workspace": second["workspace"]}}
        ),
        400,
        "workspace",
    )
    fails(
        await client.post(
            f"/workspaces/{world.workspace}/projects",
            json={"data": {"name": "x", "team": world.team, "workspace": second["workspace"]}},
        ),
        400,
        "workspace",
    )
    assert world.count(NOTHING) == 3


async def test_team_only_body_uses_the_teams_organization(client, world):
    data = ok(await client.post("/projects", json={"data": {"name": "T", "team": world.team}}), 201)
    assert data["workspace"]["gid"] == world.workspace


async def test_plain_workspace_takes_no_team(client, world):
    plain = world.other_workspace("Plain", "owner@example.com", organization=False)
    r = await client.post("/projects", json={"data": {"name": "P", "workspace": plain["workspace"]}})
    data = ok(r, 201)
    assert data["team"] is None and data["workspace"]["gid"] == plain["workspace"]
    assert r.headers["asana-change"].startswith("name=teamless_projects;")  # reading project.team
    r = await client.post(
        "/projects",
        json={"data": {"name": "P", "workspace": plain["workspace"]}},
        headers={"Asana-Disable": "teamless_projects"},
    )
    assert ok(r, 201)["team"] is None and "asana-change" not in r.headers  # opted out: not told
    fails(
        await client.post(
            "/projects", json={"data": {"name": "P", "workspace": plain["workspace"], "team": world.team}}
        ),
        400,
        "team",
    )
    fails(
        await client.post(
            f"/workspaces/{plain['workspace']}/projects",
            json={"data": {"name": "P", "privacy_setting": "private_to_team"}},
        ),
        400,
        "privacy_setting",
    )
    assert world.count(NOTHING) == 2


async def test_organization_needs_a_team_only_with_the_old_behaviour(client, world):
    """Teamless projects: `team` is optional and reads null unless given; `Asana-Disable:
    teamless_projects` brings back "an organization's project needs a team"."""
    old = {"Asana-Disable": "teamless_projects"}
    body = {"data": {"name": "x", "workspace": world.workspace}}
    fails(await client.post("/projects", json=body, headers=old), 400, "team: Missing input")
    fails(await client.post("/projects", json={"data": {"name": "x"}}), 400, "workspace: Missing input")
    assert world.count(NOTHING) == 0
    r = await client.post("/projects", json=body)
    assert ok(r, 201)["team"] is None
    assert r.headers["asana-change"] == (
        "name=teamless_projects;info=https://forum.asana.com/t/change-teamless-projects/929205;affected=true"
    )
    assert world.count(NOTHING) == 1


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"color": "purple"}, "color"),
        ({"color": 7}, "color"),
        ({"icon": "cat"}, "icon"),
        ({"default_view": "gantt"}, "default_view"),
        ({"privacy_setting": "members_only"}, "privacy_setting"),
        ({"privacy_setting": "public_to_domain"}, "privacy_setting"),
        ({"default_access_level": "user"}, "default_access_level"),
        ({"minimum_access_level_for_sharing": "commenter"}, "minimum_access_level_for_sharing"),
        ({"minimum_access_level_for_customization": "viewer"}, "minimum_access_level_for_customization"),
        ({"start_on": "2030-01-01"}, "start_on"),
        ({"start_on": "2030-01-01", "due_on": "2030-01-01"}, "same date"),
        ({"start_on": "2030-01-02", "due_on": "2030-01-01"}, "start_on"),
        ({"start_on": "2030-01-01", "due_on": None}, "due_on"),
        ({"due_on": "2030-13-01"}, "due_on"),
        ({"due_on": "tomorrow"}, "due_on"),
        ({"due_on": "2030-01-01", "due_date": "2030-01-02"}, "due_date"),
        ({"due_at": "not a time"}, "due_at"),
        ({"followers": "ghost@example.com"}, "followers"),
        ({"followers": "me,ghost@example.com"}, "followers"),
        ({"followers": 42}, "followers"),
        ({"followers": [{"gid": "1"}]}, "followers"),
        ({"owner": "ghost@example.com"}, "owner"),
        ({"owner": "12345"}, "owner"),
        ({"custom_fields": {"123": "x"}}, "custom_fields"),
        ({"custom_fields": "x"}, "custom_fields"),
        ({"name": 5}, "name"),
        ({"name": None}, "name"),
        ({"archived": "maybe"}, "archived"),
        ({"privacy_setting": None}, "privacy_setting"),
        ({"workspace": "999"}, "workspace"),
        ({"workspace": "not-a-gid"}, "workspace"),
        ({"team": "999"}, "team"),
    ],
)
async def test_bad_create_input_changes_nothing(client, world, extra, fragment):
    body = {"name": "x", "workspace": world.workspace, "team": world.team, **extra}
    fails(await client.post("/projects", json={"data": body}), 400, fragment)
    assert world.count(NOTHING) == 0 and world.count(NO_MEMBERS) == 0


async def test_other_workspaces_and_their_people_are_rejected(client, world):
    stranger = world.other_workspace("Theirs", "x@example.com")
    second = world.other_workspace("Second", "owner@example.com")
    elsewhere, _ = world.person("elsewhere@example.com", [second["workspace"]])
    cases = [
        ({"workspace": stranger["workspace"], "team": stranger["team"]}, "workspace"),
        ({"team": stranger["team"]}, "team"),
        ({"team": second["team"]}, "team"),  # a team of another workspace than the project's
        ({"followers": [elsewhere]}, "followers"),  # visible, but not in the project's workspace
        ({"owner": elsewhere}, "owner"),
        ({"owner": stranger["user"]}, "owner"),
    ]
    for extra, fragment in cases:
        body = {"name": "x", "workspace": world.workspace, "team": world.team, **extra}
        fails(await client.post("/projects", json={"data": body}), 400, fragment)
    fails(
        await client.post("/projects", content=b"{not json", headers={"content-type": "application/json"}),
        400,
    )
    assert world.count(NOTHING) == 0 and world.count(NO_MEMBERS) == 0


async def test_followers_and_owner_on_create(client, world):
    bob, _ = world.person("bob@example.com")
    carl, _ = world.person("carl@example.com")
    data = await make_project(
        client, world, followers=f"bob@example.com, {carl},me", default_access_level="viewer"
    )
    assert {u["gid"] for u in data["followers"]} == {world.user, bob, carl}
    assert {u["gid"] for u in data["members"]} == {world.user, bob, carl}
    levels = {
        m["member"]["gid"]: m["access_level"]
        for m in ok(await client.get(f"/projects/{data['gid']}/project_memberships"))
    }
    assert levels == {world.user: "admin", bob: "viewer", carl: "viewer"}
    as_array = await make_project(client, world, followers=[bob])
    assert [u["gid"] for u in as_array["followers"]] == [bob]
    owned = await make_project(client, world, owner="carl@example.com")
    assert owned["owner"]["gid"] == carl
    assert {u["gid"] for u in owned["members"]} == {world.user, carl}
    assert owned["followers"] == []
    r = await client.post("/projects", json={"data": {"name": "x", "team": world.team, "owner": None}})
    assert ok(r, 201)["owner"] is None


async def test_form_encoded_create(client, world):
    bob, _ = world.person("bob@example.com")
    r = await client.post(
        "/projects",
        data={
            "name": "Form",
            "workspace": world.workspace,
            "team": world.team,
            "archived": "True",
            "followers": bob,
        },
    )
    data = ok(r, 201)
    assert data["name"] == "Form" and data["archived"] is True
    assert [u["gid"] for u in data["followers"]] == [bob]


async def test_dates(client, world):
    via_alias = await make_project(client, world, due_date="2030-02-01", start_on="2030-01-01")
    assert via_alias["due_on"] == "2030-02-01" and via_alias["start_on"] == "2030-01-01"
    via_at = await make_project(client, world, due_at="2030-03-04T23:30:00-02:00", start_on="2030-03-01")
    assert via_at["due_on"] == "2030-03-05"
    same = await make_project(client, world, due_on="2030-02-01", due_date="2030-02-01")
    assert same["due_on"] == "2030-02-01" and same["start_on"] is None


async def test_get_unknown_or_invisible_is_404(client, world):
    stranger = world.other_workspace("Theirs", "x@example.com")
    _, token = world.person("x2@example.com", [stranger["workspace"]])
    async with api_client(world.env, token) as theirs:
        other = ok(
            await theirs.post(
                "/projects",
                json={
                    "data": {"name": "Theirs", "workspace": stranger["workspace"], "team": stranger["team"]}
                },
            ),
            201,
        )
    for gid in ("123", "abc", "0", "9" * 30, other["gid"]):
        fails(await client.get(f"/projects/{gid}"), 404)


async def test_delete_removes_it_everywhere(client, world):
    bob, _ = world.person("bob@example.com")
    keep = await make_project(client, world, name="Keep")
    doomed = await make_project(client, world, name="Doomed", followers=bob)
    gid = doomed["gid"]
    membership = ok(await client.get(f"/projects/{gid}/project_memberships"))[0]["gid"]
    r = await client.request(
        "DELETE", f"/projects/{gid}", content=b"{}", headers={"content-type": "application/json"}
    )
    assert r.status_code == 200 and r.json() == {"data": {}}
    fails(await client.get(f"/projects/{gid}"), 404)
    fails(await client.put(f"/projects/{gid}", json={"data": {"name": "x"}}), 404)
    fails(await client.delete(f"/projects/{gid}"), 404)
    fails(await client.post(f"/projects/{gid}/addMembers", json={"data": {"members": "me"}}), 404)
    fails(await client.get(f"/projects/{gid}/project_memberships"), 404)
    fails(await client.get(f"/project_memberships/{membership}"), 404)
    for path in ("/projects", f"/workspaces/{world.workspace}/projects", f"/teams/{world.team}/projects"):
        assert [p["gid"] for p in ok(await client.get(path))] == [keep["gid"]]
    assert world.count("SELECT count(*) FROM project_members WHERE project_gid = :p", p=int(gid)) == 0
    assert world.count("SELECT count(*) FROM project_members WHERE project_gid = :p", p=int(keep["gid"])) == 1
    assert world.count(NOTHING) == 1


async def test_mentions_in_project_notes_link_to_this_server(client, world):
    other = await make_project(client, world, name="Other")
    html = f'<body>See <a data-asana-gid="{other["gid"]}"></a></body>'
    project = await make_project(client, world, html_notes=html)
    data = ok(await client.get(f"/projects/{project['gid']}?opt_fields=html_notes,notes"))
    assert f'href="http://testserver/0/{other["gid"]}/list"' in data["html_notes"]
    assert data["notes"].startswith("See ")
