"""SQLite: the tables every write appends to, stored by their primary key (issue 22)

A SQLite table whose primary key is not a single INTEGER column keeps two b-trees: the rows by a
hidden rowid, and the key as a separate index. Every insert dirties a page of each, and each dirty
page is a WAL frame the commit writes (~4-5 µs of CPU a frame). The change journal's `id` (declared
BIGINT, so not the rowid) becomes the rowid itself, and the link tables a task write touches
(placements, followers, tags, assignment times, the journal's topics) become WITHOUT ROWID tables,
clustered by their primary key: one b-tree less each, the same rows, columns, indexes and triggers.
PostgreSQL keeps its tables as they are (a heap and its indexes either way).

Revision ID: a8c0ffee001b
Revises: a8c0ffee0017
Create Date: 2026-11-30 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8c0ffee001b"
down_revision: str | None = "a8c0ffee0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLUSTERED = ("journal_topics", "task_followers", "task_projects", "task_tags", "task_assignments")


def _rebuild(table: str, *, rowid: bool, journal_id: sa.types.TypeEngine[int] | None = None) -> None:
    """Recreate `table` (rows, indexes, constraints) with or without a rowid. The triggers that name
    it (its own, which dropping the old table drops, and others' that write to it, which would stop
    the renaming of the new one) are dropped first and created again from their own SQL."""
    bind = op.get_bind()
    triggers = list(
        bind.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND (tbl_name = ? OR sql LIKE '%' || ? || '%') ORDER BY name",
            (table, table),
        )
    )
    for name, _sql in triggers:
        op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_with_rowid": rowid}) as batch:
        if journal_id is not None:
            batch.alter_column("id", type_=journal_id, existing_nullable=False)
    for _name, sql in triggers:
        op.execute(sql)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _rebuild("journal", rowid=True, journal_id=sa.Integer())  # INTEGER PRIMARY KEY: the rowid
    for table in CLUSTERED:
        _rebuild(table, rowid=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in CLUSTERED:
        _rebuild(table, rowid=True)
    _rebuild("journal", rowid=True, journal_id=sa.BigInteger())
