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

from typing import Any

import pytest

from tests.abuse.test_races import pool, race, retried
from tests.conftest import World
from tests.custom_fields.helpers import make_field
from tests.helpers import ok
from tests.projects.helpers import make_project
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
