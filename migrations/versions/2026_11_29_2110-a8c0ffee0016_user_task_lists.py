"""User task lists (My Tasks): one per user and workspace, created on first use (issue 23)

Revision ID: a8c0ffee0016
Revises: a8c0ffee0014
Create Date: 2026-11-29 21:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee0016"
down_revision: str | None = "a8c0ffee0015"  # after the tags one
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_GID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "user_task_lists",
        sa.Column("gid", _GID, autoincrement=False, nullable=False),
        sa.Column("user_gid", sa.BigInteger(), nullable=False),
        sa.Column("workspace_gid", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_gid"], ["users.gid"], name=op.f("fk_user_task_lists_user_gid_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_gid"],
            ["workspaces.gid"],
            name=op.f("fk_user_task_lists_workspace_gid_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_user_task_lists")),
        sa.UniqueConstraint("user_gid", "workspace_gid", name=op.f("uq_user_task_lists_user_workspace")),
    )


def downgrade() -> None:
    op.drop_table("user_task_lists")
