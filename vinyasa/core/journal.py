"""The change journal: every write records what changed, once, in the write's own transaction.

A service calls `record(caller, ...)` for each change; the entries wait on the caller and are written
by `flush(caller)` just before the transaction commits (a rolled-back transaction records nothing).
Events (`GET /events`), webhooks and rules read the journal; nothing else re-derives changes.

Shape of an entry (Asana's event, digest §C.10): the `resource` that changed, the `action` on it
(`added`, `removed`, `changed`, `deleted`, `undeleted`), the `parent` for added/removed (a task's
project or section, a section's project, a member's project...), and for `changed` the `field` and
the change's own action (`changed`, `added`, `removed`) with the value only when it is a resource
(a name or date change carries just the field). Each entry also lists its *topics*: the gids whose
event streams it belongs to (the resource itself, the projects and parent tasks it bubbles up to,
and its workspace), written as `journal_topics` rows so a stream is one index range scan.

Ordering: entry ids are dense and assigned in commit order. Writers are serialised for the few
statements of `flush` (SQLite: the write lock every writer holds; PostgreSQL: a transaction-level
advisory lock taken right before the ids are drawn and held to commit), so a reader that has seen
id N will never later see a smaller id appear: sync tokens never skip or repeat an event.

Lock order (PostgreSQL): the journal's lock is the last lock a transaction takes. After it, a
transaction writes only the journal and rows it already holds, and then commits: it never waits
for a row another writer holds while that writer waits for the journal. So the flush hooks run
before the lock (they may read, lock and write any rows), and one that needs the new entries' ids
returns a `Then` that gets them once they are written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from vinyasa.config import get_settings
from vinyasa.core.caller import Caller
from vinyasa.core.clock import now_ms
from vinyasa.db import JOURNAL_WRITTEN
from vinyasa.protocol import sql

ResourceRef = tuple[str, int]  # (resource_type, gid)
ValueRef = tuple[str, int | None]  # a reference field's new value: (resource_type, gid or None when unset)
ACTIONS = frozenset({"added", "removed", "changed", "deleted", "undeleted"})
CHANGE_ACTIONS = frozenset({"changed", "added", "removed"})
_LOCK_KEY = 0x76696E79  # "viny": the PostgreSQL advisory lock that orders journal writers
_LOCK_SQL = f"SELECT pg_advisory_xact_lock({_LOCK_KEY})"
_ANCESTOR_DEPTH = 64  # subtask chains deeper than this do not bubble further (walks must terminate)


@dataclass(frozen=True, slots=True)
class Change:
    """One recorded change, waiting for the transaction's end."""

    resource: ResourceRef
    action: str
    parent: ResourceRef | None
    field: str | None
    change_action: str | None
    value: ValueRef | None
    topics: frozenset[int]
    user_gid: int | None
    created_at: int
    cause_gid: int | None = None  # the rule whose run made the change (vinyasa.rules), else None


def record(
    caller: Caller,
    resource: ResourceRef,
    action: str,
    *,
    topics: Iterable[int],
    parent: ResourceRef | None = None,
    field: str | None = None,
    change: str | None = None,
    value: ValueRef | None = None,
) -> None:
    """Record one change made by `caller` (see the module docstring for the shape).

    `topics` are the streams the change belongs to besides the resource itself and its parent
    (use `task_topics` / `project_topics`). `field` and `change` go only with action `changed`.
    """
    if action not in ACTIONS or (action == "changed") != (field is not None):
        raise ValueError(f"journal: action {action!r} with field {field!r}")  # a programming error
    if action != "changed" and (change is not None or value is not None):
        raise ValueError(f"journal: only a changed entry carries a change ({action!r})")
    gids = {resource[1], *topics}
    if parent is not None:
        gids.add(parent[1])
    caller.recorded.append(
        Change(
            resource,
            action,
            parent,
            field,
            (change or "changed") if action == "changed" else None,
            value,
            frozenset(gids),
            caller.user_gid,
            now_ms(),
            caller.cause[-1] if caller.cause else None,
        )
    )


def changed(
    caller: Caller,
    resource: ResourceRef,
    fields: Iterable[str],
    *,
    topics: Iterable[int],
    values: dict[str, ValueRef | None] | None = None,
) -> None:
    """Record a `changed` entry for each field name (values: the new resource of a reference field)."""
    topics = frozenset(topics)
    for name in fields:
        value = (values or {}).get(name)
        record(caller, resource, "changed", topics=topics, field=name, value=value)


