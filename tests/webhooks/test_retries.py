"""Failures: exponential backoff and the fields that show it, timeouts, deletion after the retry
window, heartbeats, and deliveries surviving a worker's restart or crash (a real loopback receiver;
settings shortened from hours to fractions of a second)."""

from __future__ import annotations

import time

import pytest

from tests.conftest import World
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from tests.webhooks.helpers import drain, fast, hook_state, make_webhook, worker
from tests.webhooks.receiver import receiving
from vinyasa.protocol.values import now_ms
from vinyasa.webhooks import queries
from vinyasa.webhooks.worker import Deliverer

pytestmark = pytest.mark.anyio
NOTES = [{"resource_type": "task", "action": "changed", "fields": ["notes"]}]


def _notes(events: list[dict[str, object]]) -> int:
    return sum(1 for e in events if e["action"] == "changed")


async def test_a_receiver_that_fails_n_times_then_succeeds(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    deliverer = Deliverer(
        world.env.engine, fast(world.env, webhook_retry_base_seconds=0.2, webhook_retry_max_seconds=2)
    )
    try:
        with receiving(statuses=[500, 503, 500]) as rx:
            gid = (await make_webhook(client, project, rx.url, NOTES))["data"]["gid"]
            task = await make_task(client, world, "T", projects=[project])
            ok(await client.put(f"/tasks/{task}", json={"data": {"notes": "one"}}))
            before = now_ms()
            assert deliverer.tick() == 1
            state = ok(await client.get(f"/webhooks/{gid}"))
            assert state["delivery_retry_count"] == 1
            assert state["last_failure_at"] is not None and state["last_success_at"] is None
            assert state["last_failure_content"] == "ok"  # the start of the receiver's answer
            stored = hook_state(world.env, gid)
            assert before + 150 <= stored["next_attempt_after"] <= now_ms() + 250
            deadline = stored["failure_deletion_timestamp"]
            assert deadline >= before + 24 * 3_600_000 - 1000
            assert deliverer.tick() == 0  # backing off
            for expected in (2, 3):
                time.sleep((stored["next_attempt_after"] - now_ms()) / 1000 + 0.02)
                assert deliverer.tick() == 1
                stored = hook_state(world.env, gid)
                assert stored["delivery_retry_count"] == expected
                assert stored["failure_deletion_timestamp"] == deadline  # set once, at the first failure
            first_delay = 200
            assert (
                stored["next_attempt_after"] - stored["last_failure_at"] >= 4 * first_delay - 5
            )  # 0.2 * 2^2
            time.sleep((stored["next_attempt_after"] - now_ms()) / 1000 + 0.02)
            drain(deliverer)
            state = ok(await client.get(f"/webhooks/{gid}"))
            assert state["delivery_retry_count"] == 0 and state["last_success_at"] is not None
            assert state["failure_deletion_timestamp"] is None and state["next_attempt_after"] is None
            bodies = [r.body for r in rx.deliveries()]
            assert len(bodies) == 4 and len(set(bodies)) == 1  # the same batch each time
            log = ok(await client.get(f"http://testserver/_vinyasa/webhooks/{gid}/deliveries"))
            assert [e["status"] for e in log] == ["delivered", "failed", "failed", "failed"]
            assert [e["status_code"] for e in log] == [200, 500, 503, 500]
    finally:
        deliverer.stop()


async def test_a_receiver_that_does_not_answer_in_time_is_retried(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    deliverer = Deliverer(world.env.engine, fast(world.env, webhook_timeout=0.3))
    try:
        with receiving() as rx:
            gid = (await make_webhook(client, project, rx.url, NOTES))["data"]["gid"]
            rx.delay = 1.0
            task = await make_task(client, world, "T", projects=[project])
            ok(await client.put(f"/tasks/{task}", json={"data": {"notes": "one"}}))
            assert deliverer.tick() == 1
            state = ok(await client.get(f"/webhooks/{gid}"))
            assert state["delivery_retry_count"] == 1 and "timeout" in state["last_failure_content"]
            log = ok(await client.get(f"http://testserver/_vinyasa/webhooks/{gid}/deliveries"))
            assert log[0]["status"] == "failed" and log[0]["status_code"] is None
    finally:
        deliverer.stop()


async def test_deleted_after_the_retry_window(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    settings = fast(world.env, webhook_retry_window_hours=0.4 / 3600, webhook_retry_base_seconds=0.05)
    deliverer = Deliverer(world.env.engine, settings)
    try:
        with receiving(statuses=[500] * 1000) as rx:
            gid = (await make_webhook(client, project, rx.url, NOTES))["data"]["gid"]
            task = await make_task(client, world, "T", projects=[project])
            ok(await client.put(f"/tasks/{task}", json={"data": {"notes": "one"}}))
            end = time.monotonic() + 5
            while hook_state(world.env, gid) and time.monotonic() < end:
                deliverer.tick()
                time.sleep(0.02)
            assert hook_state(world.env, gid) == {}
            assert len(rx.deliveries()) >= 2
        fails(await client.get(f"/webhooks/{gid}"), 404)
        assert (
            world.count("SELECT count(*) FROM journal WHERE resource_type = 'webhook' AND action = 'deleted'")
            == 1
        )
    finally:
        deliverer.stop()


async def test_heartbeats_when_nothing_happens(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    deliverer = Deliverer(world.env.engine, fast(world.env, webhook_heartbeat_hours=0.3 / 3600))
    try:
        with receiving() as rx:
            gid = (await make_webhook(client, project, rx.url))["data"]["gid"]
            assert deliverer.tick() == 0
            time.sleep(0.35)
            assert deliverer.tick() == 1
            (beat,) = rx.deliveries()
            assert beat.body == b'{"events":[]}' and beat.headers["x-hook-signature"]
            assert deliverer.tick() == 0  # the next one is due a heartbeat later
        log = ok(await client.get(f"http://testserver/_vinyasa/webhooks/{gid}/deliveries"))
        assert [e["kind"] for e in log] == ["heartbeat"]
    finally:
        deliverer.stop()


async def test_a_restart_mid_retry_loses_nothing(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    with receiving(statuses=[500, 500]) as rx:
        gid = (await make_webhook(client, project, rx.url, NOTES))["data"]["gid"]
        task = await make_task(client, world, "T", projects=[project])
        with worker(world.env):
            for n in range(5):
                ok(await client.put(f"/tasks/{task}", json={"data": {"notes": f"a{n}"}}))
            rx.wait(1)
        # the worker stopped mid-retry (the receiver failed at least once); more changes meanwhile
        assert hook_state(world.env, gid)["delivery_retry_count"] >= 1 or len(rx.deliveries()) >= 3
        for n in range(5):
            ok(await client.put(f"/tasks/{task}", json={"data": {"notes": f"b{n}"}}))
        # a crashed worker left its lease behind: the next one waits for it to expire, then delivers
        with world.env.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE webhooks SET next_attempt_after = NULL")
            assert queries.claim(conn, "crashed", now_ms(), 300, 0, 10)
        crashed_at = time.monotonic()
        with worker(world.env, owner="restarted"):
            end = time.monotonic() + 10
            while time.monotonic() < end and _notes([e for r in rx.deliveries()[2:] for e in r.events]) < 10:
                time.sleep(0.02)
        arrivals = [r.at for r in rx.deliveries()]
        assert any(at > crashed_at for at in arrivals)
        assert not any(crashed_at < at < crashed_at + 0.25 for at in arrivals)  # the dead lease held
        assert hook_state(world.env, gid)["lease_owner"] is None
    ok_events = [e for r in rx.deliveries()[2:] for e in r.events]  # the two first answers were 500s
    assert _notes(ok_events) == 10
    stamps = [e["created_at"] for e in ok_events]
    assert stamps == sorted(stamps)


async def test_two_workers_share_the_work_without_sending_twice(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    with receiving() as rx:
        for _ in range(20):
            await make_webhook(client, project, rx.url, NOTES)
        task = await make_task(client, world, "T", projects=[project])
        with worker(world.env, owner="one"), worker(world.env, owner="two"):
            for n in range(5):
                ok(await client.put(f"/tasks/{task}", json={"data": {"notes": f"n{n}"}}))
            end = time.monotonic() + 10
            while _notes(rx.events()) < 100 and time.monotonic() < end:
                time.sleep(0.02)
            time.sleep(0.2)
    assert _notes(rx.events()) == 100  # 20 webhooks x 5 changes, none twice


async def test_a_slow_target_delays_no_other_webhook(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    with receiving() as slow, receiving() as quick:
        await make_webhook(client, project, slow.url, NOTES)
        await make_webhook(client, project, quick.url, NOTES)
        slow.delay = 1.5
        task = await make_task(client, world, "T", projects=[project])
        with worker(world.env, fast(world.env, webhook_timeout=3.0)):
            started = time.monotonic()
            ok(await client.put(f"/tasks/{task}", json={"data": {"notes": "one"}}))
            quick.wait(1)
            ok(await client.put(f"/tasks/{task}", json={"data": {"notes": "two"}}))
            quick.wait(2)
            assert time.monotonic() - started < 1.2  # both reached the fast target while the slow one waits
            slow.wait(1)
        assert _notes(quick.events()) == 2
