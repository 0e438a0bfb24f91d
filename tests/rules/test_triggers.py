"""Each trigger fires its rule (after the write commits, on the runner) and records a run."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import World
from tests.helpers import ok
from tests.rules.helpers import OWN, drain, get_task, project, rule, runs, task, text_field

pytestmark = pytest.mark.anyio


async def test_task_added_to_project_runs_after_the_commit_on_the_runner(client, world: World) -> None:
    p = await project(client, world)
    r = await rule(
        client,
        p["project"],
        {"type": "task_added_to_project"},
        [{"type": "set_due_date", "due_on": "2030-01-02"}],
    )
    t = await task(client, p)
    assert (await get_task(client, t, "due_on"))["due_on"] is None  # not in the request: on the runner
    assert drain(world) == 1
    assert (await get_task(client, t, "due_on"))["due_on"] == "2030-01-02"
    [run] = await runs(client, r["gid"])
    assert run["trigger"] == "task_added_to_project" and run["task"]["gid"] == t
    assert run["status"] == "succeeded" and run["actions_done"] == ["set_due_date"] and run["error"] is None
    assert run["created_at"].endswith("Z")


async def test_task_moved_to_section_only_that_section(client, world: World) -> None:
    p = await project(client, world)
    r = await rule(
        client,
        p["project"],
        {"type": "task_moved_to_section", "section": p["done"]},
        [{"type": "mark_complete"}],
    )
    t = await task(client, p)
    drain(world)
    ok(await client.post(f"/sections/{p['doing']}/addTask", json={"data": {"task": t}}))
    drain(world)
    assert (await get_task(client, t, "completed"))["completed"] is False
    ok(await client.post(f"/sections/{p['done']}/addTask", json={"data": {"task": t}}))
    drain(world)
    assert (await get_task(client, t, "completed"))["completed"] is True
    assert [x["trigger"] for x in await runs(client, r["gid"])] == ["task_moved_to_section"]


async def test_completed_and_incomplete(client, world: World) -> None:
    p = await project(client, world)
    done = await rule(
        client, p["project"], {"type": "task_completed"}, [{"type": "move_to_section", "section": p["done"]}]
    )
    undone = await rule(
        client, p["project"], {"type": "task_incomplete"}, [{"type": "move_to_section", "section": p["todo"]}]
    )
    t = await task(client, p)
    ok(await client.put(f"/tasks/{t}", json={"data": {"completed": True}}))
    drain(world)
    assert (await get_task(client, t, "memberships.section"))["memberships"][0]["section"]["gid"] == p["done"]
    ok(await client.put(f"/tasks/{t}", json={"data": {"completed": False}}))
    drain(world)
    assert (await get_task(client, t, "memberships.section"))["memberships"][0]["section"]["gid"] == p["todo"]
    assert len(await runs(client, done["gid"])) == 1 and len(await runs(client, undone["gid"])) == 1


async def test_a_run_triggers_what_it_did_though_a_later_run_of_its_step_undoes_it(
    client, world: World
) -> None:
    # Two rules on one trigger run in one step: the first completes the task, the second reopens it.
    # The completion still fires the task_completed rule (a run's changes are judged by what it
    # left, not by the step's end: vinyasa.core.journal.prepare).
    p = await project(client, world)
    added = {"type": "task_added_to_project"}
    await rule(client, p["project"], added, [{"type": "mark_complete"}], name="complete")
    await rule(client, p["project"], added, [{"type": "mark_incomplete"}], name="reopen")
    moved = await rule(
        client,
        p["project"],
        {"type": "task_completed"},
        [{"type": "move_to_section", "section": p["done"]}],
        name="on completion",
    )
    await task(client, p)
    drain(world)
    assert [r["status"] for r in await runs(client, moved["gid"])] == ["succeeded"]


async def test_custom_field_changed_any_value_and_a_given_value(client, world: World) -> None:
    p = await project(client, world)
    field = await text_field(client, world, p["project"])
    anyv = await rule(
        client,
        p["project"],
        {"type": "custom_field_changed", "custom_field": field},
        [{"type": "set_due_date", "due_on": "2031-01-01"}],
    )
    urgent = await rule(
        client,
        p["project"],
        {"type": "custom_field_changed", "custom_field": field, "value": "urgent"},
        [{"type": "mark_complete"}],
    )
    t = await task(client, p)
    drain(world)
    ok(await client.put(f"/tasks/{t}", json={"data": {"custom_fields": {field: "meh"}}}))
    drain(world)
    got = await get_task(client, t, "due_on,completed")
    assert got == {"gid": t, "due_on": "2031-01-01", "completed": False}
    ok(await client.put(f"/tasks/{t}", json={"data": {"custom_fields": {field: "urgent"}}}))
    drain(world)
    assert (await get_task(client, t, "completed"))["completed"] is True
    assert len(await runs(client, anyv["gid"])) == 2 and len(await runs(client, urgent["gid"])) == 1


async def test_due_date_approaching_against_the_server_clock(client, world: World, monkeypatch) -> None:
    from vinyasa.rules import engine

    p = await project(client, world)
    r = await rule(
        client,
        p["project"],
        {"type": "due_date_approaching", "days": 2},
        [{"type": "move_to_section", "section": p["doing"]}],
    )
    soon = await task(client, p, "soon", due_on="2030-05-03")
    later = await task(client, p, "later", due_on="2030-05-10")
    monkeypatch.setattr(engine, "now_ms", lambda: 1_904_083_200_000)  # 2030-05-01T00:00Z
    drain(world)
    assert (await get_task(client, soon, "memberships.section"))["memberships"][0]["section"]["gid"] == p[
        "doing"
    ]
    assert (await get_task(client, later, "memberships.section"))["memberships"][0]["section"]["gid"] == p[
        "todo"
    ]
    [run] = await runs(client, r["gid"])
    assert run["trigger"] == "due_date_approaching" and run["task"]["gid"] == soon
    # Once per task and due date, whatever the scans: make the scan due again and run it.
    with world.env.engine.begin() as conn:
        conn.execute(text("UPDATE jobs SET due_at = 0 WHERE kind = 'rule_due_scan' AND due_at IS NOT NULL"))
    drain(world)
    assert len(await runs(client, r["gid"])) == 1
    # Each successful scan resets the watcher's claim count: it never fails for being long-lived.
    assert world.count("SELECT max(attempts) FROM jobs WHERE kind = 'rule_due_scan'") == 0
    assert world.count("SELECT count(*) FROM jobs WHERE kind = 'rule_due_scan' AND status = 'failed'") == 0
    # Deleting the rule ends its watcher at its next scan.
    ok(await client.delete(f"http://testserver/_vinyasa/rules/{r['gid']}"))
    with world.env.engine.begin() as conn:
        conn.execute(text("UPDATE jobs SET due_at = 0 WHERE kind = 'rule_due_scan' AND due_at IS NOT NULL"))
    drain(world)
    assert world.count("SELECT count(*) FROM jobs WHERE kind = 'rule_due_scan' AND status = 'succeeded'") == 1


async def test_rule_and_run_lists_page_like_asana_lists(client, world: World) -> None:
    p = await project(client, world)
    made = [
        await rule(
            client, p["project"], {"type": "task_added_to_project"}, [{"type": "mark_complete"}], name=n
        )
        for n in ("r0", "r1", "r2")
    ]
    first = await client.get(f"{OWN}/projects/{p['project']}/rules", params={"limit": 2})
    assert [r["name"] for r in ok(first)] == ["r0", "r1"]
    assert "actions" in ok(first)[0]  # full records
    offset = first.json()["next_page"]["offset"]
    rest = await client.get(f"{OWN}/projects/{p['project']}/rules", params={"limit": 2, "offset": offset})
    assert [r["name"] for r in ok(rest)] == ["r2"] and rest.json()["next_page"] is None
    for i in range(3):
        await task(client, p, f"t{i}")
    drain(world)
    newest = await client.get(f"{OWN}/rules/{made[0]['gid']}/runs", params={"limit": 2})
    listed = ok(newest)
    assert len(listed) == 2 and listed[0]["created_at"] >= listed[1]["created_at"] and listed[0]["status"]
    tail = await client.get(
        f"{OWN}/rules/{made[0]['gid']}/runs",
        params={"limit": 2, "offset": newest.json()["next_page"]["offset"]},
    )
    assert len(ok(tail)) == 1 and ok(tail)[0]["created_at"] <= listed[1]["created_at"]
    every = await runs(client, made[0]["gid"])  # no limit: all of them (the newest 1000)
    assert [r["gid"] for r in every] == [r["gid"] for r in listed + ok(tail)]
    bad = await client.get(f"{OWN}/rules/{made[0]['gid']}/runs", params={"offset": "forged"})
    assert bad.status_code == 400
