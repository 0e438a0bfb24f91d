"""Manual redeliveries from the delivery log, as work of the shared durable runner
(vinyasa.core.runner, internal kind `webhook_redelivery`).

The log route writes a `pending` attempt (a copy of an earlier attempt's body) and enqueues this
kind in the same transaction; a runner in any server process then POSTs the body, signed afresh with
the webhook's secret, and records the outcome on that attempt. A crash after the POST and before the
record sends it again (at least once). A webhook deleted meanwhile ends the job with nothing sent.
"""

from __future__ import annotations

from sqlalchemy import select, update

from vinyasa.config import get_settings
from vinyasa.core import runner
from vinyasa.models import Webhook, WebhookAttempt
from vinyasa.webhooks import target
from vinyasa.webhooks.client import Connections

KIND = "webhook_redelivery"


def step(run: runner.Run) -> runner.Step:
    """Send the pending attempt `params["attempt"]` and record what came back."""
    attempt = int(run.params["attempt"])
    with run.transaction() as conn:
        found = conn.execute(
            select(Webhook.target, Webhook.secret, WebhookAttempt.request_body)
            .join(Webhook, Webhook.gid == WebhookAttempt.webhook_gid)
            .where(WebhookAttempt.gid == attempt, WebhookAttempt.status == "pending")
        ).first()
    if found is None:
        return runner.DONE
    settings = get_settings()
    connections = Connections(settings.webhook_connect_timeout, settings.webhook_timeout)
    try:
        outcome = target.post(connections, found.target, found.secret, found.request_body.encode(), settings)
    finally:
        connections.close()
    with run.transaction() as conn:
        conn.execute(
            update(WebhookAttempt)
            .where(WebhookAttempt.gid == attempt)
            .values(
                status="delivered" if outcome.ok else "failed",
                status_code=outcome.status_code,
                error=outcome.error,
                latency_ms=outcome.latency_ms,
                response_excerpt=outcome.excerpt,
            )
        )
        run.done = True
    return runner.DONE


runner.register(runner.Kind(KIND, step, max_attempts=3))
