"""The /docs description of the webhook delivery log (`/_vinyasa/webhooks/...`, tag "Webhook
deliveries (vinyasa)"; built with vinyasa.spec.own; the routes: vinyasa.webhooks.log_routes)."""

from __future__ import annotations

from typing import Any

from vinyasa.spec import own

TAG = "Webhook deliveries (vinyasa)"
TAG_DESCRIPTION = (
    "vinyasa's log of every POST made to a webhook's target (deliveries, heartbeats, manual "
    "redeliveries): what was sent, exactly as signed, what came back and how long it took, and a way "
    "to send an attempt again. Asana shows none of this. Authorize with the token that created the "
    "webhook; anyone else gets a 404, as for the webhook itself."
)
_ATTEMPT = {
    "type": "object",
    "properties": {
        "gid": own.GID,
        "resource_type": {"type": "string", "example": "webhook_delivery"},
        "kind": {"type": "string", "enum": ["delivery", "heartbeat", "redelivery"]},
        "status": {"type": "string", "enum": ["delivered", "failed", "pending"]},
        "created_at": {"type": "string", "format": "date-time"},
        "status_code": {"type": "integer", "nullable": True, "description": "Null when nothing answered."},
        "error": {"type": "string", "nullable": True, "description": "Why there was no answer."},
        "latency_ms": {"type": "integer", "nullable": True},
        "request_body": {"type": "string", "description": "The body sent, byte for byte (opt-in field)."},
        "response_excerpt": {"type": "string", "description": "The answer's first 2,048 characters."},
        "webhook": {"type": "object", "properties": {"gid": own.GID}},
    },
}
_ERRORS = {
    "401": {"description": "No or a bad token."},
    "404": {"description": "No such webhook or attempt, or a webhook the caller did not create."},
}


def paths() -> dict[str, Any]:
    """The path items of the delivery log routes, keyed by their path from the server's root."""
    listed = own.operation(
        TAG,
        "getWebhookDeliveries_vinyasa",
        "A webhook's delivery attempts, newest first (paginated like Asana's lists: `limit`, `offset`).",
        ("200", "The attempts.", {"type": "array", "items": _ATTEMPT}),
        _ERRORS,
    )
    listed["parameters"] = own.PAGE_PARAMS
    return {
        "/_vinyasa/webhooks/{webhook_gid}/deliveries": {
            "servers": own.ROOT,
            "parameters": [own.path_param("webhook_gid")],
            "get": listed,
        },
        "/_vinyasa/webhooks/{webhook_gid}/deliveries/{delivery_gid}/redeliver": {
            "servers": own.ROOT,
            "parameters": [own.path_param("webhook_gid"), own.path_param("delivery_gid")],
            "post": own.operation(
                TAG,
                "redeliverWebhookDelivery_vinyasa",
                "Send one attempt's body again, signed afresh, on the background runner: answers the "
                "new `pending` entry; its outcome then shows in the log. The webhook's cursor and "
                "failure state do not change.",
                ("201", "The pending attempt.", _ATTEMPT),
                _ERRORS,
            ),
        },
    }
