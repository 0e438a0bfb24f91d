"""Shared bits of the webhook tests: settings for fast retries, a worker, creating webhooks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests.conftest import Env
from tests.helpers import ok
from vinyasa.config import Settings
from vinyasa.webhooks.worker import Deliverer

FULL = {
    "gid",
    "resource_type",
    "active",
    "resource",
    "target",
    "created_at",
    "last_failure_at",
    "last_failure_content",
    "last_success_at",
    "delivery_retry_count",
    "next_attempt_after",
    "failure_deletion_timestamp",
    "filters",
}


def fast(env: Env, **changes: Any) -> Settings:
    """The env's settings with short timeouts and retries (tests wait for seconds, not hours)."""
    values: dict[str, Any] = {
        "database_url": env.url,
        "webhook_timeout": 0.5,
        "webhook_connect_timeout": 0.5,
        "webhook_retry_base_seconds": 0.05,
        "webhook_retry_max_seconds": 0.2,
        "webhook_poll_interval": 0.005,
        "webhook_idle_poll_interval": 0.02,
    }
    values.update(changes)
    return Settings(**values)


@contextmanager
def worker(env: Env, settings: Settings | None = None, owner: str | None = None) -> Iterator[Deliverer]:
    """A delivery worker running on its thread until the block ends."""
    deliverer = Deliverer(env.engine, settings or fast(env), owner=owner)
    deliverer.start()
    try:
        yield deliverer
    finally:
        deliverer.stop()


async def make_webhook(
    client: httpx.AsyncClient, resource: str, target: str, filters: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A webhook (the handshake must succeed); returns the whole 201 body."""
    data: dict[str, Any] = {"resource": resource, "target": target}
    if filters is not None:
        data["filters"] = filters
    response = await client.post("/webhooks", json={"data": data})
    ok(response, 201)
    body: dict[str, Any] = response.json()
    return body


def configure(monkeypatch: Any, env: Env, **changes: Any) -> Settings:
    """Give the app `fast` settings with these changes for one test (restored afterwards)."""
    settings = fast(env, **changes)
    monkeypatch.setitem(env.app.state._state, "settings", settings)
    return settings


def drain(deliverer: Deliverer, rounds: int = 50) -> None:
    """Run delivery rounds in this thread until one finds nothing to do."""
    for _ in range(rounds):
        if not deliverer.tick():
            return
    raise AssertionError("the worker still had work after many rounds")


def hook_state(env: Env, gid: str) -> dict[str, Any]:
    """The stored delivery state of a webhook."""
    from sqlalchemy import text

    with env.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM webhooks WHERE gid = :g"), {"g": int(gid)}).mappings().first()
    return dict(row) if row else {}
