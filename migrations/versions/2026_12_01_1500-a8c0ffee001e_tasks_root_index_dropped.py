"""Drop `ix_tasks_root_gid`: no statement looks a task up by its top-level ancestor (issue 22)

`root_gid` is read from a task's own row (visibility: a subtask is visible with its root, found by
the root's primary key) and rewritten when a task moves under another parent; no query filters or
joins on it, and no foreign key names it. Its index was one more b-tree written by every task
insert and every move: one of the ~24 pages a `POST /tasks` into a project adds to SQLite's WAL.

Revision ID: a8c0ffee001e
Revises: a8c0ffee001d
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "a8c0ffee001e"
down_revision: str | None = "a8c0ffee001d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_tasks_root_gid", table_name="tasks")


def downgrade() -> None:
    op.create_index("ix_tasks_root_gid", "tasks", ["root_gid"])
