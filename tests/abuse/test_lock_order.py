"""The journal's lock is the last lock a write takes (vinyasa.core.journal): no deadlock between a
request holding a row and a flush that wants it.

On PostgreSQL a flush takes the journal writers' advisory lock, held to commit. A request that
locked a row (a PUT of a webhook, a custom field, a rule) then waits for that lock at its flush. If
the flush holding it then waited for the same row (a webhook ended with its deleted resource, an ID
field's counter, a task's assignment row) the two deadlocked: PostgreSQL broke the cycle after its
deadlock timeout (1 s, every other writer stalled behind the journal lock meanwhile) and the request
ran again. Found by a fresh concurrency attack; SQLite's one writer cannot deadlock so.

`retried` (tests/abuse/test_races.py) records each race a request lost and ran again for, a
deadlock among them (the answers alone do not show it).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import pytest
from sqlalchemy import text

from tests.abuse.test_races import pool, race, retried
from tests.conftest import World
from tests.custom_fields.helpers import make_field
from tests.helpers import ok
from tests.projects.helpers import make_project
from tests.rules.helpers import rule
from tests.tasks.helpers import make_task
from tests.webhooks.helpers import make_webhook
from tests.webhooks.receiver import receiving

pytestmark = pytest.mark.anyio
__all__ = ["pool", "retried"]  # the fixtures, used by name
ROUNDS = 20


def _where(retried: list[BaseException]) -> list[str]:
    """Each deadlock's context: the statement that was waiting when PostgreSQL broke the cycle."""
    return [
        str(e).rsplit("CONTEXT:", 1)[-1].strip()
        for e in retried
        if str(getattr(getattr(e, "orig", e), "sqlstate", "")) == "40P01"
    ]


async def test_changing_a_webhook_while_its_resource_is_deleted(client, world: World, pool, retried):
    project = (await make_project(client, world))["gid"]
    with receiving() as rx:
        for i in range(ROUNDS):
            task = await make_task(client, world, f"watched {i}", projects=[project])
            hooks = [(await make_webhook(client, task, rx.url))["data"]["gid"] for _ in range(3)]
            changes: list[Any] = [
                ("PUT", f"/webhooks/{gid}", {"filters": [{"action": "changed"}]}) for gid in hooks
            ]
            answers = race(pool, world, ("DELETE", f"/tasks/{task}", None), *changes)
            assert answers[0][0] == 200 and all(a[0] in (200, 404) for a in answers[1:]), answers
    assert _where(retried) == []


async def test_changing_an_id_field_while_tasks_get_their_numbers(client, world: World, pool, retried):
    field = (await make_field(client, world, "Ticket", id_prefix="eng"))["gid"]
    project = (await make_project(client, world))["gid"]
    ok(
        await client.post(
            f"/projects/{project}/addCustomFieldSetting", json={"data": {"custom_field": field}}
        )
    )
    for i in range(ROUNDS):
        create = ("POST", "/tasks", {"name": f"t{i}", "projects": [project]})
        rename = ("PUT", f"/custom_fields/{field}", {"name": f"Ticket {i}"})
        answers = race(pool, world, create, rename, create, rename)
        assert [a[0] for a in answers] == [201, 200, 201, 200], answers
    assert _where(retried) == []
    numbers = world.count(
        "SELECT count(DISTINCT number_value) FROM task_custom_field_values WHERE custom_field_gid = :f",
        f=int(field),
    )
    assert numbers == 2 * ROUNDS


# ---- row locks: a change holds its rows FOR NO KEY UPDATE, projects before tasks (vinyasa.db.row_lock)
# Found by a fresh attack on two server processes; each deadlocked on the code before.

WEB_REQUEST = {"type": "incoming_web_request"}


async def _sections(client, world: World) -> tuple[str, str, str]:
    project = (await make_project(client, world))["gid"]
    first, second = [
        ok(await client.post(f"/projects/{project}/sections", json={"data": {"name": n}}), 201)["gid"]
        for n in ("first", "second")
    ]
    return project, first, second


