"""Webhooks (vinyasa.webhooks): the subscriptions and the log of every delivery attempt."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vinyasa.db import Base
from vinyasa.models.types import GidPk, Millis


class Webhook(Base):
    """A subscription of `target` to the event stream of one resource, owned by its creator.

    `cursor` is the journal id through which events were delivered (or filtered out); the delivery
    worker holds a webhook while it delivers (`lease_owner` until `lease_until`, epoch ms), so each
    webhook has at most one delivery in flight and its events arrive in commit order. `ends_at` is
    set when the watched resource is deleted (the journal id of that change): the webhook is gone for
    the API at once, and the worker deletes the row once it has delivered everything through it.
    """

    __tablename__ = "webhooks"
    gid: Mapped[GidPk]
    workspace_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("workspaces.gid", ondelete="CASCADE"))
    creator_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.gid", ondelete="CASCADE"))
    resource_type: Mapped[str] = mapped_column(String(32))
    resource_gid: Mapped[int] = mapped_column(BigInteger)
    target: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(128))
    filters: Mapped[str | None] = mapped_column(Text)  # JSON array of WebhookFilter, or null
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[Millis]
    cursor: Mapped[int] = mapped_column(BigInteger)
    delivery_retry_count: Mapped[int] = mapped_column(Integer)
    next_attempt_after: Mapped[int | None] = mapped_column(BigInteger)
    last_success_at: Mapped[int | None] = mapped_column(BigInteger)
    last_failure_at: Mapped[int | None] = mapped_column(BigInteger)
    last_failure_content: Mapped[str] = mapped_column(Text)
    failure_deletion_timestamp: Mapped[int | None] = mapped_column(BigInteger)
    last_sent_at: Mapped[Millis]  # the last delivery attempt (heartbeats are due 8 h after it)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[int | None] = mapped_column(BigInteger)
    ends_at: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (
        Index("ix_webhooks_workspace_creator", "workspace_gid", "creator_gid", "gid"),
        Index("ix_webhooks_resource", "resource_gid"),
    )


class WebhookAttempt(Base):
    """One POST to a webhook's target (a delivery, a heartbeat or a manual redelivery), as sent.

    `status` is `pending` (a redelivery waiting for the worker), `delivered` (2xx) or `failed`;
    `status_code` is the target's answer (null when there was none: `error` says why).
    """

    __tablename__ = "webhook_attempts"
    gid: Mapped[GidPk]
    webhook_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("webhooks.gid", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # delivery | heartbeat | redelivery
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[Millis]
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    request_body: Mapped[str] = mapped_column(Text)
    response_excerpt: Mapped[str] = mapped_column(Text)
    first_event_id: Mapped[int | None] = mapped_column(BigInteger)
    last_event_id: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_webhook_attempts_webhook", "webhook_gid", "created_at", "gid"),)
