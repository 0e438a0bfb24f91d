"""The delivery worker: claims due webhooks with a lease, sends their batches, records the outcome.

Each webhook goes through these steps, never with a transaction open while a target is called:
1. a read finds webhooks with work (new events on their stream, a heartbeat due) whose backoff
   has passed and that nobody holds; a short write transaction leases them to this worker
   (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several server processes share the work; SQLite's
   write lock serialises claims). Webhook rows are their own durable queue: one row per webhook,
   claimed many at a time, because one job per delivery on the shared runner
   (vinyasa.core.runner: one claim per job, polled) cannot bring 100 webhooks' events to their
   targets within 50 ms of the commit. Manual redeliveries do run on that runner
   (vinyasa.webhooks.redelivery);
2. a read transaction builds each webhook's batch (vinyasa.webhooks.delivery);
3. the POSTs run on a thread pool (kept-alive connections, connect/read timeouts:
   vinyasa.webhooks.client); the worker does not wait for a
   whole round: it records POSTs as they finish and claims more as places free up, so a slow
   target holds one pool thread and delays no other webhook;
4. a short write transaction records outcomes where the lease is still this worker's: on 2xx the
   cursor moves past the batch and the failure state resets; otherwise `delivery_retry_count` grows,
   `next_attempt_after` backs off exponentially (base * 2^(retries - 1), capped) and
   `failure_deletion_timestamp` is set once, `VINYASA_WEBHOOK_RETRY_WINDOW_HOURS` after the first
   failure; a failure past it deletes the webhook. A webhook whose resource was deleted
   (`ends_at`, vinyasa.webhooks.service) reads no further than the deletion and is deleted once
   everything through it is delivered. Every POST is logged (`webhook_attempts`).
A crash between 1 and 4 loses nothing: the cursor only moves once a delivery succeeded, and the
lease expires (the timeouts of the POSTs queued ahead, + 30 s) so another worker (or this one,
restarted) sends the batch again: delivery is at least once, in commit order per webhook.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import secrets
import socket
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, delete, update

from vinyasa.config import Settings
from vinyasa.core import Caller, journal
from vinyasa.core.priority import lower_priority
from vinyasa.db import RequestTransactions, make_engine
from vinyasa.models import Webhook
from vinyasa.protocol.gids import allocate
from vinyasa.protocol.values import now_ms
from vinyasa.webhooks import delivery, queries, target
from vinyasa.webhooks.client import Connections

log = logging.getLogger("vinyasa.webhooks")
LOG_PRUNE_EVERY_MS = 60_000
RECORD_AFTER = 0.05  # seconds a finished POST may wait to be recorded with others


@dataclass
class Send:
    """One POST to make this round: a delivery, a heartbeat, or a batch all filtered out ("skip")."""

    hook: delivery.Hook
    kind: str
    body: bytes
    batch: delivery.Batch


def idle_after(waited: float, settings: Settings) -> float:
    """How long the worker sleeps after a sleep of `waited` seconds that nothing cut short and a round
    that found nothing: twice as long, up to `webhook_idle_poll_interval` (seconds). A ring (a commit
    in this server process) or any work puts it back to `webhook_poll_interval`. Each look is a query
    over the webhooks (~0.1 ms of the database's CPU and as much of the worker's), a hundred times a
    second at the 10 ms poll: an idle server spent ~2% of a core looking."""
    return max(settings.webhook_poll_interval, min(waited * 2, settings.webhook_idle_poll_interval))


class Deliverer:
    """A delivery worker for one engine; `start()` runs rounds on a thread until `stop()`."""

    def __init__(
        self, engine: Engine, settings: Settings, owner: str | None = None, wake: Any = None
    ) -> None:
        self.settings = settings
        # Set by `wake()` (a commit that wrote journal entries): an idle worker looks at once instead
        # of at its next poll. A threading.Event, or a Doorbell across processes.
        self._wake = wake if wake is not None else threading.Event()
        self.transactions = RequestTransactions(engine)
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.workers = max(1, settings.webhook_concurrency)
        self.connections = Connections(settings.webhook_connect_timeout, settings.webhook_timeout)
        self.pool = ThreadPoolExecutor(self.workers, thread_name_prefix="vinyasa-webhook")
        self._inflight: dict[Future[target.Outcome | None], Send] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pruned_at = 0
        self._first_done: float | None = None  # when the oldest unrecorded POST finished (monotonic)

    # ---- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        """Work on a daemon thread until `stop()`: record finished POSTs, claim and start new ones,
        and when there is nothing to do wait for a POST to finish or the poll interval to pass.
        POSTs do not wait for each other: a slow target holds one pool thread, not the others."""
        self._thread = threading.Thread(target=self._run, name="vinyasa-webhooks", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        poll = self.settings.webhook_poll_interval
        idle = poll  # the next sleep with nothing to do: doubles up to webhook_idle_poll_interval
        while not self._stop.is_set():
            try:
                busy = self._record_finished(eager=False) + self._start_sends()
                if not busy:
                    self._prune()
            except Exception:  # noqa: BLE001 - a failed step (database gone, ...) is tried again
                log.exception("webhook delivery step failed")
                busy = 0
            if busy:
                idle = poll
                continue
            running = [f for f in self._inflight if not f.done()]
            if running:
                idle = poll
                wait(running, timeout=poll, return_when=FIRST_COMPLETED)
            else:
                rung = self._wake.wait(idle)
                self._wake.clear()  # before the next round reads: a commit after this wakes it again
                idle = poll if rung else idle_after(idle, self.settings)

    def wake(self) -> None:
        """Look for work now (called right after a commit that wrote journal entries; cheap)."""
        self._wake.set()

    def stop(self) -> None:
        """Stop claiming, let the POSTs under way finish and record them, release everything."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(self.settings.webhook_poll_interval + 5)
            self._thread = None
        self.pool.shutdown(wait=True)
        try:
            self._record_finished()
        except Exception:  # noqa: BLE001 - their leases expire and another worker sends them again
            log.exception("webhook deliveries could not be recorded at shutdown")
        self.connections.close()
        self.transactions.close()

    # ---- the steps -----------------------------------------------------------------------------
    def tick(self) -> int:
        """One whole round in the calling thread (tests): claim, send, wait, record. Returns how many
        webhooks it claimed (0: nothing was due)."""
        claimed = self._start_sends()
        wait(list(self._inflight))
        self._record_finished()
        if not claimed:
            self._prune()
        return claimed

    def _start_sends(self) -> int:
        """Claim due webhooks (up to the free places), build their batches and start their POSTs."""
        free = self.settings.webhook_batch_webhooks - len(self._inflight)
        hooks = self._claim(free) if free > 0 else []
        if not hooks:
            return 0
        try:
            with self.transactions.begin(write=False) as conn:
                sends = self._prepare(conn, hooks)
        except BaseException:
            with self.transactions.begin(write=True) as conn:
                queries.release(conn, self.owner, [h.gid for h in hooks])
            raise
        busy = {s.hook.gid for s in sends}
        idle = [h.gid for h in hooks if h.gid not in busy]
        if idle:  # due a moment ago, nothing to send now (e.g. a heartbeat another worker just sent)
            with self.transactions.begin(write=True) as conn:
                queries.release(conn, self.owner, idle)
        for send in sends:
            self._inflight[self.pool.submit(self._post, send)] = send
        return len(hooks)

    def _record_finished(self, *, eager: bool = True) -> int:
        """Record the outcome of every POST that finished (one write transaction). Unless `eager`,
        only once a batch is worth a transaction: all POSTs done, a pool's worth of them, or the
        oldest waiting `RECORD_AFTER` seconds (a transaction per POST would cost more than them)."""
        finished = [f for f in self._inflight if f.done()]
        if not finished:
            self._first_done = None
            return 0
        if not eager and len(finished) < min(len(self._inflight), self.workers * 4):
            now = time.monotonic()
            self._first_done = self._first_done or now
            if now - self._first_done < RECORD_AFTER:
                return 0
        self._first_done = None
        sends, outcomes = [], []
        for future in finished:
            sends.append(self._inflight.pop(future))
            try:
                outcomes.append(future.result())
            except Exception as exc:  # noqa: BLE001 - a bug in sending counts as a failed attempt
                outcomes.append(target.Outcome(None, f"internal error ({exc.__class__.__name__})", 0, ""))
        with self.transactions.begin(write=True) as conn:
            self._record(conn, [s.hook for s in sends], sends, outcomes)
        return len(sends)

    def _claim(self, limit: int) -> list[delivery.Hook]:
        now = now_ms()
        s = self.settings
        heartbeat_before = now - int(s.webhook_heartbeat_hours * 3_600_000)
        with self.transactions.begin(write=False) as conn:  # cheap when idle: no write lock taken
            if not queries.due(conn, now, heartbeat_before):
                return []
        # Held until the outcome is recorded: every POST queued ahead of the last one may take the
        # whole timeout, then 30 s to spare.
        rounds = 1 + (len(self._inflight) + limit) // self.workers
        lease = int((s.webhook_timeout + s.webhook_connect_timeout) * 1000) * rounds + 30_000
        with self.transactions.begin(write=True) as conn:
            rows = queries.claim(conn, self.owner, now, lease, heartbeat_before, limit)
        return [delivery.Hook.from_row(r) for r in rows]

    def _prepare(self, conn: Connection, hooks: list[delivery.Hook]) -> list[Send]:
        sends: list[Send] = []
        bodies: dict[int, bytes] = {}  # webhooks that share a rendering share its bytes
        heartbeat_before = now_ms() - int(self.settings.webhook_heartbeat_hours * 3_600_000)
        for batch in delivery.collect(conn, hooks, delivery.Viewers(conn)):
            ending = batch.hook.ends_at is not None
            if batch.events:
                body = bodies.get(id(batch.events))
                if body is None:
                    body = bodies[id(batch.events)] = orjson.dumps({"events": batch.events})
                sends.append(Send(batch.hook, "delivery", body, batch))
            elif batch.hook.last_sent_at <= heartbeat_before and not ending:
                sends.append(Send(batch.hook, "heartbeat", b'{"events":[]}', batch))
            elif batch.through is not None:  # everything read was filtered out: just move on
                sends.append(Send(batch.hook, "skip", b"", batch))
            elif ending:  # everything through its resource's deletion is delivered: the end
                batch.through = batch.hook.ends_at
                sends.append(Send(batch.hook, "skip", b"", batch))
        return sends

    def _post(self, send: Send) -> target.Outcome | None:
        if send.kind == "skip":
            return None
        return target.post(self.connections, send.hook.target, send.hook.secret, send.body, self.settings)

    def _record(
        self,
        conn: Connection,
        hooks: list[delivery.Hook],
        sends: list[Send],
        outcomes: list[target.Outcome | None],
    ) -> None:
        mine = queries.still_leased(conn, self.owner, [h.gid for h in hooks])
        done = [(s, o) for s, o in zip(sends, outcomes, strict=True) if s.hook.gid in mine]
        logged = [(s, o) for s, o in done if o is not None]
        now = now_ms()
        attempts: list[tuple[object, ...]] = []
        for gid, (send, outcome) in zip(allocate(conn, len(logged)), logged, strict=True):
            assert outcome is not None
            batch = send.batch
            attempts.append(
                (gid, send.hook.gid, send.kind, "delivered" if outcome.ok else "failed",
                 now - outcome.latency_ms, outcome.status_code, outcome.error, outcome.latency_ms,
                 send.body.decode(), outcome.excerpt, batch.first, batch.through)
            )  # fmt: skip
        queries.log_attempts(conn, attempts)
        moved: list[tuple[int, int | None, int]] = []  # (cursor, success time or None, webhook)
        finished: list[delivery.Hook] = []  # ending webhooks that delivered their resource's deletion
        for send, result in done:
            cursor = send.batch.through if send.batch.through is not None else send.hook.cursor
            if result is None or result.ok:
                moved.append((cursor, None if result is None else now, send.hook.gid))
                if send.hook.ends_at is not None and cursor >= send.hook.ends_at:
                    finished.append(send.hook)
            else:
                self._failed(conn, send.hook, result, now)
        queries.advance(conn, moved)  # ends their leases too
        queries.release(conn, self.owner, sorted(mine - {gid for _, _, gid in moved}))
        for hook in finished:
            _delete(conn, hook, "its resource was deleted and its last events were delivered")

    def _failed(self, conn: Connection, hook: delivery.Hook, outcome: target.Outcome, now: int) -> None:
        """Back off exponentially, or delete the webhook once past its failure deadline."""
        if hook.failure_deletion_timestamp is not None and now >= hook.failure_deletion_timestamp:
            _delete(conn, hook, "its target kept failing past the retry window")
            return
        s = self.settings
        retries = hook.delivery_retry_count + 1
        delay = min(s.webhook_retry_base_seconds * 2 ** (retries - 1), s.webhook_retry_max_seconds)
        window = int(s.webhook_retry_window_hours * 3_600_000)
        content = outcome.excerpt or outcome.error or f"HTTP {outcome.status_code}"
        conn.execute(
            update(Webhook)
            .where(Webhook.gid == hook.gid)
            .values(
                delivery_retry_count=retries,
                next_attempt_after=now + int(delay * 1000),
                last_failure_at=now,
                last_failure_content=content[: target.EXCERPT],
                failure_deletion_timestamp=hook.failure_deletion_timestamp or now + window,
                last_sent_at=now,
            )
        )

    def _prune(self) -> None:
        """Drop log entries older than the journal's retention, at most once a minute."""
        now = now_ms()
        if now - self._pruned_at < LOG_PRUNE_EVERY_MS:
            return
        self._pruned_at = now
        before = now - int(self.settings.journal_retention_hours * 3_600_000)
        with self.transactions.begin(write=True) as conn:
            queries.prune_attempts(conn, before)


