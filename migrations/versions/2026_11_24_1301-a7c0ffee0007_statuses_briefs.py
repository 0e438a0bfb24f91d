"""Project statuses, status updates and project briefs (issue 7)

Revision ID: a7c0ffee0007
Revises: a6c0ffee0006
Create Date: 2026-11-24 13:01:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c0ffee0007"
down_revision: str | None = "a6c0ffee0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _gid() -> sa.Column[int]:
    return sa.Column(
        "gid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "statuses",
        _gid(),
        sa.Column("project_gid", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("author_gid", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(length=1024), nullable=False),
        sa.Column("html_text", sa.Text(), nullable=False),
        sa.Column("color", sa.String(length=16), nullable=False),
        sa.Column("status_type", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("modified_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_gid"], ["users.gid"], name=op.f("fk_statuses_author_gid_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["project_gid"],
            ["projects.gid"],
            name=op.f("fk_statuses_project_gid_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_statuses")),
        sa.UniqueConstraint("project_gid", "seq", name=op.f("uq_statuses_project_gid")),
    )
    with op.batch_alter_table("statuses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_statuses_project_created", ["project_gid", "created_at", "gid"], unique=False
        )

    op.create_table(
        "project_briefs",
        _gid(),
        sa.Column("project_gid", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=1024), nullable=False),
        sa.Column("html_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("modified_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_gid"],
            ["projects.gid"],
            name=op.f("fk_project_briefs_project_gid_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_project_briefs")),
        sa.UniqueConstraint("project_gid", name=op.f("uq_project_briefs_project_gid")),
    )


def downgrade() -> None:
    op.drop_table("project_briefs")
    with op.batch_alter_table("statuses", schema=None) as batch_op:
        batch_op.drop_index("ix_statuses_project_created")
    op.drop_table("statuses")
