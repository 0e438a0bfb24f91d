"""The change journal and its event-stream topics (issue 15)

Revision ID: a8c0ffee000b
Revises: a8c0ffee000a
Create Date: 2026-11-29 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee000b"
down_revision: str | None = "a8c0ffee000a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "journal",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("user_gid", sa.BigInteger(), nullable=True),
        sa.Column("resource_type", sa.String(length=32), nullable=False),
        sa.Column("resource_gid", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("parent_type", sa.String(length=32), nullable=True),
        sa.Column("parent_gid", sa.BigInteger(), nullable=True),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("change_action", sa.String(length=16), nullable=True),
        sa.Column("value_type", sa.String(length=32), nullable=True),
        sa.Column("value_gid", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal")),
    )
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.create_index("ix_journal_created_at", ["created_at"], unique=False)
    op.create_table(
        "journal_topics",
        sa.Column("topic_gid", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("topic_gid", "event_id", name=op.f("pk_journal_topics")),
    )
    with op.batch_alter_table("journal_topics", schema=None) as batch_op:
        batch_op.create_index("ix_journal_topics_event", ["event_id"], unique=False)


def downgrade() -> None:
    op.drop_table("journal_topics")
    op.drop_table("journal")
