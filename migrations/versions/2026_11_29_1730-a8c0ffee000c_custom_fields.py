"""Custom fields: definitions, enum options and settings on projects (issue 16)

Revision ID: a8c0ffee000c
Revises: a8c0ffee000b
Create Date: 2026-11-29 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee000c"
down_revision: str | None = "a8c0ffee000b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custom_fields",
        sa.Column(
            "gid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("workspace_gid", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("name_key", sa.String(length=1024), nullable=False),
        sa.Column("resource_subtype", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("precision", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("custom_label", sa.String(length=1024), nullable=True),
        sa.Column("custom_label_position", sa.String(length=8), nullable=True),
        sa.Column("has_notifications_enabled", sa.Boolean(), nullable=False),
        sa.Column("privacy_setting", sa.String(length=32), nullable=False),
        sa.Column("default_access_level", sa.String(length=16), nullable=False),
        sa.Column("input_restrictions", sa.String(length=64), nullable=False),
        sa.Column("created_by_gid", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_gid"],
            ["users.gid"],
            name=op.f("fk_custom_fields_created_by_gid_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_gid"],
            ["workspaces.gid"],
            name=op.f("fk_custom_fields_workspace_gid_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_custom_fields")),
        sa.UniqueConstraint("workspace_gid", "name_key", name="uq_custom_fields_workspace_name"),
    )
    with op.batch_alter_table("custom_fields", schema=None) as batch_op:
        batch_op.create_index("ix_custom_fields_workspace_gid", ["workspace_gid", "gid"], unique=False)

    op.create_table(
        "enum_options",
        sa.Column(
            "gid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("custom_field_gid", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("color", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["custom_field_gid"],
            ["custom_fields.gid"],
            name=op.f("fk_enum_options_custom_field_gid_custom_fields"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_enum_options")),
    )
    with op.batch_alter_table("enum_options", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enum_options_field_position", ["custom_field_gid", "position"], unique=False
        )

    op.create_table(
        "custom_field_settings",
        sa.Column(
            "gid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("custom_field_gid", sa.BigInteger(), nullable=False),
        sa.Column("project_gid", sa.BigInteger(), nullable=True),
        sa.Column("is_important", sa.Boolean(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["custom_field_gid"],
            ["custom_fields.gid"],
            name=op.f("fk_custom_field_settings_custom_field_gid_custom_fields"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_gid"],
            ["projects.gid"],
            name=op.f("fk_custom_field_settings_project_gid_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_custom_field_settings")),
        sa.UniqueConstraint("project_gid", "custom_field_gid", name="uq_custom_field_settings_project_field"),
    )
    with op.batch_alter_table("custom_field_settings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_custom_field_settings_custom_field_gid"), ["custom_field_gid"], unique=False
        )
        batch_op.create_index(
            "ix_custom_field_settings_project_position", ["project_gid", "position"], unique=False
        )
    op.create_table(
        "task_custom_field_values",
        sa.Column("task_gid", sa.BigInteger(), nullable=False),
        sa.Column("custom_field_gid", sa.BigInteger(), nullable=False),
        sa.Column("text_value", sa.Text(), nullable=True),
        sa.Column("number_value", sa.Float(), nullable=True),
        sa.Column("enum_option_gid", sa.BigInteger(), nullable=True),
        sa.Column("list_value", sa.Text(), nullable=True),
        sa.Column("date_on", sa.String(length=10), nullable=True),
        sa.Column("date_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["custom_field_gid"],
            ["custom_fields.gid"],
            name=op.f("fk_task_custom_field_values_custom_field_gid_custom_fields"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_gid"],
            ["tasks.gid"],
            name=op.f("fk_task_custom_field_values_task_gid_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("task_gid", "custom_field_gid", name=op.f("pk_task_custom_field_values")),
    )
    with op.batch_alter_table("task_custom_field_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_custom_field_values_custom_field_gid"), ["custom_field_gid"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("task_custom_field_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_custom_field_values_custom_field_gid"))

    op.drop_table("task_custom_field_values")
    with op.batch_alter_table("custom_field_settings", schema=None) as batch_op:
        batch_op.drop_index("ix_custom_field_settings_project_position")
        batch_op.drop_index(batch_op.f("ix_custom_field_settings_custom_field_gid"))

    op.drop_table("custom_field_settings")
    with op.batch_alter_table("enum_options", schema=None) as batch_op:
        batch_op.drop_index("ix_enum_options_field_position")

    op.drop_table("enum_options")
    with op.batch_alter_table("custom_fields", schema=None) as batch_op:
        batch_op.drop_index("ix_custom_fields_workspace_gid")

    op.drop_table("custom_fields")
