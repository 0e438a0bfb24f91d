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
        sa.Column("stash", sa.Text(), nullable=True),
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

    op.create_table(
        "project_templates",
        sa.Column(
            "gid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("workspace_gid", sa.BigInteger(), nullable=False),
        sa.Column("team_gid", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("html_description", sa.Text(), nullable=False),
        sa.Column("owner_gid", sa.BigInteger(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("color", sa.String(length=32), nullable=True),
        sa.Column("anchor_on", sa.String(length=10), nullable=True),
        sa.Column("due_on", sa.String(length=10), nullable=True),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("blueprint", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_gid"],
            ["workspaces.gid"],
            name=op.f("fk_project_templates_workspace_gid_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_gid"], ["teams.gid"], name=op.f("fk_project_templates_team_gid_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["owner_gid"],
            ["users.gid"],
            name=op.f("fk_project_templates_owner_gid_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_project_templates")),
    )
    with op.batch_alter_table("project_templates", schema=None) as batch_op:
        batch_op.create_index("ix_project_templates_workspace", ["workspace_gid", "gid"], unique=False)
        batch_op.create_index("ix_project_templates_team", ["team_gid", "gid"], unique=False)
    op.create_table(
        "project_origins",
        sa.Column("project_gid", sa.BigInteger(), nullable=False),
        sa.Column("template_gid", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_gid"],
            ["projects.gid"],
            name=op.f("fk_project_origins_project_gid_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_gid", name=op.f("pk_project_origins")),
    )


def downgrade() -> None:
    op.drop_table("project_origins")
    op.drop_table("project_templates")
    op.drop_table("jobs")