def _delete(conn: Connection, hook: delivery.Hook, why: str) -> None:
    """Delete a webhook (and its log) as its creator, journaled like a DELETE /webhooks/{gid}."""
    caller = Caller(conn=conn, user_gid=hook.creator_gid, base_url="")
    conn.execute(delete(Webhook).where(Webhook.gid == hook.gid))
    journal.record(caller, ("webhook", hook.gid), "deleted", topics=())
    # The journal's lock last (vinyasa.core.journal: lock order): after it this transaction only
    # writes the webhooks `still_leased` locked for it.
    journal.flush(caller)
    log.info("webhook %s deleted: %s", hook.gid, why)


class DeliveryProcess:
    """The delivery worker in a child process of the server (the default: `webhook_delivery`).

    Python runs one thread at a time per process: a worker thread making hundreds of POSTs a second
    inside the server process would take that time from request handling. In its own process it
    only shares the database and the CPUs, behind the requests (`webhook_priority`, `webhook_nice`:
    vinyasa.core.priority): by default Linux's SCHED_IDLE, so it runs on what CPU time the server
    leaves, and a server saturated for long delays deliveries (it still gets ~0.3% of a core against
    each busy server process) rather than deliveries slowing requests (docs/webhooks.md weighs it
    against nice 19). The child rebuilds the settings and the engine, runs a `Deliverer`, and exits
    when told to or when its parent is gone (checked every second). `wake()` (after each commit that wrote
    journal entries) rings a `Doorbell` the child's idle worker waits on, so it need not wait for a
    poll; ringing never blocks the server.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._wake = Doorbell(context)
        self._process = context.Process(
            target=_deliver_until_stopped,
            args=(settings.model_dump(), self._stop, self._wake, os.getpid()),
            name="vinyasa-webhooks",
            daemon=True,
        )

    def start(self) -> None:
        """Start the child process."""
        self._process.start()

    def wake(self) -> None:
        """Tell the child's worker there is new work (cheap; never blocks on the child)."""
        self._wake.set()

    def stop(self) -> None:
        """Ask the child to finish its round and exit; terminate it if it does not in time."""
        self._stop.set()
        self._process.join(self.settings.webhook_timeout + self.settings.webhook_connect_timeout + 5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)


