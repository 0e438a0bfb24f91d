"""The caller: one unit of work on behalf of one user, with no HTTP in it.

A `Caller` holds the connection inside its transaction, the acting user, the public base URL (for
permalinks and rich-text links), a per-transaction cache and the changes recorded so far. The API's
request context (`vinyasa.protocol.context.Ctx`) is a Caller plus the HTTP parts; a background worker
builds a plain Caller for a user and gets exactly that user's view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

if TYPE_CHECKING:
    from vinyasa.core.journal import Change


@dataclass(kw_only=True)
class Caller:
    """Who acts (`user_gid`), on which connection, and what they changed so far in this transaction."""

    conn: Connection
    user_gid: int
    base_url: str
    cache: dict[Any, Any] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    # Announced API changes the work touched (deprecated inputs or fields), e.g. Asana's
    # "name=...;info=...;affected=true"; the API reports them in the `Asana-Change` header.
    notices: list[str] = field(default_factory=list)
