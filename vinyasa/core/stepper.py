"""Jobs stepped one step per call, for the emulator (`POST /_vinyasa/jobs/step`, vinyasa.control).

Uses the runner's own claim, advance and release (vinyasa.core.runner), so a stepped job runs
exactly the steps a runner would run.
"""

from __future__ import annotations

from typing import Any

from vinyasa.core.runner import KINDS, _advance
from vinyasa.core.runner_claims import Run, _claim, _release, claim_token
from vinyasa.db import RequestTransactions
from vinyasa.protocol import sql


class Stepper:
    """One step of one job per call, in the calling thread: the emulator's `POST /_vinyasa/jobs/step`
    (with the runners paused) to observe a job `in_progress` between its steps.

    The job stays claimed by the stepper (a long lease) from its first step to its end, so its
    attempts do not grow with each step; `release()` hands it back to the runners."""

    def __init__(self, transactions: RequestTransactions, lease: float = 3600.0) -> None:
        self.transactions, self.lease_ms = transactions, int(lease * 1000)
        self.run: Run | None = None

    def step(self, rich_text_strict: bool = False) -> dict[str, Any] | None:
        """Run one step of the job held (or of the most overdue due job); None when nothing is due.
        Answers `{"gid", "kind", "status"}` after the step."""
        if self.run is None:
            self.run = _claim(self.transactions, claim_token(), self.lease_ms, sorted(KINDS))
        run = self.run
        if run is None:
            return None
        run.rich_text_strict = rich_text_strict
        if _advance(run) is None:
            self.run = None
        with self.transactions.begin(write=False) as conn:
            status = sql.fetch_value(conn, "SELECT status FROM jobs WHERE gid = ?", [run.gid])
        return {"gid": str(run.gid), "kind": run.kind, "status": status}

    def release(self) -> None:
        """Hand the held job back to the runners (due at once)."""
        if self.run is not None:
            _release(self.run, 0.0)
            self.run = None
