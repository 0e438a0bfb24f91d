"""Durable background jobs (issue 18)

Revision ID: a8c0ffee000f
Revises: a8c0ffee000c
Create Date: 2026-11-29 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee000f"
down_revision: str | None = "a8c0ffee000c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column(
            "gid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("creator_gid", sa.BigInteger(), nullable=True),
        sa.Column("workspace_gid", sa.BigInteger(), nullable=True),
        sa.Column("base_url", sa.String(length=512), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("progress", sa.Text(), nullable=True),
        sa.Column("result_type", sa.String(length=32), nullable=True),
        sa.Column("result_gid", sa.BigInteger(), nullable=True),
        sa.Column("due_at", sa.BigInteger(), nullable=True),
        sa.Column("lease_owner", sa.String(length=40), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["creator_gid"], ["users.gid"], name=op.f("fk_jobs_creator_gid_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_due_at", ["due_at"], unique=False)
        batch_op.create_index("ix_jobs_creator", ["creator_gid"], unique=False)


def downgrade() -> None:
    op.drop_table("jobs")
