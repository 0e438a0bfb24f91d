"""The sweep's CPU accounting: the server process apart from its children, and queued jobs awaited.

A vinyasa server runs its job runner (and the webhook delivery) in child processes. Their CPU is work
queued by earlier requests (a duplicate's job copies a project for seconds after its request
answered); counted with the server's, it lands on whichever rows run next: in the full sweep of
2026-11-30 the ~1,500 duplicate jobs queued by the wrk rows of the duplicate routes ran for the rest
of the run and made the later, slower rows look 10-300x as costly as they are (docs/performance.md).

- `own_cpu(pid)`: the server process's CPU (all its threads), from the kernel's process CPU clock:
  nanosecond resolution, so one request at a time can be measured (/proc's counters are 10 ms ticks).
- `children_cpu(pid)`: the same for its live children (the background work).
- `settle(url, pid)`: wait until no job is due or running (the runner has done what the row
  queued), then until the server and its children are idle (the checkpointer has copied the row's
  writes back into the database: a burst of job writes leaves seconds of that work behind).
"""

from __future__ import annotations

import time
from pathlib import Path

# Claimed jobs hold `due_at` at the end of their lease; waiting ones at their start (or retry) time.
PENDING = "SELECT count(*) FROM jobs WHERE due_at IS NOT NULL AND (status = 'in_progress' OR due_at <= :soon)"


def _clock(pid: int) -> float:
    """The CPU seconds of process `pid` (every thread): Linux's CPU-time clock of another process
    (`clock_getcpuclockid`, which Python does not wrap: MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED))."""
    return time.clock_gettime((~pid << 3) | 2)


def own_cpu(pid: int) -> float:
    """CPU seconds of the server process itself (its children not included)."""
    return _clock(pid)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def children_cpu(pid: int) -> float:
    """CPU seconds of the server's live children (the job runner, the webhook delivery)."""
    total = 0.0
    for child in _children(pid):
        try:
            total += _clock(child) + children_cpu(child)
        except OSError:  # gone since listed
            continue
    return total


def idle_rate(pid: int, windows: int = 4) -> float:
    """CPU seconds a second that server `pid` and its children spend with nothing to do (the webhook
    delivery child's looks, the job runner's poll, the checkpointer's ticks): the least of `windows`
    half seconds.
    On a slow machine, with the sweep's hundreds of webhooks, that alone was over 5% of a CPU, and
    `settle` waited its whole 30 s after every row."""
    rates = []
    for _ in range(windows):
        before = own_cpu(pid) + children_cpu(pid)
        time.sleep(0.5)
        rates.append((own_cpu(pid) + children_cpu(pid) - before) / 0.5)
    return min(rates)


def settle(url: str, pid: int, limit: float = 300.0, soon_s: float = 5.0, idle: float = 0.0) -> int:
    """Wait (at most `limit` s) until no job of the database at `url` is due within `soon_s` or
    running, then (at most 30 s more) until server `pid` and its children are idle (under 5% of a
    CPU over half a second above `idle`, their `idle_rate`); the jobs still pending (0: settled)."""
    from sqlalchemy import text

    from vinyasa.db import make_engine

    engine = make_engine(url)
    deadline = time.monotonic() + limit
    try:
        while True:
            with engine.connect() as conn:
                soon = int((time.time() + soon_s) * 1000)
                pending = int(conn.execute(text(PENDING), {"soon": soon}).scalar_one())
            if pending == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        engine.dispose()
    quiet_by = time.monotonic() + 30
    while time.monotonic() < quiet_by:
        before = own_cpu(pid) + children_cpu(pid)
        time.sleep(0.5)
        if own_cpu(pid) + children_cpu(pid) - before < 0.025 + idle * 0.5:
            break
    return pending