async def test_a_task_change_while_it_is_moved_to_a_section(client, world: World, pool) -> None:
    # The PUT updates the task's project rows twice (a trigger, then the flags): the second update
    # checks their foreign keys (FOR KEY SHARE of the project) while addTask holds the project.
    project, _, second = await _sections(client, world)
    for i in range(ROUNDS):
        task = await make_task(client, world, f"t{i}", projects=[project])
        change = {"due_on": f"2030-01-{1 + i % 28:02d}", "completed": True}
        answers = race(
            pool,
            world,
            ("PUT", f"/tasks/{task}", change),
            ("POST", f"/sections/{second}/addTask", {"task": task}),
        )
        assert [a[0] for a in answers] == [200, 200], answers


async def test_a_rule_run_moving_a_task_while_it_is_moved(client, world: World, pool) -> None:
    # The run locks the project its move_to_section puts the task in before the task, as addTask does.
    project, first, second = await _sections(client, world)
    moves = [{"type": "mark_complete"}, {"type": "move_to_section", "section": first}]
    trigger = (await rule(client, project, WEB_REQUEST, moves))["trigger"]["rule_trigger_gid"]
    for i in range(ROUNDS):
        task = await make_task(client, world, f"t{i}", projects=[project])
        run = ("POST", f"/rule_triggers/{trigger}/run", {"resource": task, "action_data": {}})
        answers = race(pool, world, run, ("POST", f"/sections/{second}/addTask", {"task": task}))
        assert [a[0] for a in answers] == [200, 200], answers


async def test_a_rule_run_on_a_subtask_while_its_parent_is_deleted(client, world: World, pool) -> None:
    # The run's second update of the subtask checks its parent (FOR KEY SHARE); the DELETE locks the
    # subtasks before its row goes, so it waits for the run instead of the run waiting for it.
    project = (await make_project(client, world))["gid"]
    changes = [{"type": "set_due_date", "due_on": "2030-01-02"}, {"type": "mark_complete"}]
    trigger = (await rule(client, project, WEB_REQUEST, changes))["trigger"]["rule_trigger_gid"]
    for i in range(ROUNDS):
        parent = await make_task(client, world, f"p{i}")
        subtask = await make_task(client, world, f"s{i}", parent=parent, projects=[project])
        run = ("POST", f"/rule_triggers/{trigger}/run", {"resource": subtask, "action_data": {}})
        (ran, _), (deleted, _) = race(pool, world, run, ("DELETE", f"/tasks/{parent}", None))
        assert deleted == 200 and ran in (200, 400, 404)


async def test_renaming_an_option_while_tasks_take_values(client, world: World, pool) -> None:
    # The rename rewrites the tasks' display rows (a foreign key to each task) while the task PUTs
    # hold their tasks and read the field.
    body = {"enum_options": [{"name": "a"}, {"name": "b"}]}
    field = await make_field(client, world, "Stage", "enum", **body)
    options = [o["gid"] for o in field["enum_options"]]
    project = (await make_project(client, world))["gid"]
    ok(
        await client.post(
            f"/projects/{project}/addCustomFieldSetting", json={"data": {"custom_field": field["gid"]}}
        )
    )
    tasks = [await make_task(client, world, f"t{i}", projects=[project]) for i in range(4)]
    for i in range(ROUNDS):
        values = {"custom_fields": {field["gid"]: options[i % 2]}}
        answers = race(
            pool,
            world,
            *(("PUT", f"/enum_options/{o}", {"name": f"{n}{i}"}) for o, n in zip(options, "ab", strict=True)),
            *(("PUT", f"/tasks/{t}", values) for t in tasks),
        )
        assert all(a[0] == 200 for a in answers), answers


def _added_and_removed(world: World, resource: str, parent: str) -> tuple[int, int]:
    counts = [
        world.count(
            "SELECT count(*) FROM journal WHERE resource_gid = :r AND parent_gid = :p AND action = :a",
            r=int(resource),
            p=int(parent),
            a=action,
        )
        for action in ("added", "removed")
    ]
    return counts[0], counts[1]


