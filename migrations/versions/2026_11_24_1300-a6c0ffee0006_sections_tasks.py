"""Sections, tasks and their placement in projects (issue 6)

Revision ID: a6c0ffee0006
Revises: 582380cc96ab
Create Date: 2026-11-24 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a6c0ffee0006"
down_revision: str | None = "582380cc96ab"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Sections, tasks, task placement in projects and task followers."""
    op.create_table(
        "tasks",
        sa.Column(
            "gid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("workspace_gid", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("html_notes", sa.Text(), nullable=False),
        sa.Column("resource_subtype", sa.String(length=16), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("completed_at", sa.BigInteger(), nullable=True),
        sa.Column("completed_by_gid", sa.BigInteger(), nullable=True),
        sa.Column("assignee_gid", sa.BigInteger(), nullable=True),
        sa.Column("due_on", sa.String(length=10), nullable=True),
        sa.Column("due_at", sa.BigInteger(), nullable=True),
        sa.Column("start_on", sa.String(length=10), nullable=True),
        sa.Column("start_at", sa.BigInteger(), nullable=True),
        sa.Column("parent_gid", sa.BigInteger(), nullable=True),
        sa.Column("root_gid", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("created_by_gid", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("modified_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_gid"], ["users.gid"], name=op.f("fk_tasks_assignee_gid_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_gid"],
            ["users.gid"],
            name=op.f("fk_tasks_completed_by_gid_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_gid"], ["users.gid"], name=op.f("fk_tasks_created_by_gid_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["parent_gid"], ["tasks.gid"], name=op.f("fk_tasks_parent_gid_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_gid"],
            ["workspaces.gid"],
            name=op.f("fk_tasks_workspace_gid_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_assignee", ["assignee_gid", "workspace_gid", "gid"], unique=False)
        batch_op.create_index("ix_tasks_created_by", ["created_by_gid"], unique=False)
        batch_op.create_index("ix_tasks_parent_position", ["parent_gid", "position", "gid"], unique=False)
        batch_op.create_index("ix_tasks_root_gid", ["root_gid"], unique=False)

    op.create_table(
        "task_followers",
        sa.Column("task_gid", sa.BigInteger(), nullable=False),
        sa.Column("user_gid", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_gid"], ["tasks.gid"], name=op.f("fk_task_followers_task_gid_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_gid"], ["users.gid"], name=op.f("fk_task_followers_user_gid_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("task_gid", "user_gid", name=op.f("pk_task_followers")),
    )
    with op.batch_alter_table("task_followers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_followers_user_gid"), ["user_gid"], unique=False)

    op.create_table(
        "sections",
        sa.Column(
            "gid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("project_gid", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_gid"],
            ["projects.gid"],
            name=op.f("fk_sections_project_gid_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_sections")),
    )
    with op.batch_alter_table("sections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sections_project_position", ["project_gid", "position", "gid"], unique=False
        )

    op.create_table(
        "task_projects",
        sa.Column("task_gid", sa.BigInteger(), nullable=False),
        sa.Column("project_gid", sa.BigInteger(), nullable=False),
        sa.Column("section_gid", sa.BigInteger(), nullable=False),
        sa.Column("section_position", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("is_milestone", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_gid"],
            ["projects.gid"],
            name=op.f("fk_task_projects_project_gid_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["section_gid"],
            ["sections.gid"],
            name=op.f("fk_task_projects_section_gid_sections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_gid"], ["tasks.gid"], name=op.f("fk_task_projects_task_gid_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("task_gid", "project_gid", name=op.f("pk_task_projects")),
    )
    with op.batch_alter_table("task_projects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_task_projects_counts", ["project_gid", "completed", "is_milestone"], unique=False
        )
        batch_op.create_index(
            "ix_task_projects_order",
            ["project_gid", "section_position", "position", "task_gid"],
            unique=False,
        )
        batch_op.create_index(
            "ix_task_projects_section", ["section_gid", "position", "task_gid"], unique=False
        )


def downgrade() -> None:
    """Drop them again (dependants first)."""
    with op.batch_alter_table("task_projects", schema=None) as batch_op:
        batch_op.drop_index("ix_task_projects_section")
        batch_op.drop_index("ix_task_projects_order")
        batch_op.drop_index("ix_task_projects_counts")

    op.drop_table("task_projects")
    with op.batch_alter_table("sections", schema=None) as batch_op:
        batch_op.drop_index("ix_sections_project_position")

    op.drop_table("sections")
    with op.batch_alter_table("task_followers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_followers_user_gid"))

    op.drop_table("task_followers")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_root_gid")
        batch_op.drop_index("ix_tasks_parent_position")
        batch_op.drop_index("ix_tasks_created_by")
        batch_op.drop_index("ix_tasks_assignee")

    op.drop_table("tasks")
