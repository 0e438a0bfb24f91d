"""The one durable background runner: jobs, webhook deliveries and rules all run on it.

Work is a row of the `jobs` table (vinyasa.models.jobs) of some registered *kind*. The row is written
in the transaction of whatever asks for the work, so the work exists iff that transaction committed.
Every server process runs a `Runner` in its lifespan; runners claim due rows atomically with a
lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one `UPDATE ... RETURNING`, atomic under the
database's write lock), run them in bounded steps, each its own short transaction on a worker
thread (never on the event loop), and a row whose lease ran out (its process died) is claimed again.

API (what a family needs)::

    from vinyasa.core import runner

    def step(run: runner.Run) -> runner.Step:       # one bounded chunk of work, on a worker thread
        with run.unit() as caller:                   # a write transaction as the job's creator
            ...                                      # call services with `caller`, as a route does
            run.progress["next"] = 42                # saved with the step (JSON-serialisable)
            run.result = ("project", new_gid)        # optional: the object the job made
        return runner.MORE                           # or runner.DONE, or runner.later(seconds)

    runner.register(runner.Kind("duplicate_project", step, public=True))     # at import time
    gid = runner.enqueue(caller, "duplicate_project", {"source": 1})           # inside a request

- `Kind(name, step, public=False, max_attempts=5, backoff=...)`: `public` kinds are Asana jobs
  (`GET /jobs/{gid}`, `resource_subtype` = the name); others are internal (webhook deliveries, rules).
- `enqueue(caller, kind, params, delay=0.0, workspace_gid=None)` -> the job gid (creator: the
  caller's user); `enqueue_system(conn, kind, params, base_url, ...)` for work with no creator.
- A step runs with `Run`: `gid`, `kind`, `creator_gid`, `workspace_gid`, `base_url`, `params`
  (dict, as enqueued), `progress` (dict, saved by each unit; `{}` at first), `attempts` (claims so
  far, 1 on the first), `result` (`(resource_type, gid)` or None). `run.unit()` yields a `Caller`
  for the creator (vinyasa.core.unit.unit_of_work); `run.transaction()` yields a bare connection
  (for kinds with no creator); `run.read()` a read-only Caller (no claim check: for large reads
  that must not hold the write lock, before a short unit). The first two check the claim is still
  this runner's (else `LeaseLost`: the step's writes are rolled back and the work is left to
  whoever holds it), and at commit save
  `progress` and `result` and renew the lease: a step's writes and its progress commit together,
  so a step runs to completion exactly once, whatever crashes. Anything a step does outside a unit
  (an HTTP call) may run again after a crash: make it idempotent or record it in `progress`.
  Setting `run.done = True` inside a unit finishes the job with that same commit.
- `run.keep(items)` inside a unit stores a large list of JSON-serialisable items with that commit
  (written once, not with every step's progress: e.g. a snapshot the later steps work from), one
  JSON line per item, so no single (GIL-holding) encode or decode call is long; `run.stash()`
  returns it (None until kept), read once per claim, in every later step and after a takeover.
  `run.memo` is a dict that lives as long as this claim (never saved).
- A step returns `MORE` (call again soon), `DONE` (succeeded) or `later(seconds)` (release the
  claim; due again then). Raising `JobFailed(message)` fails the job with that message, and so
  does an `AsanaError` a service raises (its message: a 4xx does not change by retrying). Any other
  exception is retried after `kind.backoff(attempts)` seconds (a race with another transaction,
  vinyasa.db.race_kind, at once) until `max_attempts` claims, then the job fails with
  "Internal error (<exception class>)". A claim beyond `max_attempts` (the work keeps killing its
  process) fails it too.
- States: `not_started` -> `in_progress` (first claim) -> `succeeded` | `failed`. `error` holds the
  failure message, `finished_at` the end (epoch ms), `lease_owner` the claim that ended it
  (`<pid>-<random>`: every server process of `vinyasa serve --workers N` claims work).

Running: `Runner(transactions, lease=30, poll=0.5, workers=2, pause=3, retention=None)`; `start()`
in the lifespan, `await stop()` at shutdown (waits for the step under way). With `retention`
(seconds) a runner with nothing to do deletes the work that ended longer ago than that, every
PRUNE_EVERY seconds (`prune`). `wake()` (called by `enqueue` for every
runner of the process) makes idle workers look for due work at once instead of at the next poll.
Steps run on worker threads (`asyncio.to_thread`); while one runs the interpreter's switch interval
is 0.5 ms (not 5), and after each step its worker rests `pause` times as long as the step took (at
most 50 ms), so requests on the event loop keep most of the CPU (bench/jobs.py measures both).
Tests run due work deterministically with `drain(transactions)` (synchronous, in the calling thread,
until nothing is due; returns how many jobs it ran to an end).

A claimed job (`Run`, `Step`, `JobFailed`, ...) and its row's lifecycle (claim, finish, release) are
in vinyasa.core.runner_claims; this module re-exports what families use.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection

from vinyasa.core.caller import Caller
from vinyasa.core.clock import now_ms
from vinyasa.core.runner_claims import (
    DONE,
    FAILED,
    IN_PROGRESS,
    MORE,
    NOT_STARTED,
    SUCCEEDED,
    JobFailed,
    LeaseLost,
    Run,
    Step,
    _claim,
    _end,
    _release,
    _rowcount,
    claim_token,
    later,
)
from vinyasa.db import RequestTransactions, race_kind
from vinyasa.errors import AsanaError
from vinyasa.protocol import gids, sql

log = logging.getLogger("vinyasa.runner")

# What families use, with what vinyasa.core.runner_claims holds (a claimed job, its row's lifecycle).
__all__ = [
    "add_waker",
    "claim_token",
    "DONE",
    "drain",
    "enqueue",
    "enqueue_system",
    "FAILED",
    "IN_PROGRESS",
    "is_public",
    "JobFailed",
    "Kind",
    "KINDS",
    "later",
    "LeaseLost",
    "MORE",
    "NOT_STARTED",
    "on_idle",
    "PAUSE_CAP",
    "prune",
    "PRUNE_EVERY",
    "register",
    "remove_waker",
    "Run",
    "run_to_end",
    "Runner",
    "Step",
    "SUCCEEDED",
    "SWITCH_INTERVAL",
    "Waker",
]


def _default_backoff(attempts: int) -> float:
    return float(min(300, 2**attempts))


@dataclass(frozen=True)
class Kind:
    """A kind of work: its name, its step function and how failures are retried."""

    name: str
    step: Callable[[Run], Step]
    public: bool = False
    max_attempts: int = 5
    backoff: Callable[[int], float] = _default_backoff


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Make `kind` runnable by every runner of this process (call at import time)."""
    KINDS[kind.name] = kind
    return kind


