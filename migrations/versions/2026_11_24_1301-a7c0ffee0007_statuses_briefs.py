"""Project statuses, status updates and project briefs (issue 7)

Revision ID: a7c0ffee0007
Revises: a6c0ffee0006
Create Date: 2026-11-24 13:01:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "a7c0ffee0007"
down_revision: str | None = "a6c0ffee0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
