"""Ordering under abuse: hot spots, long runs of inserts at one place, the ends of the key space.

A used-up gap respaces only a window of neighbours (vinyasa.ordering), so besides the order itself
these tests check how many rows an insert rewrites. Issue 12, section 1 ("one long write stalls
everyone"). On the scratch table of tests.protocol.test_ordering, on both databases.
"""

from __future__ import annotations

import random

from sqlalchemy import Connection, select

from tests.protocol.test_ordering import LIST, conn, items  # noqa: F401 - `conn` is a fixture
from vinyasa import ordering


def _positions(c: Connection) -> dict[int, int]:
    return {r[0]: r[1] for r in c.execute(select(items.c.gid, items.c.position).where(items.c.scope == 1))}


def _order(c: Connection) -> list[int]:
    stmt = select(items.c.gid).where(items.c.scope == 1).order_by(items.c.position, items.c.gid)
    return [r[0] for r in c.execute(stmt)]


def _put(c: Connection, gid: int, where: ordering.Place, *, new: bool) -> None:
    pos = LIST.place(c, {"scope": 1}, where, moving=None if new else gid)
    if new:
        c.execute(items.insert().values(gid=gid, scope=1, position=pos))
    else:
        c.execute(items.update().where(items.c.gid == gid).values(position=pos))


def _fill(c: Connection, count: int) -> None:
    rows = [{"gid": g, "scope": 1, "position": g * ordering.GAP} for g in range(1, count + 1)]
    c.execute(items.insert(), rows)


def test_random_inserts_and_moves_around_hot_spots_match_a_model(conn):  # noqa: F811
    rng = random.Random(12)
    _fill(conn, 40)
    model = list(range(1, 41))
    hot = [1, 20, 40]  # most operations land next to these, exhausting their gaps again and again
    next_gid = 41
    for step in range(1500):
        kind = rng.choice(["before", "after", "after", "top", "bottom"])
        anchor = rng.choice(hot) if rng.random() < 0.8 else rng.choice(model)
        moving = None if rng.random() < 0.6 else rng.choice(model)
        if moving == anchor or (moving in hot and len(model) > 3):
            moving = None
        gid = next_gid if moving is None else moving
        if moving is None:
            next_gid += 1
        else:
            model.remove(moving)
        where = {
            "top": ordering.TOP,
            "bottom": ordering.BOTTOM,
            "before": ordering.before(anchor),
            "after": ordering.after(anchor),
        }[kind]
        _put(conn, gid, where, new=moving is None)
        if kind == "top":
            model.insert(0, gid)
        elif kind == "bottom":
            model.append(gid)
        else:
            model.insert(model.index(anchor) + (kind == "after"), gid)
        if step % 100 == 99:
            assert _order(conn) == model, step
    assert _order(conn) == model
    positions = _positions(conn)
    assert len(set(positions.values())) == len(positions)


def test_many_inserts_at_one_spot_rewrite_only_small_windows(conn):  # noqa: F811
    """1,000 inserts right after the same item of a 600-item list: most write only their own row;
    a used-up gap rewrites a window of neighbours, never the list."""
    _fill(conn, 600)
    before = _positions(conn)
    rewritten: list[int] = []
    for gid in range(1001, 2001):
        _put(conn, gid, ordering.after(300), new=True)
        after = _positions(conn)
        rewritten.append(sum(1 for g, p in before.items() if after[g] != p))
        before = after
    assert max(rewritten) <= 2 * 32, max(rewritten)  # at most the second window size
    assert sum(rewritten) <= 1000, sum(rewritten)  # amortised: about one row per insert
    assert sum(1 for n in rewritten if n) <= 1000 // 16
    order = _order(conn)
    assert order[:300] == list(range(1, 301))
    assert order[300:1300] == list(range(2000, 1000, -1))  # each new one right after item 300
    assert order[1300:] == list(range(301, 601))


def test_ends_of_the_key_space(conn):  # noqa: F811
    """Items pushed to +-LIMIT: top and bottom inserts still fit, in order, inside the bounds."""
    conn.execute(
        items.insert(),
        [
            {"gid": 1, "scope": 1, "position": -ordering.LIMIT + 2},
            {"gid": 2, "scope": 1, "position": 0},
            {"gid": 3, "scope": 1, "position": ordering.LIMIT - 2},
        ],
    )
    model = [1, 2, 3]
    for gid in range(10, 110):
        top = gid % 2 == 0
        _put(conn, gid, ordering.TOP if top else ordering.BOTTOM, new=True)
        model.insert(0, gid) if top else model.append(gid)
    assert _order(conn) == model
    positions = _positions(conn).values()
    assert all(-ordering.LIMIT <= p <= ordering.LIMIT for p in positions)
    assert len(set(positions)) == len(model)
