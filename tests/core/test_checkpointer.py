"""The SQLite WAL checkpointer: under a steady stream of writes the WAL still starts over."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from vinyasa.db import make_engine
from vinyasa.walspace import Checkpointer


def _write_for(engine: Engine, seconds: float) -> int:
    """Commit small writes back to back (as a busy server's one writer thread does); how many."""
    deadline, commits = time.monotonic() + seconds, 0
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            with conn.begin():
                conn.execute(text("INSERT INTO t VALUES (randomblob(3000))"))
            commits += 1
    return commits


@pytest.mark.serial  # its checkpointer thread must get the CPU while the writes run
@pytest.mark.parametrize("restart_frames", [200, 10**9], ids=["restarts", "never"])
def test_a_steady_stream_of_writes_keeps_the_wal_small(tmp_path: Path, restart_frames: int) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}", background_checkpoints=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x BLOB)"))
    checkpointer = Checkpointer(engine, interval=0.01, restart_frames=restart_frames)
    try:
        commits = _write_for(engine, 1.5)
    finally:
        checkpointer.stop()
    wal_frames = (tmp_path / "c.db-wal").stat().st_size // 4120
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == commits
    engine.dispose()
    assert commits > 3000  # each commit appends a frame or two to a WAL that never starts over
    if restart_frames == 200:
        # The threshold and what the writes between two RESTARTs add (without them: every commit's
        # 2-3 frames). On a loaded machine (other test runs) the checkpointer's thread waits for the
        # CPU and the GIL, its catch-up passes count those waits and run all eight: 0.1-0.3 s between
        # RESTARTs, a WAL of up to ~0.75 frames a commit seen, so the bound is one frame a commit.
        assert wal_frames < commits, (wal_frames, commits)
    else:  # the behaviour the RESTART exists for: PASSIVE checkpoints alone let the WAL grow
        assert wal_frames > commits // 2, (wal_frames, commits)
