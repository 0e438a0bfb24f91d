"""Units of work outside a request: a job, a rule or a webhook worker acting as a given user.

`unit_of_work(transactions, user_gid, base_url)` opens a write transaction, yields a `Caller` for
that user, and on success writes the journal entries the work recorded and commits (on any error
everything rolls back, journal included) — exactly what the API's route class does per request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from vinyasa.core import journal
from vinyasa.core.caller import Caller
from vinyasa.db import RequestTransactions


@contextmanager
def unit_of_work(transactions: RequestTransactions, user_gid: int, base_url: str) -> Iterator[Caller]:
    """A Caller for `user_gid` inside one committed-or-rolled-back write transaction."""
    with transactions.begin(write=True) as conn:
        caller = Caller(conn=conn, user_gid=user_gid, base_url=base_url)
        yield caller
        journal.flush(caller)