def member(
    caller: Caller,
    resource: ResourceRef,
    action: str,
    who: ValueRef,
    *,
    topics: Iterable[int],
    field: str = "members",
) -> None:
    """A member (user or team) `added` to or `removed` from a project, team or workspace: a `changed`
    entry of that resource's `members` (or `followers`) field carrying who."""
    record(caller, resource, "changed", field=field, change=action, value=who, topics=topics)


def task_topics(caller: Caller, task_gid: int) -> frozenset[int]:
    """The streams a task's changes belong to: its workspace, its ancestor tasks (a bounded walk:
    it terminates whatever the data holds) and every project any of them is in."""
    rows = sql.fetch(
        caller.conn,
        "WITH RECURSIVE up(gid, depth) AS ("
        " SELECT CAST(? AS BIGINT), 0"  # typed: psycopg sends a small gid as smallint
        " UNION ALL SELECT t.parent_gid, up.depth + 1 FROM tasks t JOIN up ON t.gid = up.gid"
        f" WHERE t.parent_gid IS NOT NULL AND up.depth < {_ANCESTOR_DEPTH})"
        " SELECT gid FROM up"
        " UNION SELECT tp.project_gid FROM task_projects tp WHERE tp.task_gid IN (SELECT gid FROM up)"
        " UNION SELECT t.workspace_gid FROM tasks t WHERE t.gid = ?",
        [task_gid, task_gid],
    )
    return frozenset(r[0] for r in rows)


def project_topics(caller: Caller, project_gid: int) -> frozenset[int]:
    """The streams a project's own changes belong to: the project and its workspace."""
    workspace = sql.fetch_value(
        caller.conn, "SELECT workspace_gid FROM projects WHERE gid = ?", [project_gid]
    )
    return frozenset({project_gid} if workspace is None else {project_gid, workspace})


# The columns of a journal entry, in the order `flush` writes them.
ENTRY_COLUMNS = (
    "id",
    "created_at",
    "user_gid",
    "resource_type",
    "resource_gid",
    "action",
    "parent_type",
    "parent_gid",
    "field",
    "change_action",
    "value_type",
    "value_gid",
    "cause_gid",
)
# What a hook hands back to run once the flush's entries are written: called with the id of the
# flush's last entry, holding the journal's lock, it may write only rows the hook already locked.
Then = Callable[[int], None]
FlushHook = Callable[[Caller, list[Change]], Then | None]
# What a hook's probe answers for a flush: None (nothing for the hook to do: it is not called), or a
# scalar SQL expression (`?` placeholders) with its parameters: the hook is called iff its value is
# not NULL (e.g. `SELECT 1 FROM ... LIMIT 1`, parenthesised by flush; "1" to call it always).
ProbeSql = tuple[str, Sequence[Any]] | None
Probe = Callable[[Caller, list[Change]], ProbeSql]
_HOOKS: list[tuple[FlushHook, Probe | None]] = []


def on_flush(hook: FlushHook, *, probe: Probe | None = None) -> FlushHook:
    """Call `hook(caller, changes)` at every flush that has changes to write, in the same
    transaction, before the entries are written and before the journal's lock (module docstring:
    lock order), so a hook may lock and write any rows (vinyasa.rules enqueues the rule runs a
    change triggers this way, so a run exists iff the change committed). A hook that needs the
    entries' ids returns a `Then`. Register at import time; a hook must not record changes.

    `probe(caller, changes)` (optional) says cheaply whether the hook has anything to do (see
    `ProbeSql`): the probes of one flush are evaluated in one statement, and none when no hook
    asks. A probe sees the database as the flush found it (before the other hooks' writes) and must
    not depend on them. No cache: every flush asks the database, so several server processes
    sharing one database never see stale answers."""
    if all(h is not hook for h, _ in _HOOKS):
        _HOOKS.append((hook, probe))
    return hook


