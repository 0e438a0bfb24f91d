"""Column shorthands shared by the model modules."""

from __future__ import annotations

from typing import Annotated, Any

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import MappedColumn, mapped_column

from vinyasa.db import GidType

# Every resource row is keyed by its public gid (see vinyasa.protocol.gids).
GidPk = Annotated[int, mapped_column(GidType, primary_key=True, autoincrement=False)]
# Timestamps are UTC epoch milliseconds: portable, indexable, and rendered as ISO 8601 with ms.
Millis = Annotated[int, mapped_column(BigInteger)]
# Table options of a link table every write appends to: on SQLite its rows are stored by their primary
# key (WITHOUT ROWID), one b-tree, where a rowid table keeps the key as a second one, and each b-tree
# an insert dirties is a WAL frame at commit (migration a8c0ffee001b). Other databases ignore it.
CLUSTERED: dict[str, Any] = {"sqlite_with_rowid": False}


def link_key(target: str, *, index: bool = False) -> MappedColumn[int]:
    """A link table's primary-key column naming another row (`target`, e.g. "tasks.gid"): deleting
    that row deletes the link (ON DELETE CASCADE). `index` also indexes the column alone, for a
    key that is not the first of the primary key but is looked up by itself."""
    if index:
        return mapped_column(BigInteger, ForeignKey(target, ondelete="CASCADE"), primary_key=True, index=True)
    return mapped_column(BigInteger, ForeignKey(target, ondelete="CASCADE"), primary_key=True)
