"""Rules through the official asana SDK against a live server: `RulesApi.trigger_rule` runs an
incoming-web-request rule (defined with vinyasa's own API under /_vinyasa/), and an event rule
runs on the server's own runner after the triggering write."""

from __future__ import annotations

import time
import uuid
from typing import Any

import asana
import httpx
import pytest
from asana.rest import ApiException

from tests.sdk.conftest import Live


def _own(live: Live, method: str, path: str, data: dict[str, Any] | None = None) -> Any:
    response = httpx.request(
        method,
        f"{live.base}/_vinyasa{path}",
        headers={"Authorization": f"Bearer {live.token}"},
        json=None if data is None else {"data": data},
    )
    assert response.status_code < 300, response.text
    return response.json()["data"]


def _setup(live: Live, client: asana.ApiClient) -> tuple[str, str]:
    made = asana.ProjectsApi(client).create_project(
        {"data": {"name": f"Rules {uuid.uuid4().hex[:8]}", "workspace": live.workspace, "team": live.team}},
        {},
    )
    field = asana.CustomFieldsApi(client).create_custom_field(
        {
            "data": {
                "workspace": live.workspace,
                "name": f"Ticket {uuid.uuid4().hex[:8]}",
                "resource_subtype": "text",
            }
        },
        {},
    )
    asana.ProjectsApi(client).add_custom_field_setting_for_project(
        {"data": {"custom_field": field["gid"]}}, made["gid"], {}
    )
    return str(made["gid"]), str(field["gid"])


def test_trigger_rule_runs_the_actions_before_answering(live: Live) -> None:
    client = live.client()
    project, field = _setup(live, client)
    rule = _own(
        live,
        "POST",
        f"/projects/{project}/rules",
        {
            "name": "From the form",
            "trigger": {"type": "incoming_web_request"},
            "actions": [
                {"type": "set_custom_field", "custom_field": field, "value": "{{action_data.ticket_id}}"}
            ],
        },
    )
    tasks = asana.TasksApi(client)
    task = tasks.create_task({"data": {"name": "Hooked", "projects": [project]}}, {})
    rules = asana.RulesApi(client)
    trigger = rule["trigger"]["rule_trigger_gid"]
    answer = rules.trigger_rule(
        {"data": {"resource": task["gid"], "action_data": {"ticket_id": "T-9"}}}, trigger
    )
    assert answer == {"message": "Successfully saved the payload and ran the rule"}
    got = tasks.get_task(task["gid"], {"opt_fields": "custom_fields.display_value"})
    assert [v["display_value"] for v in got["custom_fields"]] == ["T-9"]
    with pytest.raises(ApiException) as unknown:
        rules.trigger_rule({"data": {"resource": task["gid"], "action_data": {}}}, "1")
    assert unknown.value.status == 404
    with pytest.raises(ApiException) as missing:
        rules.trigger_rule({"data": {"resource": task["gid"]}}, trigger)
    assert missing.value.status == 400 and "action_data" in str(missing.value.body)
    [run] = _own(live, "GET", f"/rules/{rule['gid']}/runs")
    assert run["status"] == "succeeded" and run["task"]["gid"] == task["gid"]


def test_an_event_rule_runs_on_the_servers_runner(live: Live) -> None:
    client = live.client()
    project, _ = _setup(live, client)
    rule = _own(
        live,
        "POST",
        f"/projects/{project}/rules",
        {
            "name": "Done means due",
            "trigger": {"type": "task_completed"},
            "actions": [{"type": "set_due_date", "due_on": "2030-04-04"}],
        },
    )
    tasks = asana.TasksApi(client)
    task = tasks.create_task({"data": {"name": "Finish", "projects": [project]}}, {})
    tasks.update_task({"data": {"completed": True}}, task["gid"], {})
    deadline = time.monotonic() + 30
    while tasks.get_task(task["gid"], {"opt_fields": "due_on"})["due_on"] is None:
        assert time.monotonic() < deadline, "the rule did not run"
        time.sleep(0.05)
    assert [r["trigger"] for r in _own(live, "GET", f"/rules/{rule['gid']}/runs")] == ["task_completed"]
