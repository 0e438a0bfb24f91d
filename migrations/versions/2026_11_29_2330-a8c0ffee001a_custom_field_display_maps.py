"""Custom field display maps: one row per owner with its values' display_values (issue 16, performance)

A page of tasks with `opt_fields=custom_fields.display_value` reads one row per task instead of
aggregating one row per value. Existing values are folded into maps here; from now on
vinyasa.custom_fields.values rebuilds an owner's map whenever its values change.

Revision ID: a8c0ffee001a
Revises: a8c0ffee0016
Create Date: 2026-11-29 23:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee001a"
down_revision: str | None = "a8c0ffee0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (owner kind, its table) for each store of values: <kind>_custom_field_values -> <kind>_custom_field_displays
_OWNERS = (("task", "tasks"), ("project", "projects"), ("portfolio", "portfolios"))


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for kind, owners in _OWNERS:
        table = f"{kind}_custom_field_displays"
        op.create_table(
            table,
            sa.Column(f"{kind}_gid", sa.BigInteger(), nullable=False),
            sa.Column("displays", sa.Text(), nullable=False),
            sa.Column("late", sa.Text(), nullable=True),
            sa.ForeignKeyConstraint(
                [f"{kind}_gid"],
                [f"{owners}.gid"],
                name=op.f(f"fk_{table}_{kind}_gid_{owners}"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint(f"{kind}_gid", name=op.f(f"pk_{table}")),
        )
        if postgres:
            displays = "json_object_agg(custom_field_gid, display_value)::text"
            late = (
                "(json_object_agg(custom_field_gid, list_value) FILTER (WHERE display_value IS NULL))::text"
            )
        else:
            displays = "json_group_object(custom_field_gid, display_value)"
            late = "json_group_object(custom_field_gid, list_value) FILTER (WHERE display_value IS NULL)"
        op.execute(
            f"INSERT INTO {table} ({kind}_gid, displays, late)"
            f" SELECT {kind}_gid, {displays}, {late} FROM {kind}_custom_field_values GROUP BY {kind}_gid"
        )


def downgrade() -> None:
    for kind, _owners in reversed(_OWNERS):
        op.drop_table(f"{kind}_custom_field_displays")
