"""Webhook endpoints (Asana's five, digest §C.11). `createWebhook` runs the synchronous handshake
between two transactions (`HandshakeRoute`): no transaction is open while the target is called."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import anyio
from fastapi import APIRouter, Request
from starlette.responses import Response

from vinyasa.config import Settings, get_settings
from vinyasa.errors import InvalidRequest
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep, _read_body
from vinyasa.protocol.resources import project_one
from vinyasa.webhooks import service, target
from vinyasa.webhooks.schemas import WEBHOOK, WebhookFields, WebhookUpdateFields


def settings_of(request: Request) -> Settings:
    """The app's settings (create_app keeps them on the app's state), else the environment's."""
    found = getattr(request.app.state, "settings", None)
    return found if isinstance(found, Settings) else get_settings()


class HandshakeRoute(AsanaRoute):
    """A create that must talk to the target before storing anything: the endpoint runs twice.

    1. In a first transaction it checks the request (access, filters) and leaves its `Plan` on
       `request.state.webhook_plan`, answering nothing yet.
    2. With no transaction open, the target policy is checked (off the event loop: it resolves
       names) and the handshake runs (vinyasa.webhooks.target.handshake; a failure is a 400).
    3. In a second transaction the endpoint checks again and stores the webhook with the secret.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            request._body = await _read_body(request, request.app.state.runtime.max_body_bytes)  # noqa: SLF001 - read once, used by both runs
            request.state.webhook_secret = None
            await inner(request)
            checked: service.Plan = request.state.webhook_plan
            settings = settings_of(request)
            await anyio.to_thread.run_sync(target.check_target, checked.target, settings)
            request.state.webhook_secret = await target.handshake(checked.target, settings)
            return await inner(request)

        self.asana_handler = handler
        return handler


router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Webhooks"])
create_router = APIRouter(prefix=API_PREFIX, route_class=HandshakeRoute, tags=["Webhooks"])


@create_router.post("/webhooks", operation_id="createWebhook", status_code=201)
async def create_webhook(ctx: CtxDep) -> Response:
    """Subscribe `target` to the events of `resource` (project, task, portfolio, team or workspace),
    optionally through `filters`. The handshake (X-Hook-Secret echoed with a 200/204) must succeed,
    else 400 and nothing is stored. 201 with the webhook and the secret (`X-Hook-Secret`, top level
    and header)."""
    checked = service.plan(ctx, ctx.input(WebhookFields))
    state = ctx.request.state
    secret: str | None = state.webhook_secret
    if secret is None:
        state.webhook_plan = checked
        return ctx.empty()
    if checked.target != state.webhook_plan.target:
        raise InvalidRequest("target: The target changed during the handshake")
    gid = service.create(ctx, checked, secret)
    ctx.headers["X-Hook-Secret"] = secret
    ctx.headers["Location"] = f"{ctx.base_url}{API_PREFIX}/webhooks/{gid}"
    data = project_one(ctx.conn, ctx, WEBHOOK, gid, ctx.fields)
    return ctx.respond({"data": data, "X-Hook-Secret": secret}, 201)


@router.get("/webhooks", operation_id="getWebhooks")
async def get_webhooks(ctx: CtxDep, workspace: str, resource: str | None = None) -> Response:
    """The caller's webhooks in `workspace` (required), optionally only those on `resource`;
    paginated, in gid order."""
    return ctx.page(WEBHOOK, service.listing(ctx, workspace, resource))


@router.get("/webhooks/{webhook_gid}", operation_id="getWebhook")
async def get_webhook(ctx: CtxDep, webhook_gid: str) -> Response:
    """The full record of one of the caller's webhooks, with its delivery state."""
    return ctx.one_seen(WEBHOOK, webhook_gid, lambda: service.find(ctx, webhook_gid))


@router.put("/webhooks/{webhook_gid}", operation_id="updateWebhook")
async def update_webhook(ctx: CtxDep, webhook_gid: str) -> Response:
    """Replace the webhook's `filters` wholesale when the body names them; a body that does not
    changes nothing and answers the webhook as it is."""
    fields = ctx.input(WebhookUpdateFields)
    return ctx.one(WEBHOOK, service.update(ctx, webhook_gid, fields))


@router.delete("/webhooks/{webhook_gid}", operation_id="deleteWebhook")
async def delete_webhook(ctx: CtxDep, webhook_gid: str) -> Response:
    """Delete a webhook permanently; nothing more is sent."""
    service.delete_webhook(ctx, webhook_gid)
    return ctx.empty()
