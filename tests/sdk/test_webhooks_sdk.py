"""Webhooks through the official asana Python SDK against a live server: the handshake with a real
receiver on a loopback port, a signed delivery from the server's own worker, list, update, delete."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid

import asana
import pytest
from asana.rest import ApiException

from tests.sdk.conftest import Live
from tests.webhooks.receiver import receiving


def test_python_sdk_creates_lists_updates_and_deletes_webhooks(live: Live) -> None:
    client = live.client()
    projects, tasks, hooks = asana.ProjectsApi(client), asana.TasksApi(client), asana.WebhooksApi(client)
    name = f"Hooked {uuid.uuid4().hex[:8]}"
    project = projects.create_project(
        {"data": {"name": name, "workspace": live.workspace, "team": live.team}}, {}
    )
    notes = [{"resource_type": "task", "action": "changed", "fields": ["notes"]}]
    with receiving() as rx:
        made = hooks.create_webhook(
            {"data": {"resource": project["gid"], "target": rx.url, "filters": notes}}, {}, full_payload=True
        )
        secret, hook = made["X-Hook-Secret"], made["data"]
        assert rx.handshakes[0]["x-hook-secret"] == secret
        assert hook["resource"]["gid"] == project["gid"] and hook["filters"] == notes
        task = tasks.create_task({"data": {"name": "T", "projects": [project["gid"]]}}, {})["gid"]
        tasks.update_task({"data": {"notes": "watched"}}, task, {})
        (delivery,) = rx.wait(1)
        expected = hmac.new(secret.encode(), delivery.body, hashlib.sha256).hexdigest()
        assert delivery.headers["x-hook-signature"] == expected
        assert [(e["resource"]["gid"], e["change"]["field"]) for e in delivery.events] == [(task, "notes")]

    listed = list(hooks.get_webhooks(live.workspace, {"resource": project["gid"], "opt_fields": "target"}))
    assert listed == [{"gid": hook["gid"], "target": rx.url}]
    for _ in range(100):  # the worker records the outcome a moment after the receiver has it
        fetched = hooks.get_webhook(hook["gid"], {})
        if fetched["last_success_at"] is not None:
            break
        time.sleep(0.05)
    assert fetched["last_success_at"] is not None and fetched["delivery_retry_count"] == 0
    updated = hooks.update_webhook({"data": {"filters": [{"action": "added"}]}}, hook["gid"], {})
    assert updated["filters"] == [{"action": "added"}]
    assert hooks.delete_webhook(hook["gid"]) == {}
    with pytest.raises(ApiException) as gone:
        hooks.get_webhook(hook["gid"], {})
    assert gone.value.status == 404


def test_python_sdk_sees_a_failed_handshake_as_a_400(live: Live) -> None:
    client = live.client()
    project = asana.ProjectsApi(client).create_project(
        {"data": {"name": "No echo", "workspace": live.workspace, "team": live.team}}, {}
    )
    with receiving(handshake="wrong") as rx, pytest.raises(ApiException) as refused:
        asana.WebhooksApi(client).create_webhook({"data": {"resource": project["gid"], "target": rx.url}}, {})
    assert refused.value.status == 400
    assert "X-Hook-Secret" in str(refused.value.body)
