"""Webhooks and their delivery attempts (issue 19)

Revision ID: a8c0ffee0011
Revises: a8c0ffee000f
Create Date: 2026-11-29 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee0011"
down_revision: str | None = "a8c0ffee000f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("gid", GID, autoincrement=False, nullable=False),
        sa.Column("workspace_gid", sa.BigInteger(), nullable=False),
        sa.Column("creator_gid", sa.BigInteger(), nullable=False),
        sa.Column("resource_type", sa.String(length=32), nullable=False),
        sa.Column("resource_gid", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("filters", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("delivery_retry_count", sa.Integer(), nullable=False),
        sa.Column("next_attempt_after", sa.BigInteger(), nullable=True),
        sa.Column("last_success_at", sa.BigInteger(), nullable=True),
        sa.Column("last_failure_at", sa.BigInteger(), nullable=True),
        sa.Column("last_failure_content", sa.Text(), nullable=False),
        sa.Column("failure_deletion_timestamp", sa.BigInteger(), nullable=True),
        sa.Column("last_sent_at", sa.BigInteger(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["creator_gid"], ["users.gid"], name=op.f("fk_webhooks_creator_gid_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_gid"],
            ["workspaces.gid"],
            name=op.f("fk_webhooks_workspace_gid_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_webhooks")),
    )
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.create_index("ix_webhooks_workspace_creator", ["workspace_gid", "creator_gid", "gid"])
        batch_op.create_index("ix_webhooks_resource", ["resource_gid"])
    op.create_table(
        "webhook_attempts",
        sa.Column("gid", GID, autoincrement=False, nullable=False),
        sa.Column("webhook_gid", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("request_body", sa.Text(), nullable=False),
        sa.Column("response_excerpt", sa.Text(), nullable=False),
        sa.Column("first_event_id", sa.BigInteger(), nullable=True),
        sa.Column("last_event_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["webhook_gid"],
            ["webhooks.gid"],
            name=op.f("fk_webhook_attempts_webhook_gid_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_webhook_attempts")),
    )
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_attempts_webhook", ["webhook_gid", "created_at", "gid"])


def downgrade() -> None:
    op.drop_table("webhook_attempts")
    op.drop_table("webhooks")
