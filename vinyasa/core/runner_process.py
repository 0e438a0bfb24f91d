"""The runner (vinyasa.core.runner) in a child process of each server process (`job_runner="process"`,
the default).

Python runs one thread at a time per process: a step of a large duplicate on a worker thread of the
server process takes the interpreter from the event loop for each of its slices, and every request
under way waits for them (bench/jobs.py: the GET p99 during a 10,000-task duplicate was 2.4-4x its
idle p99). In a child process the steps only share the database and the CPUs with the requests.

The child rebuilds the settings and an engine, imports `boot` (the module whose import registers
every kind: `vinyasa.app`; a second or two, which the server's lifespan waits for, so a server that
answers runs jobs at once), runs a `Runner` and exits when told to or when its parent is gone: on
Linux it is killed with its parent (`PR_SET_PDEATHSIG`), as the in-process runner would be, and it
checks its parent every `_WATCH` seconds elsewhere. `wake()` (called by `runner.enqueue` in the
server process, inside the request's transaction) makes the child look for due work at once, and
again `_RECHECK` s later in case the request had not committed yet.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import os
import signal
import sys
import time
from typing import Any

from vinyasa.config import Settings
from vinyasa.core import runner
from vinyasa.core.priority import lower_priority
from vinyasa.db import RequestTransactions, make_engine

_WATCH = 0.25
_RECHECK = 0.02
_PR_SET_PDEATHSIG = 1


def configured(transactions: RequestTransactions, settings: Settings) -> runner.Runner:
    """A `Runner` on `transactions` as the `job_*` settings say (not started)."""
    return runner.Runner(
        transactions,
        lease=settings.job_lease_seconds,
        poll=settings.job_poll_seconds,
        workers=settings.job_workers,
        rich_text_strict=settings.rich_text == "strict",
        pause=settings.job_pause,
        retention=settings.job_retention_days * 86_400,
    )


class RunnerProcess:
    """The parent's handle on the child: `start()`, `wake()` (thread-safe), `stop()` (blocking)."""

    def __init__(self, settings: Settings, boot: str = "vinyasa.app") -> None:
        self.settings = settings
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._wake = context.Event()
        self._ready = context.Event()
        self._process = context.Process(
            target=_run_until_stopped,
            args=(settings.model_dump(), boot, self._stop, self._wake, self._ready, os.getpid()),
            name="vinyasa-runner",
            daemon=True,
        )

    def start(self, timeout: float = 60.0) -> None:
        """Start the child, wait (blocking, up to `timeout` s) until it runs, and let
        `runner.enqueue` wake it: a server that answers has its runner."""
        self._process.start()
        runner.add_waker(self)
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.1):
            if not self._process.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the runner's child process did not start")

    def wake(self) -> None:
        """Make the child look for due work now."""
        self._wake.set()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the child to finish its steps under way and exit; kill it if it does not in time."""
        runner.remove_waker(self)
        self._stop.set()
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)


def _die_with(parent: int) -> None:
    """Linux: the kernel kills this process when its parent dies (as a kill -9 of the server)."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before that
        os._exit(0)


def _run_until_stopped(
    values: dict[str, Any], boot: str, stop: Any, wake: Any, ready: Any, parent: int
) -> None:
    _die_with(parent)
    importlib.import_module(boot)  # registers every kind
    settings = Settings(**values)
    engine = make_engine(
        settings.database_url, busy_timeout=settings.sqlite_busy_timeout, background_checkpoints=True
    )  # the parent's Checkpointer checkpoints the WAL this process writes
    transactions = RequestTransactions(engine)
    lower_priority("nice", settings.job_nice)  # once started (not slowed down while importing)
    try:
        asyncio.run(_serve(settings, transactions, stop, wake, ready, parent))
    finally:
        transactions.close()
        engine.dispose()


async def _serve(
    settings: Settings, transactions: RequestTransactions, stop: Any, wake: Any, ready: Any, parent: int
) -> None:
    work = configured(transactions, settings)
    work.start()
    ready.set()
    try:
        await asyncio.to_thread(_relay, work, stop, wake, parent)
    finally:
        await work.stop()


def _relay(work: runner.Runner, stop: Any, wake: Any, parent: int) -> None:
    """Pass the parent's wakes on to the runner until told to stop or the parent is gone."""
    while not stop.is_set() and os.getppid() == parent:
        if wake.wait(_WATCH):
            wake.clear()
            work.wake()
            time.sleep(_RECHECK)
            work.wake()
