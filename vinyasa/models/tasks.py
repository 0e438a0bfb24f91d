"""Sections, tasks, and where tasks sit: in projects (and a section of each), under parents, followed."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vinyasa.db import Base
from vinyasa.models.types import CLUSTERED, GidPk, Millis, link_key


class Section(Base):
    """A section of one project, ordered by `position` within it (vinyasa.ordering)."""

    __tablename__ = "sections"
    gid: Mapped[GidPk]
    project_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("projects.gid", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(1024))
    position: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[Millis]
    __table_args__ = (Index("ix_sections_project_position", "project_gid", "position", "gid"),)


class Task(Base):
    """A task in one workspace; a subtask has a parent and a `position` among its siblings.

    `root_gid` is the top-level ancestor (the task itself when it has no parent): subtasks inherit
    their root's visibility (vinyasa.access), and deleting a task deletes its subtasks (CASCADE).
    `approval_status` holds only what `completed` does not say: `rejected` or `changes_requested`
    on a completed task; NULL reads as `approved` when completed, else `pending`
    (vinyasa.tasks.service.APPROVAL_DECISIONS).
    """

    __tablename__ = "tasks"
    gid: Mapped[GidPk]
    workspace_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("workspaces.gid", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(1024))
    html_notes: Mapped[str] = mapped_column(Text, default="<body></body>")
    resource_subtype: Mapped[str] = mapped_column(String(16), default="default_task")
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_at: Mapped[int | None] = mapped_column(BigInteger)
    completed_by_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.gid", ondelete="SET NULL")
    )
    approval_status: Mapped[str | None] = mapped_column(String(32))
    assignee_gid: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.gid", ondelete="SET NULL"))
    due_on: Mapped[str | None] = mapped_column(String(10))
    due_at: Mapped[int | None] = mapped_column(BigInteger)
    start_on: Mapped[str | None] = mapped_column(String(10))
    start_at: Mapped[int | None] = mapped_column(BigInteger)
    parent_gid: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("tasks.gid", ondelete="CASCADE"))
    root_gid: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.gid", ondelete="SET NULL")
    )
    created_at: Mapped[Millis]
    modified_at: Mapped[Millis]
    __table_args__ = (
        Index("ix_tasks_parent_position", "parent_gid", "position", "gid"),
        Index("ix_tasks_assignee", "assignee_gid", "workspace_gid", "gid"),
        Index("ix_tasks_created_by", "created_by_gid"),
        Index("ix_tasks_workspace_modified", "workspace_gid", "modified_at"),
    )


class TaskProject(Base):
    """A task's membership of a project and its place there: a section and a position in it.

    `section_position` copies the section's position, and `completed`/`is_milestone` the task's,
    so the project's order and its task counts are each one index range.
    """

    __tablename__ = "task_projects"
    task_gid: Mapped[int] = link_key("tasks.gid")
    project_gid: Mapped[int] = link_key("projects.gid")
    section_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("sections.gid", ondelete="CASCADE"))
    section_position: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(BigInteger)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_milestone: Mapped[bool] = mapped_column(Boolean, default=False)
    # The task's due time (epoch ms, a date as its UTC start), written by database triggers only
    # (migration a8c0ffee0014): the order of a project's tasks by due date is one index range.
    due_key: Mapped[int | None] = mapped_column(BigInteger)
    added_at: Mapped[Millis]
    __table_args__ = (
        Index("ix_task_projects_order", "project_gid", "section_position", "position", "task_gid"),
        Index("ix_task_projects_section", "section_gid", "position", "task_gid"),
        Index("ix_task_projects_counts", "project_gid", "completed", "is_milestone"),
        Index("ix_task_projects_due", "project_gid", "completed", "due_key", "task_gid"),
        CLUSTERED,
    )


class TaskFollower(Base):
    """A user following a task."""

    __tablename__ = "task_followers"
    task_gid: Mapped[int] = link_key("tasks.gid")
    user_gid: Mapped[int] = link_key("users.gid", index=True)
    created_at: Mapped[Millis]
    __table_args__ = (CLUSTERED,)


class TaskDependency(Base):
    """`task_gid` depends on `dependency_gid` (which blocks it until completed); no cycles."""

    __tablename__ = "task_dependencies"
    task_gid: Mapped[int] = link_key("tasks.gid")
    dependency_gid: Mapped[int] = link_key("tasks.gid")
    created_at: Mapped[Millis]
    __table_args__ = (Index("ix_task_dependencies_dependency", "dependency_gid", "task_gid"),)
