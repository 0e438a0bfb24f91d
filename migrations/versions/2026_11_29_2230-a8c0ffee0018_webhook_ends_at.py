"""Webhooks end with their resource: `ends_at`, the journal id of the resource's deletion (issue 19)

Revision ID: a8c0ffee0018
Revises: a8c0ffee0016
Create Date: 2026-11-29 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee0018"
down_revision: str | None = "a8c0ffee0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhooks") as batch:
        batch.add_column(sa.Column("ends_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhooks") as batch:
        batch.drop_column("ends_at")
