"""Ordered lists (sections in a project, tasks in a section, portfolio items...): one mechanism.

Items carry an integer `position` within a scope (e.g. the project). A new position is chosen in the
gap between its neighbours (`GAP` apart when appended at an end), so an insert usually writes one
row. When a gap is used up (about 32 inserts at one spot), only a window of neighbours around the
spot is spread out again: the smallest window, of 2k items with k = 8, 12, 18, 27... (half as many
again each time), whose span leaves every item at least `_min_step(k)` apart. Larger windows must
leave more room, so a respaced region absorbs many more inserts before it is touched again (the
classic order-maintenance bound: amortised O(log^2 n) rows per insert, and in practice a window of a
few dozen rows). Nothing ever renumbers a whole list. Positions stay within +-`LIMIT` (BIGINT on
PostgreSQL, INTEGER on SQLite). Callers serialize changes per scope with `lock` (a row lock on
PostgreSQL; SQLite's write transaction already serializes writers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, text

from vinyasa.db import row_lock
from vinyasa.protocol import sql

GAP = 1 << 32  # between items appended at an end: 2^30 appends fit in either direction
LIMIT = 1 << 62  # positions stay within +-LIMIT
_FIRST_WINDOW = 8  # items on each side of the spot in the first window tried; x4 per level


def _min_step(k: int) -> int:
    """The least spacing a respaced window of k items each side may leave between items: 256 for
    the first window, growing with the square root of its size (512 at 32, 1,024 at 128...)."""
    return 256 * math.isqrt(16 * k // _FIRST_WINDOW) // 4


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
    """A table whose rows are ordered by `position` within the rows matching a scope.

    Its statements are prepared SQL text (vinyasa.protocol.sql), built once per scope shape: an
    insert at a hot spot runs 3 short reads and, rarely, one executemany of a window's moves.
    """

    table: Any  # a Table (typed loosely: declarative models expose FromClause)
    item: str = "gid"
    position: str = "position"

    @cache  # noqa: B019 - a handful of module-level lists, each with one or two scope shapes
    def _sql(self, kind: str, scope: tuple[str, ...], exclude: bool) -> str:
        """The statement of one kind for a scope's columns (`?` placeholders: scope values, then
        the excluded item, then the kind's own parameters)."""
        t, item, pos = self.table.name, self.item, self.position
        where = " AND ".join([*(f"{c} = ?" for c in scope), *([f"{item} <> ?"] if exclude else [])])
        return {
            "position_of": f"SELECT {', '.join([pos, *scope])} FROM {t} WHERE {item} = ?",
            "below": f"SELECT {pos} FROM {t} WHERE {where} AND {pos} < ? ORDER BY {pos} DESC LIMIT 1",
            "above": f"SELECT {pos} FROM {t} WHERE {where} AND {pos} > ? ORDER BY {pos} LIMIT 1",
            "last": f"SELECT {pos} FROM {t} WHERE {where} ORDER BY {pos} DESC LIMIT 1",
            "first": f"SELECT {pos} FROM {t} WHERE {where} ORDER BY {pos} LIMIT 1",
            "low": f"SELECT {item}, {pos} FROM {t} WHERE {where} AND {pos} <= ?"
            f" ORDER BY {pos} DESC, {item} DESC LIMIT ?",
            "high": f"SELECT {item}, {pos} FROM {t} WHERE {where} AND {pos} >= ?"
            f" ORDER BY {pos}, {item} LIMIT ?",
            # Found by the item's own key; `+ 0` keeps the planner off the scope's (scope, position)
            # index, which SQLite would otherwise scan in full for each row (without ANALYZE).
            "move": f"UPDATE {t} SET {pos} = ? WHERE {item} = ?"
            + "".join(f" AND {c} + 0 = ?" for c in scope),
        }[kind]

    def _run(
        self, conn: Connection, kind: str, scope: dict[str, Any], exclude: int | None, *params: Any
    ) -> list[tuple[Any, ...]]:
        stmt = self._sql(kind, tuple(scope), exclude is not None)
        head = [*scope.values(), *([exclude] if exclude is not None else [])]
        return sql.fetch(conn, stmt, [*head, *params])

    def edge_sql(self, scope: dict[str, str], *, last: bool, exclude: bool) -> str:
        """The position of the scope's last (or first) item as a scalar subquery (NULL when the scope
        is empty), for a caller's own statement that reads the scope's row anyway: `scope` maps each
        scope column to an SQL expression of that statement (e.g. `{"section_gid": "s.gid"}`); with
        `exclude` it takes one `?`, the item left out (the one moving). Its value goes to
        `place_at_edge`, which then reads nothing: one statement where `place` runs two."""
        t, item, pos = self.table.name, self.item, self.position
        where = " AND ".join(
            [*(f"{c} = {o}" for c, o in scope.items()), *([f"{item} <> ?"] if exclude else [])]
        )
        return f"(SELECT {pos} FROM {t} WHERE {where} ORDER BY {pos}{' DESC' if last else ''} LIMIT 1)"

    def position_of(self, conn: Connection, scope: dict[str, Any], item: int) -> int | None:
        """The item's position in the scope, or None when it is not there.

        Looked up by the item alone (its primary key, or an index's leading column) and the scope
        checked here: with the scope in the WHERE clause, SQLite may scan the scope's whole
        (scope, position) index instead.
        """
        for row in sql.fetch(conn, self._sql("position_of", tuple(scope), False), [item]):
            if all(row[i + 1] == value for i, value in enumerate(scope.values())):
                return int(row[0])
        return None

    def _nearest(
        self, conn: Connection, scope: dict[str, Any], exclude: int | None, pos: int | None, *, below: bool
    ) -> int | None:
        """The position nearest below (or above) `pos` (None: the scope's last or first item).
        ORDER BY ... LIMIT 1 walks the (scope, position) index from the spot and stops at the first
        row; MIN/MAX with a range would scan the range on SQLite."""
        if pos is None:
            rows = self._run(conn, "last" if below else "first", scope, exclude)
        else:
            rows = self._run(conn, "below" if below else "above", scope, exclude, pos)
        return int(rows[0][0]) if rows else None

    def place(
        self, conn: Connection, scope: dict[str, Any], where: Place, *, moving: int | None = None
    ) -> int:
        """A free position for an item (new, or `moving` within the scope) at `where`.

        Raises LookupError when the anchor of `before`/`after` is not in the scope. May respace a
        window of neighbours (never the whole list) when the gap at `where` is used up.
        """
        return self.place_moved(conn, scope, where, moving=moving)[0]

    def place_moved(
        self, conn: Connection, scope: dict[str, Any], where: Place, *, moving: int | None = None
    ) -> tuple[int, list[tuple[int, int]]]:
        """`place`, and the (item, new position) of every neighbour a respacing moved (usually
        none), for callers that copy positions elsewhere."""
        if where.where in ("top", "bottom"):
            edge = self._nearest(conn, scope, moving, None, below=where.where == "bottom")
            return self._at_edge(conn, scope, where, edge, moving)
        else:
            assert where.anchor is not None
            anchor = self.position_of(conn, scope, where.anchor)
            if anchor is None:
                raise LookupError(where.anchor)
            below = where.where == "before"
            other = self._nearest(conn, scope, moving, anchor, below=below)
            lo, hi = (other, anchor) if below else (anchor, other)
        pos = _between(lo, hi)
        return self._respace(conn, scope, moving, lo, hi) if pos is None else (pos, [])

    def place_at_edge(
        self,
        conn: Connection,
        scope: dict[str, Any],
        where: Place,
        edge: int | None,
        *,
        moving: int | None = None,
    ) -> int:
        """`place` at TOP or BOTTOM, given the position of the scope's first or last item (read by
        the caller with `edge_sql`, leaving `moving` out; None: the scope is empty)."""
        return self._at_edge(conn, scope, where, edge, moving)[0]

    def _at_edge(
        self, conn: Connection, scope: dict[str, Any], where: Place, edge: int | None, moving: int | None
    ) -> tuple[int, list[tuple[int, int]]]:
        if where.where not in ("top", "bottom"):
            raise ValueError(f"not an edge: {where.where}")
        lo, hi = (None, edge) if where.where == "top" else (edge, None)
        pos = _between(lo, hi)
        return self._respace(conn, scope, moving, lo, hi) if pos is None else (pos, [])

    def _side(
        self, conn: Connection, scope: dict[str, Any], exclude: int | None, pos: int, count: int, *, low: bool
    ) -> list[tuple[int, int]]:
        """Up to `count` items (gid, position) at or beyond `pos`, nearest first."""
        rows = self._run(conn, "low" if low else "high", scope, exclude, pos, count)
        return [(int(r[0]), int(r[1])) for r in rows]

    def _respace(
        self, conn: Connection, scope: dict[str, Any], exclude: int | None, lo: int | None, hi: int | None
    ) -> tuple[int, list[tuple[int, int]]]:
        """Spread the smallest sufficient window around the spot between positions `lo` and `hi`
        (None: an end of the list) evenly, leaving a slot at the spot; returns the slot's position
        and the (item, position) of the items moved.

        The window grows by half each side at a time (8, 12, 18, 27... items), and its required
        room per item grows with its size, so the window chosen is the smallest one that is sparse
        enough, and larger windows are rarely needed.
        """
        k = _FIRST_WINDOW
        while True:
            left = [] if lo is None else self._side(conn, scope, exclude, lo, k + 1, low=True)
            right = [] if hi is None else self._side(conn, scope, exclude, hi, k + 1, low=False)
            low, high = _bound(left, right, k, -1), _bound(right, left, k, 1)
            window = [*reversed(left[:k]), None, *right[:k]]  # None: the slot for the new position
            step = (high - low) // (len(window) + 1)
            whole = len(left) <= k and len(right) <= k
            if step >= _min_step(k) or (whole and step >= 1):
                break
            if whole:  # the whole list is packed into +-LIMIT: ~2^60 items, never in practice
                raise RuntimeError("no room left in the ordered list")
            k += k // 2
        moves = [
            (low + (i + 1) * step, it[0], *scope.values()) for i, it in enumerate(window) if it is not None
        ]
        sql.execute_many(conn, self._sql("move", tuple(scope), False), moves)
        return low + (window.index(None) + 1) * step, [(int(m[1]), int(m[0])) for m in moves]


