"""Tasks keep their approval decision: `approval_status` (rejected / changes_requested), else NULL

Asana's TaskBase.approval_status (pending, approved, rejected, changes_requested) is kept in sync
with `completed`: pending is incomplete, the three others complete. The column stores only what
`completed` does not say, so every existing row (NULL) reads as before: approved when completed,
else pending. A plain ADD COLUMN / DROP COLUMN on both databases, not a batch: SQLite (3.35 or
later) keeps the table, its indexes and its triggers, where a batch's drop would copy the table.

Revision ID: a8c0ffee001f
Revises: a8c0ffee001e
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee001f"
down_revision: str | None = "a8c0ffee001e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("approval_status", sa.String(32), nullable=True))


def downgrade() -> None:
    op.drop_column("tasks", "approval_status")