class Doorbell:
    """Wakes the delivery child from the server, never blocking the server: `set()` writes a byte to
    a non-blocking pipe (a full pipe already says "look"), the child's `wait()` polls its end and
    `clear()` empties it. What the worker needs of a threading.Event, across processes.

    Not a multiprocessing.Event: its `set()` waits in `Condition.notify` until the sleeping child
    has woken up and said so, and the child runs niced: on a busy machine that held the server's
    event loop, after every committing write, until the scheduler got round to the child.
    """

    def __init__(self, context: Any) -> None:
        self._read, self._write = context.Pipe(duplex=False)
        os.set_blocking(self._write.fileno(), False)
        # 1 from a ring until the child's next `clear()`: rings in between add nothing (the child's
        # next round, after that clear, reads what they announced), so they skip the write(2): it
        # woke the child once per committing write (~30 us of the server's CPU a write, sampled).
        self._rung = context.RawValue("b", 0)

    def set(self) -> None:
        if self._rung.value:
            return
        self._rung.value = 1
        try:
            os.write(self._write.fileno(), b"\x01")
        except BlockingIOError:  # full: the child has plenty to wake it already
            pass

    def wait(self, timeout: float) -> bool:
        return bool(self._read.poll(timeout))

    def clear(self) -> None:
        fd = self._read.fileno()
        os.set_blocking(fd, False)
        try:
            while os.read(fd, 4096):
                pass
        except BlockingIOError:
            pass
        # After emptying the pipe: a ring from now on writes a byte that stays there. A ring skipped
        # before this announced a commit made before it, which the round after `clear()` reads.
        self._rung.value = 0


def _deliver_until_stopped(values: dict[str, Any], stop: Any, wake: Any, parent: int) -> None:
    settings = Settings(**values)
    lower_priority(settings.webhook_priority, settings.webhook_nice)  # before the worker's threads
    engine = make_engine(settings.database_url, busy_timeout=settings.sqlite_busy_timeout)
    deliverer = Deliverer(engine, settings, wake=wake)
    deliverer.start()
    try:
        while not stop.wait(1.0) and os.getppid() == parent:
            pass
    finally:
        deliverer.stop()
        engine.dispose()
