"""Sections, tasks and their placement in projects (issue 6)

Revision ID: a6c0ffee0006
Revises: 582380cc96ab
Create Date: 2026-11-24 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "a6c0ffee0006"
down_revision: str | None = "582380cc96ab"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
