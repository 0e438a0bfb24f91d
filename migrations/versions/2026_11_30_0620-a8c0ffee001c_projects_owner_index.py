"""The projects a user owns, by index (issue 22)

`POST /workspaces/{gid}/removeUser` hands the projects the user owns over to the workspace's
owner, and deleting a user sets `projects.owner_gid` to null: both found them by reading every
project of the workspace (~9 ms of a removeUser in a workspace of a few thousand projects).

Revision ID: a8c0ffee001c
Revises: a8c0ffee001b
Create Date: 2026-11-30 06:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "a8c0ffee001c"
down_revision: str | None = "a8c0ffee001b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_projects_owner_gid", "projects", ["owner_gid", "workspace_gid"])


def downgrade() -> None:
    op.drop_index("ix_projects_owner_gid", table_name="projects")