async def test_a_setting_removed_while_its_field_is_deleted_is_journaled_once(client, world: World, pool):
    for i in range(ROUNDS):
        field = (await make_field(client, world, f"Field {i}"))["gid"]
        project = (await make_project(client, world))["gid"]
        setting = ok(
            await client.post(
                f"/projects/{project}/addCustomFieldSetting", json={"data": {"custom_field": field}}
            )
        )["gid"]
        remove = ("POST", f"/projects/{project}/removeCustomFieldSetting", {"custom_field": field})
        (removed, _), (deleted, _) = race(pool, world, remove, ("DELETE", f"/custom_fields/{field}", None))
        assert deleted == 200 and removed in (200, 400, 404)
        assert _added_and_removed(world, setting, project)[1] == 1


async def test_an_item_removed_while_it_is_deleted_is_journaled_once(client, world: World, pool):
    portfolio = ok(
        await client.post("/portfolios", json={"data": {"name": "P", "workspace": world.workspace}}), 201
    )
    for _ in range(ROUNDS):
        project = (await make_project(client, world))["gid"]
        add = {"item": project}
        ok(await client.post(f"/portfolios/{portfolio['gid']}/addItem", json={"data": add}))
        remove = ("POST", f"/portfolios/{portfolio['gid']}/removeItem", add)
        (removed, _), (deleted, _) = race(pool, world, remove, ("DELETE", f"/projects/{project}", None))
        assert deleted == 200 and removed in (200, 400, 404)
        assert _added_and_removed(world, project, portfolio["gid"])[1] == 1


# ---- a delete holds its row FOR UPDATE when others add children under it without locking it
# (vinyasa.db.row_lock): the child's foreign-key check waits, then fails and the request runs again


async def test_a_project_deleted_while_it_is_added_to_a_portfolio(client, world: World, pool) -> None:
    portfolio = ok(
        await client.post("/portfolios", json={"data": {"name": "P", "workspace": world.workspace}}), 201
    )
    for _ in range(ROUNDS):
        project = (await make_project(client, world))["gid"]
        add = ("POST", f"/portfolios/{portfolio['gid']}/addItem", {"item": project})
        (added, _), (deleted, _) = race(pool, world, add, ("DELETE", f"/projects/{project}", None))
        assert deleted == 200 and added in (200, 400, 404)
        got, lost = _added_and_removed(world, project, portfolio["gid"])
        assert got == lost == (1 if added == 200 else 0)


async def test_a_field_deleted_while_it_is_added_to_a_project(client, world: World, pool) -> None:
    project = (await make_project(client, world))["gid"]
    for i in range(ROUNDS):
        field = (await make_field(client, world, f"Field {i}", id_prefix=f"F{i}" if i % 2 else None))["gid"]
        add = ("POST", f"/projects/{project}/addCustomFieldSetting", {"custom_field": field})
        (added, answer), (deleted, _) = race(pool, world, add, ("DELETE", f"/custom_fields/{field}", None))
        assert deleted == 200 and added in (200, 400, 404)
        if added == 200:
            got, lost = _added_and_removed(world, answer["data"]["gid"], project)
            assert got == lost == 1


async def test_a_tag_deleted_while_it_is_added_to_a_task(client, world: World, pool) -> None:
    task = await make_task(client, world, "tagged")
    for i in range(ROUNDS):
        tag = ok(
            await client.post("/tags", json={"data": {"name": f"t{i}", "workspace": world.workspace}}), 201
        )
        add = ("POST", f"/tasks/{task}/addTag", {"tag": tag["gid"]})
        (added, _), (deleted, _) = race(pool, world, add, ("DELETE", f"/tags/{tag['gid']}", None))
        assert deleted == 200 and added in (200, 400, 404)
        got, lost = _added_and_removed(world, task, tag["gid"])
        assert got == lost == (1 if added == 200 else 0)


async def test_a_task_change_while_its_project_is_deleted(client, world: World, pool) -> None:
    # The change writes the task's project rows twice (the due date's trigger, then the flags): it
    # holds the projects first, so the project's DELETE and it do not wait for each other in a cycle.
    for i in range(ROUNDS):
        project = (await make_project(client, world))["gid"]
        tasks = [await make_task(client, world, f"t{i}{n}", projects=[project]) for n in range(3)]
        change = {"due_on": f"2030-01-{1 + i % 28:02d}", "completed": True}
        answers = race(
            pool,
            world,
            ("DELETE", f"/projects/{project}", None),
            *(("PUT", f"/tasks/{t}", change) for t in tasks),
        )
        assert all(a[0] == 200 for a in answers), answers


