"""SQLite's full-text index of tasks and projects, kept off the write path (migration a8c0ffee001d).

A write of a task's or project's name or notes (or its creation, or deletion) only queues its gid
(`<index>_pending`, by database trigger); the FTS5 index catches up in batches:

- `current(caller, index)` before a text search: the search sees every write committed before it.
  A read-only request that finds objects queued runs again as a write (`Caller.need_write`), which
  indexes all of them in its own transaction first.
- `catch_up_step(transactions)` whenever the job runner is idle (vinyasa.core.runner's idle hooks,
  every poll): up to `STEP` objects in one transaction, again after a rest while any are left, so
  the queue stays short between searches and the server's writers get SQLite's write lock in
  between (a step of 100 holds it ~2-3 ms; 1,000 at a time, back to back, held it for as long as
  the whole queue took).

Batching is what makes it cheaper, not only later: FTS5 writes an index segment per transaction and
merges segments as they pile up, so indexing a thousand objects at once costs far less than a
thousand one-object transactions did (~70-150 µs of every task write, `bench.write_cpu`).
PostgreSQL needs none of this: its `search_text` column is generated with the row.

The cost moved, not gone: a text search that finds objects queued indexes them all on the server's
event loop (~25 µs an object: 20,000 queued made the first search take 0.5 s) and, on SQLite, waits
for the write lock to do so. The queue is long only while the runner cannot keep up, is paused
(the emulator's `jobs/pause`), or right after a large snapshot is restored.
"""

from __future__ import annotations

from dataclasses import dataclass

from vinyasa.core import Caller, runner
from vinyasa.db import RequestTransactions
from vinyasa.search import queries

BATCH = 1_000  # objects indexed per transaction by a search (`current`)
STEP = 100  # objects indexed per transaction by the runner's idle hook (`catch_up_step`)


@dataclass(frozen=True)
class Index:
    """One FTS5 index: the table it indexes, its name, and the rich-text column indexed with `name`."""

    table: str
    fts: str
    notes: str | None


TASKS = Index("tasks", "task_text", "html_notes")
PROJECTS = Index("projects", "project_text", None)
INDEXES = (TASKS, PROJECTS)


def current(caller: Caller, index: Index) -> None:
    """Make `index` current before a text search reads it (SQLite; nothing on PostgreSQL). In a
    read-only request with objects queued this raises `WriteNeeded` (the request runs again as a
    write)."""
    conn = caller.conn
    if conn.dialect.name != "sqlite" or not queries.queued(conn, index.fts):
        return
    caller.need_write()
    while queries.index_queued(conn, index.table, index.fts, index.notes, BATCH):
        pass


def catch_up_step(transactions: RequestTransactions) -> int:
    """Index up to `STEP` queued objects of one index in one transaction (SQLite only); how many
    (0: nothing was queued, else more may be). A look that finds nothing queued is one read an
    index."""
    if transactions.engine.dialect.name != "sqlite":
        return 0
    for index in INDEXES:
        with transactions.begin(write=False) as conn:
            if not queries.queued(conn, index.fts):
                continue
        with transactions.begin(write=True) as conn:
            if indexed := queries.index_queued(conn, index.table, index.fts, index.notes, STEP):
                return indexed
    return 0


def catch_up(transactions: RequestTransactions) -> int:
    """Index everything queued, step after step (tests); how many objects it indexed."""
    done = 0
    while indexed := catch_up_step(transactions):
        done += indexed
    return done


runner.on_idle(catch_up_step)