def is_public(kind: str) -> bool:
    """Whether work of `kind` is an Asana job (shown by `GET /jobs/{gid}`)."""
    found = KINDS.get(kind)
    return found is not None and found.public


# ---- creating work --------------------------------------------------------------------------------

_INSERT = (
    "INSERT INTO jobs (gid, kind, status, creator_gid, workspace_gid, base_url, params, progress,"
    " due_at, attempts, created_at) VALUES (?, ?, 'not_started', ?, ?, ?, ?, NULL, ?, 0, ?)"
)


def enqueue_system(
    conn: Connection,
    kind: str,
    params: dict[str, Any],
    base_url: str,
    *,
    creator_gid: int | None = None,
    workspace_gid: int | None = None,
    delay: float = 0.0,
) -> int:
    """Write a job row in `conn`'s transaction; returns its gid. Wakes this process's runners."""
    if kind not in KINDS:
        raise ValueError(f"runner: unknown kind {kind!r}")  # a programming error
    gid = gids.new_gid(conn)
    now = now_ms()
    row = (gid, kind, creator_gid, workspace_gid, base_url, json.dumps(params), now + int(delay * 1000), now)
    sql.execute_many(conn, _INSERT, [row])
    for runner in list(_RUNNING):
        runner.wake()
    return gid


def enqueue(
    caller: Caller,
    kind: str,
    params: dict[str, Any],
    *,
    delay: float = 0.0,
    workspace_gid: int | None = None,
) -> int:
    """A job run as `caller`'s user, written in `caller`'s transaction; returns its gid."""
    return enqueue_system(
        caller.conn,
        kind,
        params,
        caller.base_url,
        creator_gid=caller.user_gid,
        workspace_gid=workspace_gid,
        delay=delay,
    )


_RACE_RETRIES = 5


def _advance(run: Run) -> Step | None:
    """Run one step of `run` and act on its outcome; returns the step's outcome, or None when the
    job is over for this runner (finished, failed, released, or taken over)."""
    kind = KINDS[run.kind]
    if run.attempts > kind.max_attempts:
        _end(run, FAILED, "The job was interrupted too many times")
        return None
    saved = dict(run.progress), run.result, run._stash, run.has_stash
    try:
        for tries in range(1, _RACE_RETRIES + 1):
            try:
                outcome = kind.step(run)
                break
            except Exception as exc:
                if race_kind(exc) is None or tries == _RACE_RETRIES:
                    raise
                run.progress, run.result = dict(saved[0]), saved[1]  # the step rolled back
                run._stash, run.has_stash, run._kept = saved[2], saved[3], False
                time.sleep(0.005 * 2**tries)
    except LeaseLost:
        log.warning("job %s: lease lost to another runner", run.gid)
        return None
    except (JobFailed, AsanaError) as failed:  # a service's 4xx will not change by trying again
        _end(run, FAILED, failed.message)
        return None
    except Exception as exc:
        log.exception("job %s (%s) step failed", run.gid, run.kind)
        if run.attempts >= kind.max_attempts:
            _end(run, FAILED, f"Internal error ({exc.__class__.__name__})")
        else:
            _release(run, kind.backoff(run.attempts))
        return None
    if run.finished:
        return None
    if outcome.action == "done":
        _end(run, SUCCEEDED, None)
        return None
    if outcome.action == "later":
        _release(run, outcome.delay)
        return None
    return outcome