async def test_a_tag_removed_while_it_is_deleted_is_journaled_once(client, world: World, pool) -> None:
    for i in range(ROUNDS):
        tag = ok(
            await client.post("/tags", json={"data": {"name": f"t{i}", "workspace": world.workspace}}), 201
        )
        task = await make_task(client, world, f"tagged {i}")
        ok(await client.post(f"/tasks/{task}/addTag", json={"data": {"tag": tag["gid"]}}))
        remove = ("POST", f"/tasks/{task}/removeTag", {"tag": tag["gid"]})
        (removed, _), (deleted, _) = race(pool, world, remove, ("DELETE", f"/tags/{tag['gid']}", None))
        assert deleted == 200 and removed in (200, 400, 404)
        assert _added_and_removed(world, task, tag["gid"]) == (1, 1)


async def test_an_anchor_deleted_while_an_item_is_placed_by_it_is_a_400(client, world: World, pool) -> None:
    portfolio = ok(
        await client.post("/portfolios", json={"data": {"name": "P", "workspace": world.workspace}}), 201
    )
    items = f"/portfolios/{portfolio['gid']}"
    for _ in range(ROUNDS):
        anchor, moved = [(await make_project(client, world))["gid"] for _ in range(2)]
        ok(await client.post(f"{items}/addItem", json={"data": {"item": anchor}}))
        place = ("POST", f"{items}/addItem", {"item": moved, "insert_after": anchor})
        (placed, answer), (deleted, _) = race(pool, world, place, ("DELETE", f"/projects/{anchor}", None))
        assert deleted == 200 and placed in (200, 400), answer


async def test_a_duplicate_locks_the_outside_tasks_it_links_in_gid_order(client, world: World) -> None:
    # The copy depends on the source's outside tasks: the job locks them together, in gid order, as
    # addDependencies locks the tasks it links. It locked them one at a time in the links' order
    # (the order they were added): holding the later-gid task while it waited for the earlier one,
    # which a request linking both held, and that request then waited for the later one.
    if world.env.backend != "postgresql":
        pytest.skip("SQLite's one writer holds no row locks")
    from tests.jobs.helpers import drain

    source = await make_task(client, world, "source")
    low, high = sorted([await make_task(client, world, f"x{n}") for n in range(2)], key=int)
    for outside in (high, low):  # added in this order: the links' order is high, then low
        ok(await client.post(f"/tasks/{source}/addDependencies", json={"data": {"dependencies": [outside]}}))
        await anyio.sleep(0.01)
    duplicate = {"data": {"name": "copy", "include": "dependencies"}}
    job = ok(await client.post(f"/tasks/{source}/duplicate", json=duplicate), 201)
    lock = "SELECT gid FROM tasks WHERE gid = :g FOR NO KEY UPDATE"
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
    engine = world.env.engine
    with ThreadPoolExecutor(1) as pool, engine.connect() as conn, engine.connect() as watch:
        conn.execute(text(lock), {"g": int(low)})  # a request linking low and high holds low...
        ran = pool.submit(drain, world)
        for _ in range(500):  # ...while the job waits for a row it holds
            watch.rollback()  # (a transaction sees one snapshot of pg_stat_activity)
            if watch.execute(text(waiting)).scalar_one():
                break
            await anyio.sleep(0.01)
        else:
            raise AssertionError("the job never waited for the locked task")
        conn.execute(text(lock), {"g": int(high)})  # ...then takes high: the job must not hold it
        conn.commit()
        ran.result(timeout=60)
    done = ok(await client.get(f"/jobs/{job['gid']}"))
    assert done["status"] == "succeeded", done
    links = ok(await client.get(f"/tasks/{done['new_task']['gid']}/dependencies"))
    assert sorted(t["gid"] for t in links) == [low, high]


