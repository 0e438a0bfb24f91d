"""Each condition and action, the journal's cause, loop prevention and a 1,000-task burst."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import World, api_client
from tests.helpers import fails, ok
from tests.rules.helpers import OWN, drain, get_task, project, rule, runs, task, text_field

pytestmark = pytest.mark.anyio
ADDED = {"type": "task_added_to_project"}


async def test_every_action_with_its_journal_cause(client, world: World) -> None:
    p = await project(client, world)
    other = await project(client, world, "Other")
    field = await text_field(client, world, p["project"])
    bob, _ = world.person("bob@example.com")
    acts = [
        {"type": "move_to_section", "section": p["doing"]},
        {"type": "set_assignee", "assignee": bob},
        {"type": "set_due_date", "days_from_now": 3},
        {"type": "set_custom_field", "custom_field": field, "value": "T-1"},
        {"type": "mark_complete"},
        {"type": "add_to_project", "project": other["project"], "section": other["done"]},
        {"type": "create_subtask", "name": "Follow up", "assignee": bob},
        {"type": "add_followers", "followers": [bob]},
    ]
    r = await rule(client, p["project"], ADDED, acts)
    t = await task(client, p)
    drain(world)
    got = await get_task(
        client,
        t,
        "memberships.section,assignee,due_on,custom_fields.display_value,completed,followers,num_subtasks",
    )
    sections = {m["section"]["gid"] for m in got["memberships"]}
    assert sections == {p["doing"], other["done"]}
    assert got["assignee"]["gid"] == bob and got["completed"] is True and got["num_subtasks"] == 1
    assert got["due_on"] is not None and [v["display_value"] for v in got["custom_fields"]] == ["T-1"]
    assert bob in {f["gid"] for f in got["followers"]}
    [sub] = ok(await client.get(f"/tasks/{t}/subtasks", params={"opt_fields": "name,assignee"}))
    assert sub["name"] == "Follow up" and sub["assignee"]["gid"] == bob
    [run] = await runs(client, r["gid"])
    assert run["actions_done"] == [a["type"] for a in acts]
    caused = world.count("SELECT count(*) FROM journal WHERE cause_gid = :r", r=int(r["gid"]))
    uncaused = world.count(
        "SELECT count(*) FROM journal WHERE cause_gid IS NULL AND resource_gid = :t", t=int(t)
    )
    assert caused >= len(acts) and uncaused >= 1  # the user's own add carries no cause
    # The runs' changes are events like any other: the other project's stream sees the add.
    events = world.count(
        "SELECT count(*) FROM journal j JOIN journal_topics tp ON tp.event_id = j.id"
        " WHERE tp.topic_gid = :p AND j.cause_gid = :r",
        p=int(other["project"]),
        r=int(r["gid"]),
    )
    assert events >= 1


async def test_conditions(client, world: World) -> None:
    p = await project(client, world)
    field = await text_field(client, world, p["project"])
    bob, _ = world.person("bob@example.com")
    conds = [
        {"type": "in_section", "section": p["todo"]},
        {"type": "custom_field_has_value", "custom_field": field, "value": "yes"},
        {"type": "assignee_is_set"},
        {"type": "assignee_is", "user": bob},
    ]
    r = await rule(
        client,
        p["project"],
        {"type": "task_completed"},
        [{"type": "set_due_date", "due_on": "2030-01-01"}],
        conditions=conds,
    )
    fit = await task(client, p, "fits", assignee=bob, custom_fields={field: "yes"})
    cases = {
        "in_section": await task(client, p, "elsewhere", assignee=bob, custom_fields={field: "yes"}),
        "custom_field_has_value": await task(
            client, p, "no value", assignee=bob, custom_fields={field: "no"}
        ),
        "assignee_is_set": await task(client, p, "nobody", custom_fields={field: "yes"}),
        "assignee_is": await task(client, p, "me", assignee=world.user, custom_fields={field: "yes"}),
    }
    ok(await client.post(f"/sections/{p['doing']}/addTask", json={"data": {"task": cases["in_section"]}}))
    for gid in [fit, *cases.values()]:
        ok(await client.put(f"/tasks/{gid}", json={"data": {"completed": True}}))
    drain(world)
    assert (await get_task(client, fit, "due_on"))["due_on"] == "2030-01-01"
    by_task = {x["task"]["gid"]: x for x in await runs(client, r["gid"])}
    assert by_task[fit]["status"] == "succeeded"
    for unmet, gid in cases.items():
        assert (await get_task(client, gid, "due_on"))["due_on"] is None
        assert by_task[gid]["status"] == "skipped" and by_task[gid]["error"] == f"Condition not met: {unmet}"


async def test_a_failing_action_is_a_failed_run_and_changes_nothing(client, world: World) -> None:
    p = await project(client, world)
    other = await project(client, world, "Other")
    r = await rule(
        client,
        p["project"],
        ADDED,
        [{"type": "mark_complete"}, {"type": "add_to_project", "project": other["project"]}],
    )
    ok(await client.delete(f"/projects/{other['project']}"))
    t = await task(client, p)
    drain(world)
    [run] = await runs(client, r["gid"])
    assert run["status"] == "failed" and run["actions_done"] == [] and "Unknown" in run["error"]
    assert (await get_task(client, t, "completed"))["completed"] is False  # rolled back together


async def test_own_changes_never_retrigger_and_chains_end(client, world: World) -> None:
    p = await project(client, world)
    # Completing sets a due date; the due date is irrelevant; but a rule that re-completes
    # and un-completes itself would loop forever without prevention.
    flip = await rule(client, p["project"], {"type": "task_completed"}, [{"type": "mark_incomplete"}])
    flop = await rule(client, p["project"], {"type": "task_incomplete"}, [{"type": "mark_complete"}])
    t = await task(client, p)
    ok(await client.put(f"/tasks/{t}", json={"data": {"completed": True}}))
    assert drain(world) <= 3  # flip, then flop, then nothing (flip is in the chain already)
    assert len(await runs(client, flip["gid"])) == 1 and len(await runs(client, flop["gid"])) == 1
    assert (await get_task(client, t, "completed"))["completed"] is True
    # A self-triggering rule: moving to Done moves to Done (no change) and completes: one run.
    again = await rule(
        client,
        p["project"],
        {"type": "task_moved_to_section", "section": p["done"]},
        [
            {"type": "move_to_section", "section": p["todo"]},
            {"type": "move_to_section", "section": p["done"]},
        ],
    )
    ok(await client.post(f"/sections/{p['done']}/addTask", json={"data": {"task": t}}))
    drain(world)
    assert len(await runs(client, again["gid"])) == 1


async def test_chains_are_bounded(client, world: World) -> None:
    from vinyasa.rules.engine import MAX_CHAIN

    p = await project(client, world)
    # Sections S0..S(n); rule i: a task moved to S(i) moves on to S(i+1). A chain of n rules.
    n = MAX_CHAIN + 2
    steps = [
        ok(await client.post(f"/projects/{p['project']}/sections", json={"data": {"name": f"S{i}"}}), 201)[
            "gid"
        ]
        for i in range(n + 1)
    ]
    made = [
        await rule(
            client,
            p["project"],
            {"type": "task_moved_to_section", "section": steps[i]},
            [{"type": "move_to_section", "section": steps[i + 1]}],
        )
        for i in range(n)
    ]
    t = await task(client, p)
    ok(await client.post(f"/sections/{steps[0]}/addTask", json={"data": {"task": t}}))
    drain(world)
    ran = [len(await runs(client, r["gid"])) for r in made]
    assert ran == [1] * MAX_CHAIN + [0] * (n - MAX_CHAIN)  # the user's move, then MAX_CHAIN rules deep
    where = (await get_task(client, t, "memberships.section"))["memberships"][0]["section"]["gid"]
    assert where == steps[MAX_CHAIN]


async def test_a_thousand_tasks_added_at_once(client, world: World) -> None:
    from vinyasa.core.unit import unit_of_work
    from vinyasa.tasks import service
    from vinyasa.tasks.schemas import TaskFields

    p = await project(client, world)
    r = await rule(client, p["project"], ADDED, [{"type": "set_due_date", "due_on": "2030-02-02"}])
    transactions = world.env.app.state.runtime.transactions
    with unit_of_work(transactions, int(world.user), "http://testserver") as caller:
        for i in range(1000):
            service.create_task(
                caller, TaskFields.model_validate({"name": f"t{i}", "projects": [p["project"]]})
            )
    assert world.count("SELECT count(*) FROM jobs WHERE kind = 'rule_runs'") == 1
    drain(world)
    assert (
        world.count(
            "SELECT count(*) FROM rule_runs WHERE rule_gid = :r AND status = 'succeeded'", r=int(r["gid"])
        )
        == 1000
    )
    assert world.count("SELECT count(*) FROM tasks WHERE due_on = '2030-02-02'") == 1000
    assert len(await runs(client, r["gid"])) == 1000


async def test_disabled_rules_do_not_run(client, world: World) -> None:
    p = await project(client, world)
    r = await rule(client, p["project"], ADDED, [{"type": "mark_complete"}], enabled=False)
    t = await task(client, p)
    drain(world)
    assert (
        await runs(client, r["gid"]) == [] and (await get_task(client, t, "completed"))["completed"] is False
    )
    ok(await client.put(f"{OWN}/rules/{r['gid']}", json={"data": {"enabled": True}}))
    t2 = await task(client, p)
    drain(world)
    assert (await get_task(client, t2, "completed"))["completed"] is True
    with world.env.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM rule_runs")).scalar_one() == 1
    ok(await client.delete(f"{OWN}/rules/{r['gid']}"))
    fails(await client.get(f"{OWN}/rules/{r['gid']}/runs"), 404, "Unknown rule")
    async with api_client(world.env, world.token) as again:
        fails(await again.get(f"{OWN}/rules/{r['gid']}"), 404)
