"""Task and project search, dependencies and task followers through the official asana SDK."""

from __future__ import annotations

import uuid

import asana
import pytest
from asana.rest import ApiException


def test_search_tasks_and_projects(live):
    client = live.client()
    tasks, projects = asana.TasksApi(client), asana.ProjectsApi(client)
    word = f"zq{uuid.uuid4().hex[:8]}"
    project = projects.create_project(
        {"data": {"name": f"Search {word}", "workspace": live.workspace, "team": live.team}}, {}
    )["gid"]
    made = [
        tasks.create_task(
            {"data": {"name": f"{word} {i}", "projects": [project], "due_on": f"2031-01-0{i}"}}, {}
        )
        for i in (3, 1, 2)
    ]
    tasks.update_task({"data": {"completed": True}}, made[2]["gid"], {})
    found = tasks.search_tasks_for_workspace(
        live.workspace,
        {
            "projects.any": project,
            "completed": False,
            "sort_by": "due_date",
            "sort_ascending": True,
            "opt_fields": "name",
        },
    )
    assert [t["name"] for t in found] == [f"{word} 1", f"{word} 3"]
    by_text = tasks.search_tasks_for_workspace(live.workspace, {"text": word, "limit": 2})
    assert len(list(by_text)) == 2
    field = asana.CustomFieldsApi(client).create_custom_field(
        {"data": {"workspace": live.workspace, "name": f"Pts {word}", "resource_subtype": "number"}}, {}
    )["gid"]
    projects.add_custom_field_setting_for_project({"data": {"custom_field": field}}, project, {})
    tasks.update_task({"data": {"custom_fields": {field: 7}}}, made[0]["gid"], {})
    hit = tasks.search_tasks_for_workspace(live.workspace, {f"custom_fields.{field}.greater_than": 5})
    assert [t["gid"] for t in hit] == [made[0]["gid"]]
    # The SDK turns custom_fields_<gid>_<op> keywords into custom_fields.<gid>.<op>.
    hit = tasks.search_tasks_for_workspace(live.workspace, {}, **{f"custom_fields_{field}_less_than": 8})
    assert [t["gid"] for t in hit] == [made[0]["gid"]]
    named = projects.search_projects_for_workspace(live.workspace, {"text": word, "opt_fields": "name"})
    assert [p["name"] for p in named] == [f"Search {word}"]
    with pytest.raises(ApiException) as err:
        list(tasks.search_tasks_for_workspace(live.workspace, {"sort_by": "name"}))
    assert err.value.status == 400


def test_dependencies_and_followers(live):
    client = live.client()
    tasks = asana.TasksApi(client)
    a, b, c = (
        tasks.create_task({"data": {"name": n, "workspace": live.workspace}}, {})["gid"]
        for n in ("A", "B", "C")
    )
    assert tasks.add_dependencies_for_task({"data": {"dependencies": [b]}}, a) == {}
    assert tasks.add_dependents_for_task({"data": {"dependents": [c]}}, a) == {}
    assert [t["gid"] for t in tasks.get_dependencies_for_task(a, {})] == [b]
    assert [t["gid"] for t in tasks.get_dependents_for_task(a, {})] == [c]
    with pytest.raises(ApiException) as err:
        tasks.add_dependencies_for_task({"data": {"dependencies": [c]}}, b)  # c -> a -> b -> c
    assert err.value.status == 400
    record = tasks.get_task(a, {"opt_fields": "dependencies,dependents"})
    assert [t["gid"] for t in record["dependencies"]] == [b]
    blocked = tasks.search_tasks_for_workspace(live.workspace, {"is_blocked": True, "opt_fields": "name"})
    assert {a, c} <= {t["gid"] for t in blocked}
    assert tasks.remove_dependencies_for_task({"data": {"dependencies": [b]}}, a) == {}
    assert tasks.remove_dependents_for_task({"data": {"dependents": [c]}}, a) == {}
    assert list(tasks.get_dependencies_for_task(a, {})) == []
    email = f"follower-{uuid.uuid4().hex[:6]}@example.com"
    other = asana.WorkspacesApi(client).add_user_for_workspace({"data": {"user": email}}, live.workspace, {})[
        "gid"
    ]
    added = tasks.add_followers_for_task({"data": {"followers": [other]}}, a, {"opt_fields": "followers"})
    assert other in [f["gid"] for f in added["followers"]]
    removed = tasks.remove_follower_for_task({"data": {"followers": [other]}}, a, {"opt_fields": "followers"})
    assert other not in [f["gid"] for f in removed["followers"]]


def test_custom_ids_and_favorites(live):
    client = live.client()
    tasks, users = asana.TasksApi(client), asana.UsersApi(client)
    prefix = f"P{uuid.uuid4().hex[:6]}".upper()
    field = asana.CustomFieldsApi(client).create_custom_field(
        {
            "data": {
                "workspace": live.workspace,
                "name": f"ID {prefix}",
                "resource_subtype": "text",
                "id_prefix": prefix,
            }
        },
        {"opt_fields": "id_prefix,representation_type"},
    )
    assert (field["id_prefix"], field["representation_type"]) == (prefix, "custom_id")
    project = asana.ProjectsApi(client).create_project(
        {"data": {"name": f"IDs {prefix}", "workspace": live.workspace, "team": live.team}}, {}
    )["gid"]
    asana.ProjectsApi(client).add_custom_field_setting_for_project(
        {"data": {"custom_field": field["gid"]}}, project, {}
    )
    made = [
        tasks.create_task({"data": {"name": f"N{i}", "projects": [project]}}, {})["gid"] for i in range(2)
    ]
    found = tasks.get_task_for_custom_id(live.workspace, f"{prefix.lower()}-2")  # takes no opt_fields
    assert (found["gid"], found["name"], found["resource_type"]) == (made[1], "N1", "task")
    assert [v["display_value"] for v in found["custom_fields"]] == [f"{prefix}-2"]
    with pytest.raises(ApiException) as err:
        tasks.get_task_for_custom_id(live.workspace, f"{prefix}-3")
    assert err.value.status == 404
    live.favor(live.user, project)
    listed = users.get_favorites_for_user("me", "project", live.workspace, {})
    assert {"gid": project, "resource_type": "project", "name": f"IDs {prefix}"} in list(listed)
    with pytest.raises(ApiException) as err:
        list(users.get_favorites_for_user("me", "goal", live.workspace, {}))
    assert err.value.status == 400


def test_custom_fields_on_users(live):
    client = live.client()
    users = asana.UsersApi(client)
    name = f"Dept {uuid.uuid4().hex[:6]}"
    field = asana.CustomFieldsApi(client).create_custom_field(
        {"data": {"workspace": live.workspace, "name": name, "resource_subtype": "text"}}, {}
    )["gid"]
    live.give_user_field(field)
    shown = {"opt_fields": "custom_fields.name,custom_fields.display_value"}
    me = users.update_user({"data": {"custom_fields": {field: "Eng"}}}, "me", shown)
    assert {"gid": field, "name": name, "display_value": "Eng"} in me["custom_fields"]
    again = users.update_user_for_workspace(
        {"data": {"custom_fields": {field: "Ops"}}}, live.workspace, "me", shown
    )
    assert {"gid": field, "name": name, "display_value": "Ops"} in again["custom_fields"]
    assert {"gid": field, "name": name, "display_value": "Ops"} in users.get_user("me", shown)[
        "custom_fields"
    ]
    with pytest.raises(ApiException) as err:
        users.update_user({"data": {"custom_fields": {"1": "x"}}}, "me", {})
    assert err.value.status == 400
