"""Custom ID fields (id_prefix and its counter, the number index) and users' favorites (issue 23)

Revision ID: a8c0ffee0017
Revises: a8c0ffee0016
Create Date: 2026-11-29 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee0017"
down_revision: str | None = "a8c0ffee0016"
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


def downgrade() -> None:
    op.drop_index("ix_favorites_user_list", table_name="favorites")
    op.drop_table("favorites")
    op.drop_index("ix_task_custom_field_values_field_number", table_name="task_custom_field_values")
    with op.batch_alter_table("custom_fields") as batch:
        batch.drop_constraint(op.f("uq_custom_fields_workspace_id_prefix"), type_="unique")
        batch.drop_column("id_counter")
        batch.drop_column("id_prefix")
