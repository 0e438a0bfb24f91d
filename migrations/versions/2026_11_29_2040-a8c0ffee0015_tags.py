"""Tags, their followers and the tags on tasks (issue 23)

Revision ID: a8c0ffee0015
Revises: a8c0ffee0014
Create Date: 2026-11-29 21:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee0015"
down_revision: str | None = "a8c0ffee0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.gid"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("gid", _GID, autoincrement=False, nullable=False),
        sa.Column("workspace_gid", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("color", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        _fk("tags", "workspace_gid", "workspaces"),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_tags")),
    )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index("ix_tags_workspace", ["workspace_gid", "created_at", "gid"], unique=False)
    op.create_table(
        "tag_followers",
        sa.Column("tag_gid", sa.BigInteger(), nullable=False),
        sa.Column("user_gid", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        _fk("tag_followers", "tag_gid", "tags"),
        _fk("tag_followers", "user_gid", "users"),
        sa.PrimaryKeyConstraint("tag_gid", "user_gid", name=op.f("pk_tag_followers")),
    )
    op.create_table(
        "task_tags",
        sa.Column("task_gid", sa.BigInteger(), nullable=False),
        sa.Column("tag_gid", sa.BigInteger(), nullable=False),
        sa.Column("added_at", sa.BigInteger(), nullable=False),
        _fk("task_tags", "task_gid", "tasks"),
        _fk("task_tags", "tag_gid", "tags"),
        sa.PrimaryKeyConstraint("task_gid", "tag_gid", name=op.f("pk_task_tags")),
    )
    with op.batch_alter_table("task_tags", schema=None) as batch_op:
        batch_op.create_index("ix_task_tags_tag", ["tag_gid", "added_at", "task_gid"], unique=False)


def downgrade() -> None:
    op.drop_table("task_tags")
    op.drop_table("tag_followers")
    op.drop_table("tags")