def run_to_end(run: Run) -> None:
    """Run every step of a claimed job in this thread (tests, `drain`)."""
    while _advance(run) is not None:
        pass


def drain(transactions: RequestTransactions, *, lease: float = 30.0, limit: int = 10_000) -> int:
    """Claim and run every due job in the calling thread until none is due; returns how many ran.

    Deterministic test helper (the app's lifespan is not needed); at most `limit` claims."""
    ran = 0
    while ran < limit:
        run = _claim(transactions, claim_token(), int(lease * 1000), sorted(KINDS))
        if run is None:
            break
        run_to_end(run)
        ran += 1
    return ran


_PRUNE = (
    "DELETE FROM jobs WHERE gid IN (SELECT gid FROM jobs WHERE status IN ('succeeded', 'failed')"
    " AND finished_at < :before LIMIT 500)"
)
PRUNE_EVERY = 600.0  # seconds between a runner's prunes


def prune(transactions: RequestTransactions, before_ms: int) -> int:
    """Delete the work that ended (succeeded or failed) before `before_ms` (epoch ms), 500 rows per
    short transaction; returns how many rows went. Their `GET /jobs/{gid}` is a 404 from then on."""
    gone = 0
    while True:
        with transactions.begin(write=True) as conn:
            count = _rowcount(conn, _PRUNE, {"before": before_ms})
        gone += count
        if count < 500:
            return gone


# ---- the runner of a server process ----------------------------------------------------------------

# While a step runs on a worker thread, the interpreter hands the GIL over every SWITCH_INTERVAL s
# (CPython's default is 5 ms): the event loop thread, which gives the GIL up at every socket and
# database call of a request, would otherwise wait up to 5 ms to get it back each time.
SWITCH_INTERVAL = 0.0005
PAUSE_CAP = 0.05
_switch_lock = threading.Lock()
_stepping_now = 0
_default_interval = sys.getswitchinterval()


def _stepping(run: Run) -> Step | None:
    """`_advance` with the short switch interval while it runs (thread-safe, nested across workers)."""
    global _stepping_now
    with _switch_lock:
        _stepping_now += 1
        if _stepping_now == 1:
            sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        return _advance(run)
    finally:
        with _switch_lock:
            _stepping_now -= 1
            if _stepping_now == 0:
                sys.setswitchinterval(_default_interval)


class Waker(Protocol):
    """Anything `enqueue` wakes: a `Runner`, or the handle of one in a child process."""

    def wake(self) -> None: ...


_RUNNING: set[Waker] = set()


def add_waker(waker: Waker) -> None:
    """Let `enqueue` in this process wake `waker` (a runner elsewhere: vinyasa.core.runner_process)."""
    _RUNNING.add(waker)


def remove_waker(waker: Waker) -> None:
    """Stop waking `waker`."""
    _RUNNING.discard(waker)


IdleHook = Callable[[RequestTransactions], object]
_IDLE_HOOKS: list[IdleHook] = []


def on_idle(hook: IdleHook) -> IdleHook:
    """Call `hook(transactions)` on a worker thread whenever a runner finds no due job (every poll
    while idle; one hook run at a time per runner; not while paused). Background upkeep that needs
    no job row: vinyasa.search.indexing catches SQLite's search index up this way. Register at
    import time; a hook must cost one read when it has nothing to do, and log nothing then.

    A call is one bounded step (one short transaction) and returns something true when more may be
    left (vinyasa.search.indexing: how many objects it indexed): the runner calls it again after
    resting as it does between a job's steps (`pause` times the step's duration). A hook that
    looped through all its work in back-to-back transactions held SQLite's write lock all along:
    the server's writers, polling for it between short sleeps, lost every race for it (POST /tasks
    at c=8: p99 18-23 ms with the search index catching up so, 13-16 ms in steps)."""
    if hook not in _IDLE_HOOKS:
        _IDLE_HOOKS.append(hook)
    return hook


