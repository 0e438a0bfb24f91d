"""Project statuses (= status updates: one row, two API views) and project briefs."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vinyasa.db import Base
from vinyasa.models.types import GidPk, Millis


class Status(Base):
    """A status posted on a project or a portfolio (exactly one of `project_gid`, `portfolio_gid`);
    `/status_updates` shows both kinds, `/project_statuses` the projects' ones.

    `seq` numbers a project's statuses 1, 2, 3 ... in creation order (newest = highest): gids are
    scrambled and timestamps can tie, so "newest first" needs its own key.
    """

    __tablename__ = "statuses"
    gid: Mapped[GidPk]
    project_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("projects.gid", ondelete="CASCADE")
    )
    portfolio_gid: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("portfolios.gid", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(BigInteger)
    author_gid: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.gid", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(1024))
    html_text: Mapped[str] = mapped_column(Text)
    color: Mapped[str] = mapped_column(String(16))
    status_type: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[Millis]
    modified_at: Mapped[Millis]
    __table_args__ = (
        UniqueConstraint("project_gid", "seq"),
        UniqueConstraint("portfolio_gid", "seq", name="uq_statuses_portfolio_seq"),
        CheckConstraint("(project_gid IS NULL) <> (portfolio_gid IS NULL)", name="project_or_portfolio"),
        Index("ix_statuses_portfolio_created", "portfolio_gid", "created_at", "gid"),
        Index("ix_statuses_project_created", "project_gid", "created_at", "gid"),
    )


class ProjectBrief(Base):
    """The rich-text brief of a project; a project has at most one."""

    __tablename__ = "project_briefs"
    gid: Mapped[GidPk]
    project_gid: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("projects.gid", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(1024))
    html_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[Millis]
    modified_at: Mapped[Millis]
