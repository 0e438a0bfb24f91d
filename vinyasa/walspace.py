"""SQLite's WAL off the request path: checkpointed from a background thread (`Checkpointer`), and
disk space reserved ahead of its growth, so commits do not wait on block allocation (`WalReserve`).

A write that extends the WAL past its allocated blocks goes through ext4's delayed allocation
(`ext4_da_get_block_prep`), which waits on the file's allocation lock while writeback (the flusher,
or the checkpointer's own fsync of the WAL) is allocating blocks for it: single commits of 3-8 ms on
an otherwise ~1 ms write path (kernel stacks sampled under `python -m bench.ordering`, issue 12).
SQLite appends to the WAL while writers never pause long enough for a checkpoint to let it start
over, so under a steady stream of writes every commit is such an append.

`WalReserve.tick()`, called by the checkpointer thread after each checkpoint, keeps about four
ticks' worth of the WAL's recent growth allocated past its end with `fallocate(FALLOC_FL_KEEP_SIZE)`:
the file's size does not change (SQLite sees nothing), blocks are reserved, and a commit then writes
into allocated blocks. An idle or slowly written database reserves nothing. Where `fallocate` is
missing (not Linux) or refused (a file system without it), the reserve turns itself off.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
import threading
import time

from sqlalchemy import Engine

from vinyasa.db import is_sqlite

log = logging.getLogger("vinyasa")

_KEEP_SIZE = 0x01  # FALLOC_FL_KEEP_SIZE (linux/falloc.h)
_MB = 1 << 20
AHEAD_TICKS = 4  # reserve this many checkpoint intervals of growth past the WAL's end
MAX_RESERVE = 256 * _MB
STEP = 2 * _MB  # bytes reserved per fallocate call


def _load_fallocate() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        call = libc.fallocate
    except (OSError, AttributeError):
        return None
    call.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
    call.restype = ctypes.c_int
    return call


_fallocate = _load_fallocate()


class WalReserve:
    """Keeps blocks allocated past the end of `<database>-wal` in step with its growth."""

    def __init__(self, database: str) -> None:
        self.path = database + "-wal"
        self.enabled = _fallocate is not None
        self._last_size: int | None = None  # the WAL's size at the last tick (None: not seen yet)

    def tick(self) -> int:
        """Reserve what the WAL's growth since the last tick calls for; bytes newly reserved."""
        if not self.enabled:
            return 0
        try:
            fd = os.open(self.path, os.O_WRONLY)
        except OSError:  # no WAL yet (or it was just removed)
            return 0
        try:
            status = os.fstat(fd)
            size, allocated = status.st_size, status.st_blocks * 512
            growth = 0 if self._last_size is None else max(0, size - self._last_size)
            self._last_size = size
            want = min(MAX_RESERVE, -(-growth * AHEAD_TICKS // STEP) * STEP)
            if growth == 0 or allocated - size >= want // 2:
                return 0
            # In steps: fallocate holds the file's inode lock, which a commit's write() also takes.
            for offset in range(size, size + want, STEP):
                if _fallocate is None or _fallocate(fd, _KEEP_SIZE, offset, STEP) != 0:
                    error = ctypes.get_errno()
                    log.info("WAL space reserve off: fallocate failed (%s)", os.strerror(error))
                    self.enabled = False
                    return 0
            return want
        finally:
            os.close(fd)


# WAL frames (4 KiB pages: 256 MiB) past which a checkpoint also makes the next writer start the WAL over.
RESTART_FRAMES = 65_536
CATCH_UP_PASSES, CATCH_UP_S = 8, 0.005  # PASSIVE passes before it, until one takes under 5 ms
RESTART_WAIT_MS = 2  # its wait for the write lock, or for readers, before trying again at the next tick


class Checkpointer:
    """Checkpoints a SQLite WAL from a background thread, every `interval` seconds, for engines made
    with `background_checkpoints=True`. A no-op on other databases. `stop()` ends the thread and runs
    one last checkpoint.

    Each tick runs a PASSIVE checkpoint (never waits for readers or writers). Under a steady stream
    of writes that alone never lets the WAL start over: a writer reuses the WAL from its start only
    when it begins with every frame already copied back, and frames keep arriving while a checkpoint
    copies. The WAL then grows without bound (~100 MB/s under `bench.sweep`'s POST /tasks: a full
    disk within the hour), every commit appending into new blocks, which ext4 allocates and zeroes
    (15% of the server's CPU in the kernel's memset, sampled with perf). So once the WAL holds
    `restart_frames` frames the tick goes on: PASSIVE passes until one is short (each copies what
    was written during the one before), then a RESTART checkpoint, which takes the write lock (or
    gives up after `RESTART_WAIT_MS`, until the next tick), copies the last frames and makes the
    next writer start the WAL over, into blocks already allocated and cached. Writers wait for it:
    a few ms in the server (in vinyasa.protocol.context's lock loop), 10-40 ms as the worst insert of
    `bench.ordering` (its 600 MB of WAL restart twice), once per `restart_frames` of WAL. SQLite's
    documentation: https://www.sqlite.org/wal.html#avoiding_excessively_large_wal_files

    After each checkpoint it reserves disk space ahead of a growing WAL (`vinyasa.walspace`), so
    commits append into allocated blocks while the WAL grows to its working size."""

    def __init__(self, engine: Engine, interval: float = 0.5, restart_frames: int = RESTART_FRAMES) -> None:
        self.engine, self.interval, self.restart_frames = engine, interval, restart_frames
        self._restarted_at = 0  # the WAL's frame count when a RESTART last succeeded
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        database = engine.url.database if is_sqlite(engine) else None
        self._reserve = WalReserve(database) if database and database != ":memory:" else None
        if is_sqlite(engine):
            self._thread = threading.Thread(target=self._run, name="vinyasa-wal-checkpoint", daemon=True)
            self._thread.start()

    def _checkpoint(self) -> None:
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            _, frames, _ = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if frames >= self.restart_frames and frames != self._restarted_at:
                # Catch up first: each pass copies what was written during the one before, so the
                # RESTART, which holds the write lock, has only a moment's frames left to copy.
                for _ in range(CATCH_UP_PASSES):
                    started = time.monotonic()
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if time.monotonic() - started < CATCH_UP_S:
                        break
                (waited,) = cursor.execute("PRAGMA busy_timeout").fetchone()
                cursor.execute(f"PRAGMA busy_timeout={RESTART_WAIT_MS}")
                try:
                    busy, frames, _ = cursor.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
                finally:
                    cursor.execute(f"PRAGMA busy_timeout={int(waited)}")  # the pooled connection's own
                if not busy:
                    self._restarted_at = frames
        finally:
            raw.close()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._checkpoint()
                if self._reserve is not None:
                    self._reserve.tick()
            except Exception as exc:  # noqa: BLE001 - a failed checkpoint is retried on the next tick
                log.warning("WAL checkpoint failed: %s", exc)

    def stop(self) -> None:
        """End the thread (after its current checkpoint) and checkpoint once more."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(10)
        self._thread = None
        try:
            self._checkpoint()
        except Exception as exc:  # noqa: BLE001 - the database may already be gone (tests)
            log.warning("final WAL checkpoint failed: %s", exc)
