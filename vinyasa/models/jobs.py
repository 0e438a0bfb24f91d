"""Durable background work (vinyasa.core.runner): one row per piece of work, claimed with a lease."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vinyasa.db import Base
from vinyasa.models.types import GidPk, Millis


class Job(Base):
    """A unit of background work of one registered `kind`.

    `due_at` (epoch ms) is when any runner may claim it next: for waiting work its start (or retry)
    time, for claimed work the end of its lease, NULL once finished. `lease_owner` names the claim
    (a fresh token per claim) so a runner whose lease was taken over cannot commit another step.
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
