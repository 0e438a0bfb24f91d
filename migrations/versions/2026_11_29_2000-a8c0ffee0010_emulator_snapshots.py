"""The emulator's named snapshots (issue 21)

Revision ID: a8c0ffee0010
Revises: a8c0ffee000f
Create Date: 2026-11-29 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee0010"
down_revision: str | None = "a8c0ffee0011"  # after the webhooks one
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "emulator_snapshots",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("objects", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_emulator_snapshots")),
    )


def downgrade() -> None:
    op.drop_table("emulator_snapshots")
