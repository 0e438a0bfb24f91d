"""Drop `ix_journal_created_at`: the journal's pruning finds its horizon along the ids (issue 22)

The index was read only by the prune every thousand journal entries (the newest expired entry) and
written by every journaled write: one of the ~8-21 pages a write adds to SQLite's WAL (`PUT /tasks`:
8.4). The horizon is now the entry before the first unexpired one in id order
(vinyasa.core.journal.HORIZON), which reads what the prune removes and one entry more.

Revision ID: a8c0ffee0020
Revises: a8c0ffee001f
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "a8c0ffee0020"
down_revision: str | None = "a8c0ffee001f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_journal_created_at", table_name="journal")


def downgrade() -> None:
    op.create_index("ix_journal_created_at", "journal", ["created_at"])