class Runner:
    """`workers` asyncio tasks that claim due jobs and run their steps on worker threads."""

    def __init__(
        self,
        transactions: RequestTransactions,
        *,
        lease: float = 30.0,
        poll: float = 0.5,
        workers: int = 2,
        rich_text_strict: bool = False,
        pause: float = 3.0,
        retention: float | None = None,
    ) -> None:
        self.transactions = transactions
        self.retention_ms = int(retention * 1000) if retention else None
        self._pruned_at: float | None = None
        self.lease_ms = int(lease * 1000)
        self.poll, self.workers = poll, workers
        self.rich_text_strict = rich_text_strict
        self.rest = pause  # rest after each step, as a multiple of the step's duration
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self.paused = False  # the emulator's `jobs/pause`: claim nothing, stop between steps
        self._wakeup: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._upkeep = False  # an idle hook is running (another idle worker skips them)

    def start(self) -> None:
        """Start the workers on the running event loop."""
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._tasks = [
            asyncio.create_task(self._work(), name=f"vinyasa-runner-{i}") for i in range(self.workers)
        ]
        _RUNNING.add(self)

    def wake(self) -> None:
        """Look for due work now (thread-safe)."""
        loop, event = self._loop, self._wakeup
        if loop is None or event is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(event.set)
        except RuntimeError:  # the loop closed meanwhile
            pass

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming; wait (up to `timeout` s) for the steps under way to commit."""
        _RUNNING.discard(self)
        self._stopping = True
        self.wake()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=timeout)
            for task in pending:
                task.cancel()
        self._tasks = []

    def pause(self) -> None:
        """Claim no work and hand back the job under way after its current step (the emulator)."""
        self.paused = True

    def resume(self) -> None:
        """Claim work again."""
        self.paused = False
        self.wake()

    async def _idle(self, clear: bool = True) -> None:
        """Wait for a `wake()` (since the last clear: `clear=False` keeps one) or the next poll."""
        assert self._wakeup is not None
        if clear:
            self._wakeup.clear()
        try:
            await asyncio.wait_for(self._wakeup.wait(), self.poll)
        except TimeoutError:
            pass

    async def _prune(self) -> None:
        """Prune work that ended more than `retention` seconds ago (by the clock, vinyasa.core.clock),
        at most every PRUNE_EVERY seconds, when there is nothing to run."""
        if self.retention_ms is None:
            return
        if self._pruned_at is not None and time.monotonic() - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = time.monotonic()
        try:
            await asyncio.to_thread(prune, self.transactions, now_ms() - self.retention_ms)
        except Exception:
            log.exception("runner: pruning finished jobs failed")

    async def _idle_hooks(self) -> None:
        """Run the idle hooks (`on_idle`), unless another worker of this runner is running them."""
        if self._upkeep or not _IDLE_HOOKS:
            return
        self._upkeep = True
        try:
            for hook in _IDLE_HOOKS:
                while not self._stopping and not self.paused:
                    started = time.monotonic()
                    try:
                        more = await asyncio.to_thread(hook, self.transactions)
                    except Exception:
                        log.exception("runner: idle hook %s failed", getattr(hook, "__qualname__", hook))
                        break
                    if not more:
                        break
                    await asyncio.sleep(min(PAUSE_CAP, time.monotonic() - started) * self.rest)
        finally:
            self._upkeep = False

    async def _work(self) -> None:
        assert self._wakeup is not None
        while not self._stopping:
            if self.paused:
                await self._idle()
                continue
            # Before the claim reads: a wake from now on (a job enqueued during the claim, the pruning
            # or the idle hooks, which take a while) is kept for the wait below, not cleared by it.
            self._wakeup.clear()
            try:
                run = await asyncio.to_thread(
                    _claim, self.transactions, claim_token(), self.lease_ms, sorted(KINDS)
                )
            except Exception:
                log.exception("runner: claiming failed")
                run = None
            if run is None:
                await self._prune()
                await self._idle_hooks()
                await self._idle(clear=False)
                continue
            run.rich_text_strict = self.rich_text_strict
            while not self._stopping and not self.paused:
                started = time.monotonic()
                try:
                    outcome = await asyncio.to_thread(_stepping, run)
                except Exception:
                    log.exception("runner: job %s could not be ended", run.gid)
                    outcome = None  # its lease runs out and it is claimed again
                if outcome is None:
                    break
                # Requests first: rest as long as the step took (at most PAUSE_CAP s) before the next.
                await asyncio.sleep(min(PAUSE_CAP, time.monotonic() - started) * self.rest)
            else:  # stopping or pausing mid-job: hand it over now (its committed steps are kept)
                try:
                    await asyncio.to_thread(_release, run, 0.0)
                except Exception:
                    log.exception("runner: job %s could not be released", run.gid)
