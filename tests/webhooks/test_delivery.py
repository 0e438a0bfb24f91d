"""Delivery from the journal to a real loopback receiver: signature, shape, filters, bubbling,
visibility, ordering, batching. Rounds run in the test's thread (`drain`), so each test knows when
the worker is done."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest

from tests.conftest import World, api_client
from tests.helpers import ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from tests.webhooks.helpers import drain, fast, hook_state, make_webhook, worker
from tests.webhooks.receiver import Receiver, receiving
from vinyasa.webhooks.worker import Deliverer

pytestmark = pytest.mark.anyio


@pytest.fixture
def deliverer(world: World):
    made = Deliverer(world.env.engine, fast(world.env))
    yield made
    made.stop()


def _kinds(rx: Receiver) -> list[tuple[str, str, str | None]]:
    """(resource type, action, changed field) of every event received, in order."""
    return [
        (e["resource"]["resource_type"], e["action"], e.get("change", {}).get("field")) for e in rx.events()
    ]


async def test_signed_batched_events_in_asanas_shape(client, world: World, deliverer) -> None:
    project = (await make_project(client, world))["gid"]
    with receiving() as rx:
        made = await make_webhook(client, project, rx.url)
        secret, gid = made["X-Hook-Secret"], made["data"]["gid"]
        drain(deliverer)
        assert rx.deliveries() == []  # nothing happened since the webhook was made
        task = await make_task(client, world, "T", projects=[project])
        ok(await client.put(f"/tasks/{task}", json={"data": {"name": "Renamed", "assignee": world.user}}))
        drain(deliverer)
    (got,) = rx.deliveries()
    expected = hmac.new(secret.encode(), got.body, hashlib.sha256).hexdigest()
    assert got.headers["x-hook-signature"] == expected
    assert got.headers["content-type"] == "application/json"
    events = json.loads(got.body)["events"]
    user = {"gid": world.user, "resource_type": "user"}
    resource = {"gid": task, "resource_type": "task", "resource_subtype": "default_task"}
    assert events[0] == {
        "user": user,
        "created_at": events[0]["created_at"],
        "action": "added",
        "resource": resource,
        "parent": {"gid": project, "resource_type": "project"},
    }
    changes = [e["change"] for e in events if e["action"] == "changed"]
    assert {"field": "name", "action": "changed"} in changes
    assert {"field": "assignee", "action": "changed", "new_value": user} in changes
    assert all(e["created_at"].endswith("Z") for e in events)
    state = hook_state(world.env, gid)
    assert state["last_success_at"] is not None and state["delivery_retry_count"] == 0
    assert ok(await client.get(f"/webhooks/{gid}"))["last_success_at"] is not None


async def test_each_filter_kind(client, world: World, deliverer) -> None:
    project = (await make_project(client, world))["gid"]
    filters: dict[str, list[dict[str, Any]]] = {
        "type": [{"resource_type": "section"}],
        "subtype": [{"resource_type": "task", "resource_subtype": "milestone"}],
        "action": [{"action": "changed"}],
        "fields": [{"resource_type": "task", "action": "changed", "fields": ["notes"]}],
        "any": [{"resource_type": "section"}, {"action": "changed", "fields": ["notes"]}],
    }
    with (
        receiving() as by_type,
        receiving() as by_subtype,
        receiving() as by_action,
        receiving() as by_fields,
        receiving() as by_any,
    ):
        receivers = {"type": by_type, "subtype": by_subtype, "action": by_action, "fields": by_fields}
        receivers["any"] = by_any
        for name, rx in receivers.items():
            await make_webhook(client, project, rx.url, filters[name])
        task = await make_task(client, world, "T", projects=[project])
        milestone = await make_task(client, world, "M", projects=[project], resource_subtype="milestone")
        ok(await client.post(f"/projects/{project}/sections", json={"data": {"name": "S"}}), 201)
        ok(await client.put(f"/tasks/{task}", json={"data": {"name": "N", "notes": "x"}}))
        drain(deliverer)
    assert set(_kinds(by_type)) == {("section", "added", None)}
    assert {e["resource"]["gid"] for e in by_subtype.events()} == {milestone}
    assert {e["resource"]["resource_subtype"] for e in by_subtype.events()} == {"milestone"}
    assert _kinds(by_action) and all(action == "changed" for _, action, _ in _kinds(by_action))
    assert ("task", "changed", "name") in _kinds(by_action)
    assert _kinds(by_fields) == [("task", "changed", "notes")]
    assert sorted(set(_kinds(by_any))) == [("section", "added", None), ("task", "changed", "notes")]


async def test_events_bubble_from_subtasks(client, world: World, deliverer) -> None:
    project = (await make_project(client, world))["gid"]
    task = await make_task(client, world, "Parent", projects=[project])
    with receiving() as on_project, receiving() as on_task:
        await make_webhook(client, project, on_project.url)
        await make_webhook(client, task, on_task.url)
        sub = ok(await client.post(f"/tasks/{task}/subtasks", json={"data": {"name": "Sub"}}), 201)["gid"]
        ok(await client.put(f"/tasks/{sub}", json={"data": {"completed": True}}))
        drain(deliverer)
    for rx in (on_project, on_task):
        about_sub = [e for e in rx.events() if e["resource"]["gid"] == sub]
        assert ("changed", "completed") in [
            (e["action"], e["change"]["field"]) for e in about_sub if "change" in e
        ]


async def test_workspace_and_team_webhooks_never_get_task_events(client, world: World, deliverer) -> None:
    both = [{"resource_type": "task"}, {"resource_type": "project"}]
    with receiving() as rx, receiving() as on_team:
        await make_webhook(client, world.workspace, rx.url, both)
        await make_webhook(client, world.team, on_team.url, both)
        project = (await make_project(client, world, name="Fresh"))["gid"]
        await make_task(client, world, "T", projects=[project])
        ok(await client.put(f"/projects/{project}", json={"data": {"notes": "n"}}))
        drain(deliverer)
    kinds = _kinds(rx)
    assert ("project", "changed", "notes") in kinds
    assert all(kind == "project" for kind, _, _ in kinds)
    (added,) = on_team.events()  # a project added to the team: the team is its parent
    assert added["action"] == "added" and added["resource"]["gid"] == project
    assert added["parent"] == {"gid": world.team, "resource_type": "team"}


async def test_a_change_the_creator_cannot_see_is_never_sent(client, world: World, deliverer) -> None:
    colleague, token = world.person("colleague@example.com")
    with receiving() as rx:
        async with api_client(world.env, token) as theirs:
            filters = [{"resource_type": "project"}, {"resource_type": "section", "action": "added"}]
            await make_webhook(theirs, world.workspace, rx.url, filters)
        hidden = (await make_project(client, world, name="Secret", privacy_setting="private"))["gid"]
        shown = (await make_project(client, world, name="Open", privacy_setting="public_to_workspace"))["gid"]
        sections = {}
        for gid in (hidden, shown):
            ok(await client.put(f"/projects/{gid}", json={"data": {"notes": "changed"}}))
            made = await client.post(f"/projects/{gid}/sections", json={"data": {"name": "S"}})
            sections[gid] = ok(made, 201)["gid"]
        drain(deliverer)
    gids = {e["resource"]["gid"] for e in rx.events()}
    assert shown in gids and sections[shown] in gids
    assert hidden not in gids and sections[hidden] not in gids
    assert not any(e["parent"] and e["parent"]["gid"] == hidden for e in rx.events())
    assert colleague != world.user


async def test_commit_order_and_batches_of_at_most_100(client, world: World, deliverer) -> None:
    project = (await make_project(client, world))["gid"]
    with receiving() as rx:
        await make_webhook(client, project, rx.url, [{"resource_type": "task", "action": "changed"}])
        task = await make_task(client, world, "T", projects=[project])
        for n in range(130):
            ok(await client.put(f"/tasks/{task}", json={"data": {"notes": f"{n}"}}))
        drain(deliverer)
    sizes = [len(r.events) for r in rx.deliveries()]
    assert sum(sizes) == 130 and max(sizes) <= 100 and len(sizes) >= 2
    with world.db() as conn:
        from sqlalchemy import text

        ids = [r[0] for r in conn.execute(text("SELECT id FROM journal WHERE field = 'notes' ORDER BY id"))]
    assert len(ids) == 130
    stamps = [e["created_at"] for e in rx.events()]
    assert stamps == sorted(stamps)


async def test_delivery_log_and_manual_redelivery(client, world: World, deliverer) -> None:
    from vinyasa.core import runner

    project = (await make_project(client, world))["gid"]
    with receiving() as rx:
        made = await make_webhook(client, project, rx.url)
        gid, secret = made["data"]["gid"], made["X-Hook-Secret"]
        await make_task(client, world, "T", projects=[project])
        drain(deliverer)
        log_url = f"http://testserver/_vinyasa/webhooks/{gid}/deliveries"
        (entry,) = ok(
            await client.get(log_url, params={"opt_fields": "kind,status,status_code,request_body"})
        )
        assert entry["kind"] == "delivery" and entry["status"] == "delivered" and entry["status_code"] == 200
        assert entry["request_body"].encode() == rx.deliveries()[0].body
        full = ok(await client.get(log_url, params={"limit": 1}))[0]
        assert {"created_at", "latency_ms", "status_code", "kind", "status"} <= set(full)
        again = await client.post(f"{log_url}/{entry['gid']}/redeliver", json={"data": {}})
        pending = ok(again, 201)
        assert pending["status"] == "pending"
        assert runner.drain(world.env.app.state.runtime.transactions) == 1
        assert len(rx.deliveries()) == 2
        second = rx.deliveries()[1]
        assert second.body == rx.deliveries()[0].body
        assert (
            second.headers["x-hook-signature"]
            == hmac.new(secret.encode(), second.body, hashlib.sha256).hexdigest()
        )
        latest = ok(await client.get(log_url))[0]
        assert latest["gid"] == pending["gid"] and latest["status"] == "delivered"
        nxt = (await client.get(log_url, params={"limit": 1})).json()["next_page"]
        assert nxt["uri"].startswith(f"{log_url}?limit=1&offset=")  # its own prefix, not /api/1.0
        assert nxt["path"] == nxt["uri"].removeprefix("http://testserver")
        assert [e["gid"] for e in ok(await client.get(nxt["uri"]))] == [entry["gid"]]
    _, token = world.person("other@example.com")
    async with api_client(world.env, token) as other:
        assert (await other.get(log_url)).status_code == 404
        assert (await other.post(f"{log_url}/{entry['gid']}/redeliver", json={"data": {}})).status_code == 404
    response = await client.post(f"{log_url}/123/redeliver", json={"data": {}})
    assert response.status_code == 404
    assert isinstance(response, httpx.Response)


async def test_a_commit_wakes_the_worker_without_waiting_for_its_poll(
    client, world: World, monkeypatch
) -> None:
    project = (await make_project(client, world))["gid"]
    transactions = world.env.app.state.runtime.transactions
    with receiving() as rx:
        await make_webhook(client, project, rx.url)
        with worker(world.env, fast(world.env, webhook_poll_interval=30.0)) as running:
            time.sleep(0.2)  # its first round found nothing: now it waits up to 30 s
            monkeypatch.setattr(transactions, "on_journal", running.wake)
            started = time.monotonic()
            await make_task(client, world, "T", projects=[project])
            rx.wait(1, timeout=5)
            assert time.monotonic() - started < 5
