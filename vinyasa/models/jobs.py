"""Durable background work (vinyasa.core.runner): one row per piece of work, claimed with a lease."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vinyasa.db import Base
from vinyasa.models.types import GidPk, Millis, link_key


class Job(Base):
    """A unit of background work of one registered `kind`.

    `due_at` (epoch ms) is when any runner may claim it next: for waiting work its start (or retry)
    time, for claimed work the end of its lease, NULL once finished. `lease_owner` names the claim
    (a fresh token per claim, `<pid>-<random>`) so a runner whose lease was taken over cannot commit
    another step; a finished row keeps the claim that finished it.
    Asana's jobs (`GET /jobs/{gid}`) are the rows of public kinds; `result_type`/`result_gid` is the
    object the work made (`new_project`, `new_task`, ...)."""

    __tablename__ = "jobs"
    gid: Mapped[GidPk]
    kind: Mapped[str] = mapped_column(String(48))
    status: Mapped[str] = mapped_column(String(16))
    creator_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.gid", ondelete="CASCADE"), nullable=True
    )
    workspace_gid: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    base_url: Mapped[str] = mapped_column(String(512))
    params: Mapped[str] = mapped_column(Text)
    progress: Mapped[str | None] = mapped_column(Text, nullable=True)
    stash: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    result_gid: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    due_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(40), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[Millis]
    finished_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    __table_args__ = (
        Index("ix_jobs_due_at", "due_at"),
        Index("ix_jobs_creator", "creator_gid"),
    )


class ProjectTemplate(Base):
    """A project template (Asana's ProjectTemplateResponse): shared with a team in an organization,
    else with its workspace. `blueprint` is the saved structure (vinyasa.jobs.blueprint, JSON) with
    its dates relative to `anchor_on` (the date variable "1", the project start); `roles` its
    template roles (JSON: [{gid, name, user}] — `user` is whom the role stood for in the source)."""

    __tablename__ = "project_templates"
    gid: Mapped[GidPk]
    workspace_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("workspaces.gid", ondelete="CASCADE"))
    team_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("teams.gid", ondelete="CASCADE"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(1024))
    html_description: Mapped[str] = mapped_column(Text)
    owner_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.gid", ondelete="SET NULL"), nullable=True
    )
    public: Mapped[bool] = mapped_column(Boolean)
    color: Mapped[str | None] = mapped_column(String(32), nullable=True)
    anchor_on: Mapped[str | None] = mapped_column(String(10), nullable=True)
    due_on: Mapped[str | None] = mapped_column(String(10), nullable=True)
    roles: Mapped[str] = mapped_column(Text)
    blueprint: Mapped[str] = mapped_column(Text)
    created_at: Mapped[Millis]
    __table_args__ = (
        Index("ix_project_templates_workspace", "workspace_gid", "gid"),
        Index("ix_project_templates_team", "team_gid", "gid"),
    )


class ProjectOrigin(Base):
    """The template a project was instantiated from (the project's `created_from_template`)."""

    __tablename__ = "project_origins"
    project_gid: Mapped[int] = link_key("projects.gid")
    template_gid: Mapped[int] = mapped_column(BigInteger)
