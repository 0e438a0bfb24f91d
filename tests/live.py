"""A real `vinyasa serve` to `kill -9` in the middle of background work and serve again
(tests/jobs/test_crash.py, tests/rules/test_crash.py)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from tests.sdk.conftest import free_port, initialized, serving

T = TypeVar("T")


@dataclass(frozen=True)
class Crashable:
    """A fresh database of one backend after `vinyasa init --json`, and a port to serve it on."""

    env: dict[str, str]
    made: dict[str, str]  # what init printed: token, user, workspace, team
    port: int
    tmp_path: Path

    @property
    def url(self) -> str:
        """The database URL."""
        return self.env["VINYASA_DATABASE_URL"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.made['token']}"}

    def serve(self, log: str) -> AbstractContextManager[subprocess.Popen[bytes]]:
        """`vinyasa serve` on the port, its output in `log` under tmp_path (see `serving`)."""
        return serving(self.env, self.tmp_path / log, "--port", str(self.port))


def crashable(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Crashable:
    """A Crashable whose job leases expire after 2 s, so a restarted server takes interrupted work
    over quickly."""
    env, made = initialized(request, backend, tmp_path, VINYASA_JOB_LEASE_SECONDS="2")
    return Crashable(env, made, free_port(), tmp_path)


def poll(check: Callable[[], T], until: Callable[[T], bool], seconds: float, every: float) -> T:
    """`check()` every `every` seconds until `until(result)` holds or `seconds` pass; the last result."""
    deadline = time.monotonic() + seconds
    while True:
        seen = check()
        if until(seen) or time.monotonic() > deadline:
            return seen
        time.sleep(every)


def kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool], seconds: float) -> None:
    """`kill -9` the server as soon as `ready()` (polled every 5 ms; at the latest after `seconds`)."""
    poll(ready, bool, seconds, 0.005)
    proc.kill()
    proc.wait(10)
