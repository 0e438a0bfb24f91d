"""The WAL space reserve: blocks allocated past a growing WAL's end, its size untouched."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from vinyasa import walspace
from vinyasa.walspace import WalReserve

pytestmark = pytest.mark.skipif(walspace._fallocate is None, reason="fallocate(2) is Linux-only")


def _wal_writer(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE t (x BLOB)")
    return db


def _grow(db: sqlite3.Connection, rows: int) -> None:
    db.execute("BEGIN")
    db.executemany("INSERT INTO t VALUES (?)", [(os.urandom(3000),) for _ in range(rows)])
    db.execute("COMMIT")


def test_a_growing_wal_gets_blocks_reserved_past_its_end(tmp_path: Path) -> None:
    db = _wal_writer(tmp_path / "a.db")
    reserve = WalReserve(str(tmp_path / "a.db"))
    wal = tmp_path / "a.db-wal"
    assert reserve.tick() == 0  # the first tick only notes where the WAL is
    before = wal.stat().st_size
    _grow(db, 700)  # ~2 MB of WAL
    size = wal.stat().st_size
    reserved = reserve.tick()
    assert reserved >= 4 * (size - before)  # four ticks of this growth, in whole steps
    status = wal.stat()
    assert status.st_size == size  # SQLite sees the same file
    assert status.st_blocks * 512 >= size + reserved
    assert reserve.tick() == 0  # no growth since: nothing more
    _grow(db, 100)  # small growth, well inside what is reserved
    assert reserve.tick() == 0
    assert db.execute("SELECT count(*) FROM t").fetchone() == (800,)
    db.close()
    again = sqlite3.connect(tmp_path / "a.db")  # the reserved tail never confuses recovery
    assert again.execute("SELECT count(*) FROM t").fetchone() == (800,)
    again.close()


def test_an_idle_or_missing_wal_reserves_nothing(tmp_path: Path) -> None:
    assert WalReserve(str(tmp_path / "none.db")).tick() == 0
    db = _wal_writer(tmp_path / "b.db")
    reserve = WalReserve(str(tmp_path / "b.db"))
    reserve.tick()
    assert reserve.tick() == 0
    db.close()
