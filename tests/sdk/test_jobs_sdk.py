"""Jobs, duplication and project templates through the official asana SDK against a live server
(the server's own runner does the work: the SDK polls `JobsApi.get_job`)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import asana
import pytest
from asana.rest import ApiException

from tests.sdk.conftest import Live


def wait(client: asana.ApiClient, job: dict[str, Any], timeout: float = 30.0) -> dict[str, Any]:
    """Poll a job as a client would until it has ended."""
    jobs = asana.JobsApi(client)
    deadline = time.monotonic() + timeout
    while True:
        found: dict[str, Any] = jobs.get_job(job["gid"], {})
        if found["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _project(live: Live, client: asana.ApiClient) -> str:
    projects = asana.ProjectsApi(client)
    made = projects.create_project(
        {"data": {"name": f"Jobs {uuid.uuid4().hex[:8]}", "workspace": live.workspace, "team": live.team}}, {}
    )
    gid = str(made["gid"])
    tasks = asana.TasksApi(client)
    for name, due in (("First", "2026-05-04"), ("Second", "2026-05-08")):
        task = tasks.create_task({"data": {"name": name, "projects": [gid], "due_on": due}}, {})
        tasks.create_subtask_for_task({"data": {"name": f"{name} sub"}}, task["gid"], {})
    return gid


def test_duplicate_a_project_and_a_task(live: Live) -> None:
    client = live.client()
    source = _project(live, client)
    job = asana.ProjectsApi(client).duplicate_project(
        source,
        {
            "body": {
                "data": {
                    "name": "Copy",
                    "include": "task_dates,task_subtasks",
                    "schedule_dates": {"should_skip_weekends": True, "due_on": "2026-06-01"},
                }
            },
            "opt_fields": "status,resource_subtype,new_project.name",
        },
    )
    assert job["resource_subtype"] == "duplicate_project" and job["status"] in ("not_started", "in_progress")
    done = wait(client, job)
    assert done["status"] == "succeeded" and done["new_project"]["name"] == "Copy"
    tasks = list(
        asana.TasksApi(client).get_tasks_for_project(
            done["new_project"]["gid"], {"opt_fields": "name,due_on"}
        )
    )
    assert [(t["name"], t["due_on"]) for t in tasks] == [("First", "2026-05-26"), ("Second", "2026-06-01")]

    task = tasks[0]["gid"]
    job = asana.TasksApi(client).duplicate_task({"data": {"name": "Again", "include": "subtasks"}}, task, {})
    done = wait(client, job)
    assert done["status"] == "succeeded" and done["new_task"]["name"] == "Again"
    subtasks = list(asana.TasksApi(client).get_subtasks_for_task(done["new_task"]["gid"], {}))
    assert [s["name"] for s in subtasks] == ["First sub"]


def test_templates_round_trip(live: Live) -> None:
    client = live.client()
    source = _project(live, client)
    job = asana.ProjectsApi(client).project_save_as_template(
        {"data": {"name": "Launch plan", "public": True, "team": live.team}}, source, {}
    )
    done = wait(client, job)
    assert done["status"] == "succeeded"
    templates = asana.ProjectTemplatesApi(client)
    gid = done["new_project_template"]["gid"]
    template = templates.get_project_template(gid, {"opt_fields": "name,requested_dates,team.name,public"})
    assert template["requested_dates"][0]["gid"] == "1" and template["public"] is True
    assert gid in [t["gid"] for t in templates.get_project_templates({"workspace": live.workspace})]
    assert gid in [t["gid"] for t in templates.get_project_templates_for_team(live.team, {})]

    job = templates.instantiate_project(
        gid,
        {"body": {"data": {"name": "Launch", "requested_dates": [{"gid": "1", "value": "2026-07-06"}]}}},
    )
    done = wait(client, job)
    assert done["status"] == "succeeded"
    made = done["new_project"]["gid"]
    project = asana.ProjectsApi(client).get_project(made, {"opt_fields": "created_from_template.name"})
    assert project["created_from_template"]["name"] == "Launch plan"
    tasks = list(asana.TasksApi(client).get_tasks_for_project(made, {"opt_fields": "name,due_on"}))
    assert [(t["name"], t["due_on"]) for t in tasks] == [("First", "2026-07-06"), ("Second", "2026-07-10")]

    templates.delete_project_template(gid)
    with pytest.raises(ApiException) as caught:
        templates.get_project_template(gid, {})
    assert caught.value.status == 404
    with pytest.raises(ApiException) as caught:
        list(templates.get_project_templates({}))
    assert caught.value.status == 400


def test_only_the_creator_sees_a_job(live: Live) -> None:
    client = live.client()
    source = _project(live, client)
    job = asana.ProjectsApi(client).duplicate_project(source, {"body": {"data": {"name": "Mine"}}})
    email = f"x{uuid.uuid4().hex[:6]}@example.com"
    live.cli("workspace", "create", f"Other {email}", "--owner", email, "--no-organization")
    token = live.cli("token", "create", "--email", email)["token"]
    with pytest.raises(ApiException) as caught:
        asana.JobsApi(live.client(token)).get_job(job["gid"], {})
    assert caught.value.status == 404
    assert wait(client, job)["status"] == "succeeded"
