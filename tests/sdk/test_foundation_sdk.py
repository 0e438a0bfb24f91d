"""Users, workspaces and teams through the official asana SDK against a live server."""

from __future__ import annotations

import time
import uuid

import asana
import pytest
from asana.rest import ApiException


def test_users_me_and_workspaces(live):
    client = live.client()
    me = asana.UsersApi(client).get_user("me", {})
    assert me["gid"] == live.user
    assert me["email"] == "owner@example.com"
    assert [w["gid"] for w in me["workspaces"]] == [live.workspace]
    spaces = list(asana.WorkspacesApi(client).get_workspaces({}))
    assert [w["gid"] for w in spaces] == [live.workspace]
    ws = asana.WorkspacesApi(client).get_workspace(live.workspace, {"opt_fields": "name,is_organization"})
    assert ws == {"gid": live.workspace, "name": "My Workspace", "is_organization": True}


def test_add_users_and_walk_pages_with_the_sdk_iterator(live):
    client = live.client()
    workspaces = asana.WorkspacesApi(client)
    tag = uuid.uuid4().hex[:8]
    added = {
        workspaces.add_user_for_workspace({"data": {"user": f"p{i}-{tag}@example.com"}}, live.workspace, {})[
            "gid"
        ]
        for i in range(7)
    }
    users = asana.UsersApi(client)
    seen = [u["gid"] for u in users.get_users({"workspace": live.workspace, "limit": 2})]
    assert len(seen) == len(set(seen))
    assert added <= set(seen)
    alphabetical = list(users.get_users_for_workspace(live.workspace, {"limit": 3, "opt_fields": "name"}))
    names = [u["name"] for u in alphabetical]
    assert names == sorted(names)
    assert added <= {u["gid"] for u in alphabetical}


def test_teams_create_update_members(live):
    client = live.client()
    teams = asana.TeamsApi(client)
    team = teams.create_team({"data": {"name": "SDK team", "organization": live.workspace}}, {})
    assert team["organization"]["gid"] == live.workspace
    updated = teams.update_team(
        {"data": {"name": "SDK team 2"}}, team["gid"], {"opt_fields": "name,description"}
    )
    assert updated == {"gid": team["gid"], "name": "SDK team 2", "description": ""}
    newcomer = asana.WorkspacesApi(client).add_user_for_workspace(
        {"data": {"user": f"t-{uuid.uuid4().hex[:8]}@example.com"}}, live.workspace, {}
    )
    membership = teams.add_user_for_team({"data": {"user": newcomer["email"]}}, team["gid"], {})
    assert membership["user"]["gid"] == newcomer["gid"]
    assert membership["team"]["gid"] == team["gid"]
    members = {u["gid"] for u in asana.UsersApi(client).get_users_for_team(team["gid"], {})}
    assert members == {live.user, newcomer["gid"]}
    listed = {t["gid"] for t in teams.get_teams_for_user(newcomer["gid"], live.workspace, {})}
    assert listed == {team["gid"]}
    assert teams.remove_user_for_team({"data": {"user": newcomer["gid"]}}, team["gid"]) == {}
    assert team["gid"] not in {
        t["gid"] for t in teams.get_teams_for_user(newcomer["gid"], live.workspace, {})
    }
    all_teams = {t["gid"] for t in teams.get_teams_for_workspace(live.workspace, {})}
    assert {team["gid"], live.team} <= all_teams


def test_errors_reach_the_sdk_as_api_exceptions(live):
    client = live.client()
    with pytest.raises(ApiException) as info:
        asana.UsersApi(client).get_user("999999999", {})
    assert info.value.status == 404
    assert b'"errors"' in info.value.body
    bad = live.client(token="not-a-token")
    with pytest.raises(ApiException) as info:
        asana.UsersApi(bad).get_user("me", {})
    assert info.value.status == 401


def test_cli_token_and_plain_workspace(live):
    other = live.cli("workspace", "create", "Plain", "--owner", "plain@example.com", "--no-organization")
    assert other["team"] is None
    token = live.cli("token", "create", "--email", "plain@example.com")["token"]
    client = live.client(token=token)
    me = asana.UsersApi(client).get_user("me", {"opt_fields": "workspaces.is_organization"})
    assert me["workspaces"] == [{"gid": other["workspace"], "is_organization": False}]


def test_get_team_update_workspace_and_remove_user(live):
    client = live.client()
    team = asana.TeamsApi(client).get_team(live.team, {"opt_fields": "name,organization.name,description"})
    assert team["organization"]["gid"] == live.workspace
    assert team["description"] == ""
    workspaces = asana.WorkspacesApi(client)
    renamed = workspaces.update_workspace({"data": {"name": "Renamed by SDK"}}, live.workspace, {})
    assert renamed["name"] == "Renamed by SDK"
    workspaces.update_workspace({"data": {"name": "My Workspace"}}, live.workspace, {})
    person = workspaces.add_user_for_workspace(
        {"data": {"user": f"gone-{uuid.uuid4().hex[:6]}@example.com"}}, live.workspace, {}
    )
    assert workspaces.remove_user_for_workspace({"data": {"user": person["gid"]}}, live.workspace) == {}
    with pytest.raises(ApiException) as info:
        asana.UsersApi(client).get_user(person["gid"], {})
    assert info.value.status == 404


def test_update_user_and_user_for_workspace(live):
    users = asana.UsersApi(live.client())
    me = users.get_user_for_workspace(live.workspace, "me", {"opt_fields": "name,email"})
    assert me["email"] == "owner@example.com"
    renamed = users.update_user({"data": {"name": me["name"] + " SDK"}}, "me", {"opt_fields": "name"})
    assert renamed == {"gid": live.user, "name": me["name"] + " SDK"}
    back = users.update_user_for_workspace({"data": {"name": me["name"]}}, live.workspace, "me", {})
    assert back["name"] == me["name"]
    with pytest.raises(ApiException) as refused:
        users.update_user({"data": {"custom_fields": {"1": "x"}}}, "me", {})
    assert refused.value.status == 400


def test_my_tasks_with_the_sdk(live):
    client = live.client()
    tasks = asana.TasksApi(client)
    made = []
    for i in range(3):
        # Newest first is by assignment time, in ms; ties go by gid, which vinyasa scrambles (a
        # documented deviation): each assignment gets a millisecond of its own.
        time.sleep(0.002)
        body = {"data": {"name": f"mine {i}", "workspace": live.workspace, "assignee": "me"}}
        made.append(tasks.create_task(body, {})["gid"])
    lists = asana.UserTaskListsApi(client)
    mine = lists.get_user_task_list_for_user("me", live.workspace, {"opt_fields": "owner,workspace"})
    assert mine["owner"]["gid"] == live.user and mine["workspace"]["gid"] == live.workspace
    assert lists.get_user_task_list(mine["gid"], {"opt_fields": "name"})["name"].startswith("My tasks in ")
    walked = [t["gid"] for t in tasks.get_tasks_for_user_task_list(mine["gid"], {"limit": 2})]
    assert walked[:3] == made[::-1]  # most recently assigned first
