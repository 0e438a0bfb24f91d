"""Rules (issue 20): rules, their runs, and the journal's cause column

Revision ID: a8c0ffee0013
Revises: a8c0ffee000f
Create Date: 2026-11-29 20:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee0013"
down_revision: str | None = "a8c0ffee0010"  # after the emulator snapshots
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rules",
        sa.Column("gid", _GID, autoincrement=False, nullable=False),
        sa.Column("project_gid", sa.BigInteger(), nullable=False),
        sa.Column("creator_gid", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("trigger_type", sa.String(length=32), nullable=False),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("trigger_gid", sa.BigInteger(), nullable=True),
        sa.Column("scan_job_gid", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("modified_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_gid"], ["projects.gid"], name=op.f("fk_rules_project_gid_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["creator_gid"], ["users.gid"], name=op.f("fk_rules_creator_gid_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_rules")),
        sa.UniqueConstraint("trigger_gid", name=op.f("uq_rules_trigger_gid")),
    )
    with op.batch_alter_table("rules", schema=None) as batch_op:
        batch_op.create_index("ix_rules_project", ["project_gid", "gid"], unique=False)
    op.create_table(
        "rule_runs",
        sa.Column("gid", _GID, autoincrement=False, nullable=False),
        sa.Column("rule_gid", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("trigger_type", sa.String(length=32), nullable=False),
        sa.Column("task_gid", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("actions_done", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["rule_gid"], ["rules.gid"], name=op.f("fk_rule_runs_rule_gid_rules"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_rule_runs")),
    )
    with op.batch_alter_table("rule_runs", schema=None) as batch_op:
        batch_op.create_index("ix_rule_runs_rule", ["rule_gid", "gid"], unique=False)
        batch_op.create_index("ix_rule_runs_key", ["rule_gid", "task_gid", "key"], unique=False)
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cause_gid", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.drop_column("cause_gid")
    op.drop_table("rule_runs")
    op.drop_table("rules")
