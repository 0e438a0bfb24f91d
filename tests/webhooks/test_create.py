"""POST/GET/PUT/DELETE /webhooks: the synchronous handshake, the target policy, filters, access."""

from __future__ import annotations

import socket
import ssl

import pytest

from tests.conftest import World, api_client
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from tests.webhooks.helpers import FULL, configure, make_webhook
from tests.webhooks.receiver import receiving
from vinyasa.webhooks.client import tls

pytestmark = pytest.mark.anyio


def _count(world: World) -> int:
    return world.count("SELECT count(*) FROM webhooks")


async def test_handshake_success_returns_the_webhook_and_the_secret(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    with receiving() as rx:
        response = await client.post("/webhooks", json={"data": {"resource": project, "target": rx.url}})
        body = ok(response, 201)
        assert len(rx.handshakes) == 1
    secret = rx.handshakes[0]["x-hook-secret"]
    assert response.json()["X-Hook-Secret"] == secret
    assert response.headers["X-Hook-Secret"] == secret
    assert set(body) == FULL
    assert body["resource"] == {"gid": project, "resource_type": "project", "name": "Roadmap"}
    assert body["target"] == rx.url  # the full URL, parameters included
    assert body["active"] is True and body["filters"] == [] and body["delivery_retry_count"] == 0
    assert response.headers["Location"].endswith(f"/api/1.0/webhooks/{body['gid']}")
    assert ok(await client.get(f"/webhooks/{body['gid']}")) == body


async def test_handshakes_share_one_tls_setup(client, world: World, monkeypatch) -> None:
    """Each handshake used to make its own TLS settings (loading the certificates: ~20 ms of CPU
    per create); they are made once for all requests to targets (vinyasa.webhooks.client.tls)."""
    made: list[object] = []
    real = ssl.create_default_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        made.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    tls.cache_clear()
    project = (await make_project(client, world))["gid"]
    with receiving() as rx:
        for _ in range(3):
            ok(await client.post("/webhooks", json={"data": {"resource": project, "target": rx.url}}), 201)
        assert len(rx.handshakes) == 3
    assert len(made) <= 1


async def test_form_encoded_create_as_in_the_spec_example(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    with receiving() as rx:
        response = await client.post("/webhooks", data={"resource": project, "target": rx.url})
    assert ok(response, 201)["resource"]["gid"] == project


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("wrong", "did not echo the X-Hook-Secret"),
        ("status:500", "the target answered 500"),
        ("status:201", "the target answered 201"),
        ("sleep:2", "did not answer in time"),
    ],
)
async def test_failed_handshake_is_a_400_and_stores_nothing(
    client, world: World, monkeypatch, mode: str, reason: str
) -> None:
    configure(monkeypatch, world.env)
    project = (await make_project(client, world))["gid"]
    before = world.count("SELECT count(*) FROM journal")
    with receiving(handshake=mode) as rx:
        response = await client.post("/webhooks", json={"data": {"resource": project, "target": rx.url}})
    fails(response, 400, "The webhook handshake failed", reason, "X-Hook-Secret")
    assert _count(world) == 0
    assert world.count("SELECT count(*) FROM journal") == before


