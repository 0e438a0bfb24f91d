"""Sections and tasks through the official asana SDK against a live server."""

from __future__ import annotations

import uuid

import asana
import pytest
from asana.rest import ApiException


def _project(live, client) -> str:
    created = asana.ProjectsApi(client).create_project(
        {"data": {"name": f"SDK {uuid.uuid4().hex[:6]}", "workspace": live.workspace, "team": live.team}}, {}
    )
    return str(created["gid"])


def test_sections_lifecycle(live):
    client = live.client()
    sections = asana.SectionsApi(client)
    project = _project(live, client)
    (untitled,) = list(sections.get_sections_for_project(project, {}))
    assert untitled["name"] == "Untitled section"
    a = sections.create_section_for_project(
        project, {"body": {"data": {"name": "A"}}, "opt_fields": "name,project"}
    )
    assert a["name"] == "A" and a["project"]["gid"] == project
    b = sections.create_section_for_project(
        project, {"body": {"data": {"name": "B", "insert_before": a["gid"]}}}
    )
    assert [s["name"] for s in sections.get_sections_for_project(project, {})] == [
        "Untitled section",
        "B",
        "A",
    ]
    sections.insert_section_for_project(
        project, {"body": {"data": {"section": a["gid"], "before_section": untitled["gid"]}}}
    )
    renamed = sections.update_section(b["gid"], {"body": {"data": {"name": "Beta"}}})
    assert renamed["name"] == "Beta"
    assert [s["name"] for s in sections.get_sections_for_project(project, {})] == [
        "A",
        "Untitled section",
        "Beta",
    ]
    assert sections.get_section(a["gid"], {"opt_fields": "name"}) == {"gid": a["gid"], "name": "A"}
    assert sections.delete_section(b["gid"]) == {}
    with pytest.raises(ApiException) as err:
        sections.get_section(b["gid"], {})
    assert err.value.status == 404


def test_tasks_and_counts(live):
    client = live.client()
    tasks, sections = asana.TasksApi(client), asana.SectionsApi(client)
    project = _project(live, client)
    (untitled,) = list(sections.get_sections_for_project(project, {}))
    made = [
        tasks.create_task({"data": {"name": f"t{i}", "projects": [project]}}, {"opt_fields": "name,projects"})
        for i in range(5)
    ]
    assert made[0]["projects"][0]["gid"] == project
    # addTask puts the task at the top of the section
    sections.add_task_for_section(untitled["gid"], {"body": {"data": {"task": made[4]["gid"]}}})
    # walking the paginated list with the SDK iterator, two per page
    walked = [t["name"] for t in tasks.get_tasks_for_project(project, {"limit": 2})]
    assert walked == ["t4", "t0", "t1", "t2", "t3"]
    updated = tasks.update_task({"data": {"completed": True}}, made[0]["gid"], {"opt_fields": "completed"})
    assert updated["completed"] is True
    milestone = tasks.create_task(
        {"data": {"name": "m", "projects": [project], "resource_subtype": "milestone"}}, {}
    )
    counts = asana.ProjectsApi(client).get_task_counts_for_project(
        project, {"opt_fields": "num_tasks,num_completed_tasks,num_milestones"}
    )
    assert counts == {"num_tasks": 6, "num_completed_tasks": 1, "num_milestones": 1}
    assert asana.ProjectsApi(client).get_task_counts_for_project(project, {}) == {}
    sub = tasks.create_subtask_for_task({"data": {"name": "sub"}}, made[1]["gid"], {})
    assert [t["gid"] for t in tasks.get_subtasks_for_task(made[1]["gid"], {})] == [sub["gid"]]
    tasks.remove_project_for_task({"data": {"project": project}}, milestone["gid"])
    other = _project(live, client)
    tasks.add_project_for_task({"data": {"project": other}}, made[2]["gid"])
    in_projects = {p["gid"] for p in asana.ProjectsApi(client).get_projects_for_task(made[2]["gid"], {})}
    assert in_projects == {project, other}
    assert tasks.delete_task(made[1]["gid"]) == {}
    with pytest.raises(ApiException) as err:
        tasks.get_task(sub["gid"], {})
    assert err.value.status == 404
    with pytest.raises(ApiException) as err:
        tasks.add_project_for_task(
            {"data": {"project": other, "insert_before": "1", "insert_after": "2"}}, made[2]["gid"]
        )
    assert err.value.status == 400


def test_task_lists_and_set_parent(live):
    client = live.client()
    tasks, sections = asana.TasksApi(client), asana.SectionsApi(client)
    project = _project(live, client)
    (untitled,) = list(sections.get_sections_for_project(project, {}))
    made = [
        tasks.create_task({"data": {"name": f"L{i}", "projects": [project]}}, {})["gid"] for i in range(5)
    ]
    by_project = [t["gid"] for t in tasks.get_tasks({"project": project, "limit": 2})]
    assert by_project == made
    by_section = [
        t["gid"] for t in tasks.get_tasks_for_section(untitled["gid"], {"limit": 2, "opt_fields": "name"})
    ]
    assert by_section == made
    tasks.update_task({"data": {"assignee": "me"}}, made[0], {})
    mine = [t["gid"] for t in tasks.get_tasks({"workspace": live.workspace, "assignee": "me"})]
    assert made[0] in mine
    moved = tasks.set_parent_for_task({"data": {"parent": made[1]}}, made[2], {"opt_fields": "parent"})
    assert moved["parent"]["gid"] == made[1]
    again = tasks.set_parent_for_task({"data": {"parent": made[1], "insert_before": made[2]}}, made[3], {})
    assert again["gid"] == made[3]
    assert [t["gid"] for t in tasks.get_subtasks_for_task(made[1], {})] == [made[3], made[2]]
    with pytest.raises(ApiException) as err:
        tasks.set_parent_for_task({"data": {"parent": made[2]}}, made[1], {})
    assert err.value.status == 400  # a cycle
