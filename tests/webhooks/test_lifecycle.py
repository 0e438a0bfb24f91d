"""Webhooks end with their resource (Asana removes a webhook whose resource is deleted, after its
last events), and webhooks on portfolios (filters required, no task events). A real loopback
receiver; rounds run in the test's thread (`drain`)."""

from __future__ import annotations

import time

import pytest

from tests.conftest import World, api_client
from tests.helpers import fails, ok
from tests.portfolios.helpers import add_item, make_portfolio
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from tests.webhooks.helpers import drain, fast, hook_state, make_webhook, worker
from tests.webhooks.receiver import Receiver, receiving
from vinyasa.webhooks.worker import Deliverer

pytestmark = pytest.mark.anyio
CHANGED = [{"action": "changed"}]


@pytest.fixture
def deliverer(world: World):
    made = Deliverer(world.env.engine, fast(world.env))
    yield made
    made.stop()


def _kinds(rx: Receiver) -> list[tuple[str, str]]:
    return [(e["resource"]["resource_type"], e["action"]) for e in rx.events()]


async def _gone_for_the_api(client, world: World, gid: str) -> None:
    fails(await client.get(f"/webhooks/{gid}"), 404, "webhook")
    fails(await client.put(f"/webhooks/{gid}", json={"data": {"filters": CHANGED}}), 404, "webhook")
    fails(await client.get(f"http://testserver/_vinyasa/webhooks/{gid}/deliveries"), 404, "webhook")
    listed = ok(await client.get("/webhooks", params={"workspace": world.workspace}))
    assert gid not in {w["gid"] for w in listed}


async def test_deleting_the_watched_project_ends_its_webhooks_after_their_last_events(
    client, world: World, deliverer
) -> None:
    project = (await make_project(client, world))["gid"]
    other = (await make_project(client, world, name="Other"))["gid"]
    with receiving() as rx, receiving() as filtered, receiving() as bystander:
        everything = (await make_webhook(client, project, rx.url))["data"]["gid"]
        changes = (await make_webhook(client, project, filtered.url, CHANGED))["data"]["gid"]
        kept = (await make_webhook(client, other, bystander.url))["data"]["gid"]
        task = await make_task(client, world, "T", projects=[project])
        ok(await client.put(f"/tasks/{task}", json={"data": {"name": "Renamed"}}))
        ok(await client.delete(f"/projects/{project}"))
        for gid in (everything, changes):  # gone for the API at once, still there for the worker
            await _gone_for_the_api(client, world, gid)
            assert hook_state(world.env, gid)["ends_at"] is not None
        drain(deliverer)
        kinds = _kinds(rx)  # the task added (to the project and its section), renamed; the end
        assert kinds[0] == ("task", "added") and ("task", "changed") in kinds
        assert kinds[-1] == ("project", "deleted") and kinds.count(("project", "deleted")) == 1
        assert _kinds(filtered) == [("task", "changed")]  # its filters keep the deletion out
        assert bystander.deliveries() == []
        assert hook_state(world.env, everything) == {} and hook_state(world.env, changes) == {}
        assert ok(await client.get(f"/webhooks/{kept}"))["resource"]["gid"] == other
        ok(await client.put(f"/projects/{other}", json={"data": {"name": "Still watched"}}))
        drain(deliverer)
    assert _kinds(bystander) == [("project", "changed")]
    assert len(rx.deliveries()) == 1 and len(filtered.deliveries()) == 1  # nothing after the end