def _run_hooks(caller: Caller, changes: list[Change]) -> list[Then]:
    """Run the hooks these changes concern (asking their probes first, in one statement); what
    they hand back to run after the entries are written."""
    plan: list[tuple[FlushHook, tuple[str, Sequence[Any]] | None]] = []  # (hook, its probe's SQL)
    for hook, probe in _HOOKS:
        asked = probe(caller, changes) if probe is not None else None
        if probe is None or asked is not None:  # a hook without a probe is always called
            plan.append((hook, asked))
    probes = [asked for _, asked in plan if asked is not None]
    answers = iter(())
    if probes:
        found = sql.fetch(
            caller.conn,
            "SELECT " + ", ".join(f"({p})" for p, _ in probes),
            [v for _, params in probes for v in params],
        )
        answers = iter(found[0])
    thens: list[Then] = []
    for hook, asked in plan:
        if asked is None or next(answers) is not None:
            then = hook(caller, changes)
            if then is not None:
                thens.append(then)
    return thens


@dataclass(frozen=True, slots=True)
class Prepared:
    """A caller's changes whose hooks have run, waiting for `write` (see `prepare`)."""

    changes: list[Change]
    thens: list[Then]


def prepare(caller: Caller) -> Prepared:
    """Run the hooks of the caller's recorded changes now and take the changes, for `write` at the
    transaction's end. For work that runs several callers one after another in one transaction (a
    step's rule runs): each one's hooks see the database as its own work left it (a rule reacting
    to a completion sees the task completed, though a later run reopens it), and the journal's lock
    still comes last."""
    changes, caller.recorded = caller.recorded, []
    return Prepared(changes, _run_hooks(caller, changes) if changes else [])


def flush(*callers: Caller) -> None:
    """Write the recorded changes of these callers (of one transaction: a rule run's and the
    request's, say) together, right before the transaction commits: every hook first, then the
    journal's lock and the entries (module docstring: lock order). Nothing may lock a row after it."""
    if callers:
        write(callers[0].conn, *(prepare(c) for c in callers))


def write(conn: Connection, *prepared: Prepared) -> None:
    """Take the journal's lock and write these prepared changes, in order (then each hook's `Then`).
    Right before the transaction commits: nothing may lock a row after it."""
    changes = [c for p in prepared for c in p.changes]
    if not changes:
        return
    rows: list[tuple[object, ...]] = []
    for c in changes:
        parent_type, parent_gid = c.parent if c.parent else (None, None)
        value_type, value_gid = c.value if c.value else (None, None)
        rows.append(
            (
                c.created_at,
                c.user_gid,
                c.resource[0],
                c.resource[1],
                c.action,
                parent_type,
                parent_gid,
                c.field,
                c.change_action,
                value_type,
                value_gid,
                c.cause_gid,
            )
        )
    topics = [sorted(c.topics) for c in changes]
    last = _insert_entries(conn, rows, topics)
    conn.info[JOURNAL_WRITTEN] = True  # RequestTransactions.on_journal runs once this commits
    for then in (t for p in prepared for t in p.thens):
        then(last + len(changes))
    if (last + len(changes)) // 1000 != last // 1000:  # every thousand entries: drop expired ones
        prune(conn, now_ms() - int(get_settings().journal_retention_hours * 3_600_000))


# The first entry still kept: the prune's horizon is the entry before it. Read along the ids from the
# oldest, so a prune reads what it removes and one entry more (no index on created_at, which every
# journaled write would add a page to). An entry older than one before it (the emulator's clock
# moved back) waits until those before it expire: the journal keeps entries at least their
# retention, never less.
HORIZON = "SELECT id FROM journal WHERE created_at >= ? ORDER BY id LIMIT 1"


def prune(conn: Connection, before_ms: int) -> int:
    """Delete entries older than `before_ms` (epoch ms), from the oldest up to the first one that is
    not; returns the id below which all are gone.

    The horizon is kept in `meta` (`journal_pruned_through`), so a sync token older than it is
    known to be expired (412) rather than silently missing events.
    """
    kept = sql.fetch_value(conn, HORIZON, [before_ms])
    horizon, done = int(kept) - 1 if kept is not None else last_id(conn), pruned_through(conn)
    if horizon <= done:
        return done
    sql.execute_many(conn, "DELETE FROM journal_topics WHERE event_id <= ?", [(horizon,)])
    sql.execute_many(conn, "DELETE FROM journal WHERE id <= ?", [(horizon,)])
    _set_horizon(conn, horizon)
    return horizon


