"""The one clock: every place that reads the time (created_at/modified_at, completed_at, journal
entries and their retention, the rate limiter's window, and background work) reads it here.

By default it is the system's UTC clock. The emulator's control plane (`vinyasa.control`) can
*freeze* it (time stops at one instant), *set* it to an instant, *advance* it by a duration and
*resume* it (time flows again from where it stands); `reset` returns it to the system clock. The
state is per process: the emulator runs one server process.

Nothing in this module imports the rest of vinyasa, so any module can use it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClockState:
    """What the clock says: `now_ms` (epoch milliseconds, UTC), whether it is `frozen`, and its
    `offset_ms` from the system clock (0 when it follows the system clock)."""

    now_ms: int
    frozen: bool
    offset_ms: int


# The instants the clock can show: years 0001-9999 in UTC, what Asana's timestamps can render.
MIN_MS = -62_135_596_800_000  # 0001-01-01T00:00:00.000Z
MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z

_lock = threading.Lock()
_offset_ms = 0  # added to the system clock while time flows
_frozen_ms: int | None = None  # the instant time stands at while frozen


def _system_ms() -> int:
    return time.time_ns() // 1_000_000


def now_ms() -> int:
    """The current UTC time in epoch milliseconds (as the clock says: frozen, set or advanced)."""
    frozen = _frozen_ms
    return frozen if frozen is not None else _system_ms() + _offset_ms


def monotonic() -> float:
    """Seconds on a clock that never goes back by itself, moved by `advance` (rate-limit windows)."""
    frozen = _frozen_ms
    if frozen is not None:
        return frozen / 1000.0
    return time.monotonic() + _offset_ms / 1000.0


def state() -> ClockState:
    """The clock's current state."""
    with _lock:
        frozen = _frozen_ms
        offset = (frozen - _system_ms()) if frozen is not None else _offset_ms
        return ClockState(now_ms=now_ms(), frozen=frozen is not None, offset_ms=offset)


def freeze(at_ms: int | None = None) -> ClockState:
    """Stop time at `at_ms` (epoch ms), or at the current instant."""
    global _frozen_ms
    with _lock:
        _frozen_ms = now_ms() if at_ms is None else at_ms
    return state()


def resume() -> ClockState:
    """Let time flow again from the instant the clock shows (no jump back to the system time)."""
    global _frozen_ms, _offset_ms
    with _lock:
        if _frozen_ms is not None:
            _offset_ms, _frozen_ms = _frozen_ms - _system_ms(), None
    return state()


def set_ms(at_ms: int) -> ClockState:
    """Move the clock to `at_ms` (epoch ms); it stays frozen if it was, and flows on from there if not."""
    global _frozen_ms, _offset_ms
    with _lock:
        if _frozen_ms is not None:
            _frozen_ms = at_ms
        else:
            _offset_ms = at_ms - _system_ms()
    return state()


def advance(by_ms: int) -> ClockState:
    """Move the clock forward by `by_ms` milliseconds (a negative value moves it back).

    ValueError, and the clock unchanged, when it would leave MIN_MS..MAX_MS."""
    global _frozen_ms, _offset_ms
    with _lock:
        if not MIN_MS <= now_ms() + by_ms <= MAX_MS:
            raise ValueError(by_ms)
        if _frozen_ms is not None:
            _frozen_ms += by_ms
        else:
            _offset_ms += by_ms
    return state()


def reset() -> ClockState:
    """Back to the system clock, flowing."""
    global _frozen_ms, _offset_ms
    with _lock:
        _frozen_ms, _offset_ms = None, 0
    return state()
