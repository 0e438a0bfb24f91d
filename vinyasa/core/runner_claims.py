"""A claimed job of the runner (vinyasa.core.runner): what a step returns (`Step`, `MORE`, `DONE`,
`later`), how it fails (`JobFailed`, `LeaseLost`), the claimed job its steps see (`Run`: its
transactions fence the lease and save the progress at commit), and the row's lifecycle in the
`jobs` table: claiming the most overdue job with a lease, finishing it, releasing it to be due again.
The runner module re-exports what families use (`runner.Run`, `runner.MORE`, ...); its docstring is
the API's.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from vinyasa.core.caller import Caller
from vinyasa.core.clock import now_ms
from vinyasa.core.unit import unit_of_work
from vinyasa.db import RequestTransactions
from vinyasa.protocol import sql

NOT_STARTED, IN_PROGRESS, SUCCEEDED, FAILED = "not_started", "in_progress", "succeeded", "failed"


@dataclass(frozen=True)
class Step:
    """What a step asks for next: run again (`MORE`), finish (`DONE`), or wait `delay` seconds."""

    action: str
    delay: float = 0.0


MORE = Step("more")
DONE = Step("done")


def later(seconds: float) -> Step:
    """Release the claim; the job is due again in `seconds`."""
    return Step("later", max(0.0, seconds))


class JobFailed(Exception):
    """Raised by a step: the job fails with this message (no retry)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LeaseLost(Exception):
    """The claim ran out and another runner took the job over: this runner stops working on it."""


# ---- claiming ------------------------------------------------------------------------------------

_CLAIM = (
    "UPDATE jobs SET status = 'in_progress', lease_owner = ?, due_at = ?, attempts = attempts + 1"
    " WHERE gid = (SELECT gid FROM jobs WHERE due_at <= ? AND kind IN ({kinds})"
    " ORDER BY due_at LIMIT 1{lock}) AND due_at <= ?"
    " RETURNING gid, kind, creator_gid, workspace_gid, base_url, params, progress, attempts,"
    " result_type, result_gid, length(stash)"  # SQLite 3.40 answers `stash IS NOT NULL` wrongly here
)
_ANY_DUE = "SELECT 1 FROM jobs WHERE due_at <= ? AND kind IN ({kinds}) LIMIT 1"
_FENCE = "UPDATE jobs SET due_at = :due WHERE gid = :gid AND lease_owner = :owner AND status = 'in_progress'"
_SAVE = "UPDATE jobs SET progress = ?, result_type = ?, result_gid = ? WHERE gid = ?"
_KEEP = "UPDATE jobs SET stash = ? WHERE gid = ?"
_FINISH = (  # lease_owner stays: which claim (and process) finished the work
    "UPDATE jobs SET status = ?, error = ?, due_at = NULL, finished_at = ? WHERE gid = ? AND lease_owner = ?"
)
_RELEASE = "UPDATE jobs SET due_at = ?, lease_owner = NULL WHERE gid = ? AND lease_owner = ?"


