"""Ordered lists (sections in a project, tasks in a section, portfolio items...): one mechanism.

Items carry an integer `position` within a scope (e.g. the project). New positions are chosen in
the gap between neighbours, so an insert touches one row; only when a gap is used up is the scope
renumbered. Callers serialize changes per scope with `lock` (a row lock on PostgreSQL; SQLite's
write transaction already serializes writers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, text, update

GAP = 1 << 20


@dataclass(frozen=True)
class Place:
    """Where an item goes: `top`, `bottom`, or just `before`/`after` an anchor item."""

    where: str  # "top" | "bottom" | "before" | "after"
    anchor: int | None = None


TOP = Place("top")
BOTTOM = Place("bottom")


def before(anchor: int) -> Place:
    """Immediately before the anchor item."""
    return Place("before", anchor)


def after(anchor: int) -> Place:
    """Immediately after the anchor item."""
    return Place("after", anchor)


@dataclass(frozen=True)
class OrderedList:
    """A table whose rows are ordered by `position` within the rows matching a scope."""

    table: Any  # a Table (typed loosely: declarative models expose FromClause)
    item: str = "gid"
    position: str = "position"

    def _col(self, name: str) -> Any:
        return self.table.c[name]

    def _scoped(self, stmt: Any, scope: dict[str, Any], exclude: int | None) -> Any:
        for column, value in scope.items():
            stmt = stmt.where(self._col(column) == value)
        if exclude is not None:
            stmt = stmt.where(self._col(self.item) != exclude)
        return stmt

    def position_of(self, conn: Connection, scope: dict[str, Any], item: int) -> int | None:
        """The item's position in the scope, or None when it is not there."""
        stmt = self._scoped(select(self._col(self.position)), scope, None).where(self._col(self.item) == item)
        value = conn.execute(stmt).scalar_one_or_none()
        return None if value is None else int(value)

    def _edge(self, conn: Connection, scope: dict[str, Any], exclude: int | None, *, low: bool) -> int | None:
        agg = func.min if low else func.max
        value = conn.execute(self._scoped(select(agg(self._col(self.position))), scope, exclude)).scalar()
        return None if value is None else int(value)

    def _neighbour(
        self, conn: Connection, scope: dict[str, Any], exclude: int | None, pos: int, *, below: bool
    ) -> int | None:
        col = self._col(self.position)
        stmt = select(func.max(col)).where(col < pos) if below else select(func.min(col)).where(col > pos)
        value = conn.execute(self._scoped(stmt, scope, exclude)).scalar()
        return None if value is None else int(value)

    def place(
        self, conn: Connection, scope: dict[str, Any], where: Place, *, moving: int | None = None
    ) -> int:
        """A free position for an item (new, or `moving` within the scope) at `where`."""
        for _ in range(2):
            pos = self._try_place(conn, scope, where, moving)
            if pos is not None:
                return pos
            self.renumber(conn, scope)
        raise RuntimeError("no free position after renumbering")  # unreachable: renumber leaves gaps

    def _try_place(
        self, conn: Connection, scope: dict[str, Any], where: Place, moving: int | None
    ) -> int | None:
        if where.where in ("top", "bottom"):
            edge = self._edge(conn, scope, moving, low=where.where == "top")
            if edge is None:
                return 0
            return edge - GAP if where.where == "top" else edge + GAP
        assert where.anchor is not None
        anchor = self.position_of(conn, scope, where.anchor)
        if anchor is None:
            raise LookupError(where.anchor)
        below = where.where == "before"
        other = self._neighbour(conn, scope, moving, anchor, below=below)
        if other is None:
            return anchor - GAP if below else anchor + GAP
        middle = (anchor + other) // 2
        return None if middle in (anchor, other) else middle

    def renumber(self, conn: Connection, scope: dict[str, Any]) -> None:
        """Spread the scope's positions out again (GAP apart), keeping their order."""
        stmt = self._scoped(select(self._col(self.item)), scope, None).order_by(
            self._col(self.position), self._col(self.item)
        )
        items = [row[0] for row in conn.execute(stmt)]
        for index, item in enumerate(items):
            conn.execute(
                self._scoped(update(self.table), scope, None)
                .where(self._col(self.item) == item)
                .values({self.position: index * GAP})
            )


def lock(conn: Connection, table: str, gid: int) -> None:
    """Serialize ordering changes under one parent row (PostgreSQL row lock; SQLite needs none)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SELECT 1 FROM {table} WHERE gid = :gid FOR UPDATE"), {"gid": gid})
