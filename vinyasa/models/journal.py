"""The change journal (vinyasa.core.journal): one row per change, one topic row per event stream."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from vinyasa.db import Base, GidType
from vinyasa.models.types import CLUSTERED, Millis


class JournalEntry(Base):
    """A recorded change; ids are dense and in commit order (the sync token's position)."""

    __tablename__ = "journal"
    # INTEGER on SQLite: the rowid itself, so an entry is one b-tree row (migration a8c0ffee001b).
    id: Mapped[int] = mapped_column(GidType, primary_key=True, autoincrement=False)
    created_at: Mapped[Millis]
    user_gid: Mapped[int | None] = mapped_column(BigInteger)
    resource_type: Mapped[str] = mapped_column(String(32))
    resource_gid: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(16))
    parent_type: Mapped[str | None] = mapped_column(String(32))
    parent_gid: Mapped[int | None] = mapped_column(BigInteger)
    field: Mapped[str | None] = mapped_column(String(64))
    change_action: Mapped[str | None] = mapped_column(String(16))
    value_type: Mapped[str | None] = mapped_column(String(32))
    value_gid: Mapped[int | None] = mapped_column(BigInteger)
    cause_gid: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # the rule that made it
    # No index on created_at: the prune finds its horizon along the ids (migration a8c0ffee0020).


class JournalTopic(Base):
    """An entry's membership in one event stream (a project, task, workspace... gid)."""

    __tablename__ = "journal_topics"
    topic_gid: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    __table_args__: Any = (Index("ix_journal_topics_event", "event_id"), CLUSTERED)
