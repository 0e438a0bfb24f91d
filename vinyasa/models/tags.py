"""Tags: labels in one workspace attached to any number of its tasks (Asana's Tags resource)."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vinyasa.db import Base
from vinyasa.models.types import CLUSTERED, GidPk, Millis, link_key


class Tag(Base):
    """A tag; `color` is one of Asana's tag colours or null, `notes` plain text."""

    __tablename__ = "tags"
    gid: Mapped[GidPk]
    workspace_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("workspaces.gid", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(1024))
    color: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str] = mapped_column(Text)
    created_at: Mapped[Millis]
    __table_args__ = (Index("ix_tags_workspace", "workspace_gid", "created_at", "gid"),)


class TagFollower(Base):
    """A user following a tag."""

    __tablename__ = "tag_followers"
    tag_gid: Mapped[int] = link_key("tags.gid")
    user_gid: Mapped[int] = link_key("users.gid")
    created_at: Mapped[Millis]


class TaskTag(Base):
    """A tag on a task; `added_at` orders a task's tags and a tag's tasks (oldest first)."""

    __tablename__ = "task_tags"
    task_gid: Mapped[int] = link_key("tasks.gid")
    tag_gid: Mapped[int] = link_key("tags.gid")
    added_at: Mapped[Millis]
    __table_args__ = (Index("ix_task_tags_tag", "tag_gid", "added_at", "task_gid"), CLUSTERED)