async def test_unreachable_target_fails_the_handshake(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    response = await client.post(
        "/webhooks", json={"data": {"resource": project, "target": f"http://127.0.0.1:{port}/"}}
    )
    fails(response, 400, "could not be reached")
    assert _count(world) == 0


@pytest.mark.parametrize(
    ("target", "allowed", "status", "fragment"),
    [
        ("ftp://127.0.0.1/x", "", 400, "http or https URL"),
        ("http:///nohost", "", 400, "http or https URL"),
        ("http://127.0.0.1:notaport/", "", 400, "Not a valid URL"),
        ("http://10.1.2.3/hook", "", 403, "VINYASA_WEBHOOK_ALLOWED_HOSTS"),
        ("http://169.254.169.254/latest/meta-data", "*", 403, "link-local or metadata"),
        ("http://[fe80::1]/x", "*", 403, "link-local or metadata"),
        ("http://100.100.100.200/x", "*", 403, "link-local or metadata"),
        ("http://host.invalid/x", "*", 400, "could not be resolved"),
    ],
)
async def test_target_policy(
    client, world: World, monkeypatch, target: str, allowed: str, status: int, fragment: str
) -> None:
    configure(monkeypatch, world.env, webhook_allowed_hosts=allowed)
    project = (await make_project(client, world))["gid"]
    response = await client.post("/webhooks", json={"data": {"resource": project, "target": target}})
    fails(response, status, fragment)
    assert _count(world) == 0


async def test_an_allowed_host_passes_the_policy_then_needs_the_handshake(
    client, world: World, monkeypatch
) -> None:
    configure(monkeypatch, world.env, webhook_allowed_hosts="10.255.255.1, other.example")
    project = (await make_project(client, world))["gid"]
    response = await client.post(
        "/webhooks", json={"data": {"resource": project, "target": "http://10.255.255.1:9/hook"}}
    )
    fails(response, 400, "The webhook handshake failed")  # allowed, but nothing answers there


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"target": "{url}"}, "resource: Missing input"),
        ({"resource": "{project}"}, "target: Missing input"),
        ({"resource": "123", "target": "{url}"}, "resource"),
        ({"resource": "{workspace}", "target": "{url}"}, "filters: Webhooks on a workspace must specify"),
        (
            {"resource": "{team}", "target": "{url}", "filters": []},
            "filters: Webhooks on a team must specify",
        ),
        (
            {
                "resource": "{project}",
                "target": "{url}",
                "filters": [{"action": "added", "fields": ["name"]}],
            },
            "filters[0].fields: Only valid for filters with action changed",
        ),
        (
            {
                "resource": "{workspace}",
                "target": "{url}",
                "filters": [{"resource_type": "project", "action": "changed", "fields": ["name"]}],
            },
            "do not support fields",
        ),
        (
            {"resource": "{project}", "target": "{url}", "filters": [{"action": "exploded"}]},
            "filters[0].action: Must be one of",
        ),
        ({"resource": "{project}", "target": "{url}", "filters": [{"colour": "red"}]}, "filters"),
        ({"resource": "{project}", "target": "{url}", "filters": "task"}, "filters"),
    ],
)
async def test_bad_create_requests_are_400s_before_any_handshake(
    client, world: World, data, fragment
) -> None:
    project = (await make_project(client, world))["gid"]
    values = {"project": project, "workspace": world.workspace, "team": world.team}
    with receiving() as rx:
        values["url"] = rx.url
        filled = {k: v.format(**values) if isinstance(v, str) else v for k, v in data.items()}
        fails(await client.post("/webhooks", json={"data": filled}), 400, fragment)
        assert rx.handshakes == []
    assert _count(world) == 0