async def test_renaming_an_id_field_while_it_is_added_to_projects(client, world: World, pool) -> None:
    # The rename updates a key column (unique names): FOR UPDATE, which waits for a new setting's
    # foreign-key check (FOR KEY SHARE); that setting's transaction then numbers its project's tasks
    # under the field's lock. Held FOR NO KEY UPDATE before the update, the rename deadlocked with it.
    field = (await make_field(client, world, "Ticket", id_prefix="eng"))["gid"]
    for i in range(ROUNDS):
        projects = [(await make_project(client, world, name=f"p{i}.{n}"))["gid"] for n in range(3)]
        for project in projects:
            await make_task(client, world, f"t{i}", projects=[project])
        add = [("POST", f"/projects/{p}/addCustomFieldSetting", {"custom_field": field}) for p in projects]
        rename = ("PUT", f"/custom_fields/{field}", {"name": f"Ticket {i}"})
        answers = race(pool, world, add[0], rename, add[1], add[2])
        assert [a[0] for a in answers] == [200, 200, 200, 200], answers


# ---- one change, journaled once: two requests making the same change at once (two processes) -----
# Each read what was there before the other's write, wrote (the second changed nothing) and
# journaled the change. Found by a fresh attack on two server processes.


def _journaled(world: World, resource: str, action: str, field: str | None = None) -> int:
    return world.count(
        "SELECT count(*) FROM journal WHERE resource_gid = :r AND action = :a"
        " AND (field = :f OR :f IS NULL AND field IS NULL)",
        r=int(resource),
        a=action,
        f=field,
    )


async def test_one_follower_removed_twice_at_once_is_journaled_once(client, world: World, pool) -> None:
    bob, _ = world.person("bob@example.com")
    for i in range(ROUNDS):
        task = await make_task(client, world, f"t{i}")
        ok(await client.post(f"/tasks/{task}/addFollowers", json={"data": {"followers": [bob]}}))
        remove = ("POST", f"/tasks/{task}/removeFollowers", {"followers": [bob]})
        assert [a[0] for a in race(pool, world, remove, remove)] == [200, 200]
        assert _journaled(world, task, "changed", "followers") == 2  # bob added, then removed


async def test_one_link_removed_twice_at_once_is_journaled_once(client, world: World, pool) -> None:
    for i in range(ROUNDS):
        task, other = [await make_task(client, world, f"{n}{i}") for n in "ab"]
        ok(await client.post(f"/tasks/{task}/addDependencies", json={"data": {"dependencies": [other]}}))
        remove = ("POST", f"/tasks/{task}/removeDependencies", {"dependencies": [other]})
        assert [a[0] for a in race(pool, world, remove, remove)] == [200, 200]
        assert _journaled(world, task, "changed", "dependencies") == 2  # added, removed
        assert _journaled(world, other, "changed", "dependents") == 2


async def test_one_project_follower_added_twice_at_once_is_journaled_once(client, world: World, pool) -> None:
    bob, _ = world.person("bob@example.com")
    for _ in range(ROUNDS):
        project = (await make_project(client, world))["gid"]
        before = _journaled(world, project, "changed", "followers")
        add = ("POST", f"/projects/{project}/addFollowers", {"followers": [bob]})
        assert [a[0] for a in race(pool, world, add, add)] == [200, 200]
        assert _journaled(world, project, "changed", "followers") == before + 1


async def test_two_moves_of_one_task_at_once_are_journaled_from_where_each_found_it(
    client, world: World, pool
) -> None:
    # Each move journaled the parent it read before its lock: a move back to the first parent was
    # lost, or the first parent was `removed` twice and the real one never.
    a, b, c = [await make_task(client, world, n) for n in "abc"]
    for i in range(ROUNDS):
        task = await make_task(client, world, f"t{i}", parent=a)
        first, second = (b, a) if i % 2 else (b, c)
        moves = [("POST", f"/tasks/{task}/setParent", {"parent": p}) for p in (first, second)]
        assert [x[0] for x in race(pool, world, *moves)] == [200, 200]
        with world.env.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT action, parent_gid FROM journal WHERE resource_gid = :t"
                    " AND action IN ('added', 'removed') AND parent_type = 'task' ORDER BY id"
                ),
                {"t": int(task)},
            ).all()
        at = int(a)  # the chain of moves: each removed from where the one before added it
        for (removed, old), (added, new) in zip(rows[1::2], rows[2::2], strict=True):
            assert (removed, old, added) == ("removed", at, "added"), rows
            at = new
        final = ok(await client.get(f"/tasks/{task}", params={"opt_fields": "parent"}))["parent"]["gid"]
        assert at == int(final), rows
