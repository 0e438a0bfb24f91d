"""Column shorthands shared by the model modules."""

from __future__ import annotations

from typing import Annotated

from sqlalchemy import BigInteger
from sqlalchemy.orm import mapped_column

from vinyasa.db import GidType

# Every resource row is keyed by its public gid (see vinyasa.protocol.gids).
GidPk = Annotated[int, mapped_column(GidType, primary_key=True, autoincrement=False)]
# Timestamps are UTC epoch milliseconds: portable, indexable, and rendered as ISO 8601 with ms.
Millis = Annotated[int, mapped_column(BigInteger)]
