"""Tests of triage.py against the emulator: fixtures, an SDK client, faults and the recorder."""

from __future__ import annotations

import datetime as dt

import asana
import pytest
from asana.rest import ApiException
from triage import triage

TODAY = dt.date(2026, 6, 1)


@pytest.mark.vinyasa_fixture("world.yaml")
def test_moves_only_overdue_open_tasks(vinyasa, vinyasa_world):
    client = vinyasa.sdk_client("alice-token")
    project = vinyasa_world["project"]["Launch"]
    assert triage(client, project, TODAY) == ["Old and open"]
    urgent = [
        s for s in asana.SectionsApi(client).get_sections_for_project(project, {}) if s["name"] == "Urgent"
    ][0]
    names = [t["name"] for t in asana.TasksApi(client).get_tasks_for_section(urgent["gid"], {})]
    assert names == ["Old and open"]
    moves = vinyasa.requests(method="POST", path="/sections/")
    assert [m["body"]["data"]["task"] for m in moves] == [vinyasa_world["task"]["Old and open"]]


def test_every_test_starts_clean(vinyasa_client):
    me = asana.UsersApi(vinyasa_client).get_user("me", {"opt_fields": "workspaces.name"})
    assert [w["name"] for w in me["workspaces"]] == ["My Workspace"]
    projects = asana.ProjectsApi(vinyasa_client).get_projects({"workspace": me["workspaces"][0]["gid"]})
    assert list(projects) == []


@pytest.mark.vinyasa_fixture("world.yaml")
@pytest.mark.vinyasa_fault("/projects/*/tasks", method="GET", status=500, times=1)
def test_a_server_error_is_retried_by_the_sdk(vinyasa, vinyasa_world):
    client = vinyasa.sdk_client("alice-token")
    assert triage(client, vinyasa_world["project"]["Launch"], TODAY) == ["Old and open"]
    [rule] = vinyasa.faults()
    assert rule["fired"] == 1  # the SDK retried the GET and went on


@pytest.mark.vinyasa_fixture("world.yaml")
def test_a_rate_limited_post_is_not_retried(vinyasa, vinyasa_world):
    vinyasa.fault("/sections/*/addTask", method="POST", status=429, retry_after=1)
    with pytest.raises(ApiException) as raised:
        triage(vinyasa.sdk_client("alice-token"), vinyasa_world["project"]["Launch"], TODAY)
    assert raised.value.status == 429
    assert len(vinyasa.requests(path="/sections/", method="POST")) == 1


def test_the_clock_stamps_what_is_created(vinyasa, vinyasa_client):
    vinyasa.clock("freeze", at="2030-01-01T09:00:00Z")
    me = asana.UsersApi(vinyasa_client).get_user("me", {"opt_fields": "workspaces"})
    task = asana.TasksApi(vinyasa_client).create_task(
        {"data": {"name": "Stamped", "workspace": me["workspaces"][0]["gid"]}}, {"opt_fields": "created_at"}
    )
    assert task["created_at"] == "2030-01-01T09:00:00.000Z"
