"""The shared ordering mechanism, on a scratch table in each backend."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, select

from vinyasa import ordering

meta = MetaData()
items = Table(
    "scratch_ordered",
    meta,
    Column("gid", BigInteger, primary_key=True, autoincrement=False),
    Column("scope", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
)
LIST = ordering.OrderedList(items)


@pytest.fixture
def conn(env):
    meta.create_all(env.engine)
    with env.engine.connect() as c:
        yield c
        c.rollback()
    meta.drop_all(env.engine)


def _order(conn, scope=1):
    return [
        r[0]
        for r in conn.execute(select(items.c.gid).where(items.c.scope == scope).order_by(items.c.position))
    ]


def _add(conn, gid, where, scope=1):
    pos = LIST.place(conn, {"scope": scope}, where)
    conn.execute(items.insert().values(gid=gid, scope=scope, position=pos))


def _move(conn, gid, where, scope=1):
    pos = LIST.place(conn, {"scope": scope}, where, moving=gid)
    conn.execute(items.update().where(items.c.gid == gid).values(position=pos))


def test_top_bottom_before_after(conn):
    _add(conn, 1, ordering.BOTTOM)
    _add(conn, 2, ordering.BOTTOM)
    _add(conn, 3, ordering.TOP)
    _add(conn, 4, ordering.before(2))
    _add(conn, 5, ordering.after(3))
    _add(conn, 6, ordering.after(2))
    assert _order(conn) == [3, 5, 1, 4, 2, 6]


def test_scopes_are_independent(conn):
    _add(conn, 1, ordering.BOTTOM, scope=1)
    _add(conn, 2, ordering.TOP, scope=2)
    _add(conn, 3, ordering.TOP, scope=1)
    assert _order(conn, 1) == [3, 1]
    assert _order(conn, 2) == [2]


def test_moves(conn):
    for gid in (1, 2, 3, 4):
        _add(conn, gid, ordering.BOTTOM)
    _move(conn, 4, ordering.TOP)
    assert _order(conn) == [4, 1, 2, 3]
    _move(conn, 4, ordering.after(2))
    assert _order(conn) == [1, 2, 4, 3]
    _move(conn, 1, ordering.BOTTOM)
    assert _order(conn) == [2, 4, 3, 1]
    _move(conn, 3, ordering.before(2))
    assert _order(conn) == [3, 2, 4, 1]


def test_gap_exhaustion_renumbers_and_keeps_order(conn):
    _add(conn, 1, ordering.BOTTOM)
    _add(conn, 2, ordering.BOTTOM)
    expected = [1, 2]
    for gid in range(3, 60):  # always squeeze right after item 1: halves the same gap each time
        _add(conn, gid, ordering.after(1))
        expected.insert(1, gid)
    assert _order(conn) == expected
    positions = [r[0] for r in conn.execute(select(items.c.position).order_by(items.c.position))]
    assert len(set(positions)) == len(positions)


def test_unknown_anchor(conn):
    _add(conn, 1, ordering.BOTTOM)
    with pytest.raises(LookupError):
        LIST.place(conn, {"scope": 1}, ordering.before(99))


def test_every_permutation_of_small_inserts(conn):
    for places in itertools.islice(
        itertools.product(["top", "bottom", "before", "after"], repeat=4), 0, 256, 17
    ):
        conn.execute(items.delete())
        model: list[int] = []
        for gid, kind in enumerate(places, start=1):
            anchor = model[0] if model else None
            where = {
                "top": ordering.TOP,
                "bottom": ordering.BOTTOM,
                "before": ordering.before(anchor) if anchor else ordering.BOTTOM,
                "after": ordering.after(anchor) if anchor else ordering.BOTTOM,
            }[kind]
            _add(conn, gid, where)
            if kind == "top" or (kind == "before" and anchor):
                model.insert(0 if kind == "top" or anchor is None else model.index(anchor), gid)
            elif kind == "after" and anchor:
                model.insert(model.index(anchor) + 1, gid)
            else:
                model.append(gid)
        assert _order(conn) == model
