"""The emulator's named snapshots (vinyasa.control): the whole state under a name."""

from __future__ import annotations

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from vinyasa.db import Base
from vinyasa.models.types import Millis


class EmulatorSnapshot(Base):
    """One saved state: every table's rows and the gid counter, as zlib-compressed JSON."""

    __tablename__ = "emulator_snapshots"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[Millis]
    objects: Mapped[int]  # rows saved, all tables together
    data: Mapped[bytes] = mapped_column(LargeBinary)
