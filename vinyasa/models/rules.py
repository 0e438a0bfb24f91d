"""Rules (vinyasa.rules): a project's automation, and the record of each of its runs."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vinyasa.db import Base
from vinyasa.models.types import GidPk, Millis


class Rule(Base):
    """A rule of a project: one trigger, conditions and actions (JSON documents, see
    vinyasa.rules.schemas). `trigger_gid` is the gid of `/rule_triggers/{gid}/run` for an
    `incoming_web_request` trigger; `scan_job_gid` the runner job that watches due dates for a
    `due_date_approaching` one (the only one that may run it)."""

    __tablename__ = "rules"
    gid: Mapped[GidPk]
    project_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("projects.gid", ondelete="CASCADE"))
    creator_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.gid", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(1024))
    enabled: Mapped[bool] = mapped_column(Boolean)
    trigger_type: Mapped[str] = mapped_column(String(32))
    trigger: Mapped[str] = mapped_column(Text)
    conditions: Mapped[str] = mapped_column(Text)
    actions: Mapped[str] = mapped_column(Text)
    trigger_gid: Mapped[int | None] = mapped_column(BigInteger, nullable=True, unique=True)
    scan_job_gid: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[Millis]
    modified_at: Mapped[Millis]
    __table_args__ = (Index("ix_rules_project", "project_gid", "gid"),)


class RuleRun(Base):
    """One run of a rule: when, what triggered it, on which task, the actions it did (a JSON list of
    action types), `status` (`succeeded`, `skipped`: a condition did not hold, `failed`) and the
    error. `key` dedupes runs that must happen once (a due date approaching: `due:<date>`)."""

    __tablename__ = "rule_runs"
    gid: Mapped[GidPk]
    rule_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("rules.gid", ondelete="CASCADE"))
    created_at: Mapped[Millis]
    trigger_type: Mapped[str] = mapped_column(String(32))
    task_gid: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    actions_done: Mapped[str] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    __table_args__ = (
        Index("ix_rule_runs_rule", "rule_gid", "gid"),
        Index("ix_rule_runs_key", "rule_gid", "task_gid", "key"),
    )
