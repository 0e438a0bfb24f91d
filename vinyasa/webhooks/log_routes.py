"""The delivery log, under vinyasa's own prefix (beyond Asana; /_vinyasa/ is vinyasa's namespace):

- `GET /_vinyasa/webhooks/{webhook_gid}/deliveries`: every POST made to the webhook's target, newest
  first (paginated with `limit`/`offset` like the API): `kind` (delivery, heartbeat, redelivery),
  `status` (delivered, failed, pending), `created_at`, `status_code` (null without an answer),
  `error`, `latency_ms`, `request_body` (exactly what was signed and sent), `response_excerpt`
  (the answer's first 2,048 characters).
- `POST /_vinyasa/webhooks/{webhook_gid}/deliveries/{delivery_gid}/redeliver` (201): send that
  attempt's body again, signed afresh; answers the new, `pending` log entry, which the shared
  durable runner sends (vinyasa.webhooks.redelivery; its outcome then shows in the log). A
  redelivery does not move the webhook's cursor or change its failure state.
Only the webhook's creator sees its log (the same rule as the webhook: 404 for anyone else).
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa.protocol.context import AsanaRoute, CtxDep
from vinyasa.webhooks import log_service, openapi
from vinyasa.webhooks.schemas import ATTEMPT

PREFIX = "/_vinyasa"
router = APIRouter(prefix=PREFIX, route_class=AsanaRoute, tags=[openapi.TAG])  # /docs: webhooks.openapi


@router.get("/webhooks/{webhook_gid}/deliveries", operation_id="getWebhookDeliveries_vinyasa")
async def get_webhook_deliveries(ctx: CtxDep, webhook_gid: str) -> Response:
    """The webhook's delivery attempts, newest first (`limit`/`offset` pages, `next_page` under
    /_vinyasa/); compact: kind, status, created_at, status_code, latency_ms. 404 for a webhook that
    is not the caller's."""
    return ctx.page(ATTEMPT, log_service.listing(ctx, webhook_gid), descending=True)


@router.post(
    "/webhooks/{webhook_gid}/deliveries/{delivery_gid}/redeliver",
    operation_id="redeliverWebhookDelivery_vinyasa",
    status_code=201,
)
async def redeliver_webhook_delivery(ctx: CtxDep, webhook_gid: str, delivery_gid: str) -> Response:
    """Queue a copy of one attempt's body for the runner (201, the pending entry in full). 404 for a
    webhook that is not the caller's or an attempt that is not the webhook's."""
    gid = log_service.redeliver(ctx, webhook_gid, delivery_gid)
    return ctx.respond({"data": log_service.one(ctx, gid)}, 201)
