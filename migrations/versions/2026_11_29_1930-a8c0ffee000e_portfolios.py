"""Portfolios: portfolios, their members and ordered items; status updates on portfolios (issue 17)

Revision ID: a8c0ffee000e
Revises: a8c0ffee000d
Create Date: 2026-11-29 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee000e"
down_revision: str | None = "a8c0ffee000d"  # after the cf merge (the custom field displays)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "portfolios",
        sa.Column("gid", _GID, autoincrement=False, nullable=False),
        sa.Column("workspace_gid", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("owner_gid", sa.BigInteger(), nullable=True),
        sa.Column("created_by_gid", sa.BigInteger(), nullable=True),
        sa.Column("color", sa.String(length=32), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("start_on", sa.String(length=10), nullable=True),
        sa.Column("due_on", sa.String(length=10), nullable=True),
        sa.Column("privacy_setting", sa.String(length=32), nullable=False),
        sa.Column("default_access_level", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("modified_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_gid"],
            ["workspaces.gid"],
            name=op.f("fk_portfolios_workspace_gid_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_gid"], ["users.gid"], name=op.f("fk_portfolios_owner_gid_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_gid"],
            ["users.gid"],
            name=op.f("fk_portfolios_created_by_gid_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_portfolios")),
    )
    with op.batch_alter_table("portfolios", schema=None) as batch_op:
        batch_op.create_index("ix_portfolios_workspace_owner", ["workspace_gid", "owner_gid", "gid"])
        batch_op.create_index("ix_portfolios_owner_gid", ["owner_gid"])

    op.create_table(
        "portfolio_members",
        sa.Column("gid", _GID, autoincrement=False, nullable=False),
        sa.Column("portfolio_gid", sa.BigInteger(), nullable=False),
        sa.Column("user_gid", sa.BigInteger(), nullable=False),
        sa.Column("access_level", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_gid"],
            ["portfolios.gid"],
            name=op.f("fk_portfolio_members_portfolio_gid_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_gid"], ["users.gid"], name=op.f("fk_portfolio_members_user_gid_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_portfolio_members")),
        sa.UniqueConstraint("portfolio_gid", "user_gid", name="uq_portfolio_members_portfolio_user"),
    )
    with op.batch_alter_table("portfolio_members", schema=None) as batch_op:
        batch_op.create_index("ix_portfolio_members_portfolio_gid", ["portfolio_gid", "gid"])
        batch_op.create_index(op.f("ix_portfolio_members_user_gid"), ["user_gid"])

    op.create_table(
        "portfolio_items",
        sa.Column("portfolio_gid", sa.BigInteger(), nullable=False),
        sa.Column("item_gid", sa.BigInteger(), nullable=False),
        sa.Column("item_type", sa.String(length=16), nullable=False),
        sa.Column("project_gid", sa.BigInteger(), nullable=True),
        sa.Column("child_gid", sa.BigInteger(), nullable=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "item_gid = coalesce(project_gid, child_gid)", name=op.f("ck_portfolio_items_one_item")
        ),
        sa.ForeignKeyConstraint(
            ["portfolio_gid"],
            ["portfolios.gid"],
            name=op.f("fk_portfolio_items_portfolio_gid_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_gid"],
            ["projects.gid"],
            name=op.f("fk_portfolio_items_project_gid_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["child_gid"],
            ["portfolios.gid"],
            name=op.f("fk_portfolio_items_child_gid_portfolios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("portfolio_gid", "item_gid", name=op.f("pk_portfolio_items")),
    )
    with op.batch_alter_table("portfolio_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_portfolio_items_portfolio_position", ["portfolio_gid", "position", "item_type", "item_gid"]
        )
        batch_op.create_index(op.f("ix_portfolio_items_item_gid"), ["item_gid"])
        batch_op.create_index(op.f("ix_portfolio_items_project_gid"), ["project_gid"])
        batch_op.create_index(op.f("ix_portfolio_items_child_gid"), ["child_gid"])

    for table, owner, parent in (
        ("project_custom_field_values", "project_gid", "projects"),
        ("portfolio_custom_field_values", "portfolio_gid", "portfolios"),
    ):
        op.create_table(
            table,
            sa.Column(owner, sa.BigInteger(), nullable=False),
            sa.Column("custom_field_gid", sa.BigInteger(), nullable=False),
            sa.Column("text_value", sa.Text(), nullable=True),
            sa.Column("number_value", sa.Float(), nullable=True),
            sa.Column("enum_option_gid", sa.BigInteger(), nullable=True),
            sa.Column("list_value", sa.Text(), nullable=True),
            sa.Column("date_on", sa.String(length=10), nullable=True),
            sa.Column("date_at", sa.BigInteger(), nullable=True),
            sa.Column("display_value", sa.Text(), nullable=True),
            sa.ForeignKeyConstraint(
                [owner], [f"{parent}.gid"], name=op.f(f"fk_{table}_{owner}_{parent}"), ondelete="CASCADE"
            ),
            sa.ForeignKeyConstraint(
                ["custom_field_gid"],
                ["custom_fields.gid"],
                name=op.f(f"fk_{table}_custom_field_gid_custom_fields"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint(owner, "custom_field_gid", name=op.f(f"pk_{table}")),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(op.f(f"ix_{table}_custom_field_gid"), ["custom_field_gid"])

    with op.batch_alter_table("custom_field_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("portfolio_gid", sa.BigInteger(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_custom_field_settings_portfolio_gid_portfolios"),
            "portfolios",
            ["portfolio_gid"],
            ["gid"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint(
            "uq_custom_field_settings_portfolio_field", ["portfolio_gid", "custom_field_gid"]
        )
        batch_op.create_index("ix_custom_field_settings_portfolio_position", ["portfolio_gid", "position"])

    with op.batch_alter_table("statuses", schema=None) as batch_op:
        batch_op.alter_column("project_gid", existing_type=sa.BigInteger(), nullable=True)
        batch_op.add_column(sa.Column("portfolio_gid", sa.BigInteger(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_statuses_portfolio_gid_portfolios"),
            "portfolios",
            ["portfolio_gid"],
            ["gid"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint("uq_statuses_portfolio_seq", ["portfolio_gid", "seq"])
        batch_op.create_check_constraint(
            op.f("ck_statuses_project_or_portfolio"), "(project_gid IS NULL) <> (portfolio_gid IS NULL)"
        )
        batch_op.create_index("ix_statuses_portfolio_created", ["portfolio_gid", "created_at", "gid"])


def downgrade() -> None:
    op.execute("DELETE FROM statuses WHERE portfolio_gid IS NOT NULL")
    with op.batch_alter_table("statuses", schema=None) as batch_op:
        batch_op.drop_index("ix_statuses_portfolio_created")
        batch_op.drop_constraint(op.f("ck_statuses_project_or_portfolio"), type_="check")
        batch_op.drop_constraint("uq_statuses_portfolio_seq", type_="unique")
        batch_op.drop_constraint(op.f("fk_statuses_portfolio_gid_portfolios"), type_="foreignkey")
        batch_op.drop_column("portfolio_gid")
        batch_op.alter_column("project_gid", existing_type=sa.BigInteger(), nullable=False)
    op.execute("DELETE FROM custom_field_settings WHERE portfolio_gid IS NOT NULL")
    with op.batch_alter_table("custom_field_settings", schema=None) as batch_op:
        batch_op.drop_index("ix_custom_field_settings_portfolio_position")
        batch_op.drop_constraint("uq_custom_field_settings_portfolio_field", type_="unique")
        batch_op.drop_constraint(
            op.f("fk_custom_field_settings_portfolio_gid_portfolios"), type_="foreignkey"
        )
        batch_op.drop_column("portfolio_gid")
    op.drop_table("portfolio_custom_field_values")
    op.drop_table("project_custom_field_values")
    op.drop_table("portfolio_items")
    op.drop_table("portfolio_members")
    op.drop_table("portfolios")