def _set_horizon(conn: Connection, horizon: int) -> None:
    sql.execute_many(conn, "DELETE FROM meta WHERE key = ?", [("journal_pruned_through",)])
    sql.execute_many(
        conn, "INSERT INTO meta (key, value) VALUES (?, ?)", [("journal_pruned_through", str(horizon))]
    )


def continue_after(conn: Connection, position: int) -> None:
    """After other data was put in place (an emulator reset or snapshot restore; `position` is the last
    id before it): expire every sync token handed out so far, even one at the newest position (the
    restore is a change no stream can carry), and number new entries after them all, so no old token
    reads into the new history (events answer 412 and a fresh token, as for a pruned one). Entries
    the restore brought back stay, below the horizon."""
    _set_horizon(conn, max(position, last_id(conn)) + 1)


def pruned_through(conn: Connection) -> int:
    """The largest entry id that pruning removed (0 when nothing was pruned)."""
    value = sql.fetch_value(conn, "SELECT value FROM meta WHERE key = 'journal_pruned_through'")
    return int(value) if value is not None else 0


# The newest entry id: the journal's largest, or the pruning horizon when pruning emptied it.
_NEWEST = (
    "SELECT CASE WHEN m > h THEN m ELSE h END FROM (SELECT COALESCE(MAX(id), 0) AS m, COALESCE(CAST(("
    "SELECT value FROM meta WHERE key = 'journal_pruned_through') AS BIGINT), 0) AS h FROM journal) newest"
)
_ROWS_PER_INSERT = 200  # entries a statement (parameters: far below either database's limit)


def _insert_entries(conn: Connection, rows: list[tuple[object, ...]], topics: list[list[int]]) -> int:
    """Take the writers' lock, insert the entries (every column but the id), numbered on from the
    newest id, with each entry's topics (`topics[i]`: the gids of `rows[i]`); returns the id before
    the first entry. The lock keeps ids dense, in commit order, and never reused.

    PostgreSQL: each statement of up to 200 entries numbers its rows itself (`_NEWEST` in a
    materialized CTE, read once a statement) and inserts their topics in a second CTE; the lock and
    those statements travel in one pipeline: one round trip for the flush, where lock, entries and
    topics took three. Each statement reads the newest id after the lock is held (a statement's
    snapshot is taken when it starts). SQLite: a read of the newest id, then plain INSERTs: in
    process, that costs less than the one statement (~11 us a flush: RETURNING and an INSERT
    reading its own table)."""
    if conn.dialect.name != "postgresql":
        before = int(sql.fetch_value(conn, _NEWEST))
        sql.insert_rows(conn, "journal", ENTRY_COLUMNS, [(before + i, *row) for i, row in enumerate(rows, 1)])
        pairs = [(gid, before + i) for i, gids in enumerate(topics, 1) for gid in gids]
        sql.insert_rows(conn, "journal_topics", ("topic_gid", "event_id"), pairs)
        return before
    marks = sql.marks(len(ENTRY_COLUMNS) - 1)
    statements: list[tuple[str, Sequence[Any]]] = [(_LOCK_SQL, ())]
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        values = ", ".join(f"((SELECT n FROM newest) + {i}, {marks})" for i in range(1, len(chunk) + 1))
        pairs = [(gid, i) for i, gids in enumerate(topics[start : start + len(chunk)], 1) for gid in gids]
        linked = ", ".join(f"(?, (SELECT n FROM newest) + {i})" for _, i in pairs)
        statements.append(
            (
                f"WITH newest(n) AS MATERIALIZED ({_NEWEST}), entries AS (INSERT INTO journal"
                f" ({', '.join(ENTRY_COLUMNS)}) VALUES {values})"
                + (
                    f", topics AS (INSERT INTO journal_topics (topic_gid, event_id) VALUES {linked})"
                    if pairs
                    else ""
                )
                + " SELECT n FROM newest",
                [*(v for row in chunk for v in row), *(gid for gid, _ in pairs)],
            )
        )
    answered = sql.fetch_all(conn, statements)
    return int(answered[1][0][0])


def last_id(conn: Connection) -> int:
    """The newest entry id: the journal's largest, or the pruning horizon when pruning emptied it
    (ids are never reused, so an old token can never point into new entries)."""
    return int(sql.fetch_value(conn, _NEWEST))
