"""Teams as project members (Asana's project team sharing and teamless projects)

A project membership's member is now a user or a team. Projects that had a team granting access
(every privacy setting but `private`) get that team as a member at their default access level, as
Asana migrated containing teams ("[Change] Teamless Projects", forum.asana.com/t/929205), so nobody
loses access when the associated team stops granting it.

Revision ID: a8c0ffee000a
Revises: a7c0ffee0007
Create Date: 2026-11-29 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vinyasa.protocol.gids import allocate

revision: str = "a8c0ffee000a"
down_revision: str | None = "a7c0ffee0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("project_members", schema=None) as batch_op:
        batch_op.alter_column("user_gid", existing_type=sa.BigInteger(), nullable=True)
        batch_op.add_column(sa.Column("team_gid", sa.BigInteger(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_project_members_team_gid_teams"),
            "teams",
            ["team_gid"],
            ["gid"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint("uq_project_members_project_team", ["project_gid", "team_gid"])
        batch_op.create_check_constraint("user_or_team", "(user_gid IS NULL) <> (team_gid IS NULL)")
        batch_op.create_index(batch_op.f("ix_project_members_team_gid"), ["team_gid"], unique=False)

    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT gid, team_gid, default_access_level, created_at FROM projects"
            " WHERE team_gid IS NOT NULL AND privacy_setting <> 'private' ORDER BY gid"
        )
    ).all()
    if rows:
        conn.execute(
            sa.text(
                "INSERT INTO project_members (gid, project_gid, team_gid, access_level, is_follower,"
                " created_at) VALUES (:gid, :project, :team, :level, :follower, :at)"
            ),
            [
                {"gid": gid, "project": r[0], "team": r[1], "level": r[2], "follower": False, "at": r[3]}
                for gid, r in zip(allocate(conn, len(rows)), rows, strict=True)
            ],
        )


def downgrade() -> None:
    op.execute("DELETE FROM project_members WHERE team_gid IS NOT NULL")
    with op.batch_alter_table("project_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_members_team_gid"))
        batch_op.drop_constraint(batch_op.f("ck_project_members_user_or_team"), type_="check")
        batch_op.drop_constraint("uq_project_members_project_team", type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_project_members_team_gid_teams"), type_="foreignkey")
        batch_op.drop_column("team_gid")
        batch_op.alter_column("user_gid", existing_type=sa.BigInteger(), nullable=False)
