"""The request-free core: a Caller built for a user (as a job or webhook worker will) calls the same
services and renderers as a route and sees exactly that user's view; its changes are journaled."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import World, api_client
from tests.helpers import ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from vinyasa import access
from vinyasa.core.unit import unit_of_work
from vinyasa.protocol.resources import project_one
from vinyasa.tasks import service as tasks
from vinyasa.tasks.schemas import TASK, TaskFields

pytestmark = pytest.mark.anyio


async def test_a_worker_sees_its_users_view_and_journals_its_writes(
    client: httpx.AsyncClient, world: World
) -> None:
    member, member_token = world.person("member@example.com")
    open_project = (await make_project(client, world, name="Open"))["gid"]
    secret = (await make_project(client, world, name="Secret", privacy_setting="private"))["gid"]
    task = await make_task(client, world, "Shared", projects=[open_project, secret])
    runtime = world.env.app.state.runtime
    before = world.count("SELECT count(*) FROM journal")
    with unit_of_work(runtime.transactions, int(member), "http://worker") as caller:
        visible = access.task(caller, task)
        rendered = project_one(caller.conn, caller, TASK, visible.gid, None)
        assert [p["gid"] for p in rendered["projects"]] == [open_project]  # not the secret one
        assert rendered["permalink_url"].startswith("http://worker/")
        tasks.update_task(caller, visible, TaskFields(name="Renamed by a worker"))
    assert world.count("SELECT count(*) FROM journal") == before + 1
    async with api_client(world.env, member_token) as as_member:
        assert ok(await as_member.get(f"/tasks/{task}"))["name"] == "Renamed by a worker"

    # a failing unit of work changes nothing and records nothing
    def failing_job() -> None:
        with unit_of_work(runtime.transactions, int(member), "http://w") as caller:
            tasks.update_task(caller, access.task(caller, task), TaskFields(name="Never"))
            raise RuntimeError("the job failed")

    with pytest.raises(RuntimeError):
        failing_job()
    assert world.count("SELECT count(*) FROM journal") == before + 1
    assert ok(await client.get(f"/tasks/{task}"))["name"] == "Renamed by a worker"
