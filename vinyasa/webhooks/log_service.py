"""The delivery log's rules: listing a webhook's attempts and queueing a manual redelivery."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from vinyasa import access
from vinyasa.core import Caller, journal, runner
from vinyasa.models import WebhookAttempt
from vinyasa.protocol.gids import as_gid, new_gid
from vinyasa.protocol.pagination import Listing
from vinyasa.protocol.resources import project_one
from vinyasa.protocol.values import now_ms
from vinyasa.webhooks import redelivery, service
from vinyasa.webhooks.schemas import ATTEMPT


def listing(ctx: Caller, webhook: str) -> Listing:
    """A webhook's attempts (the webhook must be the caller's: 404 otherwise)."""
    webhook_gid = service.find(ctx, webhook)
    return Listing("webhook_attempts", "webhook_gid = ?", [webhook_gid], keys=("created_at", "gid"))


def redeliver(ctx: Caller, webhook: str, attempt: str) -> int:
    """A pending copy of one of the webhook's attempts (404 for an attempt not of this webhook)."""
    webhook_gid = service.find(ctx, webhook)
    gid = as_gid(attempt)
    body = None
    if gid is not None:
        body = ctx.conn.execute(
            select(WebhookAttempt.request_body).where(
                WebhookAttempt.gid == gid, WebhookAttempt.webhook_gid == webhook_gid
            )
        ).scalar_one_or_none()
    if body is None:
        raise access.unknown(None, attempt, "webhook delivery")
    new = new_gid(ctx.conn)
    ctx.conn.execute(
        insert(WebhookAttempt).values(
            gid=new,
            webhook_gid=webhook_gid,
            kind="redelivery",
            status="pending",
            created_at=now_ms(),
            request_body=body,
            response_excerpt="",
        )
    )
    journal.changed(ctx, ("webhook", webhook_gid), ["deliveries"], topics=())
    runner.enqueue(ctx, redelivery.KIND, {"attempt": new})
    return new


def one(ctx: Caller, gid: int) -> dict[str, Any]:
    """One log entry in full."""
    return project_one(ctx.conn, ctx, ATTEMPT, gid, None)
