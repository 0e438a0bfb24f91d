"""Webhooks on the wire (WebhookCompact / WebhookResponse, spec §C.11), their bodies and filters,
and the delivery log's attempt records (vinyasa's own, under /_vinyasa/)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

from vinyasa.models import Webhook, WebhookAttempt
from vinyasa.protocol.resources import Resource
from vinyasa.protocol.specs import Col, Derived, OneOf, Ref, Viewer
from vinyasa.protocol.values import iso_ms

# The resource types a webhook can watch, and those that need filters and never hear of tasks,
# subtasks and stories (Asana: "higher-level resources such as a Workspace, Team, or Portfolio").
WATCHABLE = ("project", "task", "portfolio", "team", "workspace")
HIGHER_LEVEL = frozenset({"workspace", "team", "portfolio"})
ACTIONS = ("changed", "added", "removed", "deleted", "undeleted")


def _filters(row: Mapping[str, Any], _viewer: Viewer) -> list[dict[str, Any]]:
    stored = row["filters"]
    return list(orjson.loads(stored)) if stored else []


def _watched(kind: str) -> Ref:
    """The watched resource when it is a `kind` (one of the OneOf's alternatives, each its own
    computed column)."""
    expression = f"CASE WHEN {{table}}.resource_type = '{kind}' THEN {{table}}.resource_gid END"
    return Ref(f"watched_{kind}", kind, sql=expression)


WEBHOOK = Resource(
    "webhook",
    Webhook.__table__,
    {
        "active": Col("active", bool),
        "resource": OneOf(tuple(_watched(kind) for kind in WATCHABLE)),
        "target": Col("target"),
        "created_at": Col("created_at", iso_ms),
        "last_failure_at": Col("last_failure_at", iso_ms),
        "last_failure_content": Col("last_failure_content"),
        "last_success_at": Col("last_success_at", iso_ms),
        "delivery_retry_count": Col("delivery_retry_count"),
        "next_attempt_after": Col("next_attempt_after", iso_ms),
        "failure_deletion_timestamp": Col("failure_deletion_timestamp", iso_ms),
        "filters": Derived(("filters",), _filters),
    },
    compact=("active", "resource", "target"),
)

# One attempt in the delivery log: when, what came back, how long it took, what was sent.
ATTEMPT = Resource(
    "webhook_delivery",
    WebhookAttempt.__table__,
    {
        "kind": Col("kind"),
        "status": Col("status"),
        "created_at": Col("created_at", iso_ms),
        "status_code": Col("status_code"),
        "error": Col("error"),
        "latency_ms": Col("latency_ms"),
        "request_body": Col("request_body"),
        "response_excerpt": Col("response_excerpt"),
        "webhook": Ref("webhook_gid", "webhook"),
    },
    compact=("kind", "status", "created_at", "status_code", "latency_ms"),
)


class FilterFields(BaseModel):
    """WebhookFilter: an event passes when every given member matches it."""

    model_config = ConfigDict(extra="forbid")
    resource_type: str | None = Field(default=None, max_length=64)
    resource_subtype: str | None = Field(default=None, max_length=64)
    action: str | None = Field(default=None, max_length=16)
    fields: list[str] | None = Field(default=None, max_length=100)


class WebhookFields(BaseModel):
    """WebhookRequest (`resource` and `target` required; checked in the service, Asana's wording)."""

    model_config = ConfigDict(extra="ignore")
    resource: str | None = Field(default=None, max_length=64)
    target: str | None = Field(default=None, max_length=2048)
    filters: list[FilterFields] | None = Field(default=None, max_length=100)


class WebhookUpdateFields(BaseModel):
    """WebhookUpdateRequest: the new `filters` (replacing the old ones wholesale), optional: a body
    that does not name them changes nothing (`model_fields_set`); other keys are ignored."""

    model_config = ConfigDict(extra="ignore")
    filters: list[FilterFields] | None = Field(default=None, max_length=100)
