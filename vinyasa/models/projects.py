"""Projects, and who is a member (and follower) of which."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vinyasa.db import Base
from vinyasa.models.types import GidPk, Millis


class Project(Base):
    """A project in one workspace; in an organization it also belongs to one team."""

    __tablename__ = "projects"
    gid: Mapped[GidPk]
    workspace_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("workspaces.gid", ondelete="CASCADE"))
    team_gid: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("teams.gid", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(1024))
    html_notes: Mapped[str] = mapped_column(Text, default="<body></body>")
    owner_gid: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.gid", ondelete="SET NULL"))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    color: Mapped[str | None] = mapped_column(String(32))
    icon: Mapped[str | None] = mapped_column(String(32))
    default_view: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD
    start_on: Mapped[str | None] = mapped_column(String(10))
    privacy_setting: Mapped[str] = mapped_column(String(32))
    default_access_level: Mapped[str] = mapped_column(String(16))
    minimum_access_level_for_customization: Mapped[str] = mapped_column(String(16))
    minimum_access_level_for_sharing: Mapped[str] = mapped_column(String(16))
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_at: Mapped[int | None] = mapped_column(BigInteger)
    completed_by_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.gid", ondelete="SET NULL")
    )
    created_at: Mapped[Millis]
    modified_at: Mapped[Millis]
    __table_args__ = (
        Index("ix_projects_workspace_gid", "workspace_gid", "gid"),
        Index("ix_projects_team_gid", "team_gid", "gid"),
        # a user's projects: removeUser hands them over, deleting a user sets owner_gid null
        Index("ix_projects_owner_gid", "owner_gid", "workspace_gid"),
    )


class ProjectMember(Base):
    """A user's or a team's membership of a project (Asana's project_membership).

    Exactly one of `user_gid` and `team_gid` is set. A team member grants the team's members access at
    its level (vinyasa.access). Followers are flagged user members.
    """

    __tablename__ = "project_members"
    gid: Mapped[GidPk]
    project_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("projects.gid", ondelete="CASCADE"))
    user_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.gid", ondelete="CASCADE"), index=True
    )
    team_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("teams.gid", ondelete="CASCADE"), index=True
    )
    access_level: Mapped[str] = mapped_column(String(16))
    is_follower: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[Millis]
    __table_args__ = (
        UniqueConstraint("project_gid", "user_gid"),
        UniqueConstraint("project_gid", "team_gid", name="uq_project_members_project_team"),
        CheckConstraint("(user_gid IS NULL) <> (team_gid IS NULL)", name="user_or_team"),
        Index("ix_project_members_project_gid", "project_gid", "gid"),
    )
