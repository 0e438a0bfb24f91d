"""Users, workspaces, teams and who belongs to which."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vinyasa.db import Base
from vinyasa.models.types import CLUSTERED, GidPk, Millis, link_key


class User(Base):
    """A person; identified by gid, email (case-insensitive) or `me`."""

    __tablename__ = "users"
    gid: Mapped[GidPk]
    name: Mapped[str] = mapped_column(String(512))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    created_at: Mapped[Millis]
    __table_args__ = (Index("ix_users_name_gid", "name", "gid"),)


class Workspace(Base):
    """A workspace; an organization when is_organization (only organizations have teams)."""

    __tablename__ = "workspaces"
    gid: Mapped[GidPk]
    name: Mapped[str] = mapped_column(String(512))
    is_organization: Mapped[bool] = mapped_column(Boolean)
    email_domains: Mapped[str] = mapped_column(Text, default="[]")  # JSON array of strings
    created_at: Mapped[Millis]


class WorkspaceMember(Base):
    """A user's membership of a workspace."""

    __tablename__ = "workspace_members"
    workspace_gid: Mapped[int] = link_key("workspaces.gid")
    user_gid: Mapped[int] = link_key("users.gid", index=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[Millis]


class Team(Base):
    """A team inside an organization."""

    __tablename__ = "teams"
    gid: Mapped[GidPk]
    workspace_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("workspaces.gid", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(512))
    html_description: Mapped[str] = mapped_column(Text, default="<body></body>")
    visibility: Mapped[str] = mapped_column(String(32), default="secret")
    edit_team_name_or_description_access_level: Mapped[str] = mapped_column(String(32))
    edit_team_visibility_or_trash_team_access_level: Mapped[str] = mapped_column(String(32))
    member_invite_management_access_level: Mapped[str] = mapped_column(String(32))
    guest_invite_management_access_level: Mapped[str] = mapped_column(String(32))
    join_request_management_access_level: Mapped[str] = mapped_column(String(32))
    team_member_removal_access_level: Mapped[str] = mapped_column(String(32))
    team_content_management_access_level: Mapped[str] = mapped_column(String(32))
    endorsed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[Millis]
    __table_args__ = (Index("ix_teams_workspace_name", "workspace_gid", "name", "gid"),)


class TeamMember(Base):
    """A user's membership of a team (Asana's team_membership)."""

    __tablename__ = "team_members"
    gid: Mapped[GidPk]
    team_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("teams.gid", ondelete="CASCADE"))
    user_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.gid", ondelete="CASCADE"), index=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_guest: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[Millis]
    __table_args__ = (UniqueConstraint("team_gid", "user_gid"),)


class UserTaskList(Base):
    """A user's My Tasks in one workspace, created on first use (one per user and workspace)."""

    __tablename__ = "user_task_lists"
    gid: Mapped[GidPk]
    user_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.gid", ondelete="CASCADE"))
    workspace_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("workspaces.gid", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(1024))
    __table_args__ = (
        UniqueConstraint("user_gid", "workspace_gid", name="uq_user_task_lists_user_workspace"),
    )


class Favorite(Base):
    """One of a user's favorites in a workspace (Asana's sidebar), ordered by `position` per user,
    workspace and resource type. Asana sets them only in its web app; vinyasa through its control
    plane (`/_vinyasa/users/{gid}/favorites`) and fixtures. The object is not referenced by a
    foreign key (it may be of six kinds): one deleted or hidden is simply not listed."""

    __tablename__ = "favorites"
    user_gid: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.gid", ondelete="CASCADE"), primary_key=True
    )
    resource_gid: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    workspace_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("workspaces.gid", ondelete="CASCADE"))
    resource_type: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (
        Index("ix_favorites_user_list", "user_gid", "workspace_gid", "resource_type", "position"),
    )


class TaskAssignment(Base):
    """When a task was last assigned to its assignee (My Tasks' "Recently assigned" order): written
    from the journal by vinyasa.user_task_lists.order; a task without a row counts from its creation."""

    __tablename__ = "task_assignments"
    task_gid: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tasks.gid", ondelete="CASCADE"), primary_key=True
    )
    user_gid: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.gid", ondelete="CASCADE"), primary_key=True
    )
    assigned_at: Mapped[Millis]
    __table_args__ = (CLUSTERED,)
