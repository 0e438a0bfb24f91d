"""Project statuses, status updates and project briefs through the official asana SDK."""

from __future__ import annotations

import json
import uuid

import asana
import pytest
from asana.rest import ApiException


@pytest.fixture
def live(emulated):
    """This file runs on the test kit's emulator (reset before each test), not a `vinyasa serve` process."""
    return emulated


def _project(live, client) -> str:
    made = asana.ProjectsApi(client).create_project(
        {"data": {"name": f"Status {uuid.uuid4().hex[:8]}", "workspace": live.workspace, "team": live.team}},
        {},
    )
    return str(made["gid"])


def test_statuses_through_both_apis(live):
    client = live.client()
    project = _project(live, client)
    legacy_api = asana.ProjectStatusesApi(client)
    updates_api = asana.StatusUpdatesApi(client)
    projects = asana.ProjectsApi(client)

    legacy = legacy_api.create_project_status_for_project(
        {"data": {"title": "Week 1", "text": "Fine", "color": "green"}}, project, {}
    )
    assert legacy["resource_type"] == "project_status" and legacy["color"] == "green"
    assert legacy["author"]["gid"] == live.user

    update = updates_api.create_status_for_object(
        {"data": {"parent": project, "status_type": "at_risk", "text": "Slipping", "title": "Week 2"}},
        {"opt_fields": "title,status_type,parent.name,html_text,resource_subtype"},
    )
    assert update["status_type"] == "at_risk" and update["html_text"] == "<body>Slipping</body>"
    assert update["resource_subtype"] == "project_status_update" and update["parent"]["gid"] == project

    full = projects.get_project(
        project, {"opt_fields": "current_status.color,current_status_update.status_type"}
    )
    assert full["current_status"] == {"gid": update["gid"], "color": "yellow"}
    assert full["current_status_update"] == {"gid": update["gid"], "status_type": "at_risk"}

    listed = list(legacy_api.get_project_statuses_for_project(project, {"opt_fields": "title,color"}))
    assert [(s["gid"], s["color"]) for s in listed] == [(update["gid"], "yellow"), (legacy["gid"], "green")]
    listed = list(updates_api.get_statuses_for_object(project, {"opt_fields": "status_type"}))
    assert [(s["gid"], s["status_type"]) for s in listed] == [
        (update["gid"], "at_risk"),
        (legacy["gid"], "on_track"),
    ]
    paged = list(updates_api.get_statuses_for_object(project, {"limit": 1}))
    assert [s["gid"] for s in paged] == [update["gid"], legacy["gid"]]

    assert updates_api.get_status(legacy["gid"], {})["status_type"] == "on_track"
    assert legacy_api.get_project_status(update["gid"], {"opt_fields": "html_text"})["html_text"] == (
        "<body>Slipping</body>"
    )

    assert updates_api.delete_status(update["gid"]) == {}
    full = projects.get_project(project, {"opt_fields": "current_status,current_status_update"})
    assert (
        full["current_status"]["gid"] == legacy["gid"]
        and full["current_status_update"]["gid"] == legacy["gid"]
    )
    assert legacy_api.delete_project_status(legacy["gid"]) == {}
    full = projects.get_project(project, {})
    assert full["current_status"] is None and full["current_status_update"] is None

    with pytest.raises(ApiException) as caught:
        updates_api.create_status_for_object(
            {"data": {"parent": project, "status_type": "achieved", "text": "x"}}, {}
        )
    assert (
        caught.value.status == 400 and "status_type" in json.loads(caught.value.body)["errors"][0]["message"]
    )
    with pytest.raises(ApiException) as caught:
        legacy_api.get_project_status(legacy["gid"], {})
    assert caught.value.status == 404


def test_project_brief_lifecycle(live):
    client = live.client()
    project = _project(live, client)
    briefs = asana.ProjectBriefsApi(client)
    html = "<body><h1>Why</h1><table><tr><td>a</td><td>b</td></tr></table></body>"
    brief = briefs.create_project_brief({"data": {"title": "Plan", "html_text": html}}, project, {})
    assert brief["resource_type"] == "project_brief" and brief["html_text"] == html
    assert brief["project"]["gid"] == project and brief["permalink_url"].startswith(live.base)
    linked = asana.ProjectsApi(client).get_project(project, {"opt_fields": "project_brief"})
    assert linked["project_brief"] == {"gid": brief["gid"], "resource_type": "project_brief"}

    with pytest.raises(ApiException) as caught:
        briefs.create_project_brief({"data": {"text": "again"}}, project, {})
    assert caught.value.status == 400

    got = briefs.get_project_brief(brief["gid"], {"opt_fields": "title,text"})
    assert got == {"gid": brief["gid"], "title": "Plan", "text": "Why\na\tb"}
    updated = briefs.update_project_brief(
        {"data": {"text": "x < y"}}, brief["gid"], {"opt_fields": "html_text,title"}
    )
    assert updated == {"gid": brief["gid"], "html_text": "<body>x &lt; y</body>", "title": "Plan"}
    with pytest.raises(ApiException) as caught:
        briefs.update_project_brief({"data": {"html_text": "<body><script/></body>"}}, brief["gid"], {})
    assert caught.value.status == 400

    assert briefs.delete_project_brief(brief["gid"]) == {}
    with pytest.raises(ApiException) as caught:
        briefs.get_project_brief(brief["gid"], {})
    assert caught.value.status == 404
    assert (
        asana.ProjectsApi(client).get_project(project, {"opt_fields": "project_brief"})["project_brief"]
        is None
    )
