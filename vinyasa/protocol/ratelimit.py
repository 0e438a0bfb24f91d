"""Asana-style per-token rate limiting: a fixed one-minute window, 429 with Retry-After past it."""

from __future__ import annotations

from vinyasa.core import clock
from vinyasa.errors import RateLimited


class RateLimiter:
    """Counts requests per user token in the current minute (per process)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._window = 0
        self._counts: dict[int, int] = {}

    def spend(self, user_gid: int) -> None:
        """Count one request; raise 429 once the minute's budget is gone."""
        now = clock.monotonic()  # the emulator's clock moves the window too
        window = int(now // 60)
        if window != self._window:
            self._window, self._counts = window, {}
        used = self._counts.get(user_gid, 0) + 1
        self._counts[user_gid] = used
        if used > self.per_minute:
            raise RateLimited(retry_after=max(1, int(60 - now % 60) + 1))