async def test_a_task_webhook_retries_its_last_events_before_it_ends(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    task = await make_task(client, world, "T", projects=[project])
    with receiving(statuses=[500, 500]) as rx:
        gid = (await make_webhook(client, task, rx.url))["data"]["gid"]
        ok(await client.put(f"/tasks/{task}", json={"data": {"notes": "last words"}}))
        ok(await client.delete(f"/tasks/{task}"))
        await _gone_for_the_api(client, world, gid)
        with worker(world.env, fast(world.env, webhook_retry_base_seconds=0.01)):
            rx.wait(3)
            end = time.monotonic() + 10
            while hook_state(world.env, gid) and time.monotonic() < end:
                time.sleep(0.01)
        bodies = [r.events for r in rx.deliveries()]
    assert len(bodies) == 3 and bodies[0] == bodies[2]  # the same batch until it got through
    assert [(e["resource"]["resource_type"], e["action"]) for e in bodies[-1]] == [
        ("task", "changed"),
        ("task", "deleted"),
    ]
    assert hook_state(world.env, gid) == {}


async def test_an_ending_webhook_whose_events_were_all_filtered_out_still_ends(
    client, world: World, deliverer
) -> None:
    project = (await make_project(client, world))["gid"]
    with receiving() as rx:
        gid = (await make_webhook(client, project, rx.url, [{"resource_type": "story"}]))["data"]["gid"]
        ok(await client.delete(f"/projects/{project}"))
        drain(deliverer)
    assert rx.deliveries() == [] and hook_state(world.env, gid) == {}


async def test_portfolio_webhooks_need_filters_without_fields(client, world: World) -> None:
    portfolio = (await make_portfolio(client, world))["gid"]
    with receiving() as rx:
        data = {"resource": portfolio, "target": rx.url}
        fails(
            await client.post("/webhooks", json={"data": data}),
            400,
            "filters: Webhooks on a portfolio must specify filters",
        )
        fields = [{"resource_type": "portfolio", "action": "changed", "fields": ["name"]}]
        fails(
            await client.post("/webhooks", json={"data": {**data, "filters": fields}}),
            400,
            "filters[0].fields: Webhooks on a portfolio do not support fields",
        )
        assert rx.handshakes == []
        made = (await make_webhook(client, portfolio, rx.url, [{"resource_type": "portfolio"}]))["data"]
    assert made["resource"] == {"gid": portfolio, "resource_type": "portfolio", "name": "Bets"}
    on_it = ok(await client.get("/webhooks", params={"workspace": world.workspace, "resource": portfolio}))
    assert [w["gid"] for w in on_it] == [made["gid"]]
    fails(await client.put(f"/webhooks/{made['gid']}", json={"data": {"filters": []}}), 400, "portfolio")


async def test_a_portfolio_webhook_delivers_its_changes_and_ends_with_it(
    client, world: World, deliverer
) -> None:
    portfolio = (await make_portfolio(client, world))["gid"]
    project = (await make_project(client, world))["gid"]
    filters = [{"resource_type": "portfolio"}, {"resource_type": "project", "action": "added"}]
    with receiving() as rx:
        gid = (await make_webhook(client, portfolio, rx.url, filters))["data"]["gid"]
        ok(await client.put(f"/portfolios/{portfolio}", json={"data": {"name": "Bigger bets"}}))
        await add_item(client, portfolio, project)
        task = await make_task(client, world, "T", projects=[project])
        ok(await client.put(f"/tasks/{task}", json={"data": {"name": "Renamed"}}))
        drain(deliverer)
        assert ok(await client.get(f"/webhooks/{gid}"))["last_success_at"] is not None
        ok(await client.delete(f"/portfolios/{portfolio}"))
        drain(deliverer)
    kinds = _kinds(rx)
    assert kinds[0] == ("portfolio", "changed") and kinds[-1] == ("portfolio", "deleted")
    assert ("project", "added") in kinds
    assert all(kind != "task" for kind, _ in kinds)
    assert hook_state(world.env, gid) == {}
    fails(await client.get(f"/webhooks/{gid}"), 404, "webhook")


async def test_a_portfolio_webhook_hears_nothing_its_creator_can_no_longer_see(
    client, world: World, deliverer
) -> None:
    portfolio = (await make_portfolio(client, world, privacy_setting="members_only"))["gid"]
    member, token = world.person("member@example.com")
    ok(await client.post(f"/portfolios/{portfolio}/addMembers", json={"data": {"members": member}}))
    with receiving() as rx:
        async with api_client(world.env, token) as theirs:
            await make_webhook(theirs, portfolio, rx.url, [{"resource_type": "portfolio"}])
        ok(await client.put(f"/portfolios/{portfolio}", json={"data": {"name": "Seen"}}))
        drain(deliverer)
        assert _kinds(rx) == [("portfolio", "changed")]
        ok(await client.post(f"/portfolios/{portfolio}/removeMembers", json={"data": {"members": member}}))
        ok(await client.put(f"/portfolios/{portfolio}", json={"data": {"name": "Unseen"}}))
        drain(deliverer)
    assert _kinds(rx) == [("portfolio", "changed")]  # nothing more: its creator cannot see it now


async def test_deleting_a_task_ends_the_webhooks_on_its_subtasks(client, world: World, deliverer) -> None:
    project = (await make_project(client, world))["gid"]
    task = await make_task(client, world, "T", projects=[project])
    sub = ok(await client.post(f"/tasks/{task}/subtasks", json={"data": {"name": "Sub"}}), 201)["gid"]
    deeper = ok(await client.post(f"/tasks/{sub}/subtasks", json={"data": {"name": "Deeper"}}), 201)["gid"]
    with receiving() as rx, receiving() as bystander:
        on_sub = (await make_webhook(client, sub, rx.url))["data"]["gid"]
        on_deeper = (await make_webhook(client, deeper, rx.url))["data"]["gid"]
        kept = (await make_webhook(client, project, bystander.url))["data"]["gid"]
        ok(await client.put(f"/tasks/{deeper}", json={"data": {"notes": "last words"}}))
        ok(await client.delete(f"/tasks/{task}"))  # the subtasks go with it, no `deleted` of their own
        for gid in (on_sub, on_deeper):
            await _gone_for_the_api(client, world, gid)
            assert hook_state(world.env, gid)["ends_at"] is not None
        drain(deliverer)
        assert hook_state(world.env, on_sub) == {} and hook_state(world.env, on_deeper) == {}
        assert ok(await client.get(f"/webhooks/{kept}"))["resource"]["gid"] == project
    events = [(e["resource"]["gid"], e["action"]) for e in rx.events()]
    assert (deeper, "changed") in events  # what was committed before the deletion still arrives
    assert ("task", "deleted") in _kinds(bystander)