async def test_resources_a_webhook_can_watch(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    task = await make_task(client, world, "T", projects=[project])
    filters = [{"resource_type": "project", "action": "added"}]
    with receiving() as rx:
        for resource, kind in ((task, "task"), (world.team, "team"), (world.workspace, "workspace")):
            made = (await make_webhook(client, resource, rx.url, filters))["data"]
            assert made["resource"]["resource_type"] == kind and made["filters"] == filters


async def test_a_resource_the_caller_cannot_see_is_unknown(client, world: World) -> None:
    project = (await make_project(client, world, privacy_setting="private"))["gid"]
    _, token = world.person("outsider@example.com")
    with receiving() as rx:
        async with api_client(world.env, token) as other:
            response = await other.post("/webhooks", json={"data": {"resource": project, "target": rx.url}})
        fails(response, 400, "resource")
        assert rx.handshakes == []


async def test_list_get_update_delete(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    other = (await make_project(client, world, name="Other"))["gid"]
    with receiving() as rx:
        first = (await make_webhook(client, project, rx.url))["data"]
        second = (await make_webhook(client, other, rx.url))["data"]
        third = (await make_webhook(client, project, rx.url + "&n=3"))["data"]
    listed = ok(await client.get("/webhooks", params={"workspace": world.workspace}))
    assert sorted(w["gid"] for w in listed) == sorted(w["gid"] for w in (first, second, third))
    assert set(listed[0]) == {"gid", "resource_type", "active", "resource", "target"}
    on_project = ok(await client.get("/webhooks", params={"workspace": world.workspace, "resource": project}))
    assert sorted(w["gid"] for w in on_project) == sorted([first["gid"], third["gid"]])
    page = (await client.get("/webhooks", params={"workspace": world.workspace, "limit": 2})).json()
    assert len(page["data"]) == 2 and page["next_page"]["offset"]
    rest = ok(
        await client.get(
            "/webhooks",
            params={"workspace": world.workspace, "limit": 2, "offset": page["next_page"]["offset"]},
        )
    )
    assert len(rest) == 1 and rest[0]["gid"] not in {w["gid"] for w in page["data"]}
    fails(await client.get("/webhooks"), 400, "workspace")
    fails(await client.get("/webhooks", params={"workspace": "123"}), 400, "workspace")
    fails(
        await client.get("/webhooks", params={"workspace": world.workspace, "resource": "x"}), 400, "resource"
    )

    filters = [{"resource_type": "task", "action": "changed", "fields": ["name", "notes"]}]
    updated = ok(await client.put(f"/webhooks/{first['gid']}", json={"data": {"filters": filters}}))
    assert updated["filters"] == filters
    replaced = [{"action": "deleted"}]
    updated = ok(await client.put(f"/webhooks/{first['gid']}", json={"data": {"filters": replaced}}))
    assert updated["filters"] == replaced  # wholesale, not merged
    bad = {"filters": [{"action": "added", "fields": ["x"]}]}
    fails(await client.put(f"/webhooks/{first['gid']}", json={"data": bad}), 400, "Only valid")
    assert ok(await client.get(f"/webhooks/{first['gid']}"))["filters"] == replaced

    assert ok(await client.delete(f"/webhooks/{first['gid']}")) == {}
    fails(await client.get(f"/webhooks/{first['gid']}"), 404)
    fails(await client.delete(f"/webhooks/{first['gid']}"), 404)
    fails(await client.get("/webhooks/notanumber"), 404)


async def test_a_workspace_webhook_keeps_needing_filters(client, world: World) -> None:
    with receiving() as rx:
        made = (await make_webhook(client, world.workspace, rx.url, [{"resource_type": "project"}]))["data"]
    fails(await client.put(f"/webhooks/{made['gid']}", json={"data": {"filters": []}}), 400, "must specify")


async def test_a_put_that_does_not_name_filters_changes_nothing(client, world: World) -> None:
    """WebhookUpdateRequest.filters is optional: a body without it (empty, or with a key the
    request does not define, which is ignored) answers the webhook as it is."""
    project = (await make_project(client, world))["gid"]
    kept = [{"resource_type": "task", "action": "changed", "fields": ["name"]}]
    on_workspace = [{"resource_type": "project"}]
    with receiving() as rx:
        hooks = {
            (await make_webhook(client, project, rx.url, kept))["data"]["gid"]: kept,
            (await make_webhook(client, world.workspace, rx.url, on_workspace))["data"]["gid"]: on_workspace,
        }
    for gid, filters in hooks.items():
        for data in ({}, {"unrelated": 1}):
            assert ok(await client.put(f"/webhooks/{gid}", json={"data": data}))["filters"] == filters
        assert ok(await client.put(f"/webhooks/{gid}"))["filters"] == filters
        assert ok(await client.get(f"/webhooks/{gid}"))["filters"] == filters
    named = ok(await client.put(f"/webhooks/{next(iter(hooks))}", json={"data": {"filters": None}}))
    assert named["filters"] == []  # naming filters still replaces them
    fails(await client.put("/webhooks/123", json={"data": {}}), 404, "webhook")


async def test_only_the_creator_sees_a_webhook(client, world: World) -> None:
    project = (await make_project(client, world))["gid"]
    with receiving() as rx:
        made = (await make_webhook(client, project, rx.url))["data"]
    _, token = world.person("colleague@example.com")
    async with api_client(world.env, token) as other:
        fails(await other.get(f"/webhooks/{made['gid']}"), 404)
        fails(await other.put(f"/webhooks/{made['gid']}", json={"data": {"filters": []}}), 404)
        fails(await other.delete(f"/webhooks/{made['gid']}"), 404)
        assert ok(await other.get("/webhooks", params={"workspace": world.workspace})) == []
    assert _count(world) == 1


async def test_a_create_counts_once_against_the_rate_limit(client, world: World) -> None:
    from vinyasa.protocol.ratelimit import RateLimiter

    project = (await make_project(client, world))["gid"]
    runtime = world.env.app.state.runtime
    runtime.limiter = RateLimiter(2)
    try:
        with receiving() as rx:
            await make_webhook(client, project, rx.url)  # two runs around the handshake, one request
            ok(await client.get("/users/me"))
            fails(await client.get("/users/me"), 429, "rate limit")
    finally:
        runtime.limiter = None
