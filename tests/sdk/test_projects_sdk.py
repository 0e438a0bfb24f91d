"""Projects and project memberships through the official asana SDK against a live server."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import asana
import pytest
from asana.rest import ApiException


def _tag() -> str:
    return uuid.uuid4().hex[:8]


def _person(live, client):
    """A new member of the live organization."""
    return asana.WorkspacesApi(client).add_user_for_workspace(
        {"data": {"user": f"p-{_tag()}@example.com"}}, live.workspace, {}
    )


def test_project_lifecycle(live):
    client = live.client()
    projects = asana.ProjectsApi(client)
    team = asana.TeamsApi(client).create_team(
        {"data": {"name": f"SDK {_tag()}", "organization": live.workspace}}, {}
    )
    created = projects.create_project(
        {"data": {"name": "SDK project", "workspace": live.workspace, "team": team["gid"], "notes": "a < b"}},
        {"opt_fields": "name,notes,html_notes,team.name,owner,members.email"},
    )
    gid = created["gid"]
    assert created == {
        "gid": gid,
        "name": "SDK project",
        "notes": "a < b",
        "html_notes": "<body>a &lt; b</body>",
        "team": {"gid": team["gid"], "name": team["name"]},
        "owner": {"gid": live.user, "resource_type": "user"},
        "members": [{"gid": live.user, "email": "owner@example.com"}],
    }
    full = projects.get_project(gid, {})
    assert full["resource_type"] == "project" and full["workspace"]["gid"] == live.workspace
    assert full["privacy_setting"] == "public_to_workspace" and full["custom_fields"] == []
    assert "html_notes" not in full and full["permalink_url"].startswith(live.base)

    updated = projects.update_project(
        {"data": {"name": "Renamed", "archived": True, "due_on": "2031-01-31", "start_on": "2031-01-01"}},
        gid,
        {"opt_fields": "name,archived,due_on,start_on,modified_at"},
    )
    assert updated["name"] == "Renamed" and updated["archived"] is True
    assert updated["due_on"] == "2031-01-31" and updated["start_on"] == "2031-01-01"
    assert updated["modified_at"] > full["modified_at"]

    for_team = projects.create_project_for_team({"data": {"name": "Via team"}}, team["gid"], {})
    for_ws = projects.create_project_for_workspace(
        {"data": {"name": "Via workspace", "team": team["gid"]}}, live.workspace, {"opt_fields": "team"}
    )
    assert for_team["team"]["gid"] == team["gid"] and for_ws["team"]["gid"] == team["gid"]
    mine = {gid, for_team["gid"], for_ws["gid"]}
    in_team = {p["gid"] for p in projects.get_projects_for_team(team["gid"], {})}
    assert in_team == mine
    assert {p["gid"] for p in projects.get_projects_for_team(team["gid"], {"archived": False})} == mine - {
        gid
    }
    assert [p["gid"] for p in projects.get_projects({"team": team["gid"], "archived": True})] == [gid]
    listed = {p["gid"] for p in projects.get_projects({"workspace": live.workspace, "limit": 2})}
    assert mine <= listed
    unarchived = {p["gid"] for p in projects.get_projects_for_workspace(live.workspace, {"archived": False})}
    assert {for_team["gid"], for_ws["gid"]} <= unarchived and gid not in unarchived

    assert projects.delete_project(gid) == {}
    with pytest.raises(ApiException) as info:
        projects.get_project(gid, {})
    assert info.value.status == 404
    assert gid not in {p["gid"] for p in projects.get_projects_for_team(team["gid"], {})}


def test_members_followers_and_memberships(live):
    client = live.client()
    projects = asana.ProjectsApi(client)
    memberships = asana.ProjectMembershipsApi(client)
    bob, carl = _person(live, client), _person(live, client)
    project = projects.create_project(
        {"data": {"name": "Team work", "team": live.team, "default_access_level": "commenter"}}, {}
    )
    gid = project["gid"]
    after = projects.add_members_for_project(
        {"data": {"members": f"{bob['gid']},{carl['email']}"}}, gid, {"opt_fields": "members,followers"}
    )
    assert {m["gid"] for m in after["members"]} == {live.user, bob["gid"], carl["gid"]}
    assert after["followers"] == []
    after = projects.add_followers_for_project(
        {"data": {"followers": [bob["gid"]]}}, gid, {"opt_fields": "followers"}
    )
    assert [f["gid"] for f in after["followers"]] == [bob["gid"]]
    after = projects.remove_followers_for_project(
        {"data": {"followers": bob["gid"]}}, gid, {"opt_fields": "members,followers"}
    )
    assert after["followers"] == [] and bob["gid"] in {m["gid"] for m in after["members"]}
    after = projects.remove_members_for_project({"data": {"members": carl["gid"]}}, gid, {})
    assert {m["gid"] for m in after["members"]} == {live.user, bob["gid"]}

    items = list(memberships.get_project_memberships_for_project(gid, {"limit": 1}))
    assert {m["member"]["gid"]: m["access_level"] for m in items} == {
        live.user: "admin",
        bob["gid"]: "commenter",
    }
    assert all(m["resource_type"] == "project_membership" for m in items)
    bobs = list(memberships.get_project_memberships_for_project(gid, {"user": bob["email"]}))
    assert len(bobs) == 1
    one = memberships.get_project_membership(bobs[0]["gid"], {})
    assert one["user"]["gid"] == bob["gid"] and one["write_access"] == "comment_only"
    assert "project" not in one and "parent" not in one
    opted = memberships.get_project_membership(bobs[0]["gid"], {"opt_fields": "project.name,access_level"})
    assert opted == {
        "gid": bobs[0]["gid"],
        "project": {"gid": gid, "name": "Team work"},
        "access_level": "commenter",
    }


def test_250_projects_walk_every_page_once(live):
    plain = live.cli(
        "workspace", "create", f"Bulk {_tag()}", "--owner", "owner@example.com", "--no-organization"
    )
    workspace = plain["workspace"]
    client = live.client()
    projects = asana.ProjectsApi(client)

    def create(i: int) -> str:
        made = projects.create_project(
            {"data": {"name": f"Bulk {i:03d}", "workspace": workspace}}, {"opt_fields": "name"}
        )
        return str(made["gid"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        created = list(pool.map(create, range(250)))
    assert len(set(created)) == 250
    opts = {"limit": 100}
    walked = [p["gid"] for p in projects.get_projects_for_workspace(workspace, opts)]
    assert len(walked) == 250 and set(walked) == set(created)
    assert sorted(walked, key=int) == walked
    names = {p["name"] for p in projects.get_projects({"workspace": workspace, "limit": 100})}
    assert names == {f"Bulk {i:03d}" for i in range(250)}


def test_bad_input_reaches_the_sdk_as_400(live):
    projects = asana.ProjectsApi(live.client())
    target = projects.create_project({"data": {"name": "Target", "team": live.team}}, {})["gid"]
    before = {p["gid"] for p in projects.get_projects({"workspace": live.workspace})}
    for body in (
        {"name": "x", "team": live.team, "color": "purple"},
        {"name": "x", "workspace": live.workspace, "team": "123"},  # no such team
        {"name": "x", "team": live.team, "start_on": "2031-01-01"},
        {"name": "x", "team": live.team, "privacy_setting": "members_only"},
    ):
        with pytest.raises(ApiException) as info:
            projects.create_project({"data": body}, {})
        assert info.value.status == 400
        assert json.loads(info.value.body)["errors"][0]["message"]
    assert {p["gid"] for p in projects.get_projects({"workspace": live.workspace})} == before
    with pytest.raises(ApiException) as info:
        projects.add_members_for_project({"data": {"members": f"me,ghost-{_tag()}@example.com"}}, target, {})
    assert info.value.status == 400
    assert [m["gid"] for m in projects.get_project(target, {"opt_fields": "members"})["members"]] == [
        live.user
    ]