def _bound(side: list[tuple[int, int]], other: list[tuple[int, int]], k: int, direction: int) -> int:
    """A window's outer bound on one side (`direction` -1: below): the item just beyond the window's
    k items; at an end of the list, the outermost item (of `other` when `side` is empty) moved
    (k + 1) * GAP outwards, within +-LIMIT."""
    if len(side) > k:
        return side[k][1]
    edge = side[-1][1] if side else other[0][1]
    return max(-LIMIT, min(LIMIT, edge + direction * (k + 1) * GAP))


def _between(lo: int | None, hi: int | None) -> int | None:
    """A position strictly between two neighbours' positions (None: an open end), or None when
    there is no free integer between them."""
    if lo is None and hi is None:
        return 0
    if lo is None:
        assert hi is not None
        lo = max(-LIMIT, hi - 2 * GAP)
    elif hi is None:
        hi = min(LIMIT, lo + 2 * GAP)
    middle = (lo + hi) // 2
    return None if middle in (lo, hi) else middle


def lock(conn: Connection, table: str, gid: int) -> None:
    """Serialize ordering changes under one parent row (PostgreSQL row lock; SQLite needs none).

    FOR NO KEY UPDATE, not FOR UPDATE: it waits for other changes of the row, not for the rows
    inserted under it (a foreign key's check takes FOR KEY SHARE of its parent, which FOR UPDATE
    would block: a task created in a workspace, holding its FOR KEY SHARE, waiting for a custom
    field that a rename of it holds, while the rename waits for the workspace, was a deadlock)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SELECT 1 FROM {table} WHERE gid = :gid{row_lock(conn)}"), {"gid": gid})
