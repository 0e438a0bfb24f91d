"""Custom ID fields (id_prefix and its counter, the number index), users' favorites, and custom
field values on users (workspace settings, user_custom_field_values), task assignment times (issue 23)

Revision ID: a8c0ffee0017
Revises: a8c0ffee001a
Create Date: 2026-11-29 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee0017"
down_revision: str | None = "a8c0ffee001a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("custom_fields") as batch:
        batch.add_column(sa.Column("id_prefix", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("id_counter", sa.BigInteger(), server_default="0", nullable=False))
        batch.create_unique_constraint(
            op.f("uq_custom_fields_workspace_id_prefix"), ["workspace_gid", "id_prefix"]
        )
    op.create_index(
        "ix_task_custom_field_values_field_number",
        "task_custom_field_values",
        ["custom_field_gid", "number_value"],
    )
    op.create_table(
        "favorites",
        sa.Column("user_gid", sa.BigInteger(), nullable=False),
        sa.Column("resource_gid", sa.BigInteger(), nullable=False),
        sa.Column("workspace_gid", sa.BigInteger(), nullable=False),
        sa.Column("resource_type", sa.String(length=32), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_gid"], ["users.gid"], name=op.f("fk_favorites_user_gid_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_gid"],
            ["workspaces.gid"],
            name=op.f("fk_favorites_workspace_gid_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_gid", "resource_gid", name=op.f("pk_favorites")),
    )
    op.create_index(
        "ix_favorites_user_list", "favorites", ["user_gid", "workspace_gid", "resource_type", "position"]
    )

    with op.batch_alter_table("custom_field_settings") as batch:
        batch.add_column(sa.Column("workspace_gid", sa.BigInteger(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_custom_field_settings_workspace_gid_workspaces"),
            "workspaces",
            ["workspace_gid"],
            ["gid"],
            ondelete="CASCADE",
        )
        batch.create_unique_constraint(
            "uq_custom_field_settings_workspace_field", ["workspace_gid", "custom_field_gid"]
        )
        batch.create_index("ix_custom_field_settings_workspace_position", ["workspace_gid", "position"])
    op.create_table(
        "user_custom_field_values",
        sa.Column("user_gid", sa.BigInteger(), nullable=False),
        sa.Column("custom_field_gid", sa.BigInteger(), nullable=False),
        sa.Column("text_value", sa.Text(), nullable=True),
        sa.Column("number_value", sa.Float(), nullable=True),
        sa.Column("enum_option_gid", sa.BigInteger(), nullable=True),
        sa.Column("list_value", sa.Text(), nullable=True),
        sa.Column("date_on", sa.String(length=10), nullable=True),
        sa.Column("date_at", sa.BigInteger(), nullable=True),
        sa.Column("display_value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_gid"],
            ["users.gid"],
            name=op.f("fk_user_custom_field_values_user_gid_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["custom_field_gid"],
            ["custom_fields.gid"],
            name=op.f("fk_user_custom_field_values_custom_field_gid_custom_fields"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_gid", "custom_field_gid", name=op.f("pk_user_custom_field_values")),
    )
    op.create_index(
        op.f("ix_user_custom_field_values_custom_field_gid"), "user_custom_field_values", ["custom_field_gid"]
    )
    op.create_table(  # the users' display maps, as a8c0ffee001a made them for the other owners
        "user_custom_field_displays",
        sa.Column("user_gid", sa.BigInteger(), nullable=False),
        sa.Column("displays", sa.Text(), nullable=False),
        sa.Column("late", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_gid"],
            ["users.gid"],
            name=op.f("fk_user_custom_field_displays_user_gid_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_gid", name=op.f("pk_user_custom_field_displays")),
    )
    op.create_table(
        "task_assignments",
        sa.Column("task_gid", sa.BigInteger(), nullable=False),
        sa.Column("user_gid", sa.BigInteger(), nullable=False),
        sa.Column("assigned_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_gid"], ["tasks.gid"], name=op.f("fk_task_assignments_task_gid_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_gid"], ["users.gid"], name=op.f("fk_task_assignments_user_gid_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("task_gid", "user_gid", name=op.f("pk_task_assignments")),
    )


def downgrade() -> None:
    op.drop_table("task_assignments")
    op.drop_table("user_custom_field_displays")
    op.drop_table("user_custom_field_values")
    op.execute("DELETE FROM custom_field_settings WHERE workspace_gid IS NOT NULL")
    with op.batch_alter_table("custom_field_settings") as batch:
        batch.drop_index("ix_custom_field_settings_workspace_position")
        batch.drop_constraint("uq_custom_field_settings_workspace_field", type_="unique")
        batch.drop_constraint(op.f("fk_custom_field_settings_workspace_gid_workspaces"), type_="foreignkey")
        batch.drop_column("workspace_gid")
    op.drop_index("ix_favorites_user_list", table_name="favorites")
    op.drop_table("favorites")
    op.drop_index("ix_task_custom_field_values_field_number", table_name="task_custom_field_values")
    with op.batch_alter_table("custom_fields") as batch:
        batch.drop_constraint(op.f("uq_custom_fields_workspace_id_prefix"), type_="unique")
        batch.drop_column("id_counter")
        batch.drop_column("id_prefix")
