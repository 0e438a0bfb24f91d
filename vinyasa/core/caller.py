"""The caller: one unit of work on behalf of one user, with no HTTP in it.

A `Caller` holds the connection inside its transaction, the acting user, the public base URL (for
permalinks and rich-text links), a per-transaction cache (which also collects the Asana changes the
work announced), the changes recorded for the journal so far, and the API changes it opted out of. The API's
request context (`vinyasa.protocol.context.Ctx`) is a Caller plus the HTTP parts; a background worker
builds a plain Caller for a user and gets exactly that user's view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from vinyasa.protocol import changes

if TYPE_CHECKING:
    from vinyasa.core.journal import Change


class WriteNeeded(Exception):
    """Raised by `Caller.need_write` in a read-only transaction: nothing was written; the request runs
    again in a write transaction (vinyasa.protocol.context)."""


@dataclass(kw_only=True)
class Caller:
    """Who acts (`user_gid`), on which connection, and what they changed so far in this transaction."""

    conn: Connection
    user_gid: int
    base_url: str
    cache: dict[Any, Any] = field(default_factory=dict)
    recorded: list[Change] = field(default_factory=list)  # journal entries waiting for the commit
    # Asana's announced API changes this caller opted out of (`Asana-Disable`; see
    # vinyasa.protocol.changes): the work keeps the behaviour from before them.
    disabled: frozenset[str] = frozenset()
    rich_text_strict: bool = False  # the server's VINYASA_RICH_TEXT=strict (see vinyasa.richtext)
    # The rules (vinyasa.rules) whose runs led to this work, oldest first; the last is the journal
    # entries' `cause_gid`. Empty for work a user asked for.
    cause: tuple[int, ...] = ()
    # False inside a read-only request transaction (a GET): see `need_write`.
    writable: bool = True

    def need_write(self) -> None:
        """Call before the first write of work that usually only reads (a record made on first use,
        such as a user's My Tasks): in a read-only request transaction this raises `WriteNeeded`, and
        the request runs again from the start as a write. On SQLite a read transaction cannot take
        the write lock reliably (SQLITE_BUSY_SNAPSHOT when another process wrote since it began)."""
        if not self.writable:
            raise WriteNeeded()

    def keeps_old(self, change: changes.Change) -> bool:
        """Whether this caller asked for the behaviour from before `change` (`Asana-Disable`)."""
        return change.name in self.disabled
