"""Server bookkeeping tables: settings, gid counter, access tokens."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from vinyasa.db import Base
from vinyasa.models.types import GidPk, Millis


class Meta(Base):
    """Key/value settings kept with the data (the pagination signing secret)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class GidCounter(Base):
    """The single-row counter gids are drawn from on SQLite (PostgreSQL uses the gid_seq sequence)."""

    __tablename__ = "gid_counter"
    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class Token(Base):
    """A personal access token; only its SHA-256 digest is stored."""

    __tablename__ = "tokens"
    gid: Mapped[GidPk]
    user_gid: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.gid", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[Millis]