@dataclass
class Run:
    """One claimed job, as its steps see it (see vinyasa.core.runner's docstring)."""

    gid: int
    kind: str
    creator_gid: int | None
    workspace_gid: int | None
    base_url: str
    params: dict[str, Any]
    progress: dict[str, Any]
    attempts: int
    result: tuple[str, int] | None
    owner: str
    lease_ms: int
    transactions: RequestTransactions
    rich_text_strict: bool = False
    has_stash: bool = False
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    done: bool = False
    finished: bool = field(default=False, repr=False)
    _stash: list[Any] | None = field(default=None, repr=False)
    _kept: bool = field(default=False, repr=False)

    def keep(self, items: list[Any]) -> None:
        """Store `items` as the job's stash with the current unit's commit."""
        self._stash, self._kept = items, True

    def stash(self) -> list[Any] | None:
        """The kept items (None when nothing was kept), read once per claim."""
        if self._stash is None and self.has_stash:
            with self.transactions.begin(write=False) as conn:
                raw = sql.fetch_value(conn, "SELECT stash FROM jobs WHERE gid = ?", [self.gid])
            self._stash = [json.loads(line) for line in str(raw or "").splitlines()]
        return self._stash

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction that holds the claim (else LeaseLost) and saves progress at commit."""
        with self.transactions.begin(write=True) as conn:
            self._fence(conn)
            yield conn
            self._save(conn)

    @contextmanager
    def read(self) -> Iterator[Caller]:
        """A read-only Caller for the job's creator (reads that must not hold the write lock, e.g.
        a large snapshot before a short write unit). It does not check or renew the claim."""
        if self.creator_gid is None:
            raise JobFailed("The job has no creator to act as")
        with self.transactions.begin(write=False) as conn:
            yield Caller(conn=conn, user_gid=self.creator_gid, base_url=self.base_url)

    @contextmanager
    def unit(self) -> Iterator[Caller]:
        """A unit of work as the job's creator (vinyasa.core.unit), holding the claim."""
        if self.creator_gid is None:
            raise JobFailed("The job has no creator to act as")
        with unit_of_work(self.transactions, self.creator_gid, self.base_url) as caller:
            caller.rich_text_strict = self.rich_text_strict
            self._fence(caller.conn)
            yield caller
            self._save(caller.conn)

    def _fence(self, conn: Connection) -> None:
        if (
            _rowcount(conn, _FENCE, {"due": now_ms() + self.lease_ms, "gid": self.gid, "owner": self.owner})
            != 1
        ):
            raise LeaseLost(self.gid)

    def _save(self, conn: Connection) -> None:
        kind, gid = self.result if self.result else (None, None)
        sql.execute_many(conn, _SAVE, [(json.dumps(self.progress), kind, gid, self.gid)])
        if self._kept and self._stash is not None:
            text_ = "\n".join(json.dumps(item) for item in self._stash)
            sql.execute_many(conn, _KEEP, [(text_, self.gid)])
            self._kept, self.has_stash = False, True
        if self.done:
            sql.execute_many(conn, _FINISH, [(SUCCEEDED, None, now_ms(), self.gid, self.owner)])
            self.finished = True


def _rowcount(conn: Connection, statement: str, params: dict[str, Any]) -> int:
    return int(conn.execute(text(statement), params).rowcount)


def claim_token() -> str:
    """A fresh claim's `lease_owner`: `<pid>-<random>`, so a row tells which process claimed it."""
    return f"{os.getpid()}-{uuid.uuid4().hex[:24]}"


def _claim(transactions: RequestTransactions, owner: str, lease_ms: int, kinds: list[str]) -> Run | None:
    """Claim the most overdue job of `kinds`, or None when nothing is due."""
    if not kinds:
        return None
    now = now_ms()
    marks = sql.marks(len(kinds))
    with transactions.begin(write=False) as conn:  # a cheap look first: claiming takes the write lock
        if not sql.fetch(conn, _ANY_DUE.format(kinds=marks), [now, *kinds]):
            return None
    with transactions.begin(write=True) as conn:
        lock = " FOR UPDATE SKIP LOCKED" if conn.dialect.name == "postgresql" else ""
        statement = _CLAIM.format(kinds=marks, lock=lock)
        rows = sql.fetch(conn, statement, [owner, now + lease_ms, now, *kinds, now])
    if not rows:
        return None
    gid, kind, creator, workspace, base_url, params, progress, attempts, rtype, rgid, kept = rows[0]
    return Run(
        gid=int(gid),
        kind=kind,
        creator_gid=creator,
        workspace_gid=workspace,
        base_url=base_url,
        params=json.loads(params),
        progress=json.loads(progress) if progress else {},
        attempts=int(attempts),
        result=(rtype, int(rgid)) if rtype is not None and rgid is not None else None,
        has_stash=bool(kept),
        owner=owner,
        lease_ms=lease_ms,
        transactions=transactions,
    )


def _end(run: Run, status: str, error: str | None) -> None:
    """Finish `run` (if this runner still holds it)."""
    with run.transactions.begin(write=True) as conn:
        sql.execute_many(conn, _FINISH, [(status, error, now_ms(), run.gid, run.owner)])
    run.finished = True


def _release(run: Run, delay: float) -> None:
    with run.transactions.begin(write=True) as conn:
        sql.execute_many(conn, _RELEASE, [(now_ms() + int(delay * 1000), run.gid, run.owner)])
