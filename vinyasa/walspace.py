"""Disk space reserved ahead of a growing SQLite WAL, so commits do not wait on block allocation.

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
